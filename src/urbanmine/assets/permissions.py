"""Who may see and change an asset and its passport. Views, API and services ask these.

Visibility follows the lots in an asset through the reverse relation `lots` (a lookup by
name; this app does not import the lots app, which sits above it).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from urbanmine.organisations.membership import (
    user_has_role,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole, Organisation

from .models import Asset, AssetGrant, GrantRole


# ------------------------------------------------------------------------------- grants
def active_grants(orgs, roles=None) -> QuerySet[AssetGrant]:
    """Grants to these organisations that hold today: started, not ended, not revoked."""
    today = timezone.localdate()
    qs = AssetGrant.objects.filter(
        organisation_id__in=orgs, revoked_at__isnull=True, starts_on__lte=today
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    return qs.filter(role__in=roles) if roles else qs


def granted_filter(user, asset_ref: str, roles=None) -> Q:
    """Rows whose asset (the field `asset_ref`) is granted to one of the user's
    organisations today (in one of `roles`, if given)."""
    orgs = user_organisation_ids(user)
    if not orgs:
        return Q(pk__in=[])
    return Q(Exists(active_grants(orgs, roles).filter(asset=OuterRef(asset_ref))))


def granted_asset_ids(user, roles=None) -> frozenset[int]:
    orgs = user_organisation_ids(user)
    if not orgs:
        return frozenset()
    return frozenset(active_grants(orgs, roles).values_list("asset_id", flat=True))


def asset_grant_role(user, asset: Asset, role: str) -> bool:
    return asset.pk in granted_asset_ids(user, roles=[role])


def asset_may_grant(user, asset: Asset) -> bool:
    """The owner lets others in (and out)."""
    return asset_may_change(user, asset)


def assets_visible_filter(user) -> Q:
    """Assets a user may open: owned by their organisation, granted to it by the owner, or
    holding lots they own or hold custody of; platform-wide roles see all; anonymous users
    none."""
    if user_is_platform_wide(user):
        return Q()
    orgs = user_organisation_ids(user)
    if not orgs:
        return Q(pk__in=[])
    return (
        Q(owner_id__in=orgs)
        | granted_filter(user, "pk")
        | Q(lots__custodian_id__in=orgs)
        | Q(lots__owner_id__in=orgs)
    )


def assets_visible_to(user) -> QuerySet[Asset]:
    return Asset.objects.filter(assets_visible_filter(user)).distinct()


def asset_may_view(user, asset: Asset) -> bool:
    return assets_visible_to(user).filter(pk=asset.pk).exists()


def asset_may_change(user, asset: Asset) -> bool:
    """The owner changes an asset and plans its interventions."""
    return asset.owner_id in user_organisation_ids(user)


def asset_may_register_for(user, owner: Organisation) -> bool:
    """Assets are registered for one's own organisation (staff: for any)."""
    return owner.id in user_organisation_ids(user) or bool(user and user.is_staff)


def asset_may_add_lots(user, asset: Asset) -> bool:
    """The owner, an organisation the owner granted the inventoriser role on the asset, or
    an inventoriser who may see the asset adds lots to its passport."""
    return (
        asset_may_change(user, asset)
        or asset_grant_role(user, asset, GrantRole.INVENTORISER)
        or user_has_role(user, ChainRole.INVENTORISER)
    )


def asset_sees_whole_passport(user, asset: Asset) -> bool:
    """The asset's owner, organisations it granted a role on the asset, and platform-wide
    roles see every lot of its passport; others (a buyer of one lot, the hub holding
    another) see only the lots they may see."""
    return (
        asset_may_change(user, asset)
        or user_is_platform_wide(user)
        or asset.pk in granted_asset_ids(user)
    )


def projects_of(user) -> QuerySet[Asset]:
    """Assets of the user's organisations: where they apply lots and request material."""
    return Asset.objects.filter(owner_id__in=user_organisation_ids(user))


#: the grants that let an organisation build for the owner: it requests material for the
#: project (the owner's own organisations do so anyway)
BUILDING_FOR_OWNER = (GrantRole.BUILDER, GrantRole.DESIGNER)


def projects_for_demand(user) -> QuerySet[Asset]:
    """Projects the user's organisations request material for: their own, and those whose
    owner granted them the builder's or designer's role."""
    orgs = user_organisation_ids(user)
    return Asset.objects.filter(
        Q(owner_id__in=orgs) | granted_filter(user, "pk", roles=BUILDING_FOR_OWNER)
    )


# ------------------------------------------------------------------------------ permits
def permit_authority_municipality_ids(user) -> set[int]:
    """Municipalities whose projects this user's permit authorities decide on: the ones
    each authority serves, or its own municipality when it names none."""
    if not (user and user.is_authenticated) or not user_has_role(user, ChainRole.PERMIT_AUTHORITY):
        return set()
    ids: set[int] = set()
    authorities = Organisation.objects.filter(
        pk__in=user_organisation_ids(user), roles__role=ChainRole.PERMIT_AUTHORITY
    ).prefetch_related("municipalities_served")
    for org in authorities:
        served = {m.pk for m in org.municipalities_served.all()}
        ids |= served or ({org.municipality_id} if org.municipality_id else set())
    return ids


def permit_may_decide(user, asset: Asset) -> bool:
    """A permit authority decides on projects in the municipalities it serves."""
    return asset.municipality_id in permit_authority_municipality_ids(user)


def permit_authority_for(user, asset: Asset) -> Organisation | None:
    """The user's permit authority serving the asset's municipality."""
    for org in Organisation.objects.filter(
        pk__in=user_organisation_ids(user), roles__role=ChainRole.PERMIT_AUTHORITY
    ).prefetch_related("municipalities_served"):
        served: set[int | None] = {m.pk for m in org.municipalities_served.all()}
        if asset.municipality_id in (served or {org.municipality_id}):
            return org
    return None


def permit_document_may_view(user, decision) -> bool:
    """A decision's document: for the authorities serving the project and its owner."""
    return permit_may_decide(user, decision.asset) or asset_may_change(user, decision.asset)


def asset_may_publish(user, asset: Asset) -> bool:
    """The owner publishes the asset's draft lots, or an organisation it granted that."""
    return asset_may_change(user, asset) or asset_grant_role(user, asset, GrantRole.PUBLISHER)
