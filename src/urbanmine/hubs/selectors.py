"""Reads on hubs themselves. What a hub holds is lots at a hub: see `lots.selectors`
(`hub_stock`, `hub_occupancy`), since the lots app sits above this one."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Hub


def hubs_listed() -> QuerySet[Hub]:
    """Every hub with what its pages show (place and operator), by name."""
    return Hub.objects.select_related("municipality", "operator").order_by("name", "id")


def hubs_open_to_deliveries() -> QuerySet[Hub]:
    """Hubs that take in other organisations' lots: the ones matching may route through."""
    return Hub.objects.filter(open_to_deliveries=True).prefetch_related("accepted_product_groups")
