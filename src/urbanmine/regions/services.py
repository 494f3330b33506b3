"""Municipalities from the derived CBS tables in the package (data/municipalities_nl.csv and
the simplified boundaries data/municipalities_nl.geojson, made by
scripts/derive_baseline_stock.py; Bron: CBS), and point → municipality lookup."""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from urbanmine.engine import geo

from .models import ZUID_HOLLAND, Municipality


def boundaries_path() -> Path:
    return Path(settings.DERIVED_DATA_DIR) / "municipalities_nl.geojson"


def cbs_table_path() -> Path:
    return Path(settings.DERIVED_DATA_DIR) / "municipalities_nl.csv"


def read_cbs_table() -> dict[str, dict]:
    """The 342 municipalities of 2024 (code, name, province_code, province_name,
    population), derived from CBS "Gebieden in Nederland" 2024."""
    with open(cbs_table_path(), encoding="utf-8", newline="") as fh:
        return {row["code"]: row for row in csv.DictReader(fh)}


@transaction.atomic
def municipalities_load() -> int:
    """Create or update all 342 municipalities (codes, names, province, population,
    simplified boundary and centroid). Idempotent."""
    cbs = read_cbs_table()
    with open(boundaries_path(), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    from shapely.geometry import shape

    existing = {m.code: m for m in Municipality.objects.all()}
    new, changed = [], []
    for feature in features:
        code = feature["properties"]["code"]
        row = cbs.get(code, {})
        geom = shape(feature["geometry"])
        point = geom.representative_point()
        values = dict(
            name=row.get("name") or feature["properties"]["name"],
            province_code=row.get("province_code", ""),
            province_name=row.get("province_name", ""),
            population=int(row.get("population") or 0),
            centroid_lat=round(point.y, 5),
            centroid_lon=round(point.x, 5),
            boundary_geojson=json.dumps(feature["geometry"], separators=(",", ":")),
        )
        if code in existing:
            m = existing[code]
            for k, v in values.items():
                setattr(m, k, v)
            changed.append(m)
        else:
            new.append(Municipality(code=code, **values))
    Municipality.objects.bulk_create(new)
    if changed:
        Municipality.objects.bulk_update(changed, list(values.keys()))
    return len(features)


def ensure_municipalities() -> None:
    if not Municipality.objects.exists():
        municipalities_load()


def municipality_for_point(lat: float, lon: float) -> Municipality:
    """The municipality that contains a WGS84 point, from the real boundaries."""
    if not geo.in_netherlands(lat, lon):
        raise ValidationError(
            {
                "lat": _("The point (%(lat).5f, %(lon).5f) lies outside the Netherlands.")
                % {"lat": lat, "lon": lon}
            }
        )
    ensure_municipalities()
    found = geo.municipality_index(str(boundaries_path())).lookup(lat, lon)
    if found is None:
        raise ValidationError(
            {
                "lat": _(
                    "The point (%(lat).5f, %(lon).5f) lies in no Dutch municipality (at sea?)."
                )
                % {"lat": lat, "lon": lon}
            }
        )
    return Municipality.objects.get(code=found.code)


def parse_location(*, lat=None, lon=None, rd_x=None, rd_y=None) -> tuple[float, float]:
    """WGS84 (lat, lon) from either WGS84 degrees or RD New metres; validated."""
    if rd_x not in (None, "") or rd_y not in (None, ""):
        try:
            x, y = float(rd_x), float(rd_y)
        except (TypeError, ValueError):
            raise ValidationError(
                {"rd_x": _("RD coordinates must be numbers in metres.")}
            ) from None
        if not geo.looks_like_rd(x, y):
            raise ValidationError(
                {
                    "rd_x": _("(%(x)s, %(y)s) is not an RD New coordinate in the Netherlands.")
                    % {"x": x, "y": y}
                }
            )
        lat_f, lon_f = geo.rd_to_wgs84(x, y)
    else:
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError):
            raise ValidationError({"lat": _("Latitude and longitude must be numbers.")}) from None
    if not geo.in_netherlands(lat_f, lon_f):
        raise ValidationError(
            {
                "lat": _("The point (%(lat).5f, %(lon).5f) lies outside the Netherlands.")
                % {"lat": lat_f, "lon": lon_f}
            }
        )
    return lat_f, lon_f


def zuid_holland():
    return Municipality.objects.filter(province_code=ZUID_HOLLAND)
