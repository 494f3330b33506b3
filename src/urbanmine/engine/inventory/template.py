"""The inventory template: its columns (the parser's vocabulary) and the downloadable file.

CSV is semicolon-separated UTF-8 with BOM and a decimal comma, so Dutch Excel opens it in
columns; XLSX adds drop-down lists and a second sheet explaining the columns.
"""

from __future__ import annotations

import csv
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .values import QUALITIES, UNITS

TEMPLATE_COLUMNS: tuple[str, ...] = (
    "product_group",
    "description",
    "quantity",
    "unit",
    "mass_kg_per_unit",
    "quality",
    "hazardous",
    "expected_release_date",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("product_group", "quantity", "unit", "quality")

TEMPLATE_EXAMPLE: dict[str, Any] = {
    "product_group": "window-frames-timber",
    "description": "Houten kozijn, eiken – begane grond",
    "quantity": 12,
    "unit": "piece",
    "mass_kg_per_unit": Decimal("45.5"),
    "quality": "B",
    "hazardous": "nee",
    "expected_release_date": date(2030, 6, 1),
}

TEMPLATE_HELP: tuple[tuple[str, str], ...] = (
    ("product_group", "catalogue code, e.g. bricks-clay, steel-beams, doors-interior (required)"),
    ("description", "free text (optional, at most 300 characters)"),
    (
        "quantity",
        "more than zero; whole numbers for unit piece; decimal comma or point; "
        "one line holds at most 100,000 t",
    ),
    ("unit", "piece, m, m2, m3, kg or t (stuks, st, m1, m², m³, ton also accepted)"),
    (
        "mass_kg_per_unit",
        "kg per unit; required except for unit kg and t; at most 100 times more or less than "
        "the catalogue's typical mass of the product group (10,000 times in another unit)",
    ),
    ("quality", "A (as new), B (good, minor damage) or C (usable after repair)"),
    ("hazardous", "ja/nee, yes/no, true/false or 1/0; empty counts as nee"),
    ("expected_release_date", "yyyy-mm-dd or dd-mm-yyyy (optional)"),
)


def write_inventory_template(path: str | os.PathLike[str], fmt: str = "csv") -> Path:
    """Write the downloadable template: header + one example row. CSV is semicolon-separated
    UTF-8 with BOM and a decimal comma, so Dutch Excel opens it in columns; XLSX adds
    drop-down lists and a second sheet explaining the columns."""
    out = Path(path)
    # The example's release date lies ahead, so the template itself raises no warning.
    ex = {**TEMPLATE_EXAMPLE, "expected_release_date": date(date.today().year + 1, 6, 1)}
    if fmt == "csv":
        values = [
            ex["product_group"],
            ex["description"],
            str(ex["quantity"]),
            ex["unit"],
            str(ex["mass_kg_per_unit"]).replace(".", ","),
            ex["quality"],
            ex["hazardous"],
            ex["expected_release_date"].isoformat(),
        ]
        with open(out, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(TEMPLATE_COLUMNS)
            writer.writerow(values)
        return out
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    ws.append(list(TEMPLATE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.append([ex[c] for c in TEMPLATE_COLUMNS])
    ws["H2"].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGH", (24, 40, 10, 8, 18, 9, 11, 22), strict=True):
        ws.column_dimensions[letter].width = width
    for rng, options in (
        ("D2:D100000", UNITS),
        ("F2:F100000", QUALITIES),
        ("G2:G100000", ("ja", "nee")),
    ):
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(rng)
    help_ws = wb.create_sheet("toelichting")
    help_ws.append(["column", "meaning"])
    for row in TEMPLATE_HELP:
        help_ws.append(list(row))
    help_ws.column_dimensions["A"].width = 24
    help_ws.column_dimensions["B"].width = 90
    wb.save(out)
    return out
