"""Material demand of planned construction and renovation: floor area x intensity.

New construction demands the intensity of its own construction year and use type (the
MI table read as "what a building of that year is made of"). A renovation demands anew
what it releases: the skin and space-plan share of the building's mass, at the
intensity of the renovation year (today's build-up replaces the old layers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .tables import IntensityTable

FloatArray = NDArray[np.float64]


def material_demand(
    *,
    intensities: IntensityTable,
    use_types: Sequence[str],
    use_type_idx: ArrayLike,
    year: ArrayLike,
    floor_area_m2: ArrayLike,
    municipality_idx: ArrayLike,
    n_municipalities: int,
    start_year: int,
    end_year: int,
    materials: Sequence[str] | None = None,
    share_by_material: ArrayLike | None = None,
) -> FloatArray:
    """Demand in kg, shape (n_years, n_municipalities, n_materials), for years start..end.

    One entry per project: use type (index into `use_types`), year of construction or
    renovation, floor area (m2) and municipality index. `share_by_material` scales the mass
    (use `renovation_share(...)` for renovations; None = new construction, share 1).
    Projects outside start..end are ignored. Raises ValueError when no intensity row covers
    a project's use type and year, or on negative / non-finite floor area.
    """
    if start_year > end_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    mats = tuple(intensities.materials if materials is None else materials)
    mat_idx = intensities.material_index(mats)
    u = np.asarray(use_type_idx, dtype=np.int64)
    y = np.asarray(year, dtype=np.int64)
    area = np.asarray(floor_area_m2, dtype=np.float64)
    mun = np.asarray(municipality_idx, dtype=np.int64)
    if not (u.shape == y.shape == area.shape == mun.shape):
        raise ValueError("project arrays must have equal length")
    if not np.all(np.isfinite(area)) or np.any(area < 0):
        raise ValueError("floor_area_m2 must be finite and non-negative")
    if mun.size and (mun.min() < 0 or mun.max() >= n_municipalities):
        raise ValueError("municipality_idx out of range")
    n_years = end_year - start_year + 1
    out = np.zeros((n_years, n_municipalities, len(mats)), dtype=np.float64)
    inside = (y >= start_year) & (y <= end_year)
    if not np.any(inside):
        return out
    row = intensities.row_index(use_types, u[inside], y[inside])
    if np.any(row < 0):
        b = int(np.flatnonzero(inside)[np.flatnonzero(row < 0)[0]])
        raise ValueError(
            f"no intensity covers use type {use_types[u[b]]!r} in year {int(y[b])} (project {b})"
        )
    share = (
        np.ones(len(mats))
        if share_by_material is None
        else np.asarray(share_by_material, dtype=np.float64)
    )
    mass = area[inside][:, None] * intensities.kg_per_m2[row][:, mat_idx] * share[None, :]
    key = (y[inside] - start_year) * n_municipalities + mun[inside]
    for m in range(len(mats)):
        out[:, :, m] = np.bincount(
            key, weights=mass[:, m], minlength=n_years * n_municipalities
        ).reshape(n_years, n_municipalities)
    return out
