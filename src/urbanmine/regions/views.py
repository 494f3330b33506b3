import json
from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from . import places
from .services import zuid_holland


@cache_control(max_age=3600, public=True)
def municipalities_geojson(request):
    """Simplified outlines of the Zuid-Holland municipalities for the maps (public)."""
    features = [
        {
            "type": "Feature",
            "properties": {"code": m.code, "name": m.name},
            "geometry": json.loads(m.boundary_geojson),
        }
        for m in zuid_holland().only("code", "name", "boundary_geojson")
        if m.boundary_geojson
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def place_lookup(request):
    """Addresses and postcodes for the asset form's search box (signed-in users; off unless
    URBANMINE_PDOK_LOCATIESERVER_URL is set)."""
    if not places.lookup_enabled():
        raise Http404
    query = (request.GET.get("q") or "").strip()
    if len(query) < 3:
        return JsonResponse({"results": [], "message": _("Type at least three characters.")})
    try:
        found = places.lookup(query)
    except places.LookupUnavailable:
        return JsonResponse(
            {
                "results": [],
                "message": _("The address service does not answer; pick the place on the map."),
            },
            status=503,
        )
    return JsonResponse({"results": [asdict(p) for p in found]})
