"""Webhook subscriptions of an organisation, the events the platform emitted, and their
deliveries (jobs) with every attempt: the delivery log (docs/adr/0006)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.core.models import Job


class EventType(models.TextChoices):
    LOT_PUBLISHED = "lot.published", _("A lot is published as supply")
    LOT_RESERVED = "lot.reserved", _("A lot is reserved")
    LOT_STATUS_CHANGED = "lot.status-changed", _("A lot's status changed")
    DEMAND_POSTED = "demand.posted", _("Demand is posted")
    PROPOSAL_CREATED = "proposal.created", _("Matching proposals are created")
    HUB_DWELL_WARNING = "hub.dwell-warning", _("A lot is at a hub for over 6 months")
    HUB_DWELL_ALERT = "hub.dwell-alert", _("A lot is at a hub for over 9 months")


class Subscription(models.Model):
    """An organisation's request to be told of events at a URL (an HTTPS endpoint of its
    own system), signed with a secret only the two parties know."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The signing key (Standard Webhooks: "whsec_" + base64). Kept, not hashed: every
    # delivery is signed with it.
    secret = models.CharField(_("secret"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.url}"

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…"


class Event(models.Model):
    """One thing that happened, as sent: a CloudEvents document's attributes and data.
    `audience` is the organisations that may know of it (empty: public); `dedupe_key`
    keeps a periodic check (hub dwell) from telling the same thing twice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    subject = models.CharField(_("subject"), max_length=100)
    data = models.JSONField(default=dict)
    audience = models.JSONField(default=list, blank=True)
    is_public = models.BooleanField(default=False)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        ordering = ["occurred_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class Delivery(Job):
    """One event to one subscription: a job that tries until the receiver answers 2xx or
    the attempts run out (core/jobs.py runs it)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event")
        ]


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery and what came back: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        ordering = ["delivery_id", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
