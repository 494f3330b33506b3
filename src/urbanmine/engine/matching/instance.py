"""Matching instance (JSON, version 1): dataclasses, strict loading and the result model.

The loader validates every field up front and names the offending item and field, so a
solver never sees a malformed instance (the command maps `InstanceError` to exit code 2).
Dates become integer day ordinals internally: every rule in the contract is in whole days.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from urbanmine.engine.geo import in_netherlands

STATUSES = ("optimal", "feasible", "time_limit", "infeasible")


class InstanceError(ValueError):
    """A malformed instance; the message names the item (index and id) and the field."""


@dataclass(frozen=True)
class Params:
    road_factor: float
    truck_co2_kg_per_tkm: float
    transport_eur_per_tkm: float
    co2_price_eur_per_t: float
    direct_transfer_max_days: int


@dataclass(frozen=True)
class ProductGroup:
    code: str
    virgin_co2_kg_per_kg: float
    reuse_co2_kg_per_kg: float
    virgin_price_eur_per_kg: float

    def value_eur_per_t(self, params: Params) -> float:
        """Gross value of reusing one tonne: avoided CO2 priced plus the avoided virgin price."""
        return 1000.0 * (
            (self.virgin_co2_kg_per_kg - self.reuse_co2_kg_per_kg)
            / 1000.0
            * params.co2_price_eur_per_t
            + self.virgin_price_eur_per_kg
        )


@dataclass(frozen=True)
class Hub:
    id: str | int
    lat: float
    lon: float
    capacity_kg: float
    max_dwell_days: int
    storage_eur_per_t_day: float
    handling_eur_per_t: float
    accepts: frozenset[str] | None  # None: all product groups

    def accepts_group(self, code: str) -> bool:
        return self.accepts is None or code in self.accepts


@dataclass(frozen=True)
class Supply:
    id: str | int
    product_group: str
    quantity: int
    mass_kg_per_unit: float
    quality: int
    lat: float
    lon: float
    available_on: int  # date ordinal
    hazardous: bool


@dataclass(frozen=True)
class Demand:
    id: str | int
    product_group: str
    quantity: int
    min_quality: int
    lat: float
    lon: float
    window_start: int  # date ordinal
    window_end: int  # date ordinal
    max_distance_km: float


@dataclass
class Instance:
    params: Params
    product_groups: list[ProductGroup]
    hubs: list[Hub]
    supply: list[Supply]
    demand: list[Demand]
    group_index: dict[str, int] = field(default_factory=dict)
    hub_index: dict[str | int, int] = field(default_factory=dict)
    supply_index: dict[str | int, int] = field(default_factory=dict)
    demand_index: dict[str | int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.group_index = {g.code: i for i, g in enumerate(self.product_groups)}
        self.hub_index = {h.id: i for i, h in enumerate(self.hubs)}
        self.supply_index = {s.id: i for i, s in enumerate(self.supply)}
        self.demand_index = {d.id: i for i, d in enumerate(self.demand)}
        self._arrays: InstanceArrays | None = None

    @property
    def arrays(self) -> InstanceArrays:
        """Column arrays of the instance, built once (the solvers are vectorised)."""
        if self._arrays is None:
            self._arrays = InstanceArrays.build(self)
        return self._arrays


@dataclass
class InstanceArrays:
    s_group: np.ndarray
    s_qty: np.ndarray
    s_mass_t: np.ndarray
    s_quality: np.ndarray
    s_lat: np.ndarray
    s_lon: np.ndarray
    s_day: np.ndarray
    s_hazardous: np.ndarray
    d_group: np.ndarray
    d_qty: np.ndarray
    d_min_quality: np.ndarray
    d_lat: np.ndarray
    d_lon: np.ndarray
    d_start: np.ndarray
    d_end: np.ndarray
    d_max_km: np.ndarray
    h_lat: np.ndarray
    h_lon: np.ndarray
    h_cap_t: np.ndarray
    h_max_dwell: np.ndarray
    h_storage: np.ndarray
    h_handling: np.ndarray
    h_accepts: np.ndarray  # bool [hub, group]
    g_value_eur_per_t: np.ndarray

    @classmethod
    def build(cls, inst: Instance) -> InstanceArrays:
        gi = inst.group_index
        s, d, h = inst.supply, inst.demand, inst.hubs
        accepts = np.zeros((len(h), len(inst.product_groups)), dtype=bool)
        for k, hub in enumerate(h):
            for code, j in gi.items():
                accepts[k, j] = hub.accepts_group(code)
        f8 = np.float64
        return cls(
            s_group=np.array([gi[x.product_group] for x in s], dtype=np.int64),
            s_qty=np.array([x.quantity for x in s], dtype=np.int64),
            s_mass_t=np.array([x.mass_kg_per_unit / 1000.0 for x in s], dtype=f8),
            s_quality=np.array([x.quality for x in s], dtype=np.int64),
            s_lat=np.array([x.lat for x in s], dtype=f8),
            s_lon=np.array([x.lon for x in s], dtype=f8),
            s_day=np.array([x.available_on for x in s], dtype=np.int64),
            s_hazardous=np.array([x.hazardous for x in s], dtype=bool),
            d_group=np.array([gi[x.product_group] for x in d], dtype=np.int64),
            d_qty=np.array([x.quantity for x in d], dtype=np.int64),
            d_min_quality=np.array([x.min_quality for x in d], dtype=np.int64),
            d_lat=np.array([x.lat for x in d], dtype=f8),
            d_lon=np.array([x.lon for x in d], dtype=f8),
            d_start=np.array([x.window_start for x in d], dtype=np.int64),
            d_end=np.array([x.window_end for x in d], dtype=np.int64),
            d_max_km=np.array([x.max_distance_km for x in d], dtype=f8),
            h_lat=np.array([x.lat for x in h], dtype=f8),
            h_lon=np.array([x.lon for x in h], dtype=f8),
            h_cap_t=np.array([x.capacity_kg / 1000.0 for x in h], dtype=f8),
            h_max_dwell=np.array([x.max_dwell_days for x in h], dtype=np.int64),
            h_storage=np.array([x.storage_eur_per_t_day for x in h], dtype=f8),
            h_handling=np.array([x.handling_eur_per_t for x in h], dtype=f8),
            h_accepts=accepts,
            g_value_eur_per_t=np.array(
                [g.value_eur_per_t(inst.params) for g in inst.product_groups], dtype=f8
            ),
        )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Assignment:
    supply: str | int
    demand: str | int
    hub: str | int | None
    quantity: int
    delivery_date: str  # ISO date

    def to_dict(self) -> dict[str, Any]:
        return {
            "supply": self.supply,
            "demand": self.demand,
            "hub": self.hub,
            "quantity": self.quantity,
            "delivery_date": self.delivery_date,
        }


@dataclass
class Totals:
    mass_kg: float = 0.0
    co2_avoided_kg: float = 0.0
    transport_co2_kg: float = 0.0
    transport_tkm: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "mass_kg": self.mass_kg,
            "co2_avoided_kg": self.co2_avoided_kg,
            "transport_co2_kg": self.transport_co2_kg,
            "transport_tkm": self.transport_tkm,
        }


@dataclass
class Result:
    """A solver result in the contract's shape; `extra` holds optional fields (solver, gap...)."""

    status: str
    objective_eur: float
    bound_eur: float | None
    assignments: list[Assignment]
    totals: Totals
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap to the proven bound (None without a bound)."""
        if self.bound_eur is None:
            return None
        return max(0.0, self.bound_eur - self.objective_eur) / max(1.0, abs(self.bound_eur))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "objective_eur": self.objective_eur,
            "bound_eur": self.bound_eur,
            "assignments": [a.to_dict() for a in self.assignments],
            "totals": self.totals.to_dict(),
        }
        out["gap"] = self.gap
        out.update(self.extra)
        return out


# --------------------------------------------------------------------------- loading


def _label(section: str, index: int, item: Any) -> str:
    if isinstance(item, dict) and "id" in item and isinstance(item["id"], str | int):
        return f'{section}[{index}] (id "{item["id"]}")'
    return f"{section}[{index}]"


class _Reader:
    """Field readers that raise InstanceError naming the item and the field."""

    def __init__(self, label: str, obj: Any):
        if not isinstance(obj, dict):
            raise InstanceError(f"{label}: must be an object, got {type(obj).__name__}")
        self.label = label
        self.obj = obj

    def fail(self, name: str, why: str) -> InstanceError:
        return InstanceError(f'{self.label}: field "{name}": {why}')

    def raw(self, name: str) -> Any:
        if name not in self.obj:
            raise InstanceError(f'{self.label}: field "{name}": missing')
        return self.obj[name]

    def number(self, name: str, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        v = self.raw(name)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(name, f"must be a number, got {json.dumps(v)}")
        v = float(v)
        if not math.isfinite(v):
            raise self.fail(name, "must be finite")
        if positive and v <= 0:
            raise self.fail(name, f"must be > 0, got {v:g}")
        if minimum is not None and v < minimum:
            raise self.fail(name, f"must be >= {minimum:g}, got {v:g}")
        return v

    def whole(self, name: str, *, minimum: int = 0, maximum: int | None = None) -> int:
        v = self.raw(name)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(name, f"must be a whole number, got {json.dumps(v)}")
        if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
            raise self.fail(name, f"must be a whole number, got {v!r}")
        iv = int(v)
        if iv < minimum:
            raise self.fail(name, f"must be >= {minimum}, got {iv}")
        if maximum is not None and iv > maximum:
            raise self.fail(name, f"must be <= {maximum}, got {iv}")
        return iv

    def text(self, name: str) -> str:
        v = self.raw(name)
        if not isinstance(v, str) or not v.strip():
            raise self.fail(name, f"must be a non-empty string, got {json.dumps(v)}")
        return v

    def ident(self) -> str | int:
        v = self.raw("id")
        if isinstance(v, bool) or not isinstance(v, str | int) or (isinstance(v, str) and not v):
            raise self.fail("id", f"must be a non-empty string or an integer, got {json.dumps(v)}")
        return v

    def day(self, name: str) -> int:
        v = self.raw(name)
        if not isinstance(v, str):
            raise self.fail(name, f"must be an ISO date string, got {json.dumps(v)}")
        try:
            return date.fromisoformat(v).toordinal()
        except ValueError:
            raise self.fail(name, f"must be an ISO date (YYYY-MM-DD), got {v!r}") from None

    def boolean(self, name: str) -> bool:
        v = self.raw(name)
        if not isinstance(v, bool):
            raise self.fail(name, f"must be true or false, got {json.dumps(v)}")
        return v

    def location(self) -> tuple[float, float]:
        lat = self.number("lat", minimum=None)
        lon = self.number("lon", minimum=None)
        if not in_netherlands(lat, lon):
            raise InstanceError(
                f'{self.label}: field "lat"/"lon": ({lat:g}, {lon:g}) lies outside the Netherlands'
            )
        return lat, lon


def _list(data: dict[str, Any], name: str) -> list[Any]:
    if name not in data:
        raise InstanceError(f'instance: field "{name}": missing')
    v = data[name]
    if not isinstance(v, list):
        raise InstanceError(f'instance: field "{name}": must be a list, got {type(v).__name__}')
    return v


def _unique(seen: dict[Any, bool], key: Any, label: str, what: str = "id") -> None:
    if key in seen:
        raise InstanceError(f'{label}: field "{what}": duplicate {what} {json.dumps(key)}')
    seen[key] = True


def parse_instance(data: Any) -> Instance:
    """Validate a decoded JSON instance and build the dataclasses (raises InstanceError).
    Sections are read in order (params, product_groups, hubs, supply, demand): the first
    error found is the one raised."""
    if not isinstance(data, dict):
        raise InstanceError("instance: must be a JSON object")
    version = data.get("version", 1)
    if version != 1:
        raise InstanceError(
            f'instance: field "version": only version 1 is supported, got {version!r}'
        )
    params = _parse_params(data)
    groups = _parse_product_groups(data)
    codes = {g.code for g in groups}
    hubs = _parse_hubs(data, codes)
    supply = _parse_supply(data, codes)
    demand = _parse_demand(data, codes)
    return Instance(params=params, product_groups=groups, hubs=hubs, supply=supply, demand=demand)


def _parse_params(data: dict[str, Any]) -> Params:
    if "params" not in data:
        raise InstanceError('instance: field "params": missing')
    r = _Reader("params", data["params"])
    return Params(
        road_factor=r.number("road_factor", positive=True),
        truck_co2_kg_per_tkm=r.number("truck_co2_kg_per_tkm"),
        transport_eur_per_tkm=r.number("transport_eur_per_tkm"),
        co2_price_eur_per_t=r.number("co2_price_eur_per_t"),
        direct_transfer_max_days=r.whole("direct_transfer_max_days"),
    )


def _parse_product_groups(data: dict[str, Any]) -> list[ProductGroup]:
    """Product groups, labelled by code (their codes are what the other sections cite)."""
    groups: list[ProductGroup] = []
    seen: dict[Any, bool] = {}
    for i, item in enumerate(_list(data, "product_groups")):
        label = f"product_groups[{i}]"
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            label += f' (code "{item["code"]}")'
        r = _Reader(label, item)
        code = r.text("code")
        _unique(seen, code, label, "code")
        groups.append(
            ProductGroup(
                code=code,
                virgin_co2_kg_per_kg=r.number("virgin_co2_kg_per_kg"),
                reuse_co2_kg_per_kg=r.number("reuse_co2_kg_per_kg"),
                virgin_price_eur_per_kg=r.number("virgin_price_eur_per_kg"),
            )
        )
    return groups


def _group_ref(r: _Reader, name: str, codes: set[str]) -> str:
    """A field that names a product group of this instance."""
    code = r.text(name)
    if code not in codes:
        raise r.fail(name, f"unknown product group {code!r}")
    return code


def _accepts(r: _Reader, codes: set[str]) -> frozenset[str] | None:
    """A hub's accepted product groups: a list of known codes, or null for all."""
    acc_raw = r.raw("accepts")
    if acc_raw is None:
        return None
    if not isinstance(acc_raw, list):
        raise r.fail("accepts", "must be a list of product-group codes or null")
    for j, code in enumerate(acc_raw):
        if not isinstance(code, str) or code not in codes:
            raise r.fail("accepts", f"item {j}: unknown product group {json.dumps(code)}")
    return frozenset(acc_raw)


def _parse_hubs(data: dict[str, Any], codes: set[str]) -> list[Hub]:
    hubs: list[Hub] = []
    seen: dict[Any, bool] = {}
    for i, item in enumerate(_list(data, "hubs")):
        label = _label("hubs", i, item)
        r = _Reader(label, item)
        hid = r.ident()
        _unique(seen, hid, label)
        lat, lon = r.location()
        accepts = _accepts(r, codes)
        hubs.append(
            Hub(
                id=hid,
                lat=lat,
                lon=lon,
                capacity_kg=r.number("capacity_kg"),
                max_dwell_days=r.whole("max_dwell_days"),
                storage_eur_per_t_day=r.number("storage_eur_per_t_day"),
                handling_eur_per_t=r.number("handling_eur_per_t"),
                accepts=accepts,
            )
        )
    return hubs


def _parse_supply(data: dict[str, Any], codes: set[str]) -> list[Supply]:
    supply: list[Supply] = []
    seen: dict[Any, bool] = {}
    for i, item in enumerate(_list(data, "supply")):
        label = _label("supply", i, item)
        r = _Reader(label, item)
        sid = r.ident()
        _unique(seen, sid, label)
        group = _group_ref(r, "product_group", codes)
        quantity = r.whole("quantity")
        mass = r.number("mass_kg_per_unit", positive=True)
        quality = r.whole("quality", minimum=1, maximum=3)
        lat, lon = r.location()
        supply.append(
            Supply(
                id=sid,
                product_group=group,
                quantity=quantity,
                mass_kg_per_unit=mass,
                quality=quality,
                lat=lat,
                lon=lon,
                available_on=r.day("available_on"),
                hazardous=r.boolean("hazardous"),
            )
        )
    return supply


def _parse_demand(data: dict[str, Any], codes: set[str]) -> list[Demand]:
    demand: list[Demand] = []
    seen: dict[Any, bool] = {}
    for i, item in enumerate(_list(data, "demand")):
        label = _label("demand", i, item)
        r = _Reader(label, item)
        did = r.ident()
        _unique(seen, did, label)
        group = _group_ref(r, "product_group", codes)
        quantity = r.whole("quantity")
        min_quality = r.whole("min_quality", minimum=1, maximum=3)
        lat, lon = r.location()
        start = r.day("window_start")
        end = r.day("window_end")
        if end < start:
            raise r.fail("window_end", "lies before window_start")
        demand.append(
            Demand(
                id=did,
                product_group=group,
                quantity=quantity,
                min_quality=min_quality,
                lat=lat,
                lon=lon,
                window_start=start,
                window_end=end,
                max_distance_km=r.number("max_distance_km"),
            )
        )
    return demand


def load_instance(source: str | Path | dict[str, Any]) -> Instance:
    """Load and validate an instance from a path, a JSON string or a decoded dict."""
    if isinstance(source, dict):
        return parse_instance(source)
    if isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        try:
            with open(source, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise InstanceError(f"instance: not valid JSON: {exc}") from None
        return parse_instance(data)
    try:
        return parse_instance(json.loads(source))
    except json.JSONDecodeError as exc:
        raise InstanceError(f"instance: not valid JSON: {exc}") from None


def iso(day: int) -> str:
    return date.fromordinal(int(day)).isoformat()
