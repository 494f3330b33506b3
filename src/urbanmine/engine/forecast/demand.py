"""Material demand of planned construction and renovation: floor area x intensity.

New construction demands the intensity of its own construction year and use type (the
MI table read as "what a building of that year is made of"). A renovation demands anew
what it releases: the skin and space-plan share of the building's mass, at the
intensity of the renovation year (today's build-up replaces the old layers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict, Unpack

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._keywords import check_keywords
from .tables import IntensityTable

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class _DemandRequired(TypedDict):
    intensities: IntensityTable
    use_types: Sequence[str]
    use_type_idx: ArrayLike
    year: ArrayLike
    floor_area_m2: ArrayLike
    municipality_idx: ArrayLike
    n_municipalities: int
    start_year: int
    end_year: int


class DemandInputs(_DemandRequired, total=False):
    """The keyword arguments of `material_demand` (see there); the last two optional."""

    materials: Sequence[str] | None
    share_by_material: ArrayLike | None


def _projects(inputs: DemandInputs) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """(use type, year, floor area, municipality) per project, checked."""
    u = np.asarray(inputs["use_type_idx"], dtype=np.int64)
    y = np.asarray(inputs["year"], dtype=np.int64)
    area = np.asarray(inputs["floor_area_m2"], dtype=np.float64)
    mun = np.asarray(inputs["municipality_idx"], dtype=np.int64)
    if not (u.shape == y.shape == area.shape == mun.shape):
        raise ValueError("project arrays must have equal length")
    if not np.all(np.isfinite(area)) or np.any(area < 0):
        raise ValueError("floor_area_m2 must be finite and non-negative")
    if mun.size and (mun.min() < 0 or mun.max() >= inputs["n_municipalities"]):
        raise ValueError("municipality_idx out of range")
    return u, y, area, mun


def material_demand(**inputs: Unpack[DemandInputs]) -> FloatArray:
    """Demand in kg, shape (n_years, n_municipalities, n_materials), for years start..end.

    Keyword arguments (`DemandInputs`): the intensity table; one entry per project: use
    type (index into `use_types`), year of construction or renovation, floor area (m2) and
    municipality index; n_municipalities, start_year, end_year; optionally `materials`
    (default: the table's) and `share_by_material`, which scales the mass (use
    `renovation_share(...)` for renovations; None = new construction, share 1).
    Projects outside start..end are ignored. Raises ValueError when no intensity row covers
    a project's use type and year, or on negative / non-finite floor area.
    """
    check_keywords(
        "material_demand",
        inputs,
        required=DemandInputs.__required_keys__,
        optional=DemandInputs.__optional_keys__,
    )
    intensities, use_types = inputs["intensities"], inputs["use_types"]
    start_year, end_year = inputs["start_year"], inputs["end_year"]
    n_municipalities = inputs["n_municipalities"]
    if start_year > end_year:
        raise ValueError(f"start year {start_year} is after end year {end_year}")
    materials = inputs.get("materials")
    mats = tuple(intensities.materials if materials is None else materials)
    mat_idx = intensities.material_index(mats)
    u, y, area, mun = _projects(inputs)
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
    share_in = inputs.get("share_by_material")
    share = np.ones(len(mats)) if share_in is None else np.asarray(share_in, dtype=np.float64)
    mass = area[inside][:, None] * intensities.kg_per_m2[row][:, mat_idx] * share[None, :]
    key = (y[inside] - start_year) * n_municipalities + mun[inside]
    for m in range(len(mats)):
        out[:, :, m] = np.bincount(
            key, weights=mass[:, m], minlength=n_years * n_municipalities
        ).reshape(n_years, n_municipalities)
    return out
