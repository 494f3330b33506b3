"""Reads of the webhooks: a viewer's subscriptions and a subscription's delivery log."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Delivery, DeliveryAttempt, Subscription
from .permissions import subscriptions_visible_filter

DELIVERY_LOG_LENGTH = 50


def subscriptions_of(*, viewer) -> QuerySet[Subscription]:
    """The subscriptions of the viewer's organisations, with their delivery counts."""
    return (
        Subscription.objects.filter(subscriptions_visible_filter(viewer))
        .select_related("organisation")
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status="done")),
            failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        )
        .order_by("organisation__name", "id")
    )


def subscription_of(*, viewer, subscription_id: int) -> Subscription | None:
    return subscriptions_of(viewer=viewer).filter(pk=subscription_id).first()


def deliveries_of(*, subscription: Subscription, limit: int = DELIVERY_LOG_LENGTH):
    """The latest deliveries with their attempts (two queries)."""
    return list(
        Delivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related(
            Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .order_by("-created_at", "-id")[:limit]
    )
