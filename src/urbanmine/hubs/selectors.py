"""Hub stock and dwell times, derived from where lots are and since when."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Location, Lot

MASS = ExpressionWrapper(
    F("quantity") * F("mass_kg_per_unit"),
    output_field=DecimalField(max_digits=20, decimal_places=3),
)


@dataclass
class StockLine:
    lot: Lot
    dwell_days: int
    level: str  # "ok" | "warning" (past 6 months) | "alert" (past 9 months)


def hub_stock(hub) -> list[StockLine]:
    today = timezone.now()
    lots = (
        Lot.objects.filter(hub=hub, location=Location.AT_HUB)
        .exclude(status__in=[Status.CLOSED, Status.APPLIED])
        .select_related("product_group", "owner", "source_asset")
        .annotate(mass_kg_total=MASS)
        .order_by("hub_since", "code")
    )
    out = []
    for lot in lots:
        days = (today - lot.hub_since).days if lot.hub_since else 0
        if days > settings.HUB_DWELL_ALERT_DAYS:
            level = "alert"
        elif days > settings.HUB_DWELL_WARNING_DAYS:
            level = "warning"
        else:
            level = "ok"
        out.append(StockLine(lot=lot, dwell_days=days, level=level))
    return out


def hub_occupancy(hubs) -> dict[int, Decimal]:
    """Mass held (kg) per hub id, one query."""
    rows = (
        Lot.objects.filter(hub__in=hubs, location=Location.AT_HUB)
        .exclude(status__in=[Status.CLOSED, Status.APPLIED])
        .values("hub_id")
        .annotate(m=Sum(MASS))
    )
    return {r["hub_id"]: r["m"] or Decimal(0) for r in rows}
