"""Webhooks end to end on the loopback: a real HTTP receiver (http.server in a thread)
subscribed to every event; each event type is caused through the real services (harvest,
reservation, demand, a matching run, hub dwell) and arrives signed — the receiver checks
the signature as the integrators' guide tells. A failing receiver is retried with
exponential backoff and switched off after the configured number of failed deliveries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.support.chain import harvest_into_hub, identify_bricks, proposal_for
from urbanmine.webhooks.models import Delivery, DeliveryAttempt, Event, EventType, Subscription
from urbanmine.webhooks.services import subscription_create, subscription_update
from urbanmine.webhooks.signals import hub_dwell_check


def verify(secret: str, headers, body: bytes) -> bool:
    """The receiver's check, as docs (guide.md) give it to integrators."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.split(",", 1)[1])
        for sig in headers["webhook-signature"].split()
        if sig.startswith("v1,")
    )


class Receiver:
    """A loopback HTTP server that records every request and answers `codes` in turn
    (the last one repeated)."""

    def __init__(self, codes=(204,)):
        self.codes = list(codes)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self):
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def loopback(settings):
    """Development settings for a receiver on this machine; jobs run inline; short backoff."""
    settings.URBANMINE_WEBHOOK_REQUIRE_HTTPS = False
    settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE = True
    settings.URBANMINE_JOBS_INLINE = True
    settings.URBANMINE_WEBHOOK_BACKOFF_S = 0.05
    settings.URBANMINE_WEBHOOK_MAX_ATTEMPTS = 3
    settings.URBANMINE_WEBHOOK_DISABLE_AFTER = 2
    receivers = []

    def make(codes=(204,)):
        r = Receiver(codes)
        receivers.append(r)
        return r

    yield make
    for r in receivers:
        r.close()


def _subscribe(user, receiver, events=None):
    return subscription_create(
        actor=user, url=receiver.url, events=events or list(EventType.values)
    )


def test_every_event_type_arrives_signed(
    chain, loopback, django_capture_on_commit_callbacks, settings
):
    from urbanmine.lots.models import Lot
    from urbanmine.market.models import DemandRequest, MatchRun
    from urbanmine.market.services import (
        demand_request_create,
        match_run_execute,
        proposal_accept,
    )

    receiver = loopback()
    # the matchmaker's organisation is told of everything (platform-wide)
    subscription = _subscribe(chain.matchmaker_user, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        lot = harvest_into_hub(chain, identify_bricks(chain))  # published, status changed
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        demand = demand_request_create(
            actor=chain.buyer_user,
            project=chain.project,
            product_group=chain.bricks,
            quantity=6000,
            unit="piece",
            min_quality="C",
            window_start=today,
            window_end=today + timedelta(days=60),
            max_distance_km=60,
        )
    with django_capture_on_commit_callbacks(execute=True):
        run = MatchRun.objects.create(started_by=chain.matchmaker_user, solver="greedy")
        run = match_run_execute(run_id=run.id)
    assert run.status == "done", run.message
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_for(DemandRequest.objects.get(pk=demand.pk), lot)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_accept(proposal_id=proposal.id, actor=chain.buyer_user)  # reserved
    held = Lot.objects.filter(hub=chain.hub, status="harvested")
    assert held.count() == 1
    held.update(hub_since=timezone.now() - timedelta(days=300))
    with django_capture_on_commit_callbacks(execute=True):
        assert hub_dwell_check() == 1  # an alert (over 9 months), told once
        assert hub_dwell_check() == 0
    held.update(hub_since=timezone.now() - timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        assert hub_dwell_check() == 1  # a new stay, past 6 months: a warning

    received = {e["type"] for e in receiver.events()}
    assert received == {f"nl.urbanmine.{t}" for t in EventType.values}, received
    for headers, body in receiver.requests:
        assert verify(subscription.secret, headers, body)
        assert not verify("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, body)
        event = json.loads(body)
        assert event["specversion"] == "1.0" and event["id"] == headers["webhook-id"]
        assert headers["content-type"].startswith("application/cloudevents+json")
        assert Event.objects.filter(pk=event["id"]).exists()
    by_type = {e["type"].removeprefix("nl.urbanmine."): e["data"] for e in receiver.events()}
    assert by_type["lot.published"]["lotCode"] == lot.code
    assert by_type["lot.reserved"]["reservedFor"] == chain.buyer.pk
    assert by_type["demand.posted"]["demandId"] == demand.pk
    assert by_type["proposal.created"]["proposalCount"] >= 1
    assert by_type["hub.dwell-alert"]["dwellDays"] >= 300
    assert by_type["hub.dwell-warning"]["level"] == "warning"
    assert Delivery.objects.filter(status="done").count() == len(receiver.requests)


def test_a_failing_receiver_is_retried_with_backoff_then_switched_off(
    chain, loopback, django_capture_on_commit_callbacks
):
    receiver = loopback(codes=(500,))
    with django_capture_on_commit_callbacks(execute=True):  # before anyone subscribed
        lot = identify_bricks(chain, quantity=1000)
        other = identify_bricks(chain, quantity=1000, description="Tweede partij")
        third = identify_bricks(chain, quantity=1000, description="Derde partij")
    subscription = _subscribe(chain.owner_user, receiver, ["lot.status-changed"])
    with django_capture_on_commit_callbacks(execute=True):
        harvest_into_hub(chain, lot)
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "after 3 attempts" in delivery.message
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery))
    assert [a.status_code for a in attempts] == [500, 500, 500]
    # exponential backoff: at least 0.05 s, then 0.1 s between the attempts
    gaps = [
        (b.started_at - a.started_at).total_seconds()
        for a, b in zip(attempts, attempts[1:], strict=False)
    ]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1, gaps
    assert len(receiver.requests) == 3
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 1

    # a second failed delivery in a row: switched off (URBANMINE_WEBHOOK_DISABLE_AFTER=2)
    with django_capture_on_commit_callbacks(execute=True):
        harvest_into_hub(chain, other)
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "2 failed deliveries in a row" in subscription.disabled_reason
    # switched off, it hears nothing more
    with django_capture_on_commit_callbacks(execute=True):
        harvest_into_hub(chain, third)
    assert Delivery.objects.filter(subscription=subscription).count() == 2
    assert len(receiver.requests) == 6
    # switched on again by its organisation: the count starts over
    subscription_update(subscription_id=subscription.pk, actor=chain.owner_user, is_active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_a_receiver_that_recovers_gets_the_delivery_on_a_retry(
    chain, loopback, django_capture_on_commit_callbacks
):
    receiver = loopback(codes=(503, 200))
    with django_capture_on_commit_callbacks(execute=True):
        lot = identify_bricks(chain)
    subscription = _subscribe(chain.owner_user, receiver, ["lot.status-changed"])
    with django_capture_on_commit_callbacks(execute=True):
        harvest_into_hub(chain, lot)
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == "done" and delivery.attempts == 2
    assert delivery.delivered_at is not None
    # the same message twice: the receiver can deduplicate on webhook-id
    assert receiver.requests[0][0]["webhook-id"] == receiver.requests[1][0]["webhook-id"]


def test_an_organisation_is_told_only_of_what_it_may_see(
    chain, loopback, django_capture_on_commit_callbacks
):
    own = loopback()
    outsider = loopback()
    with django_capture_on_commit_callbacks(execute=True):
        lot = identify_bricks(chain)
    _subscribe(chain.owner_user, own, ["lot.status-changed", "lot.published"])
    _subscribe(chain.outsider_user, outsider, ["lot.status-changed", "lot.published"])
    with django_capture_on_commit_callbacks(execute=True):
        harvest_into_hub(chain, lot)
    assert {e["type"] for e in own.events()} == {
        "nl.urbanmine.lot.status-changed",
        "nl.urbanmine.lot.published",
    }
    # the outsider sees published supply only, not the lot's private history
    assert {e["type"] for e in outsider.events()} == {"nl.urbanmine.lot.published"}


def test_nothing_is_told_of_a_change_that_was_rolled_back(
    chain, loopback, django_capture_on_commit_callbacks
):
    from django.db import transaction

    receiver = loopback()
    with django_capture_on_commit_callbacks(execute=True):
        lot = identify_bricks(chain)
    _subscribe(chain.owner_user, receiver, ["lot.status-changed"])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                harvest_into_hub(chain, lot)
                raise RuntimeError("changed our mind")
        except RuntimeError:
            pass
    assert receiver.requests == []


# ------------------------------------------------------------------------------ bad input


def test_production_settings_refuse_a_url_that_is_not_https(chain, settings):
    settings.URBANMINE_WEBHOOK_REQUIRE_HTTPS = True
    with pytest.raises(ValidationError) as e:
        subscription_create(
            actor=chain.buyer_user, url="http://93.184.215.14/hook", events=["demand.posted"]
        )
    assert "https" in e.value.message_dict["url"][0]


def test_an_unknown_event_is_refused_by_name(chain, settings):
    with pytest.raises(ValidationError) as e:
        subscription_create(
            actor=chain.buyer_user,
            url="https://93.184.215.14/hook",
            events=["demand.posted", "lot.teleported"],
        )
    message = e.value.message_dict["events"][0]
    assert "lot.teleported" in message and "demand.posted" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10:8443/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
    ],
)
def test_a_private_address_is_refused_when_the_setting_disallows_it(chain, settings, url):
    settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as e:
        subscription_create(actor=chain.buyer_user, url=url, events=["demand.posted"])
    assert "private or local network address" in e.value.message_dict["url"][0]
    settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE = True
    assert subscription_create(actor=chain.buyer_user, url=url, events=["demand.posted"]).pk


def test_a_public_https_url_is_accepted(chain, settings):
    settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE = False
    s = subscription_create(
        actor=chain.buyer_user, url="https://93.184.215.14/hook", events=["demand.posted"]
    )
    assert s.organisation == chain.buyer and s.secret.startswith("whsec_")
    assert Subscription.objects.filter(organisation=chain.buyer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_delivers_and_a_rollback_does_not(chain, loopback):
    """Real transactions (no captured callbacks): the service commits, the batch is read
    after the commit and delivered; a rolled-back change is never told."""
    from django.db import transaction

    receiver = loopback()
    first, second = identify_bricks(chain, quantity=1000), identify_bricks(chain, quantity=1000)
    _subscribe(chain.owner_user, receiver, ["lot.status-changed"])
    try:
        with transaction.atomic():
            harvest_into_hub(chain, second)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert receiver.requests == []
    harvest_into_hub(chain, first)  # lot_record_step commits its own transaction
    [event] = receiver.events()
    assert event["subject"] == first.code and event["data"]["status"] == "harvested"
    assert event["data"]["previousStatus"] == "identified"


def test_the_hub_dwell_command_tells_each_stay_once(
    chain, loopback, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from urbanmine.lots.models import Lot

    receiver = loopback()
    with django_capture_on_commit_callbacks(execute=True):
        lot = harvest_into_hub(chain, identify_bricks(chain))
    _subscribe(chain.hub_operator_user, receiver, ["hub.dwell-warning", "hub.dwell-alert"])
    Lot.objects.filter(pk=lot.pk).update(hub_since=timezone.now() - timedelta(days=190))
    out = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("webhooks_hub_dwell", stdout=_Lines(out))
    assert out[0].startswith("1 new") and out[1].startswith("0 new"), out
    [event] = receiver.events()
    assert event["type"] == "nl.urbanmine.hub.dwell-warning"
    assert event["data"]["hubId"] == chain.hub.pk and event["data"]["dwellDays"] >= 190


class _Lines:
    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.append(text)

    def flush(self):
        pass
