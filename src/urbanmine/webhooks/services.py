"""Every write of the webhooks: subscriptions (checked once for the web and the API),
events and their deliveries, and the delivery job with its retries.

A delivery is a CloudEvents 1.0 JSON document, signed as Standard Webhooks asks:
`webhook-signature: v1,<base64 HMAC-SHA256(secret, f"{webhook-id}.{webhook-timestamp}.{body}")>`
with the secret's bytes (the base64 after `whsec_`). The receiver recomputes it (the
integrators' guide has the Python) and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.core.jobs import job_function, run_job
from urbanmine.organisations.membership import acting_organisation
from urbanmine.organisations.models import Organisation

from .models import Delivery, DeliveryAttempt, Event, EventType, Subscription
from .permissions import event_may_reach, subscription_may_manage

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
MAX_SUBSCRIPTIONS = 20  # per organisation
CLOUDEVENTS_TYPE_PREFIX = "nl.urbanmine."


class SubscriptionFields(TypedDict, total=False):
    url: str
    events: list[str]
    description: str
    is_active: bool


# ------------------------------------------------------------------------------ checks
def _private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def _addresses(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an IP literal: itself)."""
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str) -> None:
    """A receiver URL the platform may call: https (unless URBANMINE_WEBHOOK_REQUIRE_HTTPS is
    off, as in development), no credentials in it, and — unless
    URBANMINE_WEBHOOK_ALLOW_PRIVATE — a host that resolves to public addresses only (no
    requests into the platform's own network). Raises a ValidationError naming `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Give an absolute http(s) URL.")})
    if parts.scheme != "https" and settings.URBANMINE_WEBHOOK_REQUIRE_HTTPS:
        raise ValidationError(
            {"url": _("Give an https URL: deliveries are only sent encrypted (TLS).")}
        )
    if parts.username or parts.password:
        raise ValidationError(
            {"url": _("Leave user name and password out of the URL: deliveries are signed.")}
        )
    if settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE:
        return
    try:
        addresses = _addresses(parts.hostname, parts.port or 443)
    except (OSError, UnicodeError):
        raise ValidationError(
            {"url": _("The host %(host)s could not be found.") % {"host": parts.hostname}}
        ) from None
    private = [a for a in addresses if _private_address(a)]
    if private:
        raise ValidationError(
            {
                "url": _(
                    "The host %(host)s is a private or local network address (%(address)s): "
                    "deliveries go to public addresses only."
                )
                % {"host": parts.hostname, "address": private[0]}
            }
        )


def check_events(events: Any) -> list[str]:
    """A non-empty list of known event names, each once; the error names the unknown one."""
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    known = set(EventType.values)
    unknown = [e for e in events if not isinstance(e, str) or e not in known]
    if unknown:
        raise ValidationError(
            {
                "events": _("Unknown event %(event)s; choose from: %(known)s.")
                % {"event": unknown[0], "known": ", ".join(EventType.values)}
            }
        )
    return sorted(set(events))


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


# ------------------------------------------------------------------------------ subscriptions
@transaction.atomic
def subscription_create(
    *, actor, organisation: Organisation | None = None, **fields: Unpack[SubscriptionFields]
) -> Subscription:
    """A subscription of one of the actor's organisations (default: the first)."""
    try:
        org = acting_organisation(actor, organisation)
    except PermissionDenied as e:
        raise ValidationError({"organisation": str(e)}) from None
    url = fields.get("url", "")
    check_url(url)
    events = check_events(fields.get("events"))
    if Subscription.objects.filter(organisation=org).count() >= MAX_SUBSCRIPTIONS:
        raise ValidationError(
            {
                "url": _("An organisation has at most %(n)d subscriptions.")
                % {"n": MAX_SUBSCRIPTIONS}
            }
        )
    subscription = Subscription(
        organisation=org,
        url=url,
        events=events,
        description=fields.get("description", ""),
        secret=new_secret(),
        created_by=actor,
    )
    subscription.full_clean()
    subscription.save()
    return subscription


def _locked(subscription_id: int, actor) -> Subscription:
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None or not subscription_may_manage(actor, subscription):
        raise PermissionDenied(_("This subscription was not found."))
    return subscription


@transaction.atomic
def subscription_update(
    *, subscription_id: int, actor, **fields: Unpack[SubscriptionFields]
) -> Subscription:
    """Change the URL, events, description, or switch it on or off. Switching a disabled
    subscription on again clears its failures."""
    subscription = _locked(subscription_id, actor)
    if "url" in fields:
        check_url(fields["url"])
        subscription.url = fields["url"]
    if "events" in fields:
        subscription.events = check_events(fields["events"])
    if "description" in fields:
        subscription.description = fields["description"]
    if "is_active" in fields:
        if fields["is_active"] and not subscription.is_active:
            subscription.consecutive_failures = 0
            subscription.disabled_at, subscription.disabled_reason = None, ""
        subscription.is_active = bool(fields["is_active"])
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def subscription_rotate_secret(*, subscription_id: int, actor) -> Subscription:
    subscription = _locked(subscription_id, actor)
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription_id: int, actor) -> None:
    _locked(subscription_id, actor).delete()


# ------------------------------------------------------------------------------ events
def events_emit(events: Iterable[Event], *, inline: bool = False) -> list[Delivery]:
    """Store the events and queue one delivery per subscription that wants each and may know
    of it. Called after the change is committed (signals.py): the receiver never hears of
    something that was rolled back. A repeated `dedupe_key` is not told again. `inline`:
    the deliveries run in the caller (a command, whose threads would end with it)."""
    queued: list[Delivery] = []
    subscriptions = list(Subscription.objects.filter(is_active=True))
    for event in events:
        wanted = [
            s
            for s in subscriptions
            if event.type in s.events and event_may_reach(event, s.organisation_id)
        ]
        try:
            with transaction.atomic():
                event.save(force_insert=True)
        except IntegrityError:  # told already (dedupe_key)
            continue
        for subscription in wanted:
            queued.append(Delivery.objects.create(subscription=subscription, event=event))
    for delivery in queued:
        transaction.on_commit(_runner(delivery, inline), robust=True)
    return queued


def _runner(delivery: Delivery, inline: bool):
    def run() -> None:
        run_job(delivery, delivery_send, inline=inline, delivery_id=delivery.pk)

    return run


def cloudevent(event: Event) -> dict[str, Any]:
    """The CloudEvents 1.0 structured JSON document of an event (NL GOV profile envelope)."""
    return {
        "specversion": "1.0",
        "type": CLOUDEVENTS_TYPE_PREFIX + event.type,
        "source": settings.URBANMINE_API_SERVER_URL,
        "id": str(event.id),
        "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "subject": event.subject,
        "datacontenttype": "application/json",
        "data": event.data,
    }


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: `v1,` + base64 HMAC-SHA256 over "id.timestamp.body"."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# ------------------------------------------------------------------------------ deliveries
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new destination (it could point inside the network)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0917 (urllib's)
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """(status code or None, error) of one POST; checks the address again right before
    (the name may resolve elsewhere now)."""
    try:
        check_url(url)
    except ValidationError as e:
        return None, "; ".join(e.messages)[:500]
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.URBANMINE_WEBHOOK_TIMEOUT_S) as response:
            return response.status, ""
    except urllib.error.HTTPError as e:
        return e.code, f"HTTP {e.code} {e.reason}"[:500]
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(getattr(e, "reason", e))[:500]


def backoff_s(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1-based): base × 2^(attempt−1)."""
    return float(settings.URBANMINE_WEBHOOK_BACKOFF_S * 2 ** (attempt - 1))


def _attempt(delivery: Delivery, number: int, body: bytes) -> bool:
    subscription = delivery.subscription
    timestamp = int(time.time())
    message_id = str(delivery.event_id)
    headers = {
        "Content-Type": "application/cloudevents+json; charset=utf-8",
        "User-Agent": "urbanmine-webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(subscription.secret, message_id, timestamp, body),
    }
    started = timezone.now()
    clock = time.monotonic()
    status, error = _post(subscription.url, body, headers)
    ok = status is not None and 200 <= status < 300
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=int((time.monotonic() - clock) * 1000),
        status_code=status,
        error="" if ok else (error or f"HTTP {status}"),
        succeeded=ok,
    )
    Delivery.objects.filter(pk=delivery.pk).update(attempts=number)
    return ok


@job_function
def delivery_send(*, delivery_id: int) -> None:
    """The delivery job: up to URBANMINE_WEBHOOK_MAX_ATTEMPTS POSTs, waiting
    `backoff_s(n)` after failed attempt n; then done (2xx) or failed, and the subscription's
    count of failed deliveries in a row updated — at URBANMINE_WEBHOOK_DISABLE_AFTER it is
    switched off, with the reason."""
    delivery = Delivery.objects.select_related("subscription", "event").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.is_active:
        delivery.finish(RuntimeError(_("The subscription is switched off.")))
        return
    body = json.dumps(cloudevent(delivery.event), ensure_ascii=False).encode("utf-8")
    attempts = settings.URBANMINE_WEBHOOK_MAX_ATTEMPTS
    for number in range(1, attempts + 1):
        delivery.report_progress(
            int(100 * (number - 1) / attempts), _("Attempt %(n)d") % {"n": number}
        )
        if _attempt(delivery, number, body):
            Delivery.objects.filter(pk=delivery.pk).update(delivered_at=timezone.now())
            Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
            delivery.refresh_from_db()
            delivery.finish()
            return
        if number < attempts:
            time.sleep(backoff_s(number))
    delivery.refresh_from_db()
    delivery.finish(RuntimeError(_("No 2xx answer after %(n)d attempts.") % {"n": attempts}))
    _count_failure(subscription.pk)


def _count_failure(subscription_id: int) -> None:
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
        limit = settings.URBANMINE_WEBHOOK_DISABLE_AFTER
        if subscription.is_active and subscription.consecutive_failures >= limit:
            subscription.is_active = False
            subscription.disabled_at = timezone.now()
            subscription.disabled_reason = _(
                "Switched off after %(n)d failed deliveries in a row; switch it on again "
                "when the receiver works."
            ) % {"n": subscription.consecutive_failures}
            subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
            log.warning("webhook subscription %s disabled after failures", subscription_id)


def event_new(
    type_: str,
    subject: str,
    data: dict[str, Any],
    *,
    audience: Iterable[int] = (),
    public: bool = False,
    dedupe_key: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """An unsaved event (events_emit stores it)."""
    return Event(
        type=type_,
        subject=subject,
        data=data,
        audience=sorted(set(audience)),
        is_public=public,
        dedupe_key=dedupe_key,
        occurred_at=occurred_at or timezone.now(),
    )
