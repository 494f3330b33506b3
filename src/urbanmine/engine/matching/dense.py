"""Dense instances: column generation with streamed pricing, memory independent of density.

When most (supply, demand) pairs are within reach (long maximum distances, a few large
demolition projects), storing every candidate arc is what runs out of memory (issue #16:
50k x 50k has ~80-95 M pairs and ~600 M routes). This path never materialises them:

* `Pricer` walks the candidate space in blocks (one product group, a run of demands sorted
  by window start, the supplies whose dates can reach them), sized so that a block holds at
  most `block_elems` (pair x hub) entries. Per block it computes every route's value exactly
  as `candidates._Generator.arcs` does (same float expressions, so the arcs it returns are
  the generator's arcs), prices them against the current LP duals and keeps only the best
  few positive ones per demand. Nothing else survives the block.
* The LP relaxation (supply, demand and hub stock-balance rows, as `optimal.Master`) is
  solved over a bounded working set of arcs; its duals price ALL arcs in the next pass (the
  pricing gap of ADR 0002 is closed: every route of every pair is priced).
* The bound is LP duality over ALL arcs, never over the working set only: with supply duals
  u >= 0, demand duals v >= 0 and stock-row duals y (free), the dual objective
  `sum q_s u_s + sum q_d v'_d + sum cap_h * max(0, y[h,k+1] - y[h,k])` is an upper bound
  as soon as every arc satisfies `value - m (y[p1] - y[p0]) <= u_s + v'_d`. The pass makes
  that true by construction: `v'_d = v_d + max(0, max reduced value into d)` (the max over
  every arc into d, computed in the blocks). A pass cut short by the deadline gives no
  bound. Before any complete pass the bound is `trivial_bound` (every unit at its gross
  value, no costs), which needs no pairs at all.

Every step checks the deadline (`Budget`), and the working set stops growing when the
process nears its memory budget.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from urbanmine.engine.geo import haversine_km
from urbanmine.engine.matching.candidates import _PREFILTER_SLACK_KM, Candidates, _Generator
from urbanmine.engine.matching.instance import Instance, Result

if TYPE_CHECKING:
    from urbanmine.engine.matching.optimal import LagrangianLP, Layout, SolveContext

PRICING_THREADS = 2  # blocks priced at once (the benchmark machine has 2 cores)
SAMPLE_BLOCKS = 12  # blocks timed and counted to choose the path (`Pricer.sample`)
BLOCK_ELEMS = 2_000_000  # (pair x hub) entries per pricing block: ~16 MB per float array
PRICE_TOL = 1e-7  # relative: reduced values below tol * value scale count as zero


@dataclass
class Duals:
    """LP duals in the sign convention of the dual of max c x, A x <= b: supply u >= 0,
    demand v >= 0, stock-balance rows y (binding slot x event position, free)."""

    u: np.ndarray
    v: np.ndarray
    y: np.ndarray
    w: np.ndarray | None = None  # capacity prices given directly (Lagrange multipliers)

    @classmethod
    def zero(cls, n_s: int, n_d: int, n_slot: int, n_ev: int) -> Duals:
        return cls(np.zeros(n_s), np.zeros(n_d), np.zeros((n_slot, n_ev)))

    def capacity_prices(self) -> np.ndarray:
        """The stock columns' dual values w[h, k] = max(0, y[h, k+1] - y[h, k]) (y after the
        last event is 0): what a tonne of capacity on interval k is worth; or the given
        multipliers."""
        if self.w is not None:
            return self.w
        if self.y.size == 0:
            return self.y
        nxt = np.concatenate([self.y[:, 1:], np.zeros((self.y.shape[0], 1))], axis=1)
        w: np.ndarray = np.maximum(nxt - self.y, 0.0)
        return w


@dataclass
class Budget:
    """The deadline (perf_counter time or None) and the memory budget (bytes of resident
    memory of this process; worker processes report their own)."""

    deadline: float | None
    max_bytes: float

    def remaining(self) -> float:
        return np.inf if self.deadline is None else self.deadline - time.perf_counter()

    def expired(self, reserve: float = 0.0) -> bool:
        return self.remaining() <= reserve

    def rss_bytes(self) -> float:
        return rss_bytes()

    def memory_left(self) -> float:
        return self.max_bytes - self.rss_bytes()


def rss_bytes() -> float:
    """Resident memory of this process now (Linux /proc; 0 where unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0.0


def trivial_bound(inst: Instance) -> float:
    """An upper bound without any pair: a unit of supply s contributes at most its gross
    value m_s * value_g (transport, handling and storage cost >= 0), and a demand line takes
    at most its quantity, each unit worth at most the group's best gross unit value."""
    a = inst.arrays
    total = 0.0
    usable = (~a.s_hazardous) & (a.s_qty > 0)
    for g in range(len(inst.product_groups)):
        v = a.g_value_eur_per_t[g]
        s = usable & (a.s_group == g)
        if v <= 0 or not s.any():
            continue
        unit = a.s_mass_t[s] * v
        by_supply = float((a.s_qty[s] * unit).sum())
        by_demand = float(a.d_qty[a.d_group == g].sum()) * float(unit.max())
        total += min(by_supply, by_demand)
    return total


@dataclass
class PassResult:
    """One pricing pass: the best reduced value into every demand (-inf: no arc) and out
    of every supply (positive part), the selected arcs, whether every block was priced, and its duration."""

    delta: np.ndarray
    eps: np.ndarray  # best positive reduced value out of every supply (0: none)
    arcs: Candidates
    complete: bool
    seconds: float
    blocks: int = 0
    pairs: int = 0
    routes: int = 0
    evaluated: int = 0


@dataclass
class _Block:
    g: int
    demands: np.ndarray  # demand indices (sorted by window start)
    lo: int  # supply range [lo, hi) in the group's day-sorted supplies
    hi: int
    d0: int  # position of the first demand in the group's sorted demands


@dataclass
class Pricer:
    """Streams the candidate space in blocks; see the module docstring."""

    inst: Instance
    events: np.ndarray
    hub_slot: np.ndarray  # hub -> binding slot or -1
    block_elems: int = BLOCK_ELEMS
    gen: _Generator = field(init=False)
    blocks: list[_Block] = field(init=False)

    def __post_init__(self) -> None:
        self.gen = _Generator(self.inst)
        a = self.inst.arrays
        n_h = len(self.inst.hubs)
        self.hubs_g = [
            np.flatnonzero(a.h_accepts[:, g]) if n_h else np.zeros(0, dtype=np.int64)
            for g in range(len(self.inst.product_groups))
        ]
        self.blocks = list(self._make_blocks())
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        scale = a.g_value_eur_per_t.max() * a.s_mass_t.max() if len(a.s_mass_t) else 1.0
        self.tol = PRICE_TOL * max(1.0, float(scale))

    def _make_blocks(self) -> Iterator[_Block]:
        """Runs of demands (by window start) whose supply range x hubs stays within
        block_elems; a single demand is always a block of its own."""
        a = self.inst.arrays
        gen = self.gen
        for g in range(len(self.inst.product_groups)):
            if a.g_value_eur_per_t[g] <= 0:
                continue
            s_idx = gen.s_sorted[g]
            if not len(s_idx):
                continue
            s_day = a.s_day[s_idx]
            d_idx = gen.demands_of(g)
            if not len(d_idx):
                continue
            lo_all = np.searchsorted(s_day, a.d_start[d_idx] - gen.max_lag, side="left")
            width = 1 + len(self.hubs_g[g])
            start = 0
            while start < len(d_idx):
                lo = int(lo_all[start])
                end_max = int(a.d_end[d_idx[start]])
                stop = start + 1
                while stop < len(d_idx):
                    e = max(end_max, int(a.d_end[d_idx[stop]]))
                    hi = int(np.searchsorted(s_day, e, side="right"))
                    if (stop + 1 - start) * max(1, hi - lo) * width > self.block_elems:
                        break
                    end_max = e
                    stop += 1
                hi = int(np.searchsorted(s_day, end_max, side="right"))
                if hi > lo:
                    yield _Block(g, d_idx[start:stop], lo, hi, start)
                start = stop

    def run(
        self,
        duals: Duals,
        keep: int,
        budget: Budget,
        *,
        reserve: float = 0.0,
        all_routes: bool = False,
        keep_sup: int = 0,
        on_block: Callable[[], None] | None = None,
    ) -> PassResult:
        """Price every block against `duals`; keep the `keep` best pairs with a positive
        reduced value per demand (per block: a demand's pairs are all in one block) and the
        `keep_sup` best per supply (across blocks, in a pool pruned as it grows). Stops
        early (complete=False) at the deadline minus `reserve`."""
        t0 = time.perf_counter()
        n_d = len(self.inst.demand)
        delta = np.full(n_d, -np.inf)
        parts: list[Candidates] = []
        pot = self._pot_by_hub(duals)
        complete = True
        out = PassResult(delta, np.zeros(len(self.inst.supply)), Candidates.concat([]), True, 0.0)
        pool = _SupplyPool(len(self.inst.supply), len(self.inst.demand), keep_sup)

        def merge(blk: _Block, got: _Priced | None) -> None:
            out.blocks += 1
            if got is None:
                return
            delta[blk.demands] = np.maximum(delta[blk.demands], got.dmax)
            if len(got.pos_sup):
                np.maximum.at(out.eps, got.pos_sup, got.pos_rv)
            out.pairs += got.pairs
            out.routes += got.routes
            out.evaluated += got.evaluated
            if len(got.arcs):
                parts.append(got.arcs)
            if on_block is not None:
                on_block()

        # NumPy releases the GIL in the heavy array work: two blocks at a time use both
        # cores without a second copy of the instance (results merged in block order)
        threads = PRICING_THREADS if len(self.blocks) >= 4 * PRICING_THREADS else 1
        with ThreadPoolExecutor(threads) as ex:
            pending: deque[tuple[_Block, Future[_Priced | None]]] = deque()
            for blk in self.blocks:
                if (out.blocks or pending) and budget.expired(reserve):
                    complete = False  # (one block always: a short limit still gets routes)
                    break
                fut = ex.submit(
                    self.price_block, blk, duals, pot, keep, all_routes=all_routes, pool=pool
                )
                pending.append((blk, fut))
                if len(pending) > threads:
                    done_blk, done = pending.popleft()
                    merge(done_blk, done.result())
            for done_blk, done in pending:
                merge(done_blk, done.result())
        if keep_sup > 0 and complete:  # (cut short: no time to prune the pool)
            parts.append(pool.pruned())
        out.arcs = Candidates.concat(parts)
        out.arcs.pair = None
        out.complete = complete
        out.seconds = time.perf_counter() - t0
        return out

    def sample(self, n: int = SAMPLE_BLOCKS) -> tuple[float, float]:
        """(estimated candidate routes of the whole instance, estimated seconds of a
        first pass without the supply pool), from `n` blocks drawn evenly by their
        (demands x supplies) size (a ratio estimate; every block when there are few)."""
        if not self.blocks:
            return 0.0, 0.0
        size = np.array([len(b.demands) * (b.hi - b.lo) for b in self.blocks], dtype=float)
        if len(self.blocks) <= n:
            pick = np.arange(len(self.blocks))
        else:
            cum = np.cumsum(size)
            pick = np.unique(np.searchsorted(cum, (np.arange(n) + 0.5) * cum[-1] / n))
        routes = 0.0
        seconds = 0.0
        zero = Duals.zero(len(self.inst.supply), len(self.inst.demand), 0, 0)
        pot = np.zeros((len(self.events), len(self.inst.hubs)))
        for b in pick:
            blk = self.blocks[int(b)]
            t0 = time.perf_counter()
            self.price_block(blk, zero, pot, KEEP_MIN, all_routes=True)
            seconds += time.perf_counter() - t0
            pairs = self._pairs(blk)
            if pairs is None:
                continue
            routes += float(pairs.direct_ok.sum())
            need = np.flatnonzero(pairs.lagp <= self.gen.max_dwell_any)
            if len(self.hubs_g[blk.g]) and len(need):
                routes += float(self._hub_matrix(blk, pairs, need)[2].sum())
        scale = size.sum() / max(1.0, size[pick].sum())
        return routes * scale, seconds * scale

    def _hub_tables(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Road km supply -> accepting hub and demand -> accepting hub of group g, rows in
        the group's sorted order (contiguous: one gather per block instead of two)."""
        got = self._tables.get(g)
        if got is None:
            hubs_g = self.hubs_g[g]
            got = (
                np.ascontiguousarray(self.gen.l_sh[self.gen.s_sorted[g]][:, hubs_g]),
                np.ascontiguousarray(self.gen.l_hd[self.gen.demands_of(g)][:, hubs_g]),
            )
            self._tables[g] = got
        return got

    def _pot_by_hub(self, duals: Duals) -> np.ndarray:
        """Capacity potentials P[k, h] = sum of w[h, j] for j < k (event position x hub),
        zero for hubs without rows: a route held over [p0, p1) pays m * (P[p1] - P[p0]).

        These are the Lagrangian form of the stock-row duals: (u, v, y' = P, w) is dual
        feasible for the stock columns (w[k] = y'[k+1] - y'[k], and w[last] >= 0 >= -y'[last]
        since y' >= 0) with the same objective as (u, v, y, w); and y'[p1] - y'[p0] >=
        y[p1] - y[p0] (w bounds the differences of y), so every arc's reduced value is at
        most what y gives. Pricing and repairing with P is never worse, and the priced
        capacity is never negative (the screening in `price_block` relies on that).
        """
        n_ev = len(self.events)
        pot = np.zeros((n_ev, len(self.inst.hubs)))
        slots = np.flatnonzero(self.hub_slot >= 0)
        w = duals.capacity_prices()
        if len(slots) and w.size:
            cum = np.zeros_like(w)
            np.cumsum(w[:, :-1], axis=1, out=cum[:, 1:])
            pot[:, slots] = cum[self.hub_slot[slots]].T
        return pot

    def price_block(
        self,
        blk: _Block,
        duals: Duals,
        pot: np.ndarray,
        keep: int,
        *,
        all_routes: bool = False,
        pool: _SupplyPool | None = None,
    ) -> _Priced | None:
        """Every pair of the block with its best route's reduced value (or an upper bound of
        it where that is enough, see below); the `keep` best positive pairs per demand
        become arcs (their best route, and the direct route too when it is positive).

        Screening: a hub route is never shorter than the direct road distance (triangle
        inequality on the sphere, same road factor), handling and storage cost at least the
        group's cheapest hub, and the priced capacity is >= 0, so
        `m (value - c dist - min handling - min storage * lag)` bounds every hub route of a
        pair. Only pairs whose bound could be positive and beat the direct route are
        evaluated over all hubs; when many are (the first pass, without duals), the best
        4 * keep per demand by bound go first, then those whose bound still exceeds the
        demand's keep-th best exact value. Unevaluated pairs report their bound."""
        pairs = self._pairs(blk)
        if pairs is None:
            return None
        a = self.inst.arrays
        u_s = duals.u[pairs.ss]
        v_d = duals.v[pairs.dd]
        rv_direct = np.where(pairs.direct_ok, pairs.direct_val - u_s - v_d, -np.inf)
        hubs_g = self.hubs_g[blk.g]
        n = len(pairs.dd)
        rv_ub = np.full(n, -np.inf)
        if len(hubs_g):
            c_tkm = self.gen.c_tkm * (1.0 - 1e-9)  # float slack on the triangle inequality
            ub = pairs.mass_t * (
                a.g_value_eur_per_t[blk.g]
                - c_tkm * pairs.dist
                - a.h_handling[hubs_g].min()
                - a.h_storage[hubs_g].min() * pairs.lagp
            )
            possible = (pairs.lagp <= a.h_max_dwell[hubs_g].max()) & (ub > 0)
            rv_ub = np.where(possible, ub - u_s - v_d, -np.inf)
        floor = np.maximum(rv_direct, 0.0)
        cand = np.flatnonzero(rv_ub > floor)
        evaluated = np.zeros(n, dtype=bool)
        if keep > 0 and len(cand) > 4 * keep * len(blk.demands):
            first = _top_per_row(pairs.di[cand], rv_ub[cand], 4 * keep)
            idx = cand[first]
        else:
            idx = cand
        hub = self._hub_routes(blk, pairs, pot, idx)
        evaluated[idx] = True
        rv_hub = hub.adj - u_s - v_d
        if keep > 0 and len(idx) < len(cand):
            known = np.maximum(rv_direct, np.where(evaluated, rv_hub, -np.inf))
            theta = _kth_per_row(pairs.di, known, keep, len(blk.demands))
            rest = cand[~evaluated[cand] & (rv_ub[cand] > theta[pairs.di[cand]])]
            if len(rest):
                more = self._hub_routes(blk, pairs, pot, rest)
                hub.merge(more, rest)
                evaluated[rest] = True
                rv_hub = hub.adj - u_s - v_d
        # unevaluated candidates: their bound (valid for the repair, never selected)
        rv = np.maximum(rv_direct, rv_hub)
        loose = cand[~evaluated[cand]]
        rv_bound = rv.copy()
        rv_bound[loose] = np.maximum(rv_bound[loose], rv_ub[loose])
        exists = np.flatnonzero(np.isfinite(rv_bound))
        dmax = np.full(len(blk.demands), -np.inf)
        if len(exists):  # rows of the (demand x supply) mask come out sorted
            de = pairs.di[exists]
            starts = np.r_[0, np.flatnonzero(de[1:] != de[:-1]) + 1]
            dmax[de[starts]] = np.maximum.reduceat(rv_bound[exists], starts)
        pos = np.flatnonzero(rv_bound > 0)
        out = _Priced(dmax, pairs.ss[pos], rv_bound[pos], Candidates.concat([]), len(exists))
        out.routes = int(pairs.direct_ok.sum()) + hub.n_routes
        out.evaluated = int(evaluated.sum())
        if pool is not None and pool.keep > 0:
            # per supply: the best pairs of this block that beat its pool's keep-th best
            # (scored by exact value or bound; their routes are then computed exactly)
            self._offer_to_pool(blk, pairs, rv_bound, pool)
        pos = np.flatnonzero(rv > self.tol)
        if keep <= 0 or not len(pos):
            return out
        chosen = pos[_top_per_row(pairs.di[pos], rv[pos], keep)]
        if all_routes:
            out.arcs = self._all_routes(blk, pairs, chosen)
            return out
        take_d = chosen[rv_direct[chosen] > self.tol]
        take_h = chosen[rv_hub[chosen] > self.tol]
        ss, dd, t0p = pairs.ss, pairs.dd, pairs.t0p
        out.arcs = Candidates(
            np.concatenate([ss[take_d], ss[take_h]]),
            np.concatenate([dd[take_d], dd[take_h]]),
            np.concatenate([np.full(len(take_d), -1, dtype=np.int64), hub.best[take_h]]),
            np.concatenate([t0p[take_d], t0p[take_h]]),
            np.concatenate([pairs.direct_val[take_d], hub.value[take_h]]),
            np.concatenate([pairs.dist[take_d], hub.km[take_h]]),
            None,
        )
        return out

    def greedy_block(self, blk: _Block, s_mask: np.ndarray) -> GreedyBlock:
        """The block's pairs among the supplies where `s_mask` is True (lots with units
        left), kept for the first-come-first-served baseline while it serves the block."""
        return GreedyBlock(self, blk, self._pairs(blk, s_mask))

    def _offer_to_pool(
        self, blk: _Block, pairs: _Pairs, score: np.ndarray, pool: _SupplyPool
    ) -> None:
        """Per supply, the block's best pairs that beat its pool's keep-th best (scored by
        exact value or bound; their routes are then computed exactly)."""
        sel = np.flatnonzero((score > self.tol) & (score > pool.sigma[pairs.ss]))
        if len(sel):
            sel = sel[_top_per_row(pairs.ss[sel], score[sel], pool.keep)]
            pool.add(self._all_routes(blk, pairs, sel))

    def _pairs(self, blk: _Block, s_mask: np.ndarray | None = None) -> _Pairs | None:
        """The block's pairs that pass group, quality, date and distance (as the generator);
        with `s_mask`, only supplies where it is True."""
        a = self.inst.arrays
        p = self.inst.params
        gen = self.gen
        value_t = a.g_value_eur_per_t[blk.g]
        useful_km = value_t / gen.c_tkm if gen.c_tkm > 0 else np.inf
        db = blk.demands
        sb = gen.s_sorted[blk.g][blk.lo : blk.hi]
        sd = a.s_day[sb][None, :]
        t0 = np.maximum(sd, a.d_start[db][:, None])
        lag = t0 - sd
        ok = (
            (t0 <= a.d_end[db][:, None])
            & (lag <= gen.max_lag)
            & (a.s_quality[sb][None, :] <= a.d_min_quality[db][:, None])
        )
        if s_mask is not None:
            ok &= s_mask[sb][None, :]
        di, si = np.nonzero(ok)
        del ok
        if len(di) == 0:
            return None
        dd, ss = db[di], sb[si]
        dist = haversine_km(a.s_lat[ss], a.s_lon[ss], a.d_lat[dd], a.d_lon[dd]) * p.road_factor
        max_km = np.minimum(a.d_max_km[dd], useful_km)
        near = dist <= max_km + _PREFILTER_SLACK_KM
        di, si, dd, ss, dist = di[near], si[near], dd[near], ss[near], dist[near]
        t0p, lagp = t0[di, si], lag[di, si]
        mass_t = a.s_mass_t[ss]
        direct_val = mass_t * (value_t - gen.c_tkm * dist)
        direct_ok = (
            (lagp <= p.direct_transfer_max_days) & (dist <= a.d_max_km[dd]) & (direct_val > 0)
        )
        return _Pairs(di, si, dd, ss, dist, t0p, lagp, mass_t, direct_val, direct_ok)

    def _hub_matrix(
        self, blk: _Block, pairs: _Pairs, need: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(road km, value per unit, feasible-and-useful) of every accepting hub for the
        pairs `need`, with the generator's expressions (so the arcs are its arcs)."""
        a = self.inst.arrays
        hubs_g = self.hubs_g[blk.g]
        dd2, lag2 = pairs.dd[need], pairs.lagp[need]
        dval2 = np.where(pairs.direct_ok[need], pairs.direct_val[need], -np.inf)
        l_sh, l_hd = self._hub_tables(blk.g)
        route_km = l_sh[blk.lo + pairs.si[need]] + l_hd[blk.d0 + pairs.di[need]]
        hub_val = pairs.mass_t[need][:, None] * (
            a.g_value_eur_per_t[blk.g]
            - self.gen.c_tkm * route_km
            - a.h_handling[hubs_g][None, :]
            - a.h_storage[hubs_g][None, :] * lag2[:, None]
        )
        hub_ok = (
            (lag2[:, None] <= a.h_max_dwell[hubs_g][None, :])
            & (route_km <= a.d_max_km[dd2][:, None])
            & (hub_val > 0)
            & (hub_val > dval2[:, None])
        )
        return route_km, hub_val, hub_ok

    def _all_routes(self, blk: _Block, pairs: _Pairs, chosen: np.ndarray) -> Candidates:
        """Every candidate arc of the pairs `chosen`: the direct route when useful, and
        every useful hub route (exactly the generator's arcs of those pairs)."""
        d = chosen[pairs.direct_ok[chosen]]
        parts = [
            Candidates(
                pairs.ss[d],
                pairs.dd[d],
                np.full(len(d), -1, dtype=np.int64),
                pairs.t0p[d],
                pairs.direct_val[d],
                pairs.dist[d],
                None,
            )
        ]
        hubs_g = self.hubs_g[blk.g]
        need = chosen[pairs.lagp[chosen] <= self.gen.max_dwell_any]
        if len(hubs_g) and len(need):
            route_km, hub_val, hub_ok = self._hub_matrix(blk, pairs, need)
            r, j = np.nonzero(hub_ok)
            q = need[r]
            parts.append(
                Candidates(
                    pairs.ss[q],
                    pairs.dd[q],
                    hubs_g[j],
                    pairs.t0p[q],
                    hub_val[r, j],
                    route_km[r, j],
                    None,
                )
            )
        out = Candidates.concat(parts)
        out.pair = None
        return out

    def _hub_routes(
        self, blk: _Block, pairs: _Pairs, pot: np.ndarray, subset: np.ndarray
    ) -> _HubRoutes:
        """For the pairs `subset`, the hub route with the best adjusted value (value minus
        the priced capacity it holds), computed over every accepting hub as the generator
        does; other pairs get -inf."""
        a = self.inst.arrays
        gen = self.gen
        n = len(pairs.dd)
        out = _HubRoutes(
            np.full(n, -np.inf), np.full(n, -1, dtype=np.int64), np.zeros(n), np.zeros(n), 0
        )
        hubs_g = self.hubs_g[blk.g]
        need = subset[pairs.lagp[subset] <= gen.max_dwell_any]
        if not len(hubs_g) or not len(need):
            return out
        ss2, lag2 = pairs.ss[need], pairs.lagp[need]
        m2 = pairs.mass_t[need]
        route_km, hub_val, hub_ok = self._hub_matrix(blk, pairs, need)
        out.n_routes = int(hub_ok.sum())
        adj = hub_val
        if np.any(self.hub_slot[hubs_g] >= 0) and np.any(lag2 > 0):
            p0 = np.searchsorted(self.events, a.s_day[ss2])
            p1 = np.searchsorted(self.events, pairs.t0p[need])
            pg = pot[:, hubs_g]
            adj = hub_val - m2[:, None] * (pg[p1] - pg[p0])
        adj = np.where(hub_ok, adj, -np.inf)
        j = np.argmax(adj, axis=1)
        rows = np.arange(len(need))
        out.adj[need] = adj[rows, j]
        out.best[need] = hubs_g[j]
        out.value[need] = hub_val[rows, j]
        out.km[need] = route_km[rows, j]
        return out


class GreedyBlock:
    """One pricing block's pairs for the first-come-first-served baseline, computed once
    (the masks, distances and screening bounds were most of its time when every list
    level recomputed them). Lots only run out and hubs only fill while the baseline runs,
    so the pairs of lots with units left at any later moment are a subset of these.

    `lists` gives every route of the `keep` most valuable pairs per demand among the lots
    still marked, and per demand `theta`, an upper bound of every other route's value
    (exact, or a screening bound as in `Pricer.price_block`); `rest` gives all other routes
    of one demand. Scores made exact stay exact for the next level."""

    def __init__(self, pricer: Pricer, blk: _Block, pairs: _Pairs | None):
        self.pricer = pricer
        self.blk = blk
        self.pairs = pairs
        nb = len(blk.demands)
        if pairs is None:
            return
        a = pricer.inst.arrays
        direct = np.where(pairs.direct_ok, pairs.direct_val, -np.inf)
        hubs_g = pricer.hubs_g[blk.g]
        ub = np.full(len(pairs.dd), -np.inf)
        if len(hubs_g):
            c = pricer.gen.c_tkm * (1.0 - 1e-9)
            ub = pairs.mass_t * (
                a.g_value_eur_per_t[blk.g]
                - c * pairs.dist
                - a.h_handling[hubs_g].min()
                - a.h_storage[hubs_g].min() * pairs.lagp
            )
            ub = np.where((pairs.lagp <= a.h_max_dwell[hubs_g].max()) & (ub > 0), ub, -np.inf)
        self.direct = direct
        self.score = np.maximum(direct, ub)  # exact where the hub routes cannot beat direct
        self.exact = ~(ub > np.maximum(direct, 0.0))
        # pairs come sorted by their row in the block (np.nonzero order, then filtered)
        rows = np.arange(nb)
        self.starts = np.searchsorted(pairs.di, rows, side="left")
        self.ends = np.searchsorted(pairs.di, rows, side="right")

    def lists(self, s_mask: np.ndarray, keep: int) -> tuple[Candidates, np.ndarray]:
        nb = len(self.blk.demands)
        pairs = self.pairs
        if pairs is None:
            return Candidates.concat([]), np.full(nb, -np.inf)
        score, exact = self.score, self.exact
        live = np.flatnonzero((score > 0) & s_mask[pairs.ss])
        pot = np.zeros((len(self.pricer.events), len(self.pricer.inst.hubs)))
        cand = live  # pairs of the rows whose top `keep` are not settled yet
        settled: list[np.ndarray] = []
        while True:
            more = cand[_top_per_row(pairs.di[cand], score[cand], 2 * keep)]
            chosen = more[_top_per_row(pairs.di[more], score[more], keep)]
            loose = ~exact[chosen]
            if not loose.any():
                settled.append(chosen)
                break
            # a row whose top `keep` are exact is settled (every other pair's value is at
            # most its score); the others get their chosen bounds evaluated exactly (and the
            # next ones, to converge quickly) and are ranked again
            open_row = np.zeros(nb, dtype=bool)
            open_row[pairs.di[chosen[loose]]] = True
            settled.append(chosen[~open_row[pairs.di[chosen]]])
            todo = more[~exact[more] & open_row[pairs.di[more]]]
            hub = self.pricer._hub_routes(self.blk, pairs, pot, todo)
            score[todo] = np.maximum(self.direct[todo], hub.adj[todo])
            exact[todo] = True
            cand = cand[open_row[pairs.di[cand]] & (score[cand] > 0)]
        chosen = np.sort(np.concatenate(settled))
        rest = np.zeros(len(pairs.dd), dtype=bool)
        rest[live] = True
        rest[chosen] = False
        rest &= score > 0
        theta = np.full(nb, -np.inf)
        r = np.flatnonzero(rest)
        np.maximum.at(theta, pairs.di[r], score[r])
        return self.pricer._all_routes(self.blk, pairs, chosen), theta

    def rest(self, i: int, s_mask: np.ndarray, above: float) -> Candidates:
        """Every route worth at most `above` of the block's i-th demand from the lots still
        marked, best first (ties in route order)."""
        pairs = self.pairs
        if pairs is None:
            return Candidates.concat([])
        mine = np.arange(self.starts[i], self.ends[i])
        mine = mine[s_mask[pairs.ss[mine]]]
        out = self.pricer._all_routes(self.blk, pairs, mine)
        out = out.subset(np.flatnonzero(out.value_eur_per_unit <= above))
        out = out.subset(np.argsort(-out.value_eur_per_unit, kind="stable"))
        out.pair = None
        return out


@dataclass
class _Pairs:
    di: np.ndarray  # row of the pair's demand in the block
    si: np.ndarray  # column of its supply in the block's supply range
    dd: np.ndarray  # demand index
    ss: np.ndarray  # supply index
    dist: np.ndarray  # direct road km
    t0p: np.ndarray  # earliest delivery day
    lagp: np.ndarray  # t0 - available_on
    mass_t: np.ndarray
    direct_val: np.ndarray
    direct_ok: np.ndarray


@dataclass
class _HubRoutes:
    adj: np.ndarray  # best adjusted hub-route value per pair (-inf: none)
    best: np.ndarray  # its hub
    value: np.ndarray  # its unadjusted value per unit
    km: np.ndarray  # its road km
    n_routes: int

    def merge(self, other: _HubRoutes, idx: np.ndarray) -> None:
        """Take `other`'s entries for the pairs idx."""
        self.adj[idx] = other.adj[idx]
        self.best[idx] = other.best[idx]
        self.value[idx] = other.value[idx]
        self.km[idx] = other.km[idx]
        self.n_routes += other.n_routes


class _SupplyPool:
    """The best pairs per supply seen so far (all their routes), pruned to `keep` pairs per
    supply whenever it exceeds POOL_FACTOR times that; `sigma` is each supply's keep-th best
    pair value in the pool (-inf until it has keep pairs): a later pair must beat it."""

    def __init__(self, n_s: int, n_d: int, keep: int):
        self.n_d, self.keep = n_d, keep
        self.sigma = np.full(n_s, -np.inf)
        self.parts: list[Candidates] = []
        self.size = 0
        self.limit = POOL_FACTOR * ROUTES_PER_PAIR * max(1, keep) * n_s
        self.lock = threading.Lock()

    def add(self, arcs: Candidates) -> None:
        if len(arcs):
            with self.lock:  # blocks are priced on two threads
                self.parts.append(arcs)
                self.size += len(arcs)
                if self.size > self.limit:
                    self.parts = [self.pruned()]
                    self.size = len(self.parts[0])

    def pruned(self) -> Candidates:
        """The pool cut to the keep best pairs per supply (by best route value)."""
        arcs = Candidates.concat(self.parts)
        arcs.pair = None
        if not len(arcs):
            return arcs
        arcs = with_pairs(arcs)
        assert arcs.pair is not None
        best = np.full(arcs.n_pairs, -np.inf)
        np.maximum.at(best, arcs.pair, arcs.value_eur_per_unit)
        p_sup = np.zeros(arcs.n_pairs, dtype=np.int64)
        p_sup[arcs.pair] = arcs.sup
        top = _top_per_row(p_sup, best, self.keep)
        kth = _kth_per_row(p_sup, best, self.keep, len(self.sigma))
        self.sigma = np.maximum(self.sigma, kth)
        keep_pair = np.zeros(arcs.n_pairs, dtype=bool)
        keep_pair[top] = True
        out = arcs.subset(np.flatnonzero(keep_pair[arcs.pair]))
        out.pair = None
        return out


POOL_FACTOR = 4
ROUTES_PER_PAIR = 6  # typical routes of a dense pair (direct or hubs), for the pool's limit


def _top_per_row(row: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Positions (ascending) of the k best scores per row value. Rows that have at most k
    entries keep them all; the others are cut by one `argpartition` over a padded (row x
    entry) matrix, linear in the entries (a lexsort of every entry cost most of the
    greedy's time at 20k dense). Rows may come in any order (sorted is cheapest, as
    np.nonzero returns them); ties at the k-th score are cut in any order."""
    n = len(row)
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    perm = None
    if n > 1 and bool((row[1:] < row[:-1]).any()):
        perm = np.argsort(row, kind="stable")
        row, score = row[perm], score[perm]
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    counts = np.diff(np.r_[starts, n])
    big = np.flatnonzero(counts > k)
    keep = np.ones(n, dtype=bool)
    if len(big):
        bs, bc = starts[big], counts[big]
        rid = np.repeat(np.arange(len(big)), bc)
        col = np.arange(len(rid)) - np.repeat(np.cumsum(bc) - bc, bc)
        pos = np.repeat(bs, bc) + col
        keep[pos] = False
        width = int(bc.max())
        if len(big) * width <= 4 * n + 1_000_000:
            mat = np.full((len(big), width), np.inf)
            mat[rid, col] = -score[pos]
            top = np.argpartition(mat, k - 1, axis=1)[:, :k]
            keep[(bs[:, None] + top).ravel()] = True
        else:  # very uneven rows: sort the long ones
            order = np.lexsort((-score[pos], rid))
            rs = rid[order]
            first = np.r_[True, rs[1:] != rs[:-1]]
            st = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
            keep[pos[order[(np.arange(len(order)) - st) < k]]] = True
    out = np.flatnonzero(keep)
    return np.sort(perm[out]) if perm is not None else out


def _kth_per_row(row: np.ndarray, score: np.ndarray, k: int, n_rows: int) -> np.ndarray:
    """The k-th best score per row (-inf where a row has fewer than k finite scores)."""
    out = np.full(n_rows, -np.inf)
    fin = np.flatnonzero(np.isfinite(score))
    if not len(fin):
        return out
    order = fin[np.lexsort((-score[fin], row[fin]))]
    rs = row[order]
    first = np.r_[True, rs[1:] != rs[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    at_k = (np.arange(len(order)) - start) == k - 1
    out[rs[at_k]] = score[order[at_k]]
    return out


@dataclass
class _Priced:
    dmax: np.ndarray  # best reduced value per demand of the block (-inf: no arc)
    pos_sup: np.ndarray  # supplies of the pairs with a positive reduced value
    pos_rv: np.ndarray  # those reduced values
    arcs: Candidates
    pairs: int
    routes: int = 0
    evaluated: int = 0  # pairs whose hub routes were evaluated exactly


# --------------------------------------------------------------------------- the solver

# pairs per demand in the working set (best values, all their routes): as many as the memory
# budget allows at WORKING_BYTES_PER_PAIR each (routes, the Lagrangian's networks, the LP),
# within [KEEP_MIN, KEEP_MAX]
KEEP_MIN, KEEP_MAX = 5, 40
WORKING_SHARE = 0.45  # of the memory budget for the working set
WORKING_BYTES_PER_PAIR = 1_000  # ~5 routes x BYTES_PER_CACHED_ARC + networks (measured)
TIGHTEN_ROUNDS = 4  # alternations in `tighten_duals`
POOL_COST = 3.5  # first pass with the supply pool against without (measured at 10k dense)
FIRST_PASS_SHARE = 0.35  # of the time limit the first pass may take
KEEP_SUPPLY = KEEP_MAX
KEEP_SUPPLY_SMALL = 4  # pairs per supply when the first pass has to be quick  # pairs per supply in the first working set (at most keep)
KEEP_PRICED = 10  # pairs per demand added per pricing round (best positive reduced values)
FIRST_ROUND_SHARE = 0.5  # of the time left, for the first round's Lagrangian + LP
LATER_ROUND_SHARE = 0.6  # for each later round's
WARM_SUBGRADIENT_ITER = 20
WARM_LP_ROUNDS = 1  # LP rounds of a round that starts from the last support LP
# a round whose carried LP would not finish is light (only the working set's flow at the last
# multipliers) while the last pass closed at least this share of the gap; else it looks for
# better multipliers (subgradient steps, a support LP of their routes)
LIGHT_MIN_GAIN = 0.1
EXACT_DUALS_TOL = 1e-4  # EUR per unit: the flows are optimal for values rounded up to 1e-6 (lagrangian._MAX_SCALE)
MAX_ROUNDS = 30  # pricing rounds at most (without a time limit)
SETTLED = 0.0  # a pricing round closing less than this share of the gap ends the rounds (off)
PASS_SLOWDOWN = 1.5  # the last pass (with duals) against the first one, for the deadline
RESERVE_SHARE = 0.04  # of the time limit, kept for the untimed steps and the result
INNER_MIN_SHARE = 0.08  # of the time limit: a Lagrangian round needs at least this much
GREEDY_SHARE = 0.45  # of the time left, at most, for the greedy seed (`DenseSolve._greedy_seed`)


def duals_from_rows(y: np.ndarray, layout: Layout) -> Duals:
    """LP row duals in the convention u, v >= 0. HiGHS's sign for a maximisation is
    detected from the supply and demand rows (their duals are >= 0 up to tolerance in the
    right convention); any sign gives a valid bound after the repair, the right one a
    tight one."""
    y = np.asarray(y, dtype=np.float64)
    n_sd = layout.n_supply + layout.n_demand
    if y[:n_sd].sum() < 0:
        y = -y
    return Duals(
        np.maximum(y[: layout.n_supply], 0.0),
        np.maximum(y[layout.n_supply : n_sd], 0.0),
        y[n_sd:].reshape(layout.n_binding, len(layout.events)),
    )


def transport_duals(
    pair_sup: np.ndarray,
    pair_dem: np.ndarray,
    pv: np.ndarray,
    flow: np.ndarray,
    *,
    s_qty: np.ndarray,
    d_qty: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Duals (u >= 0 per supply, v >= 0 per demand) of the transportation problem
    max sum pv * flow from an optimal integral flow, by complementary slackness: a lot or
    line with units left has dual 0, and u_s + v_d = pv on every pair that carries flow.
    One root per connected component of the flow graph (a lot or line with units left when
    there is one), values propagated along a breadth-first tree; a component without such a
    root is shifted (u + c, v - c) to the cheaper end that keeps u, v >= 0.

    Degenerate or rounded flows can leave some pair with pv > u + v: the caller repairs
    every pair anyway (`DenseSolve._offer_bound`), so these duals need to be good, not exact."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import breadth_first_order, connected_components

    n_s, n_d = len(s_qty), len(d_qty)
    n = n_s + n_d
    used = np.flatnonzero(flow > 0)
    ps, pd, val, f = pair_sup[used], pair_dem[used], pv[used], flow[used]
    s_left = np.bincount(ps, weights=f, minlength=n_s) < s_qty
    d_left = np.bincount(pd, weights=f, minlength=n_d) < d_qty
    graph = coo_matrix((np.ones(len(used)), (ps, n_s + pd)), shape=(n, n)).tocsr()
    n_comp, label = connected_components(graph, directed=False)
    anchor = np.concatenate([s_left, d_left])
    order = np.lexsort((~anchor, label))
    first = order[np.r_[True, label[order][1:] != label[order][:-1]]]
    root = n  # a super root joined to one node per component
    rows = np.concatenate([ps, np.full(len(first), root)])
    cols = np.concatenate([n_s + pd, first])
    tree = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    bfs, pred = breadth_first_order(tree, root, directed=False, return_predecessors=True)
    key = ps.astype(np.int64) * n_d + pd
    srt = np.argsort(key)
    key_sorted, val_sorted = key[srt], val[srt]
    nodes = bfs[1:]
    p = pred[nodes]
    edge = np.zeros(len(nodes))
    inner = p != root
    s_end = np.where(nodes < n_s, nodes, p)[inner]
    d_end = np.where(nodes < n_s, p, nodes)[inner] - n_s
    k = s_end.astype(np.int64) * n_d + d_end
    edge[inner] = val_sorted[np.searchsorted(key_sorted, k)]
    value = np.zeros(n + 1)
    for i, pi, e in zip(nodes.tolist(), p.tolist(), edge.tolist(), strict=True):
        value[i] = 0.0 if pi == root else e - value[pi]
    u, v = value[:n_s].copy(), value[n_s:n].copy()
    # components without a lot or line with units left: shift to u, v >= 0 at least cost
    free = ~anchor[first]
    if free.any():
        lab_s, lab_d = label[:n_s], label[n_s:]
        lo = np.full(n_comp, -np.inf)
        hi = np.full(n_comp, np.inf)
        np.maximum.at(lo, lab_s, -u)
        np.minimum.at(hi, lab_d, v)
        q_net = np.bincount(lab_s, weights=s_qty, minlength=n_comp) - np.bincount(
            lab_d, weights=d_qty, minlength=n_comp
        )
        shift = np.where(q_net > 0, lo, np.where(np.isfinite(hi), hi, lo))
        shift = np.where(np.isfinite(shift), shift, 0.0)
        comp_free = np.zeros(n_comp, dtype=bool)
        comp_free[label[first[free]]] = True
        shift = np.where(comp_free, shift, 0.0)
        u += shift[lab_s]
        v -= shift[lab_d]
    return np.maximum(u, 0.0), np.maximum(v, 0.0)


def exact_transport_duals(
    pair_sup: np.ndarray,
    pair_dem: np.ndarray,
    pv: np.ndarray,
    flow: np.ndarray,
    *,
    s_qty: np.ndarray,
    d_qty: np.ndarray,
    max_passes: int = 2_000,
    loose: bool = False,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Optimal duals (u, v >= 0) of the transportation problem max sum pv * flow over the
    given pairs, from an optimal flow: the complementary-slackness conditions are a system
    of difference constraints (u_s + v_d >= pv on every pair, = on pairs with flow; u_s = 0
    for a lot and v_d = 0 for a line with units left), solved by shortest paths from an
    outside node (Bellman-Ford: the weights -pv are negative). Of all optimal duals these
    are the ones with the largest u and the smallest v. None when the float values admit a
    negative cycle (a flow optimal only for the rounded integer costs). `loose` ignores
    improvements below EXACT_DUALS_TOL (such cycles are that small), then raises u where a
    pair is short by that much, so the duals stay feasible on every pair and within ~the
    tolerance per unit of optimal (`exact_or_loose_duals`)."""
    n_s, n_d = len(s_qty), len(d_qty)
    o = n_s + n_d
    pos = np.flatnonzero(pv > 0)
    used = np.flatnonzero(flow > 0)
    s_left = np.flatnonzero(np.bincount(pair_sup[used], weights=flow[used], minlength=n_s) < s_qty)
    d_left = np.flatnonzero(np.bincount(pair_dem[used], weights=flow[used], minlength=n_d) < d_qty)
    all_s, all_d = np.arange(n_s), n_s + np.arange(n_d)
    rows = np.concatenate(
        [
            pair_sup[pos],
            n_s + pair_dem[used],
            all_s,
            np.full(n_d, o),
            np.full(len(s_left), o),
            n_s + d_left,
        ]
    )
    cols = np.concatenate(
        [
            n_s + pair_dem[pos],
            pair_sup[used],
            np.full(n_s, o),
            all_d,
            s_left,
            np.full(len(d_left), o),
        ]
    )
    w = np.concatenate([-pv[pos], pv[used], np.zeros(n_s + n_d + len(s_left) + len(d_left))])
    # Bellman-Ford, one vectorised relaxation of every edge per pass (edges sorted by head)
    order = np.argsort(cols, kind="stable")
    rows, cols, w = rows[order], cols[order], w[order]
    starts = np.r_[0, np.flatnonzero(cols[1:] != cols[:-1]) + 1]
    heads = cols[starts]
    dist = np.full(o + 1, np.inf)
    dist[o] = 0.0
    tol = 1e-9 * max(1.0, float(np.abs(pv).max()) if len(pv) else 1.0)
    if loose:
        tol = max(tol, EXACT_DUALS_TOL)
    for _ in range(max_passes):
        cand = np.minimum.reduceat(dist[rows] + w, starts)
        better = cand < dist[heads] - tol
        if not better.any():
            break
        dist[heads[better]] = cand[better]
        if dist[o] < 0.0:
            return None  # a negative cycle through the outside node
    else:
        return None
    if not np.all(np.isfinite(dist)):
        return None
    u, v = np.maximum(dist[:n_s], 0.0), np.maximum(-dist[n_s:o], 0.0)
    if loose and len(pv):  # pairs left short by less than the tolerance
        np.maximum.at(u, pair_sup, pv - v[pair_dem])
    return u, v


def exact_or_loose_duals(
    pair_sup: np.ndarray,
    pair_dem: np.ndarray,
    pv: np.ndarray,
    flow: np.ndarray,
    *,
    s_qty: np.ndarray,
    d_qty: np.ndarray,
    loose: bool = True,
) -> tuple[np.ndarray, np.ndarray] | None:
    """`exact_transport_duals`, else (the flow optimal only for its rounded integer values)
    and if `loose`, the same with the tolerance of that rounding (300 lots, seed 3 in the
    tests: the rounds stopped at a 3.2 % gap on feasible tree duals, with these at 0.000 %)."""
    args = (pair_sup, pair_dem, pv, flow)
    got = exact_transport_duals(*args, s_qty=s_qty, d_qty=d_qty)
    if got is None and loose:
        got = exact_transport_duals(*args, s_qty=s_qty, d_qty=d_qty, loose=True)
    return got


def tighten_duals(
    pair_sup: np.ndarray,
    pair_dem: np.ndarray,
    pv: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    *,
    qty: tuple[np.ndarray, np.ndarray],
    rounds: int = TIGHTEN_ROUNDS,
) -> tuple[np.ndarray, np.ndarray]:
    """Dual feasible (u, v) over the given pairs, at the lowest dual objective found by
    alternating minimal choices: v_d = max(0, max_s pv - u_s) given u, then u given v (each
    half-step keeps u_s + v_d >= pv on every pair and never raises the objective)."""
    s_qty, d_qty = qty
    pos = np.flatnonzero(pv > 0)
    ps, pd, val = pair_sup[pos], pair_dem[pos], pv[pos]
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(rounds):
        v = np.zeros(len(d_qty))
        np.maximum.at(v, pd, val - u[ps])
        obj = float((s_qty * u).sum() + (d_qty * v).sum())
        if best is None or obj < best[0]:
            best = (obj, u.copy(), v.copy())
        u = np.zeros(len(s_qty))
        np.maximum.at(u, ps, val - v[pd])
        obj = float((s_qty * u).sum() + (d_qty * v).sum())
        if obj < best[0]:
            best = (obj, u.copy(), v.copy())
    assert best is not None
    return best[1], best[2]


def with_pairs(c: Candidates) -> Candidates:
    """Number the (supply, demand) pairs of an arc set densely (routes of a pair share it)."""
    key = c.sup.astype(np.int64) * (int(c.dem.max()) + 1 if len(c) else 1) + c.dem
    _, inv = np.unique(key, return_inverse=True)
    c.pair = inv.astype(np.int64)
    return c


def arc_keys(c: Candidates, n_d: int, n_h: int) -> np.ndarray:
    """One int64 per route (supply, demand, hub or direct): the day is implied."""
    keys: np.ndarray = (c.sup.astype(np.int64) * n_d + c.dem) * (n_h + 1) + (
        c.hub.astype(np.int64) + 1
    )
    return keys


def conservative_binding(inst: Instance, events: np.ndarray) -> np.ndarray:
    """Hubs whose capacity COULD bind: if every unit of every accepted, usable lot stayed
    at the hub from its available_on for the hub's whole max dwell, would the held mass
    exceed capacity? Needs no pairs; a superset of the hubs that bind (`_binding_hubs`)."""
    a = inst.arrays
    usable = (~a.s_hazardous) & (a.s_qty > 0) & (a.g_value_eur_per_t[a.s_group] > 0)
    out = np.zeros(len(inst.hubs), dtype=bool)
    for h in range(len(inst.hubs)):
        s = np.flatnonzero(usable & a.h_accepts[h, a.s_group])
        if not len(s) or a.h_max_dwell[h] <= 0:
            continue
        w = a.s_qty[s] * a.s_mass_t[s]
        load = np.zeros(len(events) + 1)
        np.add.at(load, np.searchsorted(events, a.s_day[s]), w)
        np.add.at(load, np.searchsorted(events, a.s_day[s] + a.h_max_dwell[h]), -w)
        out[h] = np.cumsum(load).max() > a.h_cap_t[h]
    return out


class DenseSolve:
    """The dense path (module docstring), in three phases after a seed:

    0. The first-come-first-served baseline (`_greedy_seed`, at most GREEDY_SHARE of the
       time left) is the first incumbent, so the answer is never below it; its routes join
       the working set.
    1. One streamed pass without duals: the `keep` best pairs per demand with all their
       routes become the working set (bounded by the memory budget); the pass also gives
       the first bound over all arcs (u = 0, v = best value into each demand, or the
       supply side) besides `trivial_bound`.
    2. `optimal.LagrangianLP` on the working set, exactly as on a sparse instance: its
       subgradient, support LP and repair give the integer solution (feasible for the
       whole instance: the working set is a subset of the arcs). Its own bounds hold for
       the working set only and are NOT reported; it keeps the last support LP's duals.
    3. One streamed pass with those duals over ALL arcs: the repaired dual objective is
       the bound (`_offer_bound`). Phase 2 stops early enough for it (the first pass's
       duration, times PASS_SLOWDOWN)."""

    def __init__(
        self,
        ctx: SolveContext,
        budget: Budget,
        pricer: Pricer,
        workers: int | None,
        pass_estimate: float = 0.0,
    ):
        from urbanmine.engine.matching.optimal import _Clock

        self.ctx, self.budget, self.pricer = ctx, budget, pricer
        self.n_workers = workers
        inst = ctx.inst
        self.n_s, self.n_d, self.n_h = len(inst.supply), len(inst.demand), len(inst.hubs)
        self.clock = _Clock(ctx.t_start, ctx.deadline)
        self.bound = trivial_bound(inst)
        self.bounds: list[float] = [self.bound]
        self.best_value = 0.0
        self.best_x = np.zeros(0, dtype=np.int64)
        self.best_cands = Candidates.concat([])
        self.best_cands.pair = None
        self.passes: list[PassResult] = []
        self.timed_out = False
        self.capped = False  # the working set was cut at the memory budget
        # result building and writing, and the steps between the timed phases (working-set
        # merges, pair numbering): a share of the limit, since on a busy machine they slow
        # down with everything else (issue #16 bench at load ~9: 10k dense ran 15% over)
        limit_s = 0.0 if ctx.deadline is None else ctx.deadline - ctx.t_start
        self.reserve = 1.0 + 2e-5 * (self.n_s + self.n_d) + RESERVE_SHARE * limit_s
        self.min_inner = INNER_MIN_SHARE * limit_s
        per_lot = budget.max_bytes * WORKING_SHARE / WORKING_BYTES_PER_PAIR
        per_demand = per_lot / max(1, self.n_d + self.n_s)
        self.keep = int(np.clip(per_demand, KEEP_MIN, KEEP_MAX))
        self.max_arcs = max(1_000, int(budget.max_bytes * WORKING_SHARE / 200))
        self.inner: dict[str, Any] = {}
        self.keep_sup = min(KEEP_SUPPLY, self.keep)
        self.pass_estimate = pass_estimate
        limit = None if ctx.deadline is None else ctx.deadline - ctx.t_start
        if limit is not None and POOL_COST * pass_estimate > FIRST_PASS_SHARE * limit:
            # the full supply side would not fit: a few pairs per lot still matter most
            # (with supply from a few sites every lot's best demands are the same ones)
            self.keep_sup = min(self.keep_sup, KEEP_SUPPLY_SMALL)
        self.keep_priced = KEEP_PRICED
        self.rounds = 0
        self.descent_steps = 0
        self.greedy_value = 0.0
        self.greedy_complete = False
        self.support: Candidates | None = None  # the last round's support LP columns
        self.carried_support = 0  # of them, found again in the last round's working set
        self.exact_duals = False  # the working set's exact transportation duals (see solve)
        self.loose_duals = False  # ... with the rounding's tolerance where exact ones fail
        self.lp_fit: tuple[int, float] | None = None  # the last solved support LP's size, time
        self.lp_skipped = 0  # support LPs not started: predicted not to finish in time
        self.light_rounds = 0  # rounds of the working set's flow only (`_lagrangian`)
        self.round_gain = 1.0  # share of the gap the last pass closed

    def within_gap(self) -> bool:
        from urbanmine.engine.matching.optimal import _within

        return _within(self.best_value, self.bound, self.ctx.gap)

    def offer(self, x: np.ndarray, cands: Candidates) -> None:
        value = float((x * cands.value_eur_per_unit).sum())
        if value > self.best_value:
            nz = np.flatnonzero(x > 0)
            self.best_value, self.best_x, self.best_cands = value, x[nz], cands.subset(nz)
            self.best_cands.pair = None

    def _greedy_seed(self) -> Candidates:
        """The first-come-first-served baseline (`greedy.greedy_routes`, lazily over the
        pricer's blocks) as the first incumbent, so the answer is never below it; its
        routes join the working set. With supply from a few sites the best pairs per
        demand and per supply are the same few lots, while the baseline spreads over
        every lot it can use; the supply pool of the first pass is then kept small.
        It gets at most GREEDY_SHARE of the time limit (cut short, what it assigned so
        far is still feasible)."""
        from urbanmine.engine.matching.greedy import greedy_routes

        t0 = time.perf_counter()
        deadline = self.ctx.deadline
        if deadline is not None:
            deadline = t0 + GREEDY_SHARE * max(0.0, deadline - t0)
        arcs, x, stats = greedy_routes(self.ctx.inst, self.pricer, deadline)
        self.offer(x, arcs)
        self.clock.record("greedy", t0)
        self.greedy_value = float((x * arcs.value_eur_per_unit).sum())
        self.greedy_complete = bool(stats["complete"])
        if len(arcs):
            self.keep_sup = min(self.keep_sup, KEEP_SUPPLY_SMALL)
        out = arcs.subset(np.flatnonzero(x > 0))
        out.pair = None
        return out

    def _pass(
        self, duals: Duals, keep: int, all_routes: bool = False, keep_sup: int = 0
    ) -> PassResult:
        res = self.pricer.run(
            duals,
            keep,
            self.budget,
            reserve=self.reserve,
            all_routes=all_routes,
            keep_sup=keep_sup,
        )
        self.passes.append(res)
        self.clock.est[f"pass{len(self.passes)}_total"] = res.seconds
        return res

    def _working_set(self, arcs: Candidates) -> Candidates:
        """Deduplicated routes, at most max_arcs (whole pairs, best pair values first)."""
        keys = arc_keys(arcs, self.n_d, self.n_h)
        _, first = np.unique(keys, return_index=True)
        arcs = arcs.subset(np.sort(first))
        if len(arcs) > self.max_arcs:
            self.capped = True
            arcs = with_pairs(arcs)
            assert arcs.pair is not None
            best = np.full(arcs.n_pairs, -np.inf)
            np.maximum.at(best, arcs.pair, arcs.value_eur_per_unit)
            order = np.argsort(-best[arcs.pair], kind="stable")
            arcs = arcs.subset(np.sort(order[: self.max_arcs]))
        arcs.pair = None
        return arcs

    def solve(self) -> Result:
        from urbanmine.engine.matching.greedy import Ledger, fill

        ctx = self.ctx
        inst, layout = ctx.inst, ctx.layout
        zero = Duals.zero(self.n_s, self.n_d, layout.n_binding, len(layout.events))
        seed = self._greedy_seed()
        first = self._pass(zero, self.keep, all_routes=True, keep_sup=self.keep_sup)
        if first.complete:
            self._offer_bound(zero, first)
        work = self._working_set(Candidates.concat([seed, first.arcs]))
        del first.arcs, seed
        t0 = time.perf_counter()
        ledger = Ledger(inst, layout.events)
        x = np.zeros(len(work), dtype=np.int64)
        fill(work, np.argsort(-work.value_eur_per_unit, kind="stable"), ledger, x)
        self.offer(x, work)
        self.clock.record("fill", t0)
        if not len(work) or self.within_gap() or not first.complete:
            self.timed_out = not first.complete
            return self._result(len(work))
        # a pricing pass with duals and without the supply pool: about the sampled time
        pass_s = PASS_SLOWDOWN * (self.pass_estimate or first.seconds)
        warm: np.ndarray | None = None
        repaired: Duals | None = None
        settled = False  # the bound no longer moves: the rest of the time goes to the primal
        while True:
            got = self._lagrangian(work, 0.0 if settled else pass_s, warm, final=settled)
            if got is None or self.within_gap() or settled:
                break
            duals = got
            warm = duals.w
            if self.clock.remaining() < self.reserve + 0.5 * first.seconds:
                self.timed_out = ctx.deadline is not None
                break
            priced = self._pass(
                duals,
                self.keep_priced,
                all_routes=True,
                keep_sup=self.keep_priced if self.keep_sup >= self.keep else 0,
            )
            if not priced.complete:
                self.timed_out = True
                break
            before = self.bound
            repaired = self._offer_bound(duals, priced)
            self.rounds += 1
            if self.within_gap():
                break
            settled = before - self.bound < SETTLED * (self.bound - self.best_value)
            self.round_gain = (before - self.bound) / max(1e-9, before - self.best_value)
            grown = self._working_set(Candidates.concat([work, priced.arcs]))
            if self.rounds >= MAX_ROUNDS:
                break
            if len(grown) <= len(work):
                # nothing new to price in: what the repair still adds comes from duals
                # that are feasible but not optimal for the working set; the next round
                # uses its exact duals, after a second stall with the rounding's tolerance
                # (`exact_or_loose_duals`: where the tree duals do better, as at 10k dense,
                # they are kept until then), after a third the bound is final
                if self.loose_duals:
                    break
                self.loose_duals = self.exact_duals
                self.exact_duals = True
            if self.budget.memory_left() > 0:
                work = grown
            settled = settled or not self._next_round_fits(priced.seconds)
            pass_s = priced.seconds * PASS_SLOWDOWN
        if self.light_rounds and not settled and not self.within_gap():
            # the rounds ended light (no time for a pass, nothing new, the round limit):
            # the primal has not seen the grown working set yet
            self._lagrangian(work, 0.0, warm, final=True)
            settled = True
        if repaired is not None and not settled:
            self._descend(repaired, pass_s)
        return self._result(len(work))

    def _next_round_fits(self, pass_seconds: float) -> bool:
        """Another round only if the Lagrangian on the larger set and a pass still fit;
        after light rounds: a light round, its pass, then a round for the primal."""
        est = self.clock.est
        need = est.get("inner", 0.0) * 0.5 + pass_seconds * PASS_SLOWDOWN + self.reserve
        if self.light_rounds:
            need = est["light"] + pass_seconds * PASS_SLOWDOWN + self.reserve
            need += self.min_inner  # (a longer one cost a light round: 50k 1.45 % vs 0.41 %)
        return need <= self.clock.remaining()

    def _descend(self, duals: Duals, pass_s: float) -> None:
        """Coordinate descent on the dual over ALL arcs, one streamed pass per step: u at
        its least feasible value given v (u_s = max(0, max_d reduced value + u_s)), then v
        given u, and so on; every step is dual feasible, so every step is a bound. Stops
        when a step no longer helps or the next pass does not fit."""
        zero_u, zero_v = np.zeros(self.n_s), np.zeros(self.n_d)
        side = "u"
        last = self.bound
        while self.clock.remaining() > self.reserve + pass_s and not self.within_gap():
            if side == "u":
                got = self._pass(Duals(zero_u, duals.v, duals.y, duals.w), 0)
                duals = Duals(got.eps, duals.v, duals.y, duals.w)
            else:
                got = self._pass(Duals(duals.u, zero_v, duals.y, duals.w), 0)
                v = np.maximum(np.nan_to_num(got.delta, neginf=0.0), 0.0)
                duals = Duals(duals.u, v, duals.y, duals.w)
            if not got.complete:
                break
            self.descent_steps += 1
            bound = self._dual_objective(duals)
            self.bounds.append(bound)
            self.bound = min(self.bound, bound)
            if bound > last - 0.1 * self.ctx.gap * abs(last):
                break
            last = bound
            side = "v" if side == "u" else "u"

    def _lagrangian(
        self, work: Candidates, pass_seconds: float, warm: np.ndarray | None, final: bool = False
    ) -> Duals | None:
        """Phase 2 on the working set; returns the duals to repair over all arcs: the
        multipliers of the best working-set Lagrangian bound with the transportation duals
        of its flow (None when there was no exact evaluation)."""
        from urbanmine.engine.matching.lagrangian import FlowWorkers
        from urbanmine.engine.matching.optimal import (
            EXACT_ORACLE_MAX_PAIRS,
            LagrangianLP,
            SolveContext,
            _compact,
        )

        ctx = self.ctx
        if ctx.deadline is not None and self.clock.remaining() - self.reserve < self.min_inner:
            # too little time for even one Lagrangian step (which always runs once): the
            # incumbent (greedy seed, working-set fill) stands
            self.timed_out = True
            return None
        w = _compact(with_pairs(work))
        inner_deadline = None
        if ctx.deadline is not None:
            # this round's share of what is left after the pass that prices its duals
            left = ctx.deadline - pass_seconds - self.reserve - time.perf_counter()
            share = FIRST_ROUND_SHARE if warm is None else LATER_ROUND_SHARE
            share = 1.0 if final else share
            inner_deadline = time.perf_counter() + max(0.0, share * left)
        stats: dict[str, Any] = {}
        inner = SolveContext(ctx.inst, ctx.layout, w, inner_deadline, ctx.t_start, ctx.gap, stats)
        n_workers = self.n_workers
        if n_workers is None:
            n_workers = FlowWorkers.available() if w.n_pairs > EXACT_ORACLE_MAX_PAIRS else 0
        workers = FlowWorkers(n_workers) if n_workers > 1 else None
        try:
            t_inner = time.perf_counter()
            lp = LagrangianLP(inner, workers)
            lp.keep_best_flow = True
            lp.lp_fit = self.lp_fit
            if warm is not None:  # later rounds start from the last multipliers
                lp.steps.best_lam = warm
                lp.max_iter = WARM_SUBGRADIENT_ITER
            light = self._round(lp, w, warm, final, inner_deadline)
            self.offer(lp.best.x, lp.best.cands)
            # only a solved support LP is worth carrying on: without one (50k dense, where
            # no LP round fits) the next round's subgradient steps and their Lagrangian
            # heuristic do more for the primal than an LP that would not finish either;
            # a light round keeps the last solved one
            if not light:
                self.support = None
                if lp.master is not None and lp.lp_rounds > 0:
                    self.support = w.subset(lp.master.in_model)
                    self.support.pair = None
            self.light_rounds += light
            self.lp_fit = lp.lp_fit
            self.lp_skipped += lp.lp_skipped
            self.inner = {
                "working_set_bound_eur": lp.bound,
                "subgradient_iterations": lp.iters,
                "pricing_rounds": lp.lp_rounds,
                "lp_objective_eur": lp.lp_obj,
                "support_arcs": lp.n_support,
                "timings_inner": ", ".join(
                    f"{k} {v:.1f}" for k, v in lp.clock.est.items() if k.endswith("_total")
                ),
            }
            self.timed_out = self.timed_out or lp.timed_out
            self.clock.record("light" if light else "inner", t_inner)
            if lp.best_flow is None:
                return None
            lam, flow, pv = lp.best_flow
            t0 = time.perf_counter()
            u, v = self._transport_duals(lp.pair_sup, lp.pair_dem, pv, flow)
            self.clock.record("duals", t0)
            return Duals(u, v, np.zeros((0, 0)), lam)
        finally:
            if workers is not None:
                peak = max(workers.close(), self.ctx.stats.get("flow_workers_peak_mb", 0.0))
                self.inner["flow_workers_peak_mb"] = peak
                self.ctx.stats["flow_workers_peak_mb"] = peak

    def _round(
        self,
        lp: LagrangianLP,
        w: Candidates,
        warm: np.ndarray | None,
        final: bool,
        inner_deadline: float | None,
    ) -> bool:
        """One round's Lagrangian work on the working set; True for a *light* round.

        The first round finds a support by subgradient steps, then LP rounds. A later round
        carries the last solved support LP on with the pairs of the working set's flow at
        the last multipliers, and runs one LP round. When that LP is predicted not to finish
        (50k dense: 168k columns, 40 s), the round is light: the working set's flow at the
        last multipliers (already evaluated) gives the duals the next pass prices with, and
        the round ends there; the working set grows with every pass, so the bound at those
        multipliers converges over all arcs at ~12 s per round (pass included) instead of
        ~25 s. Light only while the last pass closed LIGHT_MIN_GAIN of the gap: once the
        bound at these multipliers stalls, a round looks for better ones (subgradient steps
        from them, a support LP of their routes). The final round (`final`) improves the
        primal instead: subgradient steps with their Lagrangian heuristic and the
        re-optimisation of the free arcs (50k dense in 120 s: 1.45 % -> 0.36 %). Light
        rounds first, whatever the LP would cost, were tried: at 20k the first round's
        multipliers are poor and the bound at them converged to 13 % above the optimum."""
        from urbanmine.engine.matching.lagrangian import FlowTimeout

        carried = self._carry_support(lp, w)
        try:
            if carried and warm is not None:
                self._support_from_flow(lp, w, warm)
                carried = self._carried_lp_fits(lp, inner_deadline)
                if not carried and not final and self.round_gain >= LIGHT_MIN_GAIN:
                    return True
            if not carried:  # the first round finds a support by subgradient steps
                lp._subgradient(lp._restricted_oracle())
            if not lp.within_gap():
                lp._column_generation()
            lp._without_lp()
        except FlowTimeout:
            self.timed_out = True
        return False

    def _carry_support(self, lp: LagrangianLP, w: Candidates) -> bool:
        """The last round's support LP columns carry on, so no subgradient phase has to
        find them again: one LP round, priced over the working set. False in the first
        round (nothing to carry)."""
        if self.support is None or not len(self.support):
            return False
        keys = arc_keys(w, self.n_d, self.n_h)
        lp.support |= np.isin(keys, arc_keys(self.support, self.n_d, self.n_h))
        lp.n_support = int(lp.support.sum())
        lp.max_lp_rounds = WARM_LP_ROUNDS
        self.carried_support = lp.n_support
        return True

    @staticmethod
    def _support_from_flow(lp: LagrangianLP, w: Candidates, lam: np.ndarray) -> None:
        """The pairs the working set's flow uses at the last multipliers (the pricing pass
        brought new ones in) join the support LP."""
        flow, pv = lp.exact_bound(lam)
        lp.exact_at = (lam, flow, pv)  # for the restricted oracle, if the LP is not run
        assert w.pair is not None
        lp.support |= (flow > 0)[w.pair]
        lp.n_support = int(lp.support.sum())

    def _carried_lp_fits(self, lp: LagrangianLP, inner_deadline: float | None) -> bool:
        """Whether the carried support LP is predicted to finish before this round's
        deadline (from the last solved LP, `LagrangianLP.predicted_lp_seconds`). If not,
        the round is light or runs subgradient steps from the last multipliers (`_round`):
        an interior point LP cut off by its limit gives nothing (50k dense: a carried LP of
        168k columns needed 40 s where 11 s were left)."""
        predicted = lp.predicted_lp_seconds(lp.n_support)
        if inner_deadline is None or predicted is None:
            return True
        left = inner_deadline - time.perf_counter() - lp.reserve
        left -= lp.clock.est.get("repair", 0.5) + lp.clock.est["reoptimise"]
        if predicted <= left:
            return True
        lp.support[:] = False
        lp.n_support = 0
        lp.max_lp_rounds = type(lp).max_lp_rounds
        self.lp_skipped += 1
        return False

    def _transport_duals(
        self, pair_sup: np.ndarray, pair_dem: np.ndarray, pv: np.ndarray, flow: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Tree duals tightened over the working set; its exact duals once the rounds have
        stalled on the tree duals (`solve`)."""
        a = self.ctx.inst.arrays
        if self.exact_duals:
            exact = exact_or_loose_duals(
                pair_sup, pair_dem, pv, flow, s_qty=a.s_qty, d_qty=a.d_qty, loose=self.loose_duals
            )
            if exact is not None:
                return exact
        u, v = transport_duals(pair_sup, pair_dem, pv, flow, s_qty=a.s_qty, d_qty=a.d_qty)
        return tighten_duals(pair_sup, pair_dem, pv, u, v, qty=(a.s_qty, a.d_qty))

    def _dual_objective(self, duals: Duals) -> float:
        """sum q_s u_s + sum q_d v_d + sum cap_h w[h, k] (plus float slack)."""
        a = self.ctx.inst.arrays
        layout = self.ctx.layout
        w = duals.capacity_prices()
        slots = np.flatnonzero(layout.hub_slot >= 0)
        caps = np.zeros(layout.n_binding)
        caps[layout.hub_slot[slots]] = a.h_cap_t[slots]
        obj = float(
            (a.s_qty * duals.u).sum()
            + (a.d_qty * duals.v).sum()
            + ((caps[:, None] * w).sum() if w.size else 0.0)
        )
        return obj + 1e-9 * abs(obj)  # float rounding in the sums

    def _offer_bound(self, duals: Duals, got: PassResult) -> Duals:
        """The dual objective at (u, v + max(0, delta), w) or at (u + eps, v, w), whichever
        is lower: both are dual feasible for ALL arcs because the pass saw every arc
        (module docstring). Returns that repaired dual point."""
        by_demand = Duals(
            duals.u,
            duals.v + np.maximum(np.nan_to_num(got.delta, neginf=0.0), 0.0),
            duals.y,
            duals.w,
        )
        by_supply = Duals(duals.u + got.eps, duals.v, duals.y, duals.w)
        b_d, b_s = self._dual_objective(by_demand), self._dual_objective(by_supply)
        bound = min(b_d, b_s)
        self.bounds.append(bound)
        self.bound = min(self.bound, bound)
        return by_demand if b_d <= b_s else by_supply

    def _result(self, n_work: int) -> Result:
        from urbanmine.engine.matching.optimal import _finish

        ctx = self.ctx
        if ctx.deadline is not None and not self.within_gap():
            self.timed_out = self.timed_out or any(not p.complete for p in self.passes)
            self.timed_out = self.timed_out or self.clock.remaining() < self.reserve + 5.0
        ctx.stats.update(
            method="dense: streamed pricing + lagrangian+lp on a working set",
            pricing_passes=len(self.passes),
            complete_passes=sum(p.complete for p in self.passes),
            pairs_priced=self.passes[0].pairs if self.passes else 0,
            pairs_evaluated=", ".join(str(p.evaluated) for p in self.passes),
            pairs_per_demand=self.keep,
            pricing_rounds_dense=self.rounds,
            dual_descent_steps=self.descent_steps,
            carried_support_arcs=self.carried_support,
            exact_duals=self.exact_duals,
            lp_skipped=self.lp_skipped,
            light_rounds=self.light_rounds,
            greedy_seed_eur=self.greedy_value,
            greedy_seed_complete=self.greedy_complete,
            working_set_arcs=n_work,
            working_set_capped=self.capped,
            model_arcs=len(self.best_cands),
            dual_bounds=", ".join(f"{b:.0f}" for b in self.bounds),
            timings=", ".join(f"{k} {v:.1f}" for k, v in self.clock.est.items() if "_total" in k),
            solve_seconds=time.perf_counter() - ctx.t_start,
            **self.inner,
        )
        return _finish(
            ctx,
            self.best_cands,
            self.best_x,
            objective=max(self.best_value, 0.0),
            bound=self.bound,
            timed_out=self.timed_out,
        )
