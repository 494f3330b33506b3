"""Small random instances around Rotterdam, for property tests and notebooks.

Short horizons, small hubs and few product groups, so hub capacity, windows, quality and
distance limits all bite even with a handful of lots. (Realistic benchmark instances come
from `benchmarks/matching_generator.py`.)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

BASE = date(2026, 3, 2)
GROUPS = [
    ("bricks-clay", 0.25, 0.03, 0.35, 2.1),
    ("steel-beams", 1.8, 0.1, 1.2, 42.0),
    ("doors-interior", 0.4, 0.05, 1.0, 25.0),
]


def random_instance(
    seed: int, n_supply: int = 6, n_demand: int = 6, n_hubs: int = 2, n_groups: int = 2
) -> dict[str, Any]:
    """A JSON-ready instance dict (version 1)."""
    rng = np.random.default_rng(seed)
    groups = GROUPS[: max(1, min(n_groups, len(GROUPS)))]

    def day(k: int) -> str:
        return (BASE + timedelta(days=int(k))).isoformat()

    def lat() -> float:
        return round(float(rng.uniform(51.85, 52.05)), 5)

    def lon() -> float:
        return round(float(rng.uniform(4.30, 4.60)), 5)

    supply = []
    for i in range(n_supply):
        g = groups[int(rng.integers(len(groups)))]
        supply.append(
            {
                "id": f"S{i}",
                "product_group": g[0],
                "quantity": int(rng.integers(1, 40)),
                "mass_kg_per_unit": round(float(g[4] * rng.uniform(0.8, 1.2)), 2),
                "quality": int(rng.integers(1, 4)),
                "lat": lat(),
                "lon": lon(),
                "available_on": day(int(rng.integers(0, 30))),
                "hazardous": bool(rng.random() < 0.1),
            }
        )
    demand = []
    for i in range(n_demand):
        g = groups[int(rng.integers(len(groups)))]
        start = int(rng.integers(0, 45))
        demand.append(
            {
                "id": f"D{i}",
                "product_group": g[0],
                "quantity": int(rng.integers(1, 40)),
                "min_quality": int(rng.integers(1, 4)),
                "lat": lat(),
                "lon": lon(),
                "window_start": day(start),
                "window_end": day(start + int(rng.integers(0, 10))),
                "max_distance_km": float(rng.choice([8.0, 15.0, 30.0, 60.0])),
            }
        )
    hubs = []
    for k in range(n_hubs):
        accepts = None if rng.random() < 0.5 else [groups[int(rng.integers(len(groups)))][0]]
        hubs.append(
            {
                "id": f"H{k}",
                "lat": lat(),
                "lon": lon(),
                "capacity_kg": float(rng.choice([0.0, 200.0, 500.0, 1500.0])),
                "max_dwell_days": int(rng.integers(5, 40)),
                "storage_eur_per_t_day": round(float(rng.uniform(0.1, 3.0)), 2),
                "handling_eur_per_t": round(float(rng.uniform(2.0, 30.0)), 2),
                "accepts": accepts,
            }
        )
    return {
        "version": 1,
        "params": {
            "road_factor": 1.3,
            "truck_co2_kg_per_tkm": 0.1,
            "transport_eur_per_tkm": float(rng.choice([0.15, 2.0, 8.0])),
            "co2_price_eur_per_t": 100.0,
            "direct_transfer_max_days": int(rng.integers(0, 8)),
        },
        "product_groups": [
            {
                "code": g[0],
                "virgin_co2_kg_per_kg": g[1],
                "reuse_co2_kg_per_kg": g[2],
                "virgin_price_eur_per_kg": g[3],
            }
            for g in groups
        ],
        "hubs": hubs,
        "supply": supply,
        "demand": demand,
    }
