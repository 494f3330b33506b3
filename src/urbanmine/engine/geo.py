"""Distances, Dutch RD New <-> WGS84 conversion and municipality lookup.

Distances follow the matching contract: great-circle (haversine) on a sphere of radius
6371.0 km, times a road factor. Municipality lookup uses the real CBS/PDOK boundaries
(read from the data directory by the caller) with a shapely STRtree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

EARTH_RADIUS_KM = 6371.0

# Bounding box of the Netherlands (WGS84, generous: includes the Wadden and the coast).
NL_LAT_MIN, NL_LAT_MAX = 50.70, 53.60
NL_LON_MIN, NL_LON_MAX = 3.30, 7.25
# RD New (EPSG:28992) valid extent.
RD_X_MIN, RD_X_MAX = -7000.0, 300000.0
RD_Y_MIN, RD_Y_MAX = 289000.0, 629000.0


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> Any:
    """Great-circle distance in km; scalars or NumPy arrays (broadcasting)."""
    lat1 = np.radians(lat1)
    lat2 = np.radians(lat2)
    dlat = lat2 - lat1
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2.0) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def road_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike, road_factor: float
) -> Any:
    """Road distance estimate: great-circle km times the road factor."""
    return haversine_km(lat1, lon1, lat2, lon2) * road_factor


def in_netherlands(lat: float, lon: float) -> bool:
    """Cheap plausibility check on WGS84 coordinates (bounding box of the Netherlands)."""
    return NL_LAT_MIN <= lat <= NL_LAT_MAX and NL_LON_MIN <= lon <= NL_LON_MAX


def looks_like_rd(x: float, y: float) -> bool:
    """True when (x, y) lies in the RD New extent (metres), i.e. is not lat/lon degrees."""
    return RD_X_MIN <= x <= RD_X_MAX and RD_Y_MIN <= y <= RD_Y_MAX


@lru_cache(maxsize=1)
def _rd_to_wgs84() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


@lru_cache(maxsize=1)
def _wgs84_to_rd() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New (EPSG:28992) metres -> (lat, lon) in WGS84 degrees."""
    lon, lat = _rd_to_wgs84().transform(x, y)
    return float(lat), float(lon)


def wgs84_to_rd(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) WGS84 degrees -> RD New (x, y) metres."""
    x, y = _wgs84_to_rd().transform(lon, lat)
    return float(x), float(y)


@dataclass(frozen=True)
class Municipality:
    code: str  # CBS code, e.g. "GM0599"
    name: str


class MunicipalityIndex:
    """Point-in-polygon lookup over municipal boundaries (GeoJSON, lon/lat)."""

    def __init__(self, features: Iterable[dict[str, Any]]) -> None:
        from shapely import STRtree
        from shapely.geometry import shape

        self._municipalities: list[Municipality] = []
        geoms = []
        for feature in features:
            props = feature["properties"]
            # the derived table (data/municipalities_nl.geojson): code, name; the raw PDOK/CBS
            # file: gemeenteCode, gemeenteNaam
            code = props.get("code") or props["gemeenteCode"]
            name = props.get("name") or clean_municipality_name(props["gemeenteNaam"])
            self._municipalities.append(Municipality(code=code, name=name))
            geoms.append(shape(feature["geometry"]))
        self._geoms = geoms
        self._tree = STRtree(geoms)

    @classmethod
    def from_geojson(cls, path: Path | str) -> MunicipalityIndex:
        with open(path, encoding="utf-8") as fh:
            return cls(json.load(fh)["features"])

    def lookup(self, lat: float, lon: float, tolerance_deg: float = 0.01) -> Municipality | None:
        """The municipality containing the point; the nearest within `tolerance_deg`
        (the boundaries are simplified to ~100 m) when the point falls in a gap."""
        from shapely.geometry import Point

        point = Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self._municipalities[int(hits[0])]
        nearest = self._tree.query_nearest(point, max_distance=tolerance_deg)
        if len(nearest):
            return self._municipalities[int(nearest[0])]
        return None

    def geometry(self, code: str) -> Any:
        for m, g in zip(self._municipalities, self._geoms, strict=True):
            if m.code == code:
                return g
        raise KeyError(code)

    def __len__(self) -> int:
        return len(self._municipalities)


def clean_municipality_name(name: str) -> str:
    """CBS style "Groningen (gemeente)" -> "Groningen"."""
    return name.replace(" (gemeente)", "").strip()


@lru_cache(maxsize=4)
def municipality_index(path: str) -> MunicipalityIndex:
    return MunicipalityIndex.from_geojson(path)
