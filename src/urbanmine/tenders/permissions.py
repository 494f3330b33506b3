"""Who may do what with ambitions, clauses and tenders (issue #17).

A *client* is an organisation holding the asset owner's role (a housing corporation, a
municipality) or the province (the organisation holding the matchmaker's role). Area
ambitions are set by the province (any municipality of the platform) or by a municipality
(an asset owner that is also the permit authority: its own or served municipalities).
Tenders are made by the owner of the asset. The clause library is read by every signed-in
user; the province and municipalities add their own clauses.
"""

from __future__ import annotations

from django.db.models import Q

from urbanmine.assets.permissions import asset_may_change
from urbanmine.organisations.membership import (
    user_has_role,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole, Organisation

from .models import Ambition, AmbitionLevel, Tender


def is_province(user) -> bool:
    return bool(user and user.is_authenticated) and user_has_role(user, ChainRole.MATCHMAKER)


def municipal_organisations(user) -> list[Organisation]:
    """The user's organisations that act as a municipality: asset owner and permit
    authority at once."""
    ids = user_organisation_ids(user)
    if not ids:
        return []
    return list(
        Organisation.objects.filter(pk__in=ids, roles__role=ChainRole.ASSET_OWNER)
        .filter(pk__in=Organisation.objects.filter(roles__role=ChainRole.PERMIT_AUTHORITY))
        .prefetch_related("municipalities_served")
        .order_by("id")
    )


def municipality_ids_for_area_ambitions(user) -> set[int] | None:
    """The municipalities a user may set area ambitions for: None = all (the province);
    an empty set: none."""
    if is_province(user):
        return None
    ids: set[int] = set()
    for org in municipal_organisations(user):
        served = {m.pk for m in org.municipalities_served.all()}
        ids |= served or ({org.municipality_id} if org.municipality_id else set())
    return ids


def ambition_may_create_area(user) -> bool:
    ids = municipality_ids_for_area_ambitions(user)
    return ids is None or bool(ids)


def is_client(user) -> bool:
    return bool(user and user.is_authenticated) and (
        user_has_role(user, ChainRole.ASSET_OWNER) or is_province(user)
    )


def ambitions_visible_filter(user) -> Q:
    """Area ambitions are policy: every signed-in user reads them. Project ambitions: the
    client's organisations and platform-wide roles."""
    if not (user and user.is_authenticated):
        return Q(pk__in=[])
    if user_is_platform_wide(user):
        return Q()
    return Q(level=AmbitionLevel.AREA) | Q(owner_id__in=user_organisation_ids(user))


def ambition_may_view(user, ambition: Ambition) -> bool:
    return Ambition.objects.filter(ambitions_visible_filter(user), pk=ambition.pk).exists()


def ambition_may_change(user, ambition: Ambition) -> bool:
    return ambition.owner_id in user_organisation_ids(user)


def clause_may_read(user) -> bool:
    return bool(user and user.is_authenticated)


def clause_may_author(user) -> bool:
    """The province and municipalities add their own clauses."""
    return is_province(user) or bool(municipal_organisations(user))


def tenders_visible_filter(user) -> Q:
    """The client's organisations see their tenders; platform-wide roles see all."""
    if not (user and user.is_authenticated):
        return Q(pk__in=[])
    if user_is_platform_wide(user):
        return Q()
    return Q(owner_id__in=user_organisation_ids(user))


def tender_may_view(user, tender: Tender) -> bool:
    return Tender.objects.filter(tenders_visible_filter(user), pk=tender.pk).exists()


def tender_may_create_for(user, asset) -> bool:
    """The asset's owner, being a client, tenders its demolition or construction."""
    return is_client(user) and asset_may_change(user, asset)


def tender_may_change(user, tender: Tender) -> bool:
    return tender.owner_id in user_organisation_ids(user)
