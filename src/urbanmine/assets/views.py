from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from urbanmine.lots import selectors as lot_selectors
from urbanmine.organisations.selectors import may_change_asset, visible_assets_filter

from .models import Asset


@login_required
def asset_list(request):
    qs = (
        Asset.objects.filter(visible_assets_filter(request.user))
        .distinct()
        .select_related("municipality", "owner")
        .order_by("name")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "assets/asset_list.html", {"page": page, "q": q})


@login_required
def asset_passport(request, pk):
    """An asset's material passport: its lots, mass per material and status, and history."""
    asset = get_object_or_404(
        Asset.objects.filter(visible_assets_filter(request.user)).distinct().select_related("municipality", "owner"),
        pk=pk,
    )
    lots = list(lot_selectors.passport_lots(asset))
    return render(request, "assets/passport.html", {
        "asset": asset,
        "lots": lots,
        "summary": lot_selectors.passport_summary(lots),
        "interventions": list(asset.interventions.all()),
        "history": list(lot_selectors.asset_history(asset, limit=50)),
        "can_change": may_change_asset(request.user, asset),
    })
