"""Looking up a Dutch address or postcode with the PDOK Locatieserver (issue #13), when the
setting URBANMINE_PDOK_LOCATIESERVER_URL names it (off by default: the platform runs
offline). The server asks PDOK, not the browser: the Content-Security-Policy stays
'self', and a user's typing is sent to one configured service only."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

#: "POINT(4.31 52.07)" as PDOK writes `centroide_ll` (WGS84: lon lat)
POINT = re.compile(r"POINT\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)")


@dataclass(frozen=True)
class Place:
    label: str
    kind: str
    lat: float
    lon: float
    municipality_code: str


class LookupUnavailable(Exception):
    """The service is off, unreachable or answered something else than the expected JSON."""


def lookup_enabled() -> bool:
    return bool(settings.URBANMINE_PDOK_LOCATIESERVER_URL)


def parse_free(payload: dict) -> list[Place]:
    """The places of a Locatieserver `free` answer (docs without a point are left out)."""
    places = []
    for doc in (payload.get("response") or {}).get("docs") or []:
        m = POINT.search(str(doc.get("centroide_ll", "")))
        if not m:
            continue
        lon, lat = float(m.group(1)), float(m.group(2))
        code = str(doc.get("gemeentecode") or "")
        places.append(
            Place(
                label=str(doc.get("weergavenaam", ""))[:200],
                kind=str(doc.get("type", "")),
                lat=lat,
                lon=lon,
                municipality_code=f"GM{code}" if code and not code.startswith("GM") else code,
            )
        )
    return places


def lookup(query: str, rows: int = 6) -> list[Place]:
    """Addresses, postcodes and places matching `query` (at most `rows`)."""
    if not lookup_enabled():
        raise LookupUnavailable("off")
    params = urllib.parse.urlencode(
        {
            "q": query[:100],
            "rows": rows,
            "fq": "type:(adres OR postcode OR woonplaats)",
            "fl": "weergavenaam,centroide_ll,type,gemeentecode",
        }
    )
    url = f"{settings.URBANMINE_PDOK_LOCATIESERVER_URL.rstrip('/')}/free?{params}"
    try:
        with urllib.request.urlopen(url, timeout=settings.URBANMINE_PDOK_TIMEOUT_S) as r:  # noqa: S310 (a configured https URL)
            payload = json.loads(r.read(1_000_000))
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as e:
        raise LookupUnavailable(str(e)) from None
    if not isinstance(payload, dict):
        raise LookupUnavailable("unexpected answer")
    return parse_free(payload)
