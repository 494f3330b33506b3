"""The tender tool's pages (issue #17): bounded queries on the lists, the gap between an
ambition and the realistic potential, commitments on the project page and the province
dashboard panel, errors next to their field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.regions.models import Municipality
from urbanmine.tenders import services

pytestmark = pytest.mark.django_db


def _area(chain, name="Gebied", harvest=30):
    return services.ambition_create(
        actor=chain.matchmaker_user,
        name=name,
        level="area",
        phase="demolition",
        year=2027,
        municipalities=[Municipality.objects.get(code="GM0599")],
        harvest_pct=harvest,
    )


def _tender(chain, area, title="Uitvraag"):
    return services.tender_create(
        actor=chain.owner_user,
        asset=chain.building,
        title=title,
        phase="demolition",
        ambition=area,
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("n", [2, 20])
def test_list_pages_have_bounded_queries(client, chain, n):
    identify_bricks(chain)
    for i in range(n):
        area = _area(chain, f"Gebied {i}")
        _tender(chain, area, f"Uitvraag {i}")
        services.clause_create(
            actor=chain.matchmaker_user,
            code=f"c{i}",
            title=f"Clausule {i}",
            kind="requirement",
            text="Tekst",
            source="Verkenning",
            product_groups=[chain.bricks, chain.steel],
        )
    client.force_login(chain.owner_user)
    counts = {url: _count(client, url) for url in ("/tenders/", "/tenders/clauses/")}
    assert counts["/tenders/"] <= 9, counts
    assert counts["/tenders/clauses/"] <= 8, counts


def test_ambition_page_shows_the_realistic_potential_and_the_gap(client, chain):
    identify_bricks(chain)  # bricks: 21 t, detachability 3 → 40 %, asbestos (1968) −5 %
    area = _area(chain, harvest=50)
    project = services.ambition_create(
        actor=chain.owner_user,
        name="Flat",
        level="project",
        phase="demolition",
        year=2027,
        asset=chain.building,
        parent=area,
        harvest_pct=50,
    )
    client.force_login(chain.owner_user)
    html = client.get(f"/tenders/ambitions/{project.pk}/").content.decode()
    assert "38,0%" in html  # 0,4 × 0,95
    assert "12,0 procentpunt boven" in html  # 50 − 38


def test_errors_show_next_to_their_field_in_dutch(client, chain):
    identify_bricks(chain)
    tender = _tender(chain, _area(chain))
    client.force_login(chain.owner_user)
    response = client.post(
        f"/tenders/{tender.pk}/",
        {"action": "bid", "bidder": "X", "price_eur": "1000", "harvest_pct": "150"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "tussen 0 en 100" in html and tender.bids.count() == 0


def test_commitments_on_the_project_page_and_the_dashboard_panel(client, chain):
    lot = identify_bricks(chain)
    area = _area(chain, "Rotterdam circulair")
    tender = _tender(chain, area)
    bid = services.bid_create(
        actor=chain.owner_user, tender=tender, bidder="Sloper Oogst", price_eur=1, harvest_pct=60
    )
    services.tender_award(actor=chain.owner_user, tender=tender, bid=bid)
    harvest_into_hub(chain, lot)
    client.force_login(chain.owner_user)
    html = client.get(f"/assets/{chain.building.pk}/").content.decode()
    assert 'id="tender-commitments"' in html and "Sloper Oogst" in html
    assert "100,0%" in html  # the one lot is harvested
    client.logout()
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/dashboard/").content.decode()
    panel = html[html.index('id="tender-panel"') :]
    assert "Rotterdam circulair" in panel and "60,0%" in panel and "100,0%" in panel
    panel_queries = [
        q
        for q in ctx.captured_queries
        if "tenders_" in q["sql"] or "lots_lifecycleevent" in q["sql"]
    ]
    assert len(panel_queries) <= 6
    # another organisation does not see the tender on the project page (no access anyway)
    client.force_login(chain.outsider_user)
    assert client.get(f"/tenders/{tender.pk}/").status_code == 404
