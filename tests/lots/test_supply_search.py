"""The supply list as people search (issue #13, item 7): text search, sorting on every
column, a map with every lot of the filtered result (one marker per place, linking the
lots), a reset link, and a CSV a Dutch Excel opens as columns."""

import csv
import io
import json
import re

import pytest

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.selectors import PLACE_LOTS_NAMED, SUPPLY_SORTS, published_supply
from urbanmine.lots.services import lot_identify, lot_record_step


@pytest.fixture
def supply(chain):
    """Bricks at the hub (2), bricks still in the building (1), steel in the building (1)."""
    at_hub = [harvest_into_hub(chain, identify_bricks(chain, q)) for q in (300, 5000)]
    in_building = identify_bricks(chain, 40, description="Gele klinkers")
    steel = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=12,
        unit="m",
        mass_kg_per_unit="40",
        quality="A",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    for lot in (in_building, steel):  # inventoried: offered while still in the building
        lot_record_step(lot_id=lot.id, step=Step.INVENTORY, actor=chain.demolisher_user)
    return {"hub": at_hub, "building": in_building, "steel": steel}


def _codes(html: str) -> list[str]:
    return re.findall(r'<td><a href="/lots/(L-[0-9A-F]+)/">', html)


def test_text_search_finds_code_description_and_dutch_group(client, chain, supply):
    page = client.get("/supply/", {"q": "klinkers"}).content.decode()
    assert _codes(page) == [supply["building"].code]
    page = client.get("/supply/", {"q": supply["steel"].code.lower()}).content.decode()
    assert _codes(page) == [supply["steel"].code]
    steel_nl = chain.steel.name_nl.split()[0]
    page = client.get("/supply/", {"q": steel_nl}).content.decode()
    assert supply["steel"].code in _codes(page)
    assert client.get("/supply/", {"q": "bestaat-niet"}).content.decode().count("<td><a") == 0


@pytest.mark.parametrize("key", sorted(SUPPLY_SORTS))
def test_every_column_sorts_both_ways(client, supply, key):
    up = _codes(client.get("/supply/", {"sort": key}).content.decode())
    down = _codes(client.get("/supply/", {"sort": f"-{key}"}).content.decode())
    assert sorted(up) == sorted(down) and len(up) == 4
    expected = [lot.code for lot in published_supply(sort=key)]
    assert up == expected


def test_mass_sorts_numerically_and_the_header_says_so(client, supply):
    html = client.get("/supply/", {"sort": "-mass"}).content.decode()
    assert _codes(html)[0] == supply["hub"][1].code  # 5,000 bricks x 2.1 kg
    assert 'aria-sort="descending"' in html and "sort=mass" in html  # click again: ascending
    assert 'id="reset-filters"' not in html  # a sort is not a filter


def test_an_unknown_sort_is_ignored_with_the_default_order(client, supply):
    r = client.get("/supply/", {"sort": "owner__name"})
    assert r.status_code == 200 and len(_codes(r.content.decode())) == 4


def test_the_map_has_every_lot_of_the_result_one_marker_per_place(client, chain, supply):
    html = client.get("/supply/", {"product_group": chain.bricks.code}).content.decode()
    points = json.loads(re.search(r'data-points="([^"]*)"', html).group(1).replace("&quot;", '"'))
    by_name = {p["name"]: p for p in points}
    assert by_name[chain.hub.name]["n"] == 2 and by_name[chain.building.name]["n"] == 1
    hub_codes = {c for c, _group in by_name[chain.hub.name]["lots"]}
    assert hub_codes == {lot.code for lot in supply["hub"]}
    assert 'data-lot-url="/lots/CODE/"' in html
    assert 'id="reset-filters"' in html


def test_a_place_names_its_first_lots_and_counts_all(chain, supply):
    from urbanmine.lots.selectors import supply_places

    for _ in range(PLACE_LOTS_NAMED):
        harvest_into_hub(chain, identify_bricks(chain, 10))
    (hub,) = [p for p in supply_places(published_supply()) if p["name"] == chain.hub.name]
    assert hub["n"] == PLACE_LOTS_NAMED + 2 and len(hub["lots"]) == PLACE_LOTS_NAMED


def test_dutch_users_get_a_semicolon_csv_with_dutch_headers(client, supply):
    client.cookies["django_language"] = "nl"
    r = client.get("/supply/", {"format": "csv", "sort": "code"})
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0])[:3] == ["Partij", "Productgroep (code)", "Omschrijving"]
    steel = next(r for r in rows if r["Partij"] == supply["steel"].code)
    assert steel["Massa totaal (kg)"] == "480" and steel["Massa per eenheid (kg)"] == "40"
    brick = next(r for r in rows if r["Partij"] == supply["building"].code)
    assert brick["Massa per eenheid (kg)"] == "2,1" and brick["Breedtegraad (WGS84)"].startswith(
        "51,"
    )
    # the API keeps the column codes, comma separated
    api = client.get("/api/v1/supply.csv").content.decode("utf-8-sig")
    assert api.startswith("lot_code,product_group,")


def test_a_search_is_not_stored_in_the_shared_cache(client, supply):
    from django.http import QueryDict

    from urbanmine.lots.views.lot import _cacheable_supply_query

    assert _cacheable_supply_query(QueryDict("sort=-mass&page=2"))
    assert not _cacheable_supply_query(QueryDict("q=klinkers"))
    assert not _cacheable_supply_query(QueryDict("sort=owner__name"))
