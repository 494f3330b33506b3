from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

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
    return render(request, "hubs/hub_detail.html", {
        "hub": hub, "stock": stock, "held_t": held_kg / 1000,
        "fill_pct": (held_kg / 1000 / hub.capacity_t * 100) if hub.capacity_t else 0,
        "warnings": sum(1 for s in stock if s.level == "warning"),
        "alerts": sum(1 for s in stock if s.level == "alert"),
        "can_change": may_change_hub(request.user, hub),
        "accepted": list(hub.accepted_product_groups.all()),
    })
