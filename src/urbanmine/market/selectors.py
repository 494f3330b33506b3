"""Reads for demand and proposals, including why a demand found nothing."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, Sum, When
from django.utils.translation import gettext as _

from urbanmine.assets.models import Asset, PermitDecision
from urbanmine.assets.permissions import permit_authority_municipality_ids
from urbanmine.engine import geo
from urbanmine.lots.lifecycle import OFFERABLE, Status
from urbanmine.lots.models import QUALITY_RANK, Lot
from urbanmine.lots.selectors import lot_certificate_valid, lot_place
from urbanmine.organisations.membership import user_organisation_ids

from .models import (
    DemandRequest,
    MatchRun,
    Proposal,
    ProposalStatus,
    RequestStatus,
    ReservationRequest,
    WantedItem,
)
from .permissions import (
    demand_visible_filter,
    proposals_visible_filter,
    reservation_requests_visible_filter,
)


def visible_demand(user):
    """Demand the user may see, with its proposal counts."""
    qs = DemandRequest.objects.filter(demand_visible_filter(user)).select_related(
        "product_group", "project__municipality", "organisation"
    )
    return qs.annotate(
        n_proposed=Count("proposals", filter=Q(proposals__status=ProposalStatus.PROPOSED)),
        n_accepted=Count("proposals", filter=Q(proposals__status=ProposalStatus.ACCEPTED)),
    )


def demand_proposals(demand):
    return (
        Proposal.objects.filter(
            demand=demand,
            status__in=[
                ProposalStatus.PROPOSED,
                ProposalStatus.ACCEPTED,
                ProposalStatus.STALE,
                ProposalStatus.RELEASED,
            ],
        )
        .select_related(
            "lot__product_group",
            "lot__hub__municipality",
            "lot__source_asset__municipality",
            "lot__applied_asset__municipality",
            "hub",
            "run",
        )
        .order_by("status", "-value_eur")
    )


def visible_proposals(user):
    return Proposal.objects.filter(proposals_visible_filter(user)).select_related("lot")


def latest_runs(limit: int = 10):
    return MatchRun.objects.select_related("started_by")[:limit]


def demand_unmatched_reasons(demand) -> list[str]:
    """Why nothing matched: the first filter of the contract's rules that leaves no supply."""
    lots = list(
        Lot.objects.filter(
            product_group=demand.product_group, status__in=OFFERABLE, quantity__gte=1
        ).select_related(
            "hub__municipality", "source_asset__municipality", "applied_asset__municipality"
        )
    )
    reasons = []
    same_unit = [lot for lot in lots if lot.unit == demand.unit]
    if not lots:
        return [
            _("No %(g)s is on offer anywhere in the region.") % {"g": demand.product_group.name}
        ]
    if not same_unit:
        return [
            _("%(n)d lots are on offer, but none in %(u)s.")
            % {"n": len(lots), "u": demand.get_unit_display()}
        ]
    safe = [lot for lot in same_unit if not lot.is_hazardous]
    ok_quality = [
        lot for lot in safe if QUALITY_RANK[lot.quality] <= QUALITY_RANK[demand.min_quality]
    ]
    if not ok_quality:
        return [
            _("%(n)d lots are on offer, but none of quality %(q)s or better.")
            % {"n": len(safe), "q": demand.min_quality}
        ]
    road = settings.MATCHING_PARAMS["road_factor"]
    near = []
    for lot in ok_quality:
        lat, lon, _name = lot_place(lot)
        if (
            float(geo.road_km(lat, lon, demand.project.lat, demand.project.lon, road))
            <= demand.max_distance_km
        ):
            near.append(lot)
    if not near:
        return [
            _(
                "%(n)d lots of the right quality are on offer, but all farther than %(km)d km by road."
            )
            % {"n": len(ok_quality), "km": demand.max_distance_km}
        ]
    in_time = [
        lot
        for lot in near
        if not lot.expected_release_date or lot.expected_release_date <= demand.window_end
    ]
    if not in_time:
        return [
            _("%(n)d suitable lots are near, but none is released before %(d)s.")
            % {"n": len(near), "d": demand.window_end}
        ]
    reasons.append(
        _(
            "%(n)d suitable lots exist: run the matching (again) or check hub capacity and dwell limits."
        )
        % {"n": len(in_time)}
    )
    return reasons


# ------------------------------------------------------------------------------ permits
@dataclass
class PermitProject:
    asset: Asset
    applied_lots: int
    reserved_kg: float
    permit: PermitDecision | None


def permit_projects(user) -> list[PermitProject]:
    """Projects that apply secondary materials in the municipalities this user's permit
    authorities serve: assets with lots applied in them, or projects of demand with an
    accepted proposal (lots reserved for them). Each with `applied_lots`, `reserved_kg`
    and `permit` (the latest decision, or None). Three queries."""
    municipalities = permit_authority_municipality_ids(user)
    if not municipalities:
        return []
    applied = Lot.objects.filter(applied_asset=OuterRef("pk"), status=Status.APPLIED)
    reserved = Proposal.objects.filter(
        demand__project=OuterRef("pk"), status=ProposalStatus.ACCEPTED
    )
    projects = list(
        Asset.objects.filter(municipality_id__in=municipalities)
        .filter(Exists(applied) | Exists(reserved))
        .select_related("municipality", "owner")
        .annotate(n_applied=Count("applied_lots", distinct=True))
        .order_by("municipality__name", "name")
    )
    reserved_kg = dict(
        Proposal.objects.filter(demand__project__in=projects, status=ProposalStatus.ACCEPTED)
        .values("demand__project_id")
        .annotate(kg=Sum("mass_kg"))
        .values_list("demand__project_id", "kg")
    )
    latest: dict[int, PermitDecision] = {}
    for decision in (
        PermitDecision.objects.filter(asset__in=projects)
        .select_related("authority")
        .order_by("decided_at", "id")
    ):
        latest[decision.asset_id] = decision
    return [
        PermitProject(
            asset=p,
            applied_lots=p.n_applied,  # type: ignore[attr-defined]
            reserved_kg=float(reserved_kg.get(p.pk) or 0),
            permit=latest.get(p.pk),
        )
        for p in projects
    ]


def proposal_needs_inspection(proposal: Proposal) -> bool:
    """The lot's product group is sold or applied only with a passed inspection, and no
    certificate valid on the delivery date exists yet: the buyer may reserve it, but it is
    delivered only after a certifier passes it (the matching plans with it regardless)."""
    group = proposal.lot.product_group
    return group.inspection_required and not lot_certificate_valid(
        proposal.lot, proposal.delivery_date
    )


def reservation_requests_for(user):
    """Reservation requests the user may see (asked by its organisation, or for its lots),
    pending first."""
    return (
        ReservationRequest.objects.filter(reservation_requests_visible_filter(user))
        .select_related("lot__product_group", "lot__owner", "requester", "project")
        .order_by(
            Case(When(status=RequestStatus.PENDING, then=0), default=1), "-requested_at", "-id"
        )
    )


def wanted_of(user):
    """The user's organisations' active wanted items, with how many lots they were told."""
    return (
        WantedItem.objects.filter(organisation_id__in=user_organisation_ids(user), active=True)
        .select_related("product_group", "project")
        .annotate(n_told=Count("matches"))
        .order_by("product_group__name_nl")
    )
