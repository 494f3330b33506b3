"""The province baseline: the real building stock of Zuid-Holland behind the forecast, with
the registry overriding it where it knows better.

Pure Python + NumPy (never imports Django). The baseline is a table of cells, one per
municipality p x use type u x construction period [c0, c1], with a floor area A_puc
(data/baseline_stock_zh.csv, derived by scripts/derive_baseline_stock.py). Each cell is
spread evenly over the years of its period, so a cell stands for (c1 - c0 + 1) cohorts of
A_puc / (c1 - c0 + 1) m2 each; the cohorts run through the same scenario model as registered
buildings (`forecast_scenario`): mass = A x MI(u, c), release by the Weibull survival of u
with the municipality's hazard multiplier, demand from the municipality's programme.

Registry overrides (nothing is counted twice):
    A'_puc = max(A_puc - R_puc, 0),
R_puc the floor area of the registered buildings in cell (p, u, c) (a building's year is
clamped into the periods the baseline has for (p, u)). The registered buildings themselves
enter the model with what the registry knows: their own construction year, an inventoried
passport instead of the intensity estimate, a planned demolition year instead of the
survival curve, a planned renovation. Registered floor area beyond a cell's baseline
(R_puc > A_puc) is reported, not subtracted twice.

Coverage: the shares of the baseline floor area (sum of A_puc) that is registered,
inventoried (with a passport) and planned (a planned demolition or renovation).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .scenario import (
    ProgressCallback,
    Regional,
    ScenarioForecast,
    ScenarioParams,
    StockArrays,
    forecast_scenario,
)
from .tables import USE_TYPES, IntensityTable, LifetimeTable

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: The derived tables, in a directory (src/urbanmine/data/ in the package).
STOCK_CSV = "baseline_stock_zh.csv"
MUNICIPALITIES_CSV = "baseline_municipalities_zh.csv"
PROGRAMME_CSV = "baseline_programme_zh.csv"


@dataclass(frozen=True)
class BaselineStock:
    """The baseline cells and what is known per municipality.

    cell_*: one entry per (municipality, use type, construction period) cell; use type
    indices into USE_TYPES. Per municipality: population (CBS 2024), the hazard multiplier of
    the residential lifetimes (81955NED 2012-2020), the programme in m2 a year per use type
    (n_municipalities, n_use_types).
    """

    municipality_codes: tuple[str, ...]
    municipality_names: tuple[str, ...]
    population: FloatArray
    hazard_multiplier: FloatArray
    programme_m2: FloatArray
    cell_municipality_idx: IntArray
    cell_use_type_idx: IntArray
    cell_period_start: IntArray
    cell_period_end: IntArray
    cell_floor_area_m2: FloatArray
    cell_dwellings: FloatArray

    @property
    def n_cells(self) -> int:
        return int(self.cell_floor_area_m2.shape[0])

    @property
    def floor_area_m2(self) -> float:
        return float(self.cell_floor_area_m2.sum())

    def programme_totals(self) -> dict[str, float]:
        """The province's programme per use type (m2 a year): the default scenario."""
        return {u: float(self.programme_m2[:, i].sum()) for i, u in enumerate(USE_TYPES)}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_baseline(directory: str | os.PathLike[str]) -> BaselineStock:
    """The three baseline tables of `directory`. ValueError naming file, row and field."""
    d = Path(directory)
    munis = _rows(d / MUNICIPALITIES_CSV)
    codes = tuple(r["code"] for r in munis)
    pos = {c: i for i, c in enumerate(codes)}
    use_pos = {u: i for i, u in enumerate(USE_TYPES)}

    def lookup(table: dict[str, int], value: str, name: str, row: int, field: str) -> int:
        if value not in table:
            raise ValueError(f"{name}, row {row}, {field}: unknown value {value!r}")
        return table[value]

    programme = np.zeros((len(codes), len(USE_TYPES)))
    for i, r in enumerate(_rows(d / PROGRAMME_CSV), start=1):
        p = lookup(pos, r["municipality_code"], PROGRAMME_CSV, i, "municipality_code")
        u = lookup(use_pos, r["use_type"], PROGRAMME_CSV, i, "use_type")
        programme[p, u] += float(r["m2_per_year"])
    cells = _rows(d / STOCK_CSV)
    mun = np.empty(len(cells), dtype=np.int64)
    use = np.empty(len(cells), dtype=np.int64)
    start = np.empty(len(cells), dtype=np.int64)
    end = np.empty(len(cells), dtype=np.int64)
    area = np.empty(len(cells))
    dwellings = np.empty(len(cells))
    for i, r in enumerate(cells):
        mun[i] = lookup(pos, r["municipality_code"], STOCK_CSV, i + 1, "municipality_code")
        use[i] = lookup(use_pos, r["use_type"], STOCK_CSV, i + 1, "use_type")
        start[i], end[i] = int(r["period_start"]), int(r["period_end"])
        area[i], dwellings[i] = float(r["floor_area_m2"]), float(r["dwellings"] or 0)
        if start[i] > end[i] or area[i] < 0:
            raise ValueError(f"{STOCK_CSV}, row {i + 1}: bad period or negative floor area")
    return BaselineStock(
        municipality_codes=codes,
        municipality_names=tuple(r["name"] for r in munis),
        population=np.array([float(r["population"]) for r in munis]),
        hazard_multiplier=np.array([float(r["hazard_multiplier"]) for r in munis]),
        programme_m2=programme,
        cell_municipality_idx=mun,
        cell_use_type_idx=use,
        cell_period_start=start,
        cell_period_end=end,
        cell_floor_area_m2=area,
        cell_dwellings=dwellings,
    )


# --------------------------------------------------------------------------- overrides
def cell_of(
    baseline: BaselineStock, municipality_idx: IntArray, use_type_idx: IntArray, year: IntArray
) -> IntArray:
    """The baseline cell of each building (baseline municipality index, use type index,
    construction year), -1 where the baseline has no cell of that municipality and use type.
    Years before the first or after the last period of (p, u) fall in that first or last
    cell."""
    n_use = len(USE_TYPES)
    group = baseline.cell_municipality_idx * n_use + baseline.cell_use_type_idx
    order = np.lexsort((baseline.cell_period_start, group))
    g_sorted, s_sorted = group[order], baseline.cell_period_start[order]
    b_group = np.asarray(municipality_idx, dtype=np.int64) * n_use + np.asarray(
        use_type_idx, dtype=np.int64
    )
    lo = np.searchsorted(g_sorted, b_group, side="left")
    hi = np.searchsorted(g_sorted, b_group, side="right")
    out = np.full(b_group.shape, -1, dtype=np.int64)
    has = hi > lo
    if not np.any(has):
        return out
    # position of the last period starting at or before the year, within the group
    key = g_sorted.astype(np.float64) * 10_000 + s_sorted
    b_key = b_group[has].astype(np.float64) * 10_000 + np.asarray(year, dtype=np.int64)[has]
    pos = np.searchsorted(key, b_key, side="right") - 1
    pos = np.clip(pos, lo[has], hi[has] - 1)
    out[has] = order[pos]
    return out


@dataclass(frozen=True)
class Overlay:
    """How the registry overrides the baseline: per registered building its cell (-1: none),
    and per cell the registered floor area (m2) and what remains of the baseline."""

    building_cell: IntArray
    registered_m2: FloatArray
    remaining_m2: FloatArray


def overlay(
    baseline: BaselineStock,
    municipality_idx: IntArray,
    use_type_idx: IntArray,
    year: IntArray,
    floor_area_m2: FloatArray,
) -> Overlay:
    """Subtract the registered floor area from its cells: A' = max(A - R, 0).

    municipality_idx indexes baseline.municipality_codes (-1: a municipality outside the
    baseline, which replaces nothing)."""
    mun = np.asarray(municipality_idx, dtype=np.int64)
    inside = mun >= 0
    cell = np.full(mun.shape, -1, dtype=np.int64)
    if np.any(inside):
        cell[inside] = cell_of(
            baseline,
            mun[inside],
            np.asarray(use_type_idx)[inside],
            np.asarray(year)[inside],
        )
    hit = cell >= 0
    registered = np.asarray(
        np.bincount(
            cell[hit],
            weights=np.asarray(floor_area_m2, dtype=float)[hit],
            minlength=baseline.n_cells,
        ),
        dtype=np.float64,
    )
    remaining = np.maximum(baseline.cell_floor_area_m2 - registered, 0.0)
    return Overlay(cell, registered, remaining)


def cohorts(baseline: BaselineStock, cell_floor_area_m2: FloatArray) -> dict[str, np.ndarray]:
    """Each cell spread evenly over the years of its period: arrays municipality_idx,
    use_type_idx, construction_year, floor_area_m2 (cells without floor area left out)."""
    keep = np.flatnonzero(cell_floor_area_m2 > 0)
    span = baseline.cell_period_end[keep] - baseline.cell_period_start[keep] + 1
    rep = np.repeat(keep, span)
    first = np.repeat(np.cumsum(span) - span, span)
    offset = np.arange(rep.size, dtype=np.int64) - first
    return {
        "municipality_idx": baseline.cell_municipality_idx[rep],
        "use_type_idx": baseline.cell_use_type_idx[rep],
        "construction_year": baseline.cell_period_start[rep] + offset,
        "floor_area_m2": cell_floor_area_m2[rep] / np.repeat(span, span),
    }


# --------------------------------------------------------------------------- the forecast
def _combined_codes(baseline: BaselineStock, registered: StockArrays) -> tuple[str, ...]:
    extra = sorted(set(registered.municipality_codes) - set(baseline.municipality_codes))
    return baseline.municipality_codes + tuple(extra)


def _coverage(
    baseline: BaselineStock, registered: StockArrays, ov: Overlay, demo: BoolArray | None
) -> dict[str, Any]:
    """Floor area (m2) of the baseline and of the registered buildings inside it, and the
    shares registered / inventoried / planned."""
    hit = ov.building_cell >= 0
    area = registered.floor_area_m2
    passport = np.zeros(len(registered), dtype=bool)
    if registered.passport_kg:
        passport[np.fromiter(registered.passport_kg, dtype=np.int64)] = True
    planned = (registered.planned_demolition_year != 0) | (registered.planned_renovation_year != 0)
    total = baseline.floor_area_m2
    reg = float(area[hit].sum())
    inv = float(area[hit & passport].sum())
    plan = float(area[hit & planned].sum())
    out: dict[str, Any] = {
        "baseline_floor_area_m2": total,
        "registered_floor_area_m2": reg,
        "inventoried_floor_area_m2": inv,
        "planned_floor_area_m2": plan,
        "beyond_baseline_m2": float(
            np.maximum(ov.registered_m2 - baseline.cell_floor_area_m2, 0).sum()
        ),
        "registered_outside_baseline": int(np.count_nonzero(~hit)),
        "registered_share": reg / total if total else 0.0,
        "inventoried_share": inv / total if total else 0.0,
        "planned_share": plan / total if total else 0.0,
    }
    if demo is not None:
        out["n_demo_buildings"] = int(np.count_nonzero(demo))
    return out


def forecast_province(
    baseline: BaselineStock,
    registered: StockArrays,
    params: ScenarioParams,
    *,
    intensities: IntensityTable,
    lifetimes: LifetimeTable,
    progress: ProgressCallback | None = None,
) -> ScenarioForecast:
    """Release and demand of the baseline with the registry overriding it (module docstring).

    Municipalities: the baseline's, then those only the registry has (sorted). The stats are
    `forecast_scenario`'s for the registered buildings plus "coverage" (see `_coverage`) and
    "n_baseline_cohorts"; `registered.is_demo` (when given) counts the synthetic demo
    buildings among the overrides (stats["coverage"]["n_demo_buildings"]).
    """
    codes = _combined_codes(baseline, registered)
    pos = {c: i for i, c in enumerate(codes)}
    remap = np.array([pos[c] for c in registered.municipality_codes], dtype=np.int64)
    reg_mun = remap[registered.municipality_idx] if len(registered) else registered.municipality_idx
    n_base = len(baseline.municipality_codes)
    base_mun = np.where(reg_mun < n_base, reg_mun, -1)
    # passport-only buildings (no floor area) replace nothing: nothing to subtract
    ov = overlay(
        baseline,
        base_mun,
        registered.use_type_idx,
        registered.construction_year,
        registered.floor_area_m2,
    )
    rows = cohorts(baseline, ov.remaining_m2)
    n_rows = rows["construction_year"].size
    reg_pop = {c: registered.population[i] for i, c in enumerate(registered.municipality_codes)}
    population = np.concatenate(
        [baseline.population, np.array([reg_pop.get(c, 0.0) for c in codes[n_base:]])]
    )
    zeros = np.zeros(n_rows, dtype=np.int64)
    combined = StockArrays(
        municipality_codes=codes,
        population=population,
        asset_ids=np.concatenate([registered.asset_ids, np.full(n_rows, -1, dtype=np.int64)]),
        municipality_idx=np.concatenate([reg_mun, rows["municipality_idx"]]),
        use_type_idx=np.concatenate([registered.use_type_idx, rows["use_type_idx"]]),
        construction_year=np.concatenate([registered.construction_year, rows["construction_year"]]),
        floor_area_m2=np.concatenate([registered.floor_area_m2, rows["floor_area_m2"]]),
        planned_demolition_year=np.concatenate([registered.planned_demolition_year, zeros]),
        planned_renovation_year=np.concatenate([registered.planned_renovation_year, zeros]),
        passport_kg=registered.passport_kg,
        skipped=dict(registered.skipped),
    )
    n_extra = len(codes) - n_base
    regional = Regional(
        hazard_multiplier=np.concatenate([baseline.hazard_multiplier, np.ones(n_extra)]),
        programme_weights=np.vstack([baseline.programme_m2, np.zeros((n_extra, len(USE_TYPES)))]),
        programme_m2=baseline.programme_totals(),
    )
    n_reg = len(registered)

    def report(pct: int, stage: str, details: Mapping[str, int]) -> None:
        # the registered buildings, not the baseline's cohorts, are "buildings"
        if progress is not None:
            progress(pct, stage, {**details, "n": n_reg, "cohorts": n_rows})

    fc = forecast_scenario(
        combined,
        params,
        intensities=intensities,
        lifetimes=lifetimes,
        progress=report,
        regional=regional,
    )
    stats = dict(fc.stats)
    stats.update(
        {
            "n_buildings": n_reg,
            "n_baseline_cohorts": n_rows,
            "floor_area_m2": float(registered.floor_area_m2.sum()),
            "n_planned_demolitions": int(np.count_nonzero(registered.planned_demolition_year)),
            "coverage": _coverage(baseline, registered, ov, registered.is_demo),
        }
    )
    return replace(fc, stats=stats)
