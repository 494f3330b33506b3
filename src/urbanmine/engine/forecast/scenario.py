"""The scenario forecast of a registered stock: release and demand in kg per [year,
municipality, material], and the scenario parameters the province may change.

Pure Python + NumPy (the insight app adapts the ORM to `StockArrays` and stores the result).

Building mass, kg, per building b and material m:
    M[b, m] = passport_kg[b][m]                           for materials b's passport records,
    M[b, m] = A_b * MI[m](u_b, clamp_u(c_b))              otherwise,
with A_b the floor area (m2), u_b the use type, c_b the construction year and clamp_u the
clamp of a year into the periods the intensity table covers for u (the 2011-2030 build-up
is used for construction after 2030, the oldest period for buildings before 1800).

Demolition (the Forecast contract, `release_by_municipality`):
    D[y, p, m] = sum_{b in p} M[b, m] * [S_u(y-1-c_b) - S_u(y-c_b)] / S_u(start-1-c_b),
S_u the Weibull survival of the use type (calibrated table, then the scenario's overrides).
A planned demolition year d_b replaces the survival model: all of M[b] in year d_b.

Planned renovation in year r_b (counted only without a planned demolition or before it),
with s_m = `renovation_share(materials)[m]`:
    R[r_b, p, m] += M[b, m] * s_m                                 (release),
    Q[r_b, p, m] += A_b * MI[m](u_b, clamp_u(r_b)) * s_m          (demand anew).

Construction programme, P_u m2 floor area a year (`ScenarioParams.programme`):
    Q[y, p, m] += P_u * w_pu * MI[m](u, clamp_u(y)),
w_pu = the `Regional` model's programme weights (the province baseline's own programme per
municipality), else w_p = pop_p / sum(pop) (equal weights when no population is known).

Regional lifetimes (`Regional.hazard_multiplier`, per municipality, residential use types):
a proportional hazard H_p(a) = k_p (a / lambda)^shape, i.e. the Weibull scale
lambda_p = lambda * k_p^(-1/shape); k_p = 1 for non-residential use types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .demand import material_demand
from .release import MAX_DENSE_CELLS, release_by_municipality
from .tables import USE_TYPES, IntensityTable, LifetimeTable, renovation_share

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# --------------------------------------------------------------------------- parameters
DEFAULT_START_YEAR = 2025
DEFAULT_END_YEAR = 2050
DEFAULT_REUSE_SHARE = 0.35

#: Default construction programme of Zuid-Holland, m² gross floor area (GFA) per year.
#: ASSUMPTION (documented, to be replaced by the province's own multi-year plan):
#: - housing: ≈25,000 dwellings a year (the provincial housing-deal ambition of roughly
#:   230,000–250,000 dwellings up to 2030, rounded down for delay), 65 % apartments at
#:   90 m² GFA and 35 % single-family houses at 130 m² GFA;
#: - non-residential: ≈1.2 million m² a year, i.e. Zuid-Holland's ~21 % population share of
#:   the order of 5–6 million m² of Dutch utility construction per year, split by use type.
#: With the 2011–2030 intensities this demands ≈4,700 kt a year, ≈28,000 kt over 2025–2030,
#: the same order as the Metabolic 2024 figure of 37,300 kt (which also counts renovation
#: and maintenance).
DEFAULT_PROGRAMME_M2: dict[str, float] = {
    "house": 8_750 * 130.0,
    "apartment": 16_250 * 90.0,
    "office": 200_000.0,
    "retail": 100_000.0,
    "education": 150_000.0,
    "healthcare": 150_000.0,
    "industrial": 500_000.0,
    "other": 100_000.0,
}

MIN_YEAR, MAX_YEAR = 2000, 2150


class ParamsError(ValueError):
    """Invalid scenario parameters; `field` names the offending key."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _num(value: Any, field: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ParamsError(field, "not a number") from None
    if out != out or out in (float("inf"), float("-inf")):
        raise ParamsError(field, "not a finite number")
    return out


@dataclass(frozen=True)
class ScenarioParams:
    """Scenario parameters: what the province may change, with documented defaults.

    Stored as JSON on `Scenario.params`; read through `ScenarioParams` so every consumer sees
    the same defaults and validation. Keys (all optional):

    - ``start_year``, ``end_year``: the forecast window (default 2025–2050).
    - ``reuse_share``: share of the released mass with reuse potential (default 0.35, the
      Metabolic 2024 figure for Zuid-Holland).
    - ``lifetimes``: ``{use_type: {"shape": k, "scale_years": λ}}`` overrides of the calibrated
      Weibull parameters in ``data/lifetimes.csv`` (either key may be left out).
    - ``programme_m2``: ``{use_type: m² floor area built per year}`` — overrides of the
      construction programme that drives demand; a use type left out keeps the default
      (the province baseline's programme, or `DEFAULT_PROGRAMME_M2` without a baseline).
    """

    start_year: int = DEFAULT_START_YEAR
    end_year: int = DEFAULT_END_YEAR
    reuse_share: float = DEFAULT_REUSE_SHARE
    lifetimes: dict[str, dict[str, float]] = field(default_factory=dict)
    programme_m2: dict[str, float] = field(default_factory=dict)

    def programme(self, defaults: Mapping[str, float] | None = None) -> dict[str, float]:
        """m² per year and use type: `defaults` (DEFAULT_PROGRAMME_M2 if None), then the
        scenario's overrides."""
        base = DEFAULT_PROGRAMME_M2 if defaults is None else defaults
        return {u: float(base.get(u, 0.0)) for u in USE_TYPES} | self.programme_m2

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ScenarioParams:
        """Validate and fill in defaults. Raises ParamsError naming the field."""
        data = dict(data or {})
        start = int(_num(data.get("start_year", DEFAULT_START_YEAR), "start_year"))
        end = int(_num(data.get("end_year", DEFAULT_END_YEAR), "end_year"))
        if not MIN_YEAR <= start <= MAX_YEAR:
            raise ParamsError("start_year", f"must lie in {MIN_YEAR}–{MAX_YEAR}")
        if not start <= end <= MAX_YEAR:
            raise ParamsError("end_year", "must not lie before the start year")
        share = _num(data.get("reuse_share", DEFAULT_REUSE_SHARE), "reuse_share")
        if not 0.0 <= share <= 1.0:
            raise ParamsError("reuse_share", "must lie between 0 and 1")
        lifetimes: dict[str, dict[str, float]] = {}
        for use, over in (data.get("lifetimes") or {}).items():
            if use not in USE_TYPES:
                raise ParamsError(f"lifetimes.{use}", "unknown use type")
            clean: dict[str, float] = {}
            for key in ("shape", "scale_years"):
                if over.get(key) in (None, ""):
                    continue
                v = _num(over[key], f"lifetimes.{use}.{key}")
                if v <= 0:
                    raise ParamsError(f"lifetimes.{use}.{key}", "must be positive")
                clean[key] = v
            if clean:
                lifetimes[use] = clean
        programme: dict[str, float] = {}
        for use, m2 in (data.get("programme_m2") or {}).items():
            if m2 in (None, ""):
                continue
            if use not in USE_TYPES:
                raise ParamsError(f"programme_m2.{use}", "unknown use type")
            v = _num(m2, f"programme_m2.{use}")
            if v < 0:
                raise ParamsError(f"programme_m2.{use}", "must not be negative")
            programme[use] = v
        return cls(start, end, share, lifetimes, programme)

    def to_json(self) -> dict[str, Any]:
        return {
            "start_year": self.start_year,
            "end_year": self.end_year,
            "reuse_share": self.reuse_share,
            "lifetimes": {u: dict(v) for u, v in self.lifetimes.items()},
            "programme_m2": dict(self.programme_m2),
        }

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


def weibull_parameters(
    lifetimes: LifetimeTable, params: ScenarioParams
) -> tuple[FloatArray, FloatArray]:
    """(shape, scale_years) per entry of USE_TYPES: the calibrated table, then overrides.

    KeyError if `lifetimes` has no row for one of USE_TYPES.
    """
    pos = {u: i for i, u in enumerate(lifetimes.use_types)}
    shape = np.array([lifetimes.weibull_shape[pos[u]] for u in USE_TYPES], dtype=float)
    scale = np.array([lifetimes.weibull_scale_years[pos[u]] for u in USE_TYPES], dtype=float)
    for i, u in enumerate(USE_TYPES):
        over = params.lifetimes.get(u, {})
        shape[i] = over.get("shape", shape[i])
        scale[i] = over.get("scale_years", scale[i])
    return shape, scale


# --------------------------------------------------------------------------- inputs, outputs
@dataclass
class StockArrays:
    """The registered building stock as arrays, one entry per modelled building.

    Indices: municipality_idx into municipality_codes (and population, inhabitants per
    municipality), use_type_idx into USE_TYPES. passport_kg: {building index: {material: kg}}
    — mass still in the building according to its passport (lots located in the asset),
    which overrides the intensity table for the materials it records. skipped: counts of
    registry entries left out (reported in the stats, not modelled).
    """

    municipality_codes: tuple[str, ...]
    population: FloatArray
    asset_ids: IntArray
    municipality_idx: IntArray
    use_type_idx: IntArray
    construction_year: IntArray
    floor_area_m2: FloatArray  # 0 where unknown (passport only)
    planned_demolition_year: IntArray  # 0 = none
    planned_renovation_year: IntArray  # 0 = none
    passport_kg: dict[int, dict[str, float]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    is_demo: BoolArray | None = None  # per building: a synthetic demo record

    def __len__(self) -> int:
        return int(self.asset_ids.shape[0])


@dataclass(frozen=True)
class Regional:
    """What the province baseline knows per municipality (indexed like the stock's
    municipality_codes): a demolition hazard multiplier for the residential use types, the
    programme weights (n_municipalities, n_use_types; each column sums to 1, or is all 0 to
    fall back to population weights) and the default province programme per use type."""

    hazard_multiplier: FloatArray
    programme_weights: FloatArray
    programme_m2: Mapping[str, float]


#: Use types whose lifetimes the regional hazard multiplier scales (81955NED counts dwellings).
RESIDENTIAL_USE_TYPES: tuple[str, ...] = ("house", "apartment")


@dataclass
class ScenarioForecast:
    """kg arrays [year, municipality, material] and the stock mass [municipality, material].

    materials: the intensity table's materials, then materials only passports record
    (sorted). demand_kg is programme plus planned-renovation demand. stats: n_buildings,
    n_passports, n_planned_demolitions, n_planned_renovations (those counted: not after a
    planned demolition), floor_area_m2 and the stock's `skipped` counts.
    """

    years: IntArray
    municipality_codes: tuple[str, ...]
    materials: tuple[str, ...]
    demolition_kg: FloatArray
    renovation_kg: FloatArray
    demand_kg: FloatArray
    stock_mass_kg: FloatArray
    stats: dict[str, Any]


#: progress(pct, stage, details) is called once per stage at these percentages. The engine
#: does not word (or translate) messages: `stage` is one of these keys and `details` is
#: {"n": number of buildings}, so the caller can format e.g. "… for %(n)d buildings…".
PROGRESS_STAGES: dict[str, int] = {"mass": 20, "survival": 40, "renovation": 60, "programme": 75}
ProgressCallback = Callable[[int, str, Mapping[str, int]], None]


@dataclass(frozen=True)
class _Grid:
    """The output axes [year, municipality, material] (materials: see `_scenario_materials`)."""

    years: IntArray
    n_municipalities: int
    materials: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.years.size, self.n_municipalities, len(self.materials))


@dataclass(frozen=True)
class _Projects:
    """Construction or renovation projects placed in a year (one entry each)."""

    use_type_idx: IntArray
    year: IntArray
    floor_area_m2: FloatArray
    municipality_idx: IntArray


# --------------------------------------------------------------------------- steps
def _scenario_materials(
    intensities: IntensityTable, passport_kg: Mapping[int, Mapping[str, float]]
) -> tuple[str, ...]:
    """The intensity table's materials, then the ones only passports record (sorted)."""
    mi_mats = tuple(intensities.materials)
    extra = sorted({m for p in passport_kg.values() for m in p} - set(mi_mats))
    return mi_mats + tuple(extra)


def _intensity_years(table: IntensityTable, use_idx: IntArray, year: IntArray) -> IntArray:
    """Clamp years into the periods the table covers per use type (the 2011–2030 build-up is
    used for construction after 2030; the oldest period for buildings before 1800)."""
    out = year.copy()
    for i, u in enumerate(USE_TYPES):
        k = table.use_types.index(u)
        rows = table.period_use_type_idx == k
        lo, hi = int(table.period_start[rows].min()), int(table.period_end[rows].max())
        sel = use_idx == i
        out[sel] = np.clip(year[sel], lo, hi)
    return out


def _building_mass_kg(
    stock: StockArrays, intensities: IntensityTable, materials: tuple[str, ...]
) -> FloatArray:
    """M[b, m], shape (n_buildings, len(materials)): passport mass where recorded, else
    floor area x intensity of the clamped construction year.

    `materials` starts with the intensity table's materials (see `_scenario_materials`).
    """
    n_mi = len(intensities.materials)
    mass = np.zeros((len(stock), len(materials)))
    if len(stock):
        mi_year = _intensity_years(intensities, stock.use_type_idx, stock.construction_year)
        row = intensities.row_index(USE_TYPES, stock.use_type_idx, mi_year)
        if np.any(row < 0):
            b = int(np.flatnonzero(row < 0)[0])
            raise ValueError(f"no intensity covers building {b} built {int(mi_year[b])}")
        mass[:, :n_mi] = stock.floor_area_m2[:, None] * intensities.kg_per_m2[row]
    mat_pos = {m: i for i, m in enumerate(materials)}
    for b, passport in stock.passport_kg.items():
        for m, kg in passport.items():
            mass[b, mat_pos[m]] = kg
    return mass


def _lifetime_classes(
    stock: StockArrays, weibull: tuple[FloatArray, FloatArray], regional: Regional | None
) -> tuple[IntArray, FloatArray, FloatArray]:
    """(class per building, Weibull shape per class, scale per class).

    Without a regional model the classes are the use types; with one, (municipality, use
    type) pairs whose residential scales carry the municipality's hazard multiplier."""
    shape, scale = weibull
    if regional is None:
        return stock.use_type_idx, shape, scale
    n_use, n_mun = len(USE_TYPES), len(stock.municipality_codes)
    k = np.asarray(regional.hazard_multiplier, dtype=float)
    if k.shape != (n_mun,) or np.any(~(k > 0)):
        raise ValueError("hazard_multiplier must be positive, one per municipality")
    residential = np.isin(np.array(USE_TYPES), RESIDENTIAL_USE_TYPES)
    mult = np.where(residential[None, :], k[:, None], 1.0)  # (n_mun, n_use)
    class_shape = np.tile(shape, n_mun)
    class_scale = (scale[None, :] * mult ** (-1.0 / shape[None, :])).reshape(-1)
    return stock.municipality_idx * n_use + stock.use_type_idx, class_shape, class_scale


def _demolition_release_kg(
    stock: StockArrays,
    mass_kg: FloatArray,
    weibull: tuple[FloatArray, FloatArray],
    params: ScenarioParams,
    regional: Regional | None = None,
) -> FloatArray:
    """D[y, p, m]: survival model, or the whole mass in a planned demolition year."""
    classes, shape, scale = _lifetime_classes(stock, weibull, regional)
    return release_by_municipality(
        municipality_idx=stock.municipality_idx,
        n_municipalities=len(stock.municipality_codes),
        use_type_idx=classes,
        construction_year=stock.construction_year,
        mass_kg=mass_kg,
        weibull_shape=shape,
        weibull_scale_years=scale,
        start_year=params.start_year,
        end_year=params.end_year,
        planned_demolition_year=stock.planned_demolition_year,
        # classes already hold the municipality: most dense cells would be empty
        max_dense_cells=MAX_DENSE_CELLS if regional is None else 0,
    )


def _renovating(stock: StockArrays) -> BoolArray:
    """Buildings with a planned renovation and no planned demolition before it."""
    ren = stock.planned_renovation_year
    dem = stock.planned_demolition_year
    return np.asarray((ren != 0) & ((dem == 0) | (ren < dem)), dtype=np.bool_)


def _demand(
    intensities: IntensityTable,
    projects: _Projects,
    grid: _Grid,
    share: FloatArray | None = None,
) -> FloatArray:
    """Engine demand of projects placed in their year, at the intensity of the clamped year:
    shape (n_years, n_municipalities, n_materials); passport-only materials stay 0."""
    mi_mats = tuple(intensities.materials)
    out = np.zeros(grid.shape)
    mi_year = _intensity_years(intensities, projects.use_type_idx, projects.year)
    for yi, y in enumerate(grid.years.tolist()):
        sel = projects.year == y
        if not np.any(sel):
            continue
        d = material_demand(
            intensities=intensities,
            use_types=USE_TYPES,
            use_type_idx=projects.use_type_idx[sel],
            year=mi_year[sel],
            floor_area_m2=projects.floor_area_m2[sel],
            municipality_idx=projects.municipality_idx[sel],
            n_municipalities=grid.n_municipalities,
            start_year=int(mi_year[sel].min()),
            end_year=int(mi_year[sel].max()),
            materials=mi_mats,
            share_by_material=share,
        )
        out[yi, :, : len(mi_mats)] = d.sum(axis=0)
    return out


def _renovation_kg(
    stock: StockArrays,
    mass_kg: FloatArray,
    intensities: IntensityTable,
    *,
    weibull: tuple[FloatArray, FloatArray],
    params: ScenarioParams,
    grid: _Grid,
) -> tuple[FloatArray, FloatArray]:
    """(release R, demand Q) of the planned renovations, each [year, municipality, material].

    Release: mass x renovation share in the renovation year; demand: floor area x intensity
    of the (clamped) renovation year x the same share.
    """
    sel = _renovating(stock)
    if not np.any(sel):
        return np.zeros(grid.shape), np.zeros(grid.shape)
    share = renovation_share(grid.materials)
    year = stock.planned_renovation_year[sel]
    release = release_by_municipality(
        municipality_idx=stock.municipality_idx[sel],
        n_municipalities=grid.n_municipalities,
        use_type_idx=stock.use_type_idx[sel],
        construction_year=stock.construction_year[sel],
        mass_kg=mass_kg[sel] * share[None, :],
        weibull_shape=weibull[0],
        weibull_scale_years=weibull[1],
        start_year=params.start_year,
        end_year=params.end_year,
        planned_demolition_year=year,
    )
    projects = _Projects(
        use_type_idx=stock.use_type_idx[sel],
        year=year,
        floor_area_m2=stock.floor_area_m2[sel],
        municipality_idx=stock.municipality_idx[sel],
    )
    demand = _demand(intensities, projects, grid, share=share[: len(intensities.materials)])
    return release, demand


def _programme_weights(population: FloatArray, n_mun: int, regional: Regional | None) -> FloatArray:
    """(n_mun, n_use): the regional weights per use type, else population shares."""
    pop = population.astype(float)
    by_pop = pop / pop.sum() if pop.sum() > 0 else np.full(n_mun, 1.0 / max(n_mun, 1))
    out = np.repeat(by_pop[:, None], len(USE_TYPES), axis=1)
    if regional is not None:
        w = np.asarray(regional.programme_weights, dtype=float)
        if w.shape != out.shape:
            raise ValueError("programme_weights must be (n_municipalities, n_use_types)")
        has = w.sum(axis=0) > 0
        out[:, has] = w[:, has] / w[:, has].sum(axis=0)
    return out


def _programme_demand_kg(
    intensities: IntensityTable,
    programme_m2: Mapping[str, float],
    weights: FloatArray,
    grid: _Grid,
) -> FloatArray:
    """Q[y, p, m] of the construction programme: m2 per year and use type, spread over the
    municipalities by `weights` (n_mun, n_use), at the intensity of the clamped year."""
    n_mun = grid.n_municipalities
    uses = np.arange(len(USE_TYPES))
    p_use = np.repeat(uses, n_mun)
    p_mun = np.tile(np.arange(n_mun), len(USE_TYPES))
    p_area = np.array([programme_m2.get(u, 0.0) for u in USE_TYPES])[p_use] * weights[p_mun, p_use]
    keep = p_area > 0
    years = grid.years
    if not (np.any(keep) and years.size):
        return np.zeros(grid.shape)
    n_keep = int(keep.sum())
    projects = _Projects(
        use_type_idx=np.tile(p_use[keep], years.size),
        year=np.repeat(years, n_keep),
        floor_area_m2=np.tile(p_area[keep], years.size),
        municipality_idx=np.tile(p_mun[keep], years.size),
    )
    return _demand(intensities, projects, grid)


def _stock_mass_by_municipality(stock: StockArrays, mass_kg: FloatArray) -> FloatArray:
    """Mass of the modelled buildings [municipality, material] in kg."""
    n_mun = len(stock.municipality_codes)
    out = np.zeros((n_mun, mass_kg.shape[1]))
    for m in range(mass_kg.shape[1]):
        out[:, m] = np.bincount(stock.municipality_idx, weights=mass_kg[:, m], minlength=n_mun)
    return out


def _forecast_stats(stock: StockArrays) -> dict[str, Any]:
    """Counts for the result page: buildings, passports, planned interventions, floor area."""
    return {
        "n_buildings": len(stock),
        "n_passports": len(stock.passport_kg),
        "n_planned_demolitions": int(np.count_nonzero(stock.planned_demolition_year)),
        "n_planned_renovations": int(np.count_nonzero(_renovating(stock))),
        "floor_area_m2": float(stock.floor_area_m2.sum()),
        "skipped": dict(stock.skipped),
    }


def _no_progress(pct: int, stage: str, details: Mapping[str, int]) -> None:
    return None


def forecast_scenario(
    stock: StockArrays,
    params: ScenarioParams,
    *,
    intensities: IntensityTable,
    lifetimes: LifetimeTable,
    progress: ProgressCallback | None = None,
    regional: Regional | None = None,
) -> ScenarioForecast:
    """Release (demolition + planned renovation) of the stock and demand of the construction
    programme and of the planned renovations (formulas in the module docstring).

    `regional` (optional): per-municipality lifetimes and programme of the province baseline.

    `progress(pct, stage, details)`: see PROGRESS_STAGES (default: no reports). Raises
    ValueError when the intensity table does not cover a building, KeyError when
    `lifetimes` lacks one of USE_TYPES.
    """
    report = progress or _no_progress
    details = {"n": len(stock)}
    materials = _scenario_materials(intensities, stock.passport_kg)
    grid = _Grid(
        years=np.arange(params.start_year, params.end_year + 1),
        n_municipalities=len(stock.municipality_codes),
        materials=materials,
    )
    weibull = weibull_parameters(lifetimes, params)

    report(PROGRESS_STAGES["mass"], "mass", details)
    mass = _building_mass_kg(stock, intensities, materials)
    report(PROGRESS_STAGES["survival"], "survival", details)
    demolition = _demolition_release_kg(stock, mass, weibull, params, regional)
    report(PROGRESS_STAGES["renovation"], "renovation", details)
    renovation, ren_demand = _renovation_kg(
        stock, mass, intensities, weibull=weibull, params=params, grid=grid
    )
    report(PROGRESS_STAGES["programme"], "programme", details)
    programme = _programme_demand_kg(
        intensities,
        params.programme(None if regional is None else regional.programme_m2),
        _programme_weights(stock.population, grid.n_municipalities, regional),
        grid,
    )
    return ScenarioForecast(
        years=grid.years,
        municipality_codes=stock.municipality_codes,
        materials=materials,
        demolition_kg=demolition,
        renovation_kg=renovation,
        demand_kg=programme + ren_demand,
        stock_mass_kg=_stock_mass_by_municipality(stock, mass),
        stats=_forecast_stats(stock),
    )
