"""Lagrangian upper bound: relax hub capacity, solve one transportation problem per group.

Product groups only interact through hub capacity. Price the capacity of every binding hub
on every event interval with a multiplier `lam[h, k] >= 0`; an arc held at hub h over the
event intervals [p0, p1) then pays `mass * sum(lam[h, p0:p1])` per unit, and the problem
separates into one transportation problem per product group in which each (supply, demand)
pair only needs its best route. For ANY `lam >= 0` (weak duality)

    optimum <= sum_g z_g(lam) + sum_{h,k} lam[h, k] * capacity_h,

where z_g is the exact optimum of group g's transportation problem. z_g is computed by
OR-Tools' min-cost flow on integer costs rounded UP (ceil(value * scale)), which can only
raise z_g, so the bound stays valid; the rounding adds at most (units moved) / scale euros.
Hubs that cannot bind have no rows (their capacity is never exceeded by any assignment), so
the bound is valid for the full problem, not only for a restricted master.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np
from ortools.graph.python import min_cost_flow

from urbanmine.engine.matching.candidates import Candidates
from urbanmine.engine.matching.instance import Instance

# Integer cost scaling: largest |unit cost| times (nodes + 1) must stay far below 2**63.
_MAX_SCALED = 4e17
_MAX_SCALE = 1e6
_BOUND_SLACK_REL = 1e-9  # float rounding in the adjusted values, well below any tolerance

# one group's min-cost flow: (network index, pairs used, their values) -> (z, flow per pair)
FlowTask = tuple[int, np.ndarray, np.ndarray]
FlowResult = tuple[float, np.ndarray]


@dataclass
class HubHolding:
    """Arcs that hold mass at a binding hub: arc index, slot, event positions [p0, p1)."""

    arc: np.ndarray  # int64 arc index
    slot: np.ndarray  # int64 binding-hub slot
    p0: np.ndarray  # int64 first event position held
    p1: np.ndarray  # int64 first event position no longer held
    mass_t: np.ndarray  # float64 tonnes per unit


def hub_holding(
    arcs: Candidates, hub_slot: np.ndarray, events: np.ndarray, inst: Instance
) -> HubHolding:
    """The holding intervals of every arc routed via a binding hub (delivered after arrival)."""
    a = inst.arrays
    hub = arcs.hub.astype(np.int64)
    if len(hub_slot) == 0:
        e = np.zeros(0, dtype=np.int64)
        return HubHolding(e, e, e, e, np.zeros(0))
    slot = hub_slot[np.maximum(hub, 0)]
    start = a.s_day[arcs.sup]
    idx = np.flatnonzero((hub >= 0) & (slot >= 0) & (arcs.day > start))
    return HubHolding(
        idx.astype(np.int32 if len(hub) < 2**31 else np.int64),
        slot[idx].astype(np.int32),
        np.searchsorted(events, start[idx]).astype(np.int32),
        np.searchsorted(events, arcs.day[idx]).astype(np.int32),
        a.s_mass_t[arcs.sup[idx]],
    )


def adjusted_values(value: np.ndarray, hold: HubHolding, lam: np.ndarray) -> np.ndarray:
    """Per-unit arc values minus the priced hub capacity they use: value - mass * lam-sum."""
    cum = np.zeros((lam.shape[0], lam.shape[1] + 1))
    if lam.size:
        np.cumsum(lam, axis=1, out=cum[:, 1:])
    return potential_values(value, hold, cum)


def potential_values(value: np.ndarray, hold: HubHolding, pot: np.ndarray) -> np.ndarray:
    """value - mass * (pot[slot, p1] - pot[slot, p0]) for held arcs (pot: binding slot x
    event position); with pot = cumulative multipliers these are the Lagrangian values, with
    pot = stock-row duals the LP reduced values before the supply and demand duals."""
    out = value.astype(np.float64, copy=True)
    if len(hold.arc) and pot.size:
        flat = pot.ravel()
        width = pot.shape[1]
        base = hold.slot.astype(np.int64) * width
        out[hold.arc] -= hold.mass_t * (flat[base + hold.p1] - flat[base + hold.p0])
    return out


@dataclass
class _GroupNet:
    pairs: np.ndarray  # pair indices of the group
    s_loc: np.ndarray  # local supply node of each pair
    d_loc: np.ndarray  # local demand node (offset by n_s)
    s_qty: np.ndarray
    d_qty: np.ndarray
    pair_cap: np.ndarray


class PairTransport:
    """(supply, demand) pairs of the arc cache and one transportation network per group."""

    def __init__(
        self,
        inst: Instance,
        arc_pair: np.ndarray,
        pair_sup: np.ndarray,
        pair_dem: np.ndarray,
        *,
        s_qty: np.ndarray | None = None,
        d_qty: np.ndarray | None = None,
    ):
        """`s_qty`/`d_qty` override the instance quantities (a residual problem)."""
        a = inst.arrays
        s_all = a.s_qty if s_qty is None else s_qty
        d_all = a.d_qty if d_qty is None else d_qty
        self.arc_pair = arc_pair
        self.n_pairs = len(pair_sup)
        self.pair_sup = pair_sup
        self.pair_dem = pair_dem
        g_of = a.s_group[pair_sup]
        order = np.argsort(g_of, kind="stable")
        cuts = np.searchsorted(g_of[order], np.arange(len(inst.product_groups) + 1))
        self.nets: list[_GroupNet] = []
        for g in range(len(inst.product_groups)):
            p = order[cuts[g] : cuts[g + 1]]
            if not len(p):
                continue
            s_u, s_loc = np.unique(pair_sup[p], return_inverse=True)
            d_u, d_loc = np.unique(pair_dem[p], return_inverse=True)
            self.nets.append(
                _GroupNet(
                    p,
                    s_loc.astype(np.int64),
                    d_loc.astype(np.int64) + len(s_u),
                    s_all[s_u].astype(np.int64),
                    d_all[d_u].astype(np.int64),
                    np.minimum(s_all[pair_sup[p]], d_all[pair_dem[p]]).astype(np.int64),
                )
            )

    def pair_values(self, arc_values: np.ndarray) -> np.ndarray:
        """Best route value of every pair (direct or via any hub)."""
        pv = np.full(self.n_pairs, -np.inf)
        np.maximum.at(pv, self.arc_pair, arc_values)
        return pv

    workers: FlowWorkers | None = None
    recv_deadline: float | None = None  # perf_counter time the workers must answer by

    def use_workers(self, workers: FlowWorkers, recv_deadline: float | None = None) -> None:
        """Solve the groups in `workers` from now on (they receive the networks once);
        FlowTimeout when they have not answered by `recv_deadline`."""
        workers.register(id(self), self.nets)
        self.workers = workers
        self.recv_deadline = recv_deadline

    def solve(self, pv: np.ndarray) -> tuple[float, np.ndarray]:
        """Exact max of sum(pv * flow) over transportation flows, rounded UP to a valid upper
        bound; returns (upper bound of the maximum, integral flow per pair)."""
        flow = np.zeros(self.n_pairs, dtype=np.int64)
        tasks: list[FlowTask] = []
        for i, net in enumerate(self.nets):
            v = pv[net.pairs]
            # pairs that can carry nothing (residual quantity 0) stay out: a group may have none
            use = np.flatnonzero((v > 0) & (net.pair_cap > 0))
            if len(use):
                tasks.append((i, use, v[use]))
        if self.workers is not None:
            results = self.workers.solve(id(self), tasks, self.recv_deadline)
        else:
            results = [_transport(self.nets[i], use, v) for i, use, v in tasks]
        total = 0.0
        for (i, use, _), (z, f) in zip(tasks, results, strict=True):
            total += z
            flow[self.nets[i].pairs[use]] = f
        return total, flow


def _worker_main(conn: Connection) -> None:
    """A flow worker: holds networks by key, solves the groups it is sent."""
    nets: dict[int, dict[int, _GroupNet]] = {}
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg[0] == "stop":
            conn.send(_peak_mb())
            return
        if msg[0] == "net":
            nets.setdefault(msg[1], {})[msg[2]] = msg[3]
            continue
        try:
            out = [_transport(nets[msg[1]][i], use, v) for i, use, v in msg[2]]
            conn.send(("ok", out))
        except Exception as e:  # reported to the parent, which raises it
            conn.send(("error", f"{type(e).__name__}: {e}"))


class FlowTimeout(RuntimeError):
    """A flow worker did not answer before the solve's deadline (the workers are stopped)."""


class FlowWorkers:
    """Worker processes for the per-group min-cost flows: OR-Tools holds the GIL, so only
    processes share the work between cores. They are spawned fresh (a fork of a process
    holding gigabytes of arcs would share its pages only until touched) and receive each
    set of group networks once; per evaluation only the route values travel."""

    def __init__(self, n: int):
        ctx = multiprocessing.get_context("spawn")
        self.conns = []
        self.procs = []
        for _ in range(n):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
            proc.start()
            child.close()
            self.conns.append(parent)
            self.procs.append(proc)

    @staticmethod
    def available() -> int:
        """How many workers make sense here: one per core, none inside a daemonic process
        (e.g. a Celery prefork worker, which may not start children)."""
        if multiprocessing.current_process().daemon:
            return 0
        n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return n if n and n > 1 else 0

    def register(self, key: int, nets: list[_GroupNet]) -> None:
        """Send every worker the networks, one group per message (small pickles), without
        the pair numbers (only the parent maps flows back to pairs)."""
        no_pairs = np.zeros(0, dtype=np.int32)
        for i, n in enumerate(nets):
            lean = _GroupNet(
                no_pairs,
                n.s_loc.astype(np.int32),
                n.d_loc.astype(np.int32),
                n.s_qty,
                n.d_qty,
                n.pair_cap,
            )
            for c in self.conns:
                c.send(("net", key, i, lean))

    def solve(
        self, key: int, tasks: list[FlowTask], deadline: float | None = None
    ) -> list[FlowResult]:
        """Results in task order; the largest groups are dealt out first (LPT). A worker
        that has not answered by `deadline` (perf_counter time) is stopped with the others
        and FlowTimeout raised: a stuck or slow worker never holds the solve past its
        time limit."""
        share: list[list[int]] = [[] for _ in self.conns]
        load = np.zeros(len(self.conns))
        for t in sorted(range(len(tasks)), key=lambda t: -len(tasks[t][1])):
            w = int(load.argmin())
            share[w].append(t)
            load[w] += len(tasks[t][1])
        for c, mine in zip(self.conns, share, strict=True):
            c.send(("solve", key, [tasks[t] for t in mine]))
        results: list[FlowResult | None] = [None] * len(tasks)
        failed = []
        for c, mine in zip(self.conns, share, strict=True):  # every reply is read first
            if deadline is not None and not c.poll(max(0.0, deadline - time.perf_counter())):
                self.kill()
                raise FlowTimeout("min-cost flow worker did not answer before the deadline")
            try:
                status, out = c.recv()
            except (EOFError, OSError) as e:
                failed.append(f"worker gone ({type(e).__name__})")
                continue
            if status != "ok":
                failed.append(str(out))
                continue
            for t, r in zip(mine, out, strict=True):
                results[t] = r
        if failed:
            raise RuntimeError("min-cost flow worker failed: " + "; ".join(failed))
        done = [r for r in results if r is not None]
        assert len(done) == len(tasks)  # every worker answered for each of its tasks
        return done

    def kill(self) -> None:
        """Stop every worker at once (after a timeout: their replies are no longer read)."""
        for p in self.procs:
            if p.is_alive():
                p.terminate()
        for p in self.procs:
            p.join(2)
        for c in self.conns:
            c.close()
        self.dead = True

    dead = False

    def close(self) -> float:
        """Stop the workers; returns the sum of their peak memory in MB (0 if unknown)."""
        peak = 0.0
        if self.dead:
            return peak
        for c in self.conns:
            try:
                c.send(("stop",))
                while c.poll(5):  # skip any reply left over from a failed solve
                    reply = c.recv()
                    if isinstance(reply, float):
                        peak += reply
                        break
                c.close()
            except (OSError, EOFError, ValueError):
                pass
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
        return peak


def _peak_mb() -> float:
    """Peak resident memory of this process in MB. VmHWM where Linux has it: ru_maxrss of a
    spawned process also counts the parent's pages it was forked with before exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _transport(net: _GroupNet, use: np.ndarray, v: np.ndarray) -> tuple[float, np.ndarray]:
    n_s, n_d = len(net.s_qty), len(net.d_qty)
    sink = n_s + n_d
    vmax = float(v.max())
    units = float(net.s_qty.sum())
    scale = min(_MAX_SCALE, _MAX_SCALED / (vmax * (sink + 2)), _MAX_SCALED / (vmax * units))
    while True:
        cost = -np.ceil(v * scale).astype(np.int64)
        mcf = min_cost_flow.SimpleMinCostFlow()
        # pair arcs, demand -> sink (demand quantity), supply -> sink (units left unused)
        mcf.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([net.s_loc[use], n_s + np.arange(n_d), np.arange(n_s)]),
            np.concatenate([net.d_loc[use], np.full(n_d + n_s, sink)]),
            np.concatenate([net.pair_cap[use], net.d_qty, net.s_qty]),
            np.concatenate([cost, np.zeros(n_d + n_s, dtype=np.int64)]),
        )
        mcf.set_nodes_supplies(
            np.arange(sink + 1),
            np.concatenate([net.s_qty, np.zeros(n_d, dtype=np.int64), [-net.s_qty.sum()]]),
        )
        status = mcf.solve()
        if status == mcf.OPTIMAL:
            break
        if status == mcf.BAD_COST_RANGE and scale > 1e-3:
            scale /= 64.0
            continue
        raise RuntimeError(f"min-cost flow failed with status {status}")
    z = -float(mcf.optimal_cost()) / scale
    f = np.asarray(mcf.flows(np.arange(len(use))), dtype=np.int64)
    return z + _BOUND_SLACK_REL * abs(z), f


def lambda_from_duals(y_hub: np.ndarray) -> np.ndarray:
    """Capacity multipliers from the stock-balance row duals pi[h, k] of the LP master:
    lam[h, k] = max(0, pi[h, k + 1] - pi[h, k]) (the stock column's reduced value)."""
    if y_hub.size == 0:
        return y_hub
    nxt = np.concatenate([y_hub[:, 1:], np.zeros((y_hub.shape[0], 1))], axis=1)
    lam: np.ndarray = np.maximum(nxt - y_hub, 0.0)
    return lam


def lagrangian_bound(
    transport: PairTransport,
    value: np.ndarray,
    hold: HubHolding,
    lam: np.ndarray,
    caps_t: np.ndarray,
) -> tuple[float, np.ndarray, np.ndarray]:
    """sum_g z_g(lam) + sum lam * capacity (valid for any lam >= 0); also the integral pair
    flows and the best adjusted route value of every pair."""
    lam = np.maximum(lam, 0.0)
    pv = transport.pair_values(adjusted_values(value, hold, lam))
    z, flow = transport.solve(pv)
    cap_term = float((lam * caps_t[:, None]).sum()) if lam.size else 0.0
    return z + cap_term, flow, pv


class PairRoutes:
    """The arcs of each (supply, demand) pair, grouped: best adjusted route per pair.
    Pairs are numbered densely 0..n_pairs-1 and every pair has at least one arc."""

    def __init__(self, arc_pair: np.ndarray, n_pairs: int):
        self.order = np.argsort(arc_pair, kind="stable")
        self.pair_sorted = arc_pair[self.order]
        counts = np.bincount(arc_pair, minlength=n_pairs)
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.n_pairs = n_pairs

    def best(self, adj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(best adjusted value per pair, arc index of a best route per pair)."""
        if self.n_pairs == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        a = adj[self.order]
        pv = np.maximum.reduceat(a, self.starts)
        pos = np.flatnonzero(a >= pv[self.pair_sorted])
        ps = self.pair_sorted[pos]
        first = np.r_[True, ps[1:] != ps[:-1]]
        return pv, self.order[pos[first]]


def hub_load(
    hold: HubHolding, n_arcs: int, arcs: np.ndarray, units: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Mass held per binding slot and event interval when `units` go on `arcs`."""
    n_slot, n_ev = shape
    out = np.zeros((n_slot, n_ev))
    if not len(hold.arc) or not n_slot:
        return out
    pos = np.full(n_arcs, -1, dtype=np.int64)
    pos[hold.arc] = np.arange(len(hold.arc))
    q = pos[arcs]
    ok = q >= 0
    q, w = q[ok], units[ok] * hold.mass_t[q[ok]]
    width = n_ev + 1
    base = hold.slot[q].astype(np.int64) * width
    diff = np.bincount(base + hold.p0[q], weights=w, minlength=n_slot * width)
    diff -= np.bincount(base + hold.p1[q], weights=w, minlength=n_slot * width)
    return np.cumsum(diff.reshape(n_slot, width), axis=1)[:, :n_ev]
