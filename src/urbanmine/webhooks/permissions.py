"""Who may see and manage a webhook subscription, and who may be told of an event.

An organisation manages its own subscriptions (any member may); nobody else sees them,
not even platform-wide roles (the URL and secret are the organisation's). An event reaches
only organisations that may see what it is about: `Event.audience` (empty and public for
published supply), decided where the event is made (signals.py)."""

from __future__ import annotations

from django.db.models import Q

from urbanmine.organisations.membership import user_organisation_ids
from urbanmine.organisations.models import ChainRole, Organisation

from .models import Event, Subscription


def subscriptions_visible_filter(user) -> Q:
    return Q(organisation_id__in=user_organisation_ids(user))


def subscription_may_manage(user, subscription: Subscription) -> bool:
    return subscription.organisation_id in user_organisation_ids(user)


def platform_wide_organisation_ids() -> set[int]:
    """Matchmakers / platform managers see all demand, proposals and lots: told of all."""
    return set(
        Organisation.objects.filter(roles__role=ChainRole.MATCHMAKER).values_list("id", flat=True)
    )


def event_may_reach(event: Event, organisation_id: int) -> bool:
    return event.is_public or organisation_id in set(event.audience)
