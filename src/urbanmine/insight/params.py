"""Scenario parameters: what the province may change, with documented defaults.

Stored as JSON on `Scenario.params`; read through `ScenarioParams` so every consumer sees
the same defaults and validation. Keys (all optional):

- ``start_year``, ``end_year``: the forecast window (default 2025–2050).
- ``reuse_share``: share of the released mass with reuse potential (default 0.35, the
  Metabolic 2024 figure for Zuid-Holland).
- ``lifetimes``: ``{use_type: {"shape": k, "scale_years": λ}}`` overrides of the calibrated
  Weibull parameters in ``data/lifetimes.csv`` (either key may be left out).
- ``programme_m2``: ``{use_type: m² gross floor area built per year}`` — the construction
  programme that drives demand (default `DEFAULT_PROGRAMME_M2`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from urbanmine.engine.forecast import USE_TYPES

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
    start_year: int = DEFAULT_START_YEAR
    end_year: int = DEFAULT_END_YEAR
    reuse_share: float = DEFAULT_REUSE_SHARE
    lifetimes: dict[str, dict[str, float]] = field(default_factory=dict)
    programme_m2: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PROGRAMME_M2))

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
        programme = dict(DEFAULT_PROGRAMME_M2)
        for use, m2 in (data.get("programme_m2") or {}).items():
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
