"""Writes on assets and their planned interventions."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.organisations.selectors import user_organisation_ids
from urbanmine.regions.services import municipality_for_point, parse_location

from .models import Asset, PlannedIntervention


@transaction.atomic
def asset_create(
    *,
    owner,
    name: str,
    scope: str,
    use_type: str,
    lat=None,
    lon=None,
    rd_x=None,
    rd_y=None,
    actor=None,
    address: str = "",
    construction_year=None,
    floor_area_m2=None,
    length_m=None,
    area_m2=None,
    is_demo: bool = False,
) -> Asset:
    if actor is not None and owner.id not in user_organisation_ids(actor) and not actor.is_staff:
        raise PermissionDenied(_("You may only register assets for your own organisation."))
    lat_f, lon_f = parse_location(lat=lat, lon=lon, rd_x=rd_x, rd_y=rd_y)
    if construction_year is not None and int(construction_year) > timezone.now().year + 5:
        raise ValidationError(
            {"construction_year": _("The construction year lies too far in the future.")}
        )
    asset = Asset(
        owner=owner,
        name=name,
        scope=scope,
        use_type=use_type,
        lat=lat_f,
        lon=lon_f,
        municipality=municipality_for_point(lat_f, lon_f),
        address=address,
        construction_year=construction_year,
        floor_area_m2=floor_area_m2,
        length_m=length_m,
        area_m2=area_m2,
        is_demo=is_demo,
    )
    asset.full_clean()
    asset.save()
    return asset


@transaction.atomic
def intervention_plan(
    *, asset: Asset, kind: str, planned_start, planned_end, actor=None, note: str = ""
):
    if actor is not None and asset.owner_id not in user_organisation_ids(actor):
        raise PermissionDenied(_("Only the asset owner plans interventions."))
    item = PlannedIntervention(
        asset=asset, kind=kind, planned_start=planned_start, planned_end=planned_end, note=note
    )
    item.full_clean()
    item.save()
    return item
