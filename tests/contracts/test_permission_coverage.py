"""Every page and every API route is covered by a permission test: anonymous, another
organisation, and the organisation whose object it is.

`CASES` says, per route (and per method for the API), what each of the three may do and
see. `test_every_route_is_covered` enumerates the URL configuration and fails for a route
without a case, so a new page or endpoint cannot land without its permission test. Each
case then runs for each audience against the small chain of tests/conftest.py:

- reads: the status code, and for lists what must (own) and must not (others) be listed;
- writes: the status code, and nothing changed in the database for whoever is refused.

Django's admin (`/admin/`) is left out: it enforces `is_staff` and model permissions itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests.contracts.route_cases import (  # noqa: F401 (re-exported for readers)
    API_ANON,
    AUDIENCES,
    LOGIN,
    PUBLIC,
    PUBLIC_API,
    Case,
    _private,
    api,
    expect,
    page,
)
from tests.support.chain import harvest_into_hub, identify_bricks, proposal_for
from tests.support.tokens import api_client_for
from urbanmine.engine.forecast import USE_TYPES

BASE_CASES: list[Case] = [
    # ------------------------------------------------------------------ public pages
    page("home", lambda w: "/", PUBLIC),
    page("login", lambda w: "/accounts/login/", PUBLIC),
    page("logout", lambda w: "/accounts/logout/", expect((302,), (302,), (302,)), method="post"),
    page(
        "set_language",
        lambda w: "/i18n/setlang/",
        expect((302,), (302,), (302,)),
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
    ),
    page("supply-list", lambda w: "/supply/", PUBLIC, hidden=lambda w: w.private_lot.code),
    page("inventory-template", lambda w: "/inventory-template/", PUBLIC),
    page("municipalities-geojson", lambda w: "/regions/zuid-holland.geojson", PUBLIC),
    page("impact-compare", lambda w: "/impact/compare/", PUBLIC),
    page("impact-top10", lambda w: "/impact/top10/", PUBLIC),
    page("dashboard", lambda w: "/dashboard/", PUBLIC),
    page("scenario-list", lambda w: "/dashboard/scenarios/", PUBLIC),
    page("scenario-compare", lambda w: "/dashboard/scenarios/compare/", PUBLIC),
    page("forecast-status", lambda w: f"/dashboard/forecasts/{w.forecast.pk}/status/", PUBLIC),
    # ------------------------------------------------------------------ lots
    page(
        "lot-detail",
        lambda w: f"/lots/{_private(w)}/",
        expect((404,), (404,), (200,)),
        own="demolisher_user",
    ),
    page(
        "lot-record-step",
        lambda w: f"/lots/{_private(w)}/record/",
        expect(LOGIN, (404,), (302,)),
        own="demolisher_user",
        method="post",
        data=lambda w: {"step": "inventory", "occurred_on": date.today().isoformat()},
        writes=True,
    ),
    # ------------------------------------------------------------------ assets & passports
    page(
        "asset-list",
        lambda w: "/assets/",
        expect(LOGIN, (200,), (200,)),
        shown=lambda w: w.chain.building.name,
    ),
    page("asset-create", lambda w: "/assets/new/", expect(LOGIN, (200,), (200,))),
    page(
        "asset-passport", lambda w: f"/assets/{w.chain.building.pk}/", expect(LOGIN, (404,), (200,))
    ),
    page(
        "asset-add-lot",
        lambda w: f"/assets/{w.chain.building.pk}/lots/new/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "asset-import",
        lambda w: f"/assets/{w.chain.building.pk}/import/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "asset-plan-intervention",
        lambda w: f"/assets/{w.chain.building.pk}/interventions/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {
            "kind": "demolition",
            "planned_start": "2027-01-01",
            "planned_end": "2027-03-01",
        },
        writes=True,
    ),
    # ------------------------------------------------------------------ hubs
    page("hub-list", lambda w: "/hubs/", expect(LOGIN, (200,), (200,)), own="hub_operator_user"),
    page(
        "hub-detail",
        lambda w: f"/hubs/{w.chain.hub.pk}/",
        expect(LOGIN, (200,), (200,)),
        own="hub_operator_user",
        shown=lambda w: w.reserved_lot.code,  # another organisation's unpublished lot
    ),
    page(
        "hub-settings",
        lambda w: f"/hubs/{w.chain.hub.pk}/settings/",
        expect(LOGIN, (403,), (302,)),
        own="hub_operator_user",
        method="post",
        data=lambda w: {"capacity_t": "75", "capacity_m2": "900", "max_dwell_days": "200"},
        writes=True,
    ),
    page(
        "hub-merge-lots",
        lambda w: f"/hubs/{w.chain.hub.pk}/merge/",
        expect(LOGIN, (403,), (302,)),
        own="hub_operator_user",
        method="post",
        data=lambda w: {"lot": [str(w.published_lot.pk), str(w.twin_lot.pk)]},
        writes=True,
    ),
    # ------------------------------------------------------------------ market
    page(
        "matching",
        lambda w: "/matching/",
        expect(LOGIN, (200,), (200,)),
        own="buyer_user",
        shown=lambda w: f"/demand/{w.demand.pk}/",
    ),
    page(
        "matching",
        lambda w: "/matching/",
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        data=lambda w: {"solver": "greedy"},
        writes=True,
    ),
    page(
        "matching-run-status",
        lambda w: f"/matching/runs/{w.run.pk}/status/",
        expect(LOGIN, (200,), (200,)),
        own="matchmaker_user",
    ),
    page(
        "demand-detail",
        lambda w: f"/demand/{w.demand.pk}/",
        expect(LOGIN, (404,), (200,)),
        own="buyer_user",
    ),
    page(
        "proposal-accept",
        lambda w: f"/proposals/{w.proposal.pk}/accept/",
        expect(LOGIN, (404,), (302,)),
        own="buyer_user",
        method="post",
        writes=True,
    ),
    # ------------------------------------------------------------------ insight
    page(
        "scenario-create",
        lambda w: "/dashboard/scenarios/new/",
        expect(LOGIN, (403,), (200,)),
        own="matchmaker_user",
    ),
    page(
        "scenario-edit",
        lambda w: f"/dashboard/scenarios/{w.scenario.pk}/",
        expect(LOGIN, (403,), (200,)),
        own="matchmaker_user",
    ),
    page(
        "scenario-edit",
        lambda w: f"/dashboard/scenarios/{w.scenario.pk}/",
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        data=lambda w: {
            "name": "Langere levensduur",
            "start_year": 2025,
            "end_year": 2040,
            "reuse_share_pct": 40,
            **{f"programme_{u}": 1000 for u in USE_TYPES},
        },
        writes=True,
    ),
    page(
        "forecast-run",
        lambda w: f"/dashboard/scenarios/{w.scenario.pk}/run/",
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        writes=True,
    ),
    # ------------------------------------------------------------------ API: public
    api("api-schema", "get", lambda w: "/api/schema/", PUBLIC_API),
    api("api-openapi-json", "get", lambda w: "/api/v1/openapi.json", PUBLIC_API),
    api("api-docs", "get", lambda w: "/api/docs/", PUBLIC_API),
    api("api-product-group-list", "get", lambda w: "/api/v1/product-groups", PUBLIC_API),
    api(
        "api-product-group-detail",
        "get",
        lambda w: "/api/v1/product-groups/bricks-clay",
        PUBLIC_API,
    ),
    api("api-municipality-list", "get", lambda w: "/api/v1/municipalities", PUBLIC_API),
    api("api-municipality-detail", "get", lambda w: "/api/v1/municipalities/GM0599", PUBLIC_API),
    api(
        "api-supply-list",
        "get",
        lambda w: "/api/v1/supply",
        PUBLIC_API,
        hidden=lambda w: w.private_lot.code,
    ),
    api(
        "api-supply-detail",
        "get",
        lambda w: f"/api/v1/supply/{_private(w)}",
        expect((404,), (404,), (404,)),
    ),
    api("api-supply-aggregates", "get", lambda w: "/api/v1/supply/aggregates", PUBLIC_API),
    api("api-supply-csv", "get", lambda w: "/api/v1/exports/supply.csv", PUBLIC_API),
    api("api-supply-geojson", "get", lambda w: "/api/v1/exports/supply.geojson", PUBLIC_API),
    # the exports' first paths: deprecated aliases until the sunset (ADR 0006)
    api("api-supply-csv-deprecated", "get", lambda w: "/api/v1/supply.csv", PUBLIC_API),
    api("api-supply-geojson-deprecated", "get", lambda w: "/api/v1/supply.geojson", PUBLIC_API),
    api(
        "api-impact-compare",
        "post",
        lambda w: "/api/v1/impact/compare",
        PUBLIC_API,
        data=lambda w: {"product_group": "steel-beams", "quantity": 10, "distance_km": 20},
        json=True,
    ),
    api("api-impact-top10", "get", lambda w: "/api/v1/impact/top10", PUBLIC_API),
    # ------------------------------------------------------------------ API: assets
    api(
        "api-asset-list",
        "get",
        lambda w: "/api/v1/assets",
        expect(API_ANON, (200,), (200,)),
        shown=lambda w: w.chain.building.name,
    ),
    api(
        "api-asset-list",
        "post",
        lambda w: "/api/v1/assets",
        expect(API_ANON, (403,), (201,)),
        data=lambda w: {
            "owner": w.chain.owner.pk,
            "name": "Schuur Leiden",
            "scope": "bu",
            "use_type": "other",
            "lat": 52.16,
            "lon": 4.49,
        },
        json=True,
        writes=True,
    ),
    api(
        "api-asset-detail",
        "get",
        lambda w: f"/api/v1/assets/{w.chain.building.pk}",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-asset-passport-lots",
        "get",
        lambda w: f"/api/v1/assets/{w.chain.building.pk}/passport",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-asset-passport-xlsx",
        "get",
        lambda w: f"/api/v1/assets/{w.chain.building.pk}/passport.xlsx",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-asset-passport-json",
        "get",
        lambda w: f"/api/v1/assets/{w.chain.building.pk}/passport.json",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-asset-passport-inventory",
        "post",
        lambda w: f"/api/v1/assets/{w.chain.building.pk}/inventory",
        expect(API_ANON, (404,), (400,)),  # the owner gets as far as "attach a file"
        writes=True,
    ),
    # ------------------------------------------------------------------ API: lots
    api(
        "api-lot-list",
        "get",
        lambda w: "/api/v1/lots",
        expect(API_ANON, (200,), (200,)),
        own="demolisher_user",
        shown=lambda w: w.private_lot.code,
    ),
    api(
        "api-lot-detail",
        "get",
        lambda w: f"/api/v1/lots/{_private(w)}",
        expect(API_ANON, (404,), (200,)),
        own="demolisher_user",
    ),
    api(
        "api-lot-events",
        "get",
        lambda w: f"/api/v1/lots/{_private(w)}/events",
        expect(API_ANON, (404,), (200,)),
        own="demolisher_user",
    ),
    api(
        "api-lot-events",
        "post",
        lambda w: f"/api/v1/lots/{_private(w)}/events",
        expect(API_ANON, (404,), (201,)),
        own="demolisher_user",
        data=lambda w: {"step": "inventory"},
        json=True,
        writes=True,
    ),
    # ------------------------------------------------------------------ API: hubs
    api(
        "api-hub-list",
        "get",
        lambda w: "/api/v1/hubs",
        expect(API_ANON, (200,), (200,)),
        own="hub_operator_user",
    ),
    api(
        "api-hub-detail",
        "get",
        lambda w: f"/api/v1/hubs/{w.chain.hub.pk}",
        expect(API_ANON, (200,), (200,)),
        own="hub_operator_user",
    ),
    api(
        "api-hub-detail",
        "patch",
        lambda w: f"/api/v1/hubs/{w.chain.hub.pk}",
        expect(API_ANON, (403,), (200,)),
        own="hub_operator_user",
        data=lambda w: {"max_dwell_days": 120},
        json=True,
        writes=True,
    ),
    api(
        "api-hub-stock",
        "get",
        lambda w: f"/api/v1/hubs/{w.chain.hub.pk}/stock",
        expect(API_ANON, (200,), (200,)),
        own="hub_operator_user",
        shown=lambda w: w.reserved_lot.code,
    ),
    api(
        "api-hub-stock-csv",
        "get",
        lambda w: f"/api/v1/hubs/{w.chain.hub.pk}/stock.csv",
        expect(API_ANON, (200,), (200,)),
        own="hub_operator_user",
        shown=lambda w: w.reserved_lot.code,
    ),
    # ------------------------------------------------------------------ API: market
    api(
        "api-demand-request-list",
        "get",
        lambda w: "/api/v1/demand-requests",
        expect(API_ANON, (200,), (200,)),
        own="buyer_user",
        shown=lambda w: f'"id":{w.demand.pk},',
    ),
    api(
        "api-demand-request-list",
        "post",
        lambda w: "/api/v1/demand-requests",
        expect(API_ANON, (400,), (201,)),  # the outsider may not ask for the buyer's project
        own="buyer_user",
        data=lambda w: {
            "project": w.chain.project.pk,
            "product_group": "bricks-clay",
            "quantity": "100",
            "window_start": "2027-01-01",
            "window_end": "2027-03-01",
        },
        json=True,
        writes=True,
    ),
    api(
        "api-demand-request-detail",
        "get",
        lambda w: f"/api/v1/demand-requests/{w.demand.pk}",
        expect(API_ANON, (404,), (200,)),
        own="buyer_user",
    ),
    api(
        "api-proposal-list",
        "get",
        lambda w: "/api/v1/proposals",
        expect(API_ANON, (200,), (200,)),
        own="buyer_user",
        shown=lambda w: f'"id":{w.proposal.pk},',
    ),
    api(
        "api-proposal-detail",
        "get",
        lambda w: f"/api/v1/proposals/{w.proposal.pk}",
        expect(API_ANON, (404,), (200,)),
        own="buyer_user",
    ),
]


def _collected_cases() -> list[Case]:
    """The main table plus every `tests/contracts/route_cases/<topic>.py`'s CASES."""
    import importlib
    import pkgutil

    from tests.contracts import route_cases

    out = list(BASE_CASES)
    for info in sorted(pkgutil.iter_modules(route_cases.__path__), key=lambda i: i.name):
        out.extend(importlib.import_module(f"{route_cases.__name__}.{info.name}").CASES)
    return out


CASES = _collected_cases()


# ------------------------------------------------------------------------------ the routes
def routes() -> set[str]:
    """Every named route: page names, and "name METHOD" for each method an API route
    answers (DRF viewset actions and API views)."""
    out: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route.startswith("admin/"):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and p.name:
                if not (prefix + str(p.pattern)).startswith("api/"):
                    out.add(p.name)
                    continue
                for method in _methods(p.callback):
                    out.add(f"{p.name} {method.upper()}")

    walk(get_resolver().url_patterns, "")
    return out


def _methods(callback) -> list[str]:
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    allowed = set(getattr(view, "http_method_names", ["get"])) - {"head", "options"}
    actions = getattr(callback, "actions", None)
    if actions:
        return [m for m in actions if m in allowed]
    return [
        m for m in ("get", "post", "put", "patch", "delete") if m in allowed and hasattr(view, m)
    ]


def test_every_route_is_covered():
    covered = {c.key for c in CASES}
    missing = sorted(routes() - covered)
    assert not missing, f"routes without a permission case: {missing}"
    stale = sorted(covered - routes())
    assert not stale, f"cases for routes that do not exist: {stale}"


# ------------------------------------------------------------------------------ the world
@dataclass
class World:
    chain: Any
    private_lot: Any = None  # identified: owner's, held by the demolisher, unpublished
    published_lot: Any = None  # harvested into the hub: offered
    twin_lot: Any = None  # a like lot at the same hub (for a merge)
    reserved_lot: Any = None  # the owner's, at the hub, reserved: not offered
    demand: Any = None
    run: Any = None
    proposal: Any = None
    scenario: Any = None
    forecast: Any = None
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world(chain, settings) -> World:
    from urbanmine.insight import services as insight
    from urbanmine.insight.models import ForecastResult
    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.services import lot_record_step
    from urbanmine.market.models import DemandRequest

    settings.URBANMINE_JOBS_INLINE = True
    w = World(chain=chain)
    w.private_lot = identify_bricks(chain, 1000)
    harvested = []
    for q in (2000, 500, 300):
        harvested.append(harvest_into_hub(chain, identify_bricks(chain, q)))
    w.published_lot, w.twin_lot, w.reserved_lot = harvested
    lot_record_step(lot_id=w.reserved_lot.id, step=Step.CONNECTION, actor=chain.owner_user)
    w.demand = DemandRequest.objects.create(
        project=chain.project,
        organisation=chain.buyer,
        product_group=chain.bricks,
        quantity=Decimal(400),
        unit="piece",
        min_quality="B",
        window_start=date(2027, 1, 1),
        window_end=date(2027, 6, 1),
    )
    w.proposal = proposal_for(w.demand, w.published_lot)
    w.run = w.proposal.run
    w.scenario = insight.reference_scenario_ensure()
    w.forecast = ForecastResult.objects.create(scenario=w.scenario, status="running", progress=40)
    return w


def snapshot() -> dict[str, Any]:
    """What a refused request must leave as it was."""
    from urbanmine.assets.models import Asset, PlannedIntervention
    from urbanmine.hubs.models import Hub
    from urbanmine.insight.models import ForecastResult, Scenario
    from urbanmine.lots.models import LifecycleEvent, Lot
    from urbanmine.market.models import DemandRequest, MatchRun, Proposal
    from urbanmine.network import models as network
    from urbanmine.webhooks.models import Subscription

    return {
        "network": (
            sorted(network.DirectoryEntry.objects.values_list("id", "status", "description")),
            network.Certification.objects.count(),
            network.Covenant.objects.count(),
            sorted(network.Commitment.objects.values_list("id", "value")),
            sorted(network.RegionalTarget.objects.values_list("id", "value")),
            network.FigureImport.objects.count(),
        ),
        "webhooks": sorted(
            Subscription.objects.values_list("id", "url", "description", "is_active", "secret")
        ),
        "assets": Asset.objects.count(),
        "interventions": PlannedIntervention.objects.count(),
        "lots": sorted(
            Lot.objects.values_list("code", "status", "quantity", "owner_id", "custodian_id")
        ),
        "events": LifecycleEvent.objects.count(),
        "hubs": sorted(
            Hub.objects.values_list("id", "capacity_t", "max_dwell_days", "open_to_deliveries")
        ),
        "demand": DemandRequest.objects.count(),
        "runs": MatchRun.objects.count(),
        "proposals": sorted(Proposal.objects.values_list("id", "status")),
        "scenarios": sorted(Scenario.objects.values_list("id", "name", "params")),
        "forecasts": ForecastResult.objects.count(),
        "knowledge": _knowledge_snapshot(),
    }


def _knowledge_snapshot() -> list:
    """Items (status, title), sign-ups, attachments, step plans, barriers (status) and their
    comments, example projects (public) — issue #18."""
    from urbanmine.knowledge.models import (
        Attachment,
        Barrier,
        BarrierComment,
        EventSignup,
        ExampleProject,
        KnowledgeItem,
        StepPlan,
    )

    return [
        sorted(KnowledgeItem.objects.values_list("id", "status", "title")),
        EventSignup.objects.count(),
        Attachment.objects.count(),
        sorted(StepPlan.objects.values_list("id", "market", "is_published")),
        sorted(Barrier.objects.values_list("id", "status", "title")),
        BarrierComment.objects.count(),
        sorted(ExampleProject.objects.values_list("id", "is_public")),
    ]


def _client(case: Case, world: World, audience: str):
    user = None
    if audience == "outsider":
        user = world.chain.outsider_user
    elif audience == "own":
        user = getattr(world.chain, case.own)
    if case.api:
        return api_client_for(user) if user is not None else APIClient()
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _send(case: Case, world: World, audience: str):
    client = _client(case, world, audience)
    kwargs: dict[str, Any] = {}
    data = case.data(world)
    if case.json:
        kwargs["format"] = "json"
    return getattr(client, case.method)(case.url(world), data, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize(
    "case",
    CASES,
    ids=lambda c: c.key if c.method == "get" or c.api else f"{c.key} {c.method.upper()}",
)
def test_route_permission(case: Case, audience: str, world: World):
    case.url(world)  # first: a URL may name an object its builder makes (route_cases/webhooks)
    before = snapshot() if case.writes else None
    response = _send(case, world, audience)
    assert response.status_code in case.expect[audience], (
        f"{audience} {case.method.upper()} {case.url(world)}: {response.status_code} "
        f"(expected {case.expect[audience]})"
    )
    if case.url(world).startswith("/api/v1/"):  # every answer, errors too (ADR 0006)
        assert response["API-Version"] == settings.SPECTACULAR_SETTINGS["VERSION"]
    refused = audience != "own" and response.status_code in (302, 400, 401, 403, 404)
    if case.writes and refused:
        assert snapshot() == before, f"{audience} was refused but something changed"
    if response.status_code != 200 or not (case.shown or case.hidden):
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8-sig")
    if case.hidden is not None:
        assert case.hidden(world) not in text, f"{audience} sees {case.hidden(world)!r}"
    if case.shown is not None:
        seen = case.shown(world) in text
        assert seen == (audience == "own"), f"{audience} sees {case.shown(world)!r}: {seen}"
