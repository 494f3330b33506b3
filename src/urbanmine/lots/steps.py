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
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.assets.models import PermitStatus
from urbanmine.assets.permissions import asset_may_change
from urbanmine.core.documents import validate_pdf
from urbanmine.hubs import services as hub_services
from urbanmine.organisations.membership import user_organisation_ids

from .lifecycle import Status, Step
from .models import (
    EXIT_R_STRATEGY,
    ExitRoute,
    Inspection,
    InspectionResult,
    LifecycleEvent,
    Location,
    Lot,
    RStrategy,
)
from .selectors import (
    hub_stock_mass_kg,
    lot_certificate_valid,
    lot_latest_inspection,
    lot_lineage_filter,
)

if TYPE_CHECKING:
    from django.core.files import File

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
    certificate_document: File | None  # quality control: the certificate or report (PDF)
    r_strategy: str
    in_transit: bool  # dismantling without a hub: on its way rather than still on site
    price_eur: Decimal | None  # sale: the agreed price (the parties see it, no one else)
    terms: str  # sale: terms agreed
    exit_route: str  # exit: recycle, recover or dispose
    cost_eur: Decimal | str | None  # what the step cost (optional, issue #18)
    revenue_eur: Decimal | str | None  # what the step brought in (optional, issue #18)


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
    certificate_document: File | None = None
    r_strategy: str = ""
    in_transit: bool = False
    price_eur: Decimal | None = None
    terms: str = ""
    exit_route: str = ""
    cost_eur: Decimal | str | None = None
    revenue_eur: Decimal | str | None = None


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
    latest = target.permits.order_by("-decided_at", "-id").first()
    if latest is not None and latest.status == PermitStatus.REFUSED:
        raise ValidationError(
            {
                "target_asset": _(
                    "The permit for %(asset)s was refused by %(authority)s: no lots are "
                    "applied in it."
                )
                % {"asset": target.name, "authority": latest.authority.name}
            }
        )


def check_custody_accepted(rec: StepRecording) -> None:
    """Custody passes to another organisation only when it accepts (a transfer proposal it
    decides on, which records the step with its consent)."""
    party = rec.given.counterparty
    if party is None or rec.authorised_by_platform:
        return
    if party.id not in user_organisation_ids(rec.actor):
        raise PermissionDenied(
            _(
                "Custody passes to %(org)s only when they accept: propose the custody change, "
                "and %(org)s accepts or declines."
            )
            % {"org": party.name}
        )


def check_counterparty(rec: StepRecording) -> None:
    if rec.given.counterparty is None:
        raise ValidationError(
            {"counterparty": _("Choose the organisation that takes the lot over.")}
        )


def check_reservation_binds(rec: StepRecording) -> None:
    """A reserved lot goes only to the organisation it is reserved for (sold, handed over
    or applied in its asset) until the reservation is released."""
    lot = rec.lot
    holder = lot.reserved_for_id
    if lot.status != Status.RESERVED or holder is None or holder == lot.owner_id:
        return
    if rec.step in (Step.SALE, Step.OWNERSHIP_CHANGE):
        party = rec.given.counterparty
        if party is not None and party.id != holder:
            raise ValidationError(
                {
                    "counterparty": _(
                        "Lot %(code)s is reserved for %(holder)s: it can only go to them."
                    )
                    % {"code": lot.code, "holder": lot.reserved_for}
                }
            )
    if rec.step == Step.EXECUTION:
        target = rec.given.target_asset
        if target is not None and target.owner_id != holder:
            raise ValidationError(
                {
                    "target_asset": _(
                        "Lot %(code)s is reserved for %(holder)s: it is applied only in "
                        "their asset (sell it to them first)."
                    )
                    % {"code": lot.code, "holder": lot.reserved_for}
                }
            )


def check_inspection_passed(rec: StepRecording) -> None:
    """Product groups whose safety depends on their condition are sold or applied only
    with a passed inspection whose certificate has not expired on the day of the step."""
    group = rec.lot.product_group
    if not group.inspection_required:
        return
    day = timezone.localdate(rec.occurred_at)  # certificates expire on a local (Dutch) day
    latest = lot_latest_inspection(rec.lot)
    if latest is None or latest.result != InspectionResult.PASSED:
        raise ValidationError(
            {
                "step": _(
                    "%(group)s needs a passed inspection before it is sold or applied "
                    "(%(guideline)s): engage a certifier first."
                )
                % {"group": group, "guideline": group.guideline or "-"}
            }
        )
    if latest.valid_until is not None and latest.valid_until < day:
        raise ValidationError(
            {
                "step": _(
                    "The certificate of lot %(code)s expired on %(d)s: a new inspection is "
                    "needed before it is sold or applied."
                )
                % {"code": rec.lot.code, "d": f"{latest.valid_until:%d-%m-%Y}"}
            }
        )


def check_exit(rec: StepRecording) -> None:
    """An exit names its route and the organisation that receives the material."""
    if rec.given.exit_route not in ExitRoute.values:
        raise ValidationError(
            {
                "exit_route": _(
                    "Choose how the lot leaves the chain: recycling, energy recovery or disposal."
                )
            }
        )
    if rec.given.counterparty is None:
        raise ValidationError(
            {
                "counterparty": _(
                    "Name the organisation that receives the material (recycler, plant, landfill)."
                )
            }
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
    if rec.organisation.id not in (lot.owner_id, lot.custodian_id):
        # a demolisher the owner let in on the asset harvests: it now holds the material
        rec.payload["custodian_from"] = lot.custodian_id
        lot.custodian = rec.organisation


def apply_transport_storage(rec: StepRecording) -> None:
    if rec.given.hub is not None:
        _move_into_hub(rec, rec.given.hub)
        return
    rec.lot.location, rec.lot.hub, rec.lot.hub_since = Location.IN_TRANSIT, None, None


def _hand_over(rec: StepRecording) -> None:
    """Ownership passes to the counterparty; a reservation for it is fulfilled by that."""
    counterparty = rec.given.counterparty
    assert counterparty is not None  # check_counterparty ran
    rec.payload["owner_from"], rec.payload["owner_to"] = rec.lot.owner_id, counterparty.id
    rec.lot.owner = counterparty
    if rec.lot.reserved_for_id == counterparty.id:
        rec.lot.reserved_for = None


def apply_sale(rec: StepRecording) -> None:
    _hand_over(rec)
    if rec.given.price_eur is not None:
        rec.payload["price_eur"] = str(rec.given.price_eur)
    if rec.given.terms:
        rec.payload["terms"] = rec.given.terms
    _record_impact(rec)


def apply_connection(rec: StepRecording) -> None:
    """A reservation binds the lot to the organisation it is made for (the owner's own
    project when none is named)."""
    _record_impact(rec)
    holder = rec.given.counterparty or rec.lot.owner
    rec.payload["for_organisation"] = holder.id
    rec.lot.reserved_for = holder


def apply_ownership_change(rec: StepRecording) -> None:
    _hand_over(rec)


def apply_custody_change(rec: StepRecording) -> None:
    counterparty = rec.given.counterparty
    assert counterparty is not None
    rec.payload["custodian_from"], rec.payload["custodian_to"] = (
        rec.lot.custodian_id,
        counterparty.id,
    )
    rec.lot.custodian = counterparty


#: A material earns realised impact again only after a new building life: applied for at
#: least this long before it was harvested again (a platform rule, issue #14, not a factor).
NEW_LIFE_YEARS = 10


def _credited_before(rec: StepRecording) -> LifecycleEvent | None:
    """The earlier application of this material (this lot or the lots it came from) that
    was credited and not followed by a building life of NEW_LIFE_YEARS before its harvest."""
    lineage = lot_lineage_filter(rec.lot, "occurred_at")
    events = list(
        LifecycleEvent.objects.filter(
            lineage, step__in=[Step.EXECUTION, Step.DISMANTLING], corrected_by__isnull=True
        )
        .order_by("occurred_at", "id")
        .values_list("id", "step", "occurred_at", "co2_avoided_kg", "waste_diverted_kg")
    )
    credited: tuple | None = None
    for event_id, step, occurred_at, co2, waste in events:
        if step == Step.EXECUTION and (co2 or waste):
            credited = (event_id, occurred_at)
        elif step == Step.DISMANTLING and credited is not None:
            if (occurred_at - credited[1]).days >= NEW_LIFE_YEARS * 365:
                credited = None  # a building life in between: the next application counts
    if credited is None:
        return None
    return LifecycleEvent.objects.get(pk=credited[0])


def apply_execution(rec: StepRecording) -> None:
    """Applied in a new asset: the lot becomes part of that asset's passport. Its realised
    impact is credited once per building life (`_credited_before`)."""
    lot, target = rec.lot, rec.given.target_asset
    assert target is not None
    rec.payload["asset"] = target.id
    earlier = _credited_before(rec)
    lot.location, lot.applied_asset, lot.hub, lot.hub_since = Location.APPLIED, target, None, None
    _record_impact(rec, default_r=lot.r_strategy or RStrategy.R3)
    if earlier is not None:
        rec.co2_avoided_kg, rec.waste_diverted_kg = 0.0, 0.0
        rec.payload["credited_before"] = earlier.id
    lot.r_strategy = rec.r_strategy
    lot.reserved_for = None


def apply_exit(rec: StepRecording) -> None:
    """The material leaves the chain: no longer supply, held by nobody in it. Recycling
    diverts its mass from waste; no reuse CO2 is credited (no reuse happened)."""
    lot, route, receiver = rec.lot, rec.given.exit_route, rec.given.counterparty
    assert receiver is not None
    rec.payload["exit_route"], rec.payload["received_by"] = route, receiver.id
    rec.r_strategy = EXIT_R_STRATEGY[ExitRoute(route)]
    mass_kg = float(rec.quantity * lot.mass_kg_per_unit)
    rec.waste_diverted_kg = mass_kg if route != ExitRoute.DISPOSE else 0.0
    lot.location, lot.hub, lot.hub_since, lot.reserved_for = Location.EXITED, None, None, None


def apply_release(rec: StepRecording) -> None:
    """The reservation ends: the lot goes to anyone again."""
    rec.payload["released_for"] = rec.lot.reserved_for_id
    rec.lot.reserved_for = None


def released_status(lot: Lot) -> str:
    """What a lot is once its reservation ends: approved when its latest inspection passed
    and has not expired, harvested when it is out of the building, else inventoried."""
    if lot_certificate_valid(lot, timezone.localdate()):
        return Status.APPROVED
    if lot.location != Location.IN_ASSET:
        return Status.HARVESTED
    return Status.INVENTORIED


def check_certificate_document(rec: StepRecording) -> None:
    if rec.given.certificate_document is not None:
        validate_pdf(rec.given.certificate_document, "certificate_document")


def apply_quality_control(rec: StepRecording) -> None:
    rec.payload["passed"] = bool(rec.given.passed)
    if rec.given.certificate_document is not None:
        rec.payload["document"] = True


def apply_nothing(rec: StepRecording) -> None:
    """Sorting, treatment, design, permit, monitoring: the event is the record."""


def record_inspection(rec: StepRecording, event: LifecycleEvent) -> None:
    """A quality control leaves an inspection (and, when passed, its certificate); the
    engagement it answers is done (a re-inspection needs a new one)."""
    from .models import EngagementStatus, InspectionEngagement

    inspection = Inspection.objects.create(
        lot=rec.lot,
        event=event,
        inspector=rec.organisation,
        inspected_on=timezone.localdate(rec.occurred_at),
        guideline=rec.given.guideline or rec.lot.product_group.assessment_guideline or "-",
        result=InspectionResult.PASSED if rec.given.passed else InspectionResult.FAILED,
        certificate_number=rec.given.certificate_number,
        valid_until=rec.given.valid_until,
        notes=rec.given.notes,
    )
    if rec.given.certificate_document is not None:
        inspection.certificate_document.save(
            "certificate.pdf", rec.given.certificate_document, save=True
        )
    InspectionEngagement.objects.filter(
        lot=rec.lot, certifier=rec.organisation, status=EngagementStatus.OPEN
    ).update(status=EngagementStatus.DONE, inspection=inspection)


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
    Step.QUALITY_CONTROL: StepHandler(
        apply_quality_control, checks=(check_certificate_document,), after=record_inspection
    ),
    Step.SALE: StepHandler(
        apply_sale,
        (check_counterparty, check_reservation_binds, check_inspection_passed),
        partial=True,
    ),
    Step.TRANSPORT_STORAGE: StepHandler(apply_transport_storage, (check_hub_intake,), partial=True),
    Step.DESIGN: StepHandler(),
    Step.PERMIT: StepHandler(),
    Step.EXECUTION: StepHandler(
        apply_execution,
        (check_target_asset, check_reservation_binds, check_inspection_passed),
        partial=True,
    ),
    Step.MONITORING: StepHandler(),
    Step.OWNERSHIP_CHANGE: StepHandler(
        apply_ownership_change, (check_counterparty, check_reservation_binds)
    ),
    Step.CUSTODY_CHANGE: StepHandler(
        apply_custody_change, (check_counterparty, check_custody_accepted)
    ),
    Step.EXIT: StepHandler(apply_exit, (check_exit,), partial=True),
    Step.RELEASE: StepHandler(apply_release),
}
