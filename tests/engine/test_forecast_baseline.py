"""The province baseline (engine/forecast/baseline.py) on the derived tables of the package:
the ranges of the Metabolic 2024 scan, a hand computation from the table rows, the registry
overriding the baseline, conservation. No database, no ../shared."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import urbanmine
from urbanmine.engine.forecast import (
    USE_TYPES,
    BaselineStock,
    ScenarioForecast,
    ScenarioParams,
    StockArrays,
    forecast_province,
    read_baseline,
    read_intensities,
    read_lifetimes,
    reference_scenario,
)
from urbanmine.engine.forecast.baseline import cell_of, cohorts

DATA = Path(urbanmine.__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def baseline() -> BaselineStock:
    return read_baseline(DATA)


@lru_cache(maxsize=1)
def tables():
    return read_intensities(DATA / "material_intensity_nl.csv"), read_lifetimes(
        DATA / "lifetimes.csv"
    )


def registry(buildings: list[dict], codes=("GM0546", "GM0599")) -> StockArrays:
    """A registered stock: dicts with code, use, year, area and optional dem, ren, passport."""
    pos = {c: i for i, c in enumerate(codes)}
    use = {u: i for i, u in enumerate(USE_TYPES)}
    i64 = np.int64
    return StockArrays(
        municipality_codes=tuple(codes),
        population=np.zeros(len(codes)),
        asset_ids=np.arange(len(buildings), dtype=i64),
        municipality_idx=np.array([pos[b["code"]] for b in buildings], dtype=i64),
        use_type_idx=np.array([use[b["use"]] for b in buildings], dtype=i64),
        construction_year=np.array([b["year"] for b in buildings], dtype=i64),
        floor_area_m2=np.array([b["area"] for b in buildings], dtype=float),
        planned_demolition_year=np.array([b.get("dem", 0) for b in buildings], dtype=i64),
        planned_renovation_year=np.array([b.get("ren", 0) for b in buildings], dtype=i64),
        passport_kg={i: b["passport"] for i, b in enumerate(buildings) if "passport" in b},
        is_demo=np.ones(len(buildings), dtype=bool),
    )


def run(stock: StockArrays | None = None, **params) -> ScenarioForecast:
    mi, lt = tables()
    p = ScenarioParams.from_json(params)
    return forecast_province(
        baseline(), stock if stock is not None else registry([]), p, intensities=mi, lifetimes=lt
    )


def at(fc: ScenarioForecast, arr, year: int, code: str) -> np.ndarray:
    return arr[year - int(fc.years[0]), fc.municipality_codes.index(code)]


# ------------------------------------------------------------------ the province
def test_default_baseline_is_the_order_of_the_metabolic_scan() -> None:
    """Done-when of issue #12: release 2025-2030 (cumulative, B&U) within 0.5-2 x 4,550 kt,
    demand within 0.5-2 x 37,300 kt; Rotterdam and Den Haag release most."""
    fc = run()
    ref = reference_scenario()
    upto = fc.years <= ref.horizon_year
    release_kt = (fc.demolition_kg + fc.renovation_kg)[upto].sum() / 1e6
    demand_kt = fc.demand_kg[upto].sum() / 1e6
    assert 0.5 * ref.release_kt <= release_kt <= 2 * ref.release_kt, release_kt
    assert 0.5 * ref.demand_kt <= demand_kt <= 2 * ref.demand_kt, demand_kt
    per_mun = (fc.demolition_kg + fc.renovation_kg).sum(axis=(0, 2))
    top2 = {fc.municipality_codes[i] for i in np.argsort(-per_mun)[:2]}
    assert top2 == {"GM0599", "GM0518"}  # Rotterdam, 's-Gravenhage
    assert len(fc.municipality_codes) == 50


def test_baseline_tables_are_the_province() -> None:
    b = baseline()
    assert len(b.municipality_codes) == 50
    with open(DATA / "baseline_municipalities_zh.csv", encoding="utf-8") as fh:
        rows = {r["code"]: r for r in csv.DictReader(fh)}
    # dwellings rescaled to CBS 2024 per municipality
    for p, code in enumerate(b.municipality_codes):
        n = b.cell_dwellings[b.cell_municipality_idx == p].sum()
        assert n == pytest.approx(float(rows[code]["dwellings_cbs_2024"]), abs=1.0)
    assert sum(float(r["dwellings_cbs_2024"]) for r in rows.values()) == 1_757_692
    assert np.all(b.hazard_multiplier > 0)


# ------------------------------------------------------------------ by hand
def _weibull(a: float, k: float, lam: float) -> float:
    return 1.0 if a < 0 else math.exp(-((a / lam) ** k))


def _mi(use: str, year: int, material: str) -> float:
    """kg/m2 from the CSV (its first and last periods cover years outside the table)."""
    rows = []
    with open(DATA / "material_intensity_nl.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["use_type"] == use and r["material"] == material:
                rows.append((int(r["period_start"]), int(r["period_end"]), float(r["kg_per_m2"])))
    rows.sort()
    year = min(max(year, rows[0][0]), rows[-1][1])
    return next(kg for a, b, kg in rows if a <= year <= b)


def test_one_municipality_one_year_by_hand_from_the_table_rows() -> None:
    """Leiden, 2027, concrete: every row of baseline_stock_zh.csv spread over its years,
    released by the conditional Weibull share of its use type, the residential scale
    carrying Leiden's hazard multiplier (lambda k^(-1/shape))."""
    code, year, start, material = "GM0546", 2027, 2025, "concrete"
    with open(DATA / "lifetimes.csv", encoding="utf-8") as fh:
        life = {
            r["use_type"]: (float(r["weibull_shape"]), float(r["weibull_scale_years"]))
            for r in csv.DictReader(fh)
        }
    with open(DATA / "baseline_municipalities_zh.csv", encoding="utf-8") as fh:
        k = next(float(r["hazard_multiplier"]) for r in csv.DictReader(fh) if r["code"] == code)
    expected = 0.0
    with open(DATA / "baseline_stock_zh.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["municipality_code"] != code:
                continue
            use, c0, c1 = r["use_type"], int(r["period_start"]), int(r["period_end"])
            shape, scale = life[use]
            if use in ("house", "apartment"):
                scale *= k ** (-1 / shape)
            per_year = float(r["floor_area_m2"]) / (c1 - c0 + 1)
            for c in range(c0, c1 + 1):
                share = (
                    _weibull(year - 1 - c, shape, scale) - _weibull(year - c, shape, scale)
                ) / _weibull(start - 1 - c, shape, scale)
                expected += per_year * _mi(use, c, material) * share
    fc = run(start_year=start, end_year=2030)
    got = at(fc, fc.demolition_kg, year, code)[fc.materials.index(material)]
    assert got == pytest.approx(expected, rel=1e-9)
    assert expected > 1e6  # a real municipality releases thousands of tonnes a year


# ------------------------------------------------------------------ the registry overrides
def test_a_registered_building_replaces_its_share_of_the_cell() -> None:
    """A registered house of 1960 in Leiden takes its floor area out of Leiden's 1945-1964
    house cell: the stock mass of the province is unchanged (nothing counted twice)."""
    plain = run(end_year=2025)
    house = {"code": "GM0546", "use": "house", "year": 1960, "area": 5_000.0}
    fc = run(registry([house]), end_year=2025)
    np.testing.assert_allclose(fc.stock_mass_kg.sum(axis=0), plain.stock_mass_kg.sum(axis=0))
    b = baseline()
    p = b.municipality_codes.index("GM0546")
    cell = int(cell_of(b, np.array([p]), np.array([USE_TYPES.index("house")]), np.array([1960]))[0])
    assert (b.cell_period_start[cell], b.cell_period_end[cell]) == (1945, 1964)
    cov = fc.stats["coverage"]
    assert cov["registered_floor_area_m2"] == 5_000.0
    assert cov["registered_share"] == pytest.approx(5_000.0 / b.floor_area_m2)
    assert cov["inventoried_share"] == 0.0 and cov["n_demo_buildings"] == 1


def test_an_inventoried_passport_replaces_the_estimate_of_its_building() -> None:
    """Same house with a passport of 123,456 kg concrete: Leiden's concrete stock is the
    baseline's minus the estimate of this house plus the passport."""
    house = {"code": "GM0546", "use": "house", "year": 1960, "area": 5_000.0}
    estimated = run(registry([house]), end_year=2025)
    inventoried = run(registry([house | {"passport": {"concrete": 123_456.0}}]), end_year=2025)
    m = estimated.materials.index("concrete")
    p = estimated.municipality_codes.index("GM0546")
    estimate = 5_000.0 * _mi("house", 1960, "concrete")
    diff = inventoried.stock_mass_kg[p, m] - estimated.stock_mass_kg[p, m]
    assert diff == pytest.approx(123_456.0 - estimate, rel=1e-9)
    assert inventoried.stats["coverage"]["inventoried_floor_area_m2"] == 5_000.0


def _life(use: str, code: str) -> tuple[float, float]:
    """(shape, scale) of a use type in a municipality, by hand from the CSVs."""
    with open(DATA / "lifetimes.csv", encoding="utf-8") as fh:
        shape, scale = next(
            (float(r["weibull_shape"]), float(r["weibull_scale_years"]))
            for r in csv.DictReader(fh)
            if r["use_type"] == use
        )
    with open(DATA / "baseline_municipalities_zh.csv", encoding="utf-8") as fh:
        k = next(float(r["hazard_multiplier"]) for r in csv.DictReader(fh) if r["code"] == code)
    return shape, scale * k ** (-1 / shape) if use in ("house", "apartment") else scale


def _materials_of(use: str) -> list[str]:
    with open(DATA / "material_intensity_nl.csv", encoding="utf-8") as fh:
        return sorted({r["material"] for r in csv.DictReader(fh) if r["use_type"] == use})


def test_a_planned_demolition_moves_its_release_to_the_planned_year() -> None:
    """A house of 1960 in Rotterdam, 8,000 m2, planned demolition in 2031. Against the same
    house without a plan: its whole mass M in 2031 and its survival share s_y M gone from
    every year: delta_y = -s_y M, delta_2031 = M (1 - s_2031); other municipalities equal."""
    house = {"code": "GM0599", "use": "house", "year": 1960, "area": 8_000.0}
    survival = run(registry([house]), end_year=2035)
    planned = run(registry([house | {"dem": 2031}]), end_year=2035)
    whole = 8_000.0 * sum(_mi("house", 1960, m) for m in _materials_of("house"))
    shape, scale = _life("house", "GM0599")
    delta = (planned.demolition_kg - survival.demolition_kg).sum(axis=2)
    p = planned.municipality_codes.index("GM0599")
    for y in range(2025, 2036):
        s_y = (_weibull(y - 1 - 1960, shape, scale) - _weibull(y - 1960, shape, scale)) / _weibull(
            2025 - 1 - 1960, shape, scale
        )
        expected = whole * (1 - s_y) if y == 2031 else -whole * s_y
        assert delta[y - 2025, p] == pytest.approx(expected, rel=1e-6, abs=1e-3), y
    others = np.delete(delta, p, axis=1)
    np.testing.assert_allclose(others, 0.0, atol=1e-6)
    assert planned.stats["coverage"]["planned_floor_area_m2"] == 8_000.0


def _only(code: str) -> BaselineStock:
    """The baseline of one municipality (a long horizon stays small)."""
    b = baseline()
    p = b.municipality_codes.index(code)
    sel = b.cell_municipality_idx == p
    return BaselineStock(
        municipality_codes=(code,),
        municipality_names=(b.municipality_names[p],),
        population=b.population[[p]],
        hazard_multiplier=b.hazard_multiplier[[p]],
        programme_m2=b.programme_m2[[p]],
        cell_municipality_idx=np.zeros(int(sel.sum()), dtype=np.int64),
        cell_use_type_idx=b.cell_use_type_idx[sel],
        cell_period_start=b.cell_period_start[sel],
        cell_period_end=b.cell_period_end[sel],
        cell_floor_area_m2=b.cell_floor_area_m2[sel],
        cell_dwellings=b.cell_dwellings[sel],
    )


def test_conservation_over_a_long_horizon() -> None:
    """Over 2025-3000 Zoeterwoude's baseline and a registered apartment building (planned
    demolition in 2040) release their whole mass: the conditional shares sum to 1 per
    cohort, and the registered building's mass is counted once."""
    mi, lt = tables()
    flat = {"code": "GM0638", "use": "apartment", "year": 1975, "area": 3_000.0, "dem": 2040}
    params = ScenarioParams(
        start_year=2025, end_year=3000, programme_m2=dict.fromkeys(USE_TYPES, 0)
    )
    fc = forecast_province(
        _only("GM0638"), registry([flat], codes=("GM0638",)), params, intensities=mi, lifetimes=lt
    )
    np.testing.assert_allclose(fc.demolition_kg.sum(axis=0), fc.stock_mass_kg, rtol=1e-6)
    alone = forecast_province(
        _only("GM0638"), registry([], codes=("GM0638",)), params, intensities=mi, lifetimes=lt
    )
    # counted once: the flat's 3,000 m2 at its own year's intensity replace 3,000 m2 of its
    # cell (1965-1984) at the cell's mean intensity
    for m, material in enumerate(fc.materials):
        if material not in _materials_of("apartment"):
            continue
        cell_mean = np.mean([_mi("apartment", c, material) for c in range(1965, 1985)])
        expected = 3_000.0 * (_mi("apartment", 1975, material) - cell_mean)
        diff = fc.stock_mass_kg[0, m] - alone.stock_mass_kg[0, m]
        assert diff == pytest.approx(expected, rel=1e-6, abs=1e-3), material
    assert fc.demand_kg.sum() == 0.0


def test_cohorts_spread_each_cell_evenly_over_its_years() -> None:
    b = baseline()
    rows = cohorts(b, b.cell_floor_area_m2)
    assert rows["floor_area_m2"].sum() == pytest.approx(b.floor_area_m2)
    first = np.flatnonzero(b.cell_floor_area_m2 > 0)[0]
    span = b.cell_period_end[first] - b.cell_period_start[first] + 1
    assert rows["floor_area_m2"][0] == pytest.approx(b.cell_floor_area_m2[first] / span)
    assert rows["construction_year"][: int(span)].tolist() == list(
        range(int(b.cell_period_start[first]), int(b.cell_period_end[first]) + 1)
    )
