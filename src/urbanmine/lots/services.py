"""Writes on lots: identification, process steps, splits and merges.

Every function is keyword-only, runs in one transaction, locks the lots it changes
(`select_for_update`) and appends lifecycle events; nothing is ever half-saved.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.catalogue.models import COUNTED_UNITS, ProductGroup, Unit
from urbanmine.hubs.models import Hub
from urbanmine.organisations.models import ChainRole, Organisation, OrganisationRole
from urbanmine.organisations.selectors import (
    may_change_lot,
    may_record_step,
    user_organisation_ids,
)

from .lifecycle import OFFERABLE, EventFacts, Status, Step, TransitionError, next_status
from .models import (
    Inspection,
    InspectionResult,
    LifecycleEvent,
    Location,
    Lot,
    LotLineage,
    RStrategy,
)

# Steps that act on part of a lot: a smaller quantity splits the lot first.
PARTIAL_STEPS = {
    Step.DISMANTLING,
    Step.CONNECTION,
    Step.SALE,
    Step.TRANSPORT_STORAGE,
    Step.EXECUTION,
}


def new_lot_code() -> str:
    return "L-" + uuid.uuid4().hex[:10].upper()


def _decimal(value, field: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            {field: _("“%(value)s” is not a number.") % {"value": value}}
        ) from None
    if not d.is_finite():
        raise ValidationError({field: _("“%(value)s” is not a number.") % {"value": value}})
    return d


def validate_quantity(quantity, unit: str, field: str = "quantity") -> Decimal:
    q = _decimal(quantity, field)
    if q <= 0:
        raise ValidationError(
            {field: _("The quantity must be more than zero (got %(q)s).") % {"q": q}}
        )
    if unit in COUNTED_UNITS and q != q.to_integral_value():
        raise ValidationError(
            {field: _("Pieces are counted in whole numbers (got %(q)s).") % {"q": q}}
        )
    return q


def _acting_organisation(user, organisation: Organisation | None) -> Organisation:
    orgs = user_organisation_ids(user)
    if organisation is None:
        if not orgs:
            raise PermissionDenied(_("You do not belong to an organisation."))
        return Organisation.objects.get(id=min(orgs))
    if organisation.id not in orgs:
        raise PermissionDenied(_("You do not act for %(org)s.") % {"org": organisation})
    return organisation


def _sync_publication(lot: Lot) -> None:
    lot.is_published = not lot.is_hazardous and lot.status in OFFERABLE and lot.quantity > 0


def hub_stock_mass_kg(hub: Hub, exclude_lot_id: int | None = None) -> Decimal:
    qs = Lot.objects.filter(hub=hub, location=Location.AT_HUB).exclude(status=Status.CLOSED)
    if exclude_lot_id:
        qs = qs.exclude(id=exclude_lot_id)
    mass = ExpressionWrapper(F("quantity") * F("mass_kg_per_unit"), output_field=DecimalField())
    return qs.aggregate(m=Sum(mass))["m"] or Decimal(0)


def _check_hub_intake(hub: Hub, lot: Lot, quantity: Decimal, organisation: Organisation) -> None:
    """Consent, acceptance and capacity; locks the hub row first, so two intakes at the same
    moment are checked one after the other (the second sees the first's lot)."""
    Hub.objects.select_for_update().filter(pk=hub.pk).first()
    if not hub.open_to_deliveries and organisation.id != hub.operator_id:
        raise ValidationError(
            {
                "hub": _("%(hub)s takes in lots from its operator (%(op)s) only.")
                % {"hub": hub, "op": hub.operator}
            }
        )
    if not hub.accepts(lot.product_group):
        raise ValidationError(
            {
                "hub": _("%(hub)s does not accept %(group)s.")
                % {"hub": hub, "group": lot.product_group}
            }
        )
    incoming = quantity * lot.mass_kg_per_unit
    held = hub_stock_mass_kg(hub, exclude_lot_id=lot.id)
    capacity_kg = hub.capacity_t * 1000
    if held + incoming > capacity_kg:
        raise ValidationError(
            {
                "hub": _(
                    "%(hub)s is full: %(held).1f t held + %(inc).1f t incoming exceeds its capacity of %(cap).1f t."
                )
                % {"hub": hub, "held": held / 1000, "inc": incoming / 1000, "cap": hub.capacity_t}
            }
        )


def _append_event(
    lot: Lot,
    *,
    step: str,
    actor,
    organisation: Organisation,
    occurred_at: datetime,
    quantity: Decimal | None = None,
    notes: str = "",
    payload: dict | None = None,
    co2_avoided_kg: float | None = None,
    waste_diverted_kg: float | None = None,
    r_strategy: str = "",
) -> LifecycleEvent:
    return LifecycleEvent.objects.create(
        lot=lot,
        step=step,
        occurred_at=occurred_at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        location=lot.location,
        asset=lot.applied_asset if lot.location == Location.APPLIED else lot.source_asset,
        hub=lot.hub if lot.location == Location.AT_HUB else None,
        quantity=lot.quantity if quantity is None else quantity,
        notes=notes,
        payload=payload or {},
        status_after=lot.status,
        co2_avoided_kg=co2_avoided_kg,
        waste_diverted_kg=waste_diverted_kg,
        r_strategy=r_strategy,
    )


@transaction.atomic
def lot_identify(
    *,
    asset,
    product_group: ProductGroup,
    quantity,
    unit: str,
    mass_kg_per_unit,
    quality: str,
    organisation: Organisation,
    actor=None,
    description: str = "",
    has_asbestos: bool = False,
    has_chromium6: bool = False,
    has_other_hazard: bool = False,
    expected_release_date=None,
    occurred_at: datetime | None = None,
    notes: str = "",
    custodian: Organisation | None = None,
) -> Lot:
    """Record a new passport line in an asset (step 1: identification). The material stays
    in the owner's custody unless a custodian (e.g. a contracted demolisher) is given."""
    if unit not in Unit.values:
        raise ValidationError({"unit": _("Unknown unit “%(u)s”.") % {"u": unit}})
    q = validate_quantity(quantity, unit)
    m = _decimal(mass_kg_per_unit, "mass_kg_per_unit")
    if m < 0:
        raise ValidationError({"mass_kg_per_unit": _("The mass cannot be negative.")})
    if quality not in ("A", "B", "C"):
        raise ValidationError(
            {"quality": _("Quality must be A, B or C (got “%(q)s”).") % {"q": quality}}
        )
    now = occurred_at or timezone.now()
    lot = Lot(
        code=new_lot_code(),
        product_group=product_group,
        description=description,
        quantity=q,
        unit=unit,
        mass_kg_per_unit=m,
        quality=quality,
        has_asbestos=has_asbestos,
        has_chromium6=has_chromium6,
        has_other_hazard=has_other_hazard,
        owner=asset.owner,
        custodian=custodian or asset.owner,
        source_asset=asset,
        location=Location.IN_ASSET,
        status=Status.IDENTIFIED,
        status_since=now,
        expected_release_date=expected_release_date,
    )
    lot.full_clean(exclude=["code", "source_assets"])
    _sync_publication(lot)
    lot.save()
    lot.source_assets.add(asset)
    _append_event(
        lot,
        step=Step.IDENTIFICATION,
        actor=actor,
        organisation=organisation,
        occurred_at=now,
        notes=notes,
    )
    return lot


def _split_locked(
    lot: Lot, quantity: Decimal, *, actor, organisation, occurred_at, notes=""
) -> Lot:
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
    payload = {"parent": lot.code, "child": child.code}
    _append_event(
        lot,
        step=Step.SPLIT,
        actor=actor,
        organisation=organisation,
        occurred_at=occurred_at,
        quantity=quantity,
        notes=notes,
        payload=payload,
    )
    # The child's history begins with the split, after a copy of the parent's status.
    _append_event(
        child,
        step=Step.SPLIT,
        actor=actor,
        organisation=organisation,
        occurred_at=occurred_at,
        quantity=quantity,
        notes=notes,
        payload=payload,
    )
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
    if not may_change_lot(actor, lot):
        raise PermissionDenied(_("Only the owner or custodian of a lot may split it."))
    org = _acting_organisation(actor, organisation)
    try:
        next_status(lot.status, EventFacts(Step.SPLIT), hazardous=lot.is_hazardous)
    except TransitionError as e:
        raise ValidationError({e.field: e.message}) from None
    return _split_locked(
        lot,
        _decimal(quantity, "quantity"),
        actor=actor,
        organisation=org,
        occurred_at=occurred_at or timezone.now(),
        notes=notes,
    )


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
    ids = sorted(set(lot_ids))
    if len(ids) < 2:
        raise ValidationError({"lots": _("Choose at least two lots to merge.")})
    lots = list(Lot.objects.select_for_update().filter(id__in=ids).order_by("id"))
    if len(lots) != len(ids):
        raise ValidationError({"lots": _("One of the lots does not exist.")})
    org = _acting_organisation(actor, organisation)
    for lot in lots:
        if not may_change_lot(actor, lot):
            raise PermissionDenied(_("You may not change lot %(code)s.") % {"code": lot.code})
        try:
            next_status(lot.status, EventFacts(Step.MERGE, closes=True), hazardous=lot.is_hazardous)
        except TransitionError as e:
            raise ValidationError({"lots": f"{lot.code}: {e.message}"}) from None
    first = lots[0]
    for lot in lots[1:]:
        for field in ("product_group_id", "unit", "quality", "hub_id", "location", "owner_id"):
            if getattr(lot, field) != getattr(first, field):
                raise ValidationError(
                    {
                        "lots": _(
                            "Lots %(a)s and %(b)s differ in %(f)s; only like lots at one hub merge."
                        )
                        % {"a": first.code, "b": lot.code, "f": field.removesuffix("_id")}
                    }
                )
    if first.location != Location.AT_HUB:
        raise ValidationError({"lots": _("Lots are merged at a hub.")})
    now = occurred_at or timezone.now()
    total_q = sum((lot.quantity for lot in lots), Decimal(0))
    total_mass = sum((lot.quantity * lot.mass_kg_per_unit for lot in lots), Decimal(0))
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
    )
    sources = set()
    for lot in lots:
        sources.update(lot.source_assets.values_list("id", flat=True))
    merged.source_assets.set(sources)
    _sync_publication(merged)
    merged.save(update_fields=["is_published"])
    codes = [lot.code for lot in lots]
    for lot in lots:
        LotLineage.objects.create(parent=lot, child=merged, kind="merge", quantity=lot.quantity)
        q = lot.quantity
        lot.status = Status.CLOSED
        lot.status_since = now
        lot.is_published = False
        lot.save(update_fields=["status", "status_since", "is_published"])
        _append_event(
            lot,
            step=Step.MERGE,
            actor=actor,
            organisation=org,
            occurred_at=now,
            quantity=q,
            notes=notes,
            payload={"into": merged.code},
        )
    _append_event(
        merged,
        step=Step.MERGE,
        actor=actor,
        organisation=org,
        occurred_at=now,
        quantity=total_q,
        notes=notes,
        payload={"from": codes},
    )
    return merged


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


@transaction.atomic
def lot_record_step(
    *,
    lot_id: int,
    step: str,
    actor,
    organisation: Organisation | None = None,
    occurred_at: datetime | None = None,
    quantity=None,
    notes: str = "",
    hub: Hub | None = None,
    target_asset=None,
    counterparty: Organisation | None = None,
    passed: bool | None = None,
    guideline: str = "",
    certificate_number: str = "",
    valid_until=None,
    r_strategy: str = "",
    in_transit: bool = False,
    authorised_by_platform: bool = False,
) -> LifecycleEvent:
    """Record one process step on a lot, after checking permission and legality.
    A smaller quantity than the lot holds splits the lot first (e.g. part sold).
    `authorised_by_platform`: the caller (e.g. accepting a proposal) has checked who may
    act; the event is recorded for `organisation`."""
    lot = _lock(lot_id)
    if authorised_by_platform:
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Name the organisation the step is recorded for.")}
            )
        org = organisation
    else:
        if not may_record_step(actor, lot, step):
            raise PermissionDenied(
                _(
                    "Only the owner or custodian of a lot may record steps on it; a certifier "
                    "may record a quality control."
                )
            )
        org = _acting_organisation(actor, organisation)
        if not may_change_lot(actor, lot):  # an inspection by a certifier: act as one
            certifiers = set(
                OrganisationRole.objects.filter(
                    organisation_id__in=user_organisation_ids(actor), role=ChainRole.CERTIFIER
                ).values_list("organisation_id", flat=True)
            )
            if org.id not in certifiers:
                org = Organisation.objects.get(id=min(certifiers))
    now = occurred_at or timezone.now()
    if now > timezone.now() + timezone.timedelta(days=1):
        raise ValidationError({"occurred_at": _("A step cannot be recorded in the future.")})
    last = lot.events.order_by("-occurred_at", "-id").values_list("occurred_at", flat=True).first()
    if last and now < last:
        raise ValidationError(
            {
                "occurred_at": _("The date lies before the lot's last recorded step (%(d)s).")
                % {"d": f"{last:%Y-%m-%d}"}
            }
        )
    if step in (Step.SPLIT, Step.MERGE, Step.IDENTIFICATION):
        raise ValidationError(
            {"step": _("Use the split, merge or identify actions for this step.")}
        )
    try:
        new_status = next_status(
            lot.status, EventFacts(step, passed=passed), hazardous=lot.is_hazardous
        )
    except TransitionError as e:
        raise ValidationError({e.field: e.message}) from None

    q = lot.quantity if quantity in (None, "") else validate_quantity(quantity, lot.unit)
    if q > lot.quantity:
        raise ValidationError(
            {
                "quantity": _("The lot holds only %(have)s %(unit)s.")
                % {"have": lot.quantity, "unit": lot.unit}
            }
        )
    # Validate step-specific inputs before any write.
    if step in (Step.DISMANTLING, Step.TRANSPORT_STORAGE) and hub is not None:
        _check_hub_intake(hub, lot, q, org)
    if step == Step.EXECUTION and target_asset is None:
        raise ValidationError({"target_asset": _("Choose the asset the lot is applied in.")})
    if (
        step == Step.EXECUTION
        and not authorised_by_platform
        and target_asset.owner_id not in user_organisation_ids(actor)
    ):
        raise PermissionDenied(_("A lot is applied only in an asset of your own organisation."))
    if step in (Step.SALE, Step.OWNERSHIP_CHANGE, Step.CUSTODY_CHANGE) and counterparty is None:
        raise ValidationError(
            {"counterparty": _("Choose the organisation that takes the lot over.")}
        )
    if step == Step.QUALITY_CONTROL and not guideline:
        guideline = lot.product_group.assessment_guideline or "-"
    if r_strategy and r_strategy not in RStrategy.values:
        raise ValidationError({"r_strategy": _("Unknown R-strategy “%(r)s”.") % {"r": r_strategy}})

    if q < lot.quantity and step in PARTIAL_STEPS:
        lot = _split_locked(lot, q, actor=actor, organisation=org, occurred_at=now)

    payload: dict = {}
    co2 = waste = None
    if step == Step.DISMANTLING:
        if lot.location == Location.APPLIED:
            payload["from_asset"] = lot.applied_asset_id
            lot.source_asset = lot.applied_asset
            lot.source_assets.add(lot.applied_asset)
            lot.applied_asset = None
        if hub is not None:
            lot.location, lot.hub, lot.hub_since = Location.AT_HUB, hub, now
            if lot.custodian_id != hub.operator_id:
                payload["custodian_from"] = lot.custodian_id
                lot.custodian = hub.operator
            payload["hub"] = hub.id
        else:
            lot.location, lot.hub, lot.hub_since = (
                (Location.IN_TRANSIT if in_transit else Location.IN_ASSET),
                None,
                None,
            )
    elif step == Step.TRANSPORT_STORAGE:
        if hub is not None:
            if lot.hub_id != hub.id:
                lot.hub_since = now
            lot.location, lot.hub = Location.AT_HUB, hub
            payload["hub"] = hub.id
            if lot.custodian_id != hub.operator_id:
                payload["custodian_from"] = lot.custodian_id
                lot.custodian = hub.operator
        else:
            lot.location, lot.hub, lot.hub_since = Location.IN_TRANSIT, None, None
    elif step == Step.SALE:
        payload["owner_from"], payload["owner_to"] = lot.owner_id, counterparty.id
        lot.owner = counterparty
        co2, waste = realised_impact(lot, lot.quantity)
        r_strategy = r_strategy or RStrategy.R3
    elif step == Step.CONNECTION:
        co2, waste = realised_impact(lot, lot.quantity)
        r_strategy = r_strategy or RStrategy.R3
        if counterparty is not None:
            payload["for_organisation"] = counterparty.id
    elif step == Step.OWNERSHIP_CHANGE:
        payload["owner_from"], payload["owner_to"] = lot.owner_id, counterparty.id
        lot.owner = counterparty
    elif step == Step.CUSTODY_CHANGE:
        payload["custodian_from"], payload["custodian_to"] = lot.custodian_id, counterparty.id
        lot.custodian = counterparty
    elif step == Step.EXECUTION:
        payload["asset"] = target_asset.id
        lot.location, lot.applied_asset, lot.hub, lot.hub_since = (
            Location.APPLIED,
            target_asset,
            None,
            None,
        )
        co2, waste = realised_impact(lot, lot.quantity)
        r_strategy = r_strategy or lot.r_strategy or RStrategy.R3
        lot.r_strategy = r_strategy
    elif step == Step.QUALITY_CONTROL:
        payload["passed"] = bool(passed)

    if new_status != lot.status:
        lot.status, lot.status_since = new_status, now
    _sync_publication(lot)
    lot.save()
    event = _append_event(
        lot,
        step=step,
        actor=actor,
        organisation=org,
        occurred_at=now,
        quantity=lot.quantity,
        notes=notes,
        payload=payload,
        co2_avoided_kg=co2,
        waste_diverted_kg=waste,
        r_strategy=r_strategy,
    )
    if step == Step.QUALITY_CONTROL:
        Inspection.objects.create(
            lot=lot,
            event=event,
            inspector=org,
            inspected_on=now.date(),
            guideline=guideline,
            result=InspectionResult.PASSED if passed else InspectionResult.FAILED,
            certificate_number=certificate_number,
            valid_until=valid_until,
            notes=notes,
        )
    return event


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


@transaction.atomic
def lots_import_inventory(
    *,
    asset_id: int,
    rows: list,
    actor=None,
    source_name: str,
    organisation: Organisation | None = None,
) -> list[StoredLot]:
    """Store validated inventory rows (engine.inventory.InventoryRow) as inventoried lots of
    an asset, each with its identification and inventory events: all or nothing."""
    from urbanmine.assets.models import Asset

    try:
        asset = Asset.objects.select_related("owner").get(pk=asset_id)
    except Asset.DoesNotExist:
        raise ValidationError(
            {"asset": _("Asset %(id)s does not exist.") % {"id": asset_id}}
        ) from None
    org = organisation or asset.owner
    groups = dict(ProductGroup.objects.values_list("code", "id"))
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
        "is_published", "is_demo", "created_at",
    ]  # fmt: skip
    lot_rows, codes, quantities = [], [], []
    for row in rows:
        group_id = groups.get(row.product_group)
        if group_id is None:
            raise ValidationError(
                {
                    "product_group": _("Row %(r)s: unknown product group “%(g)s”.")
                    % {"r": row.row_number, "g": row.product_group}
                }
            )
        q = validate_quantity(row.quantity, row.unit)
        mass = _decimal(row.mass_kg_per_unit, "mass_kg_per_unit")
        if mass < 0:
            raise ValidationError(
                {
                    "mass_kg_per_unit": _("Row %(r)s: the mass cannot be negative.")
                    % {"r": row.row_number}
                }
            )
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
                not hazardous,
                False,
                now_db,
            )  # fmt: skip
        )
    _insert_rows(Lot, lot_columns, lot_rows)
    ids: dict[str, int] = {}
    for i in range(0, len(codes), 5000):
        ids.update(Lot.objects.filter(code__in=codes[i : i + 5000]).values_list("code", "id"))
    stored = [StoredLot(ids[c], c) for c in codes]
    _insert_rows(
        Lot.source_assets.through, ["lot_id", "asset_id"], [(lot.id, asset.id) for lot in stored]
    )
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    notes = _("Imported from %(f)s") % {"f": source_name}
    payload = LifecycleEvent._meta.get_field("payload").get_db_prep_save({}, connection)
    event_columns = [
        "lot_id", "step", "occurred_at", "recorded_at", "actor_id", "organisation_id", "location",
        "asset_id", "quantity", "notes", "payload", "status_after", "r_strategy",
    ]  # fmt: skip
    events = []
    for lot, q in zip(stored, quantities, strict=True):
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
) -> list[StoredLot]:
    """A passport from a reviewed IFC draft: one identified lot per (IFC type, product group),
    counted in pieces; mass from the model's weight quantities where every element has one,
    else the catalogue's typical mass. `overrides` maps an IFC type to the product group the
    reviewer chose ("" skips the type)."""
    from urbanmine.engine.inventory import InventoryRow

    groups = {g.code: g for g in ProductGroup.objects.all()}
    overrides = overrides or {}
    rows = []
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
            rows.append(
                InventoryRow(
                    row_number=len(rows) + 1,
                    product_group=code,
                    description=f"{el.ifc_type} ({source_name})",
                    quantity=Decimal(n),
                    unit=Unit.PIECE,
                    mass_kg_per_unit=Decimal(str(round(float(mass), 3))),
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
