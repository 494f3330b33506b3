"""Token authentication: no token → 401 (with WWW-Authenticate), a token acts for its
user's organisations; anonymous callers get only the public resources."""

import pytest

PROTECTED = [
    "/api/v1/assets",
    "/api/v1/assets/{asset}",
    "/api/v1/assets/{asset}/passport",
    "/api/v1/assets/{asset}/passport.json",
    "/api/v1/assets/{asset}/passport.xlsx",
    "/api/v1/lots",
    "/api/v1/lots/{lot}",
    "/api/v1/lots/{lot}/events",
    "/api/v1/hubs",
    "/api/v1/hubs/{hub}",
    "/api/v1/hubs/{hub}/stock",
    "/api/v1/hubs/{hub}/stock.csv",
    "/api/v1/demand-requests",
    "/api/v1/proposals",
]
PUBLIC = [
    "/api/v1/supply",
    "/api/v1/supply/aggregates",
    "/api/v1/supply.csv",
    "/api/v1/supply.geojson",
    "/api/v1/product-groups",
    "/api/v1/product-groups/bricks-clay",
    "/api/v1/municipalities",
    "/api/v1/municipalities/GM0599",
]


def _urls(urls, chain, lot):
    return [u.format(asset=chain.building.pk, lot=lot.code, hub=chain.hub.pk) for u in urls]


def test_no_token_is_401_with_www_authenticate(anon, chain, harvested_lot):
    for url in _urls(PROTECTED, chain, harvested_lot):
        r = anon.get(url)
        assert r.status_code == 401, url
        assert r["WWW-Authenticate"] == "Token", url
        assert r["Content-Type"] == "application/problem+json", url
        body = r.json()
        assert body["status"] == 401 and body["title"] and body["type"], url


def test_no_token_cannot_write(anon, chain, harvested_lot):
    from urbanmine.lots.models import LifecycleEvent

    before = LifecycleEvent.objects.count()
    r = anon.post(f"/api/v1/lots/{harvested_lot.code}/events", {"step": "sorting"}, format="json")
    assert r.status_code == 401
    r = anon.post("/api/v1/assets", {"name": "x"}, format="json")
    assert r.status_code == 401
    r = anon.patch(f"/api/v1/hubs/{chain.hub.pk}", {"capacity_t": "1"}, format="json")
    assert r.status_code == 401
    assert LifecycleEvent.objects.count() == before


def test_anonymous_reads_public_resources(anon, chain, harvested_lot):
    for url in _urls(PUBLIC, chain, harvested_lot):
        assert anon.get(url).status_code == 200, url
    assert anon.get(f"/api/v1/supply/{harvested_lot.code}").status_code == 200


def test_unpublished_lot_is_not_public_supply(anon, identified_lot):
    assert anon.get(f"/api/v1/supply/{identified_lot.code}").status_code == 404
    assert anon.get("/api/v1/supply").json()["count"] == 0


def test_bad_token_is_401(anon, chain):
    anon.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    r = anon.get("/api/v1/assets")
    assert r.status_code == 401
    assert r["Content-Type"] == "application/problem+json"


def test_token_acts_for_the_users_organisation(client_for, chain):
    r = client_for(chain.owner_user).get("/api/v1/assets")
    assert r.status_code == 200
    assert [a["name"] for a in r.json()["results"]] == ["Flat Rotterdam"]
    r = client_for(chain.buyer_user).get("/api/v1/assets")
    assert [a["name"] for a in r.json()["results"]] == ["Nieuwbouw Delft"]
    # platform-wide role (matchmaker) sees every passport
    r = client_for(chain.matchmaker_user).get("/api/v1/assets")
    assert {a["name"] for a in r.json()["results"]} == {"Flat Rotterdam", "Nieuwbouw Delft"}


@pytest.mark.parametrize("method", ["put", "delete"])
def test_unsupported_methods_are_405_problems(client_for, chain, method):
    r = getattr(client_for(chain.hub_operator_user), method)(f"/api/v1/hubs/{chain.hub.pk}")
    assert r.status_code == 405
    assert r["Content-Type"] == "application/problem+json"
