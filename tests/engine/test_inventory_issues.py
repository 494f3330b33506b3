"""Inventory issues carry a stable code and params (for translation): every code in the
catalogue is reachable from a bad file, and its English reason is the template filled in."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

import urbanmine
from urbanmine.engine.inventory import (
    ISSUE_TEMPLATES,
    TEMPLATE_COLUMNS,
    VALUE_ERROR_TEMPLATES,
    InventoryIssue,
    InventoryLimits,
    InventoryParseResult,
    MassReference,
    ParseContext,
    ProductGroups,
    parse_expected_release_date,
    parse_hazardous,
    parse_inventory,
    parse_mass_kg_per_unit,
    parse_product_group,
    parse_quantity,
    parse_unit,
)

TODAY = date(2025, 1, 1)
CATALOGUE = Path(urbanmine.__file__).parent / "data" / "catalogue.csv"
with open(CATALOGUE, encoding="utf-8", newline="") as _fh:
    KNOWN = frozenset(row["code"] for row in csv.DictReader(_fh))

GOOD = {
    "product_group": "bricks-clay",
    "description": "",
    "quantity": "1",
    "unit": "piece",
    "mass_kg_per_unit": "2",
    "quality": "A",
    "hazardous": "nee",
    "expected_release_date": "",
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


# ------------------------------------------------------------------ building bad files


def parse(data: bytes | str, name: str = "inv.csv", **kw) -> InventoryParseResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_inventory(raw, name, KNOWN, TODAY, **kw)


def semicolon_file(*rows: dict[str, str], columns: tuple[str, ...] = TEMPLATE_COLUMNS) -> str:
    """A Dutch-style file: the header, then each row = a good row with some cells changed."""
    lines = [";".join(columns)]
    lines += [";".join({**GOOD, **row}[c] for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def bad_cell(**cells: str) -> Callable[[Path], InventoryParseResult]:
    return lambda _tmp: parse(semicolon_file(cells))


def without(*fields: str) -> tuple[str, ...]:
    return tuple(c for c in TEMPLATE_COLUMNS if c not in fields)


def xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(TEMPLATE_COLUMNS))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_row(**cells: object) -> list[object]:
    return [cells.get(c, GOOD[c]) for c in TEMPLATE_COLUMNS]


def edit_xlsx(data: bytes, member: str, edit: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one XML part rewritten: corrupt files openpyxl will not write."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            dst.writestr(item, edit(content) if item.filename == member else content)
    return out.getvalue()


def infinite_cells(_tmp: Path) -> InventoryParseResult:
    # 1E999 is a valid XLSX number that reads as float("inf").
    data = xlsx([xlsx_row(quantity=12345, mass_kg_per_unit=54321)])
    data = edit_xlsx(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b"<v>12345</v>", b"<v>1E999</v>").replace(
            b"<v>54321</v>", b"<v>-1E999</v>"
        ),
    )
    return parse(data, "inv.xlsx")


def ambiguous_numbers(count: int) -> str:
    return semicolon_file(*({"quantity": f"2.{500 + i}", "unit": "m"} for i in range(count)))


CASES: dict[str, Callable[[Path], InventoryParseResult]] = {
    # the file as a whole
    "file_unreadable": lambda tmp: parse_inventory(tmp / "missing.csv", None, KNOWN, TODAY),
    "file_empty": lambda _tmp: parse(b""),
    "xls_not_supported": lambda _tmp: parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
    "xlsx_misnamed": lambda _tmp: parse(semicolon_file(GOOD), "inv.xlsx"),
    "xlsx_unreadable": lambda _tmp: parse(b"PK\x03\x04garbage", "inv.xlsx"),
    "xlsx_corrupt": lambda _tmp: parse(
        edit_xlsx(xlsx([]), "xl/workbook.xml", lambda x: x[:50]), "inv.xlsx"
    ),
    "xlsx_no_worksheets": lambda _tmp: parse(
        edit_xlsx(xlsx([]), "xl/workbook.xml", lambda x: re.sub(rb"<sheets>.*</sheets>", b"", x)),
        "inv.xlsx",
    ),
    "utf16_invalid": lambda _tmp: parse(b"\xff\xfe" + "a;b".encode("utf-16-le") + b"\x00\xd8"),
    "binary_file": lambda _tmp: parse(bytes(range(256)) * 40),
    "binary_content": lambda _tmp: parse("a\x01b\x02c\x03d\x04e\x05\n" * 3),
    "unknown_encoding": lambda _tmp: parse(semicolon_file(GOOD).encode() + b"\x81\x8d;1\n"),
    "mixed_encodings": lambda _tmp: parse(
        semicolon_file({"description": "Ã« in UTF-8"}).encode()
        + semicolon_file({"description": "caf\xe9"}).split("\n")[1].encode("cp1252")
    ),
    "csv_unreadable": lambda _tmp: parse(semicolon_file({"description": "x" * 200_000})),
    "too_many_rows": lambda _tmp: parse(
        semicolon_file(GOOD, GOOD, GOOD), limits=InventoryLimits(max_rows=2)
    ),
    "time_limit_exceeded": lambda _tmp: parse(
        semicolon_file(GOOD), limits=InventoryLimits(deadline=time.monotonic() - 1)
    ),
    # header and columns
    "column_map_unknown_field": lambda _tmp: parse(
        semicolon_file(GOOD), column_map={"Groep": "groupz"}
    ),
    "no_header_row": lambda _tmp: parse("Lorem ipsum dolor sit amet\nconsectetur\n"),
    "duplicate_column": lambda _tmp: parse(
        "product_group;aantal;quantity;unit;mass_kg_per_unit;quality\nbricks-clay;1;1;st;2;A\n"
    ),
    "required_column_missing": lambda _tmp: parse(semicolon_file(GOOD, columns=without("unit"))),
    "extra_columns_ignored": lambda _tmp: parse(
        "product_group;quantity;unit;mass_kg_per_unit;quality;hazardous;opmerking\n"
        "bricks-clay;1;st;2;A;nee;mooi\n"
    ),
    "no_hazardous_column": lambda _tmp: parse(semicolon_file(GOOD, columns=without("hazardous"))),
    "no_data_rows": lambda _tmp: parse(semicolon_file()),
    # cells, column by column
    "product_group_missing": bad_cell(product_group=""),
    "product_group_unknown": bad_cell(product_group="unknown-thing"),
    "product_group_unknown_suggestion": bad_cell(product_group="bricks-clai"),
    "unit_missing": bad_cell(unit=""),
    "unit_unknown": bad_cell(unit="pallets"),
    "quantity_missing": bad_cell(quantity=""),
    "quantity_empty": bad_cell(quantity="'"),
    "quantity_not_a_number": bad_cell(quantity="veel"),
    "quantity_mixed_separators": bad_cell(quantity="1.23,4"),
    "quantity_not_finite": infinite_cells,
    "quantity_is_a_date": lambda _tmp: parse(
        xlsx([xlsx_row(quantity=date(2026, 1, 1))]), "inv.xlsx"
    ),
    "quantity_not_positive": bad_cell(quantity="-3"),
    "quantity_too_large": bad_cell(quantity="100000000000"),
    "quantity_not_whole": bad_cell(quantity="2,5"),
    "quantity_not_whole_thousands": bad_cell(quantity="1.500"),
    "quantity_rounds_to_zero": bad_cell(quantity="0,0004", unit="m"),
    "mass_missing": bad_cell(mass_kg_per_unit=""),
    "mass_empty": bad_cell(mass_kg_per_unit="'"),
    "mass_not_a_number": bad_cell(mass_kg_per_unit="zwaar"),
    "mass_mixed_separators": bad_cell(mass_kg_per_unit="1,234.5.6"),
    "mass_not_finite": infinite_cells,
    "mass_is_a_date": lambda _tmp: parse(
        xlsx([xlsx_row(mass_kg_per_unit=date(2026, 1, 1))]), "inv.xlsx"
    ),
    "mass_not_positive": bad_cell(mass_kg_per_unit="0"),
    "mass_too_large": bad_cell(mass_kg_per_unit="100000000000"),
    "mass_fixed_by_unit": bad_cell(unit="t", mass_kg_per_unit="1"),
    "mass_rounds_to_zero": bad_cell(mass_kg_per_unit="0,0001"),
    "mass_implausible": lambda _tmp: parse(
        semicolon_file({"mass_kg_per_unit": "2100"}),
        limits=InventoryLimits(
            mass_references={"bricks-clay": MassReference("piece", Decimal("2.1"))}
        ),
    ),
    "lot_mass_too_large": bad_cell(quantity="99999999999", mass_kg_per_unit="99999999999,999"),
    "quality_missing": bad_cell(quality=""),
    "quality_invalid": bad_cell(quality="D"),
    "hazardous_invalid": bad_cell(hazardous="misschien"),
    "release_date_not_a_date": bad_cell(expected_release_date="volgend jaar"),
    "release_date_not_an_existing_date": bad_cell(expected_release_date="31-02-2026"),
    "release_date_implausible": bad_cell(expected_release_date="01-01-0999"),
    # warnings about many rows
    "hazardous_empty": bad_cell(hazardous=""),
    "release_date_in_past": bad_cell(expected_release_date="2020-01-01"),
    "ambiguous_number": lambda _tmp: parse(ambiguous_numbers(1)),
    "more_ambiguous_numbers": lambda _tmp: parse(ambiguous_numbers(25)),
    "description_shortened": bad_cell(description="lang " * 70),
}


# ------------------------------------------------------------------ the tests


def assert_well_formed(issue: InventoryIssue) -> None:
    assert issue.code in ISSUE_TEMPLATES, issue
    template = ISSUE_TEMPLATES[issue.code]
    assert set(PLACEHOLDER.findall(template)) == set(issue.params), issue
    assert issue.reason == template % issue.params
    assert all(isinstance(v, str | int | float) for v in issue.params.values())


def test_every_code_in_the_catalogue_has_a_bad_input():
    assert set(CASES) == set(ISSUE_TEMPLATES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_input_produces_the_code(code, tmp_path):
    result = CASES[code](tmp_path)
    produced = result.errors + result.warnings
    assert code in {i.code for i in produced}, produced
    for issue in produced:
        assert_well_formed(issue)
    # The JSON contract: the old keys, plus code and params.
    payload = json.loads(json.dumps(result.to_dict()))
    for issue in payload["errors"] + payload["warnings"]:
        assert list(issue) == ["row", "column", "reason", "field", "code", "params"]


def test_templates_are_gettext_python_format():
    for code, template in ISSUE_TEMPLATES.items():
        assert re.fullmatch(r"[a-z0-9_]+", code), code
        bare = PLACEHOLDER.sub("", template)
        assert "%" not in bare, f"{code}: a % outside a %(name)s placeholder"


@pytest.mark.parametrize(
    "prefix,text,kinds",
    [
        ("quantity", "quantity: ", ("empty", "not_a_number", "mixed_separators", "not_finite")),
        ("quantity", "quantity: ", ("is_a_date",)),
        ("mass", "mass per unit: ", ("empty", "not_a_number", "mixed_separators", "not_finite")),
        ("mass", "mass per unit: ", ("is_a_date",)),
        ("release_date", "expected release date: ", ("not_a_date", "not_an_existing_date")),
    ],
)
def test_cell_value_codes_match_the_value_messages(prefix, text, kinds):
    """A cell's value error is reported as `<prefix>_<kind>`: the catalogue must hold it,
    worded as the value message behind the column's name."""
    for kind in kinds:
        assert ISSUE_TEMPLATES[f"{prefix}_{kind}"] == text + VALUE_ERROR_TEMPLATES[kind]


def test_example_reasons_are_unchanged():
    """A few reasons word for word, as users and existing tests know them."""
    e = only_error(CASES["quantity_not_whole_thousands"](Path()))
    assert e.reason == (
        "pieces are counted in whole numbers (got 1.500; write 1500 if you meant a whole "
        "number with a thousands separator)"
    )
    assert e.params == {"value": "1.500", "whole": "1500"}
    e = only_error(CASES["product_group_unknown_suggestion"](Path()))
    assert e.reason == "unknown product group “bricks-clai”; did you mean “bricks-clay”?"
    assert str(e) == "row 2, column 'product_group': " + e.reason
    w = next(w for w in CASES["hazardous_empty"](Path()).warnings if w.code == "hazardous_empty")
    assert w.reason == "hazardous left empty in 1 row(s) (row 2): recorded as not hazardous"
    assert w.params == {"count": 1, "rows": "row 2"}


def only_error(result: InventoryParseResult) -> InventoryIssue:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_issue_made_outside_the_parser_keeps_working():
    """Callers may still build an issue from row, column and reason alone."""
    issue = InventoryIssue(None, "--asset", "asset 7 does not exist")
    assert issue.to_dict() == {
        "row": None,
        "column": "--asset",
        "reason": "asset 7 does not exist",
        "field": None,
        "code": "",
        "params": {},
    }
    assert str(issue) == "column '--asset': asset 7 does not exist"


# ------------------------------------------------------------------ column parsers alone


def test_a_column_parser_runs_on_its_own():
    ctx = ParseContext(today=TODAY)
    assert parse_quantity("12,5", 7, ctx, "m") == Decimal("12.5")
    assert parse_quantity(" 1.234,56789 ", 7, ctx, "m2") == Decimal("1234.568")
    assert parse_unit("m²", 7, ctx) == "m2"
    assert parse_hazardous("JA", 7, ctx) is True
    assert parse_mass_kg_per_unit(None, 7, ctx, "t") == 1000
    assert parse_expected_release_date("01-09-2026", 7, ctx) == date(2026, 9, 1)
    assert ctx.errors == []

    assert parse_quantity("veel", 8, ctx, "m") is None
    (error,) = ctx.errors
    assert (error.row, error.column, error.field) == (8, "quantity", "quantity")
    assert (error.code, error.params) == ("quantity_not_a_number", {"value": "veel"})
    assert error.reason == "quantity: “veel” is not a number"


def test_column_parser_names_the_files_column_and_uses_the_catalogue():
    ctx = ParseContext(
        today=TODAY,
        product_groups=ProductGroups.build(["bricks-clay"], {"Bakstenen": "bricks-clay"}),
        column_names={"product_group": "Productgroep"},
    )
    assert parse_product_group("Bakstenen", 2, ctx) == "bricks-clay"
    assert parse_product_group("Bricks_Clay", 3, ctx) == "bricks-clay"
    assert parse_product_group("bricks-clai", 4, ctx) is None
    (error,) = ctx.errors
    assert error.column == "Productgroep"
    assert error.code == "product_group_unknown_suggestion"
    assert error.params == {"value": "bricks-clai", "suggestion": "bricks-clay"}


def test_column_parser_collects_what_becomes_a_warning():
    ctx = ParseContext(today=TODAY)
    assert parse_quantity("2.500", 5, ctx, "m") == Decimal("2.5")
    assert parse_hazardous("", 5, ctx) is False
    assert parse_expected_release_date("2020-01-01", 5, ctx) == date(2020, 1, 1)
    assert ctx.ambiguous_numbers == [(5, "quantity", "2.500")]
    assert ctx.empty_hazardous_rows == [5]
    assert ctx.past_release_rows == [5]
    assert ctx.errors == []
