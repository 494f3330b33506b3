import json
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.catalogue.models import ProductGroup
from urbanmine.organisations.selectors import (
    may_change_lot,
    may_inspect_lot,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.regions.services import zuid_holland

from . import selectors, services
from .forms import RecordStepForm, SupplyFilterForm
from .lifecycle import Step
from .models import Lot


def supply_list(request):
    """The public list of available supply, with filters and a map."""
    form = SupplyFilterForm(
        request.GET or None,
        groups=ProductGroup.objects.all(),
        municipalities=zuid_holland().only("code", "name"),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.published_supply(**{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv":
        return _supply_csv(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    points = []
    for lot in page.object_list:
        lat, lon, place = selectors.lot_place(lot)
        lot.place_name = place
        points.append(
            {
                "lat": lat,
                "lon": lon,
                "code": lot.code,
                "group": lot.product_group.name,
                "qty": f"{lot.quantity.normalize():f} {lot.unit}",
                "quality": lot.quality,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lots/supply_list.html",
        {
            "form": form,
            "page": page,
            "points_json": json.dumps(points),
            "query": query.urlencode(),
        },
    )


def _supply_csv(qs):
    from .exports import supply_csv

    response = HttpResponse(
        supply_csv(qs.iterator(chunk_size=2000)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="urbanmine-aanbod.csv"'
    return response


def _visible_lot(request, code) -> Lot:
    lot = get_object_or_404(
        Lot.objects.select_related(
            "product_group",
            "owner",
            "custodian",
            "hub__municipality",
            "source_asset__municipality",
            "applied_asset__municipality",
        ),
        code=code,
    )
    if lot.is_published or user_is_platform_wide(request.user) or may_change_lot(request.user, lot):
        return lot
    if lot.inspections.filter(inspector_id__in=user_organisation_ids(request.user)).exists():
        return lot  # the certifier that inspected it (also after a rejection)
    raise Http404


def _lot_context(lot, form, can_change: bool) -> dict:
    return {
        "lot": lot,
        "events": selectors.lot_history(lot),
        "trace": selectors.lot_trace_assets(lot),
        "inspections": lot.inspections.select_related("inspector"),
        "form": form,
        "can_change": can_change,
        "children": lot.children_links.select_related("child"),
        "parents": lot.parent_links.select_related("parent"),
    }


def _step_form(request, lot, data=None) -> RecordStepForm | None:
    """The step form for who may record steps: owner and custodian every step, a certifier
    quality control only; None for everyone else."""
    if may_change_lot(request.user, lot):
        only = None
    elif may_inspect_lot(request.user, lot):
        only = [Step.QUALITY_CONTROL]
    else:
        return None
    initial = {"occurred_on": timezone.localdate()}
    return RecordStepForm(data, lot=lot, user=request.user, only_steps=only, initial=initial)


def lot_detail(request, code):
    lot = _visible_lot(request, code)
    form = _step_form(request, lot)
    can_change = form is not None
    return render(
        request,
        "lots/lot_detail.html",
        _lot_context(lot, form, can_change),
    )


@login_required
@require_http_methods(["POST"])
def lot_record_step(request, code):
    lot = get_object_or_404(Lot.objects.select_related("product_group"), code=code)
    form = _step_form(request, lot, request.POST)
    if form is None:
        # Don't reveal unpublished lots of other organisations.
        if not lot.is_published:
            raise Http404
        raise PermissionDenied
    if form.is_valid():
        d = form.cleaned_data
        when = timezone.make_aware(datetime.combine(d["occurred_on"], time(12, 0)))
        if d["occurred_on"] == timezone.localdate():
            when = timezone.now()
        try:
            event = services.lot_record_step(
                lot_id=lot.id,
                step=d["step"],
                actor=request.user,
                occurred_at=when,
                quantity=d.get("quantity"),
                notes=d["notes"],
                hub=d.get("hub"),
                target_asset=d.get("target_asset"),
                counterparty=d.get("counterparty"),
                passed=d["passed"],
                certificate_number=d["certificate_number"],
                r_strategy=d.get("r_strategy", ""),
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(
                request,
                _("%(step)s recorded on lot %(code)s.")
                % {"step": event.get_step_display(), "code": event.lot.code},
            )
            return redirect("lot-detail", code=event.lot.code)
    return render(
        request,
        "lots/lot_detail.html",
        _lot_context(lot, form, True),
        status=400,
    )
