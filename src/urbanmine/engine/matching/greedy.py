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
    from urbanmine.engine.matching.dense import Pricer

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
    (start, end) index pairs; the odd results are the stretches between queries."""
    n = load.shape[1]
    flat = np.zeros((load.shape[0], n + 1))
    flat[:, :n] = load
    base = row.astype(np.int64) * (n + 1)
    idx = np.empty(2 * len(row), dtype=np.int64)
    idx[0::2] = base + p0
    idx[1::2] = base + p1
    out: np.ndarray = np.maximum.reduceat(flat.ravel(), idx)[0::2]
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
    its other routes generated (all of them, best first), so the result is the one of
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
    inst: Instance, pricer: Pricer | None = None, deadline: float | None = None
) -> tuple[Candidates, np.ndarray, dict[str, Any]]:
    """The lazy first-come-first-served baseline as (routes used, units on them, stats).
    With a `deadline` (perf_counter time) it stops serving demands there: what it has
    assigned so far is still feasible (the optimal solver's dense path starts from it);
    stats["complete"] says whether every demand had its turn."""
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
    levels: dict[tuple[int, int], _Lists] = {}
    taken: list[tuple[Candidates, np.ndarray]] = []
    fallbacks = 0
    complete = True
    for d in _service_order(inst).tolist():
        if deadline is not None and time.perf_counter() > deadline:
            complete = False
            break
        b = int(blk_of[d])
        if b < 0 or ledger.rem_d[d] <= 0:
            continue
        i = int(pos_in[d])
        above = np.inf  # routes worth more than this were offered already
        for level, keep in enumerate(GREEDY_LEVELS):
            lst = levels.get((b, level))
            if lst is None:
                blk = pricer.blocks[b]
                lst = _Lists(*pricer.greedy_lists(blk, ledger.rem_s > 0, keep), blk.demands)
                levels[(b, level)] = lst
            mine, th = lst.of(i)
            v = mine.value_eur_per_unit
            taken.append(_take(mine.subset(np.flatnonzero((v > th) & (v <= above))), d, ledger))
            above = th
            if ledger.rem_d[d] <= 0 or not np.isfinite(th):
                break
        if ledger.rem_d[d] > 0 and np.isfinite(above):
            fallbacks += 1  # every other route of d, best first
            full = pricer.gen.arcs(int(inst.arrays.d_group[d]), np.array([d], dtype=np.int64))
            if full is not None:
                rest = full.subset(np.flatnonzero(full.value_eur_per_unit <= above))
                rest = rest.subset(np.argsort(-rest.value_eur_per_unit, kind="stable"))
                taken.append(_take(rest, d, ledger))
        left[b] -= 1
        if left[b] == 0:
            for level in range(len(GREEDY_LEVELS)):
                levels.pop((b, level), None)
    used = Candidates.concat([c for c, _ in taken])
    used.pair = None
    x_all = np.concatenate([q for _, q in taken]) if taken else np.zeros(0, dtype=np.int64)
    return used, x_all, {"fallback_demands": fallbacks, "complete": complete}


class _Lists:
    """One block's listed routes (sorted by demand, then value) and theta per demand."""

    def __init__(self, arcs: Candidates, theta: np.ndarray, demands: np.ndarray):
        self.arcs = arcs.subset(np.lexsort((-arcs.value_eur_per_unit, arcs.dem)))
        self.theta = theta
        self.starts = np.searchsorted(self.arcs.dem, demands, side="left")
        self.ends = np.searchsorted(self.arcs.dem, demands, side="right")

    def of(self, i: int) -> tuple[Candidates, float]:
        """Routes (best first) and theta of the block's i-th demand."""
        return self.arcs.subset(np.arange(self.starts[i], self.ends[i])), float(self.theta[i])


def _take(arcs: Candidates, d: int, ledger: Ledger) -> tuple[Candidates, np.ndarray]:
    """Demand d takes as many units as fit from `arcs`, in their order. Routes via a hub
    that is already too full for one unit over their holding days are skipped up front
    (loads only grow while d is served, so they stay too full)."""
    if len(arcs):
        keep = ledger.rem_s[arcs.sup] > 0
        hub_arcs = np.flatnonzero(keep & (arcs.hub >= 0))
        if len(hub_arcs) > _PRECHECK_MIN:  # a long list: the table pays for itself
            keep[hub_arcs] = ledger.fits_one(
                arcs.sup[hub_arcs], arcs.hub[hub_arcs], arcs.day[hub_arcs]
            )
        arcs = arcs.subset(np.flatnonzero(keep))
    x = np.zeros(len(arcs), dtype=np.int64)
    sup, hub, day = arcs.sup.tolist(), arcs.hub.tolist(), arcs.day.tolist()
    rem_s, rem_d = ledger.rem_s, ledger.rem_d
    for i in range(len(x)):
        if rem_d[d] <= 0:
            break
        s = sup[i]
        if rem_s[s] <= 0:
            continue
        k = ledger.max_units(s, d, hub[i], day[i])
        if k > 0:
            ledger.take(s, d, hub[i], day[i], k)
            x[i] = k
    nz = np.flatnonzero(x)
    out = arcs.subset(nz)
    out.pair = None
    return out, x[nz]
