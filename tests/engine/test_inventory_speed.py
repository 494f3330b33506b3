"""A 100,000-row inventory parses in a few seconds (the import must stay under a minute)."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import urbanmine
from urbanmine.engine.inventory import parse_inventory

CATALOGUE = Path(urbanmine.__file__).parent / "data" / "catalogue.csv"


def generate_csv(n: int, codes: list[str]) -> bytes:
    """Semicolon-separated with decimal commas, as Dutch Excel writes it."""
    units = ["stuks", "m", "m2", "m3", "kg", "t"]
    lines = [
        "productgroep;omschrijving;aantal;eenheid;massa_kg_per_eenheid;kwaliteit;gevaarlijk;vrijkomdatum"
    ]
    for i in range(n):
        unit = units[i % 6]
        qty = str(i % 97 + 1) if unit == "stuks" else f"{i % 97 + 1},{i % 10}"
        mass = "" if unit in ("kg", "t") else f"{i % 300 + 1},5"
        lines.append(
            f"{codes[i % len(codes)]};Element {i} – gëinventariseerd;{qty};{unit};{mass};"
            f"{'ABC'[i % 3]};{'ja' if i % 11 == 0 else 'nee'};{i % 28 + 1:02d}-{i % 12 + 1:02d}-2027"
        )
    return ("\n".join(lines) + "\n").encode("cp1252")


def test_100k_rows_parse_quickly():
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    data = generate_csv(100_000, codes)
    t0 = time.perf_counter()
    result = parse_inventory(data, "big.csv", set(codes), date(2025, 1, 1))
    elapsed = time.perf_counter() - t0
    assert result.ok, result.errors[:5]
    assert len(result.rows) == 100_000
    assert result.rows[-1].row_number == 100_001
    assert elapsed < 30, f"parsing 100k rows took {elapsed:.1f} s"
