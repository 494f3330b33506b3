"""Writes on lots: identification, process steps, splits, merges and imports.

Every function is keyword-only, runs in one transaction, locks the lots it changes
(`select_for_update`) and appends lifecycle events; nothing is ever half-saved. Who may do
what is asked of `permissions`; what each step checks and does lives in `steps`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import asset_may_publish
from urbanmine.catalogue.models import COUNTED_UNITS, ProductGroup, Unit
from urbanmine.catalogue.selectors import product_group_mass_band
from urbanmine.core.forms import error_text
from urbanmine.core.jobs import job_cancel, job_function, run_job
from urbanmine.core.keywords import check_keywords
from urbanmine.core.models import ACTIVE_STATUSES, JobCancelled, JobStatus, cancelled_message
from urbanmine.engine.inventory import (
    MAX_LOT_MASS_KG,
    MAX_VALUE,
    InventoryRow,
    MassBand,
    MassReference,
    mass_band,
    mass_problem,
    tonnes,
)
from urbanmine.organisations.membership import (
    acting_organisation,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole, Organisation

from . import imports
from .inventory_messages import MESSAGES
from .lifecycle import (
    OFFERABLE,
    RECORDED_BY,
    EventFacts,
    Status,
    Step,
    TransitionError,
    next_status,
)
from .models import (
    EngagementStatus,
    InspectionEngagement,
    InventoryImport,
    LifecycleEvent,
    Location,
    Lot,
    LotLineage,
    TransferProposal,
    TransferStatus,
)
from .permissions import (
    inventory_import_may_cancel,
    inventory_import_may_start,
    lot_engaged_certifier,
    lot_may_change,
    lot_may_correct,
    lot_may_engage_certifier,
    lot_may_record,
    lot_proposable_steps,
    lot_relations,
    transfer_may_decide,
    transfer_may_withdraw,
)
from .signals import reservation_ended, supply_published
from .steps import (
    HANDLERS,
    StepFields,
    StepInput,
    StepRecording,
    check_custody_accepted,
    check_r_strategy,
    released_status,
)


def new_lot_code() -> str:
    return "L-" + uuid.uuid4().hex[:10].upper()


def _decimal(value, field_name: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {field_name: _("“%(value)s” is not a number.") % {"value": value}}
        ) from None
    if not d.is_finite():
        raise ValidationError({field_name: _("“%(value)s” is not a number.") % {"value": value}})
    return d


def event_amount_eur(value, field_name: str) -> Decimal | None:
    """An optional cost or revenue of a step: empty is none; otherwise 0 to 10^11 EUR,
    to the cent (decimal comma or point)."""
    if value in (None, ""):
        return None
    d = _decimal(str(value).strip().replace(",", "."), field_name)
    if d < 0:
        raise ValidationError({field_name: _("An amount in euros cannot be below zero.")})
    if d >= MAX_VALUE:
        raise ValidationError({field_name: _("The amount is too high.")})
    return d.quantize(Decimal("0.01"))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def validate_quantity(quantity, unit: str, field_name: str = "quantity") -> Decimal:
    """More than zero, less than the 10^11 a lot stores, whole for counted units."""
    q = _decimal(quantity, field_name)
    if q <= 0:
        raise ValidationError(
            {field_name: _("The quantity must be more than zero (got %(q)s).") % {"q": q}}
        )
    if q >= MAX_VALUE:
        message = str(MESSAGES["quantity_too_large"]) % {"value": f"{q.normalize():f}"}
        raise ValidationError({field_name: _sentence(message)})
    if unit in COUNTED_UNITS and q != q.to_integral_value():
        raise ValidationError(
            {field_name: _("Pieces are counted in whole numbers (got %(q)s).") % {"q": q}}
        )
    return q


# ------------------------------------------------------------------- plausible masses
# The bounds are the engine's (`engine.inventory.bounds`, explained there): a mass per
# unit within the product group's band, at most 100,000 t per lot. The inventory parser
# refuses the same rows at upload; these checks hold for every other way in.


def lot_mass_error(
    group: ProductGroup, unit: str, quantity: Decimal, mass_kg_per_unit: Decimal
) -> tuple[str, str] | None:
    """(field, message) when a lot of `quantity` × `mass_kg_per_unit` kg of `group` in
    `unit` cannot be true, else None."""
    band = product_group_mass_band(group, unit)
    problem = mass_problem(group.code, band, unit, quantity, mass_kg_per_unit)
    if problem is None:
        return None
    return problem.field, _sentence(str(MESSAGES[problem.code]) % problem.params)


def check_lot_mass(
    group: ProductGroup, unit: str, quantity: Decimal, mass_kg_per_unit: Decimal
) -> None:
    """Refuse an implausible mass: a ValidationError naming the field and the reason."""
    error = lot_mass_error(group, unit, quantity, mass_kg_per_unit)
    if error is not None:
        raise ValidationError({error[0]: error[1]})


def lot_mass_plausible(lot: Lot) -> bool:
    """Whether a stored lot's mass passes the bounds (old rows and admin edits may not);
    `lot.product_group` should be loaded."""
    return lot_mass_error(lot.product_group, lot.unit, lot.quantity, lot.mass_kg_per_unit) is None


def _sync_publication(lot: Lot) -> None:
    """On offer: offerable, not hazardous, and published by the owner (not a draft)."""
    lot.is_published = (
        not lot.draft and not lot.is_hazardous and lot.status in OFFERABLE and lot.quantity > 0
    )


@dataclass
class EventEntry:
    """What one lifecycle event records besides the lot's state after it."""

    step: str
    actor: Any
    organisation: Organisation
    occurred_at: datetime
    quantity: Decimal | None = None  # default: the lot's quantity
    notes: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    co2_avoided_kg: float | None = None
    waste_diverted_kg: float | None = None
    r_strategy: str = ""
    corrects: LifecycleEvent | None = None
    cost_eur: Decimal | None = None
    revenue_eur: Decimal | None = None


def _append_event(lot: Lot, entry: EventEntry) -> LifecycleEvent:
    actor = entry.actor
    return LifecycleEvent.objects.create(
        lot=lot,
        step=entry.step,
        occurred_at=entry.occurred_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=entry.organisation,
        location=lot.location,
        asset=lot.applied_asset if lot.location == Location.APPLIED else lot.source_asset,
        hub=lot.hub if lot.location == Location.AT_HUB else None,
        quantity=lot.quantity if entry.quantity is None else entry.quantity,
        notes=entry.notes,
        payload=entry.payload,
        status_after=lot.status,
        co2_avoided_kg=entry.co2_avoided_kg,
        waste_diverted_kg=entry.waste_diverted_kg,
        r_strategy=entry.r_strategy,
        corrects=entry.corrects,
        cost_eur=entry.cost_eur,
        revenue_eur=entry.revenue_eur,
    )


class _LotSpecRequired(TypedDict):
    product_group: ProductGroup
    quantity: Decimal | int | str
    unit: str
    mass_kg_per_unit: Decimal | int | str
    quality: str


class LotSpec(_LotSpecRequired, total=False):
    """A passport line: what it is, how much, in what state."""

    description: str
    has_asbestos: bool
    has_chromium6: bool
    has_other_hazard: bool
    expected_release_date: date | None


def _checked_spec(spec: LotSpec) -> tuple[Decimal, Decimal]:
    """The validated quantity and mass per unit of a passport line."""
    if spec["unit"] not in Unit.values:
        raise ValidationError({"unit": _("Unknown unit “%(u)s”.") % {"u": spec["unit"]}})
    q = validate_quantity(spec["quantity"], spec["unit"])
    m = _decimal(spec["mass_kg_per_unit"], "mass_kg_per_unit")
    if m < 0:
        raise ValidationError({"mass_kg_per_unit": _("The mass cannot be negative.")})
    if spec["quality"] not in ("A", "B", "C"):
        raise ValidationError(
            {"quality": _("Quality must be A, B or C (got “%(q)s”).") % {"q": spec["quality"]}}
        )
    check_lot_mass(spec["product_group"], spec["unit"], q, m)
    return q, m


@transaction.atomic
def lot_identify(
    *,
    asset: Asset,
    organisation: Organisation,
    actor=None,
    custodian: Organisation | None = None,
    occurred_at: datetime | None = None,
    notes: str = "",
    draft: bool = False,
    **spec: Unpack[LotSpec],
) -> Lot:
    """Record a new passport line in an asset (step 1: identification). The material stays
    in the owner's custody unless a custodian (e.g. a contracted demolisher) is given.
    `draft`: the line waits for the owner to publish it (`lots_publish`); the pages and the
    API add lines as drafts (issue #13)."""
    check_keywords("lot_identify", spec, LotSpec)
    q, m = _checked_spec(spec)
    now = occurred_at or timezone.now()
    lot = Lot(
        code=new_lot_code(),
        product_group=spec["product_group"],
        description=spec.get("description", ""),
        quantity=q,
        unit=spec["unit"],
        mass_kg_per_unit=m,
        quality=spec["quality"],
        has_asbestos=spec.get("has_asbestos", False),
        has_chromium6=spec.get("has_chromium6", False),
        has_other_hazard=spec.get("has_other_hazard", False),
        owner=asset.owner,
        custodian=custodian or asset.owner,
        source_asset=asset,
        location=Location.IN_ASSET,
        status=Status.IDENTIFIED,
        status_since=now,
        expected_release_date=spec.get("expected_release_date"),
        draft=draft,
    )
    lot.full_clean(exclude=["code", "source_assets"])
    _sync_publication(lot)
    lot.save()
    lot.source_assets.add(asset)
    entry = EventEntry(Step.IDENTIFICATION, actor, organisation, now, notes=notes)
    _append_event(lot, entry)
    return lot


def _split_locked(lot: Lot, quantity: Decimal, entry: EventEntry) -> Lot:
    """Split `quantity` off a locked lot into a new child lot carrying the same trace."""
    if quantity >= lot.quantity:
        raise ValidationError(
            {
                "quantity": _("A split needs less than the lot's quantity (%(q)s).")
                % {"q": lot.quantity}
            }
        )
    validate_quantity(quantity, lot.unit)
    child = Lot.objects.get(pk=lot.pk)
    child.pk = None
    child.id = None
    child.code = new_lot_code()
    child.quantity = quantity
    child.save()
    child.source_assets.set(lot.source_assets.all())
    lot.quantity -= quantity
    _sync_publication(lot)
    lot.save(update_fields=["quantity", "is_published"])
    LotLineage.objects.create(parent=lot, child=child, kind="split", quantity=quantity)
    entry.step, entry.quantity = Step.SPLIT, quantity
    entry.payload = {"parent": lot.code, "child": child.code}
    _append_event(lot, entry)
    # The child's history begins with the split, after a copy of the parent's status.
    _append_event(child, entry)
    return child


def _lock(lot_id) -> Lot:
    try:
        return (
            Lot.objects.select_for_update(of=("self",))
            .select_related("product_group", "hub")
            .get(pk=lot_id)
        )
    except Lot.DoesNotExist:
        raise ValidationError({"lot": _("Lot %(id)s does not exist.") % {"id": lot_id}}) from None


def _transition(lot: Lot, facts: EventFacts, field_name: str | None = None) -> str:
    """The status after `facts`, or a ValidationError naming the field at fault."""
    try:
        return next_status(lot.status, facts, hazardous=lot.is_hazardous)
    except TransitionError as e:
        if field_name:
            raise ValidationError({field_name: f"{lot.code}: {e.message}"}) from None
        raise ValidationError({e.field: e.message}) from None


@transaction.atomic
def lot_split(
    *,
    lot_id: int,
    quantity,
    actor,
    organisation: Organisation | None = None,
    occurred_at: datetime | None = None,
    notes: str = "",
) -> Lot:
    lot = _lock(lot_id)
    if not lot_may_change(actor, lot):
        raise PermissionDenied(_("Only the owner or custodian of a lot may split it."))
    org = acting_organisation(actor, organisation)
    _transition(lot, EventFacts(Step.SPLIT))
    entry = EventEntry(Step.SPLIT, actor, org, occurred_at or timezone.now(), notes=notes)
    return _split_locked(lot, _decimal(quantity, "quantity"), entry)


MERGE_MUST_AGREE = ("product_group_id", "unit", "quality", "hub_id", "location", "owner_id")


def _lock_mergeable(lot_ids: list[int], actor) -> list[Lot]:
    """The lots to merge, locked in id order, each changeable and on offer, all alike."""
    ids = sorted(set(lot_ids))
    if len(ids) < 2:
        raise ValidationError({"lots": _("Choose at least two lots to merge.")})
    lots = list(Lot.objects.select_for_update().filter(id__in=ids).order_by("id"))
    if len(lots) != len(ids):
        raise ValidationError({"lots": _("One of the lots does not exist.")})
    for lot in lots:
        if not lot_may_change(actor, lot):
            raise PermissionDenied(_("You may not change lot %(code)s.") % {"code": lot.code})
        _transition(lot, EventFacts(Step.MERGE, closes=True), field_name="lots")
    first = lots[0]
    for lot in lots[1:]:
        for name in MERGE_MUST_AGREE:
            if getattr(lot, name) != getattr(first, name):
                raise ValidationError(
                    {
                        "lots": _(
                            "Lots %(a)s and %(b)s differ in %(f)s; only like lots at one hub merge."
                        )
                        % {"a": first.code, "b": lot.code, "f": name.removesuffix("_id")}
                    }
                )
    if first.location != Location.AT_HUB:
        raise ValidationError({"lots": _("Lots are merged at a hub.")})
    return lots


def _merged_lot(lots: list[Lot], now: datetime) -> Lot:
    first = lots[0]
    total_q = sum((lot.quantity for lot in lots), Decimal(0))
    total_mass = sum((lot.quantity * lot.mass_kg_per_unit for lot in lots), Decimal(0))
    if total_mass > MAX_LOT_MASS_KG:
        raise ValidationError(
            {
                "lots": _(
                    "Merged, the lots would weigh %(t)s t, more than the %(max)s t one lot "
                    "may hold."
                )
                % {"t": tonnes(total_mass), "max": tonnes(MAX_LOT_MASS_KG)}
            }
        )
    status = first.status if all(lot.status == first.status for lot in lots) else Status.HARVESTED
    merged = Lot.objects.create(
        code=new_lot_code(),
        product_group_id=first.product_group_id,
        description=first.description,
        quantity=total_q,
        unit=first.unit,
        mass_kg_per_unit=(total_mass / total_q).quantize(Decimal("0.001")),
        quality=first.quality,
        has_asbestos=any(lot.has_asbestos for lot in lots),
        has_chromium6=any(lot.has_chromium6 for lot in lots),
        has_other_hazard=any(lot.has_other_hazard for lot in lots),
        owner_id=first.owner_id,
        custodian_id=first.custodian_id,
        source_asset_id=first.source_asset_id,
        location=first.location,
        hub_id=first.hub_id,
        status=status,
        status_since=now,
        hub_since=min(lot.hub_since or now for lot in lots),
        is_published=False,
        draft=any(lot.draft for lot in lots),  # a draft in it: the owner reviews the whole
    )
    sources: set[int] = set()
    for lot in lots:
        sources.update(lot.source_assets.values_list("id", flat=True))
    merged.source_assets.set(sources)
    _sync_publication(merged)
    merged.save(update_fields=["is_published"])
    return merged


@transaction.atomic
def lots_merge(
    *,
    lot_ids: list[int],
    actor,
    organisation: Organisation | None = None,
    occurred_at: datetime | None = None,
    notes: str = "",
) -> Lot:
    """Merge lots of one product group, unit and quality at one hub into a new lot that
    keeps the trace to every source asset."""
    lots = _lock_mergeable(lot_ids, actor)
    org = acting_organisation(actor, organisation)
    now = occurred_at or timezone.now()
    merged = _merged_lot(lots, now)
    for lot in lots:
        LotLineage.objects.create(parent=lot, child=merged, kind="merge", quantity=lot.quantity)
        lot.status, lot.status_since, lot.is_published = Status.CLOSED, now, False
        lot.save(update_fields=["status", "status_since", "is_published"])
        entry = EventEntry(Step.MERGE, actor, org, now, lot.quantity, notes, {"into": merged.code})
        _append_event(lot, entry)
    payload = {"from": [lot.code for lot in lots]}
    _append_event(merged, EventEntry(Step.MERGE, actor, org, now, merged.quantity, notes, payload))
    return merged


# ------------------------------------------------------------------------ transformation
#: what a transformation may realise on the R-ladder (reuse itself is not a transformation)
TRANSFORMATION_R = ("R4", "R5", "R6", "R7", "R8")


@dataclass(frozen=True)
class TransformInto:
    """The new product a transformation makes."""

    product_group: ProductGroup
    quantity: Decimal | int | str
    mass_kg_per_unit: Decimal | int | str
    quality: str
    r_strategy: str
    description: str = ""
    code: str = ""  # the new lot's code (the demo numbers its own); default: a new one


@transaction.atomic
def lots_transform(
    *,
    lot_ids: list[int],
    into: TransformInto,
    actor,
    occurred_at: datetime | None = None,
    notes: str = "",
) -> Lot:
    """A processor turns lots it holds into a new lot of another product (bricks cleaned
    into brick-slip panels, beams into cross-laminated panels, concrete into granulate).
    The inputs close; the new lot traces to every source asset of every input; the mass
    balance (input = output + losses) is recorded on every event, and the output can never
    weigh more than the input."""
    ids = sorted(set(lot_ids))
    if not ids:
        raise ValidationError({"lots": _("Choose the lots to transform.")})
    lots = list(Lot.objects.select_for_update().select_related("product_group").filter(id__in=ids))
    if len(lots) != len(ids):
        raise ValidationError({"lots": _("One of the lots does not exist.")})
    holders = set(user_organisation_ids(actor))
    for lot in lots:
        if lot.custodian_id not in holders:
            raise PermissionDenied(
                _("Only the organisation holding lot %(code)s transforms it.") % {"code": lot.code}
            )
        _transition(lot, EventFacts(Step.TRANSFORMATION, closes=True), field_name="lots")
    first = lots[0]
    if any(
        lot.owner_id != first.owner_id or lot.custodian_id != first.custodian_id for lot in lots
    ):
        raise ValidationError(
            {"lots": _("The lots to transform together have one owner and one custodian.")}
        )
    product_group, r_strategy, quality = into.product_group, into.r_strategy, into.quality
    if r_strategy not in TRANSFORMATION_R:
        raise ValidationError(
            {"r_strategy": _("Choose what the transformation realises: R4 to R8.")}
        )
    if quality not in ("A", "B", "C"):
        raise ValidationError({"quality": _("Choose a quality grade: A, B or C.")})
    unit = product_group.unit
    q = validate_quantity(into.quantity, unit)
    per_unit = _decimal(into.mass_kg_per_unit, "mass_kg_per_unit")
    check_lot_mass(product_group, unit, q, per_unit)
    input_kg = sum((lot.quantity * lot.mass_kg_per_unit for lot in lots), Decimal(0))
    output_kg = q * per_unit
    if output_kg > input_kg:
        raise ValidationError(
            {
                "quantity": _(
                    "The new lot would weigh %(out)s kg, more than the %(in)s kg that goes in."
                )
                % {"out": f"{output_kg:.0f}", "in": f"{input_kg:.0f}"}
            }
        )
    org = Organisation.objects.get(pk=first.custodian_id)
    now = occurred_at or timezone.now()
    for lot in lots:
        _check_occurred_at(lot, now)
    same_hub = first.location == Location.AT_HUB and all(
        lot.location == Location.AT_HUB and lot.hub_id == first.hub_id for lot in lots
    )
    product = Lot.objects.create(
        code=into.code or new_lot_code(),
        product_group=product_group,
        description=into.description[:300] or product_group.name,
        quantity=q,
        unit=unit,
        mass_kg_per_unit=per_unit,
        quality=quality,
        owner_id=first.owner_id,
        custodian_id=first.custodian_id,
        source_asset_id=first.source_asset_id,
        location=Location.AT_HUB if same_hub else Location.IN_TRANSIT,
        hub_id=first.hub_id if same_hub else None,
        hub_since=now if same_hub else None,
        status=Status.HARVESTED,
        status_since=now,
        r_strategy=r_strategy,
    )
    sources: set[int] = set()
    for lot in lots:
        sources.update(lot.source_assets.values_list("id", flat=True))
    product.source_assets.set(sources)
    _sync_publication(product)
    product.save(update_fields=["is_published"])
    balance = {
        "input_kg": float(input_kg),
        "output_kg": float(output_kg),
        "losses_kg": float(input_kg - output_kg),
        "yield": float(output_kg / input_kg) if input_kg else 0.0,
    }
    for lot in lots:
        LotLineage.objects.create(
            parent=lot, child=product, kind="transformation", quantity=lot.quantity
        )
        lot.status, lot.status_since, lot.is_published = Status.CLOSED, now, False
        lot.save(update_fields=["status", "status_since", "is_published"])
        payload = {"transformed_into": product.code, **balance}
        _append_event(
            lot, EventEntry(Step.TRANSFORMATION, actor, org, now, lot.quantity, notes, payload)
        )
    payload = {"from": [lot.code for lot in lots], **balance}
    _append_event(
        product,
        EventEntry(Step.TRANSFORMATION, actor, org, now, q, notes, payload, r_strategy=r_strategy),
    )
    return product


# ------------------------------------------------------------------------ process steps
#: step -> why a user without the relation `lifecycle.RECORDED_BY` asks for cannot record it
OWNER_ONLY = {
    Step.RELEASE,
    Step.CONNECTION,
    Step.SALE,
    Step.EXECUTION,
    Step.MONITORING,
    Step.OWNERSHIP_CHANGE,
    Step.EXIT,
}


def step_refusal(actor, lot: Lot, step: str) -> PermissionDenied:
    """Why this user may not record `step` on this lot, in words that say who may."""
    label = Step(step).label if step in Step.values else step
    if step == Step.QUALITY_CONTROL:
        return PermissionDenied(
            _(
                "Only a certifier that the owner or custodian engaged for this lot records a "
                "quality control, and never on a lot its own organisation owns or holds."
            )
        )
    if step in lot_proposable_steps(actor, lot):
        return PermissionDenied(
            _(
                "%(step)s is the owner's decision: as custodian, propose it to the owner, who "
                "accepts or declines."
            )
            % {"step": label}
        )
    if step in OWNER_ONLY:
        return PermissionDenied(_("Only the lot's owner records %(step)s.") % {"step": label})
    return PermissionDenied(
        _("Only the owner or custodian of a lot records %(step)s.") % {"step": label}
    )


def _recording_organisation(
    actor, lot: Lot, step: str, organisation: Organisation | None, authorised_by_platform: bool
) -> Organisation:
    """The organisation an event is recorded for, after checking the actor may record it
    (`permissions.lot_may_record`, from the table `lifecycle.RECORDED_BY`)."""
    if authorised_by_platform:
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Name the organisation the step is recorded for.")}
            )
        return organisation
    if step not in RECORDED_BY:  # split, merge, identification, or no step at all
        if not lot_relations(actor, lot):
            raise PermissionDenied(_("You do not own, hold or inspect this lot."))
        if step in (Step.SPLIT, Step.MERGE, Step.IDENTIFICATION):
            raise ValidationError(
                {"step": _("Use the split, merge or identify actions for this step.")}
            )
        raise ValidationError({"step": _("Unknown process step “%(step)s”.") % {"step": step}})
    if not lot_may_record(actor, lot, step):
        raise step_refusal(actor, lot, step)
    if step == Step.QUALITY_CONTROL:  # for the engaged certifier, whatever else the user is
        certifier_id = lot_engaged_certifier(actor, lot)
        assert certifier_id is not None  # lot_may_record asked the same
        return Organisation.objects.get(pk=certifier_id)
    if organisation is None:
        orgs = set(user_organisation_ids(actor))
        for candidate in (lot.owner_id, lot.custodian_id, lot.reserved_for_id):
            if candidate in orgs:
                return Organisation.objects.get(pk=candidate)
    return acting_organisation(actor, organisation)


def _check_occurred_at(lot: Lot, occurred_at: datetime) -> None:
    """Never in the future; never before the lot's last recorded step (append-only order)."""
    if occurred_at > timezone.now() + timedelta(days=1):
        raise ValidationError({"occurred_at": _("A step cannot be recorded in the future.")})
    last = lot.events.order_by("-occurred_at", "-id").values_list("occurred_at", flat=True).first()
    if last and occurred_at < last:
        raise ValidationError(
            {
                "occurred_at": _("The date lies before the lot's last recorded step (%(d)s).")
                % {"d": f"{last:%Y-%m-%d}"}
            }
        )


def _step_quantity(lot: Lot, quantity) -> Decimal:
    q = lot.quantity if quantity in (None, "") else validate_quantity(quantity, lot.unit)
    if q > lot.quantity:
        raise ValidationError(
            {
                "quantity": _("The lot holds only %(have)s %(unit)s.")
                % {"have": lot.quantity, "unit": lot.unit}
            }
        )
    return q


@transaction.atomic
def lot_record_step(
    *,
    lot_id: int,
    step: str,
    actor,
    organisation: Organisation | None = None,
    occurred_at: datetime | None = None,
    authorised_by_platform: bool = False,
    **fields: Unpack[StepFields],
) -> LifecycleEvent:
    """Record one process step on a lot, after checking permission and legality.

    `fields` are the step's own inputs (`steps.StepFields`: hub, target_asset,
    counterparty, passed, …). A smaller quantity than the lot holds splits the lot first
    (e.g. part sold). `authorised_by_platform`: the caller (e.g. accepting a proposal) has
    checked who may act; the event is recorded for `organisation`.
    """
    lot = _lock(lot_id)
    org = _recording_organisation(actor, lot, step, organisation, authorised_by_platform)
    now = occurred_at or timezone.now()
    _check_occurred_at(lot, now)
    handler = HANDLERS.get(step)
    if handler is None and step in (Step.SPLIT, Step.MERGE, Step.IDENTIFICATION):
        raise ValidationError(
            {"step": _("Use the split, merge or identify actions for this step.")}
        )
    given = StepInput(**fields)
    cost_eur = event_amount_eur(given.cost_eur, "cost_eur")
    revenue_eur = event_amount_eur(given.revenue_eur, "revenue_eur")
    restores = released_status(lot) if step == Step.RELEASE else None
    new_status = _transition(lot, EventFacts(step, passed=given.passed, restores=restores))
    assert handler is not None  # next_status refused unknown steps
    rec = StepRecording(
        lot=lot,
        step=step,
        actor=actor,
        organisation=org,
        occurred_at=now,
        given=given,
        quantity=_step_quantity(lot, given.quantity),
        authorised_by_platform=authorised_by_platform,
        r_strategy=given.r_strategy,
    )
    check_r_strategy(rec)
    for check in handler.checks:
        check(rec)
    if handler.partial and rec.quantity < lot.quantity:
        rec.lot = _split_locked(lot, rec.quantity, EventEntry(Step.SPLIT, actor, org, now))
    rec.payload["before"] = _snapshot(rec.lot)  # what a correction restores
    was_published = rec.lot.is_published
    handler.apply(rec)
    lot = rec.lot
    if new_status != lot.status:
        lot.status, lot.status_since = new_status, now
    _sync_publication(lot)
    lot.save()
    if lot.is_published and not was_published:
        _announce_published([lot.id])
    entry = EventEntry(
        step,
        actor,
        org,
        now,
        notes=given.notes,
        payload=rec.payload,
        co2_avoided_kg=rec.co2_avoided_kg,
        waste_diverted_kg=rec.waste_diverted_kg,
        r_strategy=rec.r_strategy,
        cost_eur=cost_eur,
        revenue_eur=revenue_eur,
    )
    event = _append_event(lot, entry)
    if handler.after is not None:
        handler.after(rec, event)
    _announce_reservation_end(lot, rec.payload["before"]["reserved_for_id"])
    return event


def _announce_published(lot_ids: list[int]) -> None:
    """Tell the apps above (wanted lists) once the transaction has committed."""
    if lot_ids:
        transaction.on_commit(lambda: supply_published.send(sender=Lot, lot_ids=lot_ids))


def _announce_reservation_end(lot: Lot, holder_id: int | None) -> None:
    """The reservation ended and the material did not go to its holder (a sale or an
    application for the holder fulfils it instead)."""
    if holder_id is None or lot.reserved_for_id is not None:
        return
    if lot.owner_id == holder_id or (
        lot.applied_asset_id is not None and lot.location == Location.APPLIED
    ):
        return
    reservation_ended.send(sender=Lot, lot=lot, holder_id=holder_id)


# ------------------------------------------------------------------------ corrections
#: what a step may change on a lot, kept in its event so a correction can restore it
SNAPSHOT_FIELDS = (
    "status",
    "owner_id",
    "custodian_id",
    "location",
    "hub_id",
    "applied_asset_id",
    "source_asset_id",
    "reserved_for_id",
    "r_strategy",
)
#: steps a correction may reverse (an inspection is superseded by a new one, never undone;
#: splits, merges and identifications have their own actions)
CORRECTABLE = frozenset(RECORDED_BY) - {Step.QUALITY_CONTROL}


def _snapshot(lot: Lot) -> dict[str, Any]:
    snap: dict[str, Any] = {f: getattr(lot, f) for f in SNAPSHOT_FIELDS}
    for f in ("status_since", "hub_since"):
        value = getattr(lot, f)
        snap[f] = value.isoformat() if value else None
    return snap


def lot_last_event(lot: Lot) -> LifecycleEvent | None:
    return lot.events.order_by("-occurred_at", "-id").select_related("organisation").first()


@transaction.atomic
def lot_correct_last_step(*, lot_id: int, actor, reason: str) -> LifecycleEvent:
    """Reverse the lot's last step without rewriting history: a correction event restores
    the lot as it was before that step and nets out the step's realised impact; both events
    stay. By the organisation that recorded the step within URBANMINE_CORRECTION_DAYS, or by
    the data steward."""
    lot = _lock(lot_id)
    last = lot_last_event(lot)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the step is corrected.")})
    if last is None or last.step not in CORRECTABLE or hasattr(last, "corrected_by"):
        raise ValidationError(
            {"event": _("The last step of lot %(code)s cannot be corrected.") % {"code": lot.code}}
        )
    if not lot_may_correct(actor, lot, last):
        raise PermissionDenied(
            _(
                "Only the organisation that recorded the step corrects it, within %(days)d "
                "days; after that the data steward."
            )
            % {"days": settings.URBANMINE_CORRECTION_DAYS}
        )
    before = (last.payload or {}).get("before")
    if not before:
        raise ValidationError(
            {"event": _("This step was recorded before corrections existed; it cannot be undone.")}
        )
    now = timezone.now()
    new_status = _transition(lot, EventFacts(Step.CORRECTION, restores=before["status"]))
    for f in SNAPSHOT_FIELDS:
        setattr(lot, f, before[f])
    lot.hub_since = datetime.fromisoformat(before["hub_since"]) if before["hub_since"] else None
    lot.status = new_status
    lot.status_since = datetime.fromisoformat(before["status_since"])
    _sync_publication(lot)
    lot.save()
    if last.step == Step.CONNECTION:
        _announce_reservation_end(lot, (last.payload or {}).get("for_organisation"))
    org = last.organisation
    if not actor.is_staff:
        org = acting_organisation(actor, last.organisation)
    return _append_event(
        lot,
        EventEntry(
            Step.CORRECTION,
            actor,
            org,
            now,
            notes=reason.strip(),
            payload={"corrects": last.id, "step": last.step},
            co2_avoided_kg=-last.co2_avoided_kg if last.co2_avoided_kg else None,
            waste_diverted_kg=-last.waste_diverted_kg if last.waste_diverted_kg else None,
            corrects=last,
        ),
    )


# ------------------------------------------------------------- inspections and consent
@transaction.atomic
def lot_engage_certifier(
    *, lot_id: int, certifier: Organisation, actor, organisation: Organisation | None = None
) -> InspectionEngagement:
    """The owner or custodian asks a certifier to inspect a lot; only then may that
    certifier record a quality control on it (once)."""
    lot = _lock(lot_id)
    if not lot_may_engage_certifier(actor, lot):
        raise PermissionDenied(_("Only the owner or custodian of a lot engages a certifier."))
    org = _recording_organisation(actor, lot, Step.INVENTORY, organisation, False)
    if not certifier.roles.filter(role=ChainRole.CERTIFIER).exists():
        raise ValidationError({"certifier": _("%(org)s is not a certifier.") % {"org": certifier}})
    if certifier.id in (lot.owner_id, lot.custodian_id):
        raise ValidationError(
            {
                "certifier": _(
                    "%(org)s owns or holds lot %(code)s: an inspection must be independent."
                )
                % {"org": certifier, "code": lot.code}
            }
        )
    if lot.engagements.filter(certifier=certifier, status=EngagementStatus.OPEN).exists():
        raise ValidationError(
            {
                "certifier": _("%(org)s is already engaged for lot %(code)s.")
                % {"org": certifier, "code": lot.code}
            }
        )
    return InspectionEngagement.objects.create(
        lot=lot,
        certifier=certifier,
        engaged_by=org,
        engaged_by_user=actor if getattr(actor, "is_authenticated", False) else None,
        engaged_at=timezone.now(),
    )


#: steps a custodian proposes and the owner accepts; a custody change the owner or custodian
#: proposes and the new custodian accepts
TRANSFER_STEPS = (Step.SALE, Step.OWNERSHIP_CHANGE, Step.CUSTODY_CHANGE)


@transaction.atomic
def lot_transfer_propose(
    *,
    lot_id: int,
    step: str,
    counterparty: Organisation | None,
    actor,
    quantity=None,
    price_eur: Decimal | None = None,
    terms: str = "",
) -> TransferProposal:
    """The custodian proposes to sell the owner's lot (or hand its ownership over): the
    owner accepts (`lot_transfer_accept`, which records the step) or declines."""
    lot = _lock(lot_id)
    if step not in TRANSFER_STEPS:
        raise ValidationError(
            {"step": _("Only a sale, an ownership change or a custody change is proposed.")}
        )
    custody = step == Step.CUSTODY_CHANGE
    if custody and not lot_may_change(actor, lot):
        raise PermissionDenied(_("Only the owner or custodian of a lot proposes a custody change."))
    if not custody and step not in lot_proposable_steps(actor, lot):
        raise PermissionDenied(
            _("Only the custodian of a lot proposes a sale or ownership change to its owner.")
        )
    if counterparty is None:
        raise ValidationError(
            {"counterparty": _("Choose the organisation that takes the lot over.")}
        )
    q = _step_quantity(lot, quantity)
    if price_eur is not None and not Decimal(0) <= price_eur <= MAX_VALUE:
        raise ValidationError({"price_eur": _("The price must lie between 0 and 10^11 EUR.")})
    # the state machine's and the step's own rules, asked now rather than at acceptance
    _transition(lot, EventFacts(step))
    rec = StepRecording(
        lot=lot,
        step=step,
        actor=actor,
        organisation=lot.owner,
        occurred_at=timezone.now(),
        given=StepInput(counterparty=counterparty, quantity=q),
        quantity=q,
    )
    for check in HANDLERS[step].checks:
        if check is not check_custody_accepted:  # what the proposal asks for
            check(rec)
    proposer = lot.owner if custody and lot.owner_id in user_organisation_ids(actor) else None
    return TransferProposal.objects.create(
        lot=lot,
        step=step,
        quantity=q,
        counterparty=counterparty,
        price_eur=price_eur,
        terms=terms,
        proposed_by=proposer or lot.custodian,
        proposed_by_user=actor if getattr(actor, "is_authenticated", False) else None,
        proposed_at=timezone.now(),
    )


def _pending_transfer(proposal_id: int) -> TransferProposal:
    try:
        proposal = (
            TransferProposal.objects.select_for_update(of=("self",))
            .select_related("lot", "counterparty")
            .get(pk=proposal_id)
        )
    except TransferProposal.DoesNotExist:
        raise ValidationError(
            {"proposal": _("Proposal %(id)s does not exist.") % {"id": proposal_id}}
        ) from None
    if proposal.status != TransferStatus.PENDING:
        raise ValidationError(
            {"proposal": _("This proposal is %(s)s.") % {"s": proposal.get_status_display()}}
        )
    return proposal


@transaction.atomic
def lot_transfer_accept(*, proposal_id: int, actor) -> TransferProposal:
    """The owner accepts: the sale (or ownership change) is recorded for the owner, with
    the proposed price and terms, exactly as if the owner had recorded it."""
    proposal = _pending_transfer(proposal_id)
    if not transfer_may_decide(actor, proposal):
        raise PermissionDenied(_("Only the lot's owner accepts or declines this proposal."))
    if (
        proposal.step == Step.CUSTODY_CHANGE
    ):  # the new custodian consents: recorded for the proposer
        return _custody_accept(proposal, actor)
    event = lot_record_step(
        lot_id=proposal.lot_id,
        step=proposal.step,
        actor=actor,
        organisation=proposal.lot.owner,
        quantity=proposal.quantity,
        counterparty=proposal.counterparty,
        price_eur=proposal.price_eur,
        terms=proposal.terms,
        notes=_("Proposed by %(org)s (proposal %(id)s), accepted by the owner")
        % {"org": proposal.proposed_by, "id": proposal.pk},
    )
    return _proposal_accepted(proposal, actor, event)


def _proposal_accepted(proposal: TransferProposal, actor, event) -> TransferProposal:
    """The proposal is accepted and names the event its acceptance recorded."""
    proposal.status, proposal.decided_by, proposal.decided_at = (
        TransferStatus.ACCEPTED,
        actor,
        timezone.now(),
    )
    proposal.event = event
    proposal.save(update_fields=["status", "decided_by", "decided_at", "event"])
    return proposal


def _custody_accept(proposal: TransferProposal, actor) -> TransferProposal:
    event = lot_record_step(
        lot_id=proposal.lot_id,
        step=Step.CUSTODY_CHANGE,
        actor=actor,
        organisation=proposal.proposed_by,
        quantity=proposal.quantity,
        counterparty=proposal.counterparty,
        authorised_by_platform=True,  # the proposer may, the new custodian accepts: both asked
        notes=_("Proposed by %(org)s (proposal %(id)s), accepted by %(to)s")
        % {"org": proposal.proposed_by, "id": proposal.pk, "to": proposal.counterparty},
    )
    return _proposal_accepted(proposal, actor, event)


@transaction.atomic
def lot_transfer_decline(*, proposal_id: int, actor, reason: str = "") -> TransferProposal:
    """The owner declines (nothing changes on the lot), or the proposer withdraws."""
    proposal = _pending_transfer(proposal_id)
    if transfer_may_decide(actor, proposal):
        proposal.status = TransferStatus.DECLINED
    elif transfer_may_withdraw(actor, proposal):
        proposal.status = TransferStatus.WITHDRAWN
    else:
        raise PermissionDenied(_("Only the lot's owner or the proposer decides on this."))
    proposal.decided_by, proposal.decided_at, proposal.reason = actor, timezone.now(), reason[:300]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return proposal


# ------------------------------------------------------------------------------ imports
class StoredLot(NamedTuple):
    id: int
    code: str


def _insert_rows(model, columns: list[str], rows: list[tuple], batch: int = 5000) -> None:
    """Plain INSERT … VALUES with executemany: imports of 100,000 rows spend their time in
    the ORM's per-value preparation otherwise. Values must be database-ready."""
    qn = connection.ops.quote_name
    table, cols = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY is an order of magnitude faster
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


@dataclass
class _ImportGroups:
    """The catalogue as an import checks rows against: ids and the masses that bound a
    row's (one query; bands cached per product group and unit)."""

    ids: dict[str, int]
    references: dict[str, MassReference]
    bands: dict[tuple[str, str], MassBand | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _ImportGroups:
        ids, references = {}, {}
        for code, pk, unit, typical in ProductGroup.objects.values_list(
            "code", "id", "unit", "typical_mass_kg_per_unit"
        ):
            ids[code], references[code] = pk, MassReference(unit, typical)
        return cls(ids, references)

    def checked(self, row: InventoryRow) -> tuple[int, Decimal, Decimal]:
        """(product group id, quantity, mass per unit) of a row, or a ValidationError naming
        the row, the field and the reason."""
        group_id = self.ids.get(row.product_group)
        if group_id is None:
            raise ValidationError(
                {
                    "product_group": _("Row %(r)s: unknown product group “%(g)s”.")
                    % {"r": row.row_number, "g": row.product_group}
                }
            )
        try:
            q = validate_quantity(row.quantity, row.unit)
            mass = _decimal(row.mass_kg_per_unit, "mass_kg_per_unit")
        except ValidationError as e:
            raise _in_row(row.row_number, e) from None
        if mass < 0:
            raise ValidationError(
                {
                    "mass_kg_per_unit": _("Row %(r)s: the mass cannot be negative.")
                    % {"r": row.row_number}
                }
            )
        key = (row.product_group, row.unit)
        if key not in self.bands:
            self.bands[key] = mass_band(self.references[row.product_group], row.unit)
        problem = mass_problem(row.product_group, self.bands[key], row.unit, q, mass)
        if problem is not None:
            reason = _sentence(str(MESSAGES[problem.code]) % problem.params)
            raise ValidationError(
                {
                    problem.field: _("Row %(r)s: %(reason)s")
                    % {"r": row.row_number, "reason": reason}
                }
            )
        return group_id, q, mass


def _in_row(row_number: int, error: ValidationError) -> ValidationError:
    """The same error, each message prefixed with the row it concerns."""
    return ValidationError(
        {
            name: [_("Row %(r)s: %(reason)s") % {"r": row_number, "reason": m} for m in messages]
            for name, messages in error.message_dict.items()
        }
    )


#: Lots stored per batch of an import (a progress report, and a chance to cancel, between).
IMPORT_BATCH = 5000
#: progress(stage, done, total): stage "validate" (rows checked) or "store" (lots stored);
#: raising from it (e.g. JobCancelled) stops the import and rolls everything back.
ImportProgress = Callable[[str, int, int], None]


@transaction.atomic
def lots_import_inventory(
    *,
    asset_id: int,
    rows: list,
    actor=None,
    source_name: str,
    organisation: Organisation | None = None,
    progress: ImportProgress | None = None,
    batch: int = IMPORT_BATCH,
    publish: bool = False,
) -> list[StoredLot]:
    """Store validated inventory rows (engine.inventory.InventoryRow) as inventoried lots of
    an asset, each with its identification and inventory events: all or nothing (one
    transaction), in batches of `batch` lots with `progress` called after each. The lots
    are drafts for the owner to review and publish, unless `publish` (the owner's own
    import, reviewed)."""
    try:
        asset = Asset.objects.select_related("owner").get(pk=asset_id)
    except Asset.DoesNotExist:
        raise ValidationError(
            {"asset": _("Asset %(id)s does not exist.") % {"id": asset_id}}
        ) from None
    org = organisation or asset.owner
    groups = _ImportGroups.load()
    ops = connection.ops
    now = timezone.now()
    now_db = ops.adapt_datetimefield_value(now)
    quantity_field = Lot._meta.get_field("quantity")
    mass_field = Lot._meta.get_field("mass_kg_per_unit")
    hazard_note = _("Marked hazardous in %(f)s") % {"f": source_name}
    lot_columns = [
        "code", "product_group_id", "description", "quantity", "unit", "mass_kg_per_unit", "quality",
        "has_asbestos", "has_chromium6", "has_other_hazard", "hazard_note", "owner_id", "custodian_id",
        "source_asset_id", "location", "status", "status_since", "r_strategy", "expected_release_date",
        "is_published", "draft", "is_demo", "created_at",
    ]  # fmt: skip
    total = len(rows)
    lot_rows, codes, quantities = [], [], []
    for n, row in enumerate(rows, start=1):
        group_id, q, mass = groups.checked(row)
        hazardous = bool(row.hazardous)
        code = new_lot_code()
        codes.append(code)
        quantities.append(q)
        lot_rows.append(
            (
                code,
                group_id,
                row.description or "",
                quantity_field.get_db_prep_save(q, connection),
                row.unit,
                mass_field.get_db_prep_save(mass, connection),
                row.quality,
                False,
                False,
                hazardous,
                hazard_note if hazardous else "",
                asset.owner_id,
                asset.owner_id,  # custodian: the material stays with the owner
                asset.id,
                Location.IN_ASSET,
                Status.INVENTORIED,
                now_db,
                "",
                ops.adapt_datefield_value(row.expected_release_date),
                publish and not hazardous,
                not publish,
                False,
                now_db,
            )  # fmt: skip
        )
        if progress is not None and (n % batch == 0 or n == total):
            progress("validate", n, total)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    notes = _("Imported from %(f)s") % {"f": source_name}
    payload = LifecycleEvent._meta.get_field("payload").get_db_prep_save({}, connection)
    event_columns = [
        "lot_id", "step", "occurred_at", "recorded_at", "actor_id", "organisation_id", "location",
        "asset_id", "quantity", "notes", "payload", "status_after", "r_strategy",
    ]  # fmt: skip
    stored: list[StoredLot] = []
    for start in range(0, total, batch):
        chunk_codes = codes[start : start + batch]
        _insert_rows(Lot, lot_columns, lot_rows[start : start + batch])
        ids = dict(Lot.objects.filter(code__in=chunk_codes).values_list("code", "id"))
        chunk = [StoredLot(ids[c], c) for c in chunk_codes]
        _insert_rows(
            Lot.source_assets.through,
            ["lot_id", "asset_id"],
            [(lot.id, asset.id) for lot in chunk],
        )
        events = []
        for lot, q in zip(chunk, quantities[start : start + batch], strict=True):
            q_db = quantity_field.get_db_prep_save(q, connection)
            for step, status in (
                (Step.IDENTIFICATION, Status.IDENTIFIED),
                (Step.INVENTORY, Status.INVENTORIED),
            ):
                events.append(
                    (
                        lot.id,
                        step,
                        now_db,
                        now_db,
                        actor_id,
                        org.id,
                        Location.IN_ASSET,
                        asset.id,
                        q_db,
                        notes,
                        payload,
                        status,
                        "",
                    )  # fmt: skip
                )
        _insert_rows(LifecycleEvent, event_columns, events)
        stored.extend(chunk)
        if progress is not None:
            progress("store", len(stored), total)
    if publish:
        _announce_published([s.id for s in stored])  # the market checks which are on offer
    return stored


@transaction.atomic
def lots_import_ifc_draft(
    *,
    asset_id: int,
    draft,
    actor=None,
    source_name: str,
    organisation: Organisation | None = None,
    overrides: dict[str, str] | None = None,
    lot_overrides: dict[str, str] | None = None,
) -> list[StoredLot]:
    """A passport from a reviewed IFC draft (engine.ifc): one identified lot per proposed
    lot (IFC type x product group x material), its quantity in the product group's unit and
    its mass from the model (weight, volume or geometry x density) or the catalogue's
    typical mass; each lot records that source (`Lot.quantity_source`). The reviewer's
    choices: `overrides` maps an IFC type to a product group for all its lots, and
    `lot_overrides` a proposed lot's key to one ("" skips). All or nothing."""
    if getattr(draft, "lots", None) is None:  # a draft of counts only (older callers)
        return _lots_import_ifc_counts(
            asset_id=asset_id,
            draft=draft,
            actor=actor,
            source_name=source_name,
            organisation=organisation,
            overrides=overrides,
        )
    groups = {g.code: g for g in ProductGroup.objects.all()}
    overrides = overrides or {}
    lot_overrides = lot_overrides or {}
    rows: list[InventoryRow] = []
    sources: list[str] = []
    for proposed in _ifc_lots_by_type_choice(draft, overrides):
        if proposed.ifc_type in overrides:
            code = overrides[proposed.ifc_type]
        elif proposed.key in lot_overrides:
            code = lot_overrides[proposed.key]
        else:
            code = proposed.product_group
        if not code:
            continue
        group = groups.get(code)
        if group is None:
            raise ValidationError(
                {
                    "product_group": _("%(t)s: unknown product group “%(g)s”.")
                    % {"t": proposed.ifc_type, "g": code}
                }
            )
        made = _ifc_lot_row(proposed, group, source_name, len(rows) + 1)
        if made is None:
            continue
        row, source = made
        rows.append(row)
        sources.append(source)
    if not rows:
        return []
    stored = lots_import_inventory(
        asset_id=asset_id,
        rows=rows,
        actor=actor,
        source_name=source_name,
        organisation=organisation,
    )
    by_source: dict[str, list[int]] = {}
    for lot_row, source in zip(stored, sources, strict=True):
        by_source.setdefault(source, []).append(lot_row.id)
    for source, ids in by_source.items():
        Lot.objects.filter(id__in=ids).update(quantity_source=source)
    return stored


def _ifc_lots_by_type_choice(draft, overrides: dict[str, str]) -> list:
    """The proposed lots, those of an IFC type the reviewer mapped as a whole merged into
    one (a window's frame and glass become one lot of windows, counted once)."""
    from dataclasses import replace

    merged: dict[str, Any] = {}
    out = []
    counts = {e.ifc_type: e.count - getattr(e, "left_out", 0) for e in draft.elements}
    for lot in draft.lots:
        if lot.ifc_type not in overrides:
            out.append(lot)
            continue
        whole = merged.get(lot.ifc_type)
        if whole is None:
            whole = merged[lot.ifc_type] = replace(
                lot,
                material="",
                source_mass_kg=dict(lot.source_mass_kg),
                flags=list(lot.flags),
                element_count=counts.get(lot.ifc_type, lot.element_count),
            )
            out.append(whole)
            continue
        whole.mass_kg += lot.mass_kg
        whole.volume_m3 += lot.volume_m3
        whole.area_m2 += lot.area_m2
        whole.length_m += lot.length_m
        for source, kg in lot.source_mass_kg.items():
            whole.source_mass_kg[source] = whole.source_mass_kg.get(source, 0.0) + kg
    return out


def _ifc_lot_row(
    proposed, group: ProductGroup, source_name: str, row_number: int
) -> tuple[InventoryRow, str] | None:
    """(the inventory row, the quantity source) of a proposed IFC lot as a lot of `group`
    (its quantity in the group's unit; whole pieces), None when it holds nothing; a mass
    per unit outside the group's bounds is refused, naming the IFC type and material."""
    from urbanmine.engine.ifc import ProductGroupInfo, lot_in_group

    info = ProductGroupInfo(
        group.code, group.unit, float(group.typical_mass_kg_per_unit), group.material
    )
    lot = lot_in_group(proposed, info)
    unit = lot.unit or group.unit
    if not lot.quantity or lot.quantity <= 0 or lot.mass_kg <= 0:
        return None
    if unit == Unit.PIECE:
        quantity = Decimal(max(1, round(lot.quantity)))
    else:
        quantity = max(Decimal(str(round(lot.quantity, 3))), Decimal("0.001"))
    if unit == Unit.T:
        per_unit = Decimal(1000)
    else:
        per_unit = max(Decimal(str(round(lot.mass_kg / float(quantity), 3))), Decimal("0.001"))
    label = f"{proposed.ifc_type} {proposed.material}".strip()
    error = lot_mass_error(group, unit, quantity, per_unit)
    if error is not None:  # e.g. weights in the wrong unit: name the IFC type
        field_name, reason = error
        raise ValidationError({field_name: _("%(t)s: %(reason)s") % {"t": label, "reason": reason}})
    row = InventoryRow(
        row_number=row_number,
        product_group=group.code,
        description=f"{label} ({source_name})"[:300],
        quantity=quantity,
        unit=unit,
        mass_kg_per_unit=per_unit,
        quality="B",
        hazardous=False,
        expected_release_date=None,
    )
    return row, lot.quantity_source


def _lots_import_ifc_counts(
    *,
    asset_id: int,
    draft,
    actor=None,
    source_name: str,
    organisation: Organisation | None = None,
    overrides: dict[str, str] | None = None,
) -> list[StoredLot]:
    """A draft that only counts elements per IFC type: one lot per (IFC type, product
    group) in pieces; mass from the model's weights where every element has one, else the
    catalogue's typical mass."""
    groups = {g.code: g for g in ProductGroup.objects.all()}
    overrides = overrides or {}
    rows: list[InventoryRow] = []
    for el in draft.elements:
        if el.ifc_type in overrides:
            chosen = overrides[el.ifc_type]
            parts = {chosen: el.count} if chosen else {}
        else:
            parts = {g: n for g, n in (el.product_groups or {}).items() if g}
            if not parts and el.product_group:
                parts = {el.product_group: el.count}
        for code, n in parts.items():
            if code not in groups:
                raise ValidationError(
                    {
                        "product_group": _("%(t)s: unknown product group “%(g)s”.")
                        % {"t": el.ifc_type, "g": code}
                    }
                )
            mass = (
                el.mass_kg / el.count
                if el.mass_kg and el.count
                else groups[code].typical_mass_kg_per_unit
            )
            mass_kg_per_unit = Decimal(str(round(float(mass), 3)))
            error = lot_mass_error(groups[code], Unit.PIECE, Decimal(n), mass_kg_per_unit)
            if error is not None:  # e.g. weights in the wrong unit: name the IFC type
                field_name, reason = error
                raise ValidationError(
                    {field_name: _("%(t)s: %(reason)s") % {"t": el.ifc_type, "reason": reason}}
                )
            rows.append(
                InventoryRow(
                    row_number=len(rows) + 1,
                    product_group=code,
                    description=f"{el.ifc_type} ({source_name})",
                    quantity=Decimal(n),
                    unit=Unit.PIECE,
                    mass_kg_per_unit=mass_kg_per_unit,
                    quality="B",
                    hazardous=False,
                    expected_release_date=None,
                )
            )
    if not rows:
        return []
    return lots_import_inventory(
        asset_id=asset_id,
        rows=rows,
        actor=actor,
        source_name=source_name,
        organisation=organisation,
    )


# ------------------------------------------------------------------------ inventory import jobs
# Large inventories (more rows than URBANMINE_IMPORT_JOB_ROWS) are imported as a background
# job (docs/development/jobs.md): parse (progress per 2,000 rows), check against the
# catalogue and store in batches within one transaction (all or nothing: a cancelled or
# failed import stores nothing), then the upload is removed.


def inventory_import_start(
    *,
    asset: Asset,
    actor,
    data: bytes,
    filename: str,
    column_map: dict[str, str] | None = None,
    dry_run: bool = False,
) -> InventoryImport:
    """Keep the upload under VAR_DIR/imports and queue its import; runs after commit."""
    if not inventory_import_may_start(actor, asset):
        raise PermissionDenied(_("Only the owner or an inventoriser adds lots to this passport."))
    organisation = acting_organisation(actor)
    _inventory_import_files_sweep()
    name = imports.import_file_save(data, filename)
    try:
        job = InventoryImport.objects.create(
            started_by=actor,
            asset=asset,
            organisation=organisation,
            source_name=filename[:255],
            file_name=name,
            column_map=column_map or {},
            dry_run=dry_run,
        )
    except BaseException:
        imports.import_file_drop(name)
        raise
    transaction.on_commit(lambda: run_job(job, inventory_import_execute, import_id=job.id))
    return job


def inventory_import_cancel(*, job: InventoryImport, actor) -> bool:
    """Stop an import (its starter): a queued one ends now (and its file goes), a running
    one at its next batch, storing nothing. False when it had ended already."""
    if not inventory_import_may_cancel(actor, job):
        raise PermissionDenied(_("Only the one who started the import cancels it."))
    changed = job_cancel(job)
    if not job.is_active:  # ended while queued: the job function will never run
        _inventory_import_file_drop(job)
    return changed


def _inventory_import_file_drop(job: InventoryImport) -> None:
    imports.import_file_drop(job.file_name)
    InventoryImport.objects.filter(pk=job.pk).update(file_name="")
    job.file_name = ""


def _inventory_import_files_sweep() -> None:
    """Files of jobs that ended without running (cancelled while queued, a broker that
    could not be reached, reaped as stale) go with the next import, and so does a file a
    day old that no job waits for (its row deleted with its asset)."""
    for job in InventoryImport.objects.exclude(file_name="").exclude(status__in=ACTIVE_STATUSES):
        _inventory_import_file_drop(job)
    waiting = set(InventoryImport.objects.exclude(file_name="").values_list("file_name", flat=True))
    cutoff = time.time() - 24 * 3600
    for path in imports.import_dir().iterdir():
        if path.name not in waiting and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@job_function
def inventory_import_execute(*, import_id: int) -> InventoryImport:
    """Parse → check → store, all or nothing; the result and the issues on the row."""
    job = InventoryImport.objects.get(pk=import_id)
    try:
        job.report_progress(1, _("Reading %(f)s…") % {"f": job.source_name})
        data = imports.import_file_path(job.file_name).read_bytes()

        def parsed(done: int, total: int | None) -> None:
            pct = 2 + (48 * done // total if total else 0)
            job.report_progress(
                min(pct, 50),
                _("Reading and checking row %(n)s of %(t)s…")
                % {"n": f"{done:,}", "t": f"{total:,}" if total else "?"},
            )

        result = imports.parse_upload(
            data, job.source_name, job.column_map, limits=imports.job_limits(), on_progress=parsed
        )
        job.rows, job.mass_kg = len(result.rows), float(result.total_mass_kg)
        job.issues = {
            "errors": [e.to_dict() for e in result.errors[:1000]],
            "error_count": len(result.errors),
            "warnings": [w.to_dict() for w in result.warnings],
        }
        if result.errors:
            raise InventoryInvalid(
                ngettext(
                    "%(n)s error: nothing was imported.",
                    "%(n)s errors: nothing was imported.",
                    len(result.errors),
                )
                % {"n": len(result.errors)}
            )
        if job.dry_run:
            job.message = _("The file is valid: %(n)d rows; nothing was stored (check only).") % {
                "n": job.rows
            }
        else:
            job.report_progress(
                50, _("Checking %(n)s rows against the catalogue…") % {"n": f"{job.rows:,}"}
            )
            with _ProgressOutsideTransaction(job) as report:
                stored = lots_import_inventory(
                    asset_id=job.asset_id,
                    rows=result.rows,
                    actor=job.started_by,
                    source_name=job.source_name,
                    organisation=job.organisation,
                    progress=report,
                    batch=IMPORT_BATCH,
                )
            job.stored, job.lot_codes = len(stored), [lot.code for lot in stored]
            job.message = ngettext(
                "%(n)d lot imported from %(f)s.", "%(n)d lots imported from %(f)s.", len(stored)
            ) % {"n": len(stored), "f": job.source_name}
    except ValidationError as exc:  # a row the catalogue refuses (it changed meanwhile)
        job.finish(InventoryInvalid(error_text(exc)))
    except Exception as exc:  # recorded on the job for the user to see
        job.finish(exc)
    else:
        job.finish()
    finally:
        _inventory_import_file_drop(job)
    return job


class InventoryInvalid(Exception):
    """The inventory has errors: nothing is stored (its issues are on the job)."""


class _ProgressOutsideTransaction:
    """Progress of the store, which runs in one transaction. Between batches it reads the
    job row (a cancel committed meanwhile stops the import: JobCancelled rolls it all
    back), and writes the progress through a connection of its own: written from inside the
    transaction, it would stay invisible to the status page until the end and lock the row
    against the cancel and the heartbeat. SQLite has one writer, the store itself: there
    the progress shows again when the store ends."""

    def __init__(self, job: InventoryImport) -> None:
        self.job = job
        self.side: BaseDatabaseWrapper | None = None

    def __enter__(self) -> ImportProgress:
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        return self.report

    def __exit__(self, *exc: object) -> None:
        if self.side is not None:
            self.side.close()

    def report(self, stage: str, done: int, total: int) -> None:
        state = (
            InventoryImport.objects.filter(pk=self.job.pk)
            .values_list("status", "cancel_requested")
            .first()
        )
        if state is None or state[0] not in ACTIVE_STATUSES or state[1]:
            raise JobCancelled(cancelled_message())
        if stage == "validate":
            pct, text = 50 + 10 * done // max(total, 1), _("Checked %(n)s of %(t)s rows…")
        else:
            pct, text = 60 + 39 * done // max(total, 1), _("Stored %(n)s of %(t)s lots…")
        if self.side is None:
            return
        message = text % {"n": f"{done:,}", "t": f"{total:,}"}
        table = connection.ops.quote_name(InventoryImport._meta.db_table)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress = %s, message = %s, heartbeat_at = %s "  # noqa: S608
                "WHERE id = %s AND status = %s AND NOT cancel_requested",
                [pct, message[:500], timezone.now(), self.job.pk, JobStatus.RUNNING],
            )


# ------------------------------------------------------------------------ publication
def lot_review_flags(lot: Lot) -> list[str]:
    """What the owner should look at before publishing a draft: a mass per unit far from
    the product group's band, "pieces" of a tonne or more of a group that is weighed, no
    description."""
    flags = []
    if not lot_mass_plausible(lot):
        flags.append(_("mass per unit outside what is plausible for this product group"))
    elif (
        lot.unit == Unit.PIECE
        and lot.product_group.unit != Unit.PIECE
        and lot.mass_kg_per_unit >= 1000
    ):  # "13 stuk betongranulaat" of a tonne each: counted what is weighed
        flags.append(
            _("a piece of %(kg)s kg: check the unit") % {"kg": f"{lot.mass_kg_per_unit:,.0f}"}
        )
    if not (lot.description or "").strip():
        flags.append(_("no description (dimensions, type)"))
    return flags


@transaction.atomic
def lots_publish(*, lot_ids: list[int], actor) -> list[Lot]:
    """The owner publishes drafts: they go on offer as far as their status allows (a lot
    still to be inventoried, or hazardous, stays off the supply list). All or none: a lot
    of another owner, or not a draft, refuses the whole set, naming it."""
    lots = list(
        Lot.objects.select_for_update(of=("self",))  # source_asset may be null: outer join
        .select_related("source_asset")
        .filter(pk__in=lot_ids)
        .order_by("code")
    )
    if not lots or len(lots) != len(set(lot_ids)):
        raise ValidationError({"lots": _("Choose the draft lots to publish.")})
    orgs = user_organisation_ids(actor)
    for lot in lots:
        granted = lot.source_asset is not None and asset_may_publish(actor, lot.source_asset)
        if lot.owner_id not in orgs and not granted:
            raise PermissionDenied(
                _("Only the owner (or whom it let publish) publishes lot %(code)s.")
                % {"code": lot.code}
            )
        if not lot.draft:
            raise ValidationError(
                {"lots": _("Lot %(code)s is published already.") % {"code": lot.code}}
            )
    published = []
    for lot in lots:
        lot.draft = False
        _sync_publication(lot)
        lot.save(update_fields=["draft", "is_published"])
        if lot.is_published:
            published.append(lot.id)
    _announce_published(published)
    return lots


@transaction.atomic
def lot_set_asking_price(*, lot_id: int, actor, price_eur) -> Lot:
    """The owner's asking price per unit (excl. VAT), shown with the lot on offer; empty
    clears it. Refused: not the owner, a price below zero or not a number."""
    lot = _lock(lot_id)
    if lot.owner_id not in user_organisation_ids(actor):
        raise PermissionDenied(
            _("Only the owner of lot %(code)s sets its price.") % {"code": lot.code}
        )
    if price_eur in (None, ""):
        price = None
    else:
        try:
            price = Decimal(str(price_eur).replace(",", ".")).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"asking_price_eur": _("Give the price as a number.")}) from None
        if price < 0 or not price.is_finite():
            raise ValidationError({"asking_price_eur": _("A price cannot be below zero.")})
        if price >= Decimal("1e10"):
            raise ValidationError({"asking_price_eur": _("The price is too high.")})
    lot.asking_price_eur = price
    lot.save(update_fields=["asking_price_eur"])
    return lot
