"""The seams of the matching engine on their own: one checker rule family at a time, the
loader's sections, and the pieces of the Lagrangian LP's state."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from urbanmine.engine.matching import InstanceError, check, load_instance
from urbanmine.engine.matching.checker import (
    Delivery,
    Leg,
    assignment_economics,
    check_dates,
    check_direct_transfer_days,
    check_distance,
    check_hazardous,
    check_hub_capacity,
    check_hub_rules,
    check_product_group,
    check_quality,
    check_quantities,
    delivery_economics,
)
from urbanmine.engine.matching.optimal import Incumbent, RelaxedFlow, SubgradientSteps
from urbanmine.engine.matching.random_instance import random_instance

from .test_matching_checker import a, instance, result_with


@pytest.fixture
def inst():
    return load_instance(instance())


def _idx(inst, supply="S1", demand="D1", hub=None, k=3) -> Leg:
    h = None if hub is None else inst.hub_index[hub]
    return Leg(k, inst.supply_index[supply], inst.demand_index[demand], h)


def _day(iso: str) -> int:
    return date.fromisoformat(iso).toordinal()


def _delivery(inst, day="2026-01-05", quantity=5, **leg) -> Delivery:
    return Delivery(_idx(inst, **leg), quantity, _day(day))


# --------------------------------------------------------------------------- checker rules


def test_pair_rules_flag_only_their_own_violation(inst):
    ok = _idx(inst)
    assert check_product_group(inst, ok) == []
    assert check_hazardous(inst, ok) == []
    assert check_quality(inst, ok) == []
    [v] = check_product_group(inst, _idx(inst, "S4"))
    assert (v.index, v.rule, v.message) == (3, "product_group", "bricks-clay != steel-beams")
    [v] = check_hazardous(inst, _idx(inst, "S3"))
    assert (v.rule, v.message) == ("hazardous", "supply 'S3' is hazardous")
    [v] = check_quality(inst, _idx(inst, "S5"))
    assert (v.rule, v.message) == ("quality", "quality 3 worse than min 2")


def test_dates_flag_window_and_availability(inst):
    assert check_dates(inst, _delivery(inst)) == []
    assert [v.rule for v in check_dates(inst, _delivery(inst, day="2026-02-01"))] == ["window"]
    late = load_instance(
        {
            **instance(),
            "supply": [{**instance()["supply"][0], "id": "S1", "available_on": "2026-01-10"}],
        }
    )
    rules = [v.rule for v in check_dates(late, _delivery(late, day="2026-01-06"))]
    assert rules == ["available_on"]
    # both at once, window first
    rules = [v.rule for v in check_dates(late, _delivery(late, day="2026-01-04"))]
    assert rules == ["window", "available_on"]


def test_distance_compares_the_given_road_km(inst):
    leg = _idx(inst)
    assert check_distance(inst, leg, 30.0) == []
    [v] = check_distance(inst, leg, 30.5)
    assert (v.rule, v.message) == ("max_distance", "30.500 km > 30 km")


def test_direct_transfer_days_apply_to_direct_legs_only(inst):
    assert check_direct_transfer_days(inst, _delivery(inst, day="2026-01-08")) == []
    [v] = check_direct_transfer_days(inst, _delivery(inst, day="2026-01-20"))
    assert (v.rule, v.message) == ("direct_transfer_days", "direct after 19 days > 7")
    assert check_direct_transfer_days(inst, _delivery(inst, day="2026-01-20", hub="H1")) == []


def test_hub_rules_check_dwell_and_acceptance(inst):
    assert check_hub_rules(inst, _delivery(inst, day="2026-01-20", hub="H1")) == []
    assert check_hub_rules(inst, _delivery(inst, day="2026-01-31")) == []  # direct: no hub
    [v] = check_hub_rules(inst, _delivery(inst, day="2026-01-31", hub="H1"))
    assert (v.rule, v.message) == ("hub_dwell", "dwell 30 days > 25")
    bricks = _delivery(inst, day="2026-01-31", supply="S4", demand="D2", hub="H1")
    assert [v.rule for v in check_hub_rules(inst, bricks)] == ["hub_dwell", "hub_accepts"]


def test_hub_capacity_names_the_day_and_the_assignments(inst):
    h = inst.hub_index["H1"]
    start, end = _day("2026-01-01"), _day("2026-01-20")
    assert check_hub_capacity(inst, h, [(start, end, 1000.0, 0), (end, end + 3, 900.0, 1)]) == []
    [v] = check_hub_capacity(inst, h, [(start, end, 1000.0, 0), (start + 2, end, 600.0, 4)])
    assert v.index == 0 and v.rule == "hub_capacity"
    assert v.message == "hub 'H1' holds 1600.0 kg > 1500 kg on 2026-01-03 (assignments [0, 4])"


def test_quantities_report_supply_before_demand(inst):
    s1, d2 = inst.supply_index["S1"], inst.demand_index["D2"]
    assert check_quantities(inst, {s1: 10}, {d2: 5}) == []
    out = check_quantities(inst, {s1: 11}, {d2: 6})
    assert [(v.index, v.rule, v.message) for v in out] == [
        (None, "supply_quantity", "supply 'S1': 11 > 10 units"),
        (None, "demand_quantity", "demand 'D2': 6 > 5 units"),
    ]


def test_check_collects_the_families_in_contract_order(inst):
    """One assignment breaking many rules: pair rules, dates, distance, then the route."""
    data = instance()
    data["supply"].append(
        {
            **data["supply"][0],
            "id": "S7",
            "product_group": "bricks-clay",
            "hazardous": True,
            "quality": 3,
            "lat": 52.9,
            "lon": 6.5,
            "available_on": "2026-01-10",
        }
    )
    bad = load_instance(data)
    res = result_with(a("S1"))
    res["assignments"] = [a("S7", "D1", day="2026-02-05")]
    rules = [v.rule for v in check(bad, res).violations]
    assert rules[:7] == [
        "product_group",
        "hazardous",
        "quality",
        "window",
        "max_distance",
        "direct_transfer_days",
        "objective",
    ]


def test_delivery_economics_is_what_assignment_economics_returns(inst):
    d = _delivery(inst, day="2026-01-20", hub="H1")
    leg = d.leg
    econ = delivery_economics(inst, d)
    old = assignment_economics(
        inst, leg.supply, leg.demand, leg.hub, quantity=d.quantity, day=d.day
    )
    assert tuple(econ) == old
    assert econ.mass_kg == 500.0 and econ.road_km > 0


# --------------------------------------------------------------------------- loader sections


@pytest.mark.parametrize(
    "section, field, value, message",
    [
        ("params", "road_factor", 0, 'params: field "road_factor": must be > 0, got 0'),
        (
            "hubs",
            "accepts",
            ["nope"],
            'hubs[0] (id "H1"): field "accepts": item 0: unknown product group "nope"',
        ),
        (
            "hubs",
            "accepts",
            "all",
            'hubs[0] (id "H1"): field "accepts": must be a list of product-group codes or null',
        ),
        (
            "supply",
            "product_group",
            "tiles",
            'supply[0] (id "S1"): field "product_group": unknown product group \'tiles\'',
        ),
        (
            "demand",
            "window_end",
            "2026-01-01",
            'demand[0] (id "D1"): field "window_end": lies before window_start',
        ),
    ],
)
def test_each_section_names_item_and_field(section, field, value, message):
    data = instance()
    item = data[section] if section == "params" else data[section][0]
    item[field] = value
    with pytest.raises(InstanceError) as err:
        load_instance(data)
    assert str(err.value) == message


def test_sections_are_read_in_order_and_the_first_error_wins():
    data = instance()
    data["demand"][0]["quantity"] = -1
    data["hubs"][0]["capacity_kg"] = "big"
    with pytest.raises(InstanceError, match=r"^hubs\[0\]"):
        load_instance(data)


def test_accepts_null_means_every_group():
    data = instance()
    data["hubs"][0]["accepts"] = None
    hub = load_instance(data).hubs[0]
    assert hub.accepts is None and hub.accepts_group("bricks-clay")


# --------------------------------------------------------------------------- Lagrangian LP state


def _relaxed(load_t: np.ndarray, value_eur: float = 100.0) -> RelaxedFlow:
    e = np.zeros(0)
    return RelaxedFlow(value_eur, e.astype(np.int64), e.astype(np.int64), e, load_t)


def test_subgradient_steps_halve_theta_after_three_stalls_and_restart_from_the_best():
    lam0 = np.zeros((1, 2))
    steps = SubgradientSteps(lam0)
    steps.observe(100.0, lam0)
    assert steps.best_lr == 100.0 and steps.stall == 0
    lam1 = np.ones((1, 2))
    for _ in range(3):
        steps.observe(100.0, lam1)  # no improvement
    assert steps.theta == 0.5 and steps.stall == 0
    assert steps.restart() is lam0 and steps.theta == 1.0


def test_polyak_step_moves_against_the_overload_and_stops_when_feasible():
    caps = np.array([10.0])
    steps = SubgradientSteps(np.zeros((1, 2)))
    steps.observe(100.0, steps.best_lam)
    lam = np.zeros((1, 2))
    over = steps.polyak(lam, _relaxed(np.array([[15.0, 5.0]])), caps, best_obj=90.0)
    assert over is not None
    assert over[0, 0] > 0 and over[0, 1] == 0.0  # only the overloaded interval is priced
    # within capacity where lam is 0: the projected subgradient vanishes
    assert steps.polyak(lam, _relaxed(np.array([[5.0, 5.0]])), caps, best_obj=90.0) is None


def test_incumbent_keeps_only_better_solutions_and_their_nonzero_arcs():
    from urbanmine.engine.matching.candidates import build_candidates

    arcs = build_candidates(load_instance(random_instance(4, 10, 10, 2)))
    assert len(arcs) >= 3
    best = Incumbent(-np.inf, np.zeros(0, dtype=np.int64), arcs.subset(np.zeros(0, dtype=int)))
    x = np.zeros(len(arcs), dtype=np.int64)
    x[:2] = 1
    best.offer(x, arcs)
    assert best.value_eur == pytest.approx(float(arcs.value_eur_per_unit[:2].sum()))
    assert best.x.tolist() == [1, 1] and len(best.cands) == 2
    best.offer(np.zeros(len(arcs), dtype=np.int64), arcs)  # worth 0: not better
    assert best.x.tolist() == [1, 1] and len(best.cands) == 2
