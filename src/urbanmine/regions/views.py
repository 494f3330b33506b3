import json

from django.http import JsonResponse
from django.views.decorators.cache import cache_control

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
