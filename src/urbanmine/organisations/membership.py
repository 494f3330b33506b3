"""Who a user acts for: their organisations and the chain roles those hold.

Every permission module asks these functions; none reads memberships on its own. Results are
cached on the user object for the request, so a page asking ten questions costs one query.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import ChainRole, Organisation


def _load(user) -> None:
    """The user's organisations and their roles in one query, cached on the user object."""
    rows = list(user.memberships.values_list("organisation_id", "organisation__roles__role"))
    user._urbanmine_org_ids = frozenset(org for org, _role in rows)
    user._urbanmine_roles = frozenset(role for _org, role in rows if role is not None)


def user_organisation_ids(user) -> frozenset[int]:
    """The organisations a user acts for (empty for anonymous users)."""
    if not user or not user.is_authenticated:
        return frozenset()
    if getattr(user, "_urbanmine_org_ids", None) is None:
        _load(user)
    return user._urbanmine_org_ids


def user_roles(user) -> frozenset[str]:
    """The chain roles held by any organisation the user acts for."""
    if not user or not user.is_authenticated:
        return frozenset()
    if getattr(user, "_urbanmine_roles", None) is None:
        _load(user)
    return user._urbanmine_roles


def user_has_role(user, role: str) -> bool:
    return role in user_roles(user)


def user_acts_for(user, organisation_id: int | None) -> bool:
    return organisation_id is not None and organisation_id in user_organisation_ids(user)


def user_is_platform_wide(user) -> bool:
    """Matchmakers / platform managers and staff see every passport (not change it)."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or ChainRole.MATCHMAKER in user_roles(user))
    )


def acting_organisation(
    user, requested: Organisation | None = None, *, role: str = ""
) -> Organisation:
    """The organisation a user acts for in one write.

    `requested` must be one of the user's organisations. Without it: the first (lowest id)
    organisation the user acts for. With `role`, the organisation must hold that role: a
    requested one that does not falls back to the first that does (a certifier's
    inspection is recorded for its certifying organisation). Raises PermissionDenied when
    the user acts for no (such) organisation.
    """
    ids = user_organisation_ids(user)
    if requested is not None and requested.id not in ids:
        raise PermissionDenied(_("You do not act for %(org)s.") % {"org": requested})
    candidates = Organisation.objects.filter(id__in=ids)
    if role:
        candidates = candidates.filter(roles__role=role)
    if requested is not None and (not role or candidates.filter(pk=requested.pk).exists()):
        return requested
    found = candidates.order_by("id").first()
    if found is None:
        raise PermissionDenied(_("You do not belong to an organisation."))
    return found


def acting_organisation_or_none(user) -> Organisation | None:
    """As `acting_organisation` without a request, for pages that only show a default."""
    try:
        return acting_organisation(user)
    except PermissionDenied:
        return None
