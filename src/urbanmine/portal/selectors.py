"""The personal start page (issue #13, item 5): what needs this user's action, across the
bounded contexts, each as a count with a link and a few examples. The portal sits above
every app, so it may ask all of them; each question is one bounded query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.assets.models import Asset, InterventionKind, PlannedIntervention
from urbanmine.assets.permissions import granted_filter, projects_for_demand
from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import (
    EngagementStatus,
    InspectionEngagement,
    Location,
    Lot,
    TransferProposal,
)
from urbanmine.lots.permissions import transfers_to_decide_filter
from urbanmine.market.models import (
    DemandRequest,
    DemandStatus,
    Proposal,
    ProposalStatus,
    RequestStatus,
    ReservationRequest,
)
from urbanmine.market.selectors import permit_projects
from urbanmine.organisations.membership import user_organisation_ids

#: how many examples a task lists under its count
EXAMPLES = 5


@dataclass
class Task:
    key: str
    title: str
    count: int
    url: str
    examples: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    level: str = "todo"  # "todo", or "alert" for what is overdue


def _lot_examples(lots) -> list[tuple[str, str]]:
    return [
        (f"{lot.code} · {lot.product_group.name}", reverse("lot-detail", args=[lot.code]))
        for lot in lots[:EXAMPLES]
    ]


def start_tasks(user) -> list[Task]:
    """Everything waiting for this user's organisations, most urgent first; empty kinds are
    left out (the page says when nothing waits)."""
    orgs = user_organisation_ids(user)
    if not orgs:
        return []
    today = timezone.localdate()
    tasks: list[Task] = []

    transfers = (
        TransferProposal.objects.filter(transfers_to_decide_filter(user))
        .select_related("lot__product_group")
        .order_by("proposed_at")
    )
    if n := transfers.count():
        tasks.append(
            Task(
                "transfers",
                _("Transfer proposals to accept or decline"),
                n,
                reverse("lot-detail", args=[transfers[0].lot.code]),
                _lot_examples([t.lot for t in transfers[:EXAMPLES]]),
            )
        )
    requests = (
        ReservationRequest.objects.filter(status=RequestStatus.PENDING, lot__owner_id__in=orgs)
        .select_related("lot__product_group")
        .order_by("requested_at")
    )
    if n := requests.count():
        tasks.append(
            Task(
                "requests",
                _("Reservation requests for your lots"),
                n,
                reverse("reservation-requests"),
                _lot_examples([r.lot for r in requests[:EXAMPLES]]),
            )
        )
    engaged = (
        Lot.objects.filter(
            Exists(
                InspectionEngagement.objects.filter(
                    lot=OuterRef("pk"), certifier_id__in=orgs, status=EngagementStatus.OPEN
                )
            )
        )
        .select_related("product_group")
        .order_by("code")
    )
    if n := engaged.count():
        tasks.append(
            Task(
                "inspections",
                _("Lots you were asked to inspect"),
                n,
                reverse("lot-detail", args=[engaged[0].code]),
                _lot_examples(engaged),
            )
        )
    proposals = Proposal.objects.filter(
        status=ProposalStatus.PROPOSED, demand__organisation_id__in=orgs
    )
    if n := proposals.count():
        demand = (
            DemandRequest.objects.filter(
                organisation_id__in=orgs,
                proposals__status=ProposalStatus.PROPOSED,
            )
            .select_related("product_group", "project")
            .distinct()
            .order_by("window_start")
        )
        tasks.append(
            Task(
                "proposals",
                _("Proposals for your demand"),
                n,
                reverse("demand-list"),
                [
                    (
                        f"{d.product_group.name} · {d.project.name}",
                        reverse("demand-detail", args=[d.pk]),
                    )
                    for d in demand[:EXAMPLES]
                ],
            )
        )
    stay = Lot.objects.filter(
        location=Location.AT_HUB, hub__operator_id__in=orgs, hub_since__isnull=False
    ).select_related("product_group", "hub")
    alert_since = timezone.now() - timedelta(days=settings.HUB_DWELL_ALERT_DAYS)
    warn_since = timezone.now() - timedelta(days=settings.HUB_DWELL_WARNING_DAYS)
    over9 = stay.filter(hub_since__lt=alert_since).order_by("hub_since")
    if n := over9.count():
        tasks.append(
            Task(
                "dwell-alert",
                _("Lots in your hubs for over 9 months"),
                n,
                reverse("hub-detail", args=[over9[0].hub_id]),
                _lot_examples(over9),
                level="alert",
            )
        )
    over6 = stay.filter(hub_since__lt=warn_since, hub_since__gte=alert_since).order_by("hub_since")
    if n := over6.count():
        tasks.append(
            Task(
                "dwell-warning",
                _("Lots in your hubs for 6 to 9 months"),
                n,
                reverse("hub-detail", args=[over6[0].hub_id]),
                _lot_examples(over6),
            )
        )
    to_inventory = (
        Asset.objects.filter(
            Q(owner_id__in=orgs) | granted_filter(user, "pk", roles=["inventoriser"]),
            Exists(
                PlannedIntervention.objects.filter(
                    asset=OuterRef("pk"),
                    kind=InterventionKind.DEMOLITION,
                    planned_end__gte=today,
                )
            ),
        )
        .exclude(Exists(Lot.objects.filter(source_asset=OuterRef("pk"))))
        .select_related("municipality")
        .order_by("name")
    )
    if n := to_inventory.count():
        tasks.append(
            Task(
                "inventory",
                _("Planned demolitions without an inventory"),
                n,
                reverse("asset-passport", args=[to_inventory[0].pk]),
                [
                    (f"{a.name} · {a.municipality.name}", reverse("asset-passport", args=[a.pk]))
                    for a in to_inventory[:EXAMPLES]
                ],
            )
        )
    drafts = (
        Asset.objects.filter(
            Exists(Lot.objects.filter(source_asset=OuterRef("pk"), draft=True)),
            owner_id__in=orgs,
        )
        .select_related("municipality")
        .order_by("name")
    )
    if n := drafts.count():
        tasks.append(
            Task(
                "drafts",
                _("Passports with drafts to review and publish"),
                n,
                reverse("asset-drafts", args=[drafts[0].pk]),
                [(a.name, reverse("asset-drafts", args=[a.pk])) for a in drafts[:EXAMPLES]],
            )
        )
    undecided = [p for p in permit_projects(user) if p.permit is None]
    if undecided:
        tasks.append(
            Task(
                "permits",
                _("Projects without a permit decision"),
                len(undecided),
                reverse("permits"),
                [(p.asset.name, reverse("permits")) for p in undecided[:EXAMPLES]],
            )
        )
    return tasks


def start_summary(user) -> dict[str, int]:
    """The user's organisations' own records, counted."""
    orgs = user_organisation_ids(user)
    if not orgs:
        return {}
    return {
        "assets": Asset.objects.filter(Q(owner_id__in=orgs) | granted_filter(user, "pk")).count(),
        "projects": projects_for_demand(user).count(),
        "lots_owned": Lot.objects.filter(owner_id__in=orgs).exclude(status=Status.CLOSED).count(),
        "lots_held": Lot.objects.filter(custodian_id__in=orgs)
        .exclude(owner_id__in=orgs)
        .exclude(status=Status.CLOSED)
        .count(),
        "reserved_for_me": Lot.objects.filter(reserved_for_id__in=orgs)
        .exclude(owner_id__in=orgs)
        .count(),
        "demand_open": DemandRequest.objects.filter(
            organisation_id__in=orgs, status__in=[DemandStatus.OPEN, DemandStatus.PARTIAL]
        ).count(),
        "requests_sent": ReservationRequest.objects.filter(
            requester_id__in=orgs, status=RequestStatus.PENDING
        ).count(),
    }


def reserved_for_me(user):
    """Lots reserved for the user's organisations (bought or about to be)."""
    orgs = user_organisation_ids(user)
    return (
        Lot.objects.filter(reserved_for_id__in=orgs)
        .exclude(owner_id__in=orgs)
        .select_related("product_group", "owner")
        .order_by("code")[:20]
    )
