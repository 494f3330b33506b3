"""The catalogue's processing time and minimum batch (issue #18) in the Top 10 and in the
reuse-or-new tool."""

import pytest

from urbanmine.catalogue.models import ProductGroup

pytestmark = pytest.mark.django_db

BASE = {
    "product_group": "steel-beams",
    "quality": "B",
    "distance_km": 30,
    "storage_days": 0,
    "steps": ["dismantling", "cleaning"],
}


def test_the_tool_warns_below_the_minimum_batch(client):
    steel = ProductGroup.objects.get(code="steel-beams")
    assert steel.min_batch == 500 and steel.typical_processing_days == 50  # catalogue.csv
    small = client.get("/impact/compare/", {**BASE, "quantity": 100}).content.decode()
    assert "Typische verwerkingstijd: 50 dagen" in small
    assert "onder de minimale partij voor een businesscase (500 m)" in small
    large = client.get("/impact/compare/", {**BASE, "quantity": 800}).content.decode()
    assert "Typische verwerkingstijd: 50 dagen" in large
    assert "minimale partij" not in large


def test_the_top10_shows_processing_time_and_batch(client):
    steel = ProductGroup.objects.get(code="steel-beams")
    steel.typical_processing_days, steel.min_batch = 42, 250
    steel.save()
    body = client.get("/impact/top10/", {"scope": "bu"}).content.decode()
    row = body.split('data-code="steel-beams"')[1].split("</tr>")[0]
    assert '<td class="num">42</td>' in row and "250 m" in row
