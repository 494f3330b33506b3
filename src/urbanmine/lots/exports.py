"""Exports of lots: a material passport as Excel and JSON, the public supply as CSV and
GeoJSON (issue 6, part 4).

Pure functions: they take already-fetched objects (querysets from the selectors) and return
bytes or JSON-ready dicts; they never query beyond the relations the selectors load and
never write. The passport workbook's first sheet starts with the inventory template's
columns (`engine.inventory.TEMPLATE_COLUMNS`), so a passport exported here re-imports into
a new asset with `urbanmine import-inventory`; the extra columns after them are named so
that no inventory header alias picks them up (hence `mass_kg_total`, never `mass_kg`).

Every text cell of the CSV and the workbook goes through `core.exports.safe_cell` (a text
starting with =, +, -, @, a tab or a carriage return gets a leading single quote, so no
spreadsheet runs it as a formula; the inventory parser drops that quote on re-import).
JSON and GeoJSON are not spreadsheets: their values are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from urbanmine.core.exports import safe_cell, safe_row
from urbanmine.engine.inventory import TEMPLATE_COLUMNS

from .selectors import lot_place

EXPORT_FORMAT_VERSION = 1

PASSPORT_EXTRA_COLUMNS: tuple[str, ...] = (
    "lot_code",
    "status",
    "mass_kg_total",
    "location",
    "hub",
    "owner",
    "custodian",
    "has_asbestos",
    "has_chromium6",
    "has_other_hazard",
    "hazard_note",
    "r_strategy",
    "is_published",
)
PASSPORT_COLUMNS: tuple[str, ...] = TEMPLATE_COLUMNS + PASSPORT_EXTRA_COLUMNS

HISTORY_COLUMNS: tuple[str, ...] = (
    "occurred_at",
    "lot_code",
    "step",
    "status_after",
    "quantity",
    "organisation",
    "location",
    "hub",
    "r_strategy",
    "co2_avoided_kg",
    "notes",
)

SUPPLY_COLUMNS: tuple[str, ...] = (
    "lot_code",
    "product_group",
    "description",
    "quantity",
    "unit",
    "mass_kg_per_unit",
    "mass_kg_total",
    "quality",
    "status",
    "location",
    "hub",
    "municipality",
    "lat",
    "lon",
    "expected_release_date",
)


def number(value: Decimal | float | int | None) -> int | float | None:
    """A Decimal as a JSON/Excel number: whole values as int, others as float."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def csv_number(value: Decimal | float | int | None) -> str:
    """Decimal point, no exponent, no trailing zeros: 10000, 2.1."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    return value.isoformat()


def _lot_mass_kg(lot) -> Decimal:
    mass = getattr(lot, "mass_kg_total", None)
    return mass if mass is not None else lot.quantity * lot.mass_kg_per_unit


def passport_lot_record(lot) -> dict[str, Any]:
    """One passport line: the template fields, then the extra information (JSON types;
    dates as `date`, left to the writer)."""
    return {
        "product_group": lot.product_group.code,
        "description": lot.description,
        "quantity": number(lot.quantity),
        "unit": lot.unit,
        "mass_kg_per_unit": number(lot.mass_kg_per_unit),
        "quality": lot.quality,
        "hazardous": lot.is_hazardous,
        "expected_release_date": lot.expected_release_date,
        "lot_code": lot.code,
        "status": lot.status,
        "mass_kg_total": number(_lot_mass_kg(lot)),
        "location": lot.location,
        "hub": lot.hub.name if lot.hub_id else "",
        "owner": lot.owner.name,
        "custodian": lot.custodian.name,
        "has_asbestos": lot.has_asbestos,
        "has_chromium6": lot.has_chromium6,
        "has_other_hazard": lot.has_other_hazard,
        "hazard_note": lot.hazard_note,
        "r_strategy": lot.r_strategy,
        "is_published": lot.is_published,
    }


def history_record(event) -> dict[str, Any]:
    return {
        "occurred_at": iso(event.occurred_at),
        "lot_code": event.lot.code,
        "step": event.step,
        "status_after": event.status_after,
        "quantity": number(event.quantity),
        "organisation": event.organisation.name,
        "location": event.location,
        "hub": event.hub.name if event.hub_id else "",
        "r_strategy": event.r_strategy,
        "co2_avoided_kg": event.co2_avoided_kg,
        "notes": event.notes,
    }


def asset_metadata(asset, lots: list, exported_at: datetime) -> dict[str, Any]:
    total = sum((_lot_mass_kg(lot) for lot in lots), Decimal(0))
    return {
        "format": "urbanmine-passport",
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": iso(exported_at),
        "asset_id": asset.pk,
        "asset_name": asset.name,
        "scope": asset.scope,
        "use_type": asset.use_type,
        "owner": asset.owner.name,
        "municipality_code": asset.municipality.code,
        "municipality": asset.municipality.name,
        "address": asset.address,
        "lat": asset.lat,
        "lon": asset.lon,
        "construction_year": asset.construction_year,
        "floor_area_m2": number(asset.floor_area_m2),
        "lots": len(lots),
        "total_mass_kg": number(total),
    }


def passport_document(
    asset, lots: Iterable, events: Iterable, *, exported_at: datetime | None = None
) -> dict[str, Any]:
    """The passport as one JSON document: metadata, lots (template fields first) and the
    history of lifecycle events."""
    lots = list(lots)
    meta = asset_metadata(asset, lots, exported_at or timezone.now())
    records = []
    for lot in lots:
        rec = passport_lot_record(lot)
        rec["expected_release_date"] = iso(rec["expected_release_date"])
        records.append(rec)
    return {
        "format": meta.pop("format"),
        "format_version": meta.pop("format_version"),
        "exported_at": meta.pop("exported_at"),
        "asset": meta,
        "columns": list(PASSPORT_COLUMNS),
        "lots": records,
        "history": [history_record(e) for e in events],
    }


def passport_xlsx(
    asset, lots: Iterable, events: Iterable, *, exported_at: datetime | None = None
) -> bytes:
    """The passport as an Excel workbook: sheet `passport` (template columns, then the extra
    information), sheet `metadata` (key/value) and sheet `history` (lifecycle events)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lots = list(lots)
    wb = Workbook()
    ws = wb.active
    ws.title = "passport"
    ws.append(safe_row(PASSPORT_COLUMNS))
    for lot in lots:
        rec = passport_lot_record(lot)
        # Text for the booleans: "true"/"false" is what the template documents.
        rec["hazardous"] = "true" if rec["hazardous"] else "false"
        for key in ("has_asbestos", "has_chromium6", "has_other_hazard", "is_published"):
            rec[key] = "true" if rec[key] else "false"
        ws.append(safe_row(rec[c] for c in PASSPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in ws.iter_rows(min_row=2, min_col=8, max_col=8):  # expected_release_date
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    widths = {"A": 22, "B": 36, "C": 12, "D": 8, "E": 18, "F": 9, "G": 11, "H": 22, "I": 16}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width

    meta_ws = wb.create_sheet("metadata")
    meta_ws.append(["key", "value"])
    for key, value in asset_metadata(asset, lots, exported_at or timezone.now()).items():
        meta_ws.append(safe_row([key, value]))
    meta_ws["A1"].font = meta_ws["B1"].font = Font(bold=True)
    meta_ws.column_dimensions["A"].width = 20
    meta_ws.column_dimensions["B"].width = 40

    hist_ws = wb.create_sheet("history")
    hist_ws.append(safe_row(HISTORY_COLUMNS))
    for event in events:
        rec = history_record(event)
        hist_ws.append(safe_row(rec[c] for c in HISTORY_COLUMNS))
    for cell in hist_ws[1]:
        cell.font = Font(bold=True)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def supply_record(lot) -> dict[str, Any]:
    lat, lon, place = lot_place(lot)
    return {
        "lot_code": lot.code,
        "product_group": lot.product_group.code,
        "description": lot.description,
        "quantity": lot.quantity,
        "unit": lot.unit,
        "mass_kg_per_unit": lot.mass_kg_per_unit,
        "mass_kg_total": _lot_mass_kg(lot),
        "quality": lot.quality,
        "status": lot.status,
        "location": lot.location,
        "hub": lot.hub.name if lot.hub_id else "",
        "municipality": place,
        "lat": lat,
        "lon": lon,
        "expected_release_date": lot.expected_release_date,
    }


#: the supply CSV's headers for Dutch users (the API's CSV keeps SUPPLY_COLUMNS)
SUPPLY_HEADERS_NL: dict[str, str] = {
    "lot_code": "Partij",
    "product_group": "Productgroep (code)",
    "description": "Omschrijving",
    "quantity": "Hoeveelheid",
    "unit": "Eenheid",
    "mass_kg_per_unit": "Massa per eenheid (kg)",
    "mass_kg_total": "Massa totaal (kg)",
    "quality": "Kwaliteit",
    "status": "Status",
    "location": "Locatie",
    "hub": "Hub",
    "municipality": "Gemeente",
    "lat": "Breedtegraad (WGS84)",
    "lon": "Lengtegraad (WGS84)",
    "expected_release_date": "Verwacht beschikbaar",
}
_NUMBERS = ("quantity", "mass_kg_per_unit", "mass_kg_total", "lat", "lon")


def supply_csv(lots: Iterable, dutch: bool = False) -> bytes:
    """The public supply as CSV: UTF-8 with BOM (Excel opens it right). By default comma
    separated with a decimal point and the column codes (the API's format); `dutch`: what a
    Dutch Excel opens as columns — semicolons, decimal comma, Dutch headers."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if dutch else ",", lineterminator="\r\n")
    w.writerow([SUPPLY_HEADERS_NL[c] for c in SUPPLY_COLUMNS] if dutch else SUPPLY_COLUMNS)
    for lot in lots:
        # Text cells neutralised before the numbers become text: numbers stay numbers.
        rec = {key: safe_cell(value) for key, value in supply_record(lot).items()}
        for key in _NUMBERS:
            rec[key] = csv_number(rec[key])
            if dutch:
                rec[key] = rec[key].replace(".", ",")
        rec["expected_release_date"] = iso(rec["expected_release_date"]) or ""
        w.writerow([rec[c] for c in SUPPLY_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def supply_geojson(lots: Iterable) -> dict[str, Any]:
    """The public supply as a GeoJSON FeatureCollection (RFC 7946: WGS84, [lon, lat]),
    one Point feature per lot at its current place."""
    features = []
    for lot in lots:
        rec = supply_record(lot)
        lat, lon = rec.pop("lat"), rec.pop("lon")
        props = {k: number(v) if isinstance(v, Decimal) else v for k, v in rec.items()}
        props["expected_release_date"] = iso(lot.expected_release_date)
        props["product_group_name"] = lot.product_group.name
        features.append(
            {
                "type": "Feature",
                "id": lot.code,
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}
