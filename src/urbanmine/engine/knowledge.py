"""Pure sums behind the knowledge base: a step plan's totals and an example project's report.

Both are plain arithmetic over dataclasses, so a notebook (or a test) can check them by hand:

- **Step plan** (a processing route of a product-market combination): steps run one after
  another, so the route takes the sum of the steps' typical days; its cost for a batch of
  ``q`` units is ``Σ fixed_eur + q · Σ eur_per_unit`` (a fixed part per batch — set-up,
  inspection, transport — and a part per unit), so the cost per unit at the minimum batch
  ``b`` is ``Σ fixed_eur / b + Σ eur_per_unit``.
- **Example-project report**, per product group, over the lifecycle events of the project's
  lots (masses are ``quantity × mass_kg_per_unit`` of the event):
  harvested = dismantling; processed = selection & sorting, treatment & cleaning and
  transformation; applied = execution; rejected = a quality control that failed. Costs and
  revenues are the sums of the amounts recorded on events (events without one add nothing;
  the count of events that carry one is reported beside the sum). CO2 avoided = applied
  mass × (virgin − reuse) factor, the matching contract's definition
  (`engine.impact.co2_avoided_kg`). Time between steps: for each lot, its process steps in
  time order; each consecutive pair ``a → b`` adds the whole days between them to that
  transition; the report gives the mean and the count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = [
    "PlanStep",
    "PlanTotals",
    "step_plan_totals",
    "ReportEvent",
    "GroupReport",
    "ProjectReport",
    "Transition",
    "project_report",
    "HARVEST_STEPS",
    "PROCESS_STEPS",
    "APPLY_STEPS",
]

HARVEST_STEPS = frozenset({"dismantling"})
PROCESS_STEPS = frozenset({"sorting", "treatment", "transformation"})
APPLY_STEPS = frozenset({"execution"})
#: The steps whose order the report times (the chain's process steps and leaving it).
TIMED_STEPS = frozenset(
    {
        "inventory",
        "dismantling",
        "connection",
        "sorting",
        "treatment",
        "quality_control",
        "sale",
        "transport_storage",
        "design",
        "permit",
        "execution",
        "monitoring",
        "transformation",
        "exit",
    }
)


# ------------------------------------------------------------------------------ step plans
@dataclass(frozen=True)
class PlanStep:
    days: Decimal
    fixed_eur: Decimal = Decimal(0)
    eur_per_unit: Decimal = Decimal(0)


@dataclass(frozen=True)
class PlanTotals:
    days: Decimal
    fixed_eur: Decimal
    eur_per_unit: Decimal
    min_batch: Decimal | None
    #: the cost of one minimum batch, and per unit at that batch (None without a batch)
    batch_eur: Decimal | None
    eur_per_unit_at_min_batch: Decimal | None

    def cost_eur(self, quantity: Decimal) -> Decimal:
        """The route's cost for a batch of `quantity` units."""
        return self.fixed_eur + self.eur_per_unit * quantity


def step_plan_totals(steps: Iterable[PlanStep], min_batch: Decimal | None = None) -> PlanTotals:
    """Sum a route's steps (module docstring). `min_batch` in the product group's unit."""
    rows = list(steps)
    days = sum((s.days for s in rows), Decimal(0))
    fixed = sum((s.fixed_eur for s in rows), Decimal(0))
    per_unit = sum((s.eur_per_unit for s in rows), Decimal(0))
    if min_batch is not None and min_batch <= 0:
        raise ValueError("min_batch must be > 0")
    batch = None if min_batch is None else fixed + per_unit * min_batch
    at_batch = None if min_batch is None else fixed / min_batch + per_unit
    return PlanTotals(days, fixed, per_unit, min_batch, batch, at_batch)


# ---------------------------------------------------------------------- example project
@dataclass(frozen=True)
class ReportEvent:
    lot_id: int
    product_group: str
    step: str
    occurred_at: datetime
    mass_kg: float
    passed: bool | None = None  # quality control only
    cost_eur: Decimal | None = None
    revenue_eur: Decimal | None = None


@dataclass(frozen=True)
class Transition:
    from_step: str
    to_step: str
    count: int
    mean_days: float


@dataclass
class GroupReport:
    product_group: str
    harvested_kg: float = 0.0
    processed_kg: float = 0.0
    applied_kg: float = 0.0
    rejected_kg: float = 0.0
    cost_eur: Decimal = Decimal(0)
    revenue_eur: Decimal = Decimal(0)
    costed_events: int = 0
    revenue_events: int = 0
    co2_avoided_kg: float = 0.0
    lots: int = 0
    transitions: list[Transition] = field(default_factory=list)

    @property
    def net_eur(self) -> Decimal:
        return self.revenue_eur - self.cost_eur


@dataclass
class ProjectReport:
    groups: list[GroupReport]
    total: GroupReport
    first_event: datetime | None
    last_event: datetime | None


def _transitions(events: list[ReportEvent]) -> dict[tuple[str, str], list[int]]:
    by_lot: dict[int, list[ReportEvent]] = defaultdict(list)
    for e in events:
        if e.step in TIMED_STEPS:
            by_lot[e.lot_id].append(e)
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rows in by_lot.values():
        rows.sort(key=lambda e: e.occurred_at)
        for a, b in zip(rows, rows[1:], strict=False):
            days[(a.step, b.step)].append((b.occurred_at - a.occurred_at).days)
    return days


def _add(report: GroupReport, e: ReportEvent, gain_kg_per_kg: float | None) -> None:
    if e.step in HARVEST_STEPS:
        report.harvested_kg += e.mass_kg
    elif e.step in PROCESS_STEPS:
        report.processed_kg += e.mass_kg
    elif e.step in APPLY_STEPS:
        report.applied_kg += e.mass_kg
        if gain_kg_per_kg is not None:
            report.co2_avoided_kg += e.mass_kg * gain_kg_per_kg
    elif e.step == "quality_control" and e.passed is False:
        report.rejected_kg += e.mass_kg
    if e.cost_eur is not None:
        report.cost_eur += e.cost_eur
        report.costed_events += 1
    if e.revenue_eur is not None:
        report.revenue_eur += e.revenue_eur
        report.revenue_events += 1


def project_report(
    events: Iterable[ReportEvent], gain_kg_per_kg: Mapping[str, float]
) -> ProjectReport:
    """The example project's numbers per product group and in total (module docstring).
    `gain_kg_per_kg`: code -> (virgin − reuse) kg CO2 per kg; a group without a factor adds
    no CO2 (the report says so rather than guessing)."""
    rows = sorted(events, key=lambda e: (e.occurred_at, e.lot_id))
    groups: dict[str, GroupReport] = {}
    lots: dict[str, set[int]] = defaultdict(set)
    total = GroupReport(product_group="")
    for e in rows:
        g = groups.setdefault(e.product_group, GroupReport(product_group=e.product_group))
        gain = gain_kg_per_kg.get(e.product_group)
        _add(g, e, gain)
        _add(total, e, gain)
        lots[e.product_group].add(e.lot_id)
    by_group: dict[str, list[ReportEvent]] = defaultdict(list)
    for e in rows:
        by_group[e.product_group].append(e)
    for code, g in groups.items():
        g.lots = len(lots[code])
        g.transitions = [
            Transition(a, b, len(d), sum(d) / len(d))
            for (a, b), d in sorted(_transitions(by_group[code]).items())
        ]
    total.lots = sum(g.lots for g in groups.values())
    total.transitions = [
        Transition(a, b, len(d), sum(d) / len(d))
        for (a, b), d in sorted(_transitions(rows).items())
    ]
    return ProjectReport(
        groups=[groups[k] for k in sorted(groups)],
        total=total,
        first_event=rows[0].occurred_at if rows else None,
        last_event=rows[-1].occurred_at if rows else None,
    )
