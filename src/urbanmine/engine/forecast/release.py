"""The vectorised, stock-driven release model (survival curves x material intensities).

Every building's expected release follows the Forecast contract in ARCHITECTURE.md:
released(b, y) = A_b * MI_b * [S(y-1-c_b) - S(y-c_b)] / S(start-1-c_b).
The demolition fraction depends only on the building's (use type, construction year)
cohort, so we first sum mass per (municipality, cohort) with np.bincount and then contract
with the cohort x year fraction matrix (one BLAS call). That is exact, O(buildings) and keeps
memory independent of the horizon. Buildings with a planned demolition year leave the
survival model and release their whole mass in that year.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._keywords import check_keywords
from .survival import conditional_survival
from .tables import IntensityTable, LifetimeTable

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: Above this many (municipality x cohort x material) cells the aggregation switches from a
#: dense tensor to sorted groups (bounded memory for very many municipalities).
MAX_DENSE_CELLS = 40_000_000
#: Sentinel for "no planned intervention" in planned-year arrays.
NO_PLAN = 0


@dataclass(frozen=True)
class Stock:
    """The building stock as arrays (one entry per building).

    planned_*_year: 0 (NO_PLAN) where nothing is planned.
    """

    municipality_codes: tuple[str, ...]
    municipality_idx: IntArray
    use_types: tuple[str, ...]
    use_type_idx: IntArray
    construction_year: IntArray
    floor_area_m2: FloatArray
    planned_demolition_year: IntArray | None = None
    planned_renovation_year: IntArray | None = None
    ids: NDArray[np.str_] | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return int(self.construction_year.shape[0])


@dataclass(frozen=True)
class ReleaseResult:
    """Expected released mass in kg, indexed [year, municipality, material]."""

    years: IntArray
    municipality_codes: tuple[str, ...]
    materials: tuple[str, ...]
    demolition_kg: FloatArray
    renovation_kg: FloatArray
    stock_mass_kg: FloatArray  # [municipality, material]: A * MI of the buildings modelled

    @property
    def released_kg(self) -> FloatArray:
        """Demolition plus renovation releases."""
        return np.asarray(self.demolition_kg + self.renovation_kg, dtype=np.float64)

    def rows(self, *, include_renovation: bool = False) -> Iterator[tuple[int, str, str, float]]:
        """(year, municipality_code, material, released_kg), sorted by year, code, material."""
        data = self.released_kg if include_renovation else self.demolition_kg
        mun_order = sorted(
            range(len(self.municipality_codes)), key=self.municipality_codes.__getitem__
        )
        mat_order = sorted(range(len(self.materials)), key=self.materials.__getitem__)
        for yi, year in enumerate(self.years.tolist()):
            block = data[yi]
            for p in mun_order:
                code = self.municipality_codes[p]
                for m in mat_order:
                    yield year, code, self.materials[m], float(block[p, m])


def _as_int(a: ArrayLike, name: str) -> IntArray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold whole numbers")
    return np.asarray(arr, dtype=np.int64)


def _cohorts(
    use_type_idx: IntArray, construction_year: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """Compress (use type, construction year) into dense cohort ids.

    Returns (cohort id per building, use type per cohort, year per cohort).
    """
    if use_type_idx.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    c_min = int(construction_year.min())
    span = int(construction_year.max()) - c_min + 1
    key = use_type_idx * span + (construction_year - c_min)
    present = np.flatnonzero(np.bincount(key))
    remap = np.full(int(key.max()) + 1, -1, dtype=np.int64)
    remap[present] = np.arange(present.size, dtype=np.int64)
    return remap[key], present // span, present % span + c_min


class _AreaMass(NamedTuple):
    """Mass given as floor area per building (m2) x kg per m2 per cohort (n_cohorts, n_m)."""

    floor_area: FloatArray
    cohort_kg_per_m2: FloatArray


@dataclass(frozen=True)
class _Cells:
    """Buildings to sum per (municipality, cohort) cell, and the dense-layout limit."""

    mun: IntArray
    n_mun: int
    cohort: IntArray
    n_cohorts: int
    n_materials: int
    max_dense_cells: int


@dataclass(frozen=True)
class _Groups:
    """Group of each building: every (municipality, cohort) cell when dense, else the
    cells present (sorted); with the municipality and cohort of each group."""

    inv: IntArray
    n_groups: int
    g_mun: IntArray
    g_cohort: IntArray
    dense: bool


def _groups(cells: _Cells) -> _Groups:
    key = cells.mun * cells.n_cohorts + cells.cohort
    if cells.n_mun * cells.n_cohorts * max(cells.n_materials, 1) <= cells.max_dense_cells:
        return _Groups(
            inv=key,
            n_groups=cells.n_mun * cells.n_cohorts,
            g_mun=np.repeat(np.arange(cells.n_mun, dtype=np.int64), cells.n_cohorts),
            g_cohort=np.tile(np.arange(cells.n_cohorts, dtype=np.int64), cells.n_mun),
            dense=True,
        )
    uniq, inv = np.unique(key, return_inverse=True)
    return _Groups(
        inv=inv.astype(np.int64),
        n_groups=int(uniq.size),
        g_mun=uniq // cells.n_cohorts,
        g_cohort=uniq % cells.n_cohorts,
        dense=False,
    )


def _group_mass(groups: _Groups, mass: FloatArray | _AreaMass, n_materials: int) -> FloatArray:
    """Mass per group and material, (n_groups, n_materials)."""
    if isinstance(mass, _AreaMass):
        area_g = np.bincount(groups.inv, weights=mass.floor_area, minlength=groups.n_groups)
        return np.asarray(area_g[:, None] * mass.cohort_kg_per_m2[groups.g_cohort])
    mass_g = np.empty((groups.n_groups, n_materials), dtype=np.float64)
    for m in range(n_materials):
        mass_g[:, m] = np.bincount(groups.inv, weights=mass[:, m], minlength=groups.n_groups)
    return mass_g


def _spread(cells: _Cells, groups: _Groups, mass_g: FloatArray, frac: FloatArray) -> FloatArray:
    """out[y, p, m] = sum over groups g of municipality p: frac[cohort_g, y] * mass_g[g, m]."""
    if groups.dense:
        w = mass_g.reshape(cells.n_mun, cells.n_cohorts, cells.n_materials)
        out = np.einsum("ky,pkm->ypm", frac, w, optimize=True)
    else:
        out = np.zeros((frac.shape[1], cells.n_mun, cells.n_materials), dtype=np.float64)
        for yi in range(frac.shape[1]):
            f = frac[groups.g_cohort, yi]
            for m in range(cells.n_materials):
                out[yi, :, m] = np.bincount(
                    groups.g_mun, weights=f * mass_g[:, m], minlength=cells.n_mun
                )
    return np.ascontiguousarray(out, dtype=np.float64)


def _contract(
    cells: _Cells, mass: FloatArray | _AreaMass, per_year: Sequence[FloatArray]
) -> tuple[list[FloatArray], FloatArray]:
    """Sum_b frac[cohort_b, y] * mass[b, m] into [y, mun, m] for each fraction matrix.

    Mass is either per building (n_b, n_m), or floor area (n_b) times kg_per_m2 per cohort
    (n_cohorts, n_m). Returns the tensors and the mass per [mun, m].
    """
    if cells.mun.size == 0:
        return [np.zeros((f.shape[1], cells.n_mun, cells.n_materials)) for f in per_year], (
            np.zeros((cells.n_mun, cells.n_materials))
        )
    groups = _groups(cells)
    mass_g = _group_mass(groups, mass, cells.n_materials)
    stock = np.zeros((cells.n_mun, cells.n_materials), dtype=np.float64)
    for m in range(cells.n_materials):
        stock[:, m] = np.bincount(groups.g_mun, weights=mass_g[:, m], minlength=cells.n_mun)
    return [_spread(cells, groups, mass_g, frac) for frac in per_year], stock


def _planned_release(
    mun: IntArray,
    year: IntArray,
    mass: FloatArray,
    *,
    n_mun: int,
    start_year: int,
    end_year: int,
) -> FloatArray:
    """Whole given mass in the given year, summed into [year, mun, material]."""
    n_years = end_year - start_year + 1
    out = np.zeros((n_years, n_mun, mass.shape[1]), dtype=np.float64)
    inside = (year >= start_year) & (year <= end_year)
    if np.any(inside):
        key = (year[inside] - start_year) * n_mun + mun[inside]
        for m in range(mass.shape[1]):
            out[:, :, m] = np.bincount(
                key, weights=mass[inside, m], minlength=n_years * n_mun
            ).reshape(n_years, n_mun)
    return out


def _check_common(start_year: int, end_year: int, n: int, arrays: dict[str, np.ndarray]) -> None:
    if start_year > end_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    for name, arr in arrays.items():
        if arr.shape[0] != n:
            raise ValueError(f"{name} has {arr.shape[0]} entries, expected {n}")


class _ReleaseRequired(TypedDict):
    municipality_idx: ArrayLike
    n_municipalities: int
    use_type_idx: ArrayLike
    construction_year: ArrayLike
    mass_kg: ArrayLike
    weibull_shape: ArrayLike
    weibull_scale_years: ArrayLike
    start_year: int
    end_year: int


class ReleaseInputs(_ReleaseRequired, total=False):
    """The keyword arguments of `release_by_municipality` (see there); the last two optional.

    (Optional keys by totality, not `NotRequired`: with postponed annotations Python 3.11
    would count those as required at run time.)
    """

    planned_demolition_year: ArrayLike | None
    max_dense_cells: int


@dataclass(frozen=True)
class _Buildings:
    """Validated per-building arrays and per-use-type Weibull parameters."""

    mun: IntArray
    use: IntArray
    cyear: IntArray
    mass: FloatArray
    shape: FloatArray
    scale: FloatArray
    planned: IntArray | None


def _validated(inputs: ReleaseInputs) -> _Buildings:
    """Arrays of `release_by_municipality`, checked in a fixed order (first error wins)."""
    mun = _as_int(inputs["municipality_idx"], "municipality_idx")
    use = _as_int(inputs["use_type_idx"], "use_type_idx")
    cyear = _as_int(inputs["construction_year"], "construction_year")
    mass = np.asarray(inputs["mass_kg"], dtype=np.float64)
    if mass.ndim != 2:
        raise ValueError("mass_kg must be (n_buildings, n_materials)")
    n = cyear.shape[0]
    start_year = inputs["start_year"]
    _check_common(
        start_year,
        inputs["end_year"],
        n,
        {"municipality_idx": mun, "use_type_idx": use, "mass_kg": mass},
    )
    shape = np.asarray(inputs["weibull_shape"], dtype=np.float64)
    scale = np.asarray(inputs["weibull_scale_years"], dtype=np.float64)
    if np.any(~(shape > 0)) or np.any(~(scale > 0)):
        raise ValueError("Weibull shape and scale must be positive")
    if n and (mun.min() < 0 or mun.max() >= inputs["n_municipalities"]):
        raise ValueError("municipality_idx out of range")
    if n and (use.min() < 0 or use.max() >= shape.shape[0]):
        raise ValueError("use_type_idx out of range of the lifetime parameters")
    if not np.all(np.isfinite(mass)) or np.any(mass < 0):
        raise ValueError("mass_kg must be finite and non-negative")
    planned_in = inputs.get("planned_demolition_year")
    planned = None if planned_in is None else _as_int(planned_in, "planned_demolition_year")
    if planned is not None and np.any((planned != NO_PLAN) & (planned < start_year)):
        raise ValueError("planned demolition year before the start year")
    return _Buildings(mun, use, cyear, mass, shape, scale, planned)


def release_by_municipality(**inputs: Unpack[ReleaseInputs]) -> FloatArray:
    """Expected demolition release in kg, shape (n_years, n_municipalities, n_materials).

    Keyword arguments (`ReleaseInputs`): arrays are per building: municipality_idx and
    use_type_idx are 0-based indices, mass_kg is (n_buildings, n_materials) = floor area x
    intensity (or a material passport). weibull_shape / weibull_scale_years are indexed by
    use type; start_year, end_year the window. planned_demolition_year (optional): 0 = none;
    otherwise the whole mass is released in that year (must be >= start_year; years after
    end_year release nothing inside the window). max_dense_cells (optional): see
    MAX_DENSE_CELLS.
    """
    check_keywords(
        "release_by_municipality",
        inputs,
        required=ReleaseInputs.__required_keys__,
        optional=ReleaseInputs.__optional_keys__,
    )
    b = _validated(inputs)
    n_mun, start_year, end_year = (
        inputs["n_municipalities"],
        inputs["start_year"],
        inputs["end_year"],
    )
    survive = np.ones(b.cyear.shape[0], dtype=bool)
    extra = np.zeros((end_year - start_year + 1, n_mun, b.mass.shape[1]))
    if b.planned is not None:
        has_plan = b.planned != NO_PLAN
        survive = ~has_plan
        extra = _planned_release(
            b.mun[has_plan],
            b.planned[has_plan],
            b.mass[has_plan],
            n_mun=n_mun,
            start_year=start_year,
            end_year=end_year,
        )
    cohort, c_use, c_year = _cohorts(b.use[survive], b.cyear[survive])
    frac = _fractions(c_use, c_year, b.shape, b.scale, start_year=start_year, end_year=end_year)
    cells = _Cells(
        mun=b.mun[survive],
        n_mun=n_mun,
        cohort=cohort,
        n_cohorts=c_use.size,
        n_materials=b.mass.shape[1],
        max_dense_cells=inputs.get("max_dense_cells", MAX_DENSE_CELLS),
    )
    (demolition,), _ = _contract(cells, b.mass[survive], [frac])
    return np.asarray(demolition + extra, dtype=np.float64)


def _fractions(
    c_use: IntArray,
    c_year: IntArray,
    shape: FloatArray,
    scale: FloatArray,
    *,
    start_year: int,
    end_year: int,
) -> FloatArray:
    sc = conditional_survival(c_year, shape[c_use], scale[c_use], start_year, end_year)
    return np.asarray(sc[:, :-1] - sc[:, 1:], dtype=np.float64)


class ForecastOptions(TypedDict, total=False):
    """The keyword options of `forecast_release` (see there)."""

    materials: Sequence[str] | None
    renovation_rate_per_year: float
    renovation_share_by_material: ArrayLike | None
    max_dense_cells: int


@dataclass(frozen=True)
class _Model:
    """What `forecast_release` runs on once its inputs are checked."""

    stock: Stock
    row: IntArray  # intensity row per building
    kg_per_m2: FloatArray  # (n_periods, n_materials) of the chosen materials
    shape: FloatArray  # Weibull parameters per entry of stock.use_types
    scale: FloatArray
    share: FloatArray  # renovation share per material
    start_year: int
    end_year: int

    def mass_of(self, sel: NDArray[np.bool_]) -> FloatArray:
        """Floor area x intensity of the selected buildings, (n_selected, n_materials)."""
        s = self.stock
        return np.asarray(
            s.floor_area_m2[sel][:, None] * self.kg_per_m2[self.row[sel]], dtype=np.float64
        )

    def planned(self, year: IntArray, sel: NDArray[np.bool_], mass: FloatArray) -> FloatArray:
        """Whole `mass` of the selected buildings in their `year`, [year, mun, material]."""
        return _planned_release(
            self.stock.municipality_idx[sel],
            year[sel],
            mass,
            n_mun=len(self.stock.municipality_codes),
            start_year=self.start_year,
            end_year=self.end_year,
        )


def _lifetime_arrays(stock: Stock, lifetimes: LifetimeTable) -> tuple[FloatArray, FloatArray]:
    """Weibull (shape, scale) per entry of stock.use_types; ValueError if a used one is missing."""
    lt_pos = {u: i for i, u in enumerate(lifetimes.use_types)}
    missing = [u for u in stock.use_types if u not in lt_pos]
    used = np.unique(stock.use_type_idx) if len(stock) else np.zeros(0, dtype=np.int64)
    if any(stock.use_types[i] in missing for i in used.tolist()):
        raise ValueError(f"no lifetime for use types {missing}")
    shape = np.array(
        [lifetimes.weibull_shape[lt_pos[u]] if u in lt_pos else 1.0 for u in stock.use_types]
    )
    scale = np.array(
        [lifetimes.weibull_scale_years[lt_pos[u]] if u in lt_pos else 1.0 for u in stock.use_types]
    )
    return shape, scale


def _intensity_rows(stock: Stock, intensities: IntensityTable) -> IntArray:
    """Intensity row per building; ValueError naming the first building not covered."""
    row = intensities.row_index(stock.use_types, stock.use_type_idx, stock.construction_year)
    if np.any(row < 0):
        b = int(np.flatnonzero(row < 0)[0])
        raise ValueError(
            f"no intensity covers use type {stock.use_types[stock.use_type_idx[b]]!r} "
            f"built {int(stock.construction_year[b])} (building {b})"
        )
    return row


def _survival_release(
    model: _Model, survive: NDArray[np.bool_], rate: float, max_dense_cells: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(demolition, expected renovation at `rate`, stock mass) of the surviving buildings."""
    stock = model.stock
    cohort, c_use, c_year = _cohorts(stock.use_type_idx[survive], stock.construction_year[survive])
    n_mats = model.kg_per_m2.shape[1]
    # Every building of one cohort shares one intensity row: take it from any member.
    first = np.zeros(c_use.size, dtype=np.int64)
    first[cohort[::-1]] = np.arange(cohort.size - 1, -1, -1)
    cohort_kg = model.kg_per_m2[model.row[survive][first]] if c_use.size else np.zeros((0, n_mats))
    sc = conditional_survival(
        c_year, model.shape[c_use], model.scale[c_use], model.start_year, model.end_year
    )
    frac = np.asarray(sc[:, :-1] - sc[:, 1:], dtype=np.float64)
    per_year = [frac]
    if rate:
        per_year.append(np.asarray(sc[:, :-1] * rate, dtype=np.float64))
    cells = _Cells(
        mun=stock.municipality_idx[survive],
        n_mun=len(stock.municipality_codes),
        cohort=cohort,
        n_cohorts=c_use.size,
        n_materials=n_mats,
        max_dense_cells=max_dense_cells,
    )
    outs, stock_mass = _contract(
        cells, _AreaMass(stock.floor_area_m2[survive], cohort_kg), per_year
    )
    demolition = outs[0]
    renovation = outs[1] * model.share[None, None, :] if rate else np.zeros_like(demolition)
    return demolition, renovation, stock_mass


def forecast_release(
    stock: Stock,
    intensities: IntensityTable,
    lifetimes: LifetimeTable,
    start_year: int,
    end_year: int,
    **options: Unpack[ForecastOptions],
) -> ReleaseResult:
    """Release per year x municipality x material for a stock, from floor area x intensity.

    Demolition follows the contract (survival model, or the planned demolition year).
    Renovation (reported separately, not part of RELEASE.csv): each planned renovation
    releases mass x renovation_share in its year; in addition an expected
    `renovation_rate_per_year` of the standing stock renovates every year.
    Options (`ForecastOptions`, keyword only): materials (default: the table's),
    renovation_rate_per_year (0.0), renovation_share_by_material (None = 0 for every
    material), max_dense_cells (MAX_DENSE_CELLS).
    Raises ValueError if a building's use type has no lifetime or no intensity row covers it.
    """
    check_keywords(
        "forecast_release", options, required=(), optional=ForecastOptions.__optional_keys__
    )
    if start_year > end_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    materials = options.get("materials")
    mats = tuple(intensities.materials if materials is None else materials)
    mat_idx = intensities.material_index(mats)
    shape, scale = _lifetime_arrays(stock, lifetimes)
    row = _intensity_rows(stock, intensities)
    share_in = options.get("renovation_share_by_material")
    share = np.zeros(len(mats)) if share_in is None else np.asarray(share_in, dtype=np.float64)
    planned = stock.planned_demolition_year
    survive = np.ones(len(stock), dtype=bool) if planned is None else planned == NO_PLAN
    if planned is not None and np.any(~survive & (planned < start_year)):
        raise ValueError("planned demolition year before the start year")
    model = _Model(
        stock, row, intensities.kg_per_m2[:, mat_idx], shape, scale, share, start_year, end_year
    )
    demolition, renovation, stock_mass = _survival_release(
        model,
        survive,
        options.get("renovation_rate_per_year", 0.0),
        options.get("max_dense_cells", MAX_DENSE_CELLS),
    )
    if planned is not None and np.any(~survive):
        _add_planned_demolitions(model, ~survive, demolition, stock_mass)
    _add_planned_renovations(model, renovation)
    assert demolition.shape == (end_year - start_year + 1, len(stock.municipality_codes), len(mats))
    return ReleaseResult(
        years=np.arange(start_year, end_year + 1, dtype=np.int64),
        municipality_codes=stock.municipality_codes,
        materials=mats,
        demolition_kg=demolition,
        renovation_kg=renovation,
        stock_mass_kg=stock_mass,
    )


def _add_planned_demolitions(
    model: _Model, sel: NDArray[np.bool_], demolition: FloatArray, stock_mass: FloatArray
) -> None:
    """Whole mass of the buildings in `sel` in their planned year; their mass joins the stock."""
    stock = model.stock
    assert stock.planned_demolition_year is not None
    mass = model.mass_of(sel)
    demolition += model.planned(stock.planned_demolition_year, sel, mass)
    n_mun = len(stock.municipality_codes)
    for m in range(mass.shape[1]):
        stock_mass[:, m] += np.bincount(
            stock.municipality_idx[sel], weights=mass[:, m], minlength=n_mun
        )


def _add_planned_renovations(model: _Model, renovation: FloatArray) -> None:
    """Mass x renovation share in each planned renovation year (not after a demolition)."""
    renov = model.stock.planned_renovation_year
    if renov is None or not np.any(renov != NO_PLAN):
        return
    planned = model.stock.planned_demolition_year
    sel = renov != NO_PLAN
    if planned is not None:  # a building demolished first is not renovated afterwards
        sel &= (planned == NO_PLAN) | (renov < planned)
    renovation += model.planned(renov, sel, model.mass_of(sel) * model.share[None, :])
