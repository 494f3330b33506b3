"""Independent checker: verifies a result against its instance on every contract rule.

It recomputes distances, dates, objective and totals from the instance alone (it shares no
code with the solvers except the instance loader and `haversine_km`), so tests can run it on
every solver output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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


def assignment_economics(
    inst: Instance, s_i: int, d_i: int, h_i: int | None, quantity: int, day: int
) -> tuple[float, float, float, float, float]:
    """(objective_eur, mass_kg, co2_avoided_kg, transport_tkm, road_km) of one assignment."""
    p = inst.params
    s = inst.supply[s_i]
    d = inst.demand[d_i]
    g = inst.product_groups[inst.group_index[s.product_group]]
    if h_i is None:
        road_km = float(haversine_km(s.lat, s.lon, d.lat, d.lon)) * p.road_factor
    else:
        h = inst.hubs[h_i]
        road_km = (
            float(haversine_km(s.lat, s.lon, h.lat, h.lon)) * p.road_factor
            + float(haversine_km(h.lat, h.lon, d.lat, d.lon)) * p.road_factor
        )
    mass_kg = quantity * s.mass_kg_per_unit
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
    if h_i is not None:
        h = inst.hubs[h_i]
        obj -= mass_t * h.handling_eur_per_t
        obj -= mass_t * (day - s.available_on) * h.storage_eur_per_t_day
    co2_kg = mass_kg * (g.virgin_co2_kg_per_kg - g.reuse_co2_kg_per_kg)
    return obj, mass_kg, co2_kg, mass_t * road_km, road_km


def check(inst: Instance, result: Result | dict[str, Any]) -> CheckReport:
    """All violations of the contract's rules, plus the recomputed objective and totals."""
    res = result.to_dict() if isinstance(result, Result) else result
    rep = CheckReport()
    bad = rep.violations.append
    p = inst.params
    if res.get("status") not in STATUSES:
        bad(Violation(None, "status", f"unknown status {res.get('status')!r}"))
    used_s: dict[int, int] = {}
    used_d: dict[int, int] = {}
    held: dict[int, list[tuple[int, int, float, int]]] = {}  # hub -> (start, end, kg, index)
    objective = 0.0
    totals = Totals()
    assignments = res.get("assignments")
    if not isinstance(assignments, list):
        bad(Violation(None, "assignments", "missing or not a list"))
        assignments = []
    for k, a in enumerate(assignments):
        if not isinstance(a, dict):
            bad(Violation(k, "format", "assignment is not an object"))
            continue
        s_key: Any = a.get("supply")
        d_key: Any = a.get("demand")
        s_i = inst.supply_index.get(s_key)
        d_i = inst.demand_index.get(d_key)
        hub_id = a.get("hub")
        h_i = None if hub_id is None else inst.hub_index.get(hub_id)
        if s_i is None:
            bad(Violation(k, "known_ids", f"unknown supply {a.get('supply')!r}"))
        if d_i is None:
            bad(Violation(k, "known_ids", f"unknown demand {a.get('demand')!r}"))
        if hub_id is not None and h_i is None:
            bad(Violation(k, "known_ids", f"unknown hub {hub_id!r}"))
        q = a.get("quantity")
        if isinstance(q, bool) or not isinstance(q, int) or q <= 0:
            bad(Violation(k, "whole_units", f"quantity must be a positive whole number, got {q!r}"))
            q = None
        try:
            day_raw: Any = a.get("delivery_date")
            day = date.fromisoformat(day_raw).toordinal()
        except (TypeError, ValueError):
            bad(Violation(k, "delivery_date", f"not an ISO date: {a.get('delivery_date')!r}"))
            day = None
        if s_i is None or d_i is None or (hub_id is not None and h_i is None):
            continue
        s = inst.supply[s_i]
        d = inst.demand[d_i]
        if s.product_group != d.product_group:
            bad(Violation(k, "product_group", f"{s.product_group} != {d.product_group}"))
        if s.hazardous:
            bad(Violation(k, "hazardous", f"supply {s.id!r} is hazardous"))
        if s.quality > d.min_quality:
            bad(Violation(k, "quality", f"quality {s.quality} worse than min {d.min_quality}"))
        if q is None or day is None:
            continue
        if not d.window_start <= day <= d.window_end:
            bad(Violation(k, "window", "delivery date outside the demand window"))
        if day < s.available_on:
            bad(Violation(k, "available_on", "delivery before the supply is available"))
        obj, mass_kg, co2_kg, tkm, road_km = assignment_economics(inst, s_i, d_i, h_i, q, day)
        if road_km > d.max_distance_km + DIST_TOL_KM:
            bad(Violation(k, "max_distance", f"{road_km:.3f} km > {d.max_distance_km:g} km"))
        lag_days = day - s.available_on
        if h_i is None:
            if lag_days > p.direct_transfer_max_days:
                bad(
                    Violation(
                        k,
                        "direct_transfer_days",
                        f"direct after {lag_days} days > {p.direct_transfer_max_days}",
                    )
                )
        else:
            h = inst.hubs[h_i]
            if lag_days > h.max_dwell_days:
                bad(Violation(k, "hub_dwell", f"dwell {lag_days} days > {h.max_dwell_days}"))
            if not h.accepts_group(s.product_group):
                bad(Violation(k, "hub_accepts", f"hub {h.id!r} refuses {s.product_group}"))
            if lag_days > 0:
                held.setdefault(h_i, []).append((s.available_on, day, mass_kg, k))
        used_s[s_i] = used_s.get(s_i, 0) + q
        used_d[d_i] = used_d.get(d_i, 0) + q
        objective += obj
        totals.mass_kg += mass_kg
        totals.co2_avoided_kg += co2_kg
        totals.transport_tkm += tkm
    totals.transport_co2_kg = totals.transport_tkm * p.truck_co2_kg_per_tkm
    for s_i, n in used_s.items():
        if n > inst.supply[s_i].quantity:
            s = inst.supply[s_i]
            bad(Violation(None, "supply_quantity", f"supply {s.id!r}: {n} > {s.quantity} units"))
    for d_i, n in used_d.items():
        if n > inst.demand[d_i].quantity:
            d = inst.demand[d_i]
            bad(Violation(None, "demand_quantity", f"demand {d.id!r}: {n} > {d.quantity} units"))
    for h_i, items in held.items():
        _check_capacity(inst, h_i, items, rep)
    rep.objective_eur = objective
    rep.totals = totals
    _check_numbers(res, rep)
    return rep


def _check_capacity(
    inst: Instance, h_i: int, items: list[tuple[int, int, float, int]], rep: CheckReport
) -> None:
    """Mass held on each day a load arrives (the only days the held set grows)."""
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
    for day, kg_day in zip(days[load > limit], load[load > limit], strict=True):
        idx = [x[3] for x in items if x[0] <= day < x[1]]
        rep.violations.append(
            Violation(
                idx[0] if idx else None,
                "hub_capacity",
                f"hub {hub.id!r} holds {kg_day:.1f} kg > {hub.capacity_kg:g} kg on "
                f"{date.fromordinal(int(day)).isoformat()} (assignments {idx[:10]})",
            )
        )


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
