"""What the Dutch API Design Rules ask of every answer of /api/v1/, in one middleware
(docs/adr/0008-api-design-rules.md):

* `API-Version` with the full semantic version on every response (/core/version-header);
* query keys in lowerCamelCase (/core/query-keys-camel-case). The views read their
  parameters by their Python names (`product_group`); here a camelCase key (`productGroup`)
  is given to them under that name. The old snake_case keys stay accepted for v1 as
  deprecated aliases: a request that uses one is answered with `Deprecation` (RFC 9745),
  `Sunset` (RFC 8594) and a `Link` to the documentation (ADR 0008);
* the geospatial module for GeoJSON answers: WGS84 (CRS84, [lon, lat]) by default, RD New
  (EPSG:28992) on request with `Accept-Crs`; `Content-Crs` names what was sent, and a CRS
  the API cannot give is a 406 problem.

A middleware, not a mixin of the views: the rules hold for every operation, including the
ones added later, without their code knowing (the views stay in their apps).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext as _

from urbanmine.engine.geo import wgs84_to_rd

from .exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, TITLES

API_PREFIX = "/api/v1/"

#: The day the snake_case query keys became deprecated aliases, and the day they go (ADR 0008).
ALIASES_DEPRECATED_ON = datetime(2026, 11, 30, tzinfo=UTC)
ALIASES_SUNSET_ON = datetime(2027, 12, 1, tzinfo=UTC)
DEPRECATION_DOCS = "/api/docs/"

#: Paths of v1 that moved (not kebab-case): they answer as before, with the deprecation headers.
DEPRECATED_PATHS = frozenset({f"{API_PREFIX}supply.csv", f"{API_PREFIX}supply.geojson"})

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_NEW = "http://www.opengis.net/def/crs/EPSG/0/28992"
#: Accepted names of each CRS (compared case-insensitively) -> the URI `Content-Crs` gives.
CRS_NAMES = {
    "ogc:crs84": CRS84,
    CRS84.lower(): CRS84,
    "epsg:4326": CRS84,  # GeoJSON axis order (lon, lat), as RFC 7946 requires
    "http://www.opengis.net/def/crs/epsg/0/4326": CRS84,
    "epsg:28992": RD_NEW,
    RD_NEW.lower(): RD_NEW,
}
GEOJSON = "application/geo+json"

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")
_SNAKE_PART = re.compile(r"_([a-z0-9])")


def snake(name: str) -> str:
    """`productGroup` -> `product_group` (the views' name of a query key)."""
    return _CAMEL_HUMP.sub(lambda m: "_" + m.group(1).lower(), name)


def camel(name: str) -> str:
    """`product_group` -> `productGroup` (the published name of a query key)."""
    return _SNAKE_PART.sub(lambda m: m.group(1).upper(), name)


def api_version() -> str:
    return str(settings.SPECTACULAR_SETTINGS["VERSION"])


def http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


class ApiConformanceMiddleware:
    """Query keys, version header, deprecation headers and CRS negotiation for /api/v1/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        deprecated = _translate_query(request)
        response = self.get_response(request)
        if _is_geojson(response):
            crs = _accepted_crs(request)
            if crs is None:
                response = _problem(
                    request,
                    406,
                    _(
                        "Give Accept-Crs as EPSG:4326 (OGC:CRS84, the default) or "
                        "EPSG:28992 (RD New)."
                    ),
                )
            else:
                _geo(response, crs)
        response["API-Version"] = api_version()
        if deprecated or request.path in DEPRECATED_PATHS:
            response["Deprecation"] = f"@{int(ALIASES_DEPRECATED_ON.timestamp())}"
            response["Sunset"] = http_date(ALIASES_SUNSET_ON)
            response["Link"] = f'<{DEPRECATION_DOCS}>; rel="deprecation"; type="text/html"'
        return response


def _translate_query(request: HttpRequest) -> list[str]:
    """Gives the views every camelCase key under its Python name; returns the deprecated
    snake_case keys the request used. The names the client gave are kept on the request
    (`urbanmine_query_names`), so an error names the parameter as the client spelled it."""
    query = request.GET
    if not query:
        return []
    translated = QueryDict(mutable=True)
    given: dict[str, str] = {}
    deprecated = []
    for key, values in query.lists():
        name = snake(key)
        if "_" in key and camel(key) != key:
            deprecated.append(key)
        given.setdefault(name, key)
        translated.setlist(name, translated.getlist(name) + values)
    translated._mutable = False
    request.GET = translated  # type: ignore[assignment]  # immutable, as Django's
    request.urbanmine_query_names = given  # type: ignore[attr-defined]
    return deprecated


def _accepted_crs(request: HttpRequest) -> str | None:
    """The CRS the client accepts for geometry (default CRS84); None when it names one the
    API cannot give."""
    wanted = request.headers.get("Accept-Crs")
    if wanted is None:
        return CRS84
    return CRS_NAMES.get(wanted.strip().lower())  # an empty one names none


def _is_geojson(response: HttpResponse) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith(GEOJSON)


def _geo(response: HttpResponse, crs: str) -> None:
    """A GeoJSON answer in the CRS asked for, named in `Content-Crs`."""
    if crs == RD_NEW and not getattr(response, "streaming", False):
        document = json.loads(response.content)
        for feature in document.get("features", []):
            geometry = feature.get("geometry") or {}
            if geometry.get("type") == "Point":
                lon, lat = geometry["coordinates"][:2]
                x, y = wgs84_to_rd(lat, lon)
                geometry["coordinates"] = [round(x, 3), round(y, 3)]
        response.content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    response["Content-Crs"] = crs


def _problem(request: HttpRequest, code: int, detail: str) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPES[code],
        "title": TITLES[code],
        "status": code,
        "detail": detail,
        "instance": request.get_full_path(),
    }
    return HttpResponse(json.dumps(body), status=code, content_type=PROBLEM_CONTENT_TYPE)
