"""Plain lookup tables the model runs on: material intensities, lifetimes, renovation layers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: The platform's use-type vocabulary (MIR-DB function in brackets): house (RS), apartment
#: (RM), and the non-residential (NR) types.
USE_TYPES: tuple[str, ...] = (
    "house",
    "apartment",
    "office",
    "retail",
    "education",
    "healthcare",
    "industrial",
    "other",
)


@dataclass(frozen=True)
class IntensityTable:
    """kg per m2 floor area by (use type, construction period) x material.

    Row p covers use type `use_types[period_use_type_idx[p]]` for construction years
    period_start[p] ..= period_end[p]; periods of one use type do not overlap. A material
    missing from a period in the source file is 0 kg/m2.
    """

    use_types: tuple[str, ...]
    materials: tuple[str, ...]
    period_use_type_idx: IntArray
    period_start: IntArray
    period_end: IntArray
    kg_per_m2: FloatArray  # (n_periods, n_materials)

    def __post_init__(self) -> None:
        n = len(self.period_start)
        if self.kg_per_m2.shape != (n, len(self.materials)):
            raise ValueError("kg_per_m2 must have shape (n_periods, n_materials)")
        if len(self.period_end) != n or len(self.period_use_type_idx) != n:
            raise ValueError("period arrays must have equal length")

    def row_index(
        self, use_types: Sequence[str], use_type_idx: ArrayLike, year: ArrayLike
    ) -> IntArray:
        """Period row for each (use type, year); -1 where no row covers it.

        `use_type_idx` indexes the caller's `use_types` list (mapped here by name).
        """
        u = np.asarray(use_type_idx, dtype=np.int64)
        y = np.asarray(year, dtype=np.int64)
        out = np.full(u.shape, -1, dtype=np.int64)
        own = {name: i for i, name in enumerate(self.use_types)}
        for caller_idx, name in enumerate(use_types):
            mi_idx = own.get(name)
            if mi_idx is None:
                continue
            rows = np.flatnonzero(self.period_use_type_idx == mi_idx)
            if rows.size == 0:
                continue
            rows = rows[np.argsort(self.period_start[rows], kind="stable")]
            sel = np.flatnonzero(u == caller_idx)
            if sel.size == 0:
                continue
            ys = y[sel]
            pos = np.searchsorted(self.period_start[rows], ys, side="right") - 1
            ok = pos >= 0
            cand = rows[np.where(ok, pos, 0)]
            ok &= ys <= self.period_end[cand]
            out[sel[ok]] = cand[ok]
        return out

    def material_index(self, materials: Sequence[str]) -> IntArray:
        """Positions of `materials` in this table (KeyError if absent)."""
        own = {m: i for i, m in enumerate(self.materials)}
        return np.array([own[m] for m in materials], dtype=np.int64)


@dataclass(frozen=True)
class LifetimeTable:
    """Weibull lifetime parameters per use type (shape dimensionless, scale in years)."""

    use_types: tuple[str, ...]
    weibull_shape: FloatArray
    weibull_scale_years: FloatArray

    def __post_init__(self) -> None:
        if not (len(self.use_types) == len(self.weibull_shape) == len(self.weibull_scale_years)):
            raise ValueError("lifetime arrays must have one entry per use type")
        if np.any(~(self.weibull_shape > 0)) or np.any(~(self.weibull_scale_years > 0)):
            raise ValueError("Weibull shape and scale must be positive and finite")

    @classmethod
    def from_mapping(cls, params: Mapping[str, tuple[float, float]]) -> LifetimeTable:
        """From {use_type: (shape, scale_years)}."""
        names = tuple(params)
        return cls(
            names,
            np.array([params[n][0] for n in names], dtype=np.float64),
            np.array([params[n][1] for n in names], dtype=np.float64),
        )


#: Share of each material's mass sitting in the skin (facade, roof, windows) and the
#: space-plan (partitions, finishes, interior doors) layers in Brand's shearing-layers sense.
#: ESTIMATES (no Dutch source tabulates this per material): structural materials lie mostly in
#: the structure layer; glass, aluminium frames and roof gravel mostly in the skin; gypsum
#: boards in the space plan. A renovation replaces these layers, so releases and demands them.
LAYER_SHARES: dict[str, tuple[float, float]] = {
    "concrete": (0.05, 0.05),
    "brick": (0.50, 0.20),
    "steel": (0.05, 0.05),
    "wood": (0.30, 0.30),
    "glass": (0.90, 0.10),
    "aggregates": (0.80, 0.00),
    "mortar_plaster": (0.20, 0.50),
    "plaster_board_gypsum": (0.00, 1.00),
    "aluminum": (0.70, 0.10),
    "plastics": (0.40, 0.30),
}
DEFAULT_LAYER_SHARE: tuple[float, float] = (0.10, 0.10)


def renovation_share(
    materials: Sequence[str],
    *,
    skin_replaced: float = 1.0,
    space_plan_replaced: float = 1.0,
    layer_shares: Mapping[str, tuple[float, float]] | None = None,
) -> FloatArray:
    """Share of each material's mass one renovation releases (and demands anew).

    skin_replaced / space_plan_replaced: the fraction of each layer the renovation replaces.
    """
    if not (0.0 <= skin_replaced <= 1.0 and 0.0 <= space_plan_replaced <= 1.0):
        raise ValueError("replaced fractions must lie in [0, 1]")
    shares = LAYER_SHARES if layer_shares is None else layer_shares
    out = np.empty(len(materials), dtype=np.float64)
    for i, m in enumerate(materials):
        skin, space = shares.get(m, DEFAULT_LAYER_SHARE)
        out[i] = skin * skin_replaced + space * space_plan_replaced
    return out
