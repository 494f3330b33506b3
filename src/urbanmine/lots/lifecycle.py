"""The lifecycle of a lot: the thirteen process steps of the chain as a state machine.

Pure rules (no database): which step is legal in which status, and what status follows.
A lot's status is always the fold of its events through `next_status`; services store it
as a cached column and tests check the cache against the fold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    # Supply & management
    IDENTIFICATION = "identification", _("Identification")
    INVENTORY = "inventory", _("Inventory")
    # Harvest
    DISMANTLING = "dismantling", _("Dismantling (harvest)")
    CONNECTION = "connection", _("Connection (reservation for a next application)")
    # Transformation
    SORTING = "sorting", _("Selection & sorting")
    TREATMENT = "treatment", _("Treatment & cleaning")
    QUALITY_CONTROL = "quality_control", _("Quality control & guarantee")
    SALE = "sale", _("Sale")
    TRANSPORT_STORAGE = "transport_storage", _("Transport & storage")
    # Application
    DESIGN = "design", _("Design")
    PERMIT = "permit", _("Permit")
    EXECUTION = "execution", _("Execution (application)")
    # Use & management
    MONITORING = "monitoring", _("Monitoring & evaluation")
    # Changes of hands and of shape; events too.
    OWNERSHIP_CHANGE = "ownership_change", _("Ownership change")
    CUSTODY_CHANGE = "custody_change", _("Custody change")
    SPLIT = "split", _("Split")
    MERGE = "merge", _("Merge")
    # Leaving the chain: recycling, energy recovery or disposal (issue #14).
    EXIT = "exit", _("Exit (recycling, energy recovery or disposal)")
    # Reverses the lot's last step; both stay in the history (issue #14).
    CORRECTION = "correction", _("Correction (reverses the last step)")
    # The owner or the holder ends a reservation: the lot is on offer again (issue #14).
    RELEASE = "release", _("Release of the reservation")
    # A processor turns lots into a new product (issue #14): the inputs close, the output
    # begins its history harvested.
    TRANSFORMATION = "transformation", _("Transformation into a new product")


# The thirteen process steps of DOMAIN.md, in chain order (for forms and charts).
PROCESS_STEPS = [
    Step.IDENTIFICATION,
    Step.INVENTORY,
    Step.DISMANTLING,
    Step.CONNECTION,
    Step.SORTING,
    Step.TREATMENT,
    Step.QUALITY_CONTROL,
    Step.SALE,
    Step.TRANSPORT_STORAGE,
    Step.DESIGN,
    Step.PERMIT,
    Step.EXECUTION,
    Step.MONITORING,
]


class Status(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    INVENTORIED = "inventoried", _("Inventoried")
    HARVESTED = "harvested", _("Harvested")
    APPROVED = "approved", _("Approved (passed inspection)")
    REJECTED = "rejected", _("Rejected (failed inspection)")
    RESERVED = "reserved", _("Reserved")
    SOLD = "sold", _("Sold")
    APPLIED = "applied", _("Applied")
    CLOSED = "closed", _("Closed (merged into another lot)")
    EXITED = "exited", _("Left the chain (recycled, recovered or disposed of)")


S = Status
PRE_HARVEST = {S.IDENTIFIED, S.INVENTORIED}
HARVESTED_STATES = {S.HARVESTED, S.APPROVED, S.REJECTED, S.RESERVED, S.SOLD}
# Statuses in which supply can be offered publicly.
OFFERABLE = {S.INVENTORIED, S.HARVESTED, S.APPROVED}

# step -> statuses from which it may be taken. None means "no previous event".
ALLOWED_FROM: dict[str, set] = {
    Step.IDENTIFICATION: {None},
    Step.INVENTORY: {S.IDENTIFIED},
    Step.DISMANTLING: {S.IDENTIFIED, S.INVENTORIED, S.RESERVED, S.APPLIED},
    Step.CONNECTION: {S.INVENTORIED, S.HARVESTED, S.APPROVED},
    Step.SORTING: HARVESTED_STATES,
    Step.TREATMENT: HARVESTED_STATES,
    Step.QUALITY_CONTROL: {S.HARVESTED, S.APPROVED, S.REJECTED, S.RESERVED, S.SOLD},
    Step.SALE: {S.HARVESTED, S.APPROVED, S.RESERVED},
    Step.TRANSPORT_STORAGE: HARVESTED_STATES,
    Step.DESIGN: {S.HARVESTED, S.APPROVED, S.RESERVED, S.SOLD, S.INVENTORIED},
    Step.PERMIT: {S.HARVESTED, S.APPROVED, S.RESERVED, S.SOLD, S.INVENTORIED},
    Step.EXECUTION: {S.HARVESTED, S.APPROVED, S.RESERVED, S.SOLD},
    Step.MONITORING: {S.APPLIED},
    Step.OWNERSHIP_CHANGE: PRE_HARVEST | HARVESTED_STATES,
    Step.CUSTODY_CHANGE: PRE_HARVEST | HARVESTED_STATES,
    Step.SPLIT: PRE_HARVEST | HARVESTED_STATES,
    # Only lots on offer merge: a merge must never clear a rejection, reservation or sale.
    Step.MERGE: {S.HARVESTED, S.APPROVED},
    # Harvested material that is not reused leaves the chain; a reservation is released first.
    Step.EXIT: {S.HARVESTED, S.APPROVED, S.REJECTED, S.SOLD},
    # Any step but a merge can be corrected (services decide which event and by whom).
    Step.CORRECTION: set(Status) - {S.CLOSED},
    # None: the new product's first event. A reservation binds, so reserved lots do not.
    Step.TRANSFORMATION: {None, S.HARVESTED, S.APPROVED, S.REJECTED, S.SOLD},
    Step.RELEASE: {S.RESERVED},
}

# Steps a hazardous lot may never take: it can never be offered, reserved, sold or applied.
BLOCKED_FOR_HAZARDOUS = {
    Step.CONNECTION,
    Step.SALE,
    Step.EXECUTION,
    Step.DESIGN,
    Step.PERMIT,
    Step.TRANSFORMATION,
}


class TransitionError(ValueError):
    """An illegal lifecycle step; `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "step"):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class EventFacts:
    """What the state machine needs to know of an event."""

    step: str
    passed: bool | None = None  # quality control result
    closes: bool = False  # merge: the source lot is consumed
    restores: str | None = None  # correction: the status before the corrected step


def _after_dismantling(current: str | None, event: EventFacts) -> str:
    # A reservation made before the harvest stays with the harvested lot.
    return S.RESERVED if current == S.RESERVED else S.HARVESTED


def _after_quality_control(current: str | None, event: EventFacts) -> str:
    if event.passed is None:
        raise TransitionError(
            str(_("A quality control needs a result (passed or failed).")), "passed"
        )
    if not event.passed:
        return S.REJECTED
    # A passed inspection keeps a reservation or sale; otherwise the lot is approved.
    return current if current in (S.RESERVED, S.SOLD) else S.APPROVED  # type: ignore[return-value]


def _after_correction(current: str | None, event: EventFacts) -> str:
    """A correction, or a released reservation: the status the services worked out."""
    if event.restores not in Status.values:
        raise TransitionError(str(_("A correction restores the status before the last step.")))
    return event.restores  # type: ignore[return-value]


def _after_transformation(current: str | None, event: EventFacts) -> str:
    if event.closes:
        return S.CLOSED
    if current is not None:
        raise TransitionError(str(_("A transformation makes a new lot; its inputs close.")))
    return S.HARVESTED


def _after_merge(current: str | None, event: EventFacts) -> str:
    return S.CLOSED if event.closes else current  # type: ignore[return-value]


# step -> the status it leads to (a fixed status, or a rule for the steps that depend on
# the event); steps not listed keep the current status.
STATUS_AFTER: dict[str, str | Callable[[str | None, EventFacts], str]] = {
    Step.IDENTIFICATION: S.IDENTIFIED,
    Step.INVENTORY: S.INVENTORIED,
    Step.DISMANTLING: _after_dismantling,
    Step.CONNECTION: S.RESERVED,
    Step.QUALITY_CONTROL: _after_quality_control,
    Step.SALE: S.SOLD,
    Step.EXECUTION: S.APPLIED,
    Step.MERGE: _after_merge,
    Step.EXIT: S.EXITED,
    Step.CORRECTION: _after_correction,
    Step.TRANSFORMATION: _after_transformation,
    Step.RELEASE: _after_correction,
}


def _check_allowed(current: str | None, step: str, *, hazardous: bool) -> None:
    if step not in ALLOWED_FROM:
        raise TransitionError(_("Unknown process step “%(step)s”.") % {"step": step})
    if hazardous and step in BLOCKED_FOR_HAZARDOUS:
        raise TransitionError(
            _("This lot contains hazardous substances: %(step)s is not allowed.")
            % {"step": Step(step).label}
        )
    if current not in ALLOWED_FROM[step]:
        label = Status(current).label if current else _("no history")
        raise TransitionError(
            _("%(step)s is not allowed for a lot with status “%(status)s”.")
            % {"step": Step(step).label, "status": label}
        )


def next_status(current: str | None, event: EventFacts, *, hazardous: bool = False) -> str:
    """The status after `event`, or TransitionError when the step is illegal now."""
    _check_allowed(current, event.step, hazardous=hazardous)
    after = STATUS_AFTER.get(event.step)
    if after is None:
        return current  # type: ignore[return-value]
    if callable(after):
        return after(current, event)
    return after


def fold_status(events: Iterable[EventFacts], *, hazardous: bool = False) -> str | None:
    """Replay a lot's history; raises TransitionError on the first illegal event."""
    status: str | None = None
    for event in events:
        status = next_status(status, event, hazardous=hazardous)
    return status


def allowed_steps(current: str | None, *, hazardous: bool = False) -> list[str]:
    """The steps a user may record now (for forms)."""
    return [
        step
        for step, sources in ALLOWED_FROM.items()
        if current in sources
        and not (hazardous and step in BLOCKED_FOR_HAZARDOUS)
        and step not in (Step.SPLIT, Step.MERGE, Step.CORRECTION, Step.TRANSFORMATION)
    ]


# ----------------------------------------------------------------- who records which step
class Relation(models.TextChoices):
    """How an organisation stands to a lot; `RECORDED_BY` decides from these alone."""

    OWNER = "owner", _("owner")
    CUSTODIAN = "custodian", _("custodian")
    RESERVATION_HOLDER = "reservation_holder", _("reservation holder")
    ENGAGED_CERTIFIER = "engaged_certifier", _("certifier engaged for the lot")
    GRANTED_DEMOLISHER = "granted_demolisher", _("demolisher the asset's owner let in")


R = Relation
# step -> the relations that record it themselves. Changes of hands are the owner's: the
# custodian holds the material, it does not own it (issue #14). Inspections are only by a
# certifier the owner or custodian engaged, never by a party that owns or holds the lot.
RECORDED_BY: dict[str, frozenset[str]] = {
    Step.INVENTORY: frozenset({R.OWNER, R.CUSTODIAN}),
    # a demolisher the owner granted the asset harvests what is still in it (and holds it)
    Step.DISMANTLING: frozenset({R.OWNER, R.CUSTODIAN, R.GRANTED_DEMOLISHER}),
    Step.CONNECTION: frozenset({R.OWNER}),
    Step.SORTING: frozenset({R.OWNER, R.CUSTODIAN}),
    Step.TREATMENT: frozenset({R.OWNER, R.CUSTODIAN}),
    Step.QUALITY_CONTROL: frozenset({R.ENGAGED_CERTIFIER}),
    Step.SALE: frozenset({R.OWNER}),
    Step.TRANSPORT_STORAGE: frozenset({R.OWNER, R.CUSTODIAN}),
    Step.DESIGN: frozenset({R.OWNER, R.RESERVATION_HOLDER}),
    Step.PERMIT: frozenset({R.OWNER, R.RESERVATION_HOLDER}),
    Step.EXECUTION: frozenset({R.OWNER}),
    Step.MONITORING: frozenset({R.OWNER}),
    Step.OWNERSHIP_CHANGE: frozenset({R.OWNER}),
    Step.CUSTODY_CHANGE: frozenset({R.OWNER, R.CUSTODIAN}),
    Step.EXIT: frozenset({R.OWNER}),
    Step.RELEASE: frozenset({R.OWNER, R.RESERVATION_HOLDER}),
}
# step -> the relations that may propose it; it happens when the owner accepts.
PROPOSED_BY: dict[str, frozenset[str]] = {
    Step.SALE: frozenset({R.CUSTODIAN}),
    Step.OWNERSHIP_CHANGE: frozenset({R.CUSTODIAN}),
}


def may_record(relations: Iterable[str], step: str) -> bool:
    """Whether an organisation standing in `relations` to a lot records `step` itself."""
    return bool(RECORDED_BY.get(step, frozenset()) & set(relations))


def may_propose(relations: Iterable[str], step: str) -> bool:
    """Whether it may propose `step` for the owner to accept (and not record it itself)."""
    rel = set(relations)
    return not may_record(rel, step) and bool(PROPOSED_BY.get(step, frozenset()) & rel)
