"""Who manages an organisation's members: its administrators, and the platform's staff."""

from __future__ import annotations

from .membership import user_organisation_ids
from .models import Membership, Organisation


def organisation_may_manage(user, organisation: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(user=user, organisation=organisation, is_admin=True).exists()


def organisation_may_view_members(user, organisation: Organisation) -> bool:
    """Members see who else is in their organisation; staff see all."""
    return organisation.pk in user_organisation_ids(user) or bool(getattr(user, "is_staff", False))
