"""Assets, lots, hubs, demand requests and reference data: shapes, filters, pagination."""

from decimal import Decimal

from urbanmine.assets.models import Asset
from urbanmine.lots.services import lot_identify
from urbanmine.market.models import DemandRequest


def test_create_asset_for_own_organisation(client_for, chain):
    c = client_for(chain.owner_user)
    r = c.post(
        "/api/v1/assets",
        {
            "name": "School Leiden",
            "scope": "bu",
            "use_type": "education",
            "lat": 52.16,
            "lon": 4.49,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["owner"]["id"] == chain.owner.pk and body["municipality"] == "GM0546"
    assert c.get(f"/api/v1/assets/{body['id']}").status_code == 200


def test_create_asset_errors_name_the_field(client_for, chain):
    c = client_for(chain.owner_user)
    n = Asset.objects.count()
    base = {"name": "X", "scope": "bu", "use_type": "education"}
    cases = [
        ({**base, "lat": 48.85, "lon": 2.35}, "lat"),  # Paris: outside the Netherlands
        (
            {**base, "use_type": "road", "lat": 52.16, "lon": 4.49},
            "use_type",
        ),  # B&U needs a building
        ({**base}, "lat"),  # no location
        ({**base, "rd_x": 1, "rd_y": 2}, "rd_x"),
        ({**base, "lat": 52.16, "lon": 4.49, "construction_year": 2150}, "construction_year"),
    ]
    for data, field in cases:
        r = c.post("/api/v1/assets", data, format="json")
        assert r.status_code == 400, (data, r.content)
        assert field in [p["name"] for p in r.json()["invalid_params"]], r.json()
    r = c.post(
        "/api/v1/assets",
        {**base, "lat": 52.16, "lon": 4.49, "owner": chain.buyer.pk},
        format="json",
    )
    assert r.status_code == 403
    assert Asset.objects.count() == n


def test_pagination_limit_offset(client_for, chain):
    for i in range(7):
        lot_identify(
            asset=chain.building,
            product_group=chain.steel,
            quantity=i + 1,
            unit="piece",
            mass_kg_per_unit="100",
            quality="A",
            organisation=chain.owner,
        )
    c = client_for(chain.owner_user)
    r = c.get("/api/v1/lots?limit=3")
    body = r.json()
    assert body["count"] == 7 and len(body["results"]) == 3
    assert "offset=3" in body["next"] and body["previous"] is None
    page3 = c.get("/api/v1/lots?limit=3&offset=6").json()
    assert len(page3["results"]) == 1 and page3["next"] is None
    codes = {x["code"] for x in body["results"]} | {x["code"] for x in page3["results"]}
    codes |= {x["code"] for x in c.get("/api/v1/lots?limit=3&offset=3").json()["results"]}
    assert len(codes) == 7
    r = c.get(f"/api/v1/assets/{chain.building.pk}/passport?limit=2")
    assert r.json()["count"] == 7 and len(r.json()["results"]) == 2
    # the default page size is 50; limit is capped
    assert len(c.get("/api/v1/product-groups").json()["results"]) == 50
    assert len(c.get("/api/v1/product-groups?limit=10000").json()["results"]) == 51


def test_lot_filters(client_for, chain, identified_lot, harvested_lot):
    lot_identify(
        asset=chain.project,
        product_group=chain.steel,
        quantity=5,
        unit="piece",
        mass_kg_per_unit="250",
        quality="A",
        organisation=chain.buyer,
    )
    c = client_for(chain.matchmaker_user)

    def codes(q):
        r = c.get(f"/api/v1/lots?{q}")
        assert r.status_code == 200, r.content
        return [x["product_group"] for x in r.json()["results"]]

    assert sorted(codes("")) == ["bricks-clay", "steel-beams"]
    assert codes("product_group=steel-beams") == ["steel-beams"]
    assert codes("status=harvested") == ["bricks-clay"]
    assert codes("quality=A") == ["steel-beams"]
    assert sorted(codes("quality=B")) == ["bricks-clay", "steel-beams"]
    assert codes("municipality=GM0503") == ["steel-beams"]  # Delft
    assert codes("municipality=GM0599") == ["bricks-clay"]  # Rotterdam (at the hub)
    assert codes(f"hub={chain.hub.pk}") == ["bricks-clay"]
    assert codes("published=true") == ["bricks-clay"]
    assert codes(f"asset={chain.project.pk}") == ["steel-beams"]
    # the buyer sees its own lot and the published one, not unpublished lots of others
    seen = client_for(chain.buyer_user).get("/api/v1/lots").json()["results"]
    assert sorted(x["product_group"] for x in seen) == ["bricks-clay", "steel-beams"]
    seen = client_for(chain.outsider_user).get("/api/v1/lots").json()["results"]
    assert [x["product_group"] for x in seen] == ["bricks-clay"]


def test_hubs_and_stock(client_for, chain, harvested_lot):
    c = client_for(chain.outsider_user)
    hubs = c.get("/api/v1/hubs").json()["results"]
    assert hubs[0]["held_kg"] == "21000.000" and hubs[0]["operator"]["name"] == "Hubbeheer Test"
    stock = c.get(f"/api/v1/hubs/{chain.hub.pk}/stock").json()
    assert stock["count"] == 1
    line = stock["results"][0]
    assert line["lot"]["code"] == harvested_lot.code and line["level"] == "ok"
    assert c.get("/api/v1/hubs/999999").status_code == 404


def test_create_demand_request_with_validation(client_for, chain):
    c = client_for(chain.buyer_user)
    good = {
        "project": chain.project.pk,
        "product_group": "bricks-clay",
        "quantity": "2500",
        "min_quality": "B",
        "window_start": "2027-03-01",
        "window_end": "2027-06-30",
    }
    r = c.post("/api/v1/demand-requests", good, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["organisation"] == chain.buyer.pk and body["unit"] == "piece"
    assert body["status"] == "open" and body["max_distance_km"] == 50
    for patch, field in [
        ({"window_end": "2027-01-01"}, "window_end"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-4"}, "quantity"),
        ({"quantity": "2.5"}, "quantity"),  # pieces are whole
        ({"product_group": "unobtainium"}, "product_group"),
        ({"min_quality": "Z"}, "min_quality"),
        ({"window_start": "not-a-date"}, "window_start"),
    ]:
        r = c.post("/api/v1/demand-requests", {**good, **patch}, format="json")
        assert r.status_code == 400, (patch, r.content)
        assert field in [p["name"] for p in r.json()["invalid_params"]], r.json()
    assert DemandRequest.objects.count() == 1
    listed = c.get("/api/v1/demand-requests?product_group=bricks-clay").json()
    assert listed["count"] == 1 and Decimal(listed["results"][0]["quantity"]) == 2500


def test_reference_data_is_public(anon):
    r = anon.get("/api/v1/product-groups?scope=gww&limit=100")
    assert r.status_code == 200
    assert all(g["scope"] in ("gww", "both") for g in r.json()["results"])
    assert anon.get("/api/v1/product-groups/steel-beams").json()["unit"]
    r = anon.get("/api/v1/municipalities?province=PV28&limit=100").json()
    assert r["count"] == 50
    assert anon.get("/api/v1/municipalities/GM0599").json()["name"] == "Rotterdam"
    assert anon.get("/api/v1/municipalities/GM9999").status_code == 404


def test_supply_filters_and_aggregates(anon, chain, harvested_lot):
    assert anon.get("/api/v1/supply?product_group=bricks-clay").json()["count"] == 1
    assert anon.get("/api/v1/supply?product_group=steel-beams").json()["count"] == 0
    assert anon.get("/api/v1/supply?quality=A").json()["count"] == 0
    assert anon.get("/api/v1/supply?municipality=GM0599").json()["count"] == 1
    r = anon.get("/api/v1/supply?available_by=garbage")
    assert r.status_code == 400
    assert r.json()["invalid_params"][0]["name"] == "available_by"
    item = anon.get("/api/v1/supply").json()["results"][0]
    assert "owner" not in item and item["municipality"] == "Rotterdam"
    agg = anon.get("/api/v1/supply/aggregates").json()
    assert agg["by_product_group"][0]["product_group"] == "bricks-clay"
    assert Decimal(agg["by_product_group"][0]["mass_kg"]) == 21000


def test_null_characters_in_filters_are_400_not_500(anon):
    # found by schemathesis on PostgreSQL, which cannot store NUL in text
    r = anon.get("/api/v1/municipalities?q=a%00b")
    assert r.status_code == 400
    assert r.json()["invalid_params"][0]["name"] == "q"
