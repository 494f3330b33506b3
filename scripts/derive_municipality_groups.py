"""Derive the municipality groups of Zuid-Holland (COROP areas) for the network's regional
comparison (issue #18).

Writes src/urbanmine/data/municipality_groups_zh.csv: one row per municipality of the
province (PV28) with its COROP area (CBS "Gebieden in Nederland" 2024, columns Code_8 /
Naam_9; the CBS regional classification used for regional statistics). Six groups, 50
municipalities.

Usage: python scripts/derive_municipality_groups.py [DATA_DIR] [--out FILE]
DATA_DIR defaults to $URBANMINE_DATA_DIR, else ../shared/data next to the repository.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "gemeenten/cbs_gebieden_in_nederland_2024.csv"


def derive(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / SOURCE).open(encoding="utf-8-sig", newline="") as f:
        rows = [
            {k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f, delimiter=";")
        ]
    out = [
        {
            "municipality_code": r["Code_1"],
            "municipality_name": r["Naam_2"],
            "group_code": r["Code_8"],
            "group_name": r["Naam_9"],
        }
        for r in rows
        if r["Code_26"] == "PV28"
    ]
    return sorted(out, key=lambda r: (r["group_code"], r["municipality_code"]))


def main(argv: list[str] | None = None) -> int:
    default_data = Path(os.environ.get("URBANMINE_DATA_DIR", ROOT.parent / "shared" / "data"))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", type=Path, default=default_data)
    p.add_argument(
        "--out", type=Path, default=ROOT / "src/urbanmine/data/municipality_groups_zh.csv"
    )
    a = p.parse_args(argv)
    rows = derive(a.data_dir)
    with a.out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{len(rows)} municipalities in {len({r['group_code'] for r in rows})} groups → {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
