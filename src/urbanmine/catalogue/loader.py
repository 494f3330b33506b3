"""Install the reference catalogue from `data/catalogue.csv` (used by the data migration,
so `urbanmine migrate` installs it without any demo data)."""

import csv
from decimal import Decimal
from pathlib import Path

CATALOGUE_CSV = Path(__file__).resolve().parent.parent / "data" / "catalogue.csv"
INT_FIELDS = ("standardisation", "detachability", "testing_burden", "market_readiness")


def catalogue_rows() -> list[dict]:
    with open(CATALOGUE_CSV, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["typical_mass_kg_per_unit"] = Decimal(row["typical_mass_kg_per_unit"])
        for f in INT_FIELDS:
            row[f] = int(row[f])
        row["assessment_guideline"] = row.pop("guideline")
        row["inspection_required"] = row.get("inspection_required", "no").strip() == "yes"
        days, batch = row.get("typical_processing_days", ""), row.get("min_batch", "")
        row["typical_processing_days"] = int(days) if days else None
        row["min_batch"] = Decimal(batch) if batch else None
        row.setdefault("processing_source", "")
    return rows


def install_catalogue(product_group_model) -> int:
    """Create or update every product group of the reference table; returns the count."""
    # Only the columns the model has at this point of the migrations (a data migration runs
    # with the historical model; later columns are filled by their own migration).
    fields = {f.name for f in product_group_model._meta.get_fields()}
    n = 0
    for row in catalogue_rows():
        code = row.pop("code")
        defaults = {k: v for k, v in row.items() if k in fields}
        product_group_model.objects.update_or_create(code=code, defaults=defaults)
        n += 1
    return n
