"""The numbers of the ambition and tender tool (issue #17): pure Python, no Django.

- `tightening_violations`: a project ambition may only tighten the area ambition it
  inherits (higher percentages, a better (lower) R-level, a higher detachability score).
- `realistic_targets`: what share of an asset's mass is realistically harvestable, per
  product group: harvestable share of the group (reference table) × (1 − hazard exclusion
  for the construction period), summed by mass.
- `rank_bids`: the EMVI/BPKV way. The *assessed price* of a bid is its price minus the
  fictitious discount (discount per tonne × tonnes harvested) minus the quality bonus
  (points × euros per point); the lowest assessed price wins.
- `break_even_discount`: the discount per tonne at which two bids assess equal,
  d* = (P_circular − P_cheap) / (T_circular − T_cheap).
- `realisation`: from a history of lot events, the harvest percentage reached, the
  resale time (days from harvest to sale or application) and the R-levels.

Masses in kg, prices in euros, percentages 0–100.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

__all__ = [
    "AmbitionTargets",
    "Bid",
    "BidResult",
    "Criteria",
    "GroupPotential",
    "HazardRule",
    "LotHistory",
    "Realisation",
    "break_even_discount",
    "gap",
    "rank_bids",
    "realisation",
    "realistic_targets",
    "tightening_violations",
]

#: R-levels, best first (R0 refuse … R9 recover): a *lower* number is more circular.
R_LEVELS = tuple(f"R{i}" for i in range(10))


def r_rank(level: str) -> int:
    """R3 -> 3; an empty level ranks below the ladder (10)."""
    return R_LEVELS.index(level) if level in R_LEVELS else len(R_LEVELS)


# ------------------------------------------------------------------------------ ambitions
@dataclass(frozen=True)
class AmbitionTargets:
    """One ambition's targets. None: no target set (nothing to inherit or tighten)."""

    harvest_pct: float | None = None
    secondary_pct: float | None = None
    min_r_level: str = ""
    detachability_score: float | None = None
    co2_reduction_pct: float | None = None
    group_harvest_pct: Mapping[str, float] = field(default_factory=dict)


#: the percentage-like targets: a project's value must be >= the area's
_AT_LEAST = ("harvest_pct", "secondary_pct", "detachability_score", "co2_reduction_pct")


def tightening_violations(area: AmbitionTargets, project: AmbitionTargets) -> list[str]:
    """The fields in which `project` is looser than the `area` it inherits: a missing value
    where the area sets one, a lower percentage or score, a worse (higher) R-level, a lower
    harvest percentage for a product group the area names. Group fields are named
    `group_harvest_pct:<code>`."""
    wrong: list[str] = []
    for name in _AT_LEAST:
        need = getattr(area, name)
        have = getattr(project, name)
        if need is not None and (have is None or have < need):
            wrong.append(name)
    if area.min_r_level and (
        not project.min_r_level or r_rank(project.min_r_level) > r_rank(area.min_r_level)
    ):
        wrong.append("min_r_level")
    for code, need in sorted(area.group_harvest_pct.items()):
        have = project.group_harvest_pct.get(code)
        if have is None or have < need:
            wrong.append(f"group_harvest_pct:{code}")
    return wrong


# ------------------------------------------------------------------ realistic targets
@dataclass(frozen=True)
class HazardRule:
    """Part of a group's mass that cannot be harvested for reuse in buildings of a period
    (asbestos before 1994, chromium-6 paint on steel before 1990, ...)."""

    product_group: str  # a code, or "*" for every group
    built_before: int  # applies to construction years < this
    excluded_share: float  # 0..1 of the group's mass
    substance: str


@dataclass(frozen=True)
class GroupPotential:
    product_group: str
    mass_kg: float
    harvestable_share: float  # reference share, before hazards
    hazard_share: float  # excluded for hazards
    substances: tuple[str, ...]

    @property
    def realistic_share(self) -> float:
        return self.harvestable_share * (1.0 - self.hazard_share)

    @property
    def realistic_kg(self) -> float:
        return self.mass_kg * self.realistic_share


def realistic_targets(
    masses_kg: Mapping[str, float],
    harvestable_share: Mapping[str, float],
    hazards: Iterable[HazardRule],
    construction_year: int | None,
) -> tuple[list[GroupPotential], float]:
    """Per group the realistic harvestable share, and the overall realistic harvest
    percentage by mass (0–100). Groups missing from `harvestable_share` count as 0 (not
    harvestable for reuse). A construction year None means unknown: every period rule
    applies (the cautious reading). Hazard exclusions of several rules combine as
    1 − Π(1 − share)."""
    rules = list(hazards)
    rows: list[GroupPotential] = []
    for code in sorted(masses_kg):
        mass = float(masses_kg[code])
        if mass <= 0:
            continue
        keep = 1.0
        substances: list[str] = []
        for rule in rules:
            if rule.product_group not in ("*", code):
                continue
            if construction_year is None or construction_year < rule.built_before:
                keep *= 1.0 - rule.excluded_share
                substances.append(rule.substance)
        rows.append(
            GroupPotential(
                product_group=code,
                mass_kg=mass,
                harvestable_share=float(harvestable_share.get(code, 0.0)),
                hazard_share=1.0 - keep,
                substances=tuple(substances),
            )
        )
    total = sum(r.mass_kg for r in rows)
    pct = 100.0 * sum(r.realistic_kg for r in rows) / total if total > 0 else 0.0
    return rows, pct


def gap(ambition_pct: float | None, realistic_pct: float) -> float | None:
    """Percentage points the ambition lies above what is realistic (negative: below)."""
    return None if ambition_pct is None else ambition_pct - realistic_pct


# ------------------------------------------------------------------------------ award
@dataclass(frozen=True)
class Criteria:
    """How a tender assesses bids: a fictitious discount per tonne harvested (or applied),
    optionally weighted by R-level, and/or euros of discount per quality point."""

    discount_eur_per_t: float = 0.0
    #: multiplier of the discount per promised R-level (e.g. {"R3": 1.0, "R8": 0.25})
    r_level_weights: Mapping[str, float] = field(default_factory=dict)
    eur_per_quality_point: float = 0.0


@dataclass(frozen=True)
class Bid:
    key: str
    price_eur: float
    tonnes: float  # tonnes harvested (demolition) or secondary tonnes applied (new build)
    r_level: str = ""
    quality_points: float = 0.0


@dataclass(frozen=True)
class BidResult:
    bid: Bid
    discount_eur: float
    quality_bonus_eur: float
    assessed_eur: float
    rank: int


def _weight(criteria: Criteria, level: str) -> float:
    if not criteria.r_level_weights:
        return 1.0
    return float(criteria.r_level_weights.get(level, 0.0))


def rank_bids(bids: Sequence[Bid], criteria: Criteria) -> list[BidResult]:
    """Bids by assessed price, lowest first; ties by price, then by key. Ranks start at 1;
    equal assessed prices share no rank (the tie-break decides)."""
    scored = []
    for b in bids:
        discount = criteria.discount_eur_per_t * b.tonnes * _weight(criteria, b.r_level)
        bonus = criteria.eur_per_quality_point * b.quality_points
        scored.append((b.price_eur - discount - bonus, b.price_eur, b.key, b, discount, bonus))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    return [
        BidResult(bid=s[3], discount_eur=s[4], quality_bonus_eur=s[5], assessed_eur=s[0], rank=i)
        for i, s in enumerate(scored, start=1)
    ]


def break_even_discount(
    cheap: Bid, circular: Bid, criteria: Criteria | None = None
) -> float | None:
    """The discount per (weighted) tonne at which `circular` assesses equal to `cheap`;
    above it the circular bid wins. None when the circular bid keeps no more tonnes in use
    (no discount can make it win on tonnes); 0 when it is cheaper anyway. Quality bonuses
    of `criteria` are held fixed."""
    c = criteria or Criteria()
    t_circ = circular.tonnes * _weight(c, circular.r_level)
    t_cheap = cheap.tonnes * _weight(c, cheap.r_level)
    price_gap = (circular.price_eur - c.eur_per_quality_point * circular.quality_points) - (
        cheap.price_eur - c.eur_per_quality_point * cheap.quality_points
    )
    if price_gap <= 0:
        return 0.0
    if t_circ <= t_cheap:
        return None
    return price_gap / (t_circ - t_cheap)


def sensitivity(
    bids: Sequence[Bid], criteria: Criteria, discounts: Iterable[float]
) -> list[tuple[float, str]]:
    """The winning bid's key for each discount per tonne (the sensitivity view)."""
    out = []
    for d in discounts:
        c = Criteria(d, criteria.r_level_weights, criteria.eur_per_quality_point)
        out.append((float(d), rank_bids(bids, c)[0].bid.key))
    return out


# ------------------------------------------------------------------------ realisation
@dataclass(frozen=True)
class LotHistory:
    """One lot of the project: its mass, and the dates (None: not yet) of harvest and of
    its first sale or application, with the R-level reached."""

    product_group: str
    mass_kg: float
    harvested_on: date | None = None
    resold_on: date | None = None
    r_level: str = ""


@dataclass(frozen=True)
class Realisation:
    mass_kg: float
    harvested_kg: float
    resold_kg: float
    harvest_pct: float
    mean_resale_days: float | None
    max_resale_days: int | None
    r_levels_kg: dict[str, float]


def realisation(lots: Iterable[LotHistory]) -> Realisation:
    """Harvest % = harvested mass / passport mass × 100; resale time = days from harvest to
    first sale or application, averaged by mass over the lots resold; R-levels by mass."""
    total = harvested = resold = 0.0
    weighted_days = 0.0
    max_days: int | None = None
    levels: dict[str, float] = {}
    for lot in lots:
        total += lot.mass_kg
        if lot.harvested_on is None:
            continue
        harvested += lot.mass_kg
        if lot.resold_on is not None:
            days = max((lot.resold_on - lot.harvested_on).days, 0)
            resold += lot.mass_kg
            weighted_days += days * lot.mass_kg
            max_days = days if max_days is None else max(max_days, days)
        if lot.r_level:
            levels[lot.r_level] = levels.get(lot.r_level, 0.0) + lot.mass_kg
    return Realisation(
        mass_kg=total,
        harvested_kg=harvested,
        resold_kg=resold,
        harvest_pct=100.0 * harvested / total if total > 0 else 0.0,
        mean_resale_days=weighted_days / resold if resold > 0 else None,
        max_resale_days=max_days,
        r_levels_kg=dict(sorted(levels.items(), key=lambda kv: r_rank(kv[0]))),
    )


# ------------------------------------------------------------------- reference tables
def read_harvestable_shares(path: str | Path) -> dict[str, float]:
    """`tender_harvestable_shares.csv`: key (product group code or material) -> share."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["key"]: float(r["harvestable_share"]) for r in csv.DictReader(f)}


def read_hazard_rules(path: str | Path) -> list[HazardRule]:
    """`tender_hazards_by_period.csv`: one HazardRule a row."""
    with open(path, encoding="utf-8", newline="") as f:
        return [
            HazardRule(
                product_group=r["key"],
                built_before=int(r["built_before"]),
                excluded_share=float(r["excluded_share"]),
                substance=r["substance"],
            )
            for r in csv.DictReader(f)
        ]
