"""Pages of the tender tool: thin; the services write, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import projects_of
from urbanmine.core.forms import add_service_errors, error_text

from . import exports, selectors, services
from .forms import AddClauseForm, AmbitionForm, BidForm, ClauseForm, CriteriaForm, TenderForm
from .models import Ambition, AmbitionLevel, Bid, Clause, Phase, TenderStatus
from .permissions import (
    ambition_may_change,
    ambition_may_create_area,
    ambition_may_view,
    clause_may_author,
    is_client,
    tender_may_change,
    tender_may_view,
)


def _client_assets(user):
    return (
        projects_of(user).select_related("municipality").order_by("name")
        if is_client(user)
        else Asset.objects.none()
    )


@login_required
def tender_home(request):
    ambitions = selectors.ambitions_for(request.user)
    tenders = selectors.tenders_for(request.user)
    return render(
        request,
        "tenders/home.html",
        {
            "ambitions": Paginator(ambitions, 25).get_page(request.GET.get("page")),
            "tenders": list(tenders[:100]),
            "may_create_ambition": ambition_may_create_area(request.user)
            or is_client(request.user),
            "may_create_tender": is_client(request.user),
        },
    )


@login_required
def ambition_create(request):
    user = request.user
    if not (ambition_may_create_area(user) or is_client(user)):
        raise PermissionDenied
    assets = _client_assets(user)
    areas = Ambition.objects.filter(level=AmbitionLevel.AREA).order_by("-year", "name")
    form = AmbitionForm(request.POST or None, assets=assets, areas=areas)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            ambition = services.ambition_create(
                actor=user,
                name=d["name"],
                level=d["level"],
                phase=d["phase"],
                year=d["year"],
                municipalities=d["municipalities"],
                asset=d["asset"],
                parent=d["parent"],
                harvest_pct=d["harvest_pct"],
                secondary_pct=d["secondary_pct"],
                min_r_level=d["min_r_level"],
                detachability_score=d["detachability_score"],
                co2_reduction_pct=d["co2_reduction_pct"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The ambition is recorded."))
            return redirect("ambition-detail", pk=ambition.pk)
    return render(
        request, "tenders/ambition_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def ambition_detail(request, pk):
    ambition = get_object_or_404(Ambition.objects.select_related("owner", "asset", "parent"), pk=pk)
    if not ambition_may_view(request.user, ambition):
        raise Http404
    potential = None
    gap = None
    if ambition.asset is not None:
        potential = selectors.realistic_potential(ambition.asset)
        target = ambition.harvest_pct
        if target is None and ambition.parent is not None:
            target = ambition.parent.harvest_pct
        if target is not None:
            gap = float(target) - potential.realistic_pct
    children = list(
        ambition.children.filter(
            pk__in=selectors.ambitions_for(request.user).values("pk")
        ).select_related("asset")
    )
    tenders = list(selectors.tenders_for(request.user).filter(ambition=ambition))
    return render(
        request,
        "tenders/ambition_detail.html",
        {
            "ambition": ambition,
            "municipalities": list(ambition.municipalities.order_by("name")),
            "potential": potential,
            "group_names": selectors.group_names(ambition.group_targets or {}),
            "gap": gap,
            "children": children,
            "tenders": tenders,
            "may_change": ambition_may_change(request.user, ambition),
        },
    )


@login_required
def clause_library(request):
    may_author = clause_may_author(request.user)
    form = ClauseForm(request.POST or None) if may_author else None
    if request.method == "POST":
        if not may_author:
            raise PermissionDenied
        if form is not None and form.is_valid():
            d = form.cleaned_data
            try:
                clause = services.clause_create(actor=request.user, **d)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(
                    request,
                    _("Clause %(title)s (version %(v)s) is added.")
                    % {"title": clause.title, "v": clause.version},
                )
                return redirect("clause-library")
    clauses = selectors.latest_clauses()
    return render(
        request,
        "tenders/clause_library.html",
        {
            "clauses": Paginator(clauses, 50).get_page(request.GET.get("page")),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def tender_create(request):
    if not is_client(request.user):
        raise PermissionDenied
    assets = _client_assets(request.user)
    ambitions = selectors.ambitions_for(request.user)
    initial = {}
    if request.GET.get("ambition"):
        initial["ambition"] = request.GET["ambition"]
    form = TenderForm(request.POST or None, assets=assets, ambitions=ambitions, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            tender = services.tender_create(actor=request.user, **d)
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("The tender is created."))
            return redirect("tender-detail", pk=tender.pk)
    return render(
        request, "tenders/tender_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _tender_or_404(request, pk):
    tender = selectors.tender_for_page(pk)
    if tender is None or not tender_may_view(request.user, tender):
        raise Http404
    return tender


def _criteria_initial(tender) -> dict:
    return {
        f: getattr(tender, f)
        for f in (
            "mass_basis_t",
            "min_harvest_pct",
            "min_secondary_pct",
            "max_resale_days",
            "requires_reuse_plan",
            "requires_inventory",
            "requires_registration",
            "discount_eur_per_t",
            "eur_per_quality_point",
        )
    }


@login_required
def tender_detail(request, pk):
    tender = _tender_or_404(request, pk)
    may_change = tender_may_change(request.user, tender) and tender.status == TenderStatus.DRAFT
    library = [c for c in selectors.latest_clauses() if not c.phase or c.phase == tender.phase]
    taken = {tc.clause.code for tc in tender.tender_clauses.all()}
    library = [c for c in library if c.code not in taken]
    action = request.POST.get("action") if request.method == "POST" else None
    criteria_form = CriteriaForm(
        request.POST if action == "criteria" else None, initial=_criteria_initial(tender)
    )
    clause_form = AddClauseForm(request.POST if action == "clause" else None, clauses=library)
    bid_form = BidForm(request.POST if action == "bid" else None, tender=tender)
    if action:
        if not tender_may_change(request.user, tender):
            raise PermissionDenied
        done = _handle(request, tender, action, forms=(criteria_form, clause_form, bid_form))
        if done:
            return redirect("tender-detail", pk=tender.pk)
        tender = _tender_or_404(request, pk)
    ranking = selectors.tender_ranking(tender)
    commitment = getattr(tender, "commitment", None) if tender.status == "awarded" else None
    return render(
        request,
        "tenders/tender_detail.html",
        {
            "tender": tender,
            "is_demolition": tender.phase == Phase.DEMOLITION,
            "tender_clauses": list(tender.tender_clauses.all()),
            "bids": list(tender.bids.all()),
            "ranking": ranking,
            "potential": selectors.realistic_potential(tender.asset),
            "criteria_form": criteria_form,
            "clause_form": clause_form,
            "bid_form": bid_form,
            "may_change": may_change,
            "commitment": commitment,
            "realisation": selectors.tender_realisation(tender) if commitment else None,
        },
        status=400 if any(f.errors for f in (criteria_form, clause_form, bid_form)) else 200,
    )


def _handle(request, tender, action, *, forms) -> bool:
    """One POST of the tender page; True when it was written."""
    form = dict(zip(("criteria", "clause", "bid"), forms, strict=True)).get(action)
    try:
        if action == "award":
            bid = get_object_or_404(Bid, pk=request.POST.get("bid"), tender=tender)
            services.tender_award(actor=request.user, tender=tender, bid=bid)
            messages.success(
                request,
                _("The tender is awarded to %(bidder)s: its promises are now commitments.")
                % {"bidder": bid.bidder},
            )
            return True
        if action == "remove_clause":
            clause = get_object_or_404(Clause, pk=request.POST.get("clause"))
            services.tender_remove_clause(actor=request.user, tender=tender, clause=clause)
            return True
        if form is None or not form.is_valid():
            return False
        d = form.cleaned_data
        if action == "criteria":
            services.tender_set_criteria(actor=request.user, tender=tender, **d)
            messages.success(request, _("Requirements and award criteria are saved."))
        elif action == "clause":
            services.tender_add_clause(actor=request.user, tender=tender, clause=d["clause"])
            messages.success(request, _("The clause is added."))
        elif action == "bid":
            services.bid_create(actor=request.user, tender=tender, **d)
            messages.success(request, _("The bid of %(b)s is entered.") % {"b": d["bidder"]})
        return True
    except ValidationError as e:
        if form is not None and hasattr(e, "error_dict"):
            add_service_errors(form, e)
        else:
            messages.error(request, error_text(e))
        return False


@login_required
def tender_annex_docx(request, pk):
    tender = _tender_or_404(request, pk)
    data = exports.annex_docx(tender)
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="uitvraag-{tender.pk}.docx"'
    return response


@login_required
def tender_annex_pdf(request, pk):
    tender = _tender_or_404(request, pk)
    response = HttpResponse(exports.annex_pdf(tender), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="uitvraag-{tender.pk}.pdf"'
    return response
