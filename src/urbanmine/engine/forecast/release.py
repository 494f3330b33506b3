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

import numpy as np
from numpy.typing import ArrayLike, NDArray

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


def _contract(
    mun: IntArray,
    n_mun: int,
    cohort: IntArray,
    n_cohorts: int,
    weights: FloatArray | None,
    cohort_kg_per_m2: FloatArray | None,
    floor_area: FloatArray | None,
    per_year: Sequence[FloatArray],
    n_materials: int,
    max_dense_cells: int,
) -> tuple[list[FloatArray], FloatArray]:
    """Sum_b frac[cohort_b, y] * mass[b, m] into [y, mun, m] for each fraction matrix.

    Mass is either `weights` (n_b, n_m) per building, or floor_area (n_b) times
    cohort_kg_per_m2 (n_cohorts, n_m). Returns the tensors and the mass per [mun, m].
    """
    n_years = [f.shape[1] for f in per_year]
    if mun.size == 0:
        return [np.zeros((ny, n_mun, n_materials)) for ny in n_years], np.zeros(
            (n_mun, n_materials)
        )
    key = mun * n_cohorts + cohort
    dense = n_mun * n_cohorts * max(n_materials, 1) <= max_dense_cells
    if dense:
        inv, n_groups = key, n_mun * n_cohorts
        g_mun = np.repeat(np.arange(n_mun, dtype=np.int64), n_cohorts)
        g_cohort = np.tile(np.arange(n_cohorts, dtype=np.int64), n_mun)
    else:
        uniq, inv_ = np.unique(key, return_inverse=True)
        inv, n_groups = inv_.astype(np.int64), int(uniq.size)
        g_mun, g_cohort = uniq // n_cohorts, uniq % n_cohorts
    if weights is not None:
        mass_g = np.empty((n_groups, n_materials), dtype=np.float64)
        for m in range(n_materials):
            mass_g[:, m] = np.bincount(inv, weights=weights[:, m], minlength=n_groups)
    else:
        assert floor_area is not None and cohort_kg_per_m2 is not None
        area_g = np.bincount(inv, weights=floor_area, minlength=n_groups)
        mass_g = area_g[:, None] * cohort_kg_per_m2[g_cohort]
    stock = np.zeros((n_mun, n_materials), dtype=np.float64)
    for m in range(n_materials):
        stock[:, m] = np.bincount(g_mun, weights=mass_g[:, m], minlength=n_mun)
    outs: list[FloatArray] = []
    for frac in per_year:
        if dense:
            w = mass_g.reshape(n_mun, n_cohorts, n_materials)
            out = np.einsum("ky,pkm->ypm", frac, w, optimize=True)
        else:
            out = np.zeros((frac.shape[1], n_mun, n_materials), dtype=np.float64)
            for yi in range(frac.shape[1]):
                f = frac[g_cohort, yi]
                for m in range(n_materials):
                    out[yi, :, m] = np.bincount(g_mun, weights=f * mass_g[:, m], minlength=n_mun)
        outs.append(np.ascontiguousarray(out, dtype=np.float64))
    return outs, stock


def _planned_release(
    mun: IntArray,
    n_mun: int,
    year: IntArray,
    mass: FloatArray,
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


def release_by_municipality(
    *,
    municipality_idx: ArrayLike,
    n_municipalities: int,
    use_type_idx: ArrayLike,
    construction_year: ArrayLike,
    mass_kg: ArrayLike,
    weibull_shape: ArrayLike,
    weibull_scale_years: ArrayLike,
    start_year: int,
    end_year: int,
    planned_demolition_year: ArrayLike | None = None,
    max_dense_cells: int = MAX_DENSE_CELLS,
) -> FloatArray:
    """Expected demolition release in kg, shape (n_years, n_municipalities, n_materials).

    Arrays are per building: municipality_idx and use_type_idx are 0-based indices,
    mass_kg is (n_buildings, n_materials) = floor area x intensity (or a material passport).
    weibull_shape / weibull_scale_years are indexed by use type. planned_demolition_year:
    0 = none; otherwise the whole mass is released in that year (must be >= start_year;
    years after end_year release nothing inside the window).
    """
    mun = _as_int(municipality_idx, "municipality_idx")
    use = _as_int(use_type_idx, "use_type_idx")
    cyear = _as_int(construction_year, "construction_year")
    mass = np.asarray(mass_kg, dtype=np.float64)
    if mass.ndim != 2:
        raise ValueError("mass_kg must be (n_buildings, n_materials)")
    n = cyear.shape[0]
    _check_common(
        start_year, end_year, n, {"municipality_idx": mun, "use_type_idx": use, "mass_kg": mass}
    )
    shape = np.asarray(weibull_shape, dtype=np.float64)
    scale = np.asarray(weibull_scale_years, dtype=np.float64)
    if np.any(~(shape > 0)) or np.any(~(scale > 0)):
        raise ValueError("Weibull shape and scale must be positive")
    if n and (mun.min() < 0 or mun.max() >= n_municipalities):
        raise ValueError("municipality_idx out of range")
    if n and (use.min() < 0 or use.max() >= shape.shape[0]):
        raise ValueError("use_type_idx out of range of the lifetime parameters")
    if not np.all(np.isfinite(mass)) or np.any(mass < 0):
        raise ValueError("mass_kg must be finite and non-negative")
    planned = (
        None
        if planned_demolition_year is None
        else _as_int(planned_demolition_year, "planned_demolition_year")
    )
    survive = np.ones(n, dtype=bool)
    extra = np.zeros((end_year - start_year + 1, n_municipalities, mass.shape[1]))
    if planned is not None:
        has_plan = planned != NO_PLAN
        if np.any(has_plan & (planned < start_year)):
            raise ValueError("planned demolition year before the start year")
        survive = ~has_plan
        extra = _planned_release(
            mun[has_plan], n_municipalities, planned[has_plan], mass[has_plan], start_year, end_year
        )
    cohort, c_use, c_year = _cohorts(use[survive], cyear[survive])
    frac = _fractions(c_use, c_year, shape, scale, start_year, end_year)
    (demolition,), _ = _contract(
        mun[survive],
        n_municipalities,
        cohort,
        c_use.size,
        mass[survive],
        None,
        None,
        [frac],
        mass.shape[1],
        max_dense_cells,
    )
    return np.asarray(demolition + extra, dtype=np.float64)


def _fractions(
    c_use: IntArray,
    c_year: IntArray,
    shape: FloatArray,
    scale: FloatArray,
    start_year: int,
    end_year: int,
) -> FloatArray:
    sc = conditional_survival(c_year, shape[c_use], scale[c_use], start_year, end_year)
    return np.asarray(sc[:, :-1] - sc[:, 1:], dtype=np.float64)


def forecast_release(
    stock: Stock,
    intensities: IntensityTable,
    lifetimes: LifetimeTable,
    start_year: int,
    end_year: int,
    *,
    materials: Sequence[str] | None = None,
    renovation_rate_per_year: float = 0.0,
    renovation_share_by_material: ArrayLike | None = None,
    max_dense_cells: int = MAX_DENSE_CELLS,
) -> ReleaseResult:
    """Release per year x municipality x material for a stock, from floor area x intensity.

    Demolition follows the contract (survival model, or the planned demolition year).
    Renovation (reported separately, not part of RELEASE.csv): each planned renovation
    releases mass x renovation_share in its year; in addition an expected
    `renovation_rate_per_year` of the standing stock renovates every year.
    Raises ValueError if a building's use type has no lifetime or no intensity row covers it.
    """
    if start_year > end_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    mats = tuple(intensities.materials if materials is None else materials)
    mat_idx = intensities.material_index(mats)
    n_mun = len(stock.municipality_codes)
    n_years = end_year - start_year + 1
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
    row = intensities.row_index(stock.use_types, stock.use_type_idx, stock.construction_year)
    if np.any(row < 0):
        b = int(np.flatnonzero(row < 0)[0])
        raise ValueError(
            f"no intensity covers use type {stock.use_types[stock.use_type_idx[b]]!r} "
            f"built {int(stock.construction_year[b])} (building {b})"
        )
    kg_per_m2 = intensities.kg_per_m2[:, mat_idx]
    share = (
        np.zeros(len(mats))
        if renovation_share_by_material is None
        else np.asarray(renovation_share_by_material, dtype=np.float64)
    )
    n = len(stock)
    planned = stock.planned_demolition_year
    survive = np.ones(n, dtype=bool) if planned is None else planned == NO_PLAN
    if planned is not None and np.any(~survive & (planned < start_year)):
        raise ValueError("planned demolition year before the start year")

    cohort, c_use, c_year = _cohorts(stock.use_type_idx[survive], stock.construction_year[survive])
    # Every building of one cohort shares one intensity row: take it from any member.
    first = np.zeros(c_use.size, dtype=np.int64)
    first[cohort[::-1]] = np.arange(cohort.size - 1, -1, -1)
    cohort_kg = kg_per_m2[row[survive][first]] if c_use.size else np.zeros((0, len(mats)))
    sc = conditional_survival(c_year, shape[c_use], scale[c_use], start_year, end_year)
    frac = np.asarray(sc[:, :-1] - sc[:, 1:], dtype=np.float64)
    per_year = [frac]
    if renovation_rate_per_year:
        per_year.append(np.asarray(sc[:, :-1] * renovation_rate_per_year, dtype=np.float64))
    outs, stock_mass = _contract(
        stock.municipality_idx[survive],
        n_mun,
        cohort,
        c_use.size,
        None,
        cohort_kg,
        stock.floor_area_m2[survive],
        per_year,
        len(mats),
        max_dense_cells,
    )
    demolition = outs[0]
    renovation = (
        outs[1] * share[None, None, :] if renovation_rate_per_year else np.zeros_like(demolition)
    )

    def mass_of(sel: NDArray[np.bool_]) -> FloatArray:
        return np.asarray(stock.floor_area_m2[sel][:, None] * kg_per_m2[row[sel]], dtype=np.float64)

    if planned is not None and np.any(~survive):
        sel = ~survive
        mass = mass_of(sel)
        demolition += _planned_release(
            stock.municipality_idx[sel], n_mun, planned[sel], mass, start_year, end_year
        )
        for m in range(len(mats)):
            stock_mass[:, m] += np.bincount(
                stock.municipality_idx[sel], weights=mass[:, m], minlength=n_mun
            )
    renov = stock.planned_renovation_year
    if renov is not None and np.any(renov != NO_PLAN):
        sel = renov != NO_PLAN
        if planned is not None:  # a building demolished first is not renovated afterwards
            sel &= (planned == NO_PLAN) | (renov < planned)
        mass = mass_of(sel) * share[None, :]
        renovation += _planned_release(
            stock.municipality_idx[sel], n_mun, renov[sel], mass, start_year, end_year
        )
    assert demolition.shape == (n_years, n_mun, len(mats))
    return ReleaseResult(
        years=np.arange(start_year, end_year + 1, dtype=np.int64),
        municipality_codes=stock.municipality_codes,
        materials=mats,
        demolition_kg=demolition,
        renovation_kg=renovation,
        stock_mass_kg=stock_mass,
    )
