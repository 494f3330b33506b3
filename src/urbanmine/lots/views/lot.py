"""The public supply list and a lot's page with its history and the step form."""

import json
from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.cache import public_cached
from urbanmine.core.documents import document_response
from urbanmine.core.forms import add_service_errors
from urbanmine.organisations.membership import user_organisation_ids
from urbanmine.regions.services import zuid_holland

from .. import imports, selectors, services
from ..exports import supply_csv
from ..forms import (
    Destination,
    EngageCertifierForm,
    ProposeTransferForm,
    RecordStepForm,
    StepForm,
    SupplyFilterForm,
)
from ..lifecycle import Step, allowed_steps
from ..models import Inspection, Lot
from ..permissions import (
    lot_may_correct,
    lot_may_engage_certifier,
    lot_may_view,
    lot_proposable_steps,
    lot_recordable_steps,
    lot_sees_identities,
    lot_sees_private_notes,
    transfer_may_decide,
)


def supply_list(request):
    """The public list of available supply, with filters and a map. Its content is the same
    for everyone with the same filters, page and language: anonymous visitors get it from
    the shared cache (core/cache.py, invalidated by every write that changes supply)."""
    if request.GET.get("format") == "csv":
        form = _supply_filter_form(request)
        response = HttpResponse(
            supply_csv(
                _supply_queryset(form).iterator(chunk_size=2000),
                dutch=get_language() == "nl",
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="urbanmine-aanbod.csv"'
        return response
    if request.user.is_authenticated or not _cacheable_supply_query(request.GET):
        results = _supply_results(request)
    else:
        key = (get_language(), sorted(request.GET.lists()))
        results = public_cached("supply-list", key, lambda: _supply_results(request))
    return render(request, "lots/supply_list.html", {"results": mark_safe(results)})  # noqa: S308


#: What a supply list URL may carry to be served from the cache: its filters and a page.
SUPPLY_SORTS = selectors.SUPPLY_SORTS
SUPPLY_QUERY_KEYS = frozenset(SupplyFilterForm.base_fields) | {"page"}


def _cacheable_supply_query(query) -> bool:
    """Only the list's own parameters, each once, and a page number: made-up parameters
    or values are rendered but not stored, so they cannot fill the cache (nor can free
    text searches)."""
    if not set(query) <= SUPPLY_QUERY_KEYS or any(
        len(values) > 1 for _key, values in query.lists()
    ):
        return False
    if query.get("q") or query.get("sort", "").removeprefix("-") not in {"", *SUPPLY_SORTS}:
        return False
    page = query.get("page", "1")
    return page.isascii() and page.isdigit() and len(page) <= 4


def _supply_filter_form(request) -> SupplyFilterForm:
    return SupplyFilterForm(
        request.GET or None,
        groups=ProductGroup.objects.all(),
        municipalities=zuid_holland().only("code", "name"),
    )


def _supply_queryset(form: SupplyFilterForm):
    filters = form.cleaned_data if form.is_valid() else {}
    return selectors.published_supply(
        **{k: v for k, v in filters.items() if v}, language=get_language() or "nl"
    )


def _supply_results(request) -> str:
    """The list's content (filters, map, table, pager) as HTML (the template escapes).
    The map shows every lot of the filtered result, one marker per place."""
    form = _supply_filter_form(request)
    supply = _supply_queryset(form)
    page = Paginator(supply, 50).get_page(request.GET.get("page"))
    for lot in page.object_list:
        lot.place_name = selectors.lot_place(lot)[2]
    query = request.GET.copy()
    query.pop("page", None)
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    without_sort = query.copy()
    without_sort.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "points_json": json.dumps(selectors.supply_places(supply)),
        "query": query.urlencode(),
        "sort": sort,
        "sort_query": without_sort.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render_to_string("lots/_supply_results.html", context, request=request)


def _visible_lot(request, code) -> Lot:
    lot = get_object_or_404(selectors.lot_for_page(), code=code)
    if not lot_may_view(request.user, lot):
        raise Http404
    return lot


def _step_form(request, lot, data=None) -> RecordStepForm | None:
    """The step form for who may record steps: owner and custodian every step, a certifier
    quality control only; None for everyone else."""
    steps = lot_recordable_steps(request.user, lot)
    if steps is not None and not steps:
        return None
    initial = {"occurred_on": timezone.localdate()}
    return RecordStepForm(data, lot=lot, user=request.user, only_steps=steps, initial=initial)


def _consent_forms(request, lot, engage_data=None, propose_data=None) -> dict:
    """The engagement form (owner, custodian) and the transfer proposal form (custodian)."""
    user = request.user
    return {
        "engage_form": EngageCertifierForm(engage_data, lot=lot)
        if lot_may_engage_certifier(user, lot)
        else None,
        "propose_form": ProposeTransferForm(propose_data, lot=lot)
        if lot_proposable_steps(user, lot)
        else None,
    }


def _correctable(user, lot):
    """The lot's last step, when this user may correct it (offered under the history)."""
    if not user.is_authenticated:
        return None
    last = services.lot_last_event(lot)
    # a correction is itself the last event then, and is not correctable: never twice
    if last is None or last.step not in services.CORRECTABLE:
        return None
    if not (last.payload or {}).get("before"):
        return None
    return last if lot_may_correct(user, lot, last) else None


def _may_ask_reservation(user, lot) -> bool:
    """A signed-in organisation that neither owns nor holds a lot on offer may ask its
    owner to reserve it (the market's reservation requests check the rest)."""
    if not (user.is_authenticated and lot.is_published):
        return False
    orgs = user_organisation_ids(user)
    return bool(orgs) and lot.owner_id not in orgs and lot.custodian_id not in orgs


def _lot_context(request, lot, form, **forms) -> dict:
    """What the lot page shows. Who is behind the lot (organisations, asset names) only to
    signed-in users; login names and notes only to the owner, the custodian and
    platform-wide roles (lots/permissions.py)."""
    trace = list(selectors.lot_trace_assets(lot))
    return {
        "lot": lot,
        "events": selectors.lot_history(lot),
        "trace": trace,
        "trace_places": sorted({a.municipality.name for a in trace}),
        "place": selectors.lot_place(lot)[2],
        "sees_identities": lot_sees_identities(request.user, lot),
        "sees_private_notes": lot_sees_private_notes(request.user, lot),
        "inspections": lot.inspections.select_related("inspector"),
        "form": form,
        "can_change": form is not None,
        "children": lot.children_links.select_related("child"),
        "parents": lot.parent_links.select_related("parent"),
        "correctable": _correctable(request.user, lot),
        "offered_steps": [(s, Step(s).label) for s in _offered_steps(request.user, lot)],
        "may_ask_reservation": _may_ask_reservation(request.user, lot),
        "is_owner": lot.owner_id in user_organisation_ids(request.user),
        "engagements": selectors.lot_engagements(lot, viewer=request.user),
        "transfers": [
            (t, transfer_may_decide(request.user, t))
            for t in selectors.transfer_proposals_visible(request.user)
            .filter(lot=lot)
            .order_by("-proposed_at")
        ],
        **(forms or _consent_forms(request, lot)),
    }


def lot_detail(request, code):
    lot = _visible_lot(request, code)
    context = _lot_context(request, lot, _step_form(request, lot))
    return render(request, "lots/lot_detail.html", context)


def _occurred_at(day):
    """Today means now; an earlier day is recorded at noon of that day."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


@login_required
@require_http_methods(["POST"])
def lot_record_step(request, code):
    lot = get_object_or_404(selectors.lot_for_page(), code=code)
    form = _step_form(request, lot, request.POST)
    if form is None:
        if not lot_may_view(request.user, lot):  # don't reveal others' unpublished lots
            raise Http404
        raise PermissionDenied
    if form.is_valid():
        d = form.cleaned_data
        try:
            event = services.lot_record_step(
                lot_id=lot.id,
                step=d["step"],
                actor=request.user,
                occurred_at=_occurred_at(d["occurred_on"]),
                quantity=d.get("quantity"),
                notes=d["notes"],
                hub=d.get("hub"),
                target_asset=d.get("target_asset"),
                counterparty=d.get("counterparty"),
                passed=d["passed"],
                certificate_number=d["certificate_number"],
                r_strategy=d.get("r_strategy", ""),
                price_eur=d.get("price_eur"),
                exit_route=d.get("exit_route", ""),
                cost_eur=d.get("cost_eur"),
                revenue_eur=d.get("revenue_eur"),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(step)s recorded on lot %(code)s.")
                % {"step": event.get_step_display(), "code": event.lot.code},
            )
            return redirect("lot-detail", code=event.lot.code)
    return render(request, "lots/lot_detail.html", _lot_context(request, lot, form), status=400)


def _acting_on(request, code, allowed) -> Lot:
    lot = get_object_or_404(selectors.lot_for_page(), code=code)
    if not allowed(request.user, lot):
        if not lot_may_view(request.user, lot):  # don't reveal others' unpublished lots
            raise Http404
        raise PermissionDenied
    return lot


@login_required
@require_http_methods(["POST"])
def lot_engage_certifier(request, code):
    """The owner or custodian engages a certifier for the lot."""
    lot = _acting_on(request, code, lot_may_engage_certifier)
    form = EngageCertifierForm(request.POST, lot=lot)
    if form.is_valid():
        try:
            services.lot_engage_certifier(
                lot_id=lot.id, certifier=form.cleaned_data["certifier"], actor=request.user
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("%(org)s is asked to inspect lot %(code)s.")
                % {"org": form.cleaned_data["certifier"], "code": lot.code},
            )
            return redirect("lot-detail", code=lot.code)
    context = _lot_context(request, lot, _step_form(request, lot))
    context["engage_form"] = form
    return render(request, "lots/lot_detail.html", context, status=400)


@login_required
@require_http_methods(["POST"])
def lot_propose_transfer(request, code):
    """The custodian proposes a sale or ownership change; the owner decides."""
    lot = _acting_on(request, code, lambda u, lot: bool(lot_proposable_steps(u, lot)))
    form = ProposeTransferForm(request.POST, lot=lot)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.lot_transfer_propose(
                lot_id=lot.id,
                step=d["step"],
                counterparty=d["counterparty"],
                actor=request.user,
                quantity=d.get("quantity"),
                price_eur=d.get("price_eur"),
                terms=d.get("terms", ""),
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request,
                _("Your proposal is sent to the owner, %(owner)s, who accepts or declines it.")
                % {"owner": lot.owner},
            )
            return redirect("lot-detail", code=lot.code)
    context = _lot_context(request, lot, _step_form(request, lot))
    context["propose_form"] = form
    return render(request, "lots/lot_detail.html", context, status=400)


@login_required
@require_http_methods(["POST"])
def transfer_decide(request, pk, decision):
    """Accept or decline a transfer proposal (the owner), or withdraw it (the proposer)."""
    proposal = get_object_or_404(selectors.transfer_proposals_visible(request.user), pk=pk)
    try:
        if decision == "accept":
            services.lot_transfer_accept(proposal_id=proposal.pk, actor=request.user)
            messages.success(request, _("Accepted: the step is recorded on the lot."))
        else:
            services.lot_transfer_decline(
                proposal_id=proposal.pk, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The proposal is closed; the lot is unchanged."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("lot-detail", code=proposal.lot.code)


@login_required
@require_http_methods(["POST"])
def lot_correct(request, code):
    """Reverse the lot's last step (the recording organisation, or the data steward)."""
    lot = _acting_on(request, code, lambda u, lot: _correctable(u, lot) is not None)
    try:
        services.lot_correct_last_step(
            lot_id=lot.id, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("The last step is corrected; both stay in the history."))
    return redirect("lot-detail", code=lot.code)


@login_required
@require_http_methods(["POST"])
def lot_asking_price(request, code):
    """The owner's asking price per unit (empty clears it)."""
    lot = _acting_on(request, code, lambda u, lot: lot.owner_id in user_organisation_ids(u))
    try:
        lot = services.lot_set_asking_price(
            lot_id=lot.id, actor=request.user, price_eur=request.POST.get("asking_price_eur", "")
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Asking price of lot %(code)s saved.") % {"code": lot.code})
    return redirect("lot-detail", code=lot.code)


def _consequences(step: str, lot, d: dict) -> list[str]:
    """What recording this step will do, said before it is written (issue #14)."""
    out = []
    hub = d.get("hub")
    party = d.get("counterparty")
    if hub is not None:
        out.append(
            _("The lot goes into %(hub)s: custody passes to %(op)s.")
            % {"hub": hub.name, "op": hub.operator.name}
        )
    elif d.get("destination") == Destination.IN_TRANSIT:
        out.append(_("The lot is recorded as in transit, not yet at a hub."))
    elif d.get("destination") == Destination.ON_SITE:
        out.append(_("The lot is harvested and stays on site for now."))
    if step == Step.SALE and party is not None:
        out.append(_("Ownership passes to %(org)s.") % {"org": party.name})
    elif step == Step.OWNERSHIP_CHANGE and party is not None:
        out.append(_("Ownership passes to %(org)s.") % {"org": party.name})
    elif step == Step.CUSTODY_CHANGE and party is not None:
        out.append(
            _("Custody passes to %(org)s once they accept; until then nothing changes.")
            % {"org": party.name}
        )
    elif step == Step.CONNECTION:
        holder = party.name if party is not None else lot.owner.name
        out.append(
            _("The quantity is reserved for %(org)s: it goes only to them.") % {"org": holder}
        )
    elif step == Step.EXECUTION and d.get("target_asset") is not None:
        out.append(
            _("The lot becomes part of the passport of %(asset)s.")
            % {"asset": d["target_asset"].name}
        )
    elif step == Step.EXIT and party is not None:
        out.append(
            _("The lot leaves the chain to %(org)s and is no longer offered.") % {"org": party.name}
        )
    elif step == Step.RELEASE and lot.reserved_for is not None:
        out.append(
            _("The reservation for %(org)s ends: the lot is on offer to anyone again.")
            % {"org": lot.reserved_for.name}
        )
    elif step == Step.QUALITY_CONTROL and d.get("passed") is False:
        out.append(_("The lot is rejected: it is no longer offered, sold or applied."))
    quantity = d.get("quantity")
    if quantity and quantity < lot.quantity:
        out.append(
            _("Only %(q)s of %(all)s %(unit)s: the lot is split first.")
            % {"q": quantity.normalize(), "all": lot.quantity.normalize(), "unit": lot.unit}
        )
    out.append(
        _(
            "The step is added to the lot's history and cannot be deleted; a mistake can be "
            "corrected by your organisation within %(days)d days."
        )
        % {"days": settings.URBANMINE_CORRECTION_DAYS}
    )
    return out


@login_required
def lot_step(request, code, step):
    """One step's own form (GET), its confirmation (POST), then the recording (POST with
    `confirmed`): only steps legal now and recordable by this user are offered."""
    lot = get_object_or_404(selectors.lot_for_page(), code=code)
    if step not in _offered_steps(request.user, lot):
        if not lot_may_view(request.user, lot):
            raise Http404
        raise PermissionDenied
    hubs = (
        selectors.hubs_for_intake(lot, user_organisation_ids(request.user))
        if step in (Step.DISMANTLING, Step.TRANSPORT_STORAGE)
        else []
    )
    initial = {"occurred_on": timezone.localdate()}
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = StepForm(data, files, lot=lot, user=request.user, step=step, hubs=hubs, initial=initial)
    context = {"lot": lot, "step": step, "step_label": Step(step).label, "form": form}
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "lots/step_form.html", context, status=status)
    d = form.cleaned_data
    if not request.POST.get("confirmed"):
        context["consequences"] = _consequences(step, lot, d)
        upload = d.get("certificate_document")
        if upload:  # kept until the confirmation comes back (the browser does not resend it)
            context["document_token"] = imports.stash_upload(upload.read(), upload.name)
            context["document_name"] = upload.name
        return render(request, "lots/step_confirm.html", context)
    document = _stashed_document(request.POST.get("document_token", ""))
    party = d.get("counterparty")
    if (
        step == Step.CUSTODY_CHANGE
        and party
        and party.pk not in user_organisation_ids(request.user)
    ):
        return _propose_custody(request, lot, form, context, party)
    try:
        event = services.lot_record_step(
            lot_id=lot.id,
            step=step,
            actor=request.user,
            occurred_at=_occurred_at(d["occurred_on"]),
            quantity=d.get("quantity"),
            notes=d.get("notes", ""),
            hub=d.get("hub"),
            in_transit=d.get("destination") == Destination.IN_TRANSIT,
            target_asset=d.get("target_asset"),
            counterparty=d.get("counterparty"),
            passed=d.get("passed"),
            certificate_number=d.get("certificate_number", ""),
            valid_until=d.get("valid_until"),
            certificate_document=document,
            r_strategy=d.get("r_strategy", ""),
            price_eur=d.get("price_eur"),
            exit_route=d.get("exit_route", ""),
            cost_eur=d.get("cost_eur"),
            revenue_eur=d.get("revenue_eur"),
        )
    except ValidationError as e:
        add_service_errors(form, e)
        return render(request, "lots/step_form.html", context, status=400)
    messages.success(
        request,
        _("%(step)s recorded on lot %(code)s.")
        % {"step": event.get_step_display(), "code": event.lot.code},
    )
    return redirect("lot-detail", code=event.lot.code)


def _stashed_document(token: str) -> ContentFile | None:
    upload = imports.load_upload(token) if token else None
    if upload is None:
        return None
    data, name = upload
    return ContentFile(data, name=name)


@login_required
def inspection_certificate(request, pk):
    """The certificate (PDF) of an inspection, for whoever may see the lot."""
    inspection = get_object_or_404(Inspection.objects.select_related("lot"), pk=pk)
    if not lot_may_view(request.user, inspection.lot) or not inspection.certificate_document:
        raise Http404
    name = slugify(inspection.certificate_number or f"inspection-{inspection.pk}")
    return document_response(inspection.certificate_document, f"{inspection.lot.code}-{name}.pdf")


def _offered_steps(user, lot) -> list[str]:
    """Steps legal in the lot's status that this user records itself, in chain order."""
    if not user.is_authenticated:
        return []
    mine = lot_recordable_steps(user, lot)
    return [s for s in allowed_steps(lot.status, hazardous=lot.is_hazardous) if s in mine]


def _propose_custody(request, lot, form, context, party):
    """Custody into another organisation's site: a proposal that organisation accepts."""
    try:
        services.lot_transfer_propose(
            lot_id=lot.id,
            step=Step.CUSTODY_CHANGE,
            counterparty=party,
            actor=request.user,
            quantity=form.cleaned_data.get("quantity"),
        )
    except ValidationError as e:
        add_service_errors(form, e)
        return render(request, "lots/step_form.html", context, status=400)
    messages.success(
        request,
        _("%(org)s is asked to take custody of lot %(code)s; it changes when they accept.")
        % {"org": party.name, "code": lot.code},
    )
    return redirect("lot-detail", code=lot.code)
