"""Benchmark: `urbanmine import-bag` of a generated 100,000-building BAG GeoPackage (PDOK
layout) into a fresh database, then the same file again (nothing changes), on SQLite and,
when reachable, PostgreSQL; writes `benchmarks/results/bag_import.md`.

Target (issue 12): 100,000 buildings in under 2 minutes.

The file: 100,000 panden in use, placed at random on land in Zuid-Holland (inside the CBS
municipal boundaries), 8-20 m squares, construction years 1850-2024, with 1-40 units each
(about 2.8 on average: mostly single dwellings, some apartment buildings, offices, shops,
schools, industry) whose floor areas and uses follow the Den Haag / Leidschendam extract's
orders of magnitude; plus 2 % more panden that are demolished and a withdrawn unit in 3 %
of the panden, so the filters run: every one of the N standing buildings is imported.
Usage: `python benchmarks/bench_bag_import.py [--buildings N]` (`--child` is internal).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _pgdb import pg_fresh  # noqa: E402  (benchmarks/ is on sys.path when run)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
RESULTS = HERE / "results" / "bag_import.md"
TARGET_S = 120.0


def generate(path: Path, n: int, seed: int = 12) -> dict:
    """The GeoPackage of `n` standing buildings (module docstring); needs Django set up (the
    municipal boundaries come from the database)."""
    import numpy as np
    import shapely
    from shapely.geometry import shape

    from urbanmine.engine.bag import write_bag_geopackage
    from urbanmine.engine.geo import wgs84_to_rd
    from urbanmine.regions.models import ZUID_HOLLAND, Municipality
    from urbanmine.regions.services import ensure_municipalities

    ensure_municipalities()
    land = [
        shapely.make_valid(shape(json.loads(g))).buffer(-0.002)  # a little inland
        for g in Municipality.objects.filter(province_code=ZUID_HOLLAND).values_list(
            "boundary_geojson", flat=True
        )
    ]
    tree = shapely.STRtree(land)
    rng = np.random.default_rng(seed)
    lon0, lat0, lon1, lat1 = shapely.total_bounds(land)
    lons, lats = [], []
    while len(lons) < n:
        lo = rng.uniform(lon0, lon1, 4 * n)
        la = rng.uniform(lat0, lat1, 4 * n)
        hit = np.unique(tree.query(shapely.points(lo, la), predicate="within")[0])
        lons.extend(lo[hit].tolist())
        lats.extend(la[hit].tolist())
    lons, lats = lons[:n], lats[:n]
    uses = [
        ("woonfunctie", 0.78, (1, 1), (60, 160)),
        ("woonfunctie", 0.08, (4, 40), (45, 110)),
        ("kantoorfunctie", 0.03, (1, 6), (100, 2000)),
        ("winkelfunctie", 0.03, (1, 3), (50, 600)),
        ("onderwijsfunctie", 0.01, (1, 1), (800, 5000)),
        ("industriefunctie", 0.04, (1, 2), (200, 4000)),
        ("overige gebruiksfunctie", 0.03, (1, 1), (10, 60)),
    ]
    kinds = rng.choice(len(uses), size=n, p=[u[1] for u in uses])
    years = rng.integers(1850, 2025, size=n)
    panden, units = [], []
    vbo = 0

    def unit(pid: str, status: str, area: int, use: str, x: float, y: float, i: int) -> None:
        nonlocal vbo
        vbo += 1
        units.append(
            {
                "identificatie": f"{2000000000000000 + vbo:016d}",
                "pand_identificatie": pid,
                "status": status,
                "oppervlakte": area,
                "gebruiksdoel": use,
                "openbare_ruimte_naam": f"Benchmarkstraat {i % 997}",
                "huisnummer": vbo % 500 + 1,
                "woonplaats_naam": "Zuid-Holland",
                "geometry": shapely.to_wkb(shapely.Point(x, y)),
            }
        )

    n_gone = n // 50  # 2 % more panden, demolished: skipped and counted
    for i in range(n + n_gone):
        j = i % n
        x, y = wgs84_to_rd(lats[j], lons[j])
        x, y = (x + 40.0, y) if i >= n else (x, y)
        size = float(rng.uniform(8, 20))
        pid = f"{1000000000000000 + i:016d}"
        panden.append(
            {
                "identificatie": pid,
                "bouwjaar": int(years[j]),
                "status": "Pand gesloopt" if i >= n else "Pand in gebruik",
                "geometry": shapely.to_wkb(shapely.box(x, y, x + size, y + size)),
            }
        )
        use, _p, (k0, k1), (a0, a1) = uses[kinds[j]]
        for _ in range(int(rng.integers(k0, k1 + 1))):
            area = int(rng.integers(a0, a1 + 1))
            unit(pid, "Verblijfsobject in gebruik", area, use, x + size / 2, y + size / 2, i)
        if rng.random() < 0.03:  # a withdrawn unit besides: not counted
            unit(pid, "Verblijfsobject ingetrokken", 50, use, x + 1, y + 1, i)
    write_bag_geopackage(path, panden, units)
    return {"panden": len(panden), "units": len(units), "mb": path.stat().st_size / 1e6}


def child(path: Path, n: int) -> None:
    """In a fresh database: migrate, (generate,) import twice; one JSON line on stdout."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmine.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    gen = {}
    if not path.exists():
        t0 = time.perf_counter()
        gen = generate(path, n)
        gen["seconds"] = time.perf_counter() - t0
    from urbanmine.assets.models import Asset, PassportEstimate

    runs = []
    for _ in range(2):
        out = Path(tempfile.mkstemp(suffix=".json")[1])
        t0 = time.perf_counter()
        with out.open("w") as fh:
            call_command("import_bag", str(path), format="json", stdout=fh)
        seconds = time.perf_counter() - t0
        report = json.loads(out.read_text())
        runs.append(
            {
                "seconds": seconds,
                "created": report["buildings"]["created"],
                "updated": report["buildings"]["updated"],
                "unchanged": report["buildings"]["unchanged"],
                "skipped": report["skipped"],
                "estimates": report["estimate"]["written"],
            }
        )
    print(
        json.dumps(
            {
                "generated": gen,
                "runs": runs,
                "assets": Asset.objects.count(),
                "estimates": PassportEstimate.objects.count(),
            }
        )
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--buildings", type=int, default=100_000)
    ap.add_argument("--child", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.buildings)
        return 0
    work = Path(tempfile.mkdtemp(prefix="urbanmine-bench-bag-"))
    gpkg = work / f"bag-{args.buildings}.gpkg"
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base["URBANMINE_VAR_DIR"] = str(work / "var")
    runs = [("SQLite (embedded)", {**base, "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}"})]
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/urbanmine_bench_bag")
    if pg_fresh(pg):
        runs.append(("PostgreSQL", {**base, "DATABASE_URL": pg}))
    rows, generated = [], {}
    for label, env in runs:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(gpkg), "--buildings", str(args.buildings)],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
            return 1
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        generated = result["generated"] or generated
        first, second = result["runs"]
        print(
            f"{label}: first import {first['seconds']:.1f} s ({first['created']:,} created), "
            f"second {second['seconds']:.1f} s ({second['unchanged']:,} unchanged)"
        )
        rows.append((label, result))
    table = "\n".join(
        f"| {label} | {r['runs'][0]['seconds']:.1f} s | {r['runs'][0]['created']:,} | "
        f"{r['runs'][1]['seconds']:.1f} s | {r['runs'][1]['created']} / "
        f"{r['runs'][1]['updated']} / {r['runs'][1]['unchanged']:,} | {r['estimates']:,} | "
        f"{'met' if r['runs'][0]['seconds'] < TARGET_S else 'NOT met'} |"
        for label, r in rows
    )
    skipped = rows[0][1]["runs"][0]["skipped"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"""# BAG import benchmark

Generated by `python benchmarks/bench_bag_import.py` on {date.today().isoformat()}
(Python {platform.python_version()}, {platform.machine()}, {platform.system()}, 2 cores shared).

Target (issue 12): **{args.buildings:,} buildings imported in under 2 minutes**.

Input: a generated GeoPackage in PDOK's BAG layout (see the script's docstring):
{generated.get("panden", 0):,} panden, {generated.get("units", 0):,} verblijfsobjecten,
{generated.get("mb", 0):.1f} MB (generated in {generated.get("seconds", 0):.0f} s, not timed
below). Besides the {args.buildings:,} standing buildings, 2 % more panden are demolished
and 3 % of the panden hold a withdrawn unit; the import skips and counts them: {json.dumps(skipped, ensure_ascii=False)}.

Each run is the whole command (`call_command("import_bag", FILE, format="json")`): read
both layers with pyogrio, validate, place every building in its municipality (one STRtree
query for all points), estimate the passports, and store in one transaction with bulk
inserts (1,000 rows a batch), on a freshly migrated database. The second run reads the
same file again: nothing changes and nothing is written.

| database | first import | buildings created | second run | created / updated / unchanged | estimated passports | target < 120 s |
|---|---|---|---|---|---|---|
{table}
"""
    )
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
