"""Dense instances (issue #16): streamed pricing, bounds over ALL arcs, budgets honoured."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urbanmine.engine.matching import check, load_instance, solve
from urbanmine.engine.matching.candidates import build_candidates
from urbanmine.engine.matching.dense import (
    Budget,
    Duals,
    Pricer,
    exact_transport_duals,
    tighten_duals,
    transport_duals,
    trivial_bound,
)
from urbanmine.engine.matching.greedy import event_days, solve_greedy
from urbanmine.engine.matching.lagrangian import (
    FlowTimeout,
    FlowWorkers,
    PairTransport,
    adjusted_values,
    hub_holding,
)
from urbanmine.engine.matching.optimal import solve_optimal
from urbanmine.engine.matching.random_instance import random_instance

from .test_matching_solvers import reference_optimum

REL = 1e-6


def dense_instance(seed: int, n: int = 8, n_hubs: int = 2, n_groups: int = 1) -> dict:
    """A random instance where everything is within reach: supply from two demolition
    sites, every demand's maximum distance beyond the whole area, long dwell times."""
    data = random_instance(seed, n_supply=n, n_demand=n, n_hubs=n_hubs, n_groups=n_groups)
    rng = np.random.default_rng(seed)
    sites = [(51.91, 4.42), (51.99, 4.55)]
    for s in data["supply"]:
        lat, lon = sites[int(rng.integers(2))]
        s["lat"], s["lon"] = round(lat + rng.normal(0, 0.002), 5), round(lon, 5)
        s["hazardous"] = False
    for d in data["demand"]:
        d["max_distance_km"] = 90.0
    for h in data["hubs"]:
        h["max_dwell_days"] = 60
    data["params"]["transport_eur_per_tkm"] = 0.15
    return data


def _arcs_setup(inst):
    arcs = build_candidates(inst)
    events = event_days(inst)
    slot = np.arange(len(inst.hubs))
    hold = hub_holding(arcs, slot, events, inst)
    return arcs, events, slot, hold


@pytest.mark.parametrize("seed", range(6))
def test_small_dense_instances_equal_the_milp_reference(seed):
    data = dense_instance(seed)
    inst = load_instance(data)
    ref = reference_optimum(data)
    res = solve(inst, "optimal")
    assert check(inst, res).ok
    assert res.objective_eur == pytest.approx(ref, rel=REL, abs=1e-6)
    assert res.status == "optimal"


@pytest.mark.parametrize("seed", range(6))
def test_dense_path_on_small_instances_is_feasible_and_bounded_by_the_milp(seed):
    data = dense_instance(seed, n=10, n_hubs=3, n_groups=2)
    inst = load_instance(data)
    ref = reference_optimum(data)
    res = solve_optimal(inst, dense=True)
    assert res.extra["method"].startswith("dense")
    assert check(inst, res).ok
    tol = REL * max(1.0, abs(ref))
    assert res.objective_eur <= ref + tol
    assert res.extra["solver_bound_eur"] >= ref - tol
    assert res.objective_eur >= 0.95 * ref


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 9),
    n_hubs=st.integers(0, 3),
    n_groups=st.integers(1, 2),
    memory=st.sampled_from([None, 1e-4]),
)
def test_property_dense_bound_never_below_the_milp_optimum(seed, n, n_hubs, n_groups, memory):
    """The dense path's proven bound (its own, before the result clamps it) is never below
    the MILP optimum, with a normal or a hopelessly small memory budget."""
    data = dense_instance(seed, n=n, n_hubs=n_hubs, n_groups=n_groups)
    inst = load_instance(data)
    ref = reference_optimum(data)
    res = solve_optimal(inst, dense=True, max_memory_gb=memory)
    assert check(inst, res).ok
    tol = REL * max(1.0, abs(ref))
    assert res.objective_eur <= ref + tol
    bound = res.extra.get("solver_bound_eur")
    assert bound is not None and bound >= ref - tol
    assert trivial_bound(inst) >= ref - tol


def test_pricing_pass_sees_every_arc():
    """A pass with arbitrary duals: its best reduced value per demand is never below the
    one over the generator's arcs (it is an exact value or an upper bound), and with
    nothing to select every candidate is evaluated exactly, so they are equal."""
    inst = load_instance(dense_instance(3, n=30, n_hubs=3, n_groups=2))
    arcs, events, slot, hold = _arcs_setup(inst)
    rng = np.random.default_rng(0)
    duals = Duals(
        rng.random(len(inst.supply)) * 20,
        rng.random(len(inst.demand)) * 20,
        np.zeros((0, 0)),
        rng.random((len(slot), len(events))) * 0.5,
    )
    got = Pricer(inst, events, slot).run(duals, 0, Budget(None, 1e12))
    assert got.complete
    # many small blocks (priced on two threads): the same numbers
    small = Pricer(inst, events, slot, block_elems=64)
    assert len(small.blocks) >= 8
    again = small.run(duals, 0, Budget(None, 1e12))
    assert np.array_equal(again.delta, got.delta) and np.array_equal(again.eps, got.eps)
    rv = adjusted_values(arcs.value_eur_per_unit, hold, duals.w)
    rv -= duals.u[arcs.sup] + duals.v[arcs.dem]
    expect = np.full(len(inst.demand), -np.inf)
    np.maximum.at(expect, arcs.dem, rv)
    pos = lambda x: np.maximum(np.nan_to_num(x, neginf=0.0), 0.0)  # noqa: E731
    assert np.allclose(pos(got.delta), pos(expect), atol=1e-9)
    eps = np.zeros(len(inst.supply))
    np.maximum.at(eps, arcs.sup, np.maximum(rv, 0.0))
    assert np.allclose(got.eps, eps, atol=1e-9)


def test_first_pass_keeps_the_generators_arcs_of_the_best_pairs():
    inst = load_instance(dense_instance(4, n=30, n_hubs=3))
    arcs, events, _, _ = _arcs_setup(inst)
    none = np.full(len(inst.hubs), -1)
    zero = Duals.zero(len(inst.supply), len(inst.demand), 0, len(events))
    got = Pricer(inst, events, none).run(zero, 3, Budget(None, 1e12), all_routes=True, keep_sup=3)
    key = lambda c: set(  # noqa: E731
        zip(
            c.sup.tolist(),
            c.dem.tolist(),
            c.hub.tolist(),
            c.value_eur_per_unit.tolist(),
            strict=True,
        )
    )
    assert key(got.arcs) <= key(arcs)
    assert len(got.arcs) > 0


def _optimal_pair_flow(inst):
    """(supply, demand, best value) per pair of every candidate arc, and the optimal
    transportation value and flow over them."""
    arcs = build_candidates(inst)
    assert arcs.pair is not None
    n = arcs.n_pairs
    ps = np.zeros(n, dtype=np.int64)
    pd = np.zeros(n, dtype=np.int64)
    ps[arcs.pair], pd[arcs.pair] = arcs.sup, arcs.dem
    transport = PairTransport(inst, arcs.pair, ps, pd)
    pv = transport.pair_values(arcs.value_eur_per_unit)
    z, flow = transport.solve(pv)
    return ps, pd, pv, z, flow


def test_transport_duals_are_feasible_after_tightening_and_bound_the_flow():
    inst = load_instance(dense_instance(5, n=25, n_hubs=0, n_groups=2))
    ps, pd, pv, z, flow = _optimal_pair_flow(inst)
    a = inst.arrays
    u, v = transport_duals(ps, pd, pv, flow, s_qty=a.s_qty, d_qty=a.d_qty)
    u, v = tighten_duals(ps, pd, pv, u, v, qty=(a.s_qty, a.d_qty))
    assert np.all(u >= 0) and np.all(v >= 0)
    assert np.all(pv - u[ps] - v[pd] <= 1e-9)
    dual = float((a.s_qty * u).sum() + (a.d_qty * v).sum())
    assert dual >= float((flow * pv).sum()) - 1e-6
    assert dual == pytest.approx(z, rel=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_exact_transport_duals_are_optimal_for_the_pairs(seed):
    """Shortest paths over the complementary-slackness constraints give duals that are
    feasible on every pair and whose objective equals the flow's value (strong duality),
    where the tree duals after tightening may only be feasible."""
    inst = load_instance(dense_instance(seed, n=40, n_hubs=0, n_groups=2))
    ps, pd, pv, _, flow = _optimal_pair_flow(inst)
    a = inst.arrays
    got = exact_transport_duals(ps, pd, pv, flow, s_qty=a.s_qty, d_qty=a.d_qty)
    assert got is not None
    u, v = got
    assert np.all(u >= 0) and np.all(v >= 0)
    scale = max(1.0, float(pv.max()))
    assert np.all(pv - u[ps] - v[pd] <= 1e-6 * scale)
    dual = float((a.s_qty * u).sum() + (a.d_qty * v).sum())
    primal = float((flow * pv).sum())
    assert dual == pytest.approx(primal, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_loose_exact_duals_are_feasible_and_within_the_tolerance(seed):
    """With the rounding tolerance the duals still hold on every pair, and their objective
    exceeds the flow's value by at most the tolerance per unit moved and offered."""
    from urbanmine.engine.matching.dense import EXACT_DUALS_TOL

    inst = load_instance(dense_instance(seed, n=40, n_hubs=0, n_groups=2))
    ps, pd, pv, _, flow = _optimal_pair_flow(inst)
    a = inst.arrays
    got = exact_transport_duals(ps, pd, pv, flow, s_qty=a.s_qty, d_qty=a.d_qty, loose=True)
    assert got is not None
    u, v = got
    assert np.all(u >= 0) and np.all(v >= 0)
    assert np.all(pv - u[ps] - v[pd] <= 1e-9 * max(1.0, float(pv.max())))
    dual = float((a.s_qty * u).sum() + (a.d_qty * v).sum())
    value = float((flow * pv).sum())
    assert value - 1e-6 <= dual <= value + 4 * EXACT_DUALS_TOL * (a.s_qty.sum() + a.d_qty.sum())


@pytest.mark.parametrize("seed", [1, 3])
def test_dense_rounds_do_not_stop_on_duals_that_are_not_optimal(seed):
    """Seed 1 with 300 lots stopped at a 3.7 % gap without a time limit (the pricing pass
    found nothing new, the tree duals were feasible but not optimal); with the working
    set's exact duals the rounds close it. Seed 3 stopped at 3.2 %: its flow is optimal
    only for the values rounded as the min-cost flow rounds them, so the exact duals need
    that rounding's tolerance (`exact_or_loose_duals`)."""
    inst = load_instance(dense_instance(seed, n=300, n_hubs=3, n_groups=2))
    res = solve_optimal(inst, dense=True)
    assert check(inst, res).ok
    bound = res.extra["solver_bound_eur"]
    assert bound - res.objective_eur <= 1e-4 * bound
    assert res.extra["carried_support_arcs"] > 0  # later rounds start from the last LP


def test_a_short_time_limit_on_a_larger_dense_instance_returns_a_checked_result():
    """Timing itself is measured in the benchmark; here: a result and a valid bound."""
    inst = load_instance(dense_instance(7, n=300, n_hubs=3, n_groups=2))
    res = solve_optimal(inst, dense=True, time_limit=0.5)
    assert check(inst, res).ok
    assert res.bound_eur is not None and res.bound_eur >= res.objective_eur
    assert res.extra["solver_bound_eur"] <= trivial_bound(inst) * (1 + 1e-9)
    assert res.status in ("time_limit", "feasible", "optimal")


def test_too_small_a_memory_budget_still_gives_a_feasible_result():
    data = dense_instance(8, n=40, n_hubs=3, n_groups=2)
    inst = load_instance(data)
    res = solve(inst, "optimal", max_memory_gb=1e-5)
    assert res.extra["method"].startswith("dense")
    assert res.extra["working_set_capped"] or res.extra["working_set_arcs"] <= 1_000
    assert check(inst, res).ok and res.objective_eur > 0
    full = solve(inst, "optimal")
    assert res.extra["solver_bound_eur"] >= full.objective_eur - REL * full.objective_eur


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(0, 25),
    n_hubs=st.integers(0, 3),
    dense=st.booleans(),
)
def test_lazy_greedy_equals_the_greedy_over_all_arcs(seed, n, n_hubs, dense):
    data = (
        dense_instance(seed, n=n, n_hubs=n_hubs)
        if dense and n
        else random_instance(seed, n_supply=n, n_demand=n, n_hubs=n_hubs)
    )
    inst = load_instance(data)
    lazy = solve_greedy(inst)
    full = solve_greedy(inst, build_candidates(inst))
    assert check(inst, lazy).ok
    assert lazy.objective_eur == pytest.approx(full.objective_eur, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("levels", [(1,), (1, 3), (8, 64)])
def test_greedy_with_short_lists_and_full_hubs_equals_the_greedy_over_all_arcs(seed, levels):
    """The scaled greedy (pairs once per block, a demand's turn checking hub room by suffix
    maxima) against the route-by-route greedy over every arc: short list levels force the
    list refills and the fallback to all of a demand's routes; small hubs make capacity
    bind, so the turn's hub table and its updates decide the takes."""
    from urbanmine.engine.matching.greedy import greedy_routes

    data = dense_instance(seed, n=60, n_hubs=3, n_groups=2)
    for h in data["hubs"]:
        h["capacity_kg"] = 300.0 + 200.0 * seed  # a few lots fill a hub
    inst = load_instance(data)
    arcs, x, stats = greedy_routes(inst, levels=levels)
    full = solve_greedy(inst, build_candidates(inst))
    lazy = solve_greedy(inst)
    value = float((x * arcs.value_eur_per_unit).sum())
    assert value == pytest.approx(full.objective_eur, rel=1e-9, abs=1e-9)
    assert check(inst, lazy).ok
    assert lazy.objective_eur == pytest.approx(full.objective_eur, rel=1e-9, abs=1e-9)
    if levels == (1,):
        assert stats["fallback_demands"] > 0  # the fallback path ran
    assert any(a.hub is not None for a in lazy.assignments)
    for h in data["hubs"]:
        h["capacity_kg"] *= 100
    roomy = solve_greedy(load_instance(data))
    assert roomy.objective_eur != pytest.approx(lazy.objective_eur, rel=1e-9)  # capacity bound


def test_flow_workers_that_miss_the_deadline_are_stopped():
    workers = FlowWorkers(2)
    try:
        with pytest.raises(FlowTimeout):
            workers.solve(1, [(0, np.arange(3), np.ones(3))], deadline=time.perf_counter())
        assert not any(p.is_alive() for p in workers.procs)
    finally:
        workers.close()


@pytest.mark.parametrize("seed", range(4))
def test_dense_path_starts_from_the_greedy_and_never_ends_below_it(seed):
    """With supply from a few sites the working set alone can miss most lots (issue #16:
    50k dense ended at 0.30 x the greedy); the greedy is the first incumbent."""
    inst = load_instance(dense_instance(seed, n=60, n_hubs=3, n_groups=2))
    greedy = solve_greedy(inst)
    res = solve_optimal(inst, dense=True, max_memory_gb=1e-5)
    assert check(inst, res).ok
    assert res.extra["greedy_seed_complete"] is True
    assert res.extra["greedy_seed_eur"] == pytest.approx(greedy.objective_eur, rel=1e-9)
    assert res.objective_eur >= greedy.objective_eur * (1 - 1e-9)


def test_greedy_cut_short_by_its_deadline_is_still_feasible():
    from urbanmine.engine.matching.greedy import build_result, greedy_routes

    inst = load_instance(dense_instance(3, n=80, n_hubs=3, n_groups=2))
    arcs, x, stats = greedy_routes(inst, deadline=time.perf_counter() - 1.0)
    assert stats["complete"] is False and not len(x)
    full_arcs, full_x, full_stats = greedy_routes(inst)
    assert full_stats["complete"] is True
    half = len(full_x) // 2  # a prefix of the baseline's takes, as a deadline leaves it
    res = build_result(
        inst, full_arcs.subset(np.arange(half)), full_x[:half], "feasible", bound_eur=None, extra={}
    )
    assert check(inst, res).ok


def test_light_rounds_keep_the_bound_valid_and_the_final_round_improves_the_primal(monkeypatch):
    """When a later round's carried support LP is predicted not to finish (50k dense), the
    round is light (the working set's flow only) and a final round works on the primal.
    Forced here by predicting every larger LP to take forever; the bound stays above, and
    the answer within 1 % of, what the unhurried dense path proves."""
    from urbanmine.engine.matching import optimal

    inst = load_instance(dense_instance(1, n=300, n_hubs=3, n_groups=2))
    ref = solve_optimal(inst, dense=True)
    ref_bound = ref.extra["solver_bound_eur"]
    monkeypatch.setattr(optimal, "LP_TIME_EXPONENT", 1e4)
    res = solve_optimal(inst, dense=True, time_limit=120)
    assert res.extra["light_rounds"] > 0 and res.extra["lp_skipped"] > 0
    assert check(inst, res).ok
    tol = 1e-6 * ref_bound
    assert res.extra["solver_bound_eur"] >= ref.objective_eur - tol
    assert res.objective_eur <= ref_bound + tol
    assert res.objective_eur >= 0.99 * ref.objective_eur
