"""Inventory parsing and validation (engine only, no database)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import urbanmine
from urbanmine.engine.inventory import (
    InventoryParseResult,
    normalise_unit,
    parse_decimal,
    parse_inventory,
    write_inventory_template,
)

TODAY = date(2025, 1, 1)
HEADER = "product_group,description,quantity,unit,mass_kg_per_unit,quality,hazardous,expected_release_date"
CATALOGUE = Path(urbanmine.__file__).parent / "data" / "catalogue.csv"


@pytest.fixture(scope="module")
def known() -> set[str]:
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def parse(text: str | bytes, known: set[str], name: str = "inv.csv", **kw) -> InventoryParseResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_inventory(data, name, known, TODAY, **kw)


def only_error(result: InventoryParseResult):
    assert len(result.errors) == 1, result.errors
    assert result.rows == []
    return result.errors[0]


# ------------------------------------------------------------------ happy paths


def test_template_columns_comma_separated(known):
    r = parse(
        HEADER + "\nbricks-clay,Bakstenen gevel,1200,piece,2.1,B,false,2026-03-01\n"
        "steel-beams,HEA 200,36.5,m,42,A,no,\n",
        known,
    )
    assert r.ok, r.errors
    assert r.delimiter == ","
    a, b = r.rows
    assert (a.row_number, a.product_group, a.quantity, a.unit) == (2, "bricks-clay", 1200, "piece")
    assert a.mass_kg_per_unit == Decimal("2.1") and a.quality == "B" and a.hazardous is False
    assert a.expected_release_date == date(2026, 3, 1)
    assert b.quantity == Decimal("36.5") and b.unit == "m" and b.expected_release_date is None
    assert r.total_mass_kg == Decimal("1200") * Decimal("2.1") + Decimal("36.5") * 42


def test_dutch_aliases_semicolons_decimal_comma_and_units(known):
    text = (
        "Productgroep;Omschrijving;Aantal;Eenheid;Gewicht (kg);Kwaliteit;Asbest?;Verwachte vrijkomdatum\n"
        "glazing-double;Isolatieglas;12,5;m²;20;a;nee;01-09-2026\n"
        "concrete-granulate;Puin;3,25;ton;;C;ja;15/10/2026\n"
        "bricks-clay;Stenen;1500;stuks;2,1;B;0;2026-10-15\n"
    )
    r = parse(text, known)
    assert r.ok, r.errors
    assert r.delimiter == ";"
    assert r.columns["hazardous"] == "Asbest?"
    g, c, b = r.rows
    assert g.quantity == Decimal("12.5") and g.unit == "m2" and g.quality == "A"
    assert g.expected_release_date == date(2026, 9, 1)
    assert c.unit == "t" and c.mass_kg_per_unit == 1000 and c.hazardous is True
    assert c.expected_release_date == date(2026, 10, 15)
    assert b.quantity == 1500 and b.hazardous is False


def test_lone_dot_in_dutch_file_is_decimal_and_fractional_pieces_error(known):
    r = parse("productgroep;aantal;eenheid;massa;kwaliteit\nbricks-clay;1.500;st;2,1;B\n", known)
    e = only_error(r)
    assert (e.row, e.column, e.field) == (2, "aantal", "quantity")
    assert "whole" in e.reason and "write 1500" in e.reason


def test_thousands_separators(known):
    r = parse(
        "productgroep;aantal;eenheid;massa;kwaliteit\n"
        "bricks-clay;1.234.567;st;2,1;B\n"
        "glazing-double;1.234,5;m2;20;B\n"
        "soil;1 234,5;t;;C\n",
        known,
    )
    assert r.ok, r.errors
    assert [x.quantity for x in r.rows] == [Decimal(1234567), Decimal("1234.5"), Decimal("1234.5")]
    r = parse(HEADER + '\nsoil,,"1,234.5",t,,C,no,\n', known)
    assert r.ok and r.rows[0].quantity == Decimal("1234.5")


def test_ambiguous_number_warns(known):
    r = parse("productgroep;aantal;eenheid;massa;kwaliteit\nsteel-beams;2.500;m;42;B\n", known)
    assert r.ok and r.rows[0].quantity == Decimal("2.5")
    assert any("2.500" in w.reason and w.row == 2 for w in r.warnings)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", "12"),
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("-3", "-3"),
        ("0,25", "0.25"),
        (",5", "0.5"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("1 234 567", "1234567"),
        ("1\u00a0234,5", "1234.5"),
        ("7.", "7"),
    ],
)
def test_parse_decimal_forms(text, expected):
    assert parse_decimal(text)[0] == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["abc", "1.23,4", "1,2,3", "12 st", "1.2.3,4,5", "1e5", "NaN", "--1"]
)
def test_parse_decimal_rejects(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_parse_decimal_dutch_round_trip(value):
    whole, frac = f"{value:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    assert parse_decimal(f"{grouped},{frac}")[0] == value
    assert parse_decimal(f"{int(whole):,}.{frac}", decimal_comma=False)[0] == value


@pytest.mark.parametrize(
    "alias,unit",
    [
        ("stuks", "piece"),
        ("St.", "piece"),
        ("stk", "piece"),
        ("pcs", "piece"),
        ("m1", "m"),
        ("m'", "m"),
        ("meter", "m"),
        ("m²", "m2"),
        ("M2", "m2"),
        ("m^2", "m2"),
        ("m³", "m3"),
        ("kuub", "m3"),
        ("kg", "kg"),
        ("Kilogram", "kg"),
        ("ton", "t"),
        ("tonne", "t"),
        ("t", "t"),
        ("strekkende meter", "m"),
    ],
)
def test_unit_aliases(alias, unit):
    assert normalise_unit(alias) == unit


def test_hazardous_values_and_empty_is_false_with_warning(known):
    rows = "\n".join(
        f"doors-interior,,1,piece,25,A,{v},"
        for v in ["true", "false", "ja", "nee", "yes", "no", "1", "0", "JA", ""]
    )
    r = parse(HEADER + "\n" + rows + "\n", known)
    assert r.ok, r.errors
    assert [x.hazardous for x in r.rows] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert any("empty" in w.reason and "row 11" in w.reason for w in r.warnings)


def test_no_hazardous_column_warns(known):
    r = parse(
        "product_group,quantity,unit,mass_kg_per_unit,quality\ndoors-interior,2,piece,25,A\n", known
    )
    assert r.ok and r.rows[0].hazardous is False
    assert any(w.column == "hazardous" for w in r.warnings)


def test_product_group_case_and_aliases(known):
    r = parse(
        HEADER + "\nBricks_Clay,,1,piece,2,A,no,\nBinnendeuren,,1,piece,25,A,no,\n",
        known,
        product_group_aliases={"Binnendeuren": "doors-interior"},
    )
    assert r.ok, r.errors
    assert [x.product_group for x in r.rows] == ["bricks-clay", "doors-interior"]


def test_kg_and_t_mass_defaults_and_conflict(known):
    r = parse(HEADER + "\nsoil,,2,t,,C,no,\nsteel-beams,,120,kg,1,B,no,\n", known)
    assert r.ok and [x.mass_kg_per_unit for x in r.rows] == [1000, 1]
    e = only_error(parse(HEADER + "\nsoil,,2,t,1,C,no,\n", known))
    assert e.row == 2 and e.column == "mass_kg_per_unit" and "1000" in e.reason


def test_extra_columns_ignored_and_title_rows_skipped(known):
    text = (
        "Inventarisatie Stadhuis Delft;;;\n\n"
        "nr;productgroep;aantal;eenheid;massa;kwaliteit;opmerking\n"
        "1;doors-interior;4;st;25;B;mooi\n"
    )
    r = parse(text, known)
    assert r.ok, r.errors
    assert r.header_row == 3 and r.rows[0].row_number == 4
    assert any("nr" in w.reason and "opmerking" in w.reason for w in r.warnings)


def test_column_map(known):
    text = "Artikelgroep;Stuks;Maat;Kg/st;Klasse A-C\ndoors-interior;4;st;25;B\n"
    r = parse(
        text,
        known,
        column_map={
            "Artikelgroep": "product_group",
            "Stuks": "quantity",
            "Maat": "unit",
            "Kg/st": "mass_kg_per_unit",
            "Klasse A-C": "quality",
        },
    )
    assert r.ok, r.errors
    assert r.rows[0].quantity == 4
    bad = parse(text, known, column_map={"Artikelgroep": "groupz"})
    assert bad.errors and "groupz" in bad.errors[0].reason


def test_rounding_to_three_decimals(known):
    r = parse(HEADER + "\nglazing-double,,1.23456,m2,20.00049,B,no,\n", known)
    assert r.ok
    assert r.rows[0].quantity == Decimal("1.235") and r.rows[0].mass_kg_per_unit == Decimal(
        "20.000"
    )


def test_quality_numeric_and_blank_lines_skipped(known):
    r = parse(
        HEADER
        + "\n\ndoors-interior,,1,piece,25,1,no,\n\n,,,,,,,\ndoors-interior,,1,piece,25,3,no,\n",
        known,
    )
    assert r.ok, r.errors
    assert [(x.row_number, x.quality) for x in r.rows] == [(3, "A"), (6, "C")]


# ------------------------------------------------------------------ errors name row, column, reason


@pytest.mark.parametrize(
    "row,column,needle",
    [
        ("unknown-thing,,1,piece,2,A,no,", "product_group", "unknown product group"),
        ("bricks-clai,,1,piece,2,A,no,", "product_group", "did you mean “bricks-clay”"),
        (",,1,piece,2,A,no,", "product_group", "missing"),
        ("bricks-clay,,,piece,2,A,no,", "quantity", "missing"),
        ("bricks-clay,,-3,piece,2,A,no,", "quantity", "more than zero"),
        ("bricks-clay,,0,piece,2,A,no,", "quantity", "more than zero"),
        ("bricks-clay,,2.5,piece,2,A,no,", "quantity", "whole"),
        ("bricks-clay,,veel,piece,2,A,no,", "quantity", "not a number"),
        ("bricks-clay,,1,,2,A,no,", "unit", "missing"),
        ("bricks-clay,,1,pallets,2,A,no,", "unit", "unknown unit"),
        ("bricks-clay,,1,piece,,A,no,", "mass_kg_per_unit", "missing"),
        ("bricks-clay,,1,piece,0,A,no,", "mass_kg_per_unit", "more than zero"),
        ("bricks-clay,,1,piece,2,D,no,", "quality", "A, B or C"),
        ("bricks-clay,,1,piece,2,,no,", "quality", "missing"),
        ("bricks-clay,,1,piece,2,A,misschien,", "hazardous", "ja/nee"),
        ("bricks-clay,,1,piece,2,A,no,31-02-2026", "expected_release_date", "not an existing date"),
        ("bricks-clay,,1,piece,2,A,no,volgend jaar", "expected_release_date", "not a date"),
        ("bricks-clay,,1,piece,2,A,no,2026-13-01", "expected_release_date", "not an existing date"),
        ("bricks-clay,,1,piece,2,A,no,01-01-0999", "expected_release_date", "implausible"),
    ],
)
def test_bad_row(known, row, column, needle):
    e = only_error(parse(HEADER + "\n" + row + "\n", known))
    assert e.row == 2
    assert e.column == column
    assert needle in e.reason


def test_errors_use_the_files_column_names(known):
    e = only_error(
        parse("productgroep;aantal;eenheid;massa;kwaliteit\nbricks-clay;-1;st;2;A\n", known)
    )
    assert (e.row, e.column, e.field) == (2, "aantal", "quantity")
    assert str(e).startswith("row 2, column 'aantal': ")


def test_one_bad_row_in_the_middle(known):
    lines = [HEADER] + [f"bricks-clay,steen {i},{i + 1},piece,2.1,B,no," for i in range(999)]
    lines[500] = "bricks-clay,steen,12,piece,2.1,Q,no,"
    r = parse("\n".join(lines) + "\n", known)
    e = only_error(r)
    assert (e.row, e.column) == (501, "quality")


def test_several_errors_in_one_row_all_reported(known):
    r = parse(HEADER + "\nnope,,-1,box,2,Z,maybe,gisteren\n", known)
    assert {e.column for e in r.errors} == {
        "product_group",
        "quantity",
        "unit",
        "quality",
        "hazardous",
        "expected_release_date",
    }
    assert all(e.row == 2 for e in r.errors)


def test_missing_required_column(known):
    r = parse(
        "product_group,description,quantity,mass_kg_per_unit,quality\nbricks-clay,x,1,2,A\n", known
    )
    e = only_error(r)
    assert (e.row, e.column) == (1, "unit") and "missing" in e.reason


def test_duplicate_column_meaning(known):
    r = parse(
        "product_group,aantal,quantity,unit,mass_kg_per_unit,quality\nbricks-clay,1,1,piece,2,A\n",
        known,
    )
    e = only_error(r)
    assert e.row == 1 and "both mean quantity" in e.reason


def test_empty_file(known):
    for data in (b"", b"\xef\xbb\xbf", b"\n\n  \n"):
        e = only_error(parse(data, known))
        assert e.row == 1 and "empty" in e.reason


def test_header_only(known):
    e = only_error(parse(HEADER + "\n", known))
    assert e.row == 2 and "no data rows" in e.reason


def test_binary_garbage(known):
    e = only_error(parse(bytes(range(256)) * 40, known, name="inventory.csv"))
    assert "binary" in e.reason


def test_png_named_csv(known):
    e = only_error(parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50, known))
    assert "binary" in e.reason


def test_text_that_is_not_an_inventory(known):
    e = only_error(parse("Lorem ipsum dolor sit amet\nconsectetur adipiscing elit\n", known))
    assert "no header row" in e.reason


def test_unknown_encoding_names_row(known):
    data = (
        HEADER + "\nbricks-clay,ok,1,piece,2,A,no,\n"
    ).encode() + b"bricks-clay,\x81\x8d,1,piece,2,A,no,\n"
    e = only_error(parse(data, known))
    assert e.row == 3 and "encoding" in e.reason


def test_xls_and_fake_xlsx(known):
    e = only_error(parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, known, name="a.xls"))
    assert ".xls" in e.reason
    e = only_error(parse(HEADER + "\n", known, name="inventory.xlsx"))
    assert "not an Excel workbook" in e.reason
    e = only_error(parse(b"PK\x03\x04garbage", known, name="inventory.xlsx"))
    assert "XLSX" in e.reason


# ------------------------------------------------------------------ encodings


DUTCH_ROW = "window-frames-timber;Kozijn eikenhout – oud, gevonden in de kelder (ë);3;st;45;B;nee;01-06-2026\n"
DUTCH_HEADER = "productgroep;omschrijving;aantal;eenheid;massa_kg_per_eenheid;kwaliteit;gevaarlijk;vrijkomdatum\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(known, encoding):
    r = parse((DUTCH_HEADER + DUTCH_ROW).encode(encoding), known)
    assert r.ok, r.errors
    assert r.rows[0].description == "Kozijn eikenhout – oud, gevonden in de kelder (ë)"
    assert r.columns["product_group"] == "productgroep"  # no BOM residue in the header


def test_crlf_line_endings(known):
    r = parse((DUTCH_HEADER + DUTCH_ROW).replace("\n", "\r\n").encode("cp1252"), known)
    assert r.ok and len(r.rows) == 1


def test_quoted_multiline_and_tab(known):
    r = parse(HEADER + '\ndoors-interior,"deur\nmet glas",1,piece,25,A,no,\n', known)
    assert r.ok and r.rows[0].description == "deur\nmet glas"
    r = parse(HEADER.replace(",", "\t") + "\ndoors-interior\t\t1\tpiece\t25\tA\tno\t\n", known)
    assert r.ok and r.delimiter == "\t"


# ------------------------------------------------------------------ XLSX


def test_xlsx_round_trip_with_template(known, tmp_path):
    path = write_inventory_template(tmp_path / "template.xlsx", "xlsx")
    r = parse_inventory(path, None, known, TODAY)
    assert r.ok, r.errors
    assert r.format == "xlsx" and len(r.rows) == 1
    row = r.rows[0]
    assert (row.product_group, row.quantity, row.unit, row.quality) == (
        "window-frames-timber",
        12,
        "piece",
        "B",
    )
    assert row.mass_kg_per_unit == Decimal("45.5") and row.hazardous is False
    assert row.expected_release_date == date(date.today().year + 1, 6, 1)

    wb = openpyxl.load_workbook(path)
    ws = wb["inventory"]
    ws.append(["bricks-clay", "stenen", 1000.0, "stuks", 2.1, "A", True, date(2027, 1, 5)])
    ws.append([None] * 8)
    ws.append(["steel-beams", "HEA", "12,5", "m1", 42, "c", 0, "05-01-2027"])
    wb.save(path)
    r = parse_inventory(path, "x.xlsx", known, TODAY)
    assert r.ok, r.errors
    assert [(x.row_number, x.quantity, x.unit, x.hazardous) for x in r.rows] == [
        (2, 12, "piece", False),
        (3, 1000, "piece", True),
        (5, Decimal("12.5"), "m", False),
    ]
    assert r.rows[2].expected_release_date == date(2027, 1, 5)


def test_xlsx_bad_row_numbers_as_in_excel(known, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Inventarisatie"])
    ws.append([])
    ws.append(["Productgroep", "Aantal", "Eenheid", "Massa", "Kwaliteit"])
    ws.append(["bricks-clay", 10, "st", 2.1, "A"])
    ws.append(["bricks-clay", 2.5, "st", 2.1, "A"])
    ws.append(["bricks-clay", date(2026, 1, 1), "st", 2.1, "A"])
    buf = io.BytesIO()
    wb.save(buf)
    r = parse_inventory(buf.getvalue(), "inv.xlsx", known, TODAY)
    assert [(e.row, e.column) for e in r.errors] == [(5, "Aantal"), (6, "Aantal")]
    assert "date" in r.errors[1].reason


def test_csv_template_round_trip(known, tmp_path):
    path = write_inventory_template(tmp_path / "template.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw
    r = parse_inventory(path, None, known, TODAY)
    assert r.ok and r.rows[0].mass_kg_per_unit == Decimal("45.5")
    assert not r.warnings


def test_progress_callback(known):
    lines = [HEADER] + ["doors-interior,,1,piece,25,A,no,"] * 5000
    calls: list[tuple[int, int | None]] = []
    r = parse("\n".join(lines) + "\n", known, on_progress=lambda d, t: calls.append((d, t)))
    assert r.ok and len(r.rows) == 5000
    assert calls[0] == (0, 5000) and calls[-1] == (5000, 5000)
    assert len(calls) >= 3


def test_past_release_date_is_a_warning(known):
    r = parse(HEADER + "\ndoors-interior,,1,piece,25,A,no,2020-01-01\n", known)
    assert r.ok and any("before 2025-01-01" in w.reason for w in r.warnings)
