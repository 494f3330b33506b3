"""The tender tool's API (issue #17): the same rules as the web, refusals naming the field."""

import pytest

pytestmark = pytest.mark.django_db


def test_ambitions_over_the_api_only_tighten(chain, client_for):
    province = client_for(chain.matchmaker_user)
    area = province.post(
        "/api/v1/ambitions",
        {
            "name": "Rotterdam",
            "level": "area",
            "phase": "demolition",
            "year": 2027,
            "municipalities": ["GM0599"],
            "harvest_pct": 30,
            "group_targets": {"bricks-clay": 50},
        },
        format="json",
    )
    assert area.status_code == 201, area.content
    assert area.json()["municipalities"] == ["GM0599"]
    owner = client_for(chain.owner_user)
    loose = owner.post(
        "/api/v1/ambitions",
        {
            "name": "Flat",
            "level": "project",
            "phase": "demolition",
            "year": 2027,
            "asset": chain.building.pk,
            "harvest_pct": 20,
            "group_targets": {"bricks-clay": 60},
        },
        format="json",
    )
    assert loose.status_code == 400
    names = {p["name"] for p in loose.json()["invalid_params"]}
    assert names == {"harvest_pct"}
    ok = owner.post(
        "/api/v1/ambitions",
        {
            "name": "Flat",
            "level": "project",
            "phase": "demolition",
            "year": 2027,
            "asset": chain.building.pk,
            "harvest_pct": 40,
            "group_targets": {"bricks-clay": 60},
        },
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["parent"] == area.json()["id"]
    # the outsider reads the area ambition, not the project's
    seen = {
        a["name"]
        for a in client_for(chain.outsider_user).get("/api/v1/ambitions").json()["results"]
    }
    assert seen == {"Rotterdam"}
    refused = client_for(chain.outsider_user).post(
        "/api/v1/ambitions",
        {
            "name": "x",
            "level": "area",
            "phase": "demolition",
            "year": 2027,
            "municipalities": ["GM0599"],
        },
        format="json",
    )
    assert refused.status_code == 403


def test_tender_detail_carries_the_ranking(chain, client_for):
    from tests.support.chain import identify_bricks
    from urbanmine.tenders import services

    identify_bricks(chain)
    tender = services.tender_create(
        actor=chain.owner_user, asset=chain.building, title="T", phase="demolition"
    )
    services.tender_set_criteria(actor=chain.owner_user, tender=tender, discount_eur_per_t=200)
    for bidder, price, pct in [("A", 50_000, 40), ("B", 51_500, 80)]:
        services.bid_create(
            actor=chain.owner_user, tender=tender, bidder=bidder, price_eur=price, harvest_pct=pct
        )
    body = client_for(chain.owner_user).get(f"/api/v1/tenders/{tender.pk}").json()
    assert body["ranking"]["break_even_eur_per_t"] == pytest.approx(1500 / 8.4)
    ranked = [r["bid"] for r in body["ranking"]["rows"]]
    by_name = {b["bidder"]: b["id"] for b in body["bids"]}
    assert ranked == [by_name["B"], by_name["A"]]
    assert client_for(chain.outsider_user).get(f"/api/v1/tenders/{tender.pk}").status_code == 404
