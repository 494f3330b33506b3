"""Export of a hub's stock as CSV, so another hub or marketplace can take it over (issue 6).

Pure function over the `hub_stock` selector's lines. The inventory template's columns come
first, so the file re-imports as an inventory elsewhere; the hub's own information (lot
code, owner, dwell time) follows in columns no inventory header alias picks up. Text cells
go through `core.exports.safe_cell` (no spreadsheet runs a description as a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from urbanmine.core.exports import safe_cell
from urbanmine.engine.inventory import TEMPLATE_COLUMNS
from urbanmine.lots.exports import csv_number, iso

HUB_STOCK_EXTRA_COLUMNS: tuple[str, ...] = (
    "lot_code",
    "status",
    "mass_kg_total",
    "owner",
    "source_asset",
    "hub",
    "hub_since",
    "dwell_days",
    "dwell_level",
)
HUB_STOCK_COLUMNS: tuple[str, ...] = TEMPLATE_COLUMNS + HUB_STOCK_EXTRA_COLUMNS


def hub_stock_csv(hub, lines: Iterable) -> bytes:
    """`lines`: `hubs.selectors.StockLine`s (lot with `mass_kg_total`, dwell_days, level).
    UTF-8 with BOM, comma separated, decimal point."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HUB_STOCK_COLUMNS)
    for line in lines:
        lot = line.lot
        mass = getattr(lot, "mass_kg_total", None)
        if mass is None:
            mass = lot.quantity * lot.mass_kg_per_unit
        w.writerow(
            [
                safe_cell(lot.product_group.code),
                safe_cell(lot.description),
                csv_number(lot.quantity),
                lot.unit,
                csv_number(lot.mass_kg_per_unit),
                lot.quality,
                "true" if lot.is_hazardous else "false",
                iso(lot.expected_release_date) or "",
                safe_cell(lot.code),
                lot.status,
                csv_number(mass),
                safe_cell(lot.owner.name),
                safe_cell(lot.source_asset.name),
                safe_cell(hub.name),
                iso(lot.hub_since) or "",
                line.dwell_days,
                line.level,
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
