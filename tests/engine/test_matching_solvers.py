"""Matching solvers: checker-clean outputs, optimal >= greedy, optimal == independent MILP."""

from __future__ import annotations

import copy
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from urbanmine.engine.geo import haversine_km
from urbanmine.engine.matching import check, load_instance, solve
from urbanmine.engine.matching.random_instance import random_instance

REL = 1e-6


def reference_optimum(data: dict) -> float:
    """Plain scipy MILP over every (supply, demand, route, delivery day) variable: no date
    fixing, no pruning, no dominance, written from the contract text alone."""
    p = data["params"]
    groups = {g["code"]: g for g in data["product_groups"]}
    hubs = data["hubs"]
    cost_tkm = (
        p["transport_eur_per_tkm"] + p["truck_co2_kg_per_tkm"] / 1000 * p["co2_price_eur_per_t"]
    )
    var = []  # (s, d, h, day, value, mass_kg)
    for si, s in enumerate(data["supply"]):
        a = date.fromisoformat(s["available_on"]).toordinal()
        for di, d in enumerate(data["demand"]):
            if s["product_group"] != d["product_group"] or s["hazardous"]:
                continue
            if s["quality"] > d["min_quality"]:
                continue
            g = groups[s["product_group"]]
            m_t = s["mass_kg_per_unit"] / 1000
            gross = (
                m_t
                * 1000
                * (
                    (g["virgin_co2_kg_per_kg"] - g["reuse_co2_kg_per_kg"])
                    / 1000
                    * p["co2_price_eur_per_t"]
                    + g["virgin_price_eur_per_kg"]
                )
            )
            ws = date.fromisoformat(d["window_start"]).toordinal()
            we = date.fromisoformat(d["window_end"]).toordinal()
            direct_km = haversine_km(s["lat"], s["lon"], d["lat"], d["lon"]) * p["road_factor"]
            for t in range(max(a, ws), we + 1):
                if t - a <= p["direct_transfer_max_days"] and direct_km <= d["max_distance_km"]:
                    var.append((si, di, None, t, gross - m_t * direct_km * cost_tkm, m_t * 1000))
                for hi, h in enumerate(hubs):
                    if h["accepts"] is not None and s["product_group"] not in h["accepts"]:
                        continue
                    if t - a > h["max_dwell_days"]:
                        continue
                    km = (
                        haversine_km(s["lat"], s["lon"], h["lat"], h["lon"])
                        + haversine_km(h["lat"], h["lon"], d["lat"], d["lon"])
                    ) * p["road_factor"]
                    if km > d["max_distance_km"]:
                        continue
                    val = gross - m_t * km * cost_tkm - m_t * h["handling_eur_per_t"]
                    val -= m_t * (t - a) * h["storage_eur_per_t_day"]
                    var.append((si, di, hi, t, val, m_t * 1000))
    if not var:
        return 0.0
    n = len(var)
    rows, ub = [], []
    for si, s in enumerate(data["supply"]):
        rows.append([1.0 if v[0] == si else 0.0 for v in var])
        ub.append(s["quantity"])
    for di, d in enumerate(data["demand"]):
        rows.append([1.0 if v[1] == di else 0.0 for v in var])
        ub.append(d["quantity"])
    days = sorted({date.fromisoformat(s["available_on"]).toordinal() for s in data["supply"]})
    for hi, h in enumerate(hubs):
        for day in days:
            row = []
            for si, _, vh, t, _, kg in var:
                a = date.fromisoformat(data["supply"][si]["available_on"]).toordinal()
                row.append(kg if vh == hi and a <= day < t else 0.0)
            if any(row):
                rows.append(row)
                ub.append(h["capacity_kg"])
    res = milp(
        c=-np.array([v[4] for v in var]),
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(ub, dtype=float)),
        integrality=np.ones(n),
        bounds=Bounds(0, np.inf),
        options={"mip_rel_gap": 1e-9},
    )
    assert res.status == 0, res.message
    return -float(res.fun)


def solve_all(data: dict):
    inst = load_instance(data)
    out = {}
    for solver in ("optimal", "greedy"):
        res = solve(inst, solver)
        rep = check(inst, res)
        assert rep.ok, [str(v) for v in rep.violations]
        assert res.objective_eur == pytest.approx(rep.objective_eur, rel=1e-9, abs=1e-6)
        out[solver] = res
    opt, greedy = out["optimal"], out["greedy"]
    assert opt.status == "optimal"
    assert opt.bound_eur is not None and opt.bound_eur >= opt.objective_eur - 1e-9
    assert opt.objective_eur >= greedy.objective_eur - REL * max(1.0, abs(opt.objective_eur))
    return opt, greedy


@pytest.mark.parametrize("seed", range(12))
def test_optimal_equals_independent_milp_reference(seed):
    data = random_instance(seed, n_supply=8, n_demand=8, n_hubs=2, n_groups=2)
    opt, _ = solve_all(data)
    ref = reference_optimum(data)
    tol = REL * max(1.0, abs(ref))
    assert opt.objective_eur >= ref - tol
    assert opt.objective_eur <= ref + 1e-6 * max(1.0, abs(ref))
    assert opt.bound_eur >= ref - 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n_supply=st.integers(0, 12),
    n_demand=st.integers(0, 12),
    n_hubs=st.integers(0, 3),
    n_groups=st.integers(1, 3),
)
def test_property_random_instances(seed, n_supply, n_demand, n_hubs, n_groups):
    solve_all(random_instance(seed, n_supply, n_demand, n_hubs, n_groups))


def _capacity_case(capacity_kg: float) -> dict:
    """Two lots of 10 x 100 kg ready on day 0; the demand window opens on day 30, so both
    must wait in the hub (direct transfer is limited to 5 days)."""
    return {
        "params": {
            "road_factor": 1.2,
            "truck_co2_kg_per_tkm": 0.1,
            "transport_eur_per_tkm": 0.15,
            "co2_price_eur_per_t": 100.0,
            "direct_transfer_max_days": 5,
        },
        "product_groups": [
            {
                "code": "steel-beams",
                "virgin_co2_kg_per_kg": 1.8,
                "reuse_co2_kg_per_kg": 0.1,
                "virgin_price_eur_per_kg": 1.2,
            }
        ],
        "hubs": [
            {
                "id": "H",
                "lat": 51.92,
                "lon": 4.48,
                "capacity_kg": capacity_kg,
                "max_dwell_days": 60,
                "storage_eur_per_t_day": 1.0,
                "handling_eur_per_t": 10.0,
                "accepts": None,
            }
        ],
        "supply": [
            {
                "id": f"S{i}",
                "product_group": "steel-beams",
                "quantity": 10,
                "mass_kg_per_unit": 100.0,
                "quality": 1,
                "lat": 51.90 + 0.01 * i,
                "lon": 4.45,
                "available_on": "2026-01-01",
                "hazardous": False,
            }
            for i in range(2)
        ],
        "demand": [
            {
                "id": "D",
                "product_group": "steel-beams",
                "quantity": 20,
                "min_quality": 3,
                "lat": 51.95,
                "lon": 4.50,
                "window_start": "2026-01-31",
                "window_end": "2026-02-20",
                "max_distance_km": 40.0,
            }
        ],
    }


def test_hub_capacity_changes_the_answer():
    loose, _ = solve_all(_capacity_case(5000.0))
    tight, tight_greedy = solve_all(_capacity_case(1000.0))
    assert sum(a.quantity for a in loose.assignments) == 20
    assert sum(a.quantity for a in tight.assignments) == 10
    assert sum(a.quantity for a in tight_greedy.assignments) == 10
    assert tight.objective_eur < loose.objective_eur
    assert all(a.hub == "H" and a.delivery_date == "2026-01-31" for a in tight.assignments)


def test_capacity_binding_prefers_the_more_valuable_lot():
    data = _capacity_case(1000.0)
    data["supply"][1]["lat"] = 51.70  # farther away: worth less per unit
    opt, _ = solve_all(data)
    assert [(a.supply, a.quantity) for a in opt.assignments] == [("S0", 10)]


def test_capacity_frees_up_after_delivery():
    data = _capacity_case(1000.0)
    data["supply"][1]["available_on"] = "2026-02-01"  # arrives after S0 has left
    opt, _ = solve_all(data)
    assert sum(a.quantity for a in opt.assignments) == 20


def test_negative_contribution_is_never_assigned():
    data = _capacity_case(5000.0)
    data["params"]["transport_eur_per_tkm"] = 1e4
    opt, greedy = solve_all(data)
    assert opt.assignments == [] and greedy.assignments == []
    assert opt.objective_eur == 0.0 and opt.status == "optimal"


def test_empty_instance():
    data = _capacity_case(0.0)
    data["supply"] = []
    opt, greedy = solve_all(data)
    assert opt.objective_eur == 0.0 and opt.totals.mass_kg == 0.0


def test_large_path_column_generation_matches_full_model():
    """Force the restricted master + pricing path on a mid-size instance; it must reach the
    same optimum as the full model and its dual-repair bound must hold."""
    from urbanmine.engine.matching.optimal import solve_optimal

    data = random_instance(7, n_supply=60, n_demand=60, n_hubs=3, n_groups=2)
    inst = load_instance(data)
    full = solve_optimal(inst)
    cg = solve_optimal(inst, full_model_max_arcs=10)
    assert cg.extra["method"].startswith("lagrangian")
    assert check(inst, cg).ok
    assert cg.bound_eur >= full.objective_eur - 1e-6 * abs(full.objective_eur)
    assert full.bound_eur >= cg.objective_eur - 1e-6 * abs(full.objective_eur)


def test_result_json_has_exactly_the_contract_fields():
    opt, _ = solve_all(random_instance(3, 8, 8, 2))
    d = opt.to_dict()
    for key in ("status", "objective_eur", "bound_eur", "assignments", "totals"):
        assert key in d
    assert set(d["totals"]) == {"mass_kg", "co2_avoided_kg", "transport_co2_kg", "transport_tkm"}
    for a in d["assignments"]:
        assert set(a) == {"supply", "demand", "hub", "quantity", "delivery_date"}
        assert isinstance(a["quantity"], int)


def test_time_limit_reports_honest_status():
    data = random_instance(11, n_supply=40, n_demand=40, n_hubs=3)
    inst = load_instance(data)
    res = solve(inst, "optimal", time_limit=30)
    assert res.status in ("optimal", "time_limit", "feasible")
    assert check(inst, res).ok


def test_unknown_solver():
    with pytest.raises(ValueError):
        solve(load_instance(copy.deepcopy(_capacity_case(1.0))), "magic")
