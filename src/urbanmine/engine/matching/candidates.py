"""Candidate arcs (supply, demand, route, delivery date) that can matter in an optimum.

Pruning is exact (no feasible arc that could improve an optimum is dropped):

* The delivery date of an arc is fixed to the earliest feasible day
  `t0 = max(available_on, window_start)`: the objective only falls with dwell days and a later
  date only lengthens the interval `[available_on, delivery)` a hub holds the mass, so any
  solution can move every delivery to `t0` without losing feasibility or value.
* An arc whose per-unit contribution is <= 0 is dropped: the objective is maximised and
  assigning nothing is always allowed, so setting such an arc to zero never hurts.
* A hub route of a pair is dropped when the direct route of that pair is feasible and worth at
  least as much: it uses no hub capacity, so it dominates (the triangle inequality makes this
  the common case; the comparison is done on the computed numbers, not assumed).
* Pairs further apart than `max_distance_km` (great circle x road factor) are dropped before
  routes are built: a detour via a hub is never shorter than the direct road distance.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from urbanmine.engine.geo import haversine_km
from urbanmine.engine.matching.instance import Instance

# Slack (km) on the direct-distance pre-filter only: the exact route check follows.
_PREFILTER_SLACK_KM = 1e-6
_BLOCK_DEMANDS = 256


@dataclass
class Candidates:
    """Arc columns; `hub == -1` marks a direct arc. Values are euros per unit."""

    sup: np.ndarray  # int64 supply index
    dem: np.ndarray  # int64 demand index
    hub: np.ndarray  # int64 hub index or -1
    day: np.ndarray  # int64 delivery date ordinal (earliest feasible)
    value_eur_per_unit: np.ndarray  # float64, > 0
    distance_km: np.ndarray  # float64 road km of the route
    # (supply, demand) pair of each arc, numbered densely within a generated block (routes of
    # one pair share the number); None when unknown
    pair: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.sup)

    def subset(self, mask: np.ndarray) -> Candidates:
        return Candidates(
            self.sup[mask],
            self.dem[mask],
            self.hub[mask],
            self.day[mask],
            self.value_eur_per_unit[mask],
            self.distance_km[mask],
            None if self.pair is None else self.pair[mask],
        )

    @property
    def n_pairs(self) -> int:
        return 0 if self.pair is None or not len(self.pair) else int(self.pair.max()) + 1

    @staticmethod
    def concat(parts: list[Candidates], renumber_pairs: bool = False) -> Candidates:
        """Arcs of all parts; pair numbers are kept as they are (parts of one block) or, with
        `renumber_pairs`, shifted so that pairs of different parts stay apart."""
        if not parts:
            e_i = np.zeros(0, dtype=np.int64)
            e_f = np.zeros(0, dtype=np.float64)
            return Candidates(e_i, e_i, e_i, e_i, e_f, e_f, e_i)
        pair = None
        if all(p.pair is not None for p in parts):
            if renumber_pairs:
                offsets = np.cumsum([0] + [p.n_pairs for p in parts[:-1]])
                pair = np.concatenate([p.pair + off for p, off in zip(parts, offsets, strict=True)])
            else:
                pair = np.concatenate([p.pair for p in parts])
        cols = [np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS]
        return Candidates(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], pair)


_FIELDS = ("sup", "dem", "hub", "day", "value_eur_per_unit", "distance_km")


def transport_eur_per_tkm(inst: Instance) -> float:
    """Money plus priced CO2 of moving one tonne one road kilometre."""
    p = inst.params
    return p.transport_eur_per_tkm + p.truck_co2_kg_per_tkm / 1000.0 * p.co2_price_eur_per_t


def build_candidates(inst: Instance) -> Candidates:
    """All arcs that can carry flow in some optimal solution (see module docstring)."""
    return Candidates.concat(list(iter_candidate_blocks(inst)), renumber_pairs=True)


def iter_candidate_blocks(
    inst: Instance, block_demands: int = _BLOCK_DEMANDS, demand_order: np.ndarray | None = None
) -> Iterator[Candidates]:
    """The same arcs in blocks of demands, so large instances can be priced without storing
    every arc at once. With `demand_order`, blocks follow that order (the greedy baseline)."""
    gen = _Generator(inst)
    if demand_order is None:
        for g in range(len(inst.product_groups)):
            d_idx = gen.demands_of(g)
            for b0 in range(0, len(d_idx), block_demands):
                block = gen.arcs(g, d_idx[b0 : b0 + block_demands])
                if block is not None:
                    yield block
        return
    groups = inst.arrays.d_group
    for b0 in range(0, len(demand_order), block_demands):
        chunk = demand_order[b0 : b0 + block_demands]
        parts = []
        for g in np.unique(groups[chunk]):
            block = gen.arcs(int(g), chunk[groups[chunk] == g])
            if block is not None:
                parts.append(block)
        if parts:
            yield Candidates.concat(parts, renumber_pairs=True)


class _Generator:
    """Per-group sorted supplies and the hub distance tables, built once per pass."""

    def __init__(self, inst: Instance):
        a = inst.arrays
        p = inst.params
        self.inst = inst
        self.c_tkm = transport_eur_per_tkm(inst)
        n_hubs = len(inst.hubs)
        self.max_dwell_any = int(a.h_max_dwell.max()) if n_hubs else 0
        self.max_lag = max(p.direct_transfer_max_days, self.max_dwell_any)
        rf = p.road_factor
        self.l_sh = self.l_hd = np.zeros((0, 0))
        if n_hubs:
            self.l_sh = rf * haversine_km(
                a.s_lat[:, None], a.s_lon[:, None], a.h_lat[None, :], a.h_lon[None, :]
            )
            self.l_hd = rf * haversine_km(
                a.d_lat[:, None], a.d_lon[:, None], a.h_lat[None, :], a.h_lon[None, :]
            )
        usable_s = (~a.s_hazardous) & (a.s_qty > 0)
        self.s_sorted: list[np.ndarray] = []
        for g in range(len(inst.product_groups)):
            s_idx = np.flatnonzero(usable_s & (a.s_group == g))
            self.s_sorted.append(s_idx[np.argsort(a.s_day[s_idx], kind="stable")])

    def demands_of(self, g: int) -> np.ndarray:
        a = self.inst.arrays
        d_idx = np.flatnonzero((a.d_group == g) & (a.d_qty > 0))
        return d_idx[np.argsort(a.d_start[d_idx], kind="stable")]

    def arcs(self, g: int, db: np.ndarray) -> Candidates | None:
        """All useful arcs of product group g into the demands db."""
        inst = self.inst
        a = inst.arrays
        p = inst.params
        value_t = a.g_value_eur_per_t[g]
        s_idx = self.s_sorted[g]
        db = db[a.d_qty[db] > 0]
        if value_t <= 0 or len(s_idx) == 0 or len(db) == 0:
            return None  # no arc of this group can have a positive contribution
        c_tkm = self.c_tkm
        # beyond this road distance every arc of the group loses money
        useful_km = value_t / c_tkm if c_tkm > 0 else np.inf
        max_lag, max_dwell_any = self.max_lag, self.max_dwell_any
        rf = p.road_factor
        s_day = a.s_day[s_idx]
        hubs_g = np.flatnonzero(a.h_accepts[:, g]) if len(inst.hubs) else np.zeros(0, np.int64)
        lo = np.searchsorted(s_day, a.d_start[db].min() - max_lag, side="left")
        hi = np.searchsorted(s_day, a.d_end[db].max(), side="right")
        if hi <= lo:
            return None
        sb = s_idx[lo:hi]
        sd = s_day[lo:hi][None, :]
        ws = a.d_start[db][:, None]
        t0 = np.maximum(sd, ws)
        lag = t0 - sd
        max_km = np.minimum(a.d_max_km[db], useful_km)[:, None]
        ok = (
            (t0 <= a.d_end[db][:, None])
            & (lag <= max_lag)
            & (a.s_quality[sb][None, :] <= a.d_min_quality[db][:, None])
        )
        di, si = np.nonzero(ok)
        if len(di) == 0:
            return None
        dd = db[di]
        ss = sb[si]
        dist = haversine_km(a.s_lat[ss], a.s_lon[ss], a.d_lat[dd], a.d_lon[dd]) * rf
        keep = dist <= max_km[di, 0] + _PREFILTER_SLACK_KM
        dd, ss, dist = dd[keep], ss[keep], dist[keep]
        t0p = t0[di[keep], si[keep]]
        lagp = lag[di[keep], si[keep]]
        mass_t = a.s_mass_t[ss]
        direct_val = mass_t * (value_t - c_tkm * dist)
        direct_ok = (
            (lagp <= p.direct_transfer_max_days) & (dist <= a.d_max_km[dd]) & (direct_val > 0)
        )
        block = [
            Candidates(
                ss[direct_ok],
                dd[direct_ok],
                np.full(int(direct_ok.sum()), -1, dtype=np.int64),
                t0p[direct_ok],
                direct_val[direct_ok],
                dist[direct_ok],
                np.flatnonzero(direct_ok),
            )
        ]
        # hub routes: pairs x accepting hubs
        need = lagp <= max_dwell_any
        if len(hubs_g) == 0 or not need.any():
            return _dense_pairs(block[0], len(dd))
        ss2, dd2, t02, lag2 = ss[need], dd[need], t0p[need], lagp[need]
        dval2 = np.where(direct_ok[need], direct_val[need], -np.inf)
        route_km = self.l_sh[ss2][:, hubs_g] + self.l_hd[dd2][:, hubs_g]
        hub_val = mass_t[need][:, None] * (
            value_t
            - c_tkm * route_km
            - a.h_handling[hubs_g][None, :]
            - a.h_storage[hubs_g][None, :] * lag2[:, None]
        )
        hub_ok = (
            (lag2[:, None] <= a.h_max_dwell[hubs_g][None, :])
            & (route_km <= a.d_max_km[dd2][:, None])
            & (hub_val > 0)
            & (hub_val > dval2[:, None])
        )
        pi, hj = np.nonzero(hub_ok)
        if len(pi):
            block.append(
                Candidates(
                    ss2[pi],
                    dd2[pi],
                    hubs_g[hj],
                    t02[pi],
                    hub_val[pi, hj],
                    route_km[pi, hj],
                    np.flatnonzero(need)[pi],
                )
            )
        return _dense_pairs(Candidates.concat(block), len(dd))


def _dense_pairs(c: Candidates, n_pairs: int) -> Candidates:
    """Renumber the pair ids of a block 0..k-1 over the pairs that kept at least one route."""
    assert c.pair is not None
    used = np.zeros(n_pairs, dtype=bool)
    used[c.pair] = True
    c.pair = (np.cumsum(used) - 1)[c.pair]
    return c
