"""The shared cache of public content (core/cache.py): the supply list, its API and the
aggregates are served from the cache to anonymous visitors, show a write at once (the
signal receivers bump the public version) and never mix in what a signed-in user sees."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support.chain import harvest_into_hub
from urbanmine.core.cache import public_version
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_record_step


@pytest.fixture(autouse=True)
def memory_cache(settings):
    """The public cache lives in a memory cache (Redis in production; Django's local
    memory cache here, one process); the database cache holds no public content."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "public-cache-tests",
        }
    }
    from django.core.cache import caches

    memory = caches["default"]
    memory.clear()
    yield
    memory.clear()


def _signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_a_cached_supply_page_shows_a_lot_right_after_the_step_that_publishes_it(
    chain, identified_lot
):
    anon = Client()
    for url in ("/supply/", "/api/v1/supply"):
        assert identified_lot.code not in anon.get(url).content.decode()  # cached now
        assert identified_lot.code not in anon.get(url).content.decode()  # from the cache
    before = public_version()

    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.owner_user)

    assert public_version() > before
    assert identified_lot.code in anon.get("/supply/").content.decode()
    assert identified_lot.code in anon.get("/api/v1/supply").content.decode()
    groups = anon.get("/api/v1/supply/aggregates").json()["by_product_group"]
    assert [g["product_group"] for g in groups] == ["bricks-clay"]


@pytest.mark.django_db
def test_filters_pages_and_language_are_part_of_the_key(chain, harvested_lot):
    anon = Client()
    assert harvested_lot.code in anon.get("/supply/").content.decode()
    other = anon.get("/supply/?product_group=steel-beams").content.decode()
    assert harvested_lot.code not in other
    assert harvested_lot.code in anon.get("/supply/").content.decode()
    anon.cookies["django_language"] = "en"
    english = anon.get("/supply/").content.decode()
    assert "Available supply" in english and harvested_lot.code in english


@pytest.mark.django_db
def test_a_cached_supply_page_costs_no_query(chain, harvested_lot, django_assert_max_num_queries):
    anon = Client()
    anon.get("/supply/?quality=C")
    anon.get("/api/v1/supply?quality=C")
    with django_assert_max_num_queries(0):
        page = anon.get("/supply/?quality=C")
    assert harvested_lot.code in page.content.decode()
    assert page["Content-Security-Policy"]  # the page still passes the middleware
    with django_assert_max_num_queries(0):
        assert anon.get("/api/v1/supply?quality=C").json()["count"] == 1


@pytest.mark.django_db
def test_the_database_cache_holds_no_public_content(
    chain, harvested_lot, settings, django_assert_max_num_queries
):
    """Without Redis (the database cache) pages are computed as before: storing one would
    cost five queries and reading it one."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "urbanmine_cache",
        }
    }
    anon = Client()
    anon.get("/supply/")
    with CaptureQueriesContext(connection) as ctx:
        assert harvested_lot.code in anon.get("/supply/").content.decode()
    assert not [q for q in ctx.captured_queries if "urbanmine_cache" in q["sql"]]


@pytest.mark.django_db
def test_signed_in_users_never_get_or_leave_a_cached_body(chain, identified_lot):
    """The owner's pages carry their name and their unpublished lot; neither reaches the
    anonymous cache, and the owner is never served the anonymous body."""
    owner = _signed_in(chain.owner_user)
    mine = owner.get("/supply/").content.decode()
    assert f"<summary>{chain.owner_user.username}</summary>" in mine
    assert identified_lot.code in owner.get("/api/v1/lots").content.decode()
    owner.get("/api/v1/supply")

    anon = Client()
    for _ in range(2):  # filled, then from the cache
        page = anon.get("/supply/").content.decode()
        assert 'class="account-menu"' not in page
        assert "/accounts/login/" in page
        assert identified_lot.code not in page
        assert identified_lot.code not in anon.get("/api/v1/supply").content.decode()

    again = owner.get("/supply/").content.decode()
    assert f"<summary>{chain.owner_user.username}</summary>" in again
    assert identified_lot.code in owner.get("/api/v1/lots").content.decode()


@pytest.mark.django_db
def test_the_dashboards_hub_occupancy_follows_a_harvest(chain, identified_lot):
    from urbanmine.insight.selectors import hub_overview

    (line,) = hub_overview()
    assert line.held_t == 0
    harvest_into_hub(chain, identified_lot)
    (line,) = hub_overview()
    assert line.held_t == pytest.approx(21.0)  # 10,000 bricks of 2.1 kg


@pytest.mark.django_db
def test_catalogue_and_hub_changes_bump_the_version(chain):
    before = public_version()
    chain.hub.name = "Hub Rotterdam-West"
    chain.hub.save()
    assert public_version() > before
    before = public_version()
    chain.bricks.name_en = "Clay bricks (reclaimed)"
    chain.bricks.save()
    assert public_version() > before


@pytest.mark.django_db
def test_made_up_parameters_are_served_but_not_stored(chain, harvested_lot):
    anon = Client()
    for url in ("/supply/?utm=1", "/supply/?page=x", "/api/v1/supply?utm=1"):
        anon.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert harvested_lot.code in anon.get(url).content.decode()
        assert [q for q in ctx.captured_queries if "lots_lot" in q["sql"]], url


# ------------------------------------------------------------------- the owner's passport


def _kept_lot(chain):
    """A second lot of the building, the owner's own and held by the owner: not
    published, so the demolisher (custodian of the other lot) may not see it."""
    from urbanmine.lots.services import lot_identify

    return lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=4,
        unit="piece",
        mass_kg_per_unit="310",
        quality="A",
        organisation=chain.owner,
        actor=None,
        description="Stalen liggers, eigen beheer",
        custodian=chain.owner,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("owner_first", [True, False])
def test_a_cached_passport_body_is_never_served_to_a_viewer_with_other_rights(
    chain, identified_lot, owner_first
):
    kept = _kept_lot(chain)
    url = f"/assets/{chain.building.pk}/"
    viewers = [chain.owner_user, chain.demolisher_user, chain.matchmaker_user]
    if not owner_first:
        viewers.reverse()
    pages = {}
    for _round in range(2):  # the second round is served from the cache
        for user in viewers:
            r = _signed_in(user).get(url)
            assert r.status_code == 200
            pages[user.username] = r.content.decode()
    owner, demolisher, matchmaker = (pages[k] for k in ("owner", "demolisher", "matchmaker"))
    # the owner and the platform-wide matchmaker see the whole passport ...
    assert identified_lot.code in owner and kept.code in owner
    assert identified_lot.code in matchmaker and kept.code in matchmaker
    # ... the custodian of one lot only that lot (and its history)
    assert identified_lot.code in demolisher and kept.code not in demolisher
    assert "eigen beheer" not in demolisher
    # only the owner plans interventions, with a CSRF token of their own request
    assert f'action="/assets/{chain.building.pk}/interventions/"' in owner
    assert "/interventions/" not in demolisher and "/interventions/" not in matchmaker
    assert "placeholder" not in owner


@pytest.mark.django_db
def test_the_owners_cached_passport_posts_with_their_own_csrf_token(chain, identified_lot):
    import re

    client = Client(enforce_csrf_checks=True)
    client.force_login(chain.owner_user)
    client.cookies["django_language"] = "en"
    url = f"/assets/{chain.building.pk}/"
    client.get(url)  # fills the cache
    page = client.get(url).content.decode()  # from the cache
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert tokens and all("placeholder" not in t for t in tokens)
    r = client.post(
        f"/assets/{chain.building.pk}/interventions/",
        {
            "kind": "demolition",
            "planned_start": "2027-01-01",
            "planned_end": "2027-03-01",
            "csrfmiddlewaretoken": tokens[-1],
        },
    )
    assert r.status_code == 302
    assert chain.building.interventions.count() == 1
    # the planned intervention is on the next page (the write bumped the version)
    assert "2027" in client.get(url).content.decode().split("Planned interventions")[-1][:400]


@pytest.mark.django_db
def test_a_lifecycle_step_shows_on_the_cached_passport_at_once(chain, identified_lot):
    owner = _signed_in(chain.owner_user)
    owner.cookies["django_language"] = "en"
    url = f"/assets/{chain.building.pk}/"
    first = owner.get(url).content.decode()
    again = owner.get(url).content.decode()  # from the cache (the CSRF tokens differ)

    def body(page: str) -> str:  # the cached part: the lots up to the access section
        return page.split('id="passport-lots"')[1].split('id="access"')[0]

    assert body(again) == body(first)
    assert "Inventoried" not in first

    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.owner_user)

    page = owner.get(url).content.decode()
    assert "Inventoried" in page
    history = page.split(">History<")[-1]
    assert "Inventory" in history and identified_lot.code in history


@pytest.mark.django_db
def test_a_cached_passport_costs_only_the_frames_queries(
    chain, identified_lot, django_assert_max_num_queries
):
    owner = _signed_in(chain.owner_user)
    url = f"/assets/{chain.building.pk}/"
    owner.get(url)
    # + the owner's access section, notices, drafts, the tender commitments (issue #17)
    with django_assert_max_num_queries(10):
        assert identified_lot.code in owner.get(url).content.decode()


# ------------------------------------------------------------- the API's lots (with a key)


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def _codes(response) -> set[str]:
    return {lot["code"] for lot in response.json()["results"]}


@pytest.mark.django_db
@pytest.mark.parametrize("owner_first", [True, False])
def test_the_cached_api_lots_differ_for_callers_who_see_other_lots(
    chain, identified_lot, owner_first
):
    kept = _kept_lot(chain)
    harvested = harvest_into_hub(chain, identify_bricks_again(chain))
    callers = [chain.owner_user, chain.buyer_user, chain.matchmaker_user]
    if not owner_first:
        callers.reverse()
    lists, details = {}, {}
    for _round in range(2):  # the second round is served from the cache
        for user in callers:
            lists[user.username] = _codes(_api(user).get("/api/v1/lots"))
            details[user.username] = _api(user).get(f"/api/v1/lots/{kept.code}").status_code
    assert lists["owner"] == lists["matchmaker"] == {identified_lot.code, kept.code, harvested.code}
    assert lists["buyer"] == {harvested.code}  # published only
    assert details == {"owner": 200, "matchmaker": 200, "buyer": 404}


def identify_bricks_again(chain):
    from tests.support.chain import identify_bricks

    return identify_bricks(chain, quantity=500, description="Tweede partij")


@pytest.mark.django_db
def test_a_lifecycle_step_shows_in_the_cached_api_lots_at_once(chain, identified_lot):
    buyer, owner = _api(chain.buyer_user), _api(chain.owner_user)
    url = f"/api/v1/lots/{identified_lot.code}"
    assert identified_lot.code not in _codes(buyer.get("/api/v1/lots"))
    assert owner.get(url).json()["status"] == "identified"
    assert owner.get(url).json()["status"] == "identified"  # from the cache

    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.owner_user)

    assert owner.get(url).json()["status"] == "inventoried"
    assert identified_lot.code in _codes(buyer.get("/api/v1/lots"))  # published now


@pytest.mark.django_db
def test_the_cached_api_lots_keep_their_query_and_cost_only_the_callers_queries(
    chain, identified_lot, django_assert_max_num_queries
):
    harvested = harvest_into_hub(chain, identify_bricks_again(chain))
    owner = _api(chain.owner_user)
    everything = _codes(owner.get("/api/v1/lots"))
    assert _codes(owner.get("/api/v1/lots?published=true")) == {harvested.code}
    assert _codes(owner.get("/api/v1/lots")) == everything == {identified_lot.code, harvested.code}
    page = owner.get("/api/v1/lots?limit=1").json()
    assert page["count"] == 2 and "offset=1" in page["next"]
    with django_assert_max_num_queries(2):  # the caller's organisations and roles
        assert owner.get("/api/v1/lots?limit=1").json() == page
