"""The checker rejects one crafted violation per feasibility rule."""

from __future__ import annotations

import copy

import pytest

from urbanmine.engine.matching import check, load_instance, solve

BASE_SUPPLY = {
    "product_group": "steel-beams",
    "quantity": 10,
    "mass_kg_per_unit": 100.0,
    "quality": 2,
    "lat": 51.92,
    "lon": 4.47,
    "available_on": "2026-01-01",
    "hazardous": False,
}


def instance() -> dict:
    return {
        "params": {
            "road_factor": 1.3,
            "truck_co2_kg_per_tkm": 0.1,
            "transport_eur_per_tkm": 0.15,
            "co2_price_eur_per_t": 100.0,
            "direct_transfer_max_days": 7,
        },
        "product_groups": [
            {
                "code": c,
                "virgin_co2_kg_per_kg": 1.0,
                "reuse_co2_kg_per_kg": 0.1,
                "virgin_price_eur_per_kg": 1.0,
            }
            for c in ("steel-beams", "bricks-clay")
        ],
        "hubs": [
            {
                "id": "H1",
                "lat": 51.93,
                "lon": 4.50,
                "capacity_kg": 1500.0,
                "max_dwell_days": 25,
                "storage_eur_per_t_day": 1.0,
                "handling_eur_per_t": 10.0,
                "accepts": ["steel-beams"],
            }
        ],
        "supply": [
            {**BASE_SUPPLY, "id": "S1"},
            {**BASE_SUPPLY, "id": "S2"},
            {**BASE_SUPPLY, "id": "S3", "hazardous": True},
            {**BASE_SUPPLY, "id": "S4", "product_group": "bricks-clay"},
            {**BASE_SUPPLY, "id": "S5", "quality": 3},
            {**BASE_SUPPLY, "id": "S6", "lat": 52.90, "lon": 6.5},
        ],
        "demand": [
            {
                "id": "D1",
                "product_group": "steel-beams",
                "quantity": 30,
                "min_quality": 2,
                "lat": 51.95,
                "lon": 4.52,
                "window_start": "2026-01-05",
                "window_end": "2026-01-31",
                "max_distance_km": 30.0,
            },
            {
                "id": "D2",
                "product_group": "bricks-clay",
                "quantity": 5,
                "min_quality": 3,
                "lat": 51.95,
                "lon": 4.52,
                "window_start": "2026-01-05",
                "window_end": "2026-01-31",
                "max_distance_km": 30.0,
            },
        ],
    }


def result_with(*assignments: dict) -> dict:
    """A result whose numbers are made consistent by the checker's own recomputation, so
    only the rule under test can fail."""
    inst = load_instance(instance())
    res = {
        "status": "feasible",
        "objective_eur": 0.0,
        "bound_eur": None,
        "assignments": list(assignments),
        "totals": {"mass_kg": 0, "co2_avoided_kg": 0, "transport_co2_kg": 0, "transport_tkm": 0},
    }
    rep = check(inst, res)
    res["objective_eur"] = rep.objective_eur
    res["totals"] = rep.totals.to_dict()
    return res


def a(supply="S1", demand="D1", hub=None, quantity=5, day="2026-01-05") -> dict:
    return {
        "supply": supply,
        "demand": demand,
        "hub": hub,
        "quantity": quantity,
        "delivery_date": day,
    }


def test_valid_result_passes():
    inst = load_instance(instance())
    rep = check(inst, result_with(a(), a("S2", hub="H1", day="2026-01-20")))
    assert rep.ok, [str(v) for v in rep.violations]


def test_solver_outputs_pass():
    inst = load_instance(instance())
    for solver in ("optimal", "greedy"):
        rep = check(inst, solve(inst, solver))
        assert rep.ok, [str(v) for v in rep.violations]


@pytest.mark.parametrize(
    "assignments, rule",
    [
        ([a("S4", "D1")], "product_group"),
        ([a("S3")], "hazardous"),
        ([a("S5")], "quality"),
        ([a(day="2026-02-02")], "window"),
        ([a(day="2025-12-31")], "available_on"),
        ([a("S6")], "max_distance"),
        ([a(day="2026-01-20")], "direct_transfer_days"),
        ([a(hub="H1", day="2026-01-31")], "hub_dwell"),
        ([a("S4", "D2", hub="H1", day="2026-01-20")], "hub_accepts"),
        (
            [
                a(hub="H1", quantity=10, day="2026-01-20"),
                a("S2", hub="H1", quantity=6, day="2026-01-20"),
            ],
            "hub_capacity",
        ),
        ([a(quantity=6), a(quantity=5, day="2026-01-06")], "supply_quantity"),
        ([a(quantity=10), a("S2", quantity=10), a("S5", "D2", quantity=10)], "demand_quantity"),
        ([a(quantity=2.5)], "whole_units"),
        ([a(quantity=0)], "whole_units"),
        ([a(supply="S99")], "known_ids"),
        ([a(hub="H9")], "known_ids"),
        ([a(day="05-01-2026")], "delivery_date"),
    ],
)
def test_each_rule_is_enforced(assignments, rule):
    inst = load_instance(instance())
    rep = check(inst, result_with(*assignments))
    assert rule in rep.rules(), [str(v) for v in rep.violations]
    assert all(str(v) for v in rep.violations)


def test_violation_names_the_assignment_index():
    inst = load_instance(instance())
    rep = check(inst, result_with(a(), a("S5")))
    v = next(v for v in rep.violations if v.rule == "quality")
    assert v.index == 1 and str(v).startswith("assignments[1]: quality")


def test_capacity_is_fine_when_stays_do_not_overlap():
    inst = load_instance(instance())
    data = instance()
    data["supply"][1]["available_on"] = "2026-01-21"
    inst = load_instance(data)
    res = result_with(a(hub="H1", quantity=10, day="2026-01-20"))
    res["assignments"].append(a("S2", hub="H1", quantity=10, day="2026-01-28"))
    rep = check(inst, res)
    assert "hub_capacity" not in rep.rules()


def test_wrong_numbers_are_reported():
    inst = load_instance(instance())
    res = result_with(a())
    bad_obj = copy.deepcopy(res)
    bad_obj["objective_eur"] += 1.0
    assert "objective" in check(inst, bad_obj).rules()
    bad_tot = copy.deepcopy(res)
    bad_tot["totals"]["co2_avoided_kg"] *= 2
    assert "totals" in check(inst, bad_tot).rules()
    bad_bound = copy.deepcopy(res)
    bad_bound["bound_eur"] = res["objective_eur"] - 10
    assert "bound" in check(inst, bad_bound).rules()
    bad_status = copy.deepcopy(res)
    bad_status["status"] = "great"
    assert "status" in check(inst, bad_status).rules()


def test_totals_follow_the_contract():
    inst = load_instance(instance())
    rep = check(inst, result_with(a(quantity=4)))
    assert rep.totals.mass_kg == pytest.approx(400.0)
    assert rep.totals.co2_avoided_kg == pytest.approx(400.0 * 0.9)
    assert rep.totals.transport_co2_kg == pytest.approx(rep.totals.transport_tkm * 0.1)
