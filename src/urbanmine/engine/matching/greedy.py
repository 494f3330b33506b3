"""First-come-first-served baseline and the shared integer bookkeeping (capacity profiles).

The baseline mimics today's marketplaces: demands are served in order of `window_start`
(tie: id); each takes the best remaining offers, highest per-unit contribution first,
while hub capacity lasts. The same `Ledger` repairs and tops up the optimal solver's
rounded solutions, so both solvers obey the rules the same strict way.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

import numpy as np

from urbanmine.engine.matching.candidates import Candidates
from urbanmine.engine.matching.instance import Assignment, Instance, Result, Totals, iso

if TYPE_CHECKING:
    from urbanmine.engine.matching.dense import GreedyBlock, Pricer

# Relative safety margin when filling hub capacity (float sums must stay <= capacity).
_CAP_MARGIN = 1e-12
_PRECHECK_MIN = 200  # hub routes in a list before `_take` pre-checks them in one go


def event_days(inst: Instance) -> np.ndarray:
    """Every day a hub's held set can change: a lot arrives (available_on) or leaves (an
    earliest delivery date, which is an available_on or a window_start)."""
    a = inst.arrays
    return np.unique(np.concatenate([a.s_day, a.d_start, np.zeros(0, dtype=np.int64)]))


class Ledger:
    """Remaining supply/demand units and the mass held per hub per event interval."""

    def __init__(self, inst: Instance, events: np.ndarray):
        a = inst.arrays
        self.events = events
        self.rem_s = a.s_qty.copy()
        self.rem_d = a.d_qty.copy()
        self.cap_t = a.h_cap_t
        self.load_t = np.zeros((len(inst.hubs), max(1, len(events))))
        self.s_day = a.s_day
        self.s_mass_t = a.s_mass_t
        # plain lists for the per-unit bookkeeping (a NumPy call per scalar costs more)
        self._events = events.tolist()
        self._s_day = a.s_day.tolist()
        self._s_mass = a.s_mass_t.tolist()
        self._cap = a.h_cap_t.tolist()
        self.s_pos = np.searchsorted(events, a.s_day)  # event position of each lot's arrival
        self.d_start = a.d_start
        self.d_pos = np.searchsorted(events, a.d_start)

    def span(self, s: int, day: int) -> tuple[int, int]:
        """Event positions [p0, p1) during which a lot of supply s delivered on `day` is held."""
        return bisect_left(self._events, self._s_day[s]), bisect_left(self._events, day)

    def max_units(self, s: int, d: int, h: int, day: int) -> int:
        k = int(min(self.rem_s[s], self.rem_d[d]))
        if k <= 0 or h < 0:
            return max(k, 0)
        return self.fit(s, h, day, k)

    def fit(self, s: int, h: int, day: int, k: int) -> int:
        """At most k (> 0) units of supply s via hub h delivered on `day`, as far as the
        hub's capacity over the holding days allows."""
        p0, p1 = self.span(s, day)
        if p1 <= p0:
            return k
        cap_t = self._cap[h]
        held_t = float(self.load_t[h, p0:p1].max())
        m_t = self._s_mass[s]
        fit: int = math.floor((cap_t - held_t) / m_t + 1e-9)
        while fit > 0 and held_t + fit * m_t > cap_t * (1 + _CAP_MARGIN):
            fit -= 1
        return max(0, min(k, fit))

    def hold(self, s: int, h: int, day: int, k: int) -> None:
        """Book the mass of k units of s held at hub h until `day` (h < 0: direct)."""
        if h >= 0:
            p0, p1 = self.span(s, day)
            if p1 > p0:
                self.load_t[h, p0:p1] += k * self._s_mass[s]

    def fits_one(self, sup: np.ndarray, hub: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether one more unit fits on each hub route now (vectorised `max_units` > 0
        for the capacity part): max held mass over the holding days + unit mass <= cap."""
        p0 = np.searchsorted(self.events, self.s_day[sup])
        p1 = np.searchsorted(self.events, day)
        held = p1 > p0
        out = np.ones(len(sup), dtype=bool)
        if not held.any():
            return out
        q = np.flatnonzero(held)
        top = _range_max(self.load_t, hub[q], p0[q], p1[q])
        m = self.s_mass_t[sup[q]]
        out[q] = top + m <= self.cap_t[hub[q]] * (1 + _CAP_MARGIN) + 1e-9 * m
        return out

    def take(self, s: int, d: int, h: int, day: int, k: int) -> None:
        self.rem_s[s] -= k
        self.rem_d[d] -= k
        self.hold(s, h, day, k)


def _range_max(load: np.ndarray, row: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """max(load[row, p0:p1]) per query (p1 > p0): one `maximum.reduceat` over the rows laid
    end to end (a pad column keeps every end index inside), queries interleaved as
    (start, end) index pairs; the odd results are the stretches between queries. Queries
    go in ascending start order, so those stretches cover the table about once (in list
    order, a stretch from one hub's row to another's could span the whole table for every
    query: that was most of the greedy's time at 10k dense)."""
    n = load.shape[1]
    flat = np.zeros((load.shape[0], n + 1))
    flat[:, :n] = load
    base = row.astype(np.int64) * (n + 1)
    start = base + p0
    order = np.argsort(start, kind="stable")
    idx = np.empty(2 * len(row), dtype=np.int64)
    idx[0::2] = start[order]
    idx[1::2] = (base + p1)[order]
    out = np.empty(len(row))
    out[order] = np.maximum.reduceat(flat.ravel(), idx)[0::2]
    return out


def fill(cands: Candidates, order: np.ndarray, ledger: Ledger, x: np.ndarray) -> None:
    """Add as many units as fit to the arcs in `order` (in place on x). The remaining
    quantities are plain lists during the loop (millions of arcs in the dense path's
    working set; a NumPy scalar access per arc cost most of its time), written back after."""
    sup, dem, hub, day = (
        cands.sup.tolist(),
        cands.dem.tolist(),
        cands.hub.tolist(),
        cands.day.tolist(),
    )
    rem_s, rem_d = ledger.rem_s.tolist(), ledger.rem_d.tolist()
    try:
        for i in order.tolist():
            s, d = sup[i], dem[i]
            rs, rd = rem_s[s], rem_d[d]
            if rs <= 0 or rd <= 0:
                continue
            k = rs if rs < rd else rd
            h = hub[i]
            if h >= 0:
                k = ledger.fit(s, h, day[i], k)
                if k <= 0:
                    continue
                ledger.hold(s, h, day[i], k)
            rem_s[s], rem_d[d] = rs - k, rd - k
            x[i] += k
    finally:
        ledger.rem_s[:] = rem_s
        ledger.rem_d[:] = rem_d


def build_result(
    inst: Instance,
    cands: Candidates,
    x: np.ndarray,
    status: str,
    *,
    bound_eur: float | None,
    extra: dict[str, Any],
) -> Result:
    """Contract-shaped result from arc quantities (numbers from the candidate arrays);
    `bound_eur` None when there is no proven bound, `extra` becomes `Result.extra`."""
    a = inst.arrays
    p = inst.params
    nz = np.flatnonzero(x > 0)
    q = x[nz].astype(np.int64)
    s, d, h = cands.sup[nz], cands.dem[nz], cands.hub[nz]
    mass_t = q * a.s_mass_t[s]
    g = a.s_group[s]
    pg = inst.product_groups
    dco2 = np.array([x.virgin_co2_kg_per_kg - x.reuse_co2_kg_per_kg for x in pg])
    tkm = float((mass_t * cands.distance_km[nz]).sum())
    totals = Totals(
        mass_kg=float(mass_t.sum() * 1000.0),
        co2_avoided_kg=float((mass_t * 1000.0 * dco2[g]).sum()) if len(g) else 0.0,
        transport_co2_kg=tkm * p.truck_co2_kg_per_tkm,
        transport_tkm=tkm,
    )
    objective = float((q * cands.value_eur_per_unit[nz]).sum())
    order = np.lexsort((h, d, s))
    assignments = [
        Assignment(
            supply=inst.supply[int(s[i])].id,
            demand=inst.demand[int(d[i])].id,
            hub=None if h[i] < 0 else inst.hubs[int(h[i])].id,
            quantity=int(q[i]),
            delivery_date=iso(int(cands.day[nz[i]])),
        )
        for i in order
    ]
    if bound_eur is not None:
        # a bound below the objective can only be float rounding (< 1e-6 relative); the raw
        # value stays in `extra` so tests can tell rounding from a wrong bound
        extra["solver_bound_eur"] = bound_eur
        bound_eur = max(bound_eur, objective)
    return Result(status, objective, bound_eur, assignments, totals, extra)


# routes of this many best pairs per demand are listed up front, then (for demands that
# still want units) of this many, then all
GREEDY_LEVELS = (8, 64)


def _service_order(inst: Instance) -> np.ndarray:
    """Demands by window_start, ties by id (as text): the order they are served in."""
    return np.array(
        sorted(
            range(len(inst.demand)),
            key=lambda i: (inst.demand[i].window_start, str(inst.demand[i].id)),
        ),
        dtype=np.int64,
    )


def solve_greedy(inst: Instance, cands: Candidates | None = None) -> Result:
    """The first-come-first-served baseline: each demand, in service order, takes the
    best remaining routes by per-unit contribution while hub capacity lasts.

    Without `cands` it never generates every arc (`_greedy_lazy`): per pricing block
    (`dense.Pricer`) it lists every route of each demand's GREEDY_LEVELS[0] best pairs among the
    lots with units left, plus an upper bound `theta` of all its other routes. A demand
    takes its listed routes worth more than theta first; only if it still wants units are
    its other routes taken (all of them, best first, from the block's pairs computed once:
    `dense.GreedyBlock`), so the result is the one of
    going through all its routes in value order."""
    if cands is None:
        return _greedy_lazy(inst)
    t_start = time.perf_counter()
    d_order = _service_order(inst)
    d_rank = np.empty(len(inst.demand), dtype=np.int64)
    d_rank[d_order] = np.arange(len(d_order))
    ledger = Ledger(inst, event_days(inst))
    blocks = [cands]
    taken: list[Candidates] = []
    quantities: list[np.ndarray] = []
    for block in blocks:
        order = np.lexsort((-block.value_eur_per_unit, d_rank[block.dem]))
        x = np.zeros(len(block), dtype=np.int64)
        fill(block, order, ledger, x)
        nz = x > 0
        taken.append(block.subset(nz))
        quantities.append(x[nz])
    used = Candidates.concat(taken)
    x_all = np.concatenate(quantities) if quantities else np.zeros(0, dtype=np.int64)
    return build_result(
        inst,
        used,
        x_all,
        "feasible",
        bound_eur=None,
        extra={"solver": "greedy", "solve_seconds": time.perf_counter() - t_start},
    )


def _greedy_lazy(inst: Instance) -> Result:
    """`solve_greedy` on lazily generated routes (see its docstring)."""
    t_start = time.perf_counter()
    used, x_all, stats = greedy_routes(inst)
    return build_result(
        inst,
        used,
        x_all,
        "feasible",
        bound_eur=None,
        extra={"solver": "greedy", **stats, "solve_seconds": time.perf_counter() - t_start},
    )


def greedy_routes(
    inst: Instance,
    pricer: Pricer | None = None,
    deadline: float | None = None,
    levels: tuple[int, ...] = GREEDY_LEVELS,
) -> tuple[Candidates, np.ndarray, dict[str, Any]]:
    """The lazy first-come-first-served baseline as (routes used, units on them, stats).
    With a `deadline` (perf_counter time) it stops serving demands there: what it has
    assigned so far is still feasible (the optimal solver's dense path starts from it);
    stats["complete"] says whether every demand had its turn. `levels`: the list lengths
    (best pairs per demand) tried before all of a demand's routes (tests use short ones).

    Per block the pairs are computed once (`dense.GreedyBlock`); each list level and the
    fallback of a demand that still wants units select from them."""
    from urbanmine.engine.matching.dense import Pricer

    events = event_days(inst)
    ledger = Ledger(inst, events)
    if pricer is None:
        pricer = Pricer(inst, events, np.full(len(inst.hubs), -1, dtype=np.int64))
    n_d = len(inst.demand)
    blk_of = np.full(n_d, -1, dtype=np.int64)
    pos_in = np.zeros(n_d, dtype=np.int64)
    left = np.zeros(len(pricer.blocks), dtype=np.int64)
    for b, blk in enumerate(pricer.blocks):
        blk_of[blk.demands] = b
        pos_in[blk.demands] = np.arange(len(blk.demands))
        left[b] = len(blk.demands)
    open_blocks: dict[int, GreedyBlock] = {}
    lists: dict[tuple[int, int], _Lists] = {}
    used_parts: list[Candidates] = []  # routes taken (only those: a list is dropped with
    q_parts: list[np.ndarray] = []  # its block, so memory stays that of the open blocks)

    def collect(arcs: Candidates, idx_l: list[np.ndarray], qty_l: list[np.ndarray]) -> None:
        if idx_l:
            used_parts.append(arcs.subset(np.concatenate(idx_l)))
            q_parts.append(np.concatenate(qty_l))

    fallbacks = 0
    complete = True
    rem_d = ledger.rem_d
    for d in _service_order(inst).tolist():
        if deadline is not None and time.perf_counter() > deadline:
            complete = False
            break
        b = int(blk_of[d])
        if b < 0 or rem_d[d] <= 0:
            continue
        gb = open_blocks.get(b)
        if gb is None:
            gb = pricer.greedy_block(pricer.blocks[b], ledger.rem_s > 0)
            open_blocks[b] = gb
        i = int(pos_in[d])
        above = _listed_turn(d, i, b=b, gb=gb, lists=lists, levels=levels, ledger=ledger)
        if rem_d[d] > 0 and np.isfinite(above):
            fallbacks += 1  # every other route of d, best first
            rest = gb.rest(i, ledger.rem_s > 0, above)
            idx, q = _take(rest, 0, len(rest), d, ledger)
            collect(rest, [idx], [q])
        left[b] -= 1
        if left[b] == 0:
            open_blocks.pop(b, None)
            for level in range(len(levels)):
                done = lists.pop((b, level), None)
                if done is not None:
                    collect(done.arcs, done.idx, done.qty)
    for lst in lists.values():  # blocks still open (cut short by the deadline)
        collect(lst.arcs, lst.idx, lst.qty)
    used = Candidates.concat(used_parts)
    used.pair = None
    x_all = np.concatenate(q_parts) if q_parts else np.zeros(0, dtype=np.int64)
    return used, x_all, {"fallback_demands": fallbacks, "complete": complete}


def _listed_turn(
    d: int,
    i: int,
    *,
    b: int,
    gb: GreedyBlock,
    lists: dict[tuple[int, int], _Lists],
    levels: tuple[int, ...],
    ledger: Ledger,
) -> float:
    """Demand d (the i-th of its block) takes from its block's list levels, each built on
    first use (block index b); returns the value above which every route of d was
    offered (inf: none)."""
    above = np.inf
    for level, keep in enumerate(levels):
        lst = lists.get((b, level))
        if lst is None:
            lst = _Lists(*gb.lists(ledger.rem_s > 0, keep), gb.blk.demands)
            lists[(b, level)] = lst
        th = float(lst.theta[i])
        lst.take(i, th, above, d, ledger)
        above = th
        if ledger.rem_d[d] <= 0 or not np.isfinite(th):
            break
    return above


class _Lists:
    """One block's listed routes (sorted by demand, then value), theta per demand, and the
    units taken from them (positions into `arcs`, quantities)."""

    def __init__(self, arcs: Candidates, theta: np.ndarray, demands: np.ndarray):
        self.arcs = arcs.subset(np.lexsort((-arcs.value_eur_per_unit, arcs.dem)))
        self.arcs.pair = None
        self.theta = theta
        self.starts = np.searchsorted(self.arcs.dem, demands, side="left")
        self.ends = np.searchsorted(self.arcs.dem, demands, side="right")
        self.idx: list[np.ndarray] = []
        self.qty: list[np.ndarray] = []

    def take(self, i: int, low: float, high: float, d: int, ledger: Ledger) -> None:
        """The block's i-th demand (index d) takes what fits from its listed routes worth
        more than `low` and at most `high`, best first."""
        lo, hi = int(self.starts[i]), int(self.ends[i])
        if hi <= lo:
            return
        v = self.arcs.value_eur_per_unit[lo:hi]
        inside = np.flatnonzero((v > low) & (v <= high))
        if not len(inside):
            return
        # values are sorted (descending) within the demand: the window is one run
        idx, q = _take(self.arcs, lo + int(inside[0]), lo + int(inside[-1]) + 1, d, ledger)
        if len(idx):
            self.idx.append(idx)
            self.qty.append(q)


def _take(
    arcs: Candidates, lo: int, hi: int, d: int, ledger: Ledger
) -> tuple[np.ndarray, np.ndarray]:
    """Demand d takes as many units as fit from arcs[lo:hi], in their order: (positions in
    `arcs`, units), exactly as `Ledger.max_units` + `Ledger.take` route by route.

    A route is delivered on t0 = max(available_on, window_start): every route of d that
    holds a lot at a hub is delivered on d's window start, so all of them end their
    holding at the same event position p1. The turn therefore keeps, per hub it uses,
    the suffix maxima `suf[p0] = max(load[p0:p1])` (one `maximum.accumulate`): checking a
    route is one lookup, and a take of w tonnes over [p0, p1) adds w to suf[p0:] and
    raises suf[:p0] to suf[p0] (max(a + w) == max(a) + w in floats too, so the numbers are
    the ones the ledger would compute). Loads are written back per take."""
    sup_a = arcs.sup[lo:hi]
    keep = np.flatnonzero(ledger.rem_s[sup_a] > 0)
    if not len(keep) or ledger.rem_d[d] <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sup, hub = sup_a[keep], arcs.hub[lo:hi][keep]
    p0 = ledger.s_pos[sup]
    pe = int(ledger.d_pos[d])  # d's window start: where every held route's holding ends
    held = (hub >= 0) & (p0 < pe)
    if not (arcs.day[lo:hi][keep][held] == ledger.d_start[d]).all():
        raise ValueError("greedy routes must be delivered on t0 = max(available_on, window_start)")
    pmin = int(p0[held].min()) if held.any() else pe
    load = ledger.load_t[:, pmin:pe]
    suf = np.maximum.accumulate(load[:, ::-1], axis=1)[:, ::-1].copy()
    offs = p0 - pmin
    if held.any():  # routes via a hub too full for one unit now stay too full in d's turn
        h = np.flatnonzero(held)
        m = ledger.s_mass_t[sup[h]]
        fits = suf[hub[h], offs[h]] + m <= ledger.cap_t[hub[h]] * (1 + _CAP_MARGIN) + 1e-9 * m
        if not fits.all():
            live = np.ones(len(sup), dtype=bool)
            live[h[~fits]] = False
            idx = np.flatnonzero(live)
            keep, sup, hub, held, offs = keep[idx], sup[idx], hub[idx], held[idx], offs[idx]
    rows = np.where(held, hub, -1)
    return _serve(d, ledger, pos=keep + lo, sup=sup, rows=rows, offs=offs, suf=suf, pmin=pmin)


def _serve(
    d: int,
    ledger: Ledger,
    *,
    pos: np.ndarray,
    sup: np.ndarray,
    rows: np.ndarray,
    offs: np.ndarray,
    suf: np.ndarray,
    pmin: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The loop of `_take` over its routes (positions `pos`; `rows`: the hub of a route that
    holds the lot, else -1)."""
    sup_l, rows_l, offs_l = sup.tolist(), rows.tolist(), offs.tolist()
    pe = pmin + suf.shape[1]
    rem_s, rem_d = ledger.rem_s, ledger.rem_d
    cap, mass = ledger._cap, ledger._s_mass
    got_i: list[int] = []
    got_q: list[int] = []
    for j in range(len(sup_l)):
        rd = rem_d[d]
        if rd <= 0:
            break
        s = sup_l[j]
        rs = rem_s[s]
        if rs <= 0:
            continue
        k = int(rs if rs < rd else rd)
        r = rows_l[j]
        if r >= 0:
            o = offs_l[j]
            held_t = float(suf[r, o])
            cap_t = cap[r]
            m_t = mass[s]
            fit: int = math.floor((cap_t - held_t) / m_t + 1e-9)
            while fit > 0 and held_t + fit * m_t > cap_t * (1 + _CAP_MARGIN):
                fit -= 1
            k = min(k, fit)
            if k <= 0:
                continue
            w = k * m_t
            sr = suf[r]
            sr[o:] += w
            np.maximum(sr[:o], sr[o], out=sr[:o])
            ledger.load_t[r, pmin + o : pe] += w
        rem_s[s] -= k
        rem_d[d] -= k
        got_i.append(j)
        got_q.append(k)
    return pos[got_i], np.array(got_q, dtype=np.int64)
