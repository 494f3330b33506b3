"""Pages of the network (issue #18): the public directory and an organisation's page, asking
to join and the province's decision, an organisation's own entry and certifications, the
covenant with commitments, and the targets dashboard with the regional comparison."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.forms import add_service_errors, error_text
from urbanmine.hubs.models import HubTypology
from urbanmine.organisations.membership import user_organisation_ids
from urbanmine.organisations.models import ChainRole

from . import selectors, services
from .forms import (
    CertificationForm,
    CommitmentForm,
    CovenantForm,
    EntryForm,
    FigureImportForm,
    JoinRequestForm,
    TargetForm,
)
from .indicators import INDICATORS, UNIT_LABELS
from .models import Certification, Covenant, DirectoryEntry, EntryStatus, Signature
from .permissions import entries_visible_filter, entry_may_change, network_is_facilitator

PAGE_SIZE = 25


def _cert_rows(entry: DirectoryEntry) -> list[tuple[Certification, str]]:
    today = timezone.localdate()
    return [(c, selectors.certification_state(c, today)) for c in entry.certifications.all()]


# --------------------------------------------------------------------------- directory
def directory(request):
    f = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "role", "product_group")}
    entries = selectors.directory_entries(request.user, status=EntryStatus.MEMBER, **f)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(e, _cert_rows(e)) for e in page.object_list]
    own_ids = user_organisation_ids(request.user)
    context = {
        "page": page,
        "rows": rows,
        "filters": f,
        "query": urlencode({k: v for k, v in f.items() if v}),
        "roles": ChainRole.choices,
        "product_groups": ProductGroup.objects.order_by("name_nl").only(
            "code", "name_nl", "name_en"
        ),
        "points": selectors.map_points(page.object_list),
        "may_join": bool(selectors.organisations_without_entry(own_ids)),
        "own_entries": list(
            DirectoryEntry.objects.filter(organisation_id__in=own_ids).select_related(
                "organisation"
            )
        ),
        "is_facilitator": network_is_facilitator(request.user),
        "counts": selectors.dashboard_counts(),
    }
    return render(request, "network/directory.html", context)


def entry_detail(request, pk):
    entry = get_object_or_404(
        selectors.directory_entries(request.user).filter(entries_visible_filter(request.user)),
        pk=pk,
    )
    hubs = list(entry.organisation.hubs.all())
    typologies = dict(HubTypology.choices)
    context = {
        "entry": entry,
        "certifications": _cert_rows(entry),
        "hubs": [(h, typologies.get(h.typology, "")) for h in hubs],
        "may_change": entry_may_change(request.user, entry),
        "signatures": list(
            Signature.objects.filter(organisation=entry.organisation).select_related("covenant")
        ),
        "points": selectors.map_points([entry]),
    }
    return render(request, "network/entry_detail.html", context)


@login_required
def join(request):
    """An organisation asks to join the network (its entry waits for the province)."""
    own_ids = user_organisation_ids(request.user)
    candidates = selectors.organisations_without_entry(own_ids)
    form = JoinRequestForm(request.POST or None, organisations=candidates)
    if request.method == "POST" and candidates and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            entry = services.entry_request_join(
                organisation=organisation, actor=request.user, profile=data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Your request to join has been sent; the province decides on it."),
            )
            return redirect("network-entry", pk=entry.pk)
    context = {
        "form": form if candidates else None,
        "own_entries": list(
            DirectoryEntry.objects.filter(organisation_id__in=own_ids).select_related(
                "organisation"
            )
        ),
    }
    return render(request, "network/join.html", context)


@login_required
def requests_list(request):
    """The facilitator's list of requests to join."""
    if not network_is_facilitator(request.user):
        raise Http404
    return render(request, "network/requests.html", {"entries": selectors.pending_requests()})


@login_required
@require_http_methods(["POST"])
def request_decide(request, pk, decision):
    if not network_is_facilitator(request.user) or decision not in ("approve", "decline"):
        raise Http404
    entry = get_object_or_404(DirectoryEntry, pk=pk)
    try:
        services.entry_decide(entry=entry, actor=request.user, approve=decision == "approve")
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        if decision == "approve":
            messages.success(
                request, _("%(org)s is now a member of the network.") % {"org": entry.organisation}
            )
        else:
            messages.success(
                request,
                _("The request of %(org)s has been declined.") % {"org": entry.organisation},
            )
    return redirect("network-requests")


@login_required
def entry_edit(request, pk):
    entry = get_object_or_404(DirectoryEntry.objects.select_related("organisation"), pk=pk)
    if not entry_may_change(request.user, entry):
        raise Http404
    initial = {k: getattr(entry, k) for k in services.PROFILE_FIELDS if k != "motivation"}
    initial["municipalities_served"] = list(entry.municipalities_served.all())
    initial["product_groups"] = list(entry.product_groups.all())
    form = EntryForm(request.POST or None, initial=initial)
    cert_form = CertificationForm()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        munis, groups = data.pop("municipalities_served"), data.pop("product_groups")
        try:
            services.entry_update(
                entry=entry,
                actor=request.user,
                profile=data,
                municipalities_served=munis,
                product_groups=groups,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The directory entry has been saved."))
            return redirect("network-entry", pk=entry.pk)
    context = {
        "entry": entry,
        "form": form,
        "cert_form": cert_form,
        "certifications": _cert_rows(entry),
    }
    return render(request, "network/entry_edit.html", context)


@login_required
def certification_add(request, pk):
    entry = get_object_or_404(DirectoryEntry.objects.select_related("organisation"), pk=pk)
    if not entry_may_change(request.user, entry):
        raise Http404
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certification_add(entry=entry, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The certificate has been recorded."))
            return redirect("network-entry-edit", pk=entry.pk)
    context = {"entry": entry, "cert_form": form, "certifications": _cert_rows(entry)}
    return render(request, "network/certification_form.html", context)


@login_required
@require_http_methods(["POST"])
def certification_remove(request, pk):
    cert = get_object_or_404(Certification.objects.select_related("entry"), pk=pk)
    if not entry_may_change(request.user, cert.entry):
        raise Http404
    services.certification_remove(certification=cert, actor=request.user)
    messages.success(request, _("The certificate has been removed."))
    return redirect("network-entry-edit", pk=cert.entry_id)


# --------------------------------------------------------------------------- covenant
def covenant(request, pk=None):
    """The covenant (the current one without `pk`): its text, signatories and the progress
    of each commitment, measured from the lifecycle events."""
    covenants = list(Covenant.objects.order_by("-start_year", "-id"))
    if pk is not None:
        chosen = get_object_or_404(Covenant, pk=pk)
    else:
        chosen = selectors.current_covenant()
    own_ids = user_organisation_ids(request.user)
    signable = []
    if chosen is not None and own_ids:
        signable = list(
            DirectoryEntry.objects.filter(
                organisation_id__in=own_ids, status=EntryStatus.MEMBER
            ).select_related("organisation")
        )
    context = {
        "covenant": chosen,
        "covenants": covenants,
        "progress": selectors.covenant_progress(chosen) if chosen else [],
        "may_sign": bool(signable),
        "is_facilitator": network_is_facilitator(request.user),
    }
    return render(request, "network/covenant.html", context)


@login_required
def covenant_create(request):
    if not network_is_facilitator(request.user):
        raise Http404
    form = CovenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.covenant_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The covenant has been recorded."))
            return redirect("network-covenant-detail", pk=c.pk)
    return render(request, "network/covenant_form.html", {"form": form})


@login_required
def covenant_sign(request, pk):
    """A member organisation signs with a commitment for a year (or adds one)."""
    chosen = get_object_or_404(Covenant, pk=pk)
    members = list(
        DirectoryEntry.objects.filter(
            organisation_id__in=user_organisation_ids(request.user), status=EntryStatus.MEMBER
        ).select_related("organisation")
    )
    if not members:
        raise Http404
    organisation = members[0].organisation
    form = CommitmentForm(request.POST or None, initial={"year": chosen.start_year})
    if request.method == "POST" and form.is_valid():
        try:
            services.covenant_sign(
                covenant=chosen,
                organisation=organisation,
                actor=request.user,
                commitments=[services.CommitmentInput(**form.cleaned_data)],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(org)s has signed the covenant with this commitment.") % {"org": organisation},
            )
            return redirect("network-covenant-detail", pk=chosen.pk)
    own = Signature.objects.filter(covenant=chosen, organisation=organisation).first()
    context = {"covenant": chosen, "form": form, "organisation": organisation, "signed": own}
    return render(request, "network/covenant_sign.html", context)


# --------------------------------------------------------------------------- targets
def _chart(series: dict) -> dict:
    """The targets chart's data: per indicator the years and the three lines."""
    return {
        code: {
            "label": rows[0].label if rows else "",
            "unit": str(UNIT_LABELS.get(rows[0].unit, rows[0].unit)) if rows else "",
            "years": [r.year for r in rows],
            "target": [r.target for r in rows],
            "realised": [r.realised for r in rows],
            "forecast": [r.forecast for r in rows],
        }
        for code, rows in series.items()
    }


def targets(request):
    """The network's dashboard: targets against realised values and the forecast per year
    to 2030 and 2050, the covenant's progress, the multi-year planning per product group and
    the comparison with the regions of Zuid-Holland and other provinces."""
    overview = selectors.targets_overview()
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), 2100)
    comparison = selectors.regional_comparison(year)
    current = selectors.current_covenant()
    planning = selectors.planning_by_product_group()
    context = {
        **overview,
        "chart_json": _chart(overview["series"]),
        "labels": {
            "target": _("target"),
            "realised": _("realised"),
            "forecast": _("forecast (reference scenario)"),
            "year": _("year"),
        },
        "planning": planning,
        "planning_chart": {
            "years": planning["years"],
            "release": [
                sum(r["release_t"][i] for r in planning["rows"])
                for i in range(len(planning["years"]))
            ],
            "demand": [
                sum(r["demand_t"][i] for r in planning["rows"])
                for i in range(len(planning["years"]))
            ],
        },
        "comparison": comparison,
        "year": year,
        "years_choice": sorted({this_year, this_year - 1, 2030, *comparison["figure_years"]}),
        "covenant": current,
        "progress": selectors.covenant_progress(current) if current else [],
        "is_facilitator": network_is_facilitator(request.user),
        "target_form": TargetForm() if network_is_facilitator(request.user) else None,
    }
    return render(request, "network/targets.html", context)


@login_required
def target_create(request):
    if not network_is_facilitator(request.user):
        raise Http404
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("The target has been saved."))
            return redirect(reverse("network-targets") + "#targets")
    return render(request, "network/target_form.html", {"form": form, "indicators": INDICATORS})


@login_required
def figures_import(request):
    """The facilitator loads another region's published figures (docs/network-figures.md)."""
    if not network_is_facilitator(request.user):
        raise Http404
    form = FigureImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.figures_import(
                actor=request.user,
                data=upload.read(services.MAX_FIGURE_BYTES + 1),
                source=form.cleaned_data["source"],
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except services.FigureImportError as e:
            errors = e.errors
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied:
            raise
        else:
            if batch is None:
                messages.success(request, _("The file is valid; nothing has been stored."))
            else:
                messages.success(request, _("%(n)s figures imported.") % {"n": batch.rows})
                return redirect(reverse("network-targets") + "#comparison")
    context = {"form": form, "errors": errors, "columns": services.FIGURE_COLUMNS}
    return render(request, "network/figures_import.html", context)
