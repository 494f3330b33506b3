"""Optimal matching: an integer programme over candidate arcs, solved by HiGHS.

Model (maximise): one integer column per arc (supply, demand, route, earliest date), rows

* supply:  sum of units taken from a lot <= its quantity;
* demand:  sum of units delivered to a line <= its quantity;
* hub capacity (only hubs that can bind): a stock column per hub and event day with
  `stock[k] = stock[k-1] + mass arriving on day k - mass leaving on day k`, `0 <= stock <=
  capacity`; a hub arc enters two rows, so the matrix stays sparse.

Without binding hubs the matrix is a transportation problem (totally unimodular): the LP
vertex HiGHS returns is integral and optimal. With binding hubs, small models go to the
HiGHS MILP (proven gap). Large ones relax hub capacity in a Lagrangian way (exact bounds by
min-cost flow over all pairs), solve the LP over the routes the relaxed flows use, and
take the multipliers for the next bound from that LP's capacity duals (`LagrangianLP`).
Every solution is integral and checked against the strict capacity ledger, so the reported
gap is honest.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from urbanmine.engine.matching.candidates import Candidates, iter_candidate_blocks
from urbanmine.engine.matching.dense import (
    Budget,
    DenseSolve,
    Pricer,
    conservative_binding,
)
from urbanmine.engine.matching.greedy import Ledger, build_result, event_days, fill
from urbanmine.engine.matching.instance import Instance, Result
from urbanmine.engine.matching.lagrangian import (
    FlowTimeout,
    FlowWorkers,
    HubHolding,
    PairRoutes,
    PairTransport,
    adjusted_values,
    hub_holding,
    hub_load,
    lagrangian_bound,
    lambda_from_duals,
)

OPTIMAL_REL_GAP = 1e-6  # "optimal" means (bound - objective) <= 1e-6 * max(1, |bound|)
DEFAULT_MAX_MEMORY_GB = 4.0  # memory budget of one solve (GiB), the `--max-memory-gb` default
# resident bytes per cached candidate arc on the in-memory path, everything included
# (measured: 17.9M arcs at 50k, 3.3 GB peak with the LP and the flow workers; 24M arcs at
# 10k dense, 3.7 GB)
BYTES_PER_CACHED_ARC = 160
# the dense path when a sample estimates more routes than this share of what the budget
# holds (the estimate is a ratio estimate from SAMPLE_BLOCKS blocks: leave a margin)
DENSE_ESTIMATE_SHARE = 0.9
CACHE_GRACE_S = 0.5  # the arc cache may finish this long after the deadline (tiny limits)
FULL_MODEL_MAX_ARCS = 300_000  # above this, Lagrangian relaxation + LP over its support

# entries of one constraint family: (row per arc, value per arc, zeros per row, quantity per
# row) for supply and demand; (arc index, arrival row, delivery row, mass_t) for hub capacity
RowEntries = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class Layout:
    """Row layout: supplies, demands, then per binding hub one balance row per event day."""

    n_supply: int
    n_demand: int
    events: np.ndarray
    hub_slot: np.ndarray  # hub -> slot among binding hubs, or -1

    @property
    def n_binding(self) -> int:
        return int((self.hub_slot >= 0).sum())

    @property
    def n_rows(self) -> int:
        return self.n_supply + self.n_demand + self.n_binding * len(self.events)

    def hub_row(self, slot: np.ndarray, day: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.events, day)
        return self.n_supply + self.n_demand + slot * len(self.events) + pos


def add_supply_constraints(layout: Layout, cands: Candidates, inst: Instance) -> RowEntries:
    """Rows 0..n_supply-1: units taken from each lot <= quantity."""
    a = inst.arrays
    rows = cands.sup
    return rows, np.ones(len(cands)), np.zeros(layout.n_supply), a.s_qty.astype(float)


def add_demand_constraints(layout: Layout, cands: Candidates, inst: Instance) -> RowEntries:
    """Rows after the supplies: units delivered to each line <= quantity."""
    a = inst.arrays
    rows = layout.n_supply + cands.dem
    return rows, np.ones(len(cands)), np.zeros(layout.n_demand), a.d_qty.astype(float)


def add_hub_capacity_constraints(layout: Layout, cands: Candidates, inst: Instance) -> RowEntries:
    """Arc entries of the stock balance rows: -mass on the arrival day, +mass on delivery.
    Arcs delivered on their available_on day hold nothing and stay out.
    Returns (arc index, arrival row, delivery row, mass_t)."""
    a = inst.arrays
    hub = cands.hub.astype(np.int64)
    slot = layout.hub_slot[np.maximum(hub, 0)] if len(layout.hub_slot) else np.full(len(hub), -1)
    start = a.s_day[cands.sup]
    held = (hub >= 0) & (slot >= 0) & (cands.day > start)
    idx = np.flatnonzero(held)
    m = a.s_mass_t[cands.sup[idx]]
    r_in = layout.hub_row(slot[idx], start[idx])
    r_out = layout.hub_row(slot[idx], cands.day[idx])
    return idx, r_in, r_out, m


def stock_columns(
    layout: Layout, inst: Instance
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stock columns: +1 in its own day's row, -1 in the next day's row; 0 <= stock <= cap."""
    n_ev = len(layout.events)
    base = layout.n_supply + layout.n_demand
    slots = np.flatnonzero(layout.hub_slot >= 0)
    cols, rows, vals, upper = [], [], [], []
    j = 0
    for h in slots:
        k = layout.hub_slot[h]
        r = base + k * n_ev + np.arange(n_ev)
        c = j + np.arange(n_ev)
        cols += [c, c[:-1]]
        rows += [r, r[1:]]
        vals += [np.ones(n_ev), -np.ones(n_ev - 1)]
        upper.append(np.full(n_ev, inst.arrays.h_cap_t[h]))
        j += n_ev
    if not slots.size:
        e = np.zeros(0)
        return 0, e.astype(np.int64), e.astype(np.int64), e, e
    return (
        j,
        np.concatenate(cols),
        np.concatenate(rows),
        np.concatenate(vals),
        np.concatenate(upper),
    )


def arc_matrix(layout: Layout, cands: Candidates, inst: Instance) -> sp.csc_matrix:
    r_s, v_s, _, _ = add_supply_constraints(layout, cands, inst)
    r_d, v_d, _, _ = add_demand_constraints(layout, cands, inst)
    c_h, r_in, r_out, m = add_hub_capacity_constraints(layout, cands, inst)
    n = len(cands)
    ar = np.arange(n)
    cols = np.concatenate([ar, ar, c_h, c_h])
    rows = np.concatenate([r_s, r_d, r_in, r_out])
    vals = np.concatenate([v_s, v_d, -m, m])
    return sp.csc_matrix((vals, (rows, cols)), shape=(layout.n_rows, n))


class Master:
    """The HiGHS model: arc columns first, stock columns after; arcs can be appended."""

    def __init__(self, inst: Instance, layout: Layout, cands: Candidates, integer: bool):
        self.inst, self.layout, self.cands = inst, layout, cands
        n_stock, sc, sr, sv, su = stock_columns(layout, inst)
        self.n_stock = n_stock
        a_arcs = arc_matrix(layout, cands, inst)
        a_stock = sp.csc_matrix((sv, (sr, sc)), shape=(layout.n_rows, n_stock))
        mat = sp.hstack([a_arcs, a_stock], format="csc")
        a = inst.arrays
        lp = highspy.HighsLp()
        lp.num_col_ = mat.shape[1]
        lp.num_row_ = layout.n_rows
        ub_arc = np.minimum(a.s_qty[cands.sup], a.d_qty[cands.dem]).astype(float)
        lp.col_cost_ = np.concatenate([cands.value_eur_per_unit, np.zeros(n_stock)])
        lp.col_lower_ = np.zeros(mat.shape[1])
        # arc upper bounds are implied by the rows; stated only for the MILP (tighter search)
        lp.col_upper_ = np.concatenate([ub_arc if integer else np.full(len(cands), np.inf), su])
        lp.row_lower_ = np.concatenate(
            [
                np.full(layout.n_supply + layout.n_demand, -np.inf),
                np.zeros(layout.n_rows - layout.n_supply - layout.n_demand),
            ]
        )
        lp.row_upper_ = np.concatenate(
            [
                a.s_qty.astype(float),
                a.d_qty.astype(float),
                np.zeros(layout.n_rows - layout.n_supply - layout.n_demand),
            ]
        )
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
        lp.a_matrix_.index_ = mat.indices.astype(np.int32)
        lp.a_matrix_.value_ = mat.data
        lp.a_matrix_.num_col_ = mat.shape[1]
        lp.a_matrix_.num_row_ = layout.n_rows
        if integer:
            lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cands) + [
                highspy.HighsVarType.kContinuous
            ] * n_stock
        self.h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy's constructor is untyped
        self.h.setOptionValue("output_flag", False)
        self.h.passModel(lp)
        self.arc_cols = np.arange(len(cands))  # column of each arc

    def add_arcs(self, new: Candidates) -> None:
        """Append arc columns (LP only); HiGHS keeps the basis for a warm restart."""
        mat = arc_matrix(self.layout, new, self.inst)
        n0 = self.h.getNumCol()
        self.h.addCols(
            len(new),
            new.value_eur_per_unit,
            np.zeros(len(new)),
            np.full(len(new), np.inf),
            mat.nnz,
            mat.indptr[:-1].astype(np.int32),
            mat.indices.astype(np.int32),
            mat.data,
        )
        self.arc_cols = np.concatenate([self.arc_cols, n0 + np.arange(len(new))])
        self.cands = Candidates.concat([self.cands, new])

    def run(self, time_limit: float | None) -> None:
        """Solve (warm after the first call); `time_limit` counts from now (HiGHS's own
        limit counts the run time of every previous call too)."""
        if time_limit is not None:
            limit = self.h.getRunTime() + max(0.1, float(time_limit))
            self.h.setOptionValue("time_limit", limit)
        self.h.run()

    def arc_values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)[self.arc_cols]

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)


def top_k_indices(key: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k best-scoring entries per key value (sorted)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-score, key))
    key_sorted = key[order]
    first = np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    rank = np.arange(len(order)) - group_start
    return np.sort(order[rank < k])


def _compact(c: Candidates) -> Candidates:
    """Smaller dtypes for the arc cache of large instances (29 bytes per arc)."""
    return Candidates(
        c.sup.astype(np.int32),
        c.dem.astype(np.int32),
        c.hub.astype(np.int16),
        c.day.astype(np.int32),
        c.value_eur_per_unit,
        c.distance_km,
        None if c.pair is None else c.pair.astype(np.int32),
    )


def _binding_hubs(inst: Instance, events: np.ndarray, last_day: np.ndarray) -> np.ndarray:
    """Hubs whose capacity could be exceeded if every lot with a route via the hub stayed
    there as long as its routes allow: only those need capacity rows."""
    a = inst.arrays
    n_h = len(inst.hubs)
    binding = np.zeros(n_h, dtype=bool)
    for h in range(n_h):
        s = np.flatnonzero(last_day[:, h] > a.s_day)
        if not len(s):
            continue
        w = a.s_qty[s] * a.s_mass_t[s]
        load = np.zeros(len(events) + 1)
        np.add.at(load, np.searchsorted(events, a.s_day[s]), w)
        np.add.at(load, np.searchsorted(events, last_day[s, h]), -w)
        binding[h] = np.cumsum(load).max() > a.h_cap_t[h]
    return binding


@dataclass(frozen=True)
class SolveContext:
    """What every solve path shares: the instance, its row layout, all candidate arcs (pairs
    numbered across the cache), the time limits, the gap at which the search stops, and the
    stats dict that becomes `Result.extra` (filled in place)."""

    inst: Instance
    layout: Layout
    arcs: Candidates
    deadline: float | None  # perf_counter() time, None: no limit
    t_start: float  # perf_counter() at the start of solve_optimal
    gap: float  # stop once the proven relative gap is at most this
    stats: dict[str, Any]


def solve_optimal(
    inst: Instance,
    time_limit: float | None = None,
    full_model_max_arcs: int = FULL_MODEL_MAX_ARCS,
    rel_gap: float | None = None,
    flow_workers: int | None = None,
    *,
    max_memory_gb: float | None = None,
    dense: bool | None = None,
) -> Result:
    """Best matching with a proven upper bound (see module docstring). The search stops once
    the proven relative gap is <= `rel_gap` (default OPTIMAL_REL_GAP); the status is
    `optimal` only within OPTIMAL_REL_GAP, whatever `rel_gap` says.

    `max_memory_gb` (default DEFAULT_MAX_MEMORY_GB) is the memory budget: when the candidate
    arcs would not fit in it (BYTES_PER_CACHED_ARC each, counted while they are generated),
    the dense path runs instead (`dense.DenseSolve`: streamed pricing, bounded
    working set); `dense` forces one path or the other."""
    t_start = time.perf_counter()
    deadline = None if time_limit is None else t_start + time_limit
    gb = DEFAULT_MAX_MEMORY_GB if max_memory_gb is None else float(max_memory_gb)
    budget = Budget(deadline, gb * 2**30)
    events = event_days(inst)
    n_h = len(inst.hubs)
    cache = None
    pricer: Pricer | None = None
    est_routes, est_pass = 0.0, 0.0
    max_arcs = int(budget.max_bytes / BYTES_PER_CACHED_ARC)
    if dense is None:  # a sample of the candidate space decides (no arc is stored)
        pricer = _pricer(inst, events)
        est_routes, est_pass = pricer.sample()
        dense = est_routes > DENSE_ESTIMATE_SHARE * max_arcs
    if not dense:
        # the cache gives up at the memory budget or well past the deadline
        hard = None
        if deadline is not None and time_limit is not None:
            hard = deadline + max(0.05 * time_limit, CACHE_GRACE_S)
        cache = _arc_cache(inst, max_arcs=max_arcs, hard_deadline=hard)
    gap = OPTIMAL_REL_GAP if rel_gap is None else max(OPTIMAL_REL_GAP, float(rel_gap))
    if cache is None:
        return _solve_dense(
            inst,
            events,
            budget,
            t_start,
            gap,
            flow_workers=flow_workers,
            estimate=(est_routes, est_pass),
        )
    all_arcs, last_day = cache
    binding = _binding_hubs(inst, events, last_day) if n_h else np.zeros(0, dtype=bool)
    slot = np.full(n_h, -1, dtype=np.int64)
    slot[binding] = np.arange(int(binding.sum()))
    layout = Layout(len(inst.supply), len(inst.demand), events, slot)
    stats = {
        "solver": "optimal",
        "candidate_arcs": len(all_arcs),
        "binding_hubs": int(binding.sum()),
        "generate_seconds": time.perf_counter() - t_start,
    }
    ctx = SolveContext(inst, layout, all_arcs, deadline, t_start, gap, stats)
    if len(all_arcs) > full_model_max_arcs:
        return _solve_large(ctx, flow_workers)
    return _solve(ctx, bool(binding.any()))


def _solve_dense(
    inst: Instance,
    events: np.ndarray,
    budget: Budget,
    t_start: float,
    gap: float,
    *,
    flow_workers: int | None = None,
    estimate: tuple[float, float] = (0.0, 0.0),
) -> Result:
    """The dense path (`dense.DenseSolve`): hubs get capacity rows when they
    could bind at all (`conservative_binding`, no pairs needed)."""
    pricer = _pricer(inst, events)
    layout = Layout(len(inst.supply), len(inst.demand), events, pricer.hub_slot)
    stats: dict[str, Any] = {
        "solver": "optimal",
        "binding_hubs": int((pricer.hub_slot >= 0).sum()),
        "memory_budget_gb": budget.max_bytes / 2**30,
        "pricing_blocks": len(pricer.blocks),
        "estimated_routes": estimate[0],
        "estimated_first_pass_seconds": estimate[1],
        "generate_seconds": time.perf_counter() - t_start,
    }
    empty = Candidates.concat([])
    ctx = SolveContext(inst, layout, empty, budget.deadline, t_start, gap, stats)
    return DenseSolve(ctx, budget, pricer, flow_workers, estimate[1]).solve()


def _pricer(inst: Instance, events: np.ndarray) -> Pricer:
    """The streamed pricer of the dense path, hubs with rows where they could bind."""
    n_h = len(inst.hubs)
    binding = conservative_binding(inst, events) if n_h else np.zeros(0, dtype=bool)
    slot = np.full(n_h, -1, dtype=np.int64)
    slot[binding] = np.arange(int(binding.sum()))
    return Pricer(inst, events, slot)


def _arc_cache(
    inst: Instance, max_arcs: int | None = None, hard_deadline: float | None = None
) -> tuple[Candidates, np.ndarray] | None:
    """All candidate arcs in compact dtypes, pairs numbered across the whole cache, and the
    last delivery day of each (supply, hub) (for `_binding_hubs`). None as soon as there
    are more than `max_arcs` arcs or `hard_deadline` (perf_counter time) has passed: the
    caller switches to the dense path, which never stores them all."""
    n_h = len(inst.hubs)
    last_day = np.full((len(inst.supply), max(n_h, 1)), np.iinfo(np.int64).min, dtype=np.int64)
    blocks: list[Candidates] = []
    n_pairs = 0
    n_arcs = 0
    for block in iter_candidate_blocks(inst):
        n_arcs += len(block)
        if max_arcs is not None and n_arcs > max_arcs:
            return None
        if hard_deadline is not None and time.perf_counter() > hard_deadline:
            return None
        hub_arcs = block.hub >= 0
        if hub_arcs.any():
            np.maximum.at(last_day, (block.sup[hub_arcs], block.hub[hub_arcs]), block.day[hub_arcs])
        assert block.pair is not None
        block.pair = block.pair + n_pairs  # pairs numbered across the whole cache
        if len(block):
            n_pairs = block.n_pairs
        blocks.append(_compact(block))
    return Candidates.concat(blocks), last_day


def _integral(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x) + 1e-6).astype(np.int64).clip(min=0)


def _repair_and_fill(
    inst: Instance, layout: Layout, cands: Candidates, x_float: np.ndarray
) -> np.ndarray:
    """Integer solution: round, re-admit arcs best-first within all limits, then top up."""
    x0 = _integral(x_float)
    ledger = Ledger(inst, layout.events)
    x = np.zeros(len(cands), dtype=np.int64)
    # re-admit rounded quantities strictly (drops any float overshoot), best arcs first
    order = np.flatnonzero(x0 > 0)
    order = order[np.argsort(-cands.value_eur_per_unit[order], kind="stable")]
    sup, dem, hub, day = cands.sup, cands.dem, cands.hub, cands.day
    for i in order.tolist():
        k = min(int(x0[i]), ledger.max_units(int(sup[i]), int(dem[i]), int(hub[i]), int(day[i])))
        if k > 0:
            ledger.take(int(sup[i]), int(dem[i]), int(hub[i]), int(day[i]), k)
            x[i] += k
    fill(cands, np.argsort(-cands.value_eur_per_unit, kind="stable"), ledger, x)
    return x


def _status(objective: float, bound: float, timed_out: bool) -> str:
    if bound - objective <= OPTIMAL_REL_GAP * max(1.0, abs(bound)):
        return "optimal"
    return "time_limit" if timed_out else "feasible"


def _milp_polish(
    ctx: SolveContext, cands: Candidates, x_start: np.ndarray, remaining: float | None
) -> tuple[np.ndarray, float, bool]:
    """Exact MILP over the full arc set, warm-started from the rounded LP solution, stopping
    at the context's gap. Returns (x, dual bound, timed out)."""
    inst, layout = ctx.inst, ctx.layout
    master = Master(inst, layout, cands, integer=True)
    master.h.setOptionValue("mip_rel_gap", ctx.gap)
    master.h.setOptionValue("mip_abs_gap", 1e-6)
    stock = _stock_values(inst, layout, cands, x_start)
    sol = highspy.HighsSolution()
    sol.col_value = np.concatenate([x_start.astype(float), stock]).tolist()
    master.h.setSolution(sol)
    master.run(remaining)
    timed_out = master.h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
    bound = float(master.h.getInfo().mip_dual_bound)
    try:
        x_float = master.arc_values()
    except Exception:  # no incumbent at all
        return x_start, bound, timed_out
    if len(x_float) != len(cands):
        return x_start, bound, timed_out
    return _repair_and_fill(inst, layout, cands, x_float), bound, timed_out


def _stock_values(inst: Instance, layout: Layout, cands: Candidates, x: np.ndarray) -> np.ndarray:
    """Stock columns implied by arc quantities (for a complete MILP start)."""
    a = inst.arrays
    n_ev = len(layout.events)
    slots = np.flatnonzero(layout.hub_slot >= 0)
    stock = np.zeros((len(slots), n_ev))
    c_h, r_in, r_out, m = add_hub_capacity_constraints(layout, cands, inst)
    base = layout.n_supply + layout.n_demand
    if len(c_h):
        delta = np.zeros(len(slots) * n_ev)
        np.add.at(delta, r_in - base, m * x[c_h])
        np.add.at(delta, r_out - base, -m * x[c_h])
        stock = np.cumsum(delta.reshape(len(slots), n_ev), axis=1)
    caps = a.h_cap_t[slots][:, None]
    return np.clip(stock, 0.0, caps).ravel()


def _solve(ctx: SolveContext, binding: bool) -> Result:
    """Full model: LP first (integral without binding hubs), round and top up, then the
    HiGHS MILP warm-started from that solution when the gap is still open."""
    inst, layout, deadline = ctx.inst, ctx.layout, ctx.deadline
    master = Master(inst, layout, ctx.arcs, integer=False)
    master.h.setOptionValue("solver", "simplex")
    timed_out = False
    bound = np.inf
    remaining = None if deadline is None else deadline - time.perf_counter()
    master.run(remaining)
    lp_status = master.h.getModelStatus()
    lp_obj = float("nan")
    if lp_status == highspy.HighsModelStatus.kModelEmpty:
        lp_obj, bound = 0.0, 0.0  # no arc at all: nothing can be matched
    elif lp_status != highspy.HighsModelStatus.kOptimal:
        timed_out = True  # an unfinished LP gives no trustworthy bound
    else:
        lp_obj = bound = float(master.h.getInfo().objective_function_value)
    cands = master.cands
    x = _repair_and_fill(inst, layout, cands, _lp_arc_values(master))
    objective = float((x * cands.value_eur_per_unit).sum())
    method = "lp"
    if binding and not _within(objective, bound, ctx.gap):
        remaining = None if deadline is None else deadline - time.perf_counter()
        if remaining is None or remaining > 0.5:
            x2, mip_bound, timed_out = _milp_polish(ctx, cands, x, remaining)
            if np.isfinite(mip_bound):
                bound = min(bound, mip_bound)
            if float((x2 * cands.value_eur_per_unit).sum()) > objective:
                x = x2
                objective = float((x * cands.value_eur_per_unit).sum())
            method = "lp+milp"
    ctx.stats.update(
        method=method,
        pricing_rounds=0,
        model_arcs=len(cands),
        lp_objective_eur=lp_obj,
        solve_seconds=time.perf_counter() - ctx.t_start,
    )
    return _finish(ctx, cands, x, objective=objective, bound=bound, timed_out=timed_out)


def _lp_arc_values(master: Master) -> np.ndarray:
    try:
        x_lp = master.arc_values()
    except Exception:  # no primal solution at all
        return np.zeros(len(master.cands))
    return x_lp if len(x_lp) == len(master.cands) else np.zeros(len(master.cands))


def _within(objective: float, bound: float, gap: float) -> bool:
    return bool(np.isfinite(bound)) and bound - objective <= gap * max(1.0, abs(bound))


def _finish(
    ctx: SolveContext,
    cands: Candidates,
    x: np.ndarray,
    *,
    objective: float,
    bound: float,
    timed_out: bool,
) -> Result:
    """The result with its status; an infinite bound (none proven) is reported as none."""
    inst, stats = ctx.inst, ctx.stats
    if not np.isfinite(bound):
        status = "time_limit" if timed_out else "feasible"
        return build_result(inst, cands, x, status, bound_eur=None, extra=stats)
    status = _status(objective, max(bound, objective), timed_out)
    return build_result(inst, cands, x, status, bound_eur=bound, extra=stats)


class _Clock:
    """Deadline bookkeeping: remaining time and running estimates of step durations."""

    def __init__(self, t_start: float, deadline: float | None):
        self.t_start, self.deadline = t_start, deadline
        self.est: dict[str, float] = {}

    def remaining(self) -> float:
        return np.inf if self.deadline is None else self.deadline - time.perf_counter()

    def fits(self, *steps: str, reserve: float = 0.0) -> bool:
        return sum(self.est.get(s, 0.0) for s in steps) + reserve < self.remaining()

    def record(self, step: str, t0: float) -> None:
        dt = time.perf_counter() - t0
        self.est[step] = max(dt, 0.7 * self.est.get(step, dt))
        self.est[step + "_total"] = self.est.get(step + "_total", 0.0) + dt


@dataclass(frozen=True)
class RelaxedFlow:
    """One evaluation of the relaxed (capacity-priced) problem on the restricted oracle."""

    value_eur: float  # L_R(lam): the oracle's Lagrangian value (a bound only if exact)
    flow: np.ndarray  # integral units per pair
    arc: np.ndarray  # best route (arc index into the oracle's arcs) per pair
    adj: np.ndarray  # adjusted value per arc: value - mass * priced capacity
    load_t: np.ndarray  # mass held per binding slot and event interval by the flow


class _Restricted:
    """The pairs of a subset R with all their routes: a cheap Lagrangian oracle. Its value
    L_R(lam) <= L(lam) is NOT a bound of the full problem; it only steers the multipliers
    and feeds the primal heuristic. Bounds come from exact evaluations over every pair."""

    def __init__(self, inst: Instance, layout: Layout, all_arcs: Candidates, in_pair: np.ndarray):
        assert all_arcs.pair is not None
        self.in_pair = in_pair
        self.idx = np.flatnonzero(in_pair[all_arcs.pair])
        sub = all_arcs.subset(self.idx)
        assert sub.pair is not None
        local = (np.cumsum(in_pair) - 1)[sub.pair].astype(np.int64)
        n = int(in_pair.sum())
        sub.pair = local
        self.cands = sub
        p_sup = np.zeros(n, dtype=np.int64)
        p_dem = np.zeros(n, dtype=np.int64)
        p_sup[local] = sub.sup
        p_dem[local] = sub.dem
        self.transport = PairTransport(inst, local, p_sup, p_dem)
        self.hold = hub_holding(sub, layout.hub_slot, layout.events, inst)
        self.routes = PairRoutes(local, n)

    def evaluate(self, lam: np.ndarray, caps: np.ndarray) -> RelaxedFlow:
        """The relaxed flow at multipliers `lam` (binding slot x event interval)."""
        adj = adjusted_values(self.cands.value_eur_per_unit, self.hold, lam)
        pv, arc = self.routes.best(adj)
        z, flow = self.transport.solve(pv)
        used = flow > 0
        load = hub_load(self.hold, len(self.cands), arc[used], flow[used], lam.shape)
        cap_term = float((lam * caps[:, None]).sum()) if lam.size else 0.0
        return RelaxedFlow(z + cap_term, flow, arc, adj, load)


def _lagrangian_primal(
    inst: Instance, layout: Layout, cands: Candidates, relaxed: RelaxedFlow
) -> np.ndarray:
    """Lagrangian heuristic: repair a relaxed flow into a feasible integer solution. The
    flow already respects supply and demand quantities, so its direct arcs stay as they are;
    its hub arcs are re-admitted best adjusted value first while capacity lasts; then a
    greedy top-up over `cands` (best adjusted value first) uses what is left."""
    adj, arc, flow = relaxed.adj, relaxed.arc, relaxed.flow
    ledger = Ledger(inst, layout.events)
    x = np.zeros(len(cands), dtype=np.int64)
    used = np.flatnonzero(flow > 0)
    a_used, f_used = arc[used], flow[used].astype(np.int64)
    direct = cands.hub[a_used] < 0
    ad, fd = a_used[direct], f_used[direct]
    x[ad] += fd
    n_s, n_d = len(ledger.rem_s), len(ledger.rem_d)
    ledger.rem_s -= np.bincount(cands.sup[ad], weights=fd, minlength=n_s).astype(np.int64)
    ledger.rem_d -= np.bincount(cands.dem[ad], weights=fd, minlength=n_d).astype(np.int64)
    ah, fh = a_used[~direct], f_used[~direct]
    # knapsack order: adjusted value per tonne-day of hub capacity the arc occupies
    a = inst.arrays
    occupancy = a.s_mass_t[cands.sup[ah]] * np.maximum(cands.day[ah] - a.s_day[cands.sup[ah]], 1)
    order = np.argsort(-adj[ah] / occupancy, kind="stable")
    sup, dem, hub, day = cands.sup, cands.dem, cands.hub, cands.day
    for i, f in zip(ah[order].tolist(), fh[order].tolist(), strict=True):
        s, d, h, t = int(sup[i]), int(dem[i]), int(hub[i]), int(day[i])
        k = min(f, ledger.max_units(s, d, h, t))
        if k > 0:
            ledger.take(s, d, h, t, k)
            x[i] += k
    rest = np.flatnonzero((ledger.rem_s[sup] > 0) & (ledger.rem_d[dem] > 0))
    fill(cands, rest[np.argsort(-adj[rest], kind="stable")], ledger, x)
    return x


def _select_pairs(
    pair_sup: np.ndarray, pair_dem: np.ndarray, pv: np.ndarray, dv: np.ndarray, *, k: int
) -> np.ndarray:
    """Pairs among the k most valuable per supply and per demand, by best route and by
    direct route (the alternatives that capacity prices push flow towards)."""
    sel = np.zeros(len(pair_sup), dtype=bool)
    has_d = np.flatnonzero(np.isfinite(dv))
    for key in (pair_sup, pair_dem):
        sel[top_k_indices(key, pv, k)] = True
        sel[has_d[top_k_indices(key[has_d], dv[has_d], k)]] = True
    return sel


PRICE_PAIRS_PER_ROUND = 2  # dense path: new pairs per demand per LP round (by reduced value)
RECV_GRACE = 0.03  # flow workers answer by deadline + 3% of the time limit, else stopped
RESTRICT_K = 5  # pairs per supply / demand (by best and by direct value) in the oracle
# up to this many (supply, demand) pairs the subgradient runs on the exact Lagrangian
# function itself (every step is then a proven bound); above it, on the restricted oracle.
# Measured exact evaluation: 242k pairs 0.25 s (10k lots), 5.7M pairs 6-12 s (50k lots)
EXACT_ORACLE_MAX_PAIRS = 1_000_000
EXACT_SECONDS_PER_PAIR = 1.5e-6
POLYAK_MAX_GAP = 0.005
SUBGRADIENT_MAX_ITER = 100
PRIMAL_EVERY = 10  # Lagrangian heuristic every so many subgradient steps (a fallback now)
# first guess of the support LP's solve time per arc (IPM + crossover, measured: 37k arcs
# 4.7 s, 127k arcs 25 s on the benchmark machine); replaced by the measured time
LP_SECONDS_PER_ARC = 2.5e-4
# LP rounds the subgradient leaves time for: at 50k the support of a short subgradient
# phase needs a second round (measured: LP 1935.2M after round 1, 1938.4M after round 2)
LP_ROUNDS = 2
LP_ROUND_GROWTH = 1.4  # each round's LP is larger (50k: 19 s, then 27 s)
# the support LP's time grows faster than its columns (IPM fill-in; 50k dense: 107k columns
# 10 s, 168k columns 40 s); a prediction from a solved LP uses this exponent (on the low
# side, so an LP that would finish is rarely skipped)
LP_TIME_EXPONENT = 2.0


def _solve_large(ctx: SolveContext, flow_workers: int | None) -> Result:
    """Runs `LagrangianLP` with worker processes for the min-cost flows when the instance
    is large enough to need them (or `flow_workers` says how many)."""
    n_workers = flow_workers
    if n_workers is None:
        n_workers = FlowWorkers.available() if ctx.arcs.n_pairs > EXACT_ORACLE_MAX_PAIRS else 0
    workers = None
    try:
        workers = FlowWorkers(n_workers) if n_workers > 1 else None
        ctx.stats["flow_workers"] = n_workers if workers else 0
        return LagrangianLP(ctx, workers).solve()
    finally:
        if workers is not None:
            ctx.stats["flow_workers_peak_mb"] = workers.close()


@dataclass
class Incumbent:
    """The best integer solution so far: its value and its nonzero units per arc."""

    value_eur: float
    x: np.ndarray
    cands: Candidates

    def offer(self, x: np.ndarray, cands: Candidates) -> None:
        """Keep (x over cands) if it is worth more than the incumbent."""
        value = float((x * cands.value_eur_per_unit).sum())
        if value > self.value_eur:
            nz = np.flatnonzero(x > 0)
            self.value_eur, self.x, self.cands = value, x[nz], cands.subset(nz)


@dataclass
class SubgradientSteps:
    """Projected subgradient state: step scale theta (halved after 3 steps without a new
    best value), and the best (lowest) oracle value with its multipliers."""

    best_lam: np.ndarray
    best_lr: float = np.inf
    theta: float = 1.0
    stall: int = 0

    def observe(self, lr: float, lam: np.ndarray) -> None:
        """Record the oracle value `lr` at `lam`."""
        if lr < self.best_lr - 1e-9 * abs(lr):
            self.best_lr, self.best_lam, self.stall = lr, lam, 0
        else:
            self.stall += 1
            if self.stall >= 3:
                self.theta, self.stall = self.theta / 2.0, 0

    def restart(self) -> np.ndarray:
        """Steps too small: start again from the best multipliers at full scale."""
        self.theta = 1.0
        return self.best_lam

    def polyak(
        self, lam: np.ndarray, relaxed: RelaxedFlow, caps_t: np.ndarray, best_obj: float
    ) -> np.ndarray | None:
        """lam <- max(0, lam - t (cap - load)) with a Polyak step; None when the projected
        subgradient is zero (the relaxed flow is capacity-feasible: its value is minimal)."""
        lr = relaxed.value_eur
        g = caps_t[:, None] - relaxed.load_t
        d = np.where((lam <= 0) & (g > 0), 0.0, g)
        norm2 = float((d * d).sum())
        if norm2 <= 0:
            return None
        # Polyak target: the best primal, but never more than POLYAK_MAX_GAP below the
        # best oracle value (a weak early primal would make every step overshoot)
        target = max(best_obj, (1.0 - POLYAK_MAX_GAP) * self.best_lr)
        step = self.theta * max(lr - target, 1e-9 * abs(lr)) / norm2
        nxt: np.ndarray = np.maximum(lam - step * g, 0.0)
        return nxt


class LagrangianLP:
    """Large instances: Lagrangian relaxation of hub capacity plus an LP over its support
    (ADR 0002). `solve` runs the phases in order:

    1. Projected subgradient (Polyak steps) on the Lagrangian function (`_subgradient`): on
       the exact function when one evaluation is cheap (every step is then a proven bound),
       else on a restricted oracle over the top pairs per supply and per demand
       (`_restricted_oracle`). Every route a relaxed flow uses joins the *support*.
    2. Column generation on the LP relaxation over the support plus the direct route of
       every support pair (`_column_generation`): HiGHS IPM with crossover, every round
       afresh (a warm-started primal simplex was slower). Its solution, rounded and repaired,
       with the free arcs re-solved exactly, is the primal (`_lp_round`). Its capacity-row
       duals give multipliers whose exact Lagrangian value over ALL pairs is a proven bound
       (equal to the full LP when the support LP is the full LP); the pairs that exact flow
       uses outside the support are the new columns (`_price`).
    3. Without any LP round: an exact bound at the best subgradient multipliers and a
       re-optimisation of the free arcs, when they fit (`_without_lp`).

    Every phase asks the clock whether its next step fits before the deadline, keeping
    `reserve` seconds for building the result."""

    def __init__(self, ctx: SolveContext, workers: FlowWorkers | None):
        self.ctx = ctx
        self.workers = workers
        inst, layout, arcs = ctx.inst, ctx.layout, ctx.arcs
        # the workers must answer by the deadline plus RECV_GRACE of the time limit
        self.recv_deadline = (
            None
            if ctx.deadline is None
            else ctx.deadline + RECV_GRACE * (ctx.deadline - ctx.t_start)
        )
        self.clock = _Clock(ctx.t_start, ctx.deadline)
        self.value = arcs.value_eur_per_unit
        assert arcs.pair is not None
        n_pairs = arcs.n_pairs
        self.pair_sup = np.zeros(n_pairs, dtype=np.int64)
        self.pair_dem = np.zeros(n_pairs, dtype=np.int64)
        self.pair_sup[arcs.pair] = arcs.sup
        self.pair_dem[arcs.pair] = arcs.dem
        t0 = time.perf_counter()
        self.transport = PairTransport(inst, arcs.pair, self.pair_sup, self.pair_dem)
        if workers is not None:
            self.transport.use_workers(workers, self.recv_deadline)
        self.hold = hub_holding(arcs, layout.hub_slot, layout.events, inst)
        binding_hubs = np.flatnonzero(layout.hub_slot >= 0)
        self.caps_t = inst.arrays.h_cap_t[binding_hubs[np.argsort(layout.hub_slot[binding_hubs])]]
        self.steps = SubgradientSteps(np.zeros((layout.n_binding, len(layout.events))))
        self.clock.record("setup", t0)
        self.bound = np.inf  # best proven bound
        self.lagr_bounds: list[float] = []  # every bound evaluated, for the stats
        # until measured: an exact evaluation (min-cost flows over all pairs) costs about
        # EXACT_SECONDS_PER_PAIR per pair, a residual flow over the free routes a third of that
        self.clock.est["exact"] = EXACT_SECONDS_PER_PAIR * n_pairs
        self.clock.est["reoptimise"] = self.clock.est["exact"] / 3.0
        self.exact_oracle = n_pairs <= EXACT_ORACLE_MAX_PAIRS
        self.exact_evals = 0
        self.iters = 0
        self.support = np.zeros(len(arcs), dtype=bool)  # routes some relaxed flow has used
        self.n_support = 0  # support size after the last oracle step
        self.reserve = 2.0 + 2e-7 * len(arcs)  # result building
        self.lp_rounds, self.lp_obj, self.timed_out = 0, float("nan"), False
        self.last_duals: np.ndarray | None = None  # row duals of the last support LP
        # the first subgradient step always offers a solution, so this empty one never stays
        empty = np.zeros(0, dtype=np.int64)
        self.best = Incumbent(-np.inf, empty, arcs.subset(empty))

    # -- shared steps

    def within_gap(self) -> bool:
        return _within(self.best.value_eur, self.bound, self.ctx.gap)

    def exact_bound(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact Lagrangian value over ALL pairs at `lam`: a proven bound, kept when lower.
        Returns the pair flow and best adjusted pair values."""
        lb, flow, pv = lagrangian_bound(self.transport, self.value, self.hold, lam, self.caps_t)
        self.exact_evals += 1
        self.lagr_bounds.append(lb)
        if lb < self.bound and self.keep_best_flow:
            self.best_flow = (np.maximum(lam, 0.0), flow, pv)
        self.bound = min(self.bound, lb)
        return flow, pv

    # dense path (`dense.DenseSolve`): keep (lam, pair flow, pair values) of the best bound,
    # whose transportation duals are repaired over all arcs there
    keep_best_flow = False
    best_flow: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    master: _SupportLP | None = None  # the last support LP (the dense path carries it on)
    # (arc columns, seconds) of the last solved support LP, this run's or (dense path) an
    # earlier round's: predicts whether the next one finishes (`_lp_round`)
    lp_fit: tuple[int, float] | None = None
    lp_skipped = 0  # support LPs not started: predicted not to finish
    exact_at: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (lam, flow, pv)

    def reoptimise(self) -> None:
        """Re-solve the incumbent's free arcs exactly (never worse)."""
        x, cands = _reoptimise_free(
            self.ctx.inst,
            self.ctx.layout,
            self.ctx.arcs,
            self.hold,
            x=self.best.x,
            cands=self.best.cands,
        )
        self.best.offer(x, cands)

    # -- phases

    def solve(self) -> Result:
        try:
            self._subgradient(self._restricted_oracle())  # the oracle is freed before the LP
            if not self.within_gap():
                self._column_generation()
            self._without_lp()
        except FlowTimeout:  # a worker missed the deadline: the best so far is the answer
            self.timed_out = True
        return self._result()

    def _restricted_oracle(self) -> _Restricted:
        """All pairs when the exact function is cheap; else the top pairs by best and direct
        route value plus the pairs of the exact flow at lam = 0 (the first bound)."""
        arcs = self.ctx.arcs
        assert arcs.pair is not None
        t0 = time.perf_counter()
        if self.exact_oracle:
            in_pair = np.ones(arcs.n_pairs, dtype=bool)
        else:
            lam = self.steps.best_lam  # lam = 0, or the dense path's last multipliers
            if self.exact_at is not None and np.array_equal(self.exact_at[0], lam):
                flow, pv = self.exact_at[1:]  # evaluated already (`dense._support_from_flow`)
            else:
                flow, pv = self.exact_bound(lam)
                self.clock.record("exact", t0)
            self.exact_at = None
            t0 = time.perf_counter()
            in_pair = self._top_pairs(pv) | (flow > 0)
            del flow, pv  # freed before the oracle is built (memory at 50k)
        restr = _Restricted(self.ctx.inst, self.ctx.layout, arcs, in_pair)
        if self.workers is not None:
            restr.transport.use_workers(self.workers, self.recv_deadline)
        self.clock.record("restrict", t0)
        return restr

    def _top_pairs(self, pv: np.ndarray) -> np.ndarray:
        """The RESTRICT_K best pairs per supply and per demand by best route value `pv` and
        by direct route value."""
        arcs = self.ctx.arcs
        assert arcs.pair is not None
        direct = arcs.hub < 0
        dv = np.full(arcs.n_pairs, -np.inf)
        dv[arcs.pair[direct]] = self.value[direct]  # at most one direct route per pair
        return _select_pairs(self.pair_sup, self.pair_dem, pv, dv, k=RESTRICT_K)

    def _step_fits(self) -> bool:
        """Another subgradient step (and its primal) fits, leaving time for LP_ROUNDS rounds
        of the LP, repair, re-optimisation and exact bound."""
        lp_s = self.clock.est.get("lp", LP_SECONDS_PER_ARC * self.n_support)
        rounds_lp = lp_s * sum(LP_ROUND_GROWTH**k for k in range(LP_ROUNDS))
        est = self.clock.est
        after = self.reserve + rounds_lp + LP_ROUNDS * (est["exact"] + est["reoptimise"])
        return self.clock.fits("oracle", "primal", reserve=after)

    def _subgradient(self, restr: _Restricted) -> None:
        """Phase 1; one evaluation and its repair always run (a short limit still gets a
        solution)."""
        steps = self.steps
        lam = steps.best_lam
        while self.iters < self.max_iter:
            if self.iters and not self._step_fits():
                break
            relaxed = self._oracle_step(restr, lam)
            steps.observe(relaxed.value_eur, lam)
            primal_now = self.iters == 1 or self.iters % PRIMAL_EVERY == 0
            if primal_now:
                self._heuristic_primal(restr, relaxed)
            if self.within_gap() or not lam.size:
                break
            if steps.theta < 1e-3:
                lam = steps.restart()
                continue
            nxt = steps.polyak(lam, relaxed, self.caps_t, self.best.value_eur)
            if nxt is None:  # capacity-feasible relaxed flow: no better multipliers here
                if not primal_now:
                    self._heuristic_primal(restr, relaxed)
                break
            lam = nxt
        if self.exact_oracle and np.isfinite(steps.best_lr):
            self.lagr_bounds.append(steps.best_lr)

    def _oracle_step(self, restr: _Restricted, lam: np.ndarray) -> RelaxedFlow:
        """One oracle evaluation; its routes join the support (a bound if the oracle is exact)."""
        t0 = time.perf_counter()
        relaxed = restr.evaluate(lam, self.caps_t)
        self.clock.record("oracle", t0)
        self.support[restr.idx[relaxed.arc[relaxed.flow > 0]]] = True
        self.n_support = int(self.support.sum())
        self.iters += 1
        if self.exact_oracle:
            if relaxed.value_eur < self.bound and self.keep_best_flow:
                pv = relaxed.adj[relaxed.arc] if len(relaxed.arc) else np.zeros(0)
                self.best_flow = (np.maximum(lam, 0.0), relaxed.flow, pv)
            self.bound = min(self.bound, relaxed.value_eur)  # the exact Lagrangian function
        return relaxed

    def _heuristic_primal(self, restr: _Restricted, relaxed: RelaxedFlow) -> None:
        """The Lagrangian heuristic's solution: offered as incumbent, its arcs join the support."""
        t = time.perf_counter()
        x = _lagrangian_primal(self.ctx.inst, self.ctx.layout, restr.cands, relaxed)
        self.best.offer(x, restr.cands)
        self.support[restr.idx[np.flatnonzero(x > 0)]] = True
        self.clock.record("primal", t)

    def _column_generation(self) -> None:
        """Phase 2: LP rounds over the support, pricing new pairs by exact evaluations."""
        t0 = time.perf_counter()
        master = _SupportLP(self.ctx.inst, self.ctx.layout, self.ctx.arcs, self.support)
        self.master = master
        self.clock.record("lp_setup", t0)
        while self._lp_round(master):
            new_pairs = self._price(master)
            if new_pairs is None:
                break
            master.add_pairs(new_pairs)
            if self.lp_rounds >= self.max_lp_rounds:
                break

    def predicted_lp_seconds(self, n_columns: int) -> float | None:
        """The support LP's solve time with `n_columns` arc columns, from the last solved
        one (`lp_fit`); None before any was solved."""
        if self.lp_fit is None:
            return None
        n0, seconds = self.lp_fit
        growth = LP_TIME_EXPONENT * math.log(max(1, n_columns) / max(1, n0))
        return seconds * math.exp(min(growth, 700.0))  # (no float overflow)

    def _lp_round(self, master: _SupportLP) -> bool:
        """Solve the support LP, repair its solution and re-optimise the free arcs. A round
        is worth starting when its LP, repair and re-optimisation fit; True when the exact
        bound from its duals should follow (gap still open and it fits). An interior-point
        LP stopped by the time limit returns nothing, so an LP predicted not to finish is
        not started (`lp_fit`)."""
        est = self.clock.est
        after = self.reserve + est.get("repair", 0.5) + est["reoptimise"]
        if self.clock.remaining() < after + 1.0:
            return False
        n_columns = int(master.in_model.sum())
        predicted = self.predicted_lp_seconds(n_columns)
        if predicted is not None and predicted > self.clock.remaining() - after:
            self.lp_skipped += 1
            return False
        t0 = time.perf_counter()
        solved = master.solve(self.clock.remaining() - after)
        self.clock.record("lp", t0)
        if not solved:
            self.timed_out = True
            return False
        self.lp_fit = (n_columns, time.perf_counter() - t0)
        self.lp_rounds += 1
        self.lp_obj = master.objective()
        self.last_duals = master.master.row_duals().copy()
        t0 = time.perf_counter()
        cands = master.master.cands
        self.best.offer(
            _repair_and_fill(self.ctx.inst, self.ctx.layout, cands, master.arc_values()), cands
        )
        self.clock.record("repair", t0)
        if not self.within_gap() and self.clock.fits("reoptimise", reserve=self.reserve):
            t0 = time.perf_counter()
            self.reoptimise()
            self.clock.record("reoptimise", t0)
        if self.price_by_duals:
            return self.clock.fits("lp", "repair", reserve=self.reserve)
        return not self.within_gap() and self.clock.fits("exact", reserve=self.reserve)

    # dense path (`dense.DenseSolve`): this instance's arcs are a working set, so its
    # bounds are not the answer; the LP rounds go on until its duals price every working
    # arc out (they become the dual solution whose repair over all arcs is the bound)
    price_by_duals = False
    max_iter = SUBGRADIENT_MAX_ITER
    max_lp_rounds = 1_000_000  # the dense path's later rounds run one

    def _price(self, master: _SupportLP) -> np.ndarray | None:
        """Exact bound at the LP's dual multipliers; the pairs its flow uses outside the LP
        (None: stop, the gap is closed, nothing is new, or another round does not fit)."""
        if self.price_by_duals:
            return self._price_by_duals(master)
        t0 = time.perf_counter()
        flow, _ = self.exact_bound(master.multipliers())
        self.clock.record("exact", t0)
        new_pairs = (flow > 0) & ~master.has_pair
        if self.within_gap() or not new_pairs.any():
            return None
        if not self.clock.fits("lp", "repair", "reoptimise", reserve=self.reserve):
            return None
        return new_pairs

    def _price_by_duals(self, master: _SupportLP) -> np.ndarray | None:
        """Every working arc priced with the LP duals (capacity in the Lagrangian form,
        see `dense.Pricer._pot_by_hub`); the pairs of the PRICE_PAIRS_PER_ROUND * demands
        best positive ones join the LP (None: none left, or no time)."""
        from urbanmine.engine.matching.dense import duals_from_rows

        t0 = time.perf_counter()
        arcs = self.ctx.arcs
        assert arcs.pair is not None and self.last_duals is not None
        d = duals_from_rows(self.last_duals, self.ctx.layout)
        rv = adjusted_values(self.value, self.hold, d.capacity_prices())
        rv -= d.u[arcs.sup] + d.v[arcs.dem]
        tol = 1e-7 * max(1.0, float(np.abs(self.value).max()) if len(self.value) else 1.0)
        cand = np.flatnonzero((rv > tol) & ~master.in_model)
        self.clock.record("price", t0)
        self.priced_positive = len(cand)
        if not len(cand) or not self.clock.fits("lp", "repair", reserve=self.reserve):
            return None
        limit = PRICE_PAIRS_PER_ROUND * self.ctx.layout.n_demand
        if len(cand) > limit:
            cand = cand[np.argpartition(-rv[cand], limit)[:limit]]
        master.add_arcs(cand)  # routes of pairs already present; new pairs come whole
        new_pairs = np.zeros(arcs.n_pairs, dtype=bool)
        new_pairs[arcs.pair[cand]] = True
        return new_pairs & ~master.has_pair

    def _without_lp(self) -> None:
        """Phase 3, only when no LP round ran: an exact bound at the best subgradient
        multipliers (the restricted oracle's values are no bounds) and a re-optimisation."""
        if self.lp_rounds:
            return
        if not self.exact_oracle and self.clock.fits("exact", reserve=self.reserve):
            self.exact_bound(self.steps.best_lam)
        if not self.within_gap() and self.clock.fits("reoptimise", reserve=self.reserve):
            self.reoptimise()

    def _result(self) -> Result:
        """Status, stats (written to Result.extra) and the contract-shaped result."""
        ctx, clock = self.ctx, self.clock
        if ctx.deadline is not None and not self.within_gap():
            self.timed_out = self.timed_out or clock.remaining() < self.reserve + 5.0
        ctx.stats.update(
            method="lagrangian+lp",
            exact_oracle=self.exact_oracle,
            subgradient_iterations=self.iters,
            exact_evaluations=self.exact_evals,
            pricing_rounds=self.lp_rounds,
            support_arcs=self.n_support,
            lp_objective_eur=self.lp_obj,
            model_arcs=len(self.best.cands),
            lagrangian_bounds=", ".join(f"{b:.0f}" for b in self.lagr_bounds),
            timings=", ".join(f"{k} {v:.1f}" for k, v in clock.est.items() if k.endswith("_total")),
            solve_seconds=time.perf_counter() - ctx.t_start,
        )
        return _finish(
            ctx,
            self.best.cands,
            self.best.x,
            objective=max(self.best.value_eur, 0.0),
            bound=self.bound,
            timed_out=self.timed_out,
        )


class _SupportLP:
    """LP relaxation over a subset of the arcs (the Lagrangian support and the direct route
    of each of its pairs); columns are added per pair (all routes of a new pair). Every
    solve is an IPM with crossover: the dual simplex stalls on the long stock chains, and a
    primal simplex from the previous basis was slower than a fresh IPM (10k: 44 s vs 4.5 s).
    New columns are the pairs the exact Lagrangian flow uses; arcs with a positive reduced
    value in pairs already present are not priced (see ADR 0002, next steps)."""

    def __init__(self, inst: Instance, layout: Layout, all_arcs: Candidates, support: np.ndarray):
        assert all_arcs.pair is not None
        self.inst, self.layout, self.all_arcs = inst, layout, all_arcs
        self.has_pair = np.zeros(all_arcs.n_pairs, dtype=bool)
        self.has_pair[all_arcs.pair[support]] = True
        self.in_model = support | (self.has_pair[all_arcs.pair] & (all_arcs.hub < 0))
        self.master = Master(inst, layout, all_arcs.subset(self.in_model), integer=False)
        self.master.h.setOptionValue("solver", "ipm")
        self.master.h.setOptionValue("run_crossover", "on")

    def add_pairs(self, new_pairs: np.ndarray) -> None:
        """All routes of the new pairs become columns."""
        assert self.all_arcs.pair is not None
        self.has_pair |= new_pairs
        add = new_pairs[self.all_arcs.pair] & ~self.in_model
        if add.any():
            self.in_model |= add
            self.master.add_arcs(self.all_arcs.subset(add))

    def add_arcs(self, idx: np.ndarray) -> None:
        """Single routes (indices into all_arcs) become columns."""
        add = np.zeros(len(self.in_model), dtype=bool)
        add[idx] = True
        add &= ~self.in_model
        if add.any():
            self.in_model |= add
            self.master.add_arcs(self.all_arcs.subset(add))

    def solve(self, time_limit: float) -> bool:
        self.master.run(time_limit)
        return self.master.h.getModelStatus() == highspy.HighsModelStatus.kOptimal

    def objective(self) -> float:
        return float(self.master.h.getInfo().objective_function_value)

    def arc_values(self) -> np.ndarray:
        return _lp_arc_values(self.master)

    def multipliers(self) -> np.ndarray:
        """Capacity multipliers from the stock-row duals (the stock columns' reduced values)."""
        n_sd = self.layout.n_supply + self.layout.n_demand
        y = self.master.row_duals()[n_sd:]
        return lambda_from_duals(y.reshape(self.layout.n_binding, len(self.layout.events)))


def _reoptimise_free(
    inst: Instance,
    layout: Layout,
    all_arcs: Candidates,
    hold: HubHolding,
    *,
    x: np.ndarray,
    cands: Candidates,
) -> tuple[np.ndarray, Candidates]:
    """Keep the solution (`x` units on `cands`)'s capacity-using arcs, re-solve everything
    else exactly.

    Arcs that hold mass at a binding hub stay as they are (they fit the capacity); the
    rest of the problem (direct arcs and routes that use no binding capacity) is a
    transportation problem on the residual quantities, solved to optimality per group by
    min-cost flow. The old free arcs are a feasible point of that problem, so the result is
    never worse. `hold` is the holding of `all_arcs`."""
    a = inst.arrays
    layout_hold = hub_holding(cands, layout.hub_slot, layout.events, inst)
    keep = np.zeros(len(cands), dtype=bool)
    keep[layout_hold.arc] = True
    keep &= x > 0
    kept = cands.subset(np.flatnonzero(keep))
    kx = x[keep]
    rem_s = a.s_qty - np.bincount(kept.sup, weights=kx, minlength=len(a.s_qty)).astype(np.int64)
    rem_d = a.d_qty - np.bincount(kept.dem, weights=kx, minlength=len(a.d_qty)).astype(np.int64)
    free = np.ones(len(all_arcs), dtype=bool)
    free[hold.arc] = False
    f_idx = np.flatnonzero(free)
    assert all_arcs.pair is not None
    # best free route per pair
    order = f_idx[np.lexsort((-all_arcs.value_eur_per_unit[f_idx], all_arcs.pair[f_idx]))]
    fp = all_arcs.pair[order]
    first = np.r_[True, fp[1:] != fp[:-1]] if len(fp) else np.zeros(0, dtype=bool)
    best_arc = order[first]
    n_free = len(best_arc)
    transport = PairTransport(
        inst,
        np.arange(n_free),
        all_arcs.sup[best_arc].astype(np.int64),
        all_arcs.dem[best_arc].astype(np.int64),
        s_qty=np.maximum(rem_s, 0),
        d_qty=np.maximum(rem_d, 0),
    )
    _, flow = transport.solve(all_arcs.value_eur_per_unit[best_arc])
    used = np.flatnonzero(flow > 0)
    out = Candidates.concat([kept, all_arcs.subset(best_arc[used])])
    out.pair = None
    x_out = np.concatenate([kx, flow[used]]).astype(np.int64)
    return x_out, out
