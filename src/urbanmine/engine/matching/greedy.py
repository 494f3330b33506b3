"""First-come-first-served baseline and the shared integer bookkeeping (capacity profiles).

The baseline mimics today's marketplaces: demands are served in order of `window_start`
(tie: id); each takes the best remaining offers, highest per-unit contribution first,
while hub capacity lasts. The same `Ledger` repairs and tops up the optimal solver's
rounded solutions, so both solvers obey the rules the same strict way.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from urbanmine.engine.matching.candidates import Candidates, iter_candidate_blocks
from urbanmine.engine.matching.instance import Assignment, Instance, Result, Totals, iso

# Relative safety margin when filling hub capacity (float sums must stay <= capacity).
_CAP_MARGIN = 1e-12


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

    def span(self, s: int, day: int) -> tuple[int, int]:
        """Event positions [p0, p1) during which a lot of supply s delivered on `day` is held."""
        p0 = int(np.searchsorted(self.events, self.s_day[s]))
        p1 = int(np.searchsorted(self.events, day))
        return p0, p1

    def max_units(self, s: int, d: int, h: int, day: int) -> int:
        k = int(min(self.rem_s[s], self.rem_d[d]))
        if k <= 0 or h < 0:
            return max(k, 0)
        p0, p1 = self.span(s, day)
        if p1 <= p0:
            return k
        cap_t = self.cap_t[h]
        held_t = float(self.load_t[h, p0:p1].max())
        m_t = self.s_mass_t[s]
        fit: int = math.floor((cap_t - held_t) / m_t + 1e-9)
        while fit > 0 and held_t + fit * m_t > cap_t * (1 + _CAP_MARGIN):
            fit -= 1
        return max(0, min(k, fit))

    def take(self, s: int, d: int, h: int, day: int, k: int) -> None:
        self.rem_s[s] -= k
        self.rem_d[d] -= k
        if h >= 0:
            p0, p1 = self.span(s, day)
            if p1 > p0:
                self.load_t[h, p0:p1] += k * self.s_mass_t[s]


def fill(cands: Candidates, order: np.ndarray, ledger: Ledger, x: np.ndarray) -> None:
    """Add as many units as fit to the arcs in `order` (in place on x)."""
    sup, dem, hub, day = (
        cands.sup.tolist(),
        cands.dem.tolist(),
        cands.hub.tolist(),
        cands.day.tolist(),
    )
    rem_s, rem_d = ledger.rem_s, ledger.rem_d
    for i in order.tolist():
        s, d = sup[i], dem[i]
        if rem_s[s] <= 0 or rem_d[d] <= 0:
            continue
        k = ledger.max_units(s, d, hub[i], day[i])
        if k > 0:
            ledger.take(s, d, hub[i], day[i], k)
            x[i] += k


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


def solve_greedy(inst: Instance, cands: Candidates | None = None) -> Result:
    """The first-come-first-served baseline. Arcs are generated demand block by demand
    block in service order, so memory stays flat on large instances."""
    t_start = time.perf_counter()
    d_order = np.array(
        sorted(
            range(len(inst.demand)),
            key=lambda i: (inst.demand[i].window_start, str(inst.demand[i].id)),
        ),
        dtype=np.int64,
    )
    d_rank = np.empty(len(inst.demand), dtype=np.int64)
    d_rank[d_order] = np.arange(len(d_order))
    ledger = Ledger(inst, event_days(inst))
    blocks = [cands] if cands is not None else iter_candidate_blocks(inst, demand_order=d_order)
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
