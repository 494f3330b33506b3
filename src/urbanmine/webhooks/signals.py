"""How the webhooks hear of changes without the other apps calling them: Django signals.

- `Lot`: `post_init` remembers the publication flag and status a lot was loaded with
  (from the instance's own values: no query, deferred fields untouched); `post_save`
  compares → `lot.published`, `lot.status-changed`, `lot.reserved`.
- `DemandRequest` created → `demand.posted`.
- `MatchRun` saved as done → `proposal.created` (one event per organisation concerned).
- Hub dwell (6 and 9 months) has no save to hear: `urbanmine webhooks_hub_dwell` (cron)
  calls `hub_dwell_check`.

Inside a transaction nothing but an append to a batch happens; the batch is read once the
transaction commits (`transaction.on_commit`), against the database as committed (a change
rolled back in a savepoint is not told), and only when some subscription is active.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_init, post_save
from django.utils import timezone

from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Lot
from urbanmine.lots.selectors import HELD
from urbanmine.market.models import DemandRequest, MatchRun, Proposal

from .models import Event, EventType, Subscription
from .permissions import platform_wide_organisation_ids
from .services import event_new, events_emit

log = logging.getLogger(__name__)

_BATCH = "_urbanmine_webhook_batch"
_WAS = "_urbanmine_webhook_was"


# ------------------------------------------------------------------------------ batching
def _pending(batch: dict[str, Any]) -> bool:
    """Whether the batch's commit callback is still waiting: not run (the list is emptied
    at commit) and not rolled back (a rollback removes the callbacks registered since, which
    all come after an earlier one: an earlier callback keeps its place). O(1)."""
    if batch["done"]:
        return False
    callbacks = connection.run_on_commit
    position = batch["position"]
    return position < len(callbacks) and callbacks[position][1] is batch["callback"]


def _queue(kind: str, item: Any) -> None:
    batch = getattr(connection, _BATCH, None)
    if batch is None or not connection.in_atomic_block or not _pending(batch):
        batch = {"lot": [], "demand": [], "run": [], "done": False}
        batch["callback"] = lambda: flush(batch)
        setattr(connection, _BATCH, batch)
        if connection.in_atomic_block:
            transaction.on_commit(batch["callback"], robust=True)
            batch["position"] = len(connection.run_on_commit) - 1
            batch[kind].append(item)
            return
        batch[kind].append(item)
        try:
            flush(batch)  # autocommit: committed already
        except Exception:  # as on_commit(robust=True): a webhook never breaks the save
            log.exception("webhook events of a save could not be emitted")
        return
    batch[kind].append(item)


# ------------------------------------------------------------------------------ receivers
def _lot_loaded(sender, instance: Lot, **kwargs) -> None:
    values = instance.__dict__
    setattr(instance, _WAS, (values.get("is_published"), values.get("status")))


def _lot_saved(sender, instance: Lot, created: bool, **kwargs) -> None:
    was_published, was_status = getattr(instance, _WAS, (None, None))
    now = (instance.__dict__.get("is_published"), instance.__dict__.get("status"))
    setattr(instance, _WAS, now)
    if created:
        was_published, was_status = False, None
    if (bool(was_published), was_status) != (bool(now[0]), now[1]):
        _queue("lot", (instance.pk, bool(was_published), was_status))


def _demand_saved(sender, instance: DemandRequest, created: bool, **kwargs) -> None:
    if created and not instance.is_demo:
        _queue("demand", instance.pk)


def _run_saved(sender, instance: MatchRun, **kwargs) -> None:
    if instance.status == "done":
        _queue("run", instance.pk)


def connect() -> None:
    post_init.connect(_lot_loaded, sender=Lot, dispatch_uid="webhooks-lot-loaded")
    post_save.connect(_lot_saved, sender=Lot, dispatch_uid="webhooks-lot-saved")
    post_save.connect(_demand_saved, sender=DemandRequest, dispatch_uid="webhooks-demand")
    post_save.connect(_run_saved, sender=MatchRun, dispatch_uid="webhooks-match-run")


# ------------------------------------------------------------------------------ events
def flush(batch: dict[str, Any]) -> None:
    """Turn a committed batch into events (nothing when no subscription is active)."""
    batch["done"] = True
    if not Subscription.objects.filter(is_active=True).exists():
        return
    platform = platform_wide_organisation_ids()
    events = [
        *_lot_events(batch["lot"], platform),
        *_demand_events(batch["demand"], platform),
        *_proposal_events(batch["run"], platform),
    ]
    if events:
        events_emit(events)


def _lot_url(lot: Lot) -> str:
    return f"{settings.URBANMINE_API_SERVER_URL}/lots/{lot.code}"


def _lot_events(items: Iterable[tuple[int, bool, str | None]], platform: set[int]) -> list[Event]:
    first: dict[int, tuple[bool, str | None]] = {}
    for lot_id, was_published, was_status in items:
        first.setdefault(lot_id, (was_published, was_status))  # the state before the batch
    lots = Lot.objects.filter(pk__in=first).select_related("product_group")
    events = []
    for lot in lots:
        was_published, was_status = first[lot.pk]
        audience = {lot.owner_id, lot.custodian_id, *platform}
        if lot.reserved_for_id is not None:
            audience.add(lot.reserved_for_id)
        base: dict[str, Any] = {
            "lotCode": lot.code,
            "productGroup": lot.product_group.code,
            "url": _lot_url(lot),
        }
        if lot.is_published and not was_published:
            data = {
                **base,
                "quantity": f"{lot.quantity:f}",
                "unit": lot.unit,
                "massKgPerUnit": f"{lot.mass_kg_per_unit:f}",
                "quality": lot.quality,
                "url": f"{settings.URBANMINE_API_SERVER_URL}/supply/{lot.code}",
            }
            events.append(event_new(EventType.LOT_PUBLISHED, lot.code, data, public=True))
        if lot.status != was_status:  # None: the lot is new
            data = {**base, "previousStatus": was_status, "status": lot.status}
            events.append(
                event_new(EventType.LOT_STATUS_CHANGED, lot.code, data, audience=audience)
            )
            if lot.status == Status.RESERVED:
                reserved = {**base, "reservedFor": lot.reserved_for_id}
                events.append(
                    event_new(EventType.LOT_RESERVED, lot.code, reserved, audience=audience)
                )
    return events


def _demand_events(ids: Iterable[int], platform: set[int]) -> list[Event]:
    events = []
    for demand in DemandRequest.objects.filter(pk__in=set(ids)).select_related("product_group"):
        data = {
            "demandId": demand.pk,
            "organisation": demand.organisation_id,
            "productGroup": demand.product_group.code,
            "quantity": f"{demand.quantity:f}",
            "unit": demand.unit,
            "minQuality": demand.min_quality,
            "windowStart": demand.window_start.isoformat(),
            "windowEnd": demand.window_end.isoformat(),
            "url": f"{settings.URBANMINE_API_SERVER_URL}/demand-requests/{demand.pk}",
        }
        events.append(
            event_new(
                EventType.DEMAND_POSTED,
                f"demand-{demand.pk}",
                data,
                audience={demand.organisation_id, *platform},
                dedupe_key=f"demand.posted:{demand.pk}",
            )
        )
    return events


MAX_PROPOSALS_PER_EVENT = 500


def _proposal_events(run_ids: Iterable[int], platform: set[int]) -> list[Event]:
    """Per run, one event per organisation concerned (the demand's, the lot's owner and
    custodian) listing its proposals; platform-wide organisations get the count."""
    events = []
    for run_id in sorted(set(run_ids)):
        per_org: dict[int, list[dict[str, Any]]] = defaultdict(list)
        rows = Proposal.objects.filter(run_id=run_id).values(
            "id",
            "demand_id",
            "demand__organisation_id",
            "lot__code",
            "lot__owner_id",
            "lot__custodian_id",
            "quantity",
            "delivery_date",
        )
        total = 0
        for row in rows.order_by("id"):
            total += 1
            item = {
                "id": row["id"],
                "demandId": row["demand_id"],
                "lotCode": row["lot__code"],
                "quantity": f"{row['quantity']:f}",
                "deliveryDate": row["delivery_date"].isoformat(),
            }
            for org in {
                row["demand__organisation_id"],
                row["lot__owner_id"],
                row["lot__custodian_id"],
            }:
                per_org[org].append(item)
        url = f"{settings.URBANMINE_API_SERVER_URL}/proposals"
        for org in sorted(set(per_org) | platform):
            mine = per_org.get(org, [])
            data = {
                "matchRun": run_id,
                "proposalCount": total,
                "proposals": mine[:MAX_PROPOSALS_PER_EVENT],
                "truncated": len(mine) > MAX_PROPOSALS_PER_EVENT,
                "url": url,
            }
            events.append(
                event_new(
                    EventType.PROPOSAL_CREATED,
                    f"match-run-{run_id}",
                    data,
                    audience={org},
                    dedupe_key=f"proposal.created:{run_id}:{org}",
                )
            )
    return events


def hub_dwell_check(*, inline: bool = False) -> int:
    """Events for lots held at a hub past 6 months (warning) and 9 months (alert), each
    told once per stay. Returns the number of new events. `inline`: deliver before
    returning (the command without a Celery broker)."""
    if not Subscription.objects.filter(is_active=True).exists():
        return 0
    platform = platform_wide_organisation_ids()
    now = timezone.now()
    events = []
    lots = Lot.objects.filter(HELD, hub__isnull=False, hub_since__isnull=False).select_related(
        "hub"
    )
    levels = [
        (settings.HUB_DWELL_ALERT_DAYS, EventType.HUB_DWELL_ALERT, "alert"),
        (settings.HUB_DWELL_WARNING_DAYS, EventType.HUB_DWELL_WARNING, "warning"),
    ]
    for lot in lots.filter(hub_since__lt=now - timedelta(days=min(levels)[0])):
        hub, since = lot.hub, lot.hub_since
        if hub is None or since is None:  # excluded by the query
            continue
        days = (now - since).days
        for threshold, type_, level in levels:
            if days > threshold:
                data = {
                    "hubId": lot.hub_id,
                    "hubName": hub.name,
                    "lotCode": lot.code,
                    "dwellDays": days,
                    "level": level,
                    "atHubSince": since.isoformat().replace("+00:00", "Z"),
                    "url": f"{settings.URBANMINE_API_SERVER_URL}/hubs/{lot.hub_id}/stock",
                }
                audience = {hub.operator_id, lot.owner_id, lot.custodian_id, *platform}
                events.append(
                    event_new(
                        type_,
                        lot.code,
                        data,
                        audience=audience,
                        dedupe_key=f"{type_}:{lot.pk}:{since.isoformat()}",
                    )
                )
                break  # the highest level passed only
    before = Event.objects.count()
    events_emit(events, inline=inline)
    return Event.objects.count() - before
