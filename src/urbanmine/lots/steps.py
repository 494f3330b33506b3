"""What each process step checks and does to a lot: one function per step and a table from
step to handler. `services.lot_record_step` is the dispatcher: it locks the lot, checks who
acts and whether the step is legal now (`lifecycle.next_status`), then runs the step's
checks (before any write), splits off a part when the step takes less than the whole lot,
applies the step and appends the event.

A handler never saves: `apply` changes the locked lot in memory and fills the event's
payload and realised impact; the dispatcher saves once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from urbanmine.assets.permissions import asset_may_change
from urbanmine.hubs import services as hub_services

from .lifecycle import Step
from .models import Inspection, InspectionResult, LifecycleEvent, Location, Lot, RStrategy
from .selectors import hub_stock_mass_kg

if TYPE_CHECKING:
    from urbanmine.assets.models import Asset
    from urbanmine.hubs.models import Hub
    from urbanmine.organisations.models import Organisation


class StepFields(TypedDict, total=False):
    """What a user may give with a step (form or API fields); each step reads its own."""

    quantity: Decimal | int | str | None  # less than the lot holds splits it first
    notes: str
    hub: Hub | None  # dismantling, transport & storage: the destination hub
    target_asset: Asset | None  # execution: the asset the lot is applied in
    counterparty: Organisation | None  # sale, ownership or custody change; connection
    passed: bool | None  # quality control
    guideline: str
    certificate_number: str
    valid_until: date | None
    r_strategy: str
    in_transit: bool  # dismantling without a hub: on its way rather than still on site


@dataclass
class StepInput:
    quantity: Decimal | int | str | None = None
    notes: str = ""
    hub: Hub | None = None
    target_asset: Asset | None = None
    counterparty: Organisation | None = None
    passed: bool | None = None
    guideline: str = ""
    certificate_number: str = ""
    valid_until: date | None = None
    r_strategy: str = ""
    in_transit: bool = False


@dataclass
class StepRecording:
    """One step being recorded on a locked lot: who, when, what was given, and what the
    handlers add to the event."""

    lot: Lot
    step: str
    actor: Any
    organisation: Organisation
    occurred_at: datetime
    given: StepInput
    quantity: Decimal
    authorised_by_platform: bool = False
    payload: dict[str, Any] = field(default_factory=dict)
    co2_avoided_kg: float | None = None
    waste_diverted_kg: float | None = None
    r_strategy: str = ""


# ------------------------------------------------------------------------------- checks
def check_hub_intake(rec: StepRecording) -> None:
    """Moving into a hub: the hub's own rule (consent, acceptance, capacity), locked."""
    hub = rec.given.hub
    if hub is None:
        return
    hub_services.hub_lock(hub)
    hub_services.hub_intake_check(
        hub=hub,
        organisation=rec.organisation,
        product_group=rec.lot.product_group,
        incoming_kg=rec.quantity * rec.lot.mass_kg_per_unit,
        held_kg=hub_stock_mass_kg(hub, exclude_lot_id=rec.lot.id),
    )


def check_target_asset(rec: StepRecording) -> None:
    target = rec.given.target_asset
    if target is None:
        raise ValidationError({"target_asset": _("Choose the asset the lot is applied in.")})
    if not rec.authorised_by_platform and not asset_may_change(rec.actor, target):
        raise PermissionDenied(_("A lot is applied only in an asset of your own organisation."))


def check_counterparty(rec: StepRecording) -> None:
    if rec.given.counterparty is None:
        raise ValidationError(
            {"counterparty": _("Choose the organisation that takes the lot over.")}
        )


def check_r_strategy(rec: StepRecording) -> None:
    """Every step may name the R-strategy it realises; it must be one of the ladder."""
    r = rec.given.r_strategy
    if r and r not in RStrategy.values:
        raise ValidationError({"r_strategy": _("Unknown R-strategy “%(r)s”.") % {"r": r}})


# ------------------------------------------------------------------------------- effects
def realised_impact(lot: Lot, quantity: Decimal) -> tuple[float | None, float]:
    """kg CO2 avoided (mass × (virgin − reuse) from the cited factor table; None when the
    group has no factor) and kg diverted from waste, for `quantity` of a lot."""
    from urbanmine.catalogue.factors import factor_source
    from urbanmine.engine.impact import ImpactError, co2_avoided_kg, waste_avoided_kg

    mass_kg = float(quantity * lot.mass_kg_per_unit)
    try:
        factor = factor_source().factor(lot.product_group.code)
    except ImpactError:
        return None, mass_kg
    return co2_avoided_kg(mass_kg, factor), waste_avoided_kg(mass_kg, factor)


def _record_impact(rec: StepRecording, default_r: str = RStrategy.R3) -> None:
    rec.co2_avoided_kg, rec.waste_diverted_kg = realised_impact(rec.lot, rec.lot.quantity)
    rec.r_strategy = rec.given.r_strategy or default_r


def _move_into_hub(rec: StepRecording, hub: Hub) -> None:
    """At a hub the operator holds custody; the dwell clock starts when it arrives."""
    lot = rec.lot
    if lot.hub_id != hub.id or lot.location != Location.AT_HUB:
        lot.hub_since = rec.occurred_at
    lot.location, lot.hub = Location.AT_HUB, hub
    rec.payload["hub"] = hub.id
    if lot.custodian_id != hub.operator_id:
        rec.payload["custodian_from"] = lot.custodian_id
        lot.custodian = hub.operator


def apply_dismantling(rec: StepRecording) -> None:
    """The harvest: out of the asset (a lot applied earlier goes back into the trace), into a
    hub, in transit, or still on site."""
    lot, applied = rec.lot, rec.lot.applied_asset
    if lot.location == Location.APPLIED and applied is not None:
        rec.payload["from_asset"] = applied.id
        lot.source_asset = applied
        lot.source_assets.add(applied)
        lot.applied_asset = None
    if rec.given.hub is not None:
        lot.hub = None  # a harvest always starts a new stay
        _move_into_hub(rec, rec.given.hub)
        return
    lot.location = Location.IN_TRANSIT if rec.given.in_transit else Location.IN_ASSET
    lot.hub, lot.hub_since = None, None


def apply_transport_storage(rec: StepRecording) -> None:
    if rec.given.hub is not None:
        _move_into_hub(rec, rec.given.hub)
        return
    rec.lot.location, rec.lot.hub, rec.lot.hub_since = Location.IN_TRANSIT, None, None


def apply_sale(rec: StepRecording) -> None:
    counterparty = rec.given.counterparty
    assert counterparty is not None  # check_counterparty ran
    rec.payload["owner_from"], rec.payload["owner_to"] = rec.lot.owner_id, counterparty.id
    rec.lot.owner = counterparty
    _record_impact(rec)


def apply_connection(rec: StepRecording) -> None:
    _record_impact(rec)
    if rec.given.counterparty is not None:
        rec.payload["for_organisation"] = rec.given.counterparty.id


def apply_ownership_change(rec: StepRecording) -> None:
    counterparty = rec.given.counterparty
    assert counterparty is not None
    rec.payload["owner_from"], rec.payload["owner_to"] = rec.lot.owner_id, counterparty.id
    rec.lot.owner = counterparty


def apply_custody_change(rec: StepRecording) -> None:
    counterparty = rec.given.counterparty
    assert counterparty is not None
    rec.payload["custodian_from"], rec.payload["custodian_to"] = (
        rec.lot.custodian_id,
        counterparty.id,
    )
    rec.lot.custodian = counterparty


def apply_execution(rec: StepRecording) -> None:
    """Applied in a new asset: the lot becomes part of that asset's passport."""
    lot, target = rec.lot, rec.given.target_asset
    assert target is not None
    rec.payload["asset"] = target.id
    lot.location, lot.applied_asset, lot.hub, lot.hub_since = Location.APPLIED, target, None, None
    _record_impact(rec, default_r=lot.r_strategy or RStrategy.R3)
    lot.r_strategy = rec.r_strategy


def apply_quality_control(rec: StepRecording) -> None:
    rec.payload["passed"] = bool(rec.given.passed)


def apply_nothing(rec: StepRecording) -> None:
    """Sorting, treatment, design, permit, monitoring: the event is the record."""


def record_inspection(rec: StepRecording, event: LifecycleEvent) -> None:
    """A quality control leaves an inspection (and, when passed, its certificate)."""
    Inspection.objects.create(
        lot=rec.lot,
        event=event,
        inspector=rec.organisation,
        inspected_on=rec.occurred_at.date(),
        guideline=rec.given.guideline or rec.lot.product_group.assessment_guideline or "-",
        result=InspectionResult.PASSED if rec.given.passed else InspectionResult.FAILED,
        certificate_number=rec.given.certificate_number,
        valid_until=rec.given.valid_until,
        notes=rec.given.notes,
    )


# ------------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class StepHandler:
    """`checks` run before any write; `partial`: a smaller quantity splits the lot first;
    `apply` changes the lot; `after` writes what follows from the event."""

    apply: Callable[[StepRecording], None] = apply_nothing
    checks: tuple[Callable[[StepRecording], None], ...] = ()
    partial: bool = False
    after: Callable[[StepRecording, LifecycleEvent], None] | None = None


HANDLERS: dict[str, StepHandler] = {
    Step.INVENTORY: StepHandler(),
    Step.DISMANTLING: StepHandler(apply_dismantling, (check_hub_intake,), partial=True),
    Step.CONNECTION: StepHandler(apply_connection, partial=True),
    Step.SORTING: StepHandler(),
    Step.TREATMENT: StepHandler(),
    Step.QUALITY_CONTROL: StepHandler(apply_quality_control, after=record_inspection),
    Step.SALE: StepHandler(apply_sale, (check_counterparty,), partial=True),
    Step.TRANSPORT_STORAGE: StepHandler(apply_transport_storage, (check_hub_intake,), partial=True),
    Step.DESIGN: StepHandler(),
    Step.PERMIT: StepHandler(),
    Step.EXECUTION: StepHandler(apply_execution, (check_target_asset,), partial=True),
    Step.MONITORING: StepHandler(),
    Step.OWNERSHIP_CHANGE: StepHandler(apply_ownership_change, (check_counterparty,)),
    Step.CUSTODY_CHANGE: StepHandler(apply_custody_change, (check_counterparty,)),
}
