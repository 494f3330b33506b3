"""BAG buildings from the GeoPackage PDOK publishes (`bag-light.gpkg`): read, validate and
summarise them per building (pand) as plain NumPy arrays. Pure Python + NumPy (never Django).

Layout read (the PDOK BAG GeoPackage; extra columns are ignored, ADR 0006):

- layer `pand` (polygons, EPSG:28992): `identificatie` (16 digits), `bouwjaar`, `status`;
- layer `verblijfsobject` (points, EPSG:28992): `identificatie`, `pand_identificatie` (the
  pand or panden it lies in, comma separated), `status`, `oppervlakte` (m², integer),
  `gebruiksdoel` (one or more of the eleven BAG uses, comma separated), and for the name
  `openbare_ruimte_naam`, `huisnummer`, `huisletter`, `toevoeging`, `woonplaats_naam` when
  present.

Per pand: construction year = `bouwjaar`; floor area = the sum of `oppervlakte` of its counted
verblijfsobjecten (a unit lying in k panden counts 1/k in each); use type = the use holding
the largest floor area (`USE_OF_GEBRUIKSDOEL`), a dwelling pand being a `house` with one
dwelling and an `apartment` with more; location = a point on the pand's surface, converted
from RD New to WGS84; municipality = the boundary containing that point.

Two kinds of bad input (every message names layer, feature id and field):
- `BagFileError`: the file as a whole cannot be read as this layout (not a GeoPackage, a layer
  or column missing, another CRS, a feature without a valid or with a duplicate
  `identificatie`, an unreadable geometry). The caller stores nothing.
- `BagIssue`: an implausible feature (construction year 0, before 1000 or in the future;
  negative floor area; a point outside the Netherlands or in no municipality; an unknown
  use). The building is skipped whole (never imported with part of its units) and named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import geo
from .forecast.tables import USE_TYPES, IntensityTable

PAND = "pand"
VBO = "verblijfsobject"
CRS = "EPSG:28992"

PAND_COLUMNS = ("identificatie", "bouwjaar", "status")
VBO_COLUMNS = ("identificatie", "pand_identificatie", "status", "oppervlakte", "gebruiksdoel")
VBO_ADDRESS_COLUMNS = (
    "openbare_ruimte_naam",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "woonplaats_naam",
)

#: BAG pand statuses (IMBAG 2.0) and what the import does with each.
PAND_STANDING = (
    "Pand in gebruik",
    "Pand in gebruik (niet ingemeten)",
    "Verbouwing pand",
    "Sloopvergunning verleend",
    "Pand buiten gebruik",
)
#: Not built yet: planned construction is demand, not stock.
PAND_NOT_BUILT = ("Bouwvergunning verleend", "Bouw gestart")
#: Demolished or withdrawn: skipped and counted.
PAND_GONE = ("Pand gesloopt", "Niet gerealiseerd pand", "Pand ten onrechte opgevoerd")

#: Verblijfsobject statuses whose floor area counts (the unit exists).
VBO_COUNTED = (
    "Verblijfsobject in gebruik",
    "Verblijfsobject in gebruik (niet ingemeten)",
    "Verbouwing verblijfsobject",
    "Verblijfsobject buiten gebruik",
)
VBO_NOT_COUNTED = (
    "Verblijfsobject gevormd",
    "Niet gerealiseerd verblijfsobject",
    "Verblijfsobject ingetrokken",
    "Verblijfsobject ten onrechte opgevoerd",
)

#: The eleven BAG uses (gebruiksdoelen) → the platform's use types (None: a dwelling, house
#: or apartment by the number of dwellings in the pand). Order = tie-break order.
USE_OF_GEBRUIKSDOEL: dict[str, str | None] = {
    "woonfunctie": None,
    "kantoorfunctie": "office",
    "winkelfunctie": "retail",
    "onderwijsfunctie": "education",
    "gezondheidszorgfunctie": "healthcare",
    "industriefunctie": "industrial",
    "bijeenkomstfunctie": "other",
    "celfunctie": "other",
    "logiesfunctie": "other",
    "sportfunctie": "other",
    "overige gebruiksfunctie": "other",
}
GEBRUIKSDOELEN = tuple(USE_OF_GEBRUIKSDOEL)

#: Construction-period bands of the report (the MODERATE bands of `engine.stock`, and after).
PERIODS: tuple[tuple[str, int, int], ...] = (
    ("before 1945", 1000, 1944),
    ("1945-1969", 1945, 1969),
    ("1970-1979", 1970, 1979),
    ("1980-1989", 1980, 1989),
    ("1990-1999", 1990, 1999),
    ("2000-2010", 2000, 2010),
    ("2011-2020", 2011, 2020),
    ("2021 and later", 2021, 9999),
)
MIN_YEAR = 1000
#: A missing integer (bouwjaar, oppervlakte) as read.
NULL_INT = -(2**62)

_BAG_ID = re.compile(r"^\d{16}$")
_BAG_PREFIX = re.compile(r"^NL\.IMBAG\.(Pand|Verblijfsobject)\.")

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ObjArray = NDArray[np.object_]


class BagFileError(Exception):
    """The file cannot be read as the BAG GeoPackage layout; nothing may be stored."""

    def __init__(
        self, layer: str | None, feature_id: int | None, field_name: str | None, reason: str
    ):
        self.layer, self.feature_id, self.field, self.reason = layer, feature_id, field_name, reason
        where = ", ".join(
            p
            for p in (
                f"layer {layer}" if layer else "",
                f"feature {feature_id}" if feature_id is not None else "",
                f"field {field_name}" if field_name else "",
            )
            if p
        )
        super().__init__(f"{where}: {reason}" if where else reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "feature_id": self.feature_id,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class BagIssue:
    """An implausible feature, skipped with its building; `feature_id` is the GeoPackage fid."""

    layer: str
    feature_id: int
    bag_id: str
    field: str
    value: Any
    reason: str
    pand_id: str  # the building skipped because of it

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, np.generic):
            value = value.item()
        return {
            "layer": self.layer,
            "feature_id": self.feature_id,
            "bag_id": self.bag_id,
            "field": self.field,
            "value": value,
            "reason": self.reason,
            "building": self.pand_id,
        }

    def __str__(self) -> str:
        return (
            f"layer {self.layer}, feature {self.feature_id} ({self.bag_id}), field {self.field}"
            f" = {self.value!r}: {self.reason}"
        )


@dataclass
class BagBuildings:
    """The buildings (panden) a file registers, one row per array position, and what was
    left out. `municipality_code` is "" until `assign_municipalities` ran."""

    bag_id: ObjArray
    feature_id: IntArray
    construction_year: IntArray
    use_type: ObjArray
    floor_area_m2: FloatArray
    n_units: IntArray
    n_dwellings: IntArray
    rd_x: FloatArray
    rd_y: FloatArray
    lat: FloatArray
    lon: FloatArray
    address: ObjArray
    municipality_code: ObjArray
    features: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    gone_ids: list[str] = field(default_factory=list)
    issues: list[BagIssue] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.bag_id)

    def take(self, keep: NDArray[np.bool_]) -> BagBuildings:
        """The buildings where `keep` holds (report fields shared)."""
        arrays = {
            name: getattr(self, name)[keep]
            for name in (
                "bag_id",
                "feature_id",
                "construction_year",
                "use_type",
                "floor_area_m2",
                "n_units",
                "n_dwellings",
                "rd_x",
                "rd_y",
                "lat",
                "lon",
                "address",
                "municipality_code",
            )
        }
        return BagBuildings(
            **arrays,
            features=self.features,
            skipped=self.skipped,
            units=self.units,
            gone_ids=self.gone_ids,
            issues=self.issues,
        )

    def counts_by_use_and_period(self) -> dict[str, dict[str, int]]:
        """{use type: {period: buildings}} of the buildings here (the report's table)."""
        out: dict[str, dict[str, int]] = {}
        period = period_labels(self.construction_year)
        for use, per in zip(self.use_type.tolist(), period.tolist(), strict=True):
            row = out.setdefault(use, {})
            row[per] = row.get(per, 0) + 1
        return {u: dict(sorted(out[u].items(), key=_period_order)) for u in sorted(out)}


def _period_order(item: tuple[str, int]) -> int:
    return [p[0] for p in PERIODS].index(item[0])


def period_labels(years: IntArray) -> ObjArray:
    """The report's construction-period label of each year."""
    out = np.empty(len(years), dtype=object)
    for label, lo, hi in PERIODS:
        out[(years >= lo) & (years <= hi)] = label
    return out


# ----------------------------------------------------------------------------- reading
def _layer(
    path: Path, layer: str, columns: Sequence[str], optional: Sequence[str] = ()
) -> tuple[IntArray, Any, dict[str, Any]]:
    """(fids, geometry WKB or None, {column: array}) of one layer, with its layout checked."""
    import pyogrio
    import pyogrio.errors as pe
    from pyogrio.raw import read

    try:
        layers = {str(name) for name, _ in pyogrio.list_layers(path)}
    except (pe.DataSourceError, OSError, ValueError) as exc:
        raise BagFileError(None, None, None, f"not a GeoPackage ({exc})") from None
    if layer not in layers:
        raise BagFileError(layer, None, None, f"layer missing (the file has: {sorted(layers)})")
    info = pyogrio.read_info(path, layer=layer)
    present = set(info["fields"].tolist())
    missing = [c for c in columns if c not in present]
    if missing:
        raise BagFileError(layer, None, missing[0], "column missing")
    crs = str(info.get("crs") or "")
    if crs.upper() != CRS:
        raise BagFileError(layer, None, "geom", f"coordinates must be RD New ({CRS}), not {crs}")
    wanted = list(columns) + [c for c in optional if c in present]
    try:
        _meta, fids, geometry, data = read(
            path, layer=layer, columns=wanted, return_fids=True, read_geometry=(layer == PAND)
        )
    except (pe.DataSourceError, pe.DataLayerError, pe.FieldError, pe.FeatureError) as exc:
        raise BagFileError(layer, None, None, f"unreadable ({exc})") from None
    return np.asarray(fids, dtype=np.int64), geometry, dict(zip(wanted, data, strict=True))


def _bag_ids(layer: str, fids: IntArray, raw: Any) -> ObjArray:
    """16-digit identifiers (the `NL.IMBAG.Pand.` prefix of some exports stripped); a feature
    without one, or two with the same, make the file unreadable."""
    ids = np.empty(len(fids), dtype=object)
    for i, value in enumerate(raw.tolist()):
        text = _BAG_PREFIX.sub("", str(value).strip()) if value is not None else ""
        if not _BAG_ID.match(text):
            raise BagFileError(
                layer, int(fids[i]), "identificatie", f"not a 16-digit BAG id: {value!r}"
            )
        ids[i] = text
    uniq, first, counts = np.unique(ids.astype(str), return_index=True, return_counts=True)
    if len(uniq) != len(ids):
        dup = uniq[counts > 1][0]
        where = np.flatnonzero(ids.astype(str) == dup)
        raise BagFileError(
            layer, int(fids[where[1]]), "identificatie", f"{dup} occurs twice (features "
            f"{int(fids[where[0]])} and {int(fids[where[1]])})"
        )  # fmt: skip
    return ids


def _ints(layer: str, fids: IntArray, raw: Any, name: str, *, nullable: bool) -> IntArray:
    """An integer column (float NaN or None for missing → NULL_INT when `nullable`)."""
    arr = np.asarray(raw)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    out = np.full(len(arr), NULL_INT, dtype=np.int64)
    for i, value in enumerate(arr.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            if nullable:
                continue
            raise BagFileError(layer, int(fids[i]), name, "missing")
        try:
            f = float(value)
        except (TypeError, ValueError):
            raise BagFileError(layer, int(fids[i]), name, f"not a number: {value!r}") from None
        if not f.is_integer():
            raise BagFileError(layer, int(fids[i]), name, f"not a whole number: {value!r}")
        out[i] = int(f)
    return out


def _texts(raw: Any) -> list[str]:
    return ["" if v is None else str(v).strip() for v in np.asarray(raw, dtype=object).tolist()]


def _split(value: str) -> list[str]:
    """'a,b' / '{a,b}' / 'a|b' → ['a', 'b']."""
    return [p.strip() for p in re.split(r"[,|]", value.strip().strip("{}")) if p.strip()]


def _surface_points(fids: IntArray, geometry: Any) -> tuple[FloatArray, FloatArray]:
    import shapely

    try:
        geoms = shapely.from_wkb(geometry, on_invalid="raise")
    except Exception:  # shapely.errors.GEOSException, ValueError: find the feature
        for i, blob in enumerate(geometry):
            try:
                shapely.from_wkb(blob, on_invalid="raise")
            except Exception:  # noqa: BLE001 (any failure names the feature)
                raise BagFileError(PAND, int(fids[i]), "geom", "unreadable geometry") from None
        raise
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if np.any(empty):
        i = int(np.flatnonzero(empty)[0])
        raise BagFileError(PAND, int(fids[i]), "geom", "no geometry")
    kinds = shapely.get_type_id(geoms)
    if np.any((kinds != 3) & (kinds != 6)):  # Polygon, MultiPolygon
        i = int(np.flatnonzero((kinds != 3) & (kinds != 6))[0])
        raise BagFileError(PAND, int(fids[i]), "geom", "a pand must be a polygon")
    points = shapely.point_on_surface(geoms)
    return shapely.get_x(points), shapely.get_y(points)


def rd_to_wgs84_arrays(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """RD New metres → (lat, lon) WGS84 degrees, vectorised (`geo.rd_to_wgs84` for arrays)."""
    lon, lat = geo._rd_to_wgs84().transform(x, y)
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)


class _Issues:
    """Issues found so far; a building with one is skipped whole (`bad`)."""

    def __init__(self, pand_ids: ObjArray) -> None:
        self.pand_ids = pand_ids
        self.bad = np.zeros(len(pand_ids), dtype=bool)
        self.items: list[BagIssue] = []

    def add(self, where: tuple[str, int, str], fld: str, value: Any, why: str, b: int) -> None:
        layer, fid, bag_id = where
        self.items.append(BagIssue(layer, fid, bag_id, fld, value, why, str(self.pand_ids[b])))
        self.bad[b] = True


@dataclass
class _Units:
    """Per pand: floor area per gebruiksdoel (m²), dwellings and counted units."""

    area_pg: FloatArray
    dwellings: IntArray
    units: IntArray
    stats: dict[str, Any]


def _check_statuses(layer: str, fids: IntArray, status: ObjArray, known: tuple[str, ...]) -> None:
    unknown = sorted(set(status.tolist()) - set(known))
    if unknown:
        i = int(np.flatnonzero(status == unknown[0])[0])
        raise BagFileError(layer, int(fids[i]), "status", f"unknown status {unknown[0]!r}")


def _unit_issue(area: int, uses: list[str]) -> tuple[str, Any, str] | None:
    """(field, value, reason) of an implausible unit, None for a good one."""
    wrong = [u for u in uses if u not in USE_OF_GEBRUIKSDOEL]
    if wrong:
        return "gebruiksdoel", ",".join(uses), "unknown use " + ", ".join(map(repr, wrong))
    if not uses:
        return "gebruiksdoel", None, "no use"
    if area == NULL_INT:
        return "oppervlakte", None, "no floor area"
    if area < 0:
        return "oppervlakte", area, "negative floor area"
    if area == 0:
        return "oppervlakte", 0, "no floor area"
    return None


def _units(
    v_fid: IntArray,
    v: Mapping[str, Any],
    vbo_ids: ObjArray,
    *,
    pos: Mapping[str, int],
    standing: NDArray[np.bool_],
    issues: _Issues,
) -> _Units:
    n_p = len(standing)
    g_idx = {g: k for k, g in enumerate(GEBRUIKSDOELEN)}
    out = _Units(
        np.zeros((n_p, len(GEBRUIKSDOELEN))),
        np.zeros(n_p, dtype=np.int64),
        np.zeros(n_p, dtype=np.int64),
        {"counted": 0, "not_counted_status": {}, "without_pand": 0},
    )
    status = np.array(_texts(v["status"]), dtype=object)
    _check_statuses(VBO, v_fid, status, VBO_COUNTED + VBO_NOT_COUNTED)
    area = _ints(VBO, v_fid, v["oppervlakte"], "oppervlakte", nullable=True)
    counted = np.isin(status, VBO_COUNTED)
    for s in status[~counted].tolist():
        out.stats["not_counted_status"][s] = out.stats["not_counted_status"].get(s, 0) + 1
    refs_raw, uses_raw = _texts(v["pand_identificatie"]), _texts(v["gebruiksdoel"])
    uses_of: dict[str, list[str]] = {}
    for i in np.flatnonzero(counted).tolist():
        refs = [pos[r] for r in (_BAG_PREFIX.sub("", x) for x in _split(refs_raw[i])) if r in pos]
        refs = [b for b in refs if standing[b]]
        if not refs:
            out.stats["without_pand"] += 1
            continue
        out.stats["counted"] += 1
        uses = uses_of.get(uses_raw[i])
        if uses is None:
            uses = uses_of[uses_raw[i]] = _split(uses_raw[i])
        problem = _unit_issue(int(area[i]), uses)
        for b in refs:
            out.units[b] += 1
            if problem is not None:
                issues.add((VBO, int(v_fid[i]), str(vbo_ids[i])), *problem, b)
                continue
            share = area[i] / len(refs) / len(uses)
            for u in uses:
                out.area_pg[b, g_idx[u]] += share
            if "woonfunctie" in uses:
                out.dwellings[b] += 1
    return out


def _year_issue(year: int, today_year: int) -> str | None:
    if year == NULL_INT:
        return "no construction year"
    if year == 0:
        return "construction year 0"
    if year < MIN_YEAR:
        return f"construction year before {MIN_YEAR}"
    if year > today_year:
        return f"construction year in the future (after {today_year})"
    return None


def _outside_nl(lat: FloatArray, lon: FloatArray, x: FloatArray, y: FloatArray) -> Any:
    inside = (
        (lat >= geo.NL_LAT_MIN)
        & (lat <= geo.NL_LAT_MAX)
        & (lon >= geo.NL_LON_MIN)
        & (lon <= geo.NL_LON_MAX)
        & (x >= geo.RD_X_MIN)
        & (x <= geo.RD_X_MAX)
        & (y >= geo.RD_Y_MIN)
        & (y <= geo.RD_Y_MAX)
    )
    return ~inside


def _use_types(u: _Units) -> ObjArray:
    """The use holding the largest floor area (ties: the first in GEBRUIKSDOELEN); a
    dwelling pand is a house with one dwelling, an apartment building with more."""
    dominant = np.argmax(u.area_pg, axis=1)
    out = np.empty(len(dominant), dtype=object)
    for k, g in enumerate(GEBRUIKSDOELEN):
        sel = dominant == k
        mapped = USE_OF_GEBRUIKSDOEL[g]
        if mapped is None:
            out[sel & (u.dwellings <= 1)] = "house"
            out[sel & (u.dwellings > 1)] = "apartment"
        else:
            out[sel] = mapped
    return out


def read_bag_geopackage(path: Path | str, *, today_year: int) -> BagBuildings:
    """The buildings of a BAG GeoPackage, validated (module docstring). Raises `BagFileError`."""
    path = Path(path)
    if not path.is_file():
        raise BagFileError(None, None, None, f"{path}: no such file")
    p_fid, p_geom, p = _layer(path, PAND, PAND_COLUMNS)
    v_fid, _, v = _layer(path, VBO, VBO_COLUMNS, VBO_ADDRESS_COLUMNS)
    pand_ids = _bag_ids(PAND, p_fid, p["identificatie"])
    vbo_ids = _bag_ids(VBO, v_fid, v["identificatie"])
    years = _ints(PAND, p_fid, p["bouwjaar"], "bouwjaar", nullable=True)
    p_status = np.array(_texts(p["status"]), dtype=object)
    _check_statuses(PAND, p_fid, p_status, PAND_STANDING + PAND_NOT_BUILT + PAND_GONE)
    rd_x, rd_y = _surface_points(p_fid, p_geom)
    pos = {pid: i for i, pid in enumerate(pand_ids.tolist())}
    standing = np.isin(p_status, PAND_STANDING)
    issues = _Issues(pand_ids)
    units = _units(v_fid, v, vbo_ids, pos=pos, standing=standing, issues=issues)

    skipped: dict[str, Any] = {"status": {}, "no_units": 0, "rejected": 0}
    for s in p_status[~standing].tolist():
        skipped["status"][s] = skipped["status"].get(s, 0) + 1
    no_units = standing & (units.units == 0)
    skipped["no_units"] = int(no_units.sum())
    consider = standing & ~no_units
    for b in np.flatnonzero(consider).tolist():
        why = _year_issue(int(years[b]), today_year)
        if why:
            y = int(years[b])
            issues.add(
                (PAND, int(p_fid[b]), str(pand_ids[b])),
                "bouwjaar",
                None if y == NULL_INT else y,
                why,
                b,
            )
    lat, lon = rd_to_wgs84_arrays(rd_x, rd_y)
    for b in np.flatnonzero(consider & _outside_nl(lat, lon, rd_x, rd_y)).tolist():
        where = (PAND, int(p_fid[b]), str(pand_ids[b]))
        point = f"RD ({rd_x[b]:.1f}, {rd_y[b]:.1f})"
        issues.add(where, "geom", point, "the point lies outside the Netherlands", b)
    skipped["rejected"] = int((consider & issues.bad).sum())
    out = BagBuildings(
        bag_id=pand_ids,
        feature_id=p_fid,
        construction_year=years,
        use_type=_use_types(units),
        floor_area_m2=np.round(units.area_pg.sum(axis=1), 1),
        n_units=units.units,
        n_dwellings=units.dwellings,
        rd_x=rd_x,
        rd_y=rd_y,
        lat=lat,
        lon=lon,
        address=_addresses(v, v["status"], pos, len(pand_ids)),
        municipality_code=np.full(len(pand_ids), "", dtype=object),
        features={PAND: len(pand_ids), VBO: len(vbo_ids)},
        skipped=skipped,
        units=units.stats,
        gone_ids=pand_ids[np.isin(p_status, PAND_GONE)].tolist(),
        issues=issues.items,
    )
    return out.take(consider & ~issues.bad)


def _addresses(v: Mapping[str, Any], status: Any, pos: Mapping[str, int], n_p: int) -> ObjArray:
    """A readable address per pand: the lowest house number among its counted units."""
    out = np.full(n_p, "", dtype=object)
    if not all(c in v for c in ("openbare_ruimte_naam", "huisnummer")):
        return out
    counted = np.isin(np.array(_texts(status), dtype=object), VBO_COUNTED)
    refs_raw = _texts(v["pand_identificatie"])
    street = _texts(v["openbare_ruimte_naam"])
    number = _texts(v["huisnummer"])
    letter = _texts(v["huisletter"]) if "huisletter" in v else [""] * len(street)
    extra = _texts(v["toevoeging"]) if "toevoeging" in v else [""] * len(street)
    place = _texts(v["woonplaats_naam"]) if "woonplaats_naam" in v else [""] * len(street)
    best: dict[int, tuple[float, str]] = {}
    for i in np.flatnonzero(counted).tolist():
        if not street[i]:
            continue
        num = number[i].removesuffix(".0")
        key = float(num) if num.replace(".", "", 1).isdigit() else 1e9
        text = f"{street[i]} {num}{letter[i]}{'-' + extra[i] if extra[i] else ''}"
        text = f"{text}, {place[i]}" if place[i] else text
        for r in _split(refs_raw[i]):
            b = pos.get(_BAG_PREFIX.sub("", r))
            if b is not None and (b not in best or key < best[b][0]):
                best[b] = (key, text)
    for b, (_, text) in best.items():
        out[b] = text
    return out


# ----------------------------------------------------------------------- municipalities
def assign_municipalities(
    buildings: BagBuildings,
    municipalities: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    tolerance_deg: float = 0.01,
) -> BagBuildings:
    """Fill `municipality_code` from boundaries (code, GeoJSON geometry in lon/lat), the
    nearest within `tolerance_deg` for a point in a gap of the simplified boundaries; a
    building in none is skipped and named (field geom). Vectorised over all points."""
    import shapely
    from shapely.geometry import shape

    codes, geoms = [], []
    for code, geometry in municipalities:
        codes.append(code)
        geoms.append(shape(geometry))
    n = len(buildings)
    found = np.full(n, "", dtype=object)
    if n and geoms:
        tree = shapely.STRtree(geoms)
        points = shapely.points(buildings.lon, buildings.lat)
        b_idx, m_idx = tree.query(points, predicate="intersects")
        order = np.argsort(b_idx, kind="stable")[::-1]  # the first hit of each point wins
        found[b_idx[order]] = np.asarray(codes, dtype=object)[m_idx[order]]
        gap = np.flatnonzero(found == "")
        if len(gap):
            g_idx, m_near = tree.query_nearest(points[gap], max_distance=tolerance_deg)
            found[gap[g_idx]] = np.asarray(codes, dtype=object)[m_near]
    buildings.municipality_code = found
    missing = found == ""
    for b in np.flatnonzero(missing).tolist():
        buildings.issues.append(
            BagIssue(
                PAND,
                int(buildings.feature_id[b]),
                str(buildings.bag_id[b]),
                "geom",
                f"WGS84 ({buildings.lat[b]:.5f}, {buildings.lon[b]:.5f})",
                "the point lies in no Dutch municipality",
                str(buildings.bag_id[b]),
            )
        )
    buildings.skipped["rejected"] = buildings.skipped.get("rejected", 0) + int(missing.sum())
    return buildings.take(~missing)


# ------------------------------------------------------------------------- the estimate
def estimate_mass_kg(
    intensities: IntensityTable,
    use_type: Sequence[str] | ObjArray,
    construction_year: IntArray,
    floor_area_m2: FloatArray,
) -> FloatArray:
    """kg per building and material (`intensities.materials`): floor area × the material
    intensity of the use type and construction year, the year clamped into the periods the
    table covers (as the forecast does). Shape (n_buildings, n_materials)."""
    use_idx = np.array([USE_TYPES.index(u) for u in use_type], dtype=np.int64)
    years = np.asarray(construction_year, dtype=np.int64).copy()
    for i, u in enumerate(USE_TYPES):
        k = intensities.use_types.index(u)
        rows = intensities.period_use_type_idx == k
        lo, hi = int(intensities.period_start[rows].min()), int(intensities.period_end[rows].max())
        sel = use_idx == i
        years[sel] = np.clip(years[sel], lo, hi)
    row = intensities.row_index(USE_TYPES, use_idx, years)
    if np.any(row < 0):
        b = int(np.flatnonzero(row < 0)[0])
        raise ValueError(f"no intensity covers building {b} built {int(years[b])}")
    return np.asarray(floor_area_m2, dtype=np.float64)[:, None] * intensities.kg_per_m2[row]


# ------------------------------------------------------------------------------ writing
def write_bag_geopackage(
    path: Path | str,
    panden: Sequence[Mapping[str, Any]],
    units: Sequence[Mapping[str, Any]],
) -> None:
    """Write a GeoPackage in the PDOK BAG layout (fixtures, benchmarks, tests).

    `panden`: dicts with identificatie, bouwjaar, status and `geometry` (WKB polygon, RD New);
    `units`: dicts with identificatie, pand_identificatie, status, oppervlakte, gebruiksdoel,
    `geometry` (WKB point) and optionally the address columns. Missing values: None.
    """
    from pyogrio.raw import write

    path = Path(path)
    if path.exists():
        path.unlink()
    layers: list[tuple[str, Sequence[Mapping[str, Any]], tuple[str, ...], str]] = [
        (PAND, panden, ("identificatie", "bouwjaar", "status"), "Polygon"),
        (
            VBO,
            units,
            (*VBO_COLUMNS[:3], "oppervlakte", "gebruiksdoel", *VBO_ADDRESS_COLUMNS),
            "Point",
        ),
    ]
    ints = {"bouwjaar", "oppervlakte", "huisnummer"}
    for layer, rows, cols, gtype in layers:
        data, masks = [], []
        for c in cols:
            values = [r.get(c) for r in rows]
            missing = np.array([v is None for v in values], dtype=bool)
            if c in ints:
                data.append(np.array([0 if v is None else int(v) for v in values], dtype=np.int64))
            else:
                data.append(np.array(["" if v is None else str(v) for v in values], dtype=object))
            masks.append(missing)
        geometry = np.array([r["geometry"] for r in rows], dtype=object)
        write(
            path,
            geometry,
            data,
            list(cols),
            field_mask=masks,
            layer=layer,
            driver="GPKG",
            geometry_type=gtype,
            crs=CRS,
            append=layer != PAND,
        )
