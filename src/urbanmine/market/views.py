import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.assets.models import Asset, PermitDecision, PermitStatus
from urbanmine.assets.permissions import (
    permit_authority_municipality_ids,
    permit_document_may_view,
    permit_may_decide,
    projects_for_demand,
)
from urbanmine.assets.services import permit_decide
from urbanmine.core.documents import document_response
from urbanmine.core.forms import add_service_errors, error_text
from urbanmine.core.jobs import job_reap_if_stale
from urbanmine.core.models import JobStatus
from urbanmine.lots.models import Lot
from urbanmine.lots.selectors import lot_place
from urbanmine.organisations.membership import (
    acting_organisation_or_none,
    user_organisation_ids,
)

from . import selectors, services
from .forms import DemandForm, ReservationRequestForm, WantedForm
from .models import MatchRun, Proposal
from .permissions import match_run_may_cancel, match_run_may_view, matching_may_run


@login_required
def matching_overview(request):
    if request.method == "POST":
        if not matching_may_run(request.user):
            raise PermissionDenied
        solver = request.POST.get("solver", "optimal")
        try:
            run = services.match_run_start(actor=request.user, solver=solver)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, _("Matching run %(id)s started.") % {"id": run.pk})
        return redirect("matching")
    runs = list(selectors.latest_runs())
    for run in runs:  # nobody watches a dead run "running"
        job_reap_if_stale(run)
        run.may_cancel = run.is_active and match_run_may_cancel(request.user, run)
    return render(
        request,
        "market/matching.html",
        {
            "runs": runs,
            "may_run": matching_may_run(request.user),
            "demand": selectors.visible_demand(request.user).order_by("window_start")[:200],
        },
    )


@login_required
def run_status(request, pk):
    run = get_object_or_404(MatchRun, pk=pk)
    if not match_run_may_view(request.user, run):
        raise Http404
    job_reap_if_stale(run)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "finished": run.is_finished,
            "cancel_requested": run.cancel_requested,
            "progress": run.progress,
            "message": run.message,
            "result_status": run.result_status,
        }
    )


@login_required
@require_http_methods(["POST"])
def run_cancel(request, pk):
    """Stop a queued or running matching run (its starter or a matchmaker)."""
    run = get_object_or_404(MatchRun, pk=pk)
    if not match_run_may_view(request.user, run):
        raise Http404
    if not match_run_may_cancel(request.user, run):
        raise PermissionDenied
    if services.match_run_cancel(run=run, actor=request.user):
        text = (
            _("Matching run %(id)s is cancelled.")
            if run.status == JobStatus.CANCELLED
            else _("Matching run %(id)s stops at its next step.")
        )
        messages.success(request, text % {"id": run.pk})
    else:
        messages.info(request, _("Matching run %(id)s had already ended.") % {"id": run.pk})
    return redirect("matching")


@login_required
def demand_detail(request, pk):
    demand = selectors.visible_demand(request.user).filter(pk=pk).first()
    if demand is None:
        raise Http404
    proposals = list(selectors.demand_proposals(demand))
    routes = []
    for p in proposals:
        lat, lon, place = lot_place(p.lot)
        p.place_name = place
        p.needs_inspection = selectors.proposal_needs_inspection(p)
        path = (
            [[lat, lon]]
            + ([[p.hub.lat, p.hub.lon]] if p.hub else [])
            + [[demand.project.lat, demand.project.lon]]
        )
        routes.append(
            {
                "path": path,
                "label": f"{p.lot.code} → {p.quantity.normalize()} {p.lot.unit}",
                "status": p.status,
            }
        )
    reasons = (
        []
        if any(p.status == "proposed" for p in proposals)
        else selectors.demand_unmatched_reasons(demand)
    )
    return render(
        request,
        "market/demand_detail.html",
        {
            "demand": demand,
            "proposals": proposals,
            "routes_json": json.dumps(routes),
            "reasons": reasons,
        },
    )


@login_required
@require_http_methods(["POST"])
def proposal_accept(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("demand"), pk=pk)
    if not selectors.visible_demand(request.user).filter(pk=proposal.demand_id).exists():
        raise Http404
    try:
        services.proposal_accept(proposal_id=proposal.pk, actor=request.user)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(
            request,
            _("Reserved: %(q)s of lot %(lot)s.")
            % {"q": proposal.quantity.normalize(), "lot": proposal.lot.code},
        )
    return redirect("demand-detail", pk=proposal.demand_id)


@login_required
def permits(request):
    """The permit authority's list of projects that apply secondary materials in the
    municipalities it serves, with a decision form per project (issue #14)."""
    if not permit_authority_municipality_ids(request.user):
        raise PermissionDenied
    if request.method == "POST":
        asset = get_object_or_404(Asset, pk=request.POST.get("asset") or 0)
        if not permit_may_decide(request.user, asset):
            raise PermissionDenied
        try:
            permit_decide(
                asset=asset,
                status=request.POST.get("status", ""),
                actor=request.user,
                conditions=request.POST.get("conditions", ""),
                case_number=request.POST.get("case_number", ""),
                document=request.FILES.get("document"),
            )
        except ValidationError as e:
            messages.error(request, f"{asset.name}: {error_text(e)}")
        else:
            messages.success(request, _("Decision on %(asset)s recorded.") % {"asset": asset.name})
        return redirect("permits")
    context = {
        "projects": selectors.permit_projects(request.user),
        "statuses": PermitStatus.choices,
    }
    return render(request, "market/permits.html", context)


@login_required
def permit_document(request, pk):
    """The permit decision (PDF), for the authorities serving the project and its owner."""
    decision = get_object_or_404(PermitDecision.objects.select_related("asset"), pk=pk)
    if not decision.document or not permit_document_may_view(request.user, decision):
        raise Http404
    return document_response(decision.document, f"permit-{decision.asset_id}-{decision.pk}.pdf")


@login_required
def demand_list(request, wanted_form=None):
    """My organisation's demand, newest window first, with its proposals."""
    demand = selectors.visible_demand(request.user).filter(
        organisation_id__in=user_organisation_ids(request.user)
    )
    context = {
        "demand": demand.order_by("-window_start", "-id"),
        "may_request": projects_for_demand(request.user).exists(),
        "may_register": acting_organisation_or_none(request.user) is not None,
        "wanted": selectors.wanted_of(request.user),
        "wanted_form": wanted_form or WantedForm(user=request.user),
    }
    status = 400 if wanted_form is not None and wanted_form.errors else 200
    return render(request, "market/demand_list.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def wanted_create(request):
    form = WantedForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            item = services.wanted_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(group)s is on your wanted list: you hear when it is published.")
                % {"group": item.product_group.name},
            )
            return redirect("demand-list")
    return demand_list(request, wanted_form=form)


@login_required
@require_http_methods(["POST"])
def wanted_stop(request, pk):
    try:
        services.wanted_deactivate(wanted_id=pk, actor=request.user)
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("Taken off your wanted list."))
    return redirect("demand-list")


@login_required
def demand_create(request):
    """Post a material demand for one of the organisation's projects."""
    form = DemandForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            demand = services.demand_request_create(actor=request.user, **data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Demand posted: %(q)s %(unit)s %(group)s for %(project)s.")
                % {
                    "q": demand.quantity.normalize(),
                    "unit": demand.get_unit_display(),
                    "group": demand.product_group.name,
                    "project": demand.project.name,
                },
            )
            return redirect("demand-detail", pk=demand.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "market/demand_form.html", {"form": form}, status=status)


@login_required
def lot_reserve(request, code):
    """Ask the owner of a lot on offer to reserve it for your organisation."""
    lot = get_object_or_404(
        Lot.objects.select_related("product_group", "owner"), code=code, is_published=True
    )
    data = request.POST if request.method == "POST" else None
    form = ReservationRequestForm(data, user=request.user, lot=lot)
    if request.method == "POST" and form.is_valid():
        try:
            services.reservation_request_create(
                lot_id=lot.id, actor=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Your request for lot %(code)s is sent to %(owner)s.")
                % {"code": lot.code, "owner": lot.owner.name},
            )
            return redirect("reservation-requests")
    status = 400 if request.method == "POST" else 200
    return render(request, "market/lot_reserve.html", {"lot": lot, "form": form}, status=status)


@login_required
def reservation_requests(request):
    """Requests for my organisation's lots (to answer) and the ones my organisation sent."""
    orgs = user_organisation_ids(request.user)
    visible = selectors.reservation_requests_for(request.user)
    context = {
        "incoming": [r for r in visible if r.lot.owner_id in orgs],
        "outgoing": [r for r in visible if r.requester_id in orgs],
    }
    return render(request, "market/reservation_requests.html", context)


@login_required
@require_http_methods(["POST"])
def reservation_request_decide(request, pk, decision):
    req = get_object_or_404(selectors.reservation_requests_for(request.user), pk=pk)
    if decision not in ("accept", "decline", "withdraw"):
        raise Http404
    act = {
        "accept": lambda: services.reservation_request_accept(request_id=pk, actor=request.user),
        "decline": lambda: services.reservation_request_decline(
            request_id=pk, actor=request.user, reason=request.POST.get("reason", "")
        ),
        "withdraw": lambda: services.reservation_request_withdraw(
            request_id=pk, actor=request.user
        ),
    }[decision]
    try:
        done = act()
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(
            request,
            _("Request for lot %(code)s: %(status)s.")
            % {"code": req.lot.code, "status": done.get_status_display()},
        )
    return redirect("reservation-requests")
