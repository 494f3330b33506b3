"""Matching in the platform: build an instance from the database, solve it as a job,
store proposals, accept one (a reservation: a "connection" lifecycle event)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import TypedDict, Unpack

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.assets.models import Asset
from urbanmine.catalogue.factors import factor_source
from urbanmine.catalogue.models import ProductGroup
from urbanmine.catalogue.selectors import product_group_mass_band
from urbanmine.core.jobs import job_cancel, job_function, jobs_reap, run_job
from urbanmine.core.keywords import check_keywords
from urbanmine.core.models import Notification
from urbanmine.engine import matching as engine
from urbanmine.engine.geo import haversine_km
from urbanmine.engine.inventory import MAX_LOT_MASS_KG, tonnes
from urbanmine.engine.matching.checker import assignment_economics
from urbanmine.hubs.models import Hub
from urbanmine.hubs.selectors import hubs_open_to_deliveries
from urbanmine.lots.lifecycle import OFFERABLE, Status, Step
from urbanmine.lots.models import QUALITY_RANK, Lot
from urbanmine.lots.selectors import hub_occupancy, lot_place
from urbanmine.lots.services import lot_mass_plausible, lot_record_step, validate_quantity
from urbanmine.organisations.membership import acting_organisation, user_organisation_ids

from .models import (
    DemandRequest,
    DemandStatus,
    MatchRun,
    Proposal,
    ProposalStatus,
    RequestStatus,
    ReservationRequest,
    WantedItem,
    WantedMatch,
)
from .permissions import (
    demand_may_request,
    match_run_may_cancel,
    matching_may_run,
    proposal_may_accept,
    reservation_request_may_decide,
    reservation_request_may_withdraw,
)

logger = logging.getLogger(__name__)


class _DemandRequired(TypedDict):
    project: Asset
    product_group: ProductGroup
    quantity: Decimal | int | str
    window_start: date
    window_end: date


class DemandFields(_DemandRequired, total=False):
    """What a destination project needs, when, and how far it may come from."""

    unit: str | None  # default: the product group's unit
    min_quality: str
    max_distance_km: int
    notes: str  # dimensions and performance the project needs


@transaction.atomic
def demand_request_create(
    *, actor, organisation=None, is_demo: bool = False, **fields: Unpack[DemandFields]
) -> DemandRequest:
    """A buyer's demand for one of its projects (default organisation: the first the actor
    acts for). Checked here for the web and the API alike."""
    check_keywords("demand_request_create", fields, DemandFields)
    try:
        org = acting_organisation(actor, organisation)
    except PermissionDenied as e:  # a field of the request, named as such
        raise ValidationError({"organisation": str(e)}) from None
    project, group = fields["project"], fields["product_group"]
    if not demand_may_request(actor, organisation=org, project=project):
        raise ValidationError(
            {"project": _("Demand is requested for a project of your own organisation.")}
        )
    unit = fields.get("unit") or group.unit
    quantity = validate_quantity(fields["quantity"], unit)
    _check_demand_quantity(group, unit, quantity)
    if fields["window_end"] < fields["window_start"]:
        raise ValidationError({"window_end": _("The end of the window lies before its start.")})
    demand = DemandRequest(
        project=project,
        organisation=org,
        product_group=group,
        quantity=quantity,
        unit=unit,
        min_quality=fields.get("min_quality", "C"),
        window_start=fields["window_start"],
        window_end=fields["window_end"],
        max_distance_km=fields.get("max_distance_km", 50),
        notes=(fields.get("notes") or "").strip(),
        is_demo=is_demo,
    )
    demand.full_clean()
    with set_actor(actor):  # the audit log names who asked, with or without a request
        demand.save()
    return demand


def demand_max_quantity(group: ProductGroup, unit: str) -> Decimal | None:
    """The most a demand line may ask for: what one lot may hold at most (100,000 t), in
    `unit` at the group's typical mass per unit (or, in another unit than the catalogue's,
    at the lightest plausible one); None when the catalogue knows no mass for it."""
    band = product_group_mass_band(group, unit)
    if band is None:
        return None
    if band.low == band.high or unit != group.unit:  # kg, t; or another unit
        per_unit = band.low
    else:
        per_unit = group.typical_mass_kg_per_unit
    return (MAX_LOT_MASS_KG / per_unit).to_integral_value(ROUND_FLOOR)


def _check_demand_quantity(group: ProductGroup, unit: str, quantity: Decimal) -> None:
    most = demand_max_quantity(group, unit)
    if most is not None and quantity > most:
        raise ValidationError(
            {
                "quantity": _(
                    "A demand line asks for at most %(max)s %(unit)s (%(max_t)s t): "
                    "split a larger need into several lines."
                )
                % {"max": f"{most:f}", "unit": unit, "max_t": tonnes(MAX_LOT_MASS_KG)}
            }
        )


@dataclass
class BuiltInstance:
    data: dict
    lots: dict[str, Lot] = field(default_factory=dict)
    demands: dict[str, DemandRequest] = field(default_factory=dict)
    hubs: dict[str, Hub] = field(default_factory=dict)
    #: codes of offerable lots left out because their mass cannot be true
    skipped_implausible: list[str] = field(default_factory=list)


def product_group_factors() -> dict[str, dict[str, float]]:
    """Per product group: virgin and reuse CO2 per kg and virgin price per kg, from the
    platform's cited factor source."""
    source = factor_source()
    out = {}
    for code in source.product_groups():
        f = source.factor(code)
        out[code] = {
            "virgin_co2_kg_per_kg": f.virgin_co2_kg_per_kg,
            "reuse_co2_kg_per_kg": f.reuse_co2_kg_per_kg,
            "virgin_price_eur_per_kg": f.virgin_price_eur_per_kg,
        }
    return out


def _group_key(code: str, unit: str) -> str:
    # Supply and demand only match in the same unit: the engine's product group is (code, unit).
    return f"{code}|{unit}"


def match_instance_build(*, today: date | None = None) -> BuiltInstance:
    """All offerable supply (harvested, or inventoried and released on its expected date)
    against all open demand, through every hub with the capacity it has left.

    A lot whose stored mass fails the bounds every write now checks (mass per unit outside
    its product group's band, or more than 100,000 t: old rows, admin edits) is left out,
    listed in `skipped_implausible`, logged and counted in the run's message: the value of
    a proposal grows with the mass it moves, so an absurd mass would lead every proposal."""
    today = today or timezone.localdate()
    factors = product_group_factors()
    built = BuiltInstance(data={})
    supply, demand, groups = [], [], {}
    lots = (
        Lot.objects.filter(
            status__in=OFFERABLE,
            draft=False,  # a draft is not on offer until its owner publishes it
            has_asbestos=False,
            has_chromium6=False,
            has_other_hazard=False,
        )
        .filter(quantity__gte=1)
        .select_related(
            "product_group",
            "hub__municipality",
            "source_asset__municipality",
            "applied_asset__municipality",
        )
    )
    for lot in lots:
        code = lot.product_group.code
        if code not in factors:
            continue
        if not lot_mass_plausible(lot):
            built.skipped_implausible.append(lot.code)
            continue
        qty = int(lot.quantity)  # whole units only
        lat, lon, _name = lot_place(lot)
        available = today
        if (
            lot.status == Status.INVENTORIED
            and lot.expected_release_date
            and lot.expected_release_date > today
        ):
            available = lot.expected_release_date
        key = _group_key(code, lot.unit)
        groups[key] = code
        sid = lot.code
        built.lots[sid] = lot
        supply.append(
            {
                "id": sid,
                "product_group": key,
                "quantity": qty,
                "mass_kg_per_unit": float(lot.mass_kg_per_unit),
                "quality": QUALITY_RANK[lot.quality],
                "lat": lat,
                "lon": lon,
                "available_on": available.isoformat(),
                "hazardous": False,
            }
        )
    open_demand = DemandRequest.objects.filter(
        status__in=[DemandStatus.OPEN, DemandStatus.PARTIAL], window_end__gte=today
    ).select_related("product_group", "project")
    accepted = _accepted_quantities()
    for d in open_demand:
        code = d.product_group.code
        if code not in factors:
            continue
        remaining = int(d.quantity - accepted.get(d.id, Decimal(0)))
        if remaining <= 0:
            continue
        key = _group_key(code, d.unit)
        groups[key] = code
        did = f"D{d.id}"
        built.demands[did] = d
        demand.append(
            {
                "id": did,
                "product_group": key,
                "quantity": remaining,
                "min_quality": QUALITY_RANK[d.min_quality],
                "lat": d.project.lat,
                "lon": d.project.lon,
                "window_start": max(d.window_start, today).isoformat(),
                "window_end": d.window_end.isoformat(),
                "max_distance_km": float(d.max_distance_km),
            }
        )
    # hubs closed to deliveries serve their operator's own logistics only: no routes
    hubs = list(hubs_open_to_deliveries())
    held = hub_occupancy(hubs)
    hub_rows = []
    for h in hubs:
        hid = f"H{h.id}"
        built.hubs[hid] = h
        accepted_codes = {g.code for g in h.accepted_product_groups.all()}
        hub_rows.append(
            {
                "id": hid,
                "lat": h.lat,
                "lon": h.lon,
                "capacity_kg": max(0.0, float(h.capacity_t) * 1000 - float(held.get(h.id, 0))),
                "max_dwell_days": h.max_dwell_days,
                "storage_eur_per_t_day": settings.HUB_DEFAULT_STORAGE_EUR_PER_T_DAY,
                "handling_eur_per_t": settings.HUB_DEFAULT_HANDLING_EUR_PER_T,
                "accepts": None
                if not accepted_codes
                else [k for k, c in groups.items() if c in accepted_codes],
            }
        )
    if built.skipped_implausible:
        logger.warning(
            "matching leaves out %d lots with an implausible mass: %s",
            len(built.skipped_implausible),
            ", ".join(built.skipped_implausible[:20]),
        )
    built.data = {
        "params": dict(settings.MATCHING_PARAMS),
        "product_groups": [{"code": key, **factors[code]} for key, code in sorted(groups.items())],
        "hubs": hub_rows,
        "supply": supply,
        "demand": demand,
    }
    return built


def _accepted_quantities() -> dict[int, Decimal]:
    rows = (
        Proposal.objects.filter(status=ProposalStatus.ACCEPTED)
        .values("demand_id")
        .annotate(q=Sum("quantity"))
    )
    return {r["demand_id"]: r["q"] for r in rows}


def match_run_start(*, actor, solver: str = "optimal", time_limit: float | None = None) -> MatchRun:
    """Queue a matching run. One at a time: a second start while a run is queued or running
    (and alive) is refused, race-safe through MatchRun.active's unique index."""
    if not matching_may_run(actor):
        raise PermissionDenied(_("Only a matchmaker starts a matching run."))
    if solver not in engine.SOLVERS:
        raise ValidationError({"solver": _("Unknown solver “%(s)s”.") % {"s": solver}})
    jobs_reap()  # a run whose worker died frees its slot first
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(started_by=actor, solver=solver, active=True)
    except IntegrityError:
        busy = MatchRun.objects.filter(active=True).first()
        raise ValidationError(
            _("Matching run %(id)s is still %(status)s; wait for it or cancel it first.")
            % {
                "id": busy.pk if busy else "?",
                "status": busy.get_status_display().lower() if busy else _("running"),
            }
        ) from None
    transaction.on_commit(
        lambda: run_job(run, match_run_execute, run_id=run.id, time_limit=time_limit)
    )
    return run


def match_run_cancel(*, run: MatchRun, actor) -> bool:
    """Stop a queued or running matching run (its starter or a matchmaker). False when it
    had ended already."""
    if not match_run_may_cancel(actor, run):
        raise PermissionDenied(_("Only the one who started the run or a matchmaker cancels it."))
    return job_cancel(run)


@job_function
def match_run_execute(
    *, run_id: int, time_limit: float | None = None, today: date | None = None
) -> MatchRun:
    """Build → solve → check → store proposals. Failures are recorded on the run."""
    run = MatchRun.objects.get(pk=run_id)
    try:
        run.report_progress(5, _("Building the instance from the registry…"))
        built = match_instance_build(today=today)
        inst = engine.parse_instance(built.data)
        run.n_supply, run.n_demand, run.n_hubs = (
            len(built.lots),
            len(built.demands),
            len(built.hubs),
        )
        run.report_progress(
            25,
            _("Solving %(s)d supply lots × %(d)d demand lines…")
            % {"s": run.n_supply, "d": run.n_demand},
        )
        result = engine.solve(
            inst, solver=run.solver, time_limit=time_limit or settings.MATCHING_TIME_LIMIT_S
        )
        run.report_progress(85, _("Checking the solution against every rule…"))
        report = engine.check(inst, result)
        if not report.ok:
            raise RuntimeError(f"solver output failed the checker: {report.violations[:3]}")
        _store_proposals(run, built, inst, result)
        run.result_status, run.objective_eur, run.bound_eur = (
            result.status,
            result.objective_eur,
            result.bound_eur,
        )
        run.message = _("%(n)d proposals.") % {"n": len(result.assignments)}
        if built.skipped_implausible:
            run.message += " " + _("%(k)d lots left out because their mass is implausible.") % {
                "k": len(built.skipped_implausible)
            }
    except Exception as exc:  # recorded on the run for the user to see
        run.finish(exc)
    else:
        run.finish()
    return run


@transaction.atomic
def _store_proposals(run: MatchRun, built: BuiltInstance, inst, result) -> None:
    """One proposal per assignment, its numbers recomputed by the engine's own economics."""
    Proposal.objects.filter(status=ProposalStatus.PROPOSED).update(status=ProposalStatus.SUPERSEDED)
    truck = built.data["params"]["truck_co2_kg_per_tkm"]
    rows = []
    for a in result.assignments:
        day = date.fromisoformat(a.delivery_date)
        h_i = inst.hub_index[a.hub] if a.hub is not None else None
        value, mass_kg, co2_kg, tkm, road_km = assignment_economics(
            inst,
            inst.supply_index[a.supply],
            inst.demand_index[a.demand],
            h_i,
            quantity=a.quantity,
            day=day.toordinal(),
        )
        rows.append(
            Proposal(
                run=run,
                demand=built.demands[a.demand],
                lot=built.lots[a.supply],
                hub=built.hubs.get(a.hub) if a.hub is not None else None,
                quantity=Decimal(a.quantity),
                delivery_date=day,
                distance_km=round(road_km, 2),
                mass_kg=mass_kg,
                co2_avoided_kg=co2_kg,
                transport_co2_kg=tkm * truck,
                value_eur=value,
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=2000)


class StaleProposal(Exception):
    pass


def proposal_accept(*, proposal_id: int, actor) -> Proposal:
    """Reserve the proposed quantity for the demand (a connection event), after re-checking
    that the lot still offers it; stale proposals are marked (in their own transaction) and
    refused."""
    try:
        return _proposal_accept(proposal_id=proposal_id, actor=actor)
    except StaleProposal as stale:
        reason = str(stale)
        Proposal.objects.filter(pk=proposal_id, status=ProposalStatus.PROPOSED).update(
            status=ProposalStatus.STALE, stale_reason=reason
        )
        raise ValidationError(
            {"proposal": _("No longer available: %(r)s") % {"r": reason}}
        ) from None


@transaction.atomic
def _proposal_accept(*, proposal_id: int, actor) -> Proposal:
    try:
        proposal = (
            Proposal.objects.select_for_update().select_related("demand", "lot").get(pk=proposal_id)
        )
    except Proposal.DoesNotExist:
        raise ValidationError(
            {"proposal": _("Proposal %(id)s does not exist.") % {"id": proposal_id}}
        ) from None
    # Lock the demand too: two acceptances for one demand never over-fill it.
    demand = DemandRequest.objects.select_for_update().get(pk=proposal.demand_id)
    if not proposal_may_accept(actor, demand):
        raise PermissionDenied(_("Only the buyer or a matchmaker accepts a proposal."))
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(
            {"proposal": _("This proposal is %(s)s.") % {"s": proposal.get_status_display()}}
        )
    lot = Lot.objects.select_for_update().get(pk=proposal.lot_id)
    reason = _stale_reason(proposal, lot, demand)
    if (
        not reason
        and _accepted_quantities().get(demand.id, Decimal(0)) + proposal.quantity > demand.quantity
    ):
        reason = _("the demand is already covered by accepted proposals")
    if reason:
        raise StaleProposal(reason)
    event = lot_record_step(
        lot_id=lot.id,
        step=Step.CONNECTION,
        actor=actor,
        organisation=demand.organisation,
        quantity=proposal.quantity,
        counterparty=demand.organisation,
        authorised_by_platform=True,
        notes=_("Reserved for demand %(d)s (proposal %(p)s)") % {"d": demand.pk, "p": proposal.pk},
    )
    proposal.status, proposal.accepted_by, proposal.accepted_at = (
        ProposalStatus.ACCEPTED,
        actor,
        timezone.now(),
    )
    proposal.reservation = event
    proposal.save(update_fields=["status", "accepted_by", "accepted_at", "reservation"])
    accepted = _accepted_quantities().get(demand.id, Decimal(0))
    demand.status = DemandStatus.FULFILLED if accepted >= demand.quantity else DemandStatus.PARTIAL
    demand.save(update_fields=["status"])
    return proposal


def proposals_release(*, lot: Lot, holder_id: int) -> int:
    """The reservation an accepted proposal made on `lot` ended without delivery (released,
    exited or corrected): the proposal reads "released" and its demand counts the quantity
    as open again. Called from the lots app's `reservation_ended` signal, inside the
    recording transaction. Returns the number of proposals released."""
    proposals = list(
        Proposal.objects.select_for_update()
        .filter(
            status=ProposalStatus.ACCEPTED,
            reservation__lot=lot,
            demand__organisation_id=holder_id,
        )
        .select_related("demand")
    )
    for p in proposals:
        p.status = ProposalStatus.RELEASED
        p.stale_reason = _("the reservation of lot %(code)s was released") % {"code": lot.code}
        p.save(update_fields=["status", "stale_reason"])
    accepted = _accepted_quantities()
    for demand in {p.demand for p in proposals}:
        if demand.status == DemandStatus.CANCELLED:
            continue
        q = accepted.get(demand.id, Decimal(0))
        demand.status = (
            DemandStatus.FULFILLED
            if q >= demand.quantity
            else DemandStatus.PARTIAL
            if q > 0
            else DemandStatus.OPEN
        )
        demand.save(update_fields=["status"])
    return len(proposals)


def _stale_reason(proposal: Proposal, lot: Lot, demand: DemandRequest) -> str:
    if lot.is_hazardous:
        return _("the lot contains hazardous substances")
    if lot.status not in OFFERABLE:
        return _("the lot is now %(s)s") % {"s": lot.get_status_display()}
    if lot.quantity < proposal.quantity:
        return _("the lot holds only %(q)s %(u)s") % {"q": lot.quantity.normalize(), "u": lot.unit}
    if QUALITY_RANK[lot.quality] > QUALITY_RANK[demand.min_quality]:
        return _("the lot's quality is below the demand's minimum")
    if demand.status in (DemandStatus.FULFILLED, DemandStatus.CANCELLED):
        return _("the demand is %(s)s") % {"s": demand.get_status_display()}
    return ""


# ------------------------------------------------------------------ reservation requests
@transaction.atomic
def reservation_request_create(
    *,
    lot_id: int,
    actor,
    quantity,
    project: Asset | None = None,
    message: str = "",
    organisation=None,
) -> ReservationRequest:
    """A buyer asks the owner to reserve (part of) a lot on offer. Refused: a lot not on
    offer, one's own lot, more than the lot holds, a project of another organisation, or
    a second open request for the same lot."""
    lot = Lot.objects.select_for_update().select_related("product_group").filter(pk=lot_id).first()
    if lot is None or not lot.is_published:
        raise ValidationError({"lot": _("This lot is not on offer.")})
    try:
        org = acting_organisation(actor, organisation)
    except PermissionDenied as e:
        raise ValidationError({"organisation": str(e)}) from None
    if org.pk in (lot.owner_id, lot.custodian_id):
        raise ValidationError({"lot": _("Your organisation owns or holds this lot already.")})
    if lot.status not in OFFERABLE or lot.is_hazardous:
        raise ValidationError(
            {"lot": _("Lot %(code)s is %(s)s.") % {"code": lot.code, "s": lot.get_status_display()}}
        )
    q = validate_quantity(quantity, lot.unit)
    if q <= 0:
        raise ValidationError({"quantity": _("Ask for more than nothing.")})
    if q > lot.quantity:
        raise ValidationError(
            {
                "quantity": _("Lot %(code)s holds only %(have)s %(unit)s.")
                % {"code": lot.code, "have": lot.quantity.normalize(), "unit": lot.unit}
            }
        )
    if project is not None and not demand_may_request(actor, organisation=org, project=project):
        raise ValidationError(
            {"project": _("Choose a project of your organisation, or one you build for.")}
        )
    if ReservationRequest.objects.filter(
        lot=lot, requester=org, status=RequestStatus.PENDING
    ).exists():
        raise ValidationError(
            {"lot": _("Your organisation already asked for lot %(code)s.") % {"code": lot.code}}
        )
    with set_actor(actor):
        return ReservationRequest.objects.create(
            lot=lot,
            requester=org,
            project=project,
            quantity=q,
            message=(message or "").strip()[:2000],
            requested_by=actor,
            requested_at=timezone.now(),
        )


def _pending_request(request_id: int) -> ReservationRequest:
    found = (
        ReservationRequest.objects.select_for_update()
        .select_related("lot", "requester")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise ValidationError({"request": _("Request %(id)s does not exist.") % {"id": request_id}})
    if found.status != RequestStatus.PENDING:
        raise ValidationError(
            {"request": _("This request is %(s)s.") % {"s": found.get_status_display()}}
        )
    return found


@transaction.atomic
def reservation_request_accept(*, request_id: int, actor) -> ReservationRequest:
    """The owner accepts: the quantity is reserved for the buyer (a connection step, the
    lot split first when only part is asked), checked again against the lot as it is now."""
    req = _pending_request(request_id)
    if not reservation_request_may_decide(actor, req):
        raise PermissionDenied(_("Only the lot's owner accepts or declines a request."))
    lot = Lot.objects.select_for_update().get(pk=req.lot_id)
    if lot.status not in OFFERABLE or lot.quantity < req.quantity:
        raise ValidationError(
            {
                "request": _("Lot %(code)s no longer offers %(q)s %(unit)s.")
                % {"code": lot.code, "q": req.quantity.normalize(), "unit": lot.unit}
            }
        )
    event = lot_record_step(
        lot_id=lot.id,
        step=Step.CONNECTION,
        actor=actor,
        organisation=lot.owner,
        quantity=req.quantity,
        counterparty=req.requester,
        notes=_("Reserved on request %(id)s of %(org)s") % {"id": req.pk, "org": req.requester},
    )
    req.status, req.decided_by, req.decided_at, req.reservation = (
        RequestStatus.ACCEPTED,
        actor,
        timezone.now(),
        event,
    )
    req.save(update_fields=["status", "decided_by", "decided_at", "reservation"])
    return req


@transaction.atomic
def reservation_request_decline(*, request_id: int, actor, reason: str = "") -> ReservationRequest:
    req = _pending_request(request_id)
    if not reservation_request_may_decide(actor, req):
        raise PermissionDenied(_("Only the lot's owner accepts or declines a request."))
    req.status, req.decided_by, req.decided_at, req.reason = (
        RequestStatus.DECLINED,
        actor,
        timezone.now(),
        (reason or "").strip()[:300],
    )
    req.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    return req


@transaction.atomic
def reservation_request_withdraw(*, request_id: int, actor) -> ReservationRequest:
    req = _pending_request(request_id)
    if not reservation_request_may_withdraw(actor, req):
        raise PermissionDenied(_("Only the organisation that asked withdraws a request."))
    req.status, req.decided_by, req.decided_at = RequestStatus.WITHDRAWN, actor, timezone.now()
    req.save(update_fields=["status", "decided_by", "decided_at"])
    return req


# ------------------------------------------------------------------------- wanted lists
@transaction.atomic
def wanted_create(
    *,
    actor,
    product_group: ProductGroup,
    min_quality: str = "C",
    project: Asset | None = None,
    max_distance_km: int = 50,
    organisation=None,
) -> WantedItem:
    """A standing wish: tell me when such supply is published (near my project)."""
    try:
        org = acting_organisation(actor, organisation)
    except PermissionDenied as e:
        raise ValidationError({"organisation": str(e)}) from None
    if min_quality not in QUALITY_RANK:
        raise ValidationError({"min_quality": _("Choose a quality grade.")})
    if not 1 <= int(max_distance_km) <= 300:
        raise ValidationError({"max_distance_km": _("Give a distance from 1 to 300 km.")})
    if project is not None and not demand_may_request(actor, organisation=org, project=project):
        raise ValidationError(
            {"project": _("Choose a project of your organisation, or one you build for.")}
        )
    if WantedItem.objects.filter(
        organisation=org, product_group=product_group, project=project, active=True
    ).exists():
        raise ValidationError(
            {"product_group": _("%(g)s is on your wanted list already.") % {"g": product_group}}
        )
    return WantedItem.objects.create(
        organisation=org,
        created_by=actor,
        product_group=product_group,
        min_quality=min_quality,
        project=project,
        max_distance_km=max_distance_km,
    )


def wanted_deactivate(*, wanted_id: int, actor) -> WantedItem:
    item = WantedItem.objects.filter(
        pk=wanted_id, organisation_id__in=user_organisation_ids(actor)
    ).first()
    if item is None:
        raise ValidationError(
            {"wanted": _("Wanted item %(id)s does not exist.") % {"id": wanted_id}}
        )
    item.active = False
    item.save(update_fields=["active"])
    return item


def wanted_notify(*, lot_ids: list[int] | None = None) -> int:
    """Tell every active wanted item about published lots that match it and it was not
    told about (in the app, and by e-mail when its maker has an address). `lot_ids`: only
    these lots (just published); None: all published lots. Returns the notices written."""
    items = list(
        WantedItem.objects.filter(active=True).select_related(
            "product_group", "project", "created_by", "organisation"
        )
    )
    if not items:
        return 0
    published = Lot.objects.filter(
        is_published=True, product_group__in={i.product_group for i in items}
    )
    if lot_ids is not None:
        published = published.filter(pk__in=lot_ids)
    lots = list(
        published.select_related(
            "product_group",
            "hub__municipality",
            "source_asset__municipality",
            "applied_asset__municipality",
        )
    )
    if not lots:
        return 0
    told = set(
        WantedMatch.objects.filter(wanted__in=items, lot__in=lots).values_list(
            "wanted_id", "lot_id"
        )
    )
    written = 0
    for item in items:
        fresh = []
        for lot in lots:
            if (
                lot.product_group_id != item.product_group_id
                or (item.id, lot.id) in told
                or lot.owner_id == item.organisation_id
                or QUALITY_RANK[lot.quality] > QUALITY_RANK[item.min_quality]
            ):
                continue
            lat, lon, place = lot_place(lot)
            if item.project is not None:
                km = float(haversine_km(lat, lon, item.project.lat, item.project.lon))
                if km > item.max_distance_km:
                    continue
            fresh.append((lot, place))
        if fresh:
            written += _tell(item, fresh)
    return written


def _tell(item: WantedItem, fresh: list[tuple[Lot, str]]) -> int:
    with transaction.atomic():
        WantedMatch.objects.bulk_create(
            [WantedMatch(wanted=item, lot=lot) for lot, _place in fresh], ignore_conflicts=True
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    user=item.created_by,
                    text=_(
                        "On offer for your wanted list: %(group)s, %(q)s %(unit)s in %(place)s (lot %(code)s)."
                    )
                    % {
                        "group": lot.product_group.name,
                        "q": lot.quantity.normalize(),
                        "unit": lot.get_unit_display(),
                        "place": place,
                        "code": lot.code,
                    },
                    url=reverse("lot-detail", args=[lot.code]),
                )
                for lot, place in fresh
            ]
        )
    if item.created_by.email:
        lines = [
            f"- {lot.code}: {lot.product_group.name}, {lot.quantity.normalize()} "
            f"{lot.get_unit_display()}, "
            f"{place} ({settings.URBANMINE_SITE_URL}{reverse('lot-detail', args=[lot.code])})"
            for lot, place in fresh
        ]
        send_mail(
            subject=_("New supply for your wanted list: %(group)s")
            % {"group": item.product_group.name},
            message=_("Published on urbanmine and matching your wanted list:")
            + "\n"
            + "\n".join(lines),
            from_email=None,
            recipient_list=[item.created_by.email],
            fail_silently=True,  # the notice in the app stands; a mail server hiccup is logged
        )
    return len(fresh)
