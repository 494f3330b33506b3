"""Writes on assets and their planned interventions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.core.documents import validate_pdf
from urbanmine.core.keywords import check_keywords
from urbanmine.organisations.models import ChainRole, Organisation
from urbanmine.regions.services import municipality_for_point, parse_location

from .models import Asset, AssetGrant, GrantRole, PermitDecision, PermitStatus, PlannedIntervention
from .permissions import (
    asset_may_change,
    asset_may_grant,
    asset_may_register_for,
    permit_authority_for,
)


class _AssetRequired(TypedDict):
    name: str
    scope: str
    use_type: str


class AssetFields(_AssetRequired, total=False):
    """What registering an asset needs: a name, scope and use type, and a place given as
    WGS84 `lat`/`lon` or RD New `rd_x`/`rd_y` (the municipality follows from it).
    (Optional keys by class totality: postponed annotations hide `NotRequired` at run time.)"""

    lat: float | None
    lon: float | None
    rd_x: float | None
    rd_y: float | None
    address: str
    construction_year: int | None
    floor_area_m2: Decimal | float | None
    length_m: Decimal | float | None
    area_m2: Decimal | float | None
    is_demo: bool


@transaction.atomic
def asset_create(*, owner: Organisation, actor=None, **fields: Unpack[AssetFields]) -> Asset:
    """Register an asset for `owner` (`actor` None: the system, e.g. a data import)."""
    check_keywords("asset_create", fields, AssetFields)
    if actor is not None and not asset_may_register_for(actor, owner):
        raise PermissionDenied(_("You may only register assets for your own organisation."))
    lat, lon = parse_location(
        lat=fields.get("lat"),
        lon=fields.get("lon"),
        rd_x=fields.get("rd_x"),
        rd_y=fields.get("rd_y"),
    )
    year = fields.get("construction_year")
    if year is not None and int(year) > timezone.now().year + 5:
        raise ValidationError(
            {"construction_year": _("The construction year lies too far in the future.")}
        )
    asset = Asset(
        owner=owner,
        name=fields["name"],
        scope=fields["scope"],
        use_type=fields["use_type"],
        lat=lat,
        lon=lon,
        municipality=municipality_for_point(lat, lon),
        address=fields.get("address", ""),
        construction_year=year,
        floor_area_m2=fields.get("floor_area_m2"),
        length_m=fields.get("length_m"),
        area_m2=fields.get("area_m2"),
        is_demo=fields.get("is_demo", False),
    )
    asset.full_clean()
    with set_actor(actor):  # the audit log names who registered it, with or without a request
        asset.save()
    return asset


@transaction.atomic
def intervention_plan(
    *,
    asset: Asset,
    kind: str,
    planned_start: date,
    planned_end: date,
    actor=None,
    note: str = "",
) -> PlannedIntervention:
    if actor is not None and not asset_may_change(actor, asset):
        raise PermissionDenied(_("Only the asset owner plans interventions."))
    item = PlannedIntervention(
        asset=asset, kind=kind, planned_start=planned_start, planned_end=planned_end, note=note
    )
    item.full_clean()
    with set_actor(actor):  # the audit log names who planned it
        item.save()
    return item


@transaction.atomic
def permit_decide(
    *,
    asset: Asset,
    status: str,
    actor,
    conditions: str = "",
    case_number: str = "",
    document: File | None = None,
) -> PermitDecision:
    """The permit authority records its decision on a project (added to the project's
    decisions; the latest holds), with the decision itself attached as PDF if given."""
    authority = permit_authority_for(actor, asset)
    if authority is None:
        raise PermissionDenied(
            _("Only a permit authority serving %(m)s decides on this project.")
            % {"m": asset.municipality}
        )
    if status not in PermitStatus.values:
        raise ValidationError({"status": _("Choose a decision.")})
    if status == PermitStatus.GRANTED_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": _("Name the conditions of the permit.")})
    if document is not None:
        validate_pdf(document, "document")
    with set_actor(actor):
        decision = PermitDecision.objects.create(
            asset=asset,
            authority=authority,
            status=status,
            conditions=conditions.strip(),
            case_number=case_number.strip()[:40],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if document is not None:
            decision.document.save("decision.pdf", document, save=True)
    return decision


#: the chain role an organisation needs to be granted a role on an asset
GRANT_NEEDS_ROLE = {
    GrantRole.INVENTORISER: ChainRole.INVENTORISER,
    GrantRole.DEMOLISHER: ChainRole.DEMOLISHER,
    GrantRole.DESIGNER: ChainRole.DESIGNER,
    GrantRole.BUILDER: ChainRole.BUILDER,
    GrantRole.PERMIT_AUTHORITY: ChainRole.PERMIT_AUTHORITY,
}


@transaction.atomic
def asset_grant(
    *,
    asset: Asset,
    organisation: Organisation,
    role: str,
    actor,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> AssetGrant:
    """The owner lets `organisation` in on the asset in `role` from `starts_on` (today)
    until `ends_on` (open). Refused: a grant to the owner itself, to an organisation without
    that chain role, an end before the start, or a second grant overlapping a live one."""
    if not asset_may_grant(actor, asset):
        raise PermissionDenied(_("Only the asset's owner grants access to it."))
    if role not in GrantRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    if organisation.pk == asset.owner_id:
        raise ValidationError(
            {"organisation": _("%(org)s owns the asset already.") % {"org": organisation}}
        )
    needed = GRANT_NEEDS_ROLE[GrantRole(role)]
    if not organisation.roles.filter(role=needed).exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s is not registered as %(role)s.")
                % {"org": organisation, "role": needed.label.lower()}
            }
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            {"ends_on": _("The end date lies before the start date (%(d)s).") % {"d": starts_on}}
        )
    Asset.objects.select_for_update().filter(pk=asset.pk).first()  # one grant at a time
    overlapping = AssetGrant.objects.filter(
        asset=asset, organisation=organisation, role=role, revoked_at__isnull=True
    ).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        overlapping = overlapping.exclude(starts_on__gt=ends_on)
    if overlapping.exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s already has this role on %(asset)s.")
                % {"org": organisation, "asset": asset.name}
            }
        )
    with set_actor(actor):
        return AssetGrant.objects.create(
            asset=asset,
            organisation=organisation,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            granted_at=timezone.now(),
        )


@transaction.atomic
def asset_grant_revoke(*, grant_id: int, actor) -> AssetGrant:
    """The owner ends a grant now; the grant stays in the asset's access history."""
    grant = AssetGrant.objects.select_for_update().select_related("asset").filter(pk=grant_id)
    found = grant.first()
    if found is None:
        raise ValidationError({"grant": _("Grant %(id)s does not exist.") % {"id": grant_id}})
    if not asset_may_grant(actor, found.asset):
        raise PermissionDenied(_("Only the asset's owner revokes access to it."))
    if found.revoked_at is not None:
        raise ValidationError({"grant": _("This grant was revoked already.")})
    found.revoked_at = timezone.now()
    found.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    with set_actor(actor):
        found.save(update_fields=["revoked_at", "revoked_by"])
    return found
