"""One helper neutralises every text cell the platform exports (CSV injection, OWASP)."""

from datetime import date
from decimal import Decimal

import pytest

from urbanmine.core.exports import safe_cell, safe_row


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 10 123 4567", "'+31 10 123 4567"),
        ("-2", "'-2"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Rode gevelstenen", "Rode gevelstenen"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=al geneutraliseerd", "'=al geneutraliseerd"),
    ],
)
def test_text_starting_with_a_formula_character_gets_a_quote(value, expected):
    assert safe_cell(value) == expected


@pytest.mark.parametrize("value", [-2, -2.5, Decimal("-3.1"), 0, None, True, date(2026, 1, 1)])
def test_numbers_and_other_values_stay_as_they_are(value):
    assert safe_cell(value) is value


def test_a_row():
    assert safe_row(["=1", 2, None, "x"]) == ["'=1", 2, None, "x"]


def test_control_characters_are_dropped_so_a_workbook_can_hold_the_text():
    from urbanmine.core.exports import safe_cell

    assert safe_cell("Rode\x07 stenen\x1b") == "Rode stenen"
    assert safe_cell("regel 1\nregel 2\tkolom") == "regel 1\nregel 2\tkolom"  # kept


def test_the_passport_workbook_holds_a_description_with_a_control_character(client_for, chain):
    from urbanmine.lots.services import lot_identify

    lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=10,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.owner,
        description="Rode\x07 stenen",
    )
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx")
    assert r.status_code == 200


def test_the_top10_csv_neutralises_formulas(client, db):
    import csv
    import io

    from urbanmine.catalogue.models import ProductGroup

    group = ProductGroup.objects.get(code="bricks-clay")
    group.name_nl = '=HYPERLINK("http://evil.example")'
    group.save()
    r = client.get("/impact/top10/", {"scope": "bu", "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    names = [row[2] for row in rows[1:]]
    assert not any(name.startswith("=") for name in names)
