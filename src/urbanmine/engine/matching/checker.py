"""Independent checker: verifies a result against its instance on every contract rule.

It recomputes distances, dates, objective and totals from the instance alone (it shares no
code with the solvers except the instance loader and `haversine_km`), so tests can run it on
every solver output. `check` reads each assignment into a `Leg` / `Delivery` and collects
the violations of one function per rule family (`check_product_group` ... `check_quantities`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import numpy as np

from urbanmine.engine.geo import haversine_km
from urbanmine.engine.matching.instance import STATUSES, Instance, Result, Totals

# Float slack of the checker (the solvers are strict, the checker forgives summation order).
DIST_TOL_KM = 1e-9
CAP_TOL_KG = 1e-6
REL_TOL = 1e-9
OBJ_REL_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    index: int | None  # assignment index, None for result-level rules
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"assignments[{self.index}]" if self.index is not None else "result"
        return f"{where}: {self.rule}: {self.message}"


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    objective_eur: float = 0.0
    totals: Totals = field(default_factory=Totals)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}


@dataclass(frozen=True)
class Leg:
    """An assignment's supply, demand and hub as instance indices (hub None: direct);
    `index` is its position in the result's assignments."""

    index: int
    supply: int
    demand: int
    hub: int | None


@dataclass(frozen=True)
class Delivery:
    """A leg carrying `quantity` whole units, delivered on `day` (date ordinal)."""

    leg: Leg
    quantity: int
    day: int


class Economics(NamedTuple):
    """What one delivery is worth and moves (unpacks like the old 5-tuple)."""

    objective_eur: float
    mass_kg: float
    co2_avoided_kg: float
    transport_tkm: float
    road_km: float


def delivery_economics(inst: Instance, delivery: Delivery) -> Economics:
    """Objective, mass, avoided CO2, tonne-km and road km of one delivery."""
    p = inst.params
    leg = delivery.leg
    s = inst.supply[leg.supply]
    d = inst.demand[leg.demand]
    g = inst.product_groups[inst.group_index[s.product_group]]
    if leg.hub is None:
        road_km = float(haversine_km(s.lat, s.lon, d.lat, d.lon)) * p.road_factor
    else:
        h = inst.hubs[leg.hub]
        road_km = (
            float(haversine_km(s.lat, s.lon, h.lat, h.lon)) * p.road_factor
            + float(haversine_km(h.lat, h.lon, d.lat, d.lon)) * p.road_factor
        )
    mass_kg = delivery.quantity * s.mass_kg_per_unit
    mass_t = mass_kg / 1000.0
    obj = (
        mass_t
        * 1000.0
        * (
            (g.virgin_co2_kg_per_kg - g.reuse_co2_kg_per_kg) / 1000.0 * p.co2_price_eur_per_t
            + g.virgin_price_eur_per_kg
        )
    )
    obj -= mass_t * road_km * p.transport_eur_per_tkm
    obj -= mass_t * road_km * p.truck_co2_kg_per_tkm / 1000.0 * p.co2_price_eur_per_t
    if leg.hub is not None:
        h = inst.hubs[leg.hub]
        obj -= mass_t * h.handling_eur_per_t
        obj -= mass_t * (delivery.day - s.available_on) * h.storage_eur_per_t_day
    co2_kg = mass_kg * (g.virgin_co2_kg_per_kg - g.reuse_co2_kg_per_kg)
    return Economics(obj, mass_kg, co2_kg, mass_t * road_km, road_km)


def assignment_economics(
    inst: Instance, s_i: int, d_i: int, h_i: int | None, *, quantity: int, day: int
) -> tuple[float, float, float, float, float]:
    """(objective_eur, mass_kg, co2_avoided_kg, transport_tkm, road_km) of one assignment
    given by indices (the platform stores proposals with these numbers)."""
    leg = Leg(-1, s_i, d_i, h_i)  # the index only labels violations
    return delivery_economics(inst, Delivery(leg, quantity, day))


# --------------------------------------------------------------------------- rule families


def check_product_group(inst: Instance, leg: Leg) -> list[Violation]:
    """A lot only serves a demand line of its own product group."""
    s, d = inst.supply[leg.supply], inst.demand[leg.demand]
    if s.product_group != d.product_group:
        return [Violation(leg.index, "product_group", f"{s.product_group} != {d.product_group}")]
    return []


def check_hazardous(inst: Instance, leg: Leg) -> list[Violation]:
    """Hazardous lots are never matched."""
    s = inst.supply[leg.supply]
    if s.hazardous:
        return [Violation(leg.index, "hazardous", f"supply {s.id!r} is hazardous")]
    return []


def check_quality(inst: Instance, leg: Leg) -> list[Violation]:
    """Quality grades count down (1 best): the lot's grade may not exceed the line's minimum."""
    s, d = inst.supply[leg.supply], inst.demand[leg.demand]
    if s.quality > d.min_quality:
        msg = f"quality {s.quality} worse than min {d.min_quality}"
        return [Violation(leg.index, "quality", msg)]
    return []


def check_dates(inst: Instance, delivery: Delivery) -> list[Violation]:
    """Delivered inside the demand window, and not before the lot is available."""
    leg, day = delivery.leg, delivery.day
    s, d = inst.supply[leg.supply], inst.demand[leg.demand]
    out = []
    if not d.window_start <= day <= d.window_end:
        out.append(Violation(leg.index, "window", "delivery date outside the demand window"))
    if day < s.available_on:
        out.append(Violation(leg.index, "available_on", "delivery before the supply is available"))
    return out


def check_distance(inst: Instance, leg: Leg, road_km: float) -> list[Violation]:
    """The route's road distance (via the hub, if any) within the line's maximum."""
    d = inst.demand[leg.demand]
    if road_km > d.max_distance_km + DIST_TOL_KM:
        msg = f"{road_km:.3f} km > {d.max_distance_km:g} km"
        return [Violation(leg.index, "max_distance", msg)]
    return []


def check_direct_transfer_days(inst: Instance, delivery: Delivery) -> list[Violation]:
    """A direct delivery waits at most `direct_transfer_max_days` after availability."""
    leg = delivery.leg
    if leg.hub is not None:
        return []
    lag_days = delivery.day - inst.supply[leg.supply].available_on
    limit = inst.params.direct_transfer_max_days
    if lag_days > limit:
        msg = f"direct after {lag_days} days > {limit}"
        return [Violation(leg.index, "direct_transfer_days", msg)]
    return []


def check_hub_rules(inst: Instance, delivery: Delivery) -> list[Violation]:
    """Via a hub: dwell within the hub's maximum, and a product group the hub accepts."""
    leg = delivery.leg
    if leg.hub is None:
        return []
    s, h = inst.supply[leg.supply], inst.hubs[leg.hub]
    lag_days = delivery.day - s.available_on
    out = []
    if lag_days > h.max_dwell_days:
        out.append(Violation(leg.index, "hub_dwell", f"dwell {lag_days} days > {h.max_dwell_days}"))
    if not h.accepts_group(s.product_group):
        out.append(Violation(leg.index, "hub_accepts", f"hub {h.id!r} refuses {s.product_group}"))
    return out


# hub -> (available_on, delivery day, kg, assignment index) of every delivery it holds
Holdings = dict[int, list[tuple[int, int, float, int]]]


def check_hub_capacity(
    inst: Instance, h_i: int, items: list[tuple[int, int, float, int]]
) -> list[Violation]:
    """Mass held on each day a load arrives (the only days the held set grows); `items`
    are (available_on, delivery day, kg, assignment index) of the deliveries via hub h_i."""
    hub = inst.hubs[h_i]
    starts = np.array([x[0] for x in items])
    ends = np.array([x[1] for x in items])
    kg = np.array([x[2] for x in items])
    o_s, o_e = np.argsort(starts, kind="stable"), np.argsort(ends, kind="stable")
    cum_s = np.concatenate([[0.0], np.cumsum(kg[o_s])])
    cum_e = np.concatenate([[0.0], np.cumsum(kg[o_e])])
    days = np.unique(starts)
    load = (
        cum_s[np.searchsorted(starts[o_s], days, side="right")]
        - cum_e[np.searchsorted(ends[o_e], days, side="right")]
    )
    limit = hub.capacity_kg * (1 + REL_TOL) + CAP_TOL_KG
    out = []
    for day, kg_day in zip(days[load > limit], load[load > limit], strict=True):
        idx = [x[3] for x in items if x[0] <= day < x[1]]
        out.append(
            Violation(
                idx[0] if idx else None,
                "hub_capacity",
                f"hub {hub.id!r} holds {kg_day:.1f} kg > {hub.capacity_kg:g} kg on "
                f"{date.fromordinal(int(day)).isoformat()} (assignments {idx[:10]})",
            )
        )
    return out


def check_quantities(
    inst: Instance, used_s: dict[int, int], used_d: dict[int, int]
) -> list[Violation]:
    """Units taken per lot and delivered per demand line within their quantities."""
    out = []
    for s_i, n in used_s.items():
        s = inst.supply[s_i]
        if n > s.quantity:
            msg = f"supply {s.id!r}: {n} > {s.quantity} units"
            out.append(Violation(None, "supply_quantity", msg))
    for d_i, n in used_d.items():
        d = inst.demand[d_i]
        if n > d.quantity:
            msg = f"demand {d.id!r}: {n} > {d.quantity} units"
            out.append(Violation(None, "demand_quantity", msg))
    return out


# --------------------------------------------------------------------------- check


@dataclass
class _Tally:
    """What the valid deliveries add up to: units per lot and line, hub holdings, value."""

    used_s: dict[int, int] = field(default_factory=dict)
    used_d: dict[int, int] = field(default_factory=dict)
    held: Holdings = field(default_factory=dict)
    objective: float = 0.0
    totals: Totals = field(default_factory=Totals)

    def add(self, inst: Instance, delivery: Delivery, econ: Economics) -> None:
        leg, q = delivery.leg, delivery.quantity
        available_on = inst.supply[leg.supply].available_on
        if leg.hub is not None and delivery.day - available_on > 0:
            self.held.setdefault(leg.hub, []).append(
                (available_on, delivery.day, econ.mass_kg, leg.index)
            )
        self.used_s[leg.supply] = self.used_s.get(leg.supply, 0) + q
        self.used_d[leg.demand] = self.used_d.get(leg.demand, 0) + q
        self.objective += econ.objective_eur
        self.totals.mass_kg += econ.mass_kg
        self.totals.co2_avoided_kg += econ.co2_avoided_kg
        self.totals.transport_tkm += econ.transport_tkm


def check(inst: Instance, result: Result | dict[str, Any]) -> CheckReport:
    """All violations of the contract's rules, plus the recomputed objective and totals."""
    res = result.to_dict() if isinstance(result, Result) else result
    rep = CheckReport()
    if res.get("status") not in STATUSES:
        rep.violations.append(Violation(None, "status", f"unknown status {res.get('status')!r}"))
    assignments = res.get("assignments")
    if not isinstance(assignments, list):
        rep.violations.append(Violation(None, "assignments", "missing or not a list"))
        assignments = []
    tally = _Tally()
    for k, a in enumerate(assignments):
        rep.violations += _check_assignment(inst, k, a, tally)
    tally.totals.transport_co2_kg = tally.totals.transport_tkm * inst.params.truck_co2_kg_per_tkm
    rep.violations += check_quantities(inst, tally.used_s, tally.used_d)
    for h_i, items in tally.held.items():
        rep.violations += check_hub_capacity(inst, h_i, items)
    rep.objective_eur = tally.objective
    rep.totals = tally.totals
    _check_numbers(res, rep)
    return rep


def _check_assignment(inst: Instance, k: int, a: Any, tally: _Tally) -> list[Violation]:
    """The per-assignment rules, in contract order; a valid delivery is added to `tally`.
    Rules that need the ids, the quantity or the date are skipped when those are invalid."""
    if not isinstance(a, dict):
        return [Violation(k, "format", "assignment is not an object")]
    out: list[Violation] = []
    leg = _read_leg(inst, k, a, out)
    q = _read_quantity(k, a, out)
    day = _read_day(k, a, out)
    if leg is None:
        return out
    out += check_product_group(inst, leg) + check_hazardous(inst, leg) + check_quality(inst, leg)
    if q is None or day is None:
        return out
    delivery = Delivery(leg, q, day)
    out += check_dates(inst, delivery)
    econ = delivery_economics(inst, delivery)
    out += check_distance(inst, leg, econ.road_km)
    out += check_direct_transfer_days(inst, delivery) + check_hub_rules(inst, delivery)
    tally.add(inst, delivery, econ)
    return out


def _read_leg(inst: Instance, k: int, a: dict[str, Any], out: list[Violation]) -> Leg | None:
    """Supply, demand and hub ids resolved against the instance (None if any is unknown)."""
    s_key: Any = a.get("supply")
    d_key: Any = a.get("demand")
    s_i = inst.supply_index.get(s_key)
    d_i = inst.demand_index.get(d_key)
    hub_id = a.get("hub")
    h_i = None if hub_id is None else inst.hub_index.get(hub_id)
    if s_i is None:
        out.append(Violation(k, "known_ids", f"unknown supply {a.get('supply')!r}"))
    if d_i is None:
        out.append(Violation(k, "known_ids", f"unknown demand {a.get('demand')!r}"))
    if hub_id is not None and h_i is None:
        out.append(Violation(k, "known_ids", f"unknown hub {hub_id!r}"))
    if s_i is None or d_i is None or (hub_id is not None and h_i is None):
        return None
    return Leg(k, s_i, d_i, h_i)


def _read_quantity(k: int, a: dict[str, Any], out: list[Violation]) -> int | None:
    q = a.get("quantity")
    if isinstance(q, bool) or not isinstance(q, int) or q <= 0:
        out.append(
            Violation(k, "whole_units", f"quantity must be a positive whole number, got {q!r}")
        )
        return None
    return q


def _read_day(k: int, a: dict[str, Any], out: list[Violation]) -> int | None:
    try:
        day_raw: Any = a.get("delivery_date")
        return date.fromisoformat(day_raw).toordinal()
    except (TypeError, ValueError):
        out.append(Violation(k, "delivery_date", f"not an ISO date: {a.get('delivery_date')!r}"))
        return None


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= OBJ_REL_TOL * max(1.0, abs(a), abs(b))


def _check_numbers(res: dict[str, Any], rep: CheckReport) -> None:
    bad = rep.violations.append
    obj = res.get("objective_eur")
    if not isinstance(obj, int | float) or not _close(float(obj), rep.objective_eur):
        bad(Violation(None, "objective", f"reported {obj!r}, recomputed {rep.objective_eur:.6f}"))
    bound = res.get("bound_eur")
    if bound is not None:
        if not isinstance(bound, int | float) or not math.isfinite(bound):
            bad(Violation(None, "bound", f"bound_eur must be a number or null, got {bound!r}"))
        elif bound < rep.objective_eur - OBJ_REL_TOL * max(1.0, abs(bound)):
            bad(Violation(None, "bound", f"bound {bound} below objective {rep.objective_eur}"))
    totals = res.get("totals")
    if not isinstance(totals, dict):
        bad(Violation(None, "totals", "missing"))
        return
    for name, value in rep.totals.to_dict().items():
        got = totals.get(name)
        if not isinstance(got, int | float) or not _close(float(got), value):
            bad(Violation(None, "totals", f"{name}: reported {got!r}, recomputed {value:.6f}"))
