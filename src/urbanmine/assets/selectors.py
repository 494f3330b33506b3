"""Reads on assets, for the pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Asset
from .permissions import assets_visible_to


def assets_for(user, *, q: str = "") -> QuerySet[Asset]:
    """The assets a user may open, by name, with what the list shows."""
    qs = assets_visible_to(user).select_related("municipality", "owner").order_by("name", "id")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs
