"""Add the catalogue's typical processing time and minimum batch (issue #18) to
`src/urbanmine/data/catalogue.csv`, as labelled **estimates** from the catalogue's own columns.

No public table gives these per product group yet: the source report (Arcadis for the
province of Zuid-Holland, section 4 "Vervolgstappen") asks producers to make "te verwachten
kosten, minimaal nodige aantallen voor een businesscase en gemiddelde verwerkingstijd"
known. Until they do, the platform shows a transparent rule, named in every row
(`processing_source`), which the data steward replaces by a cited value in the admin:

- typical processing time (days, from harvest to a product ready for sale) =
  base by processing effort (easy 10, moderate 30, hard 60) + 10 per testing-burden point
  above 1 (each point: one more test or inspection round);
- minimum batch for a business case (in the group's unit) = the units in one lorry load:
  10 t for products, 25 t for bulk (granulates, bulk products), rounded up to a round
  number (1, 2 or 5 × a power of ten).

Run: `python scripts/derive_processing_estimates.py` (idempotent: recomputes the columns).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

CSV = Path(__file__).resolve().parent.parent / "src" / "urbanmine" / "data" / "catalogue.csv"
BASE_DAYS = {"easy": 10, "moderate": 30, "hard": 60}
SOURCE = (
    "estimate (urbanmine rule v1, 2026-11: effort base + 10 days per testing point; "
    "one lorry load of 10 t, bulk 25 t); replace by a producer's cited value"
)
COLUMNS = ("typical_processing_days", "min_batch", "processing_source")


def round_up(x: float) -> int:
    if x <= 1:
        return 1
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * p >= x:
            return int(m * p)
    return int(10 * p)


def main() -> None:
    with open(CSV, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = [f for f in reader.fieldnames or [] if f not in COLUMNS]
        rows = list(reader)
    for row in rows:
        days = BASE_DAYS[row["processing_effort"]] + 10 * (int(row["testing_burden"]) - 1)
        load_kg = 25000 if row["volume_scarcity"] == "bulk" else 10000
        batch = round_up(load_kg / float(row["typical_mass_kg_per_unit"]))
        row.update(typical_processing_days=days, min_batch=batch, processing_source=SOURCE)
    with open(CSV, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, *COLUMNS], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
