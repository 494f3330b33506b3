"""The parser's limits: at most so many rows, a deadline checked while reading rows, and
masses that can be true (the band per product group, the maximum per line). Each limit
ends the parse with one clear issue; nothing is half-read."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import urbanmine
from urbanmine.engine import inventory
from urbanmine.engine.inventory import TEMPLATE_COLUMNS, parse_inventory

TODAY = date(2025, 1, 1)
CATALOGUE = Path(urbanmine.__file__).parent / "data" / "catalogue.csv"
with open(CATALOGUE, encoding="utf-8", newline="") as _fh:
    CATALOGUE_ROWS = list(csv.DictReader(_fh))
KNOWN = frozenset(row["code"] for row in CATALOGUE_ROWS)
GOOD_ROW = ["bricks-clay", "", "1", "piece", "2,1", "A", "nee", ""]


def references():
    return {
        row["code"]: inventory.MassReference(row["unit"], Decimal(row["typical_mass_kg_per_unit"]))
        for row in CATALOGUE_ROWS
    }


def csv_file(rows: list[list[str]]) -> bytes:
    lines = [";".join(TEMPLATE_COLUMNS)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(TEMPLATE_COLUMNS))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse(data: bytes, name: str = "inv.csv", **limits):
    return parse_inventory(
        data, name, KNOWN, TODAY, limits=inventory.InventoryLimits(**limits) if limits else None
    )


def only_error(result):
    assert len(result.errors) == 1, [str(e) for e in result.errors]
    return result.errors[0]


# ------------------------------------------------------------------------- the row limit


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_over_the_row_limit_is_refused_naming_the_limit(fmt):
    rows = [GOOD_ROW] * 6
    data = csv_file(rows) if fmt == "csv" else xlsx_file([[*r[:4], 2.1, *r[5:]] for r in rows])
    result = parse(data, f"inv.{fmt}", max_rows=5)
    e = only_error(result)
    assert e.code == "too_many_rows" and e.params == {"max_rows": 5}
    assert e.row is None and "more than 5 rows below the header" in e.reason
    assert result.rows == []
    # At the limit the file is read as usual.
    assert parse(data, f"inv.{fmt}", max_rows=6).ok


def test_blank_rows_count_against_the_limit():
    result = parse(csv_file([GOOD_ROW] + [[""] * 8] * 10), max_rows=5)
    assert only_error(result).code == "too_many_rows"


def test_the_default_limit_leaves_room_for_the_benchmark():
    assert inventory.InventoryLimits().max_rows == inventory.MAX_ROWS == 200_000
    assert inventory.MAX_ROWS >= 2 * 100_000  # the import benchmark reads 100,000 rows


def huge_xlsx(last_row: int) -> bytes:
    """A small workbook whose sheet declares `last_row` rows (one cell far down): its XML
    compresses to a few kilobytes, yet a reader yields every row in between."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(TEMPLATE_COLUMNS))
    ws.append(["bricks-clay", "", 1, "piece", 2.1, "A", "nee", None])
    ws.cell(row=last_row, column=1, value="bricks-clay")
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:H%d"/>' % last_row, content
                )
            dst.writestr(item, content)
    return out.getvalue()


def test_a_tiny_xlsx_declaring_a_million_rows_stops_at_the_limit_quickly():
    data = huge_xlsx(1_048_576)
    assert len(data) < 20_000
    started = time.monotonic()
    result = parse(data, "inv.xlsx", max_rows=1000)
    assert only_error(result).code == "too_many_rows"
    assert time.monotonic() - started < 5


def test_a_workbook_is_opened_without_reading_every_row():
    """openpyxl opens a sheet without a <dimension> by parsing all of its XML (a 2 MB
    upload of 3 million rows took minutes before the first row was read). Here the sheet
    has no dimension and its XML breaks after row 5000: the file is opened, and the row
    limit ends the parse long before the break; without the limit, the break is reported
    as a corrupt workbook (never an exception)."""
    data = xlsx_file([GOOD_ROW] * 5000)

    def edit(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return xml[: xml.index(b'<row r="5000"')] + b"<row r=broken"

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            dst.writestr(item, content)
    assert only_error(parse(out.getvalue(), "inv.xlsx", max_rows=100)).code == "too_many_rows"
    assert only_error(parse(out.getvalue(), "inv.xlsx")).code == "xlsx_corrupt"


def with_shared_strings(data: bytes, count: int) -> bytes:
    """The workbook with a shared-strings table of `count` texts (as Excel writes them)."""
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    table = b'<sst xmlns="%s" count="%d" uniqueCount="%d">' % (main, count, count)
    table += b"".join(b"<si><t>text %d</t></si>" % i for i in range(count)) + b"</sst>"
    content_type = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    relation = (
        b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", content_type)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", relation)
            dst.writestr(item, content)
        dst.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def test_the_shared_strings_are_read_against_the_clock():
    """A workbook's texts are all read when it is opened (millions of them take as many
    seconds): the deadline is checked while reading them, not only afterwards."""
    from urbanmine.engine.inventory import reader
    from urbanmine.engine.inventory.issues import InventoryFileError
    from urbanmine.engine.inventory.limits import Clock

    data = with_shared_strings(xlsx_file([GOOD_ROW]), 5000)
    wb = reader.load_workbook(data, Clock(deadline=time.monotonic() + 60, seconds=60))
    assert len(wb.worksheets[0]._shared_strings) == 5000
    wb.close()
    with pytest.raises(InventoryFileError) as e:
        reader.load_workbook(data, Clock(deadline=time.monotonic() - 1, seconds=5))
    assert e.value.code == "time_limit_exceeded" and e.value.params == {"seconds": 5}


# ------------------------------------------------------------------------------ the clock


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_deadline_in_the_past_refuses_the_file(fmt):
    data = csv_file([GOOD_ROW]) if fmt == "csv" else xlsx_file([GOOD_ROW])
    result = parse(data, f"inv.{fmt}", deadline=time.monotonic() - 1, time_limit_s=30)
    e = only_error(result)
    assert e.code == "time_limit_exceeded" and e.params == {"seconds": 30}
    assert e.row is None and "longer than the limit of 30 seconds" in e.reason
    assert result.rows == []


def test_the_deadline_is_checked_while_reading_rows(monkeypatch):
    """The clock passes the deadline in the middle of the file: the parse stops there,
    keeping the errors it found so far."""
    from urbanmine.engine.inventory import limits

    now = [1000.0]

    def fake_monotonic():
        now[0] += 0.01  # every reading of the clock takes 10 ms
        return now[0]

    monkeypatch.setattr(limits.time, "monotonic", fake_monotonic)
    bad_first = [["bricks-clay", "", "-1", "piece", "2,1", "A", "nee", ""]]
    rows = bad_first + [GOOD_ROW] * 5000
    result = parse(csv_file(rows), time_limit_s=0.5)
    codes = [e.code for e in result.errors]
    assert codes == ["quantity_not_positive", "time_limit_exceeded"]
    assert result.errors[-1].params == {"seconds": 0.5}
    assert now[0] < 1000 + 5000 * 0.01 / limits.CHECK_TIME_EVERY + 2  # stopped early
    assert result.rows == []


def test_without_a_deadline_nothing_is_timed():
    assert parse(csv_file([GOOD_ROW]), time_limit_s=None).ok


# ------------------------------------------------------------------------- mass bounds


def test_the_finding_row_is_refused_at_parse_time():
    """The row that broke the public aggregates: 99,999,999,999 pieces of
    99,999,999,999.999 kg. With the catalogue's masses the mass per unit is implausible;
    without them, the line's mass is still over the maximum."""
    row = ["bricks-clay", "", "99999999999", "piece", "99999999999,999", "A", "nee", ""]
    e = only_error(parse(csv_file([row]), mass_references=references()))
    assert e.code == "mass_implausible" and e.row == 2 and e.column == "mass_kg_per_unit"
    assert e.reason == (
        "mass per unit 99999999999.999 kg is implausible for bricks-clay in unit piece "
        "(expected 0.021 to 210 kg)"
    )
    e = only_error(parse(csv_file([row])))
    assert e.code == "lot_mass_too_large" and e.row == 2 and e.field == "quantity"
    assert e.params["max_t"] == "100000"


def test_a_line_over_the_maximum_mass_is_refused_even_with_a_plausible_mass_per_unit():
    row = ["bricks-clay", "", "50000000000", "piece", "2,1", "A", "nee", ""]
    e = only_error(parse(csv_file([row]), mass_references=references()))
    assert e.code == "lot_mass_too_large" and e.column == "quantity"
    assert e.reason == (
        "50000000000 piece × 2.1 kg is 105000000 t, more than the 100000 t one line may "
        "hold: split it into several lines"
    )
    # 100,000 t exactly is allowed.
    ok = ["concrete-granulate", "", "100000", "t", "", "B", "nee", ""]
    assert parse(csv_file([ok]), mass_references=references()).ok


@pytest.mark.parametrize(
    "group,unit,mass,ok",
    [
        ("steel-beams", "m", "42", True),
        ("steel-beams", "m", "2", True),  # a light profile
        ("steel-beams", "m", "0,4", False),
        ("steel-beams", "m", "4200", True),
        ("steel-beams", "m", "4201", False),
        ("steel-beams", "piece", "40", True),  # a steel beam of 40 kg
        ("steel-beams", "piece", "4000", True),  # ... or of 4 t
        ("steel-beams", "piece", "500000", False),
        ("bricks-clay", "piece", "2100", False),  # 2.1 t for a brick: kg written for t
        ("bricks-clay", "m3", "1800", True),  # bricks by volume
        ("prefab-concrete-beams", "piece", "60000", True),
        ("door-hardware", "piece", "0,01", True),
        ("soil", "m3", "1800", True),
        ("soil", "t", "", True),
    ],
)
def test_the_band_is_generous_for_real_passports(group, unit, mass, ok):
    row = [group, "", "1", unit, mass, "A", "nee", ""]
    result = parse(csv_file([row]), mass_references=references())
    assert result.ok is ok, [str(e) for e in result.errors]
    if not ok:
        assert only_error(result).code == "mass_implausible"


def test_every_catalogue_group_admits_its_typical_mass():
    for code, ref in references().items():
        band = inventory.mass_band(ref, ref.unit)
        assert band is not None and ref.typical_kg in band, code


def test_the_band():
    ref = inventory.MassReference("m", Decimal(42))
    assert inventory.mass_band(ref, "m") == inventory.MassBand(Decimal("0.42"), Decimal(4200))
    assert inventory.mass_band(ref, "piece") == inventory.MassBand(
        Decimal("0.004"), Decimal(420000)
    )
    assert inventory.mass_band(ref, "kg") == inventory.MassBand(Decimal(1), Decimal(1))
    assert inventory.mass_band(ref, "t") == inventory.MassBand(Decimal(1000), Decimal(1000))
    assert inventory.mass_band(None, "m") is None
    assert inventory.mass_band(inventory.MassReference("m", Decimal(0)), "m") is None
    tiny = inventory.mass_band(inventory.MassReference("piece", Decimal("0.05")), "piece")
    assert tiny is not None and tiny.low == Decimal("0.001")  # the lot precision


# --------------------------------------------------------------- quotes added by exports


@pytest.mark.parametrize(
    "cell,description",
    [
        ('\'=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),
        ("'+31 10 123", "+31 10 123"),
        ("'-", "-"),
        ("'@SUM(A1)", "@SUM(A1)"),
        ("'t Hooft", "'t Hooft"),  # a quote of the user's own stays
        ("'", "'"),
    ],
)
def test_the_quote_an_export_adds_is_dropped(cell, description):
    row = ["bricks-clay", cell, "1", "piece", "2,1", "A", "nee", ""]
    result = parse(csv_file([row]))
    assert result.ok and result.rows[0].description == description
