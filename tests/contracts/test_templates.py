"""The template contract: every page of the demo, for every role, renders without a missing
variable — in `{{ }}`, `{% if %}` and `{% for %}` (tests/support/strict_templates.py).

A crawler signs in as each demo account (and as an anonymous visitor), follows the links a
person can click from the home page, and also renders each form's error state. The pages
it reached must include every page of the URL configuration, so a new page that no link
reaches fails here too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from tests.support.strict_templates import strict_templates

#: URL names that are not HTML pages a person opens: POST actions, files, JSON, fragments
#: (their templates are rendered through the error requests below or the pages that use them).
NOT_PAGES = {
    "logout",
    "set_language",
    "lot-record-step",
    "lot-engage-certifier",
    "lot-correct",
    "lot-propose-transfer",
    "transfer-accept",
    "transfer-decline",
    "inventory-template",
    "inspection-certificate",  # PDF downloads (tests/lots/test_documents.py)
    "permit-document",
    "hub-settings",
    "hub-merge-lots",
    "hub-transform-lots",
    "asset-plan-intervention",
    "asset-grant",
    "asset-grant-revoke",
    "reservation-request-decide",
    "invitation-revoke",
    "membership-remove",
    "invitation-accept",  # opened from the invitation mail
    "wanted-create",
    "lot-asking-price",
    "account-request-decide",
    "place-lookup",  # JSON for the asset form's search box
    "wanted-stop",
    "my-organisation",  # a redirect to the user's organisation page
    "municipalities-geojson",
    "matching-run-status",
    "matching-run-cancel",
    "proposal-accept",
    "forecast-run",
    "forecast-cancel",
    "inventory-import-status",  # JSON polled by the import job page
    "inventory-import-cancel",
    "health-live",  # operations: JSON probes and the Prometheus text (docs/deploy.md)
    "health-ready",
    "metrics",
    "network-request-decide",  # POST-only (issue #18)
    "network-certification-remove",
    "tender-annex-docx",  # downloads (tests/tenders/test_views.py opens them)
    "tender-annex-pdf",
    # knowledge (issue #18): POST actions, downloads
    "knowledge-submit",
    "knowledge-review",
    "knowledge-attach",
    "knowledge-signup",
    "knowledge-attachment",
    "example-guide",
    "example-publish",
}
SKIP_PREFIXES = ("/admin", "/api/", "/static/", "/i18n/", "/accounts/logout")
LINK = re.compile(r'(?:href|hx-get)="([^"#]+)')
PER_NAME = 3  # distinct URLs per page name and role (one lot page of each kind is enough)


def page_names() -> set[str]:
    """Every named, non-API, non-admin URL of the project."""
    names: set[str] = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route.startswith(("api/", "admin/")):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns)
    return names - NOT_PAGES


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo at scale 1 with a matching run and the reference forecast, rolled back after
    the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo_world()
        transaction.set_rollback(True)


def build_demo_world() -> tuple[list[str], list[str]]:
    """Load the demo world; return the demo usernames and the crawl's seed URLs."""
    from django.conf import settings

    from urbanmine.assets.models import Asset
    from urbanmine.catalogue.loader import install_catalogue
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.demo.generator import DEMO_PASSWORD, demo_accounts, load_demo
    from urbanmine.engine.inventory.issues import issue
    from urbanmine.insight import services as insight
    from urbanmine.lots.models import InventoryImport
    from urbanmine.market.models import MatchRun
    from urbanmine.market.services import match_run_execute

    if not ProductGroup.objects.exists():  # a transactional test before this one flushed it
        install_catalogue(ProductGroup)
    load_demo(scale=1, seed=2026, progress=lambda m: None, steward_password=DEMO_PASSWORD)
    run = MatchRun.objects.create(solver="optimal")
    match_run_execute(run_id=run.id, time_limit=20)
    result = insight.forecast_start(scenario=insight.reference_scenario_ensure(), inline=True)
    # a finished background import per asset: the import pages link to them
    InventoryImport.objects.bulk_create(
        InventoryImport(
            asset=asset,
            organisation_id=asset.owner_id,
            source_name="inventaris-groot.csv",
            status="done",
            progress=100,
            rows=2500,
            mass_kg=125000.0,
            stored=2500,
            issues={
                "errors": [],
                "error_count": 0,
                "warnings": [
                    issue("no_hazardous_column").to_dict(),
                ],
            },
        )
        for asset in Asset.objects.all()
    )
    _webhook_with_a_log()
    assert settings.DEBUG is False
    # pages no link reaches while nothing runs: the progress fragment a running job polls
    seeds = [
        "/",
        "/dashboard/scenarios/compare/",
        f"/dashboard/forecasts/{result.pk}/status/",
        "/accounts/password/reset/MQ/0-0/",  # reached from the e-mail only: "invalid link"
    ]
    return [username for username, _pw, _org in demo_accounts()], seeds


def _webhook_with_a_log() -> None:
    """A webhook subscription of every demo organisation, with a failed delivery in its
    log: the webhook pages render their list, detail and log."""
    from django.utils import timezone

    from urbanmine.organisations.models import Organisation
    from urbanmine.webhooks.models import Delivery, DeliveryAttempt, Event, Subscription
    from urbanmine.webhooks.services import new_secret

    now = timezone.now()
    event = Event.objects.create(type="lot.published", subject="L-DEMO", occurred_at=now)
    for org in Organisation.objects.all():
        subscription = Subscription.objects.create(
            organisation=org,
            url=f"https://93.184.215.14/hooks/{org.pk}",
            events=["lot.published"],
            secret=new_secret(),
        )
        delivery = Delivery.objects.create(
            subscription=subscription, event=event, status="failed", attempts=1
        )
        DeliveryAttempt.objects.create(
            delivery=delivery, number=1, started_at=now, status_code=500, error="HTTP 500"
        )


def _links(html: str, base: str) -> list[str]:
    out = []
    for href in LINK.findall(html):
        href = href.replace("&amp;", "&")
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP_PREFIXES) or "format=" in parts.query:
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(
    client: Client,
    seeds: list[str],
    visited: dict[str, set[str]],
    who: str,
    on_page: Callable[[str, str], None] | None = None,
    pages: list[tuple[str, str]] | None = None,
    per_name_limit: int = PER_NAME,
) -> list[str]:
    """Breadth-first over the links of every page; returns the problems found. `on_page`
    gets (url, html) of every HTML page reached (tests/contracts/test_language.py); `pages`
    collects their (URL name, URL) (tests/contracts/test_accessibility.py)."""
    problems, queue, seen = [], list(seeds), set()
    per_name: dict[str, int] = defaultdict(int)
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(urlsplit(url).path).url_name
        except Resolver404:
            problems.append(f"{who}: link to unknown page {url}")
            continue
        if name in NOT_PAGES or per_name[name] >= per_name_limit:
            continue
        per_name[name] += 1
        response = client.get(url)
        if response.status_code in (301, 302):
            continue  # sign-in required: the anonymous visitor is sent to the login page
        if response.status_code != 200:
            problems.append(f"{who}: GET {url} answered {response.status_code}")
            continue
        visited[name].add(who)
        if "text/html" in response.get("Content-Type", ""):
            html = response.content.decode()
            if on_page is not None:
                on_page(url, html)
            if pages is not None:
                pages.append((name, url))
            queue.extend(_links(html, url))
    return problems


def error_requests(client: Client) -> list[tuple[str, str, dict, tuple[int, ...]]]:
    """Each form's error state (method, url, data, expected statuses): rendered pages too."""
    from urbanmine.assets.models import Asset
    from urbanmine.insight.models import Scenario
    from urbanmine.lots.models import Lot

    asset = Asset.objects.filter(lots__isnull=False).order_by("pk").first()
    lot = Lot.objects.filter(is_published=True).order_by("code").first()
    scenario = Scenario.objects.order_by("pk").first()
    return [
        ("get", "/impact/compare/", {"product_group": "steel-beams", "quantity": "-1"}, (400,)),
        (  # a verdict with warnings: transport outweighs the CO2 gain
            "get",
            "/impact/compare/",
            {
                "product_group": "steel-beams",
                "quantity": "50",
                "distance_km": "4000",
                "quality": "B",
                "storage_days": "0",
            },
            (200,),
        ),
        ("get", "/impact/top10/", {"scope": "bu", "impact": "veel"}, (400,)),
        ("get", "/supply/", {"available_by": "morgen"}, (200,)),
        ("post", "/webhooks/", {"url": "http://intern", "events": ["lot.published"]}, (400,)),
        ("post", "/assets/new/", {}, (400, 403)),
        ("post", f"/assets/{asset.pk}/lots/new/", {}, (400, 403, 404)),
        ("post", f"/assets/{asset.pk}/import/", {}, (400, 403, 404)),
        ("post", f"/lots/{lot.code}/record/", {"step": "execution"}, (400, 403, 404)),
        ("post", f"/dashboard/scenarios/{scenario.pk}/", {"name": ""}, (200, 400, 403)),
        ("get", "/accounts/login/", {}, (200,)),
        ("post", "/tenders/ambitions/new/", {"harvest_pct": "120"}, (400, 403)),
        ("post", "/tenders/clauses/", {"code": ""}, (400, 403)),
    ]


@pytest.mark.django_db
@pytest.mark.slow
def test_every_page_renders_for_every_role_without_missing_variables(demo_world, settings):
    settings.URBANMINE_JOBS_INLINE = True
    user_model = get_user_model()
    visited: dict[str, set[str]] = defaultdict(set)
    problems: list[str] = []
    with strict_templates() as strict:
        accounts, seeds = demo_world
        for who in ["anonymous", *accounts]:
            client = Client()
            if who != "anonymous":
                client.force_login(user_model.objects.get(username=who))
            problems += crawl(client, seeds, visited, who)
            for method, url, data, expected in error_requests(client):
                response = getattr(client, method)(url, data)
                if who == "anonymous" and response.status_code == 302:
                    continue
                if response.status_code not in expected:
                    problems.append(
                        f"{who}: {method.upper()} {url} answered {response.status_code}"
                    )
    assert not problems, "\n".join(problems)
    strict.check()
    missed = page_names() - set(visited)
    assert not missed, f"pages no role reached by following links: {sorted(missed)}"
