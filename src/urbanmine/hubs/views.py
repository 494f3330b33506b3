from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urbanmine.organisations.selectors import may_change_hub

from . import selectors
from .models import Hub


@login_required
def hub_list(request):
    hubs = list(Hub.objects.select_related("municipality", "operator").order_by("name"))
    occupancy = selectors.hub_occupancy(hubs)
    for hub in hubs:
        hub.held_t = occupancy.get(hub.id, Decimal(0)) / 1000
        hub.fill_pct = (hub.held_t / hub.capacity_t * 100) if hub.capacity_t else 0
    return render(request, "hubs/hub_list.html", {"hubs": hubs})


@login_required
def hub_detail(request, pk):
    """A hub's stock with dwell-time warnings (past 6 and past 9 months)."""
    hub = get_object_or_404(Hub.objects.select_related("municipality", "operator"), pk=pk)
    stock = selectors.hub_stock(hub)
    held_kg = sum((line.lot.mass_kg_total for line in stock), Decimal(0))
    return render(
        request,
        "hubs/hub_detail.html",
        {
            "hub": hub,
            "stock": stock,
            "held_t": held_kg / 1000,
            "fill_pct": (held_kg / 1000 / hub.capacity_t * 100) if hub.capacity_t else 0,
            "warnings": sum(1 for s in stock if s.level == "warning"),
            "alerts": sum(1 for s in stock if s.level == "alert"),
            "can_change": may_change_hub(request.user, hub),
            "accepted": list(hub.accepted_product_groups.all()),
            "settings_form": HubSettingsForm(instance=hub)
            if may_change_hub(request.user, hub)
            else None,
        },
    )


class HubSettingsForm(forms.ModelForm):
    class Meta:
        model = Hub
        fields = ["capacity_t", "capacity_m2", "max_dwell_days", "open_to_deliveries"]


@login_required
@require_http_methods(["POST"])
def hub_settings(request, pk):
    """Only the operator changes a hub's capacity and dwell-time limit."""
    hub = get_object_or_404(Hub, pk=pk)
    if not may_change_hub(request.user, hub):
        raise PermissionDenied
    form = HubSettingsForm(request.POST, instance=hub)
    if form.is_valid():
        form.save()
        messages.success(request, _("Hub settings saved."))
    else:
        for field, errs in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errs)}")
    return redirect("hub-detail", pk=hub.pk)


@login_required
@require_http_methods(["POST"])
def hub_merge_lots(request, pk):
    """Merge like lots (same product group, unit, quality and owner) held at this hub."""
    from django.core.exceptions import ValidationError

    from urbanmine.lots.services import lots_merge

    hub = get_object_or_404(Hub, pk=pk)
    if not may_change_hub(request.user, hub):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("lot") if i.isascii() and i.isdigit()]
    try:
        merged = lots_merge(lot_ids=ids, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(sum(e.message_dict.values(), [])))
    else:
        messages.success(
            request, _("%(n)d lots merged into %(code)s.") % {"n": len(ids), "code": merged.code}
        )
    return redirect("hub-detail", pk=hub.pk)
