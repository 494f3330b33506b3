"""Hub pages: every hub's fill level, and one hub's stock with dwell-time warnings. A hub's
stock is lots at a hub, so these pages live with the lots; the hub's own rules (who changes
it, its settings, what it takes in) are in the hubs app."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.core.forms import error_text, messages_from_errors
from urbanmine.hubs import selectors as hub_selectors
from urbanmine.hubs import services as hub_services
from urbanmine.hubs.forms import HubSettingsForm
from urbanmine.hubs.models import Hub
from urbanmine.hubs.permissions import hub_may_change

from .. import selectors, services
from ..forms import TransformForm


def _fill_pct(held_t: Decimal, capacity_t: Decimal) -> Decimal:
    return held_t / capacity_t * 100 if capacity_t else Decimal(0)


@login_required
def hub_list(request):
    hubs = list(hub_selectors.hubs_listed())
    occupancy = selectors.hub_occupancy(hubs)
    for hub in hubs:
        hub.held_t = occupancy.get(hub.id, Decimal(0)) / 1000
        hub.fill_pct = _fill_pct(hub.held_t, hub.capacity_t)
    return render(request, "lots/hub_list.html", {"hubs": hubs})


@login_required
def hub_detail(request, pk):
    """A hub's fill level and the stock this user may see, with dwell-time warnings (6 to 9
    and over 9 months)."""
    hub = get_object_or_404(hub_selectors.hubs_listed(), pk=pk)
    stock = selectors.hub_stock(hub, viewer=request.user)
    held_t = selectors.hub_occupancy([hub]).get(hub.id, Decimal(0)) / 1000
    can_change = hub_may_change(request.user, hub)
    context = {
        "hub": hub,
        "stock": stock,
        "held_t": held_t,
        "fill_pct": _fill_pct(held_t, hub.capacity_t),
        "warnings": sum(1 for s in stock if s.level == "warning"),
        "alerts": sum(1 for s in stock if s.level == "alert"),
        "can_change": can_change,
        "accepted": list(hub.accepted_product_groups.all()),
        "settings_form": HubSettingsForm.for_hub(hub) if can_change else None,
        "transform_form": TransformForm() if can_change else None,
    }
    return render(request, "lots/hub_detail.html", context)


@login_required
@require_http_methods(["POST"])
def hub_settings(request, pk):
    """Only the operator changes a hub's capacity and dwell-time limit."""
    hub = get_object_or_404(Hub, pk=pk)
    if not hub_may_change(request.user, hub):
        raise PermissionDenied
    form = HubSettingsForm.for_hub(hub, request.POST)
    if not form.is_valid():
        messages_from_errors(request, form, form.errors)
        return redirect("hub-detail", pk=hub.pk)
    try:
        hub_services.hub_settings_update(hub=hub, actor=request.user, **form.cleaned_data)
    except ValidationError as e:
        messages_from_errors(request, form, e.message_dict)
    else:
        messages.success(request, _("Hub settings saved."))
    return redirect("hub-detail", pk=hub.pk)


@login_required
@require_http_methods(["POST"])
def hub_merge_lots(request, pk):
    """Merge like lots (same product group, unit, quality and owner) held at this hub."""
    hub = get_object_or_404(Hub, pk=pk)
    if not hub_may_change(request.user, hub):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("lot") if i.isascii() and i.isdigit()]
    try:
        merged = services.lots_merge(lot_ids=ids, actor=request.user)
    except ValidationError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(
            request, _("%(n)d lots merged into %(code)s.") % {"n": len(ids), "code": merged.code}
        )
    return redirect("hub-detail", pk=hub.pk)


@login_required
@require_http_methods(["POST"])
def hub_transform_lots(request, pk):
    """Transform the selected lots held at this hub into a new product (the holder)."""
    hub = get_object_or_404(Hub, pk=pk)
    if not hub_may_change(request.user, hub):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("lot") if i.isascii() and i.isdigit()]
    form = TransformForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(form.errors)))
        return redirect("hub-detail", pk=hub.pk)
    d = form.cleaned_data
    into = services.TransformInto(
        product_group=d["product_group"],
        quantity=d["quantity"],
        mass_kg_per_unit=d["mass_kg_per_unit"],
        quality=d["quality"],
        r_strategy=d["r_strategy"],
        description=d["description"],
    )
    try:
        product = services.lots_transform(lot_ids=ids, into=into, actor=request.user)
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("hub-detail", pk=hub.pk)
    messages.success(
        request,
        _("%(n)d lots transformed into %(code)s.") % {"n": len(ids), "code": product.code},
    )
    return redirect("lot-detail", code=product.code)
