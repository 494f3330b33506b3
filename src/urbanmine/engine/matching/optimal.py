"""Optimal matching: an integer programme over candidate arcs, solved by HiGHS.

Model (maximise): one integer column per arc (supply, demand, route, earliest date), rows

* supply:  sum of units taken from a lot <= its quantity;
* demand:  sum of units delivered to a line <= its quantity;
* hub capacity (only hubs that can bind): a stock column per hub and event day with
  `stock[k] = stock[k-1] + mass arriving on day k - mass leaving on day k`, `0 <= stock <=
  capacity`; a hub arc enters two rows, so the matrix stays sparse.

Without binding hubs the matrix is a transportation problem (totally unimodular): the LP
vertex HiGHS returns is integral and optimal. With binding hubs, small models go to the
HiGHS MILP (proven gap), large ones use column generation on the LP relaxation: a
restricted master over the best arcs per demand, pricing every arc with the LP duals, and a
dual-repair upper bound `LP + sum_s quantity_s * max(0, max reduced value of s's arcs)` that
is valid even before pricing converges. The LP solution is rounded down and topped up
greedily, so the reported gap is honest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from urbanmine.engine.matching.candidates import Candidates, iter_candidate_blocks
from urbanmine.engine.matching.greedy import Ledger, build_result, event_days, fill
from urbanmine.engine.matching.instance import Instance, Result

OPTIMAL_REL_GAP = 1e-6  # "optimal" means (bound - objective) <= 1e-6 * max(1, |bound|)
FULL_MODEL_MAX_ARCS = 300_000  # above this, column generation on a restricted master
TOP_K_PER_DEMAND = 6
TOP_K_PER_SUPPLY = 4
ADD_K_PER_DEMAND = 8
MAX_PRICING_ROUNDS = 12
_RC_TOL = 1e-7


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


def add_supply_constraints(layout: Layout, cands: Candidates, inst: Instance):
    """Rows 0..n_supply-1: units taken from each lot <= quantity."""
    a = inst.arrays
    rows = cands.sup
    return rows, np.ones(len(cands)), np.zeros(layout.n_supply), a.s_qty.astype(float)


def add_demand_constraints(layout: Layout, cands: Candidates, inst: Instance):
    """Rows after the supplies: units delivered to each line <= quantity."""
    a = inst.arrays
    rows = layout.n_supply + cands.dem
    return rows, np.ones(len(cands)), np.zeros(layout.n_demand), a.d_qty.astype(float)


def add_hub_capacity_constraints(layout: Layout, cands: Candidates, inst: Instance):
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


def stock_columns(layout: Layout, inst: Instance):
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
        self.h = highspy.Highs()
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
        if time_limit is not None:
            self.h.setOptionValue("time_limit", max(0.1, float(time_limit)))
        self.h.run()

    def arc_values(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)[self.arc_cols]

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().row_dual)


def reduced_values(layout: Layout, cands: Candidates, inst: Instance, y: np.ndarray) -> np.ndarray:
    """value - A^T y per arc: positive means the arc would improve the LP."""
    rc = cands.value_eur_per_unit - y[cands.sup] - y[layout.n_supply + cands.dem]
    idx, r_in, r_out, m = add_hub_capacity_constraints(layout, cands, inst)
    rc[idx] -= m * (y[r_out] - y[r_in])
    return rc


def dual_bound(
    layout: Layout, inst: Instance, y: np.ndarray, rc: np.ndarray, sup: np.ndarray
) -> float:
    """Upper bound from any row duals y (weak duality), valid even for duals of a restricted
    or unfinished LP: sum(b*u) + sum_s q_s*max(0, best reduced value of s) +
    sum(capacity * max(0, stock reduced value))."""
    a = inst.arrays
    n_sd = layout.n_supply + layout.n_demand
    bound = float(a.s_qty @ y[: layout.n_supply] + a.d_qty @ y[layout.n_supply : n_sd])
    delta = np.zeros(layout.n_supply)
    pos = rc > 0
    np.maximum.at(delta, sup[pos], rc[pos])
    bound += float(a.s_qty @ delta)
    n_ev = len(layout.events)
    if layout.n_binding:
        pi = y[n_sd:].reshape(layout.n_binding, n_ev)
        nxt = np.concatenate([pi[:, 1:], np.zeros((layout.n_binding, 1))], axis=1)
        stock_rc = nxt - pi
        caps = a.h_cap_t[np.flatnonzero(layout.hub_slot >= 0)]
        caps = caps[np.argsort(layout.hub_slot[layout.hub_slot >= 0])]
        bound += float((np.maximum(stock_rc, 0.0) * caps[:, None]).sum())
    return bound


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


def solve_optimal(
    inst: Instance,
    time_limit: float | None = None,
    full_model_max_arcs: int = FULL_MODEL_MAX_ARCS,
) -> Result:
    """Best matching with a proven upper bound (see module docstring)."""
    t_start = time.perf_counter()
    deadline = None if time_limit is None else t_start + time_limit
    events = event_days(inst)
    n_h = len(inst.hubs)
    last_day = np.full((len(inst.supply), max(n_h, 1)), np.iinfo(np.int64).min, dtype=np.int64)
    blocks: list[Candidates] = []
    for block in iter_candidate_blocks(inst):
        hub_arcs = block.hub >= 0
        if hub_arcs.any():
            np.maximum.at(last_day, (block.sup[hub_arcs], block.hub[hub_arcs]), block.day[hub_arcs])
        blocks.append(_compact(block))
    all_arcs = Candidates.concat(blocks)
    del blocks
    binding = _binding_hubs(inst, events, last_day) if n_h else np.zeros(0, dtype=bool)
    slot = np.full(n_h, -1, dtype=np.int64)
    slot[binding] = np.arange(int(binding.sum()))
    layout = Layout(len(inst.supply), len(inst.demand), events, slot)
    restricted = len(all_arcs) > full_model_max_arcs
    if restricted:
        # best arcs of every demand and of every supply: lots compete, so both sides matter
        model_idx = np.union1d(
            top_k_indices(all_arcs.dem, all_arcs.value_eur_per_unit, TOP_K_PER_DEMAND),
            top_k_indices(
                all_arcs.sup,
                all_arcs.value_eur_per_unit / np.maximum(inst.arrays.s_mass_t[all_arcs.sup], 1e-12),
                TOP_K_PER_SUPPLY,
            ),
        )
    else:
        model_idx = np.arange(len(all_arcs))
    stats = {
        "solver": "optimal",
        "candidate_arcs": len(all_arcs),
        "binding_hubs": int(binding.sum()),
        "generate_seconds": time.perf_counter() - t_start,
    }
    return _solve(
        inst, layout, all_arcs, model_idx, restricted, bool(binding.any()), deadline, t_start, stats
    )


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


def _milp_polish(inst, layout, cands, x_start, remaining):
    """Exact MILP over the full arc set, warm-started from the rounded LP solution.
    Returns (x, dual bound, timed out)."""
    master = Master(inst, layout, cands, integer=True)
    master.h.setOptionValue("mip_rel_gap", OPTIMAL_REL_GAP)
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


def _stock_values(inst, layout, cands, x) -> np.ndarray:
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


def _solve(
    inst, layout, all_arcs, model_idx, restricted, binding, deadline, t_start, stats
) -> Result:
    """LP first (integral without binding hubs; pricing rounds over the arc cache when the
    master is restricted), round and top up, then MILP polish when the full model is small."""
    master = Master(inst, layout, all_arcs.subset(model_idx), integer=False)
    master.h.setOptionValue("solver", "simplex")
    in_model = np.zeros(len(all_arcs), dtype=bool)
    in_model[model_idx] = True
    timed_out = False
    rounds = 0
    bound = np.inf
    lp_obj = float("nan")
    chunk = 4_000_000
    while True:
        remaining = None if deadline is None else deadline - time.perf_counter()
        master.run(remaining)
        lp_status = master.h.getModelStatus()
        if lp_status == highspy.HighsModelStatus.kModelEmpty:
            lp_obj, bound = 0.0, 0.0  # no arc at all: nothing can be matched
            break
        if lp_status != highspy.HighsModelStatus.kOptimal:
            timed_out = True  # an unfinished LP gives no trustworthy duals
            break
        lp_obj = float(master.h.getInfo().objective_function_value)
        if not restricted:
            bound = lp_obj
            break
        y = master.row_duals().copy()
        n_sd = layout.n_supply + layout.n_demand
        y[:n_sd] = np.maximum(y[:n_sd], 0.0)
        rc = np.empty(len(all_arcs))
        for c0 in range(0, len(all_arcs), chunk):
            part = all_arcs.subset(slice(c0, c0 + chunk))
            rc[c0 : c0 + chunk] = reduced_values(layout, part, inst, y)
        bound = min(bound, dual_bound(layout, inst, y, rc, all_arcs.sup))
        rounds += 1
        cand = np.flatnonzero((rc > _RC_TOL) & ~in_model)
        new_idx = cand[top_k_indices(all_arcs.dem[cand], rc[cand], ADD_K_PER_DEMAND)]
        late = deadline is not None and time.perf_counter() > t_start + 0.6 * (deadline - t_start)
        if len(new_idx) == 0 or rounds >= MAX_PRICING_ROUNDS or late:
            timed_out = len(new_idx) > 0 and late
            break
        in_model[new_idx] = True
        master.add_arcs(all_arcs.subset(new_idx))
    cands = master.cands
    try:
        x_lp = master.arc_values()
    except Exception:
        x_lp = np.zeros(len(cands))
    if len(x_lp) != len(cands):
        x_lp = np.zeros(len(cands))
    x = _repair_and_fill(inst, layout, cands, x_lp)
    objective = float((x * cands.value_eur_per_unit).sum())
    method = "lp-column-generation" if restricted else "lp"
    gap_open = not np.isfinite(bound) or bound - objective > OPTIMAL_REL_GAP * max(1.0, abs(bound))
    if gap_open and binding and not restricted:
        remaining = None if deadline is None else deadline - time.perf_counter()
        if remaining is None or remaining > 0.5:
            x2, mip_bound, timed_out = _milp_polish(inst, layout, cands, x, remaining)
            if np.isfinite(mip_bound):
                bound = min(bound, mip_bound)
            if float((x2 * cands.value_eur_per_unit).sum()) > objective:
                x = x2
                objective = float((x * cands.value_eur_per_unit).sum())
            method = "lp+milp"
    stats.update(
        method=method,
        pricing_rounds=rounds,
        model_arcs=len(cands),
        lp_objective_eur=lp_obj,
        solve_seconds=time.perf_counter() - t_start,
    )
    if not np.isfinite(bound):
        return build_result(inst, cands, x, "time_limit" if timed_out else "feasible", None, stats)
    return build_result(
        inst, cands, x, _status(objective, max(bound, objective), timed_out), bound, stats
    )
