"""Who may see and change what in the network (issue #18). Views, API and services ask these.

The facilitator is the province: members of an organisation holding the matchmaker role and
the data steward (staff) — `user_is_platform_wide`. Only they decide on requests to join,
record covenants and set regional targets. An organisation changes only its own directory
entry and signs only for itself; published entries are public.
"""

from __future__ import annotations

from django.db.models import Q

from urbanmine.organisations.membership import (
    user_acts_for,
    user_is_platform_wide,
    user_organisation_ids,
)

from .models import DirectoryEntry, EntryStatus


def network_is_facilitator(user) -> bool:
    return user_is_platform_wide(user)


def entries_visible_filter(user) -> Q:
    """Published entries for everyone; an organisation also sees its own request; the
    facilitator sees every request."""
    if network_is_facilitator(user):
        return Q()
    return Q(status=EntryStatus.MEMBER) | Q(organisation_id__in=user_organisation_ids(user))


def entry_may_view(user, entry: DirectoryEntry) -> bool:
    return (
        entry.status == EntryStatus.MEMBER
        or user_acts_for(user, entry.organisation_id)
        or network_is_facilitator(user)
    )


def entry_may_change(user, entry: DirectoryEntry) -> bool:
    """Only the organisation itself edits its entry (the data steward may in the admin)."""
    return user_acts_for(user, entry.organisation_id)


def organisation_may_sign(user, organisation_id: int) -> bool:
    """A member organisation signs for itself: the user acts for it."""
    return user_acts_for(user, organisation_id)
