"""Realistic Zuid-Holland matching instances (JSON, version 1), reproducible by size and seed.

Supply lots are released at demolition/renovation projects and demand lines sit at
construction sites; both are placed inside the real boundaries of the 50 Zuid-Holland
municipalities (CBS/PDOK), with projects drawn in proportion to population. Product groups
come from `src/urbanmine/data/catalogue.csv`; CO2 and price factors from
`src/urbanmine/data/impact_factors.csv` when it exists, otherwise from the GENERATOR
DEFAULTS per material below (rough public orders of magnitude, for benchmarking only).
Hubs follow the five typologies of DOMAIN.md with FIXED capacities per typology (a hub's
yard or hall does not grow with the number of lots in an instance; space in Zuid-Holland is
expensive and hubs bridge time for reusable elements, not bulk stockpiles):

  industrial raw-materials hub  2-5 kt     (bulk: concrete, brick, aggregates, soil, ...)
  urban mining hub              100-300 t  (all groups)
  circular craft centre         10-40 t    (workshop stock)
  material bank                 10-40 t    (municipal depot)
  at the producer               50-200 t   (take-back yard)

Each hub draws its capacity uniformly from its range. The capacities bind in the optimum at
every benchmark size (seed 1, 25 hubs): 4 hubs full at 1k, 22 at 10k and at 50k (see
benchmarks/results/matching.md). Hub use in the optimum grows much more slowly than the
number of lots (more lots bring more direct matches nearby), so the earlier rule (capacity
proportional to the number of lots) left capacity slack at 10k and 50k.
`capacity_factor` scales every capacity (sensitivity runs).

DENSE (`--dense`, issue #16): the regional case where everything is within reach. Supply
comes from a few large demolition projects (3 + one per 4,000 lots) that harvest over up to
180 days, 85% of the lots in 6 main product groups; demand lines are spread over the
province with maximum transport distances of 40-90 km, which reach most of Zuid-Holland;
hubs as above (their fixed capacities bind). Same contract format.

Usage: python benchmarks/matching_generator.py --supply 1000 --seed 1 --out instance.json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DERIVED = REPO / "src" / "urbanmine" / "data"
ZUID_HOLLAND = "PV28"
BASE_DATE = date(2026, 1, 5)
HORIZON_DAYS = 730

# GENERATOR DEFAULTS (used only when impact_factors.csv lacks a group):
# material -> (virgin_co2_kg_per_kg, reuse_co2_kg_per_kg, virgin_price_eur_per_kg)
DEFAULT_FACTORS_BY_MATERIAL: dict[str, tuple[float, float, float]] = {
    "ceramics": (0.60, 0.02, 0.50),
    "concrete": (0.15, 0.01, 0.15),
    "brick": (0.25, 0.03, 0.35),
    "natural_stone": (0.10, 0.01, 1.00),
    "steel": (1.80, 0.10, 1.20),
    "wood": (0.40, 0.05, 1.00),
    "aluminum": (8.00, 0.20, 4.00),
    "glass": (1.20, 0.05, 2.00),
    "mineral_wool": (1.30, 0.05, 1.00),
    "plaster_board_gypsum": (0.30, 0.02, 0.40),
    "plastics": (3.00, 0.10, 3.00),
    "bitumen": (0.50, 0.05, 0.50),
    "copper": (3.00, 0.10, 8.00),
    "asphalt": (0.05, 0.01, 0.05),
    "aggregates": (0.01, 0.005, 0.02),
    "soil": (0.005, 0.003, 0.01),
}
FALLBACK_FACTORS = (0.30, 0.03, 0.50)
SCARCITY_WEIGHT = {"bulk": 3.0, "regular": 2.0, "scarce": 1.0}

# typology: (count, (min, max) capacity in tonnes, max_dwell_days, storage €/t/day,
#            handling €/t, accepted materials or None for all)
# Capacities are fixed per typology (a site's yard or hall does not grow with the number of
# lots in the instance); each hub draws its capacity uniformly from its typology's range.
HUB_TYPOLOGIES: dict[
    str, tuple[int, tuple[float, float], int, float, float, tuple[str, ...] | None]
] = {
    "industrial raw-materials hub": (
        3,
        (2000.0, 5000.0),
        270,
        0.20,
        8.0,
        ("concrete", "brick", "asphalt", "aggregates", "soil", "natural_stone"),
    ),
    "urban mining hub": (8, (100.0, 300.0), 270, 0.60, 15.0, None),
    "circular craft centre": (
        5,
        (10.0, 40.0),
        180,
        0.90,
        25.0,
        ("wood", "steel", "glass", "ceramics", "aluminum", "natural_stone"),
    ),
    "material bank": (
        6,
        (10.0, 40.0),
        180,
        1.20,
        20.0,
        ("wood", "ceramics", "glass", "steel", "aluminum", "copper", "plastics"),
    ),
    "at the producer": (
        3,
        (50.0, 200.0),
        270,
        0.40,
        10.0,
        ("ceramics", "wood", "aluminum", "glass"),
    ),
}

# DENSE mode: a few large projects (5 at 10k lots, 8 at 20k, 15 at 50k) releasing their lots
# over up to 180 days; 85% of the lots in 6 main product groups
DENSE_PROJECTS_BASE = 3
DENSE_LOTS_PER_EXTRA_PROJECT = 4000
DENSE_RELEASE_DAYS = 180
DENSE_MAIN_GROUPS = 6
DENSE_MAIN_SHARE = 0.85


def default_data_dir() -> Path:
    env = os.environ.get("URBANMINE_DATA_DIR")
    return Path(env) if env else (REPO.parent / "shared" / "data")


def read_municipalities(data_dir: Path) -> list[tuple[str, str, int, object]]:
    """The Zuid-Holland municipalities: (code, name, population, shapely geometry)."""
    from shapely.geometry import shape

    pops: dict[str, int] = {}
    csv_path = data_dir / "gemeenten" / "cbs_gebieden_in_nederland_2024.csv"
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if (row.get("Code_26") or "").strip() == ZUID_HOLLAND:
                raw = (row.get("Inwonertal_54") or "").strip()
                pops[row["Code_1"].strip()] = int(raw) if raw.isdigit() else 0
    with open(data_dir / "gemeenten" / "gemeenten_2023-2025_342.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    out = []
    for f in features:
        code = f["properties"]["gemeenteCode"]
        if code in pops:
            name = f["properties"]["gemeenteNaam"].replace(" (gemeente)", "")
            out.append((code, name, pops[code], shape(f["geometry"])))
    out.sort(key=lambda m: m[0])
    return out


def read_product_groups() -> list[dict]:
    factors: dict[str, tuple[float, float, float]] = {}
    path = DERIVED / "impact_factors.csv"
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                try:
                    factors[row["product_group"].strip()] = (
                        float(row["virgin_co2_kg_per_kg"]),
                        float(row["reuse_co2_kg_per_kg"]),
                        float(row["virgin_price_eur_per_kg"]),
                    )
                except (KeyError, ValueError):
                    continue
    groups = []
    with open(DERIVED / "catalogue.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            code, material = row["code"], row["material"]
            source = "impact_factors.csv"
            if code in factors:
                f = factors[code]
            else:
                f = DEFAULT_FACTORS_BY_MATERIAL.get(material, FALLBACK_FACTORS)
                source = "generator default"
            groups.append(
                {
                    "code": code,
                    "material": material,
                    "mass_kg_per_unit": float(row["typical_mass_kg_per_unit"]),
                    "weight": SCARCITY_WEIGHT.get(row.get("volume_scarcity", ""), 2.0),
                    "virgin_co2_kg_per_kg": f[0],
                    "reuse_co2_kg_per_kg": f[1],
                    "virgin_price_eur_per_kg": f[2],
                    "factor_source": source,
                }
            )
    return groups


def _points_in(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform (lat, lon) points inside a polygon (rejection sampling)."""
    from shapely import contains_xy

    minx, miny, maxx, maxy = geom.bounds
    out = np.zeros((0, 2))
    while len(out) < n:
        k = max(16, 2 * (n - len(out)))
        lon = rng.uniform(minx, maxx, k)
        lat = rng.uniform(miny, maxy, k)
        inside = contains_xy(geom, lon, lat)
        out = np.vstack([out, np.column_stack([lat[inside], lon[inside]])])
    return out[:n]


def _sites(munis, n_sites: int, rng: np.random.Generator) -> np.ndarray:
    pop = np.array([m[2] for m in munis], dtype=float)
    pick = rng.choice(len(munis), size=n_sites, p=pop / pop.sum())
    pts = np.zeros((n_sites, 2))
    for k in np.unique(pick):
        where = np.flatnonzero(pick == k)
        pts[where] = _points_in(munis[k][3], len(where), rng)
    return pts


def _iso(offset_days: int) -> str:
    return (BASE_DATE + timedelta(days=int(offset_days))).isoformat()


def generate(
    n_supply: int,
    n_demand: int | None = None,
    n_hubs: int = 25,
    seed: int = 0,
    data_dir: Path | None = None,
    capacity_factor: float = 1.0,
    dense: bool = False,
) -> dict:
    """A JSON-ready instance dict. `capacity_factor` multiplies every hub capacity (fixed
    per typology, see the module docstring and docs/adr/0002-matching-solver.md). `dense`
    draws the regional case (see DENSE in the module docstring): supply from a few large
    demolition projects, long maximum distances, most lots in a few main product groups."""
    rng = np.random.default_rng(seed)
    n_demand = n_supply if n_demand is None else n_demand
    munis = read_municipalities(data_dir or default_data_dir())
    groups = read_product_groups()
    weights = np.array([g["weight"] for g in groups])
    weights /= weights.sum()
    if dense:
        # a large demolition yields mostly a few element types: DENSE_MAIN_GROUPS groups
        # (drawn by scarcity weight) carry DENSE_MAIN_SHARE of the lots
        main = rng.choice(len(groups), size=DENSE_MAIN_GROUPS, replace=False, p=weights)
        boost = np.zeros(len(groups))
        boost[main] = DENSE_MAIN_SHARE / DENSE_MAIN_GROUPS
        weights = (1.0 - DENSE_MAIN_SHARE) * weights + boost

    def lots(n: int, median_t: float):
        gi = rng.choice(len(groups), size=n, p=weights)
        mass_kg = np.array([groups[k]["mass_kg_per_unit"] for k in gi])
        lot_t = rng.lognormal(np.log(median_t), 1.0, size=n)
        qty = np.maximum(1, np.round(lot_t * 1000.0 / mass_kg)).astype(int)
        return gi, mass_kg, qty

    # supply: demolition / renovation projects, each releasing several lots; dense: a few
    # large projects, each harvesting in bursts over several months
    if dense:
        n_proj = DENSE_PROJECTS_BASE + n_supply // DENSE_LOTS_PER_EXTRA_PROJECT
        release_days = DENSE_RELEASE_DAYS
    else:
        n_proj, release_days = max(1, n_supply // 8), 30
    proj_pts = _sites(munis, n_proj, rng)
    proj_day = rng.integers(0, HORIZON_DAYS - release_days, size=n_proj)
    sp = rng.integers(0, n_proj, size=n_supply)
    s_gi, s_mass, s_qty = lots(n_supply, 6.0)
    s_mass = s_mass * rng.uniform(0.9, 1.1, size=n_supply)
    s_quality = rng.choice([1, 2, 3], size=n_supply, p=[0.3, 0.5, 0.2])
    s_day = proj_day[sp] + rng.integers(0, release_days, size=n_supply)
    s_haz = rng.random(n_supply) < 0.02
    jitter = rng.normal(0.0, 0.002 if dense else 0.001, size=(n_supply, 2))
    supply = [
        {
            "id": f"S{i}",
            "product_group": groups[s_gi[i]]["code"],
            "quantity": int(s_qty[i]),
            "mass_kg_per_unit": round(float(s_mass[i]), 3),
            "quality": int(s_quality[i]),
            "lat": round(float(proj_pts[sp[i], 0] + jitter[i, 0]), 6),
            "lon": round(float(proj_pts[sp[i], 1] + jitter[i, 1]), 6),
            "available_on": _iso(s_day[i]),
            "hazardous": bool(s_haz[i]),
        }
        for i in range(n_supply)
    ]

    # demand: construction sites, each ordering several product groups
    n_site = max(1, n_demand // 6)
    site_pts = _sites(munis, n_site, rng)
    site_day = rng.integers(0, HORIZON_DAYS - 60, size=n_site)
    ds = rng.integers(0, n_site, size=n_demand)
    d_gi, _, d_qty = lots(n_demand, 5.0)
    d_minq = rng.choice([1, 2, 3], size=n_demand, p=[0.2, 0.5, 0.3])
    d_start = site_day[ds] + rng.integers(0, 60, size=n_demand)
    d_len = rng.integers(14, 61, size=n_demand)
    if dense:  # 40-90 km reaches most of the province from anywhere in it
        d_maxkm = rng.uniform(40.0, 90.0, size=n_demand).round(1)
    else:
        d_maxkm = rng.choice([15.0, 25.0, 40.0, 60.0], size=n_demand, p=[0.25, 0.35, 0.25, 0.15])
    demand = [
        {
            "id": f"D{i}",
            "product_group": groups[d_gi[i]]["code"],
            "quantity": int(d_qty[i]),
            "min_quality": int(d_minq[i]),
            "lat": round(float(site_pts[ds[i], 0]), 6),
            "lon": round(float(site_pts[ds[i], 1]), 6),
            "window_start": _iso(d_start[i]),
            "window_end": _iso(d_start[i] + d_len[i]),
            "max_distance_km": float(d_maxkm[i]),
        }
        for i in range(n_demand)
    ]

    # hubs: the five typologies, fixed capacity ranges per typology
    specs = [(name, spec) for name, spec in HUB_TYPOLOGIES.items() for _ in range(spec[0])]
    idx = np.arange(len(specs))
    if n_hubs != len(specs):
        idx = rng.choice(len(specs), size=n_hubs, replace=n_hubs > len(specs))
    hub_pts = _sites(munis, n_hubs, rng)
    materials = {g["code"]: g["material"] for g in groups}
    hubs = []
    for k in range(n_hubs):
        name, (_, (cap_lo, cap_hi), dwell, storage, handling, accepts_mat) = specs[idx[k]]
        accepts = (
            None
            if accepts_mat is None
            else sorted(c for c, m in materials.items() if m in accepts_mat)
        )
        hubs.append(
            {
                "id": f"H{k}",
                "typology": name,
                "lat": round(float(hub_pts[k, 0]), 6),
                "lon": round(float(hub_pts[k, 1]), 6),
                "capacity_kg": round(rng.uniform(cap_lo, cap_hi) * 1000.0 * capacity_factor),
                "max_dwell_days": int(dwell),
                "storage_eur_per_t_day": storage,
                "handling_eur_per_t": handling,
                "accepts": accepts,
            }
        )

    return {
        "version": 1,
        "generator": {
            "n_supply": n_supply,
            "n_demand": n_demand,
            "n_hubs": n_hubs,
            "seed": seed,
            "capacity_factor": capacity_factor,
            "dense": dense,
        },
        "params": {
            "road_factor": 1.3,
            "truck_co2_kg_per_tkm": 0.1,
            "transport_eur_per_tkm": 0.15,
            "co2_price_eur_per_t": 100.0,
            "direct_transfer_max_days": 14,
        },
        "product_groups": [
            {
                "code": g["code"],
                "virgin_co2_kg_per_kg": g["virgin_co2_kg_per_kg"],
                "reuse_co2_kg_per_kg": g["reuse_co2_kg_per_kg"],
                "virgin_price_eur_per_kg": g["virgin_price_eur_per_kg"],
                "factor_source": g["factor_source"],
            }
            for g in groups
        ],
        "hubs": hubs,
        "supply": supply,
        "demand": demand,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--supply", type=int, default=1000)
    ap.add_argument("--demand", type=int, default=None)
    ap.add_argument("--hubs", type=int, default=25)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--capacity-factor", type=float, default=1.0)
    ap.add_argument(
        "--dense", action="store_true", help="regional case: few large projects, 40-90 km"
    )
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    inst = generate(
        args.supply,
        args.demand,
        args.hubs,
        args.seed,
        args.data_dir,
        args.capacity_factor,
        dense=args.dense,
    )
    args.out.write_text(json.dumps(inst), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
