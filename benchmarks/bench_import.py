"""Benchmark: parse + validate a generated 100,000-row inventory (CSV and XLSX) with the pure
engine `urbanmine.engine.inventory.parse_inventory`, and write `benchmarks/results/import.md`.

Target (issue 6): the whole import of 100,000 rows including the database store under 60 s.
This script measures the parse part; the DB-store part is the lead's section below.
Usage: `python benchmarks/bench_import.py [--rows N]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import platform
import sys
import time
from datetime import date
from pathlib import Path

from _pgdb import pg_fresh  # noqa: E402  (benchmarks/ is on sys.path when run)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from urbanmine.engine.inventory import parse_inventory  # noqa: E402

CATALOGUE = HERE.parent / "src" / "urbanmine" / "data" / "catalogue.csv"
RESULTS = HERE / "results" / "import.md"
UNITS = ["stuks", "m", "m2", "m3", "kg", "t"]
HEADER = [
    "productgroep", "omschrijving", "aantal", "eenheid", "massa_kg_per_eenheid",
    "kwaliteit", "gevaarlijk", "vrijkomdatum",
]  # fmt: skip


def typical_masses() -> dict[str, float]:
    """The catalogue's typical mass per unit of each product group (kg)."""
    with CATALOGUE.open(encoding="utf-8", newline="") as fh:
        return {r["code"]: float(r["typical_mass_kg_per_unit"]) for r in csv.DictReader(fh)}


def generate_rows(n: int, codes: list[str]) -> list[list[str]]:
    """Deterministic rows in Dutch Excel style (decimal comma, dd-mm-yyyy, ja/nee). Masses
    are plausible (0.6-1.4 x the group's typical mass), as the importer requires."""
    typical = typical_masses()
    rows = []
    for i in range(n):
        unit = UNITS[i % 6]
        qty = str(i % 97 + 1) if unit == "stuks" else f"{i % 97 + 1},{i % 10}"
        code = codes[i % len(codes)]
        factor = 0.6 + (i % 9) * 0.1
        mass = (
            ""
            if unit in ("kg", "t")
            else f"{typical.get(code, 10.0) * factor:.3f}".replace(".", ",")
        )
        rows.append(
            [
                code,
                f"Element {i} – geïnventariseerd",
                qty,
                unit,
                mass,
                "ABC"[i % 3],
                "ja" if i % 11 == 0 else "nee",
                f"{i % 28 + 1:02d}-{i % 12 + 1:02d}-2027",
            ]  # fmt: skip
        )
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue().encode("cp1252")


def _typed(value: str) -> object:
    """Numbers and dates as real cells, as a spreadsheet user would have them."""
    if value and value.replace(",", "", 1).isdigit():
        return float(value.replace(",", "."))
    if len(value) == 10 and value[2] == "-" and value[5] == "-":
        return date(int(value[6:]), int(value[3:5]), int(value[:2]))
    return value or None


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("inventory")
    ws.append(HEADER)
    for r in rows:
        ws.append([_typed(v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def timed(data: bytes, name: str, codes: set[str], n: int, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = parse_inventory(data, name, codes, date(2025, 1, 1))
        times.append(time.perf_counter() - t0)
        assert result.ok, result.errors[:5]
        assert len(result.rows) == n, len(result.rows)
    return min(times), sum(times) / len(times)


def end_to_end(data: bytes) -> list[tuple[str, dict]]:
    """Time the whole command on SQLite and, when reachable, on PostgreSQL."""
    import json
    import os
    import subprocess
    import tempfile

    path = Path(tempfile.mkdtemp()) / "inventaris-100k.csv"
    path.write_bytes(data)
    runs = [("SQLite (embedded)", {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})]
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/urbanmine_bench")
    if pg_fresh(pg):
        runs.append(("PostgreSQL", {**os.environ, "DATABASE_URL": pg}))
    out = []
    for label, env in runs:
        proc = subprocess.run(
            [sys.executable, str(HERE / "_import_store.py"), str(path)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{label}: import-inventory of {result['lots']} rows in {result['seconds']:.1f} s")
        out.append((label, result))
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    rows = generate_rows(args.rows, codes)

    data_csv = csv_bytes(rows)
    csv_best, csv_mean = timed(data_csv, "bench.csv", set(codes), args.rows, args.repeat)
    print(f"CSV  {args.rows} rows: best {csv_best:.2f} s, mean {csv_mean:.2f} s")

    t0 = time.perf_counter()
    data_xlsx = xlsx_bytes(rows)
    gen_xlsx = time.perf_counter() - t0
    xlsx_best, xlsx_mean = timed(data_xlsx, "bench.xlsx", set(codes), args.rows, 1)
    print(f"XLSX {args.rows} rows: {xlsx_best:.2f} s (generating it took {gen_xlsx:.1f} s)")

    store_rows = end_to_end(data_csv)
    store_md = "\n".join(
        f"| {label} | {r['seconds']:.1f} s | {r['lots']:,} | {r['events']:,} | "
        f"{'met' if r['seconds'] < 60 else 'NOT met'} |"
        for label, r in store_rows
    )

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"""# Inventory import benchmark

Generated by `python benchmarks/bench_import.py` on {date.today().isoformat()}
(Python {platform.python_version()}, {platform.machine()}, {platform.system()}).

Target: importing {args.rows:,} inventory rows, **including the database store, under 60 s**.

## Parse + validate (pure engine, `urbanmine.engine.inventory.parse_inventory`)

Input: {args.rows:,} generated rows in Dutch Excel style — semicolon separated, Windows-1252,
decimal commas, `dd-mm-yyyy` dates, `ja/nee`, unit aliases (`stuks`, `m2`, `t`, ...), all
{len(codes)} catalogue product groups; every row valid.

| input | size | time (best of {args.repeat}) | mean | rows/s |
|---|---|---|---|---|
| CSV  | {len(data_csv) / 1e6:.1f} MB | {csv_best:.2f} s | {csv_mean:.2f} s | {args.rows / csv_best:,.0f} |
| XLSX | {len(data_xlsx) / 1e6:.1f} MB | {xlsx_best:.2f} s (1 run) | — | {args.rows / xlsx_best:,.0f} |

The XLSX time is dominated by openpyxl's XML reading (read-only mode); files written by
openpyxl store text as inline strings, which it reads more slowly than the shared-string
table Excel writes, so this is a pessimistic figure for XLSX.

## End to end: `urbanmine import-inventory FILE --asset ID` (parse + validate + store)

The same CSV, imported into a fresh database by the command (one transaction:
`lots_import_inventory` inserts the lots, their trace rows and two lifecycle events per
lot with plain multi-row INSERTs on SQLite and COPY on PostgreSQL). Measured by `benchmarks/_import_store.py` in a separate process.

| database | time | lots | events | target < 60 s |
|---|---|---|---|---|
{store_md}
"""
    )
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
