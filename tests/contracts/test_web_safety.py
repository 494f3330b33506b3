"""Web safety: data is text wherever a map or a chart shows it, a strict
Content-Security-Policy on every page, and no inline script or event handler that would
need one to be weakened.

- The maps (Leaflet) insert a string given as tooltip or popup as HTML; the charts
  (Chart.js) draw labels on a canvas: an asset, product group, municipality or scenario named
  `"><img src=x onerror=…>` must show literally and run nothing (in a real browser).
- Every page sends the policy below; the browser reports no violation on the pages with
  maps, charts and htmx (Leaflet and Chart.js draw under it).
- No page contains an inline `<script>` (JSON data blocks aside), an `on…=` handler, a
  `style=` attribute or a `<style>` element (the policy refuses them; a page relying on
  one would silently break).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.conftest import sign_in

#: An injected handler that sets a flag instead of alerting (the test reads the flag), and
#: a link (a library that reads HTML in labels would draw it).
XSS = '"><img src=x onerror=window.__xss=1><a href="https://example.invalid/">x</a>'

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},  # data: for Leaflet's icons and the charts' PNG links
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


# ------------------------------------------------------------------------------- the world


@pytest.fixture
def zuid_holland(db):
    """The real municipalities; reloaded if a transactional test flushed them."""
    from urbanmine.regions.models import ZUID_HOLLAND, Municipality
    from urbanmine.regions.services import municipalities_load

    if not Municipality.objects.filter(province_code=ZUID_HOLLAND).exists():
        municipalities_load()


def build_world(chain, *, hostile: bool) -> SimpleNamespace:
    """Supply, a demand with a proposal and a computed forecast. `hostile`: the demand's
    project, the bricks' product group, a scenario and Rotterdam carry the XSS name."""
    from tests.insight.test_services import PARAMS
    from tests.support.chain import harvest_into_hub, identify_bricks, proposal_for
    from urbanmine.assets.services import asset_create
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.insight import services as insight
    from urbanmine.insight.models import Scenario
    from urbanmine.market.services import demand_request_create
    from urbanmine.regions.models import Municipality

    w = SimpleNamespace(chain=chain)
    if hostile:
        ProductGroup.objects.filter(pk=chain.bricks.pk).update(name_nl=XSS, name_en=XSS)
        Municipality.objects.filter(code="GM0599").update(name=XSS)
    w.lot = harvest_into_hub(chain, identify_bricks(chain))
    w.project = asset_create(
        owner=chain.buyer,
        name=XSS if hostile else "Nieuwbouw Delft-Zuid",
        scope="bu",
        use_type="house",
        lat=52.0116,
        lon=4.3571,
        construction_year=2027,
        floor_area_m2=900,
    )
    w.demand = demand_request_create(
        actor=chain.buyer_user,
        project=w.project,
        product_group=chain.bricks,
        quantity=Decimal(400),
        unit="piece",
        min_quality="B",
        window_start=date(2027, 1, 1),
        window_end=date(2027, 6, 1),
    )
    proposal_for(w.demand, w.lot, hub=chain.hub)
    w.reference = Scenario.objects.create(name="Referentie", params=PARAMS, is_reference=True)
    w.scenario = Scenario.objects.create(name=XSS if hostile else "Variant", params=PARAMS)
    for scenario in (w.reference, w.scenario):
        insight.forecast_start(scenario=scenario, inline=True)
    return w


# ------------------------------------------------------------------------ (b) the policy


def parse_policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "buyer_user"])
def test_every_page_sends_the_strict_policy(chain, who):
    w = build_world(chain, hostile=False)
    client = Client()
    if who:
        client.force_login(getattr(chain, who))
    urls = ["/", "/supply/", f"/lots/{w.lot.code}/", "/dashboard/", "/accounts/login/"]
    if who:
        urls += [f"/demand/{w.demand.pk}/", "/matching/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert parse_policy(response["Content-Security-Policy"]) == POLICY, url


# -------------------------------------------------------- (c) no inline script or style


class InlineFinder(HTMLParser):
    """Collects what the policy refuses: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not attributes.get("src"):
            if attributes.get("type") != "application/json":
                self.found.append(f"<script {attributes}> without src")
        if tag == "style":
            self.found.append("<style> element")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def main_pages(w) -> list[str]:
    c = w.chain
    return [
        "/",
        "/supply/",
        f"/lots/{w.lot.code}/",
        f"/assets/{c.building.pk}/",
        f"/hubs/{c.hub.pk}/",
        "/matching/",
        f"/demand/{w.demand.pk}/",
        "/dashboard/",
        "/dashboard/?municipality=GM0599",
        "/dashboard/scenarios/",
        f"/dashboard/scenarios/compare/?a={w.reference.pk}&b={w.scenario.pk}",
        "/impact/compare/",
        "/impact/top10/",
        "/accounts/login/",
    ]


#: Pages another organisation may not open (404): the passport is the owner's, the demand
#: the buyer's.
NOT_FOR = {"buyer_user": ("/assets/",), "owner_user": ("/demand/",)}


@pytest.mark.django_db
@pytest.mark.parametrize("who", [None, "matchmaker_user", "owner_user", "buyer_user"])
def test_no_page_contains_inline_script_handlers_or_styles(chain, settings, who):
    settings.URBANMINE_JOBS_INLINE = True
    w = build_world(chain, hostile=True)
    client = Client()
    if who:
        client.force_login(getattr(chain, who))
    rendered = 0
    for url in main_pages(w):
        response = client.get(url)
        if who is None and response.status_code == 302:
            assert "/accounts/login/" in response["Location"], url
            continue
        if url.startswith(NOT_FOR.get(who or "", ())):
            assert response.status_code == 404, url
            continue
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not inline_code(html), (url, inline_code(html))
        assert XSS not in html, url  # autoescaped everywhere, also in data attributes
        rendered += 1
    assert rendered >= (9 if who is None else 13)


def test_the_scanner_finds_what_it_must():
    html = (
        '<select onchange="this.form.submit()"></select><script>alert(1)</script>'
        '<script id="d" type="application/json">{}</script><script src="/static/a.js"></script>'
        '<div style="width:1px"></div><a href="javascript:alert(1)">x</a><style>p{}</style>'
    )
    found = inline_code(html)
    assert len(found) == 5, found


# ------------------------------------------------------------- (a) the maps and charts


def watch(page) -> list[str]:
    """Console errors, page errors and CSP violations, as the browser reports them."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"console.{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation', function (e) {"
        "  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile"
        "    + ':' + e.lineNumber); });"
    )
    return messages


REFUSED = re.compile(r"Refused to|Content Security Policy|pageerror", re.I)


# Predicates for page.wait_for_function are functions ("() => …"), never bare expressions:
# Playwright evaluates a bare expression with eval() on every poll, which the policy refuses
# ('unsafe-eval'); a function is evaluated once, then called.


def assert_not_injected(page) -> None:
    """The injected image had time to fail loading; its onerror handler must not have run."""
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None, "injected onerror handler ran"


def assert_clean(page, messages: list[str]) -> None:
    """Nothing refused by the policy, no script error, and the injected handler never ran:
    checked once every map and chart of the page has drawn (and a broken image had time to
    fail)."""
    page.wait_for_function(
        "() => !document.querySelector('.map:not([data-ready]), .chart:not([data-ready])')"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None, "injected onerror handler ran"
    assert page.evaluate("window.__csp") == [], page.evaluate("window.__csp")
    assert not [m for m in messages if REFUSED.search(m)], messages


@pytest.fixture
def hostile(zuid_holland, chain, settings):
    settings.URBANMINE_JOBS_INLINE = True
    return build_world(chain, hostile=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_demand_map_tooltip_shows_the_project_name_as_text(hostile, page):
    messages = watch(page)
    sign_in(page, "buyer")
    page.goto(f"{page.base_url}/demand/{hostile.demand.pk}/")
    page.wait_for_selector("#map[data-ready='1']")
    page.hover("#map .leaflet-marker-icon")
    tooltip = page.wait_for_selector("#map .leaflet-tooltip")
    assert_not_injected(page)
    assert tooltip.text_content() == XSS
    assert page.locator("#map .leaflet-tooltip img").count() == 0
    assert_clean(page, messages)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supply_map_popup_shows_the_product_group_as_text(hostile, page):
    messages = watch(page)
    page.goto(f"{page.base_url}/supply/")
    page.wait_for_selector("#map[data-ready='1']")
    # the municipality outlines arrive later; the marker must stay clickable above them
    page.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length > 1"
    )
    marker = page.locator("#map path.leaflet-interactive[stroke='#b5481b']").first
    marker.dispatch_event("click")
    popup = page.wait_for_selector("#map .leaflet-popup-content")
    assert_not_injected(page)
    assert XSS in popup.text_content()
    assert hostile.lot.code in popup.text_content()
    assert page.locator("#map .leaflet-popup-content img").count() == 0
    assert_clean(page, messages)
    # a person's click reaches the marker too: the outlines (drawn later) stay beneath it
    page.click("#map .leaflet-popup-close-button")
    marker.click()
    page.wait_for_selector("#map .leaflet-popup-content")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_map_and_charts_show_names_as_text(hostile, page):
    messages = watch(page)
    page.goto(f"{page.base_url}/dashboard/")
    for chart in ("release-demand", "materials", "chain"):
        page.wait_for_selector(f"#chart-{chart}[data-ready='1'] canvas")
    page.wait_for_selector("#map[data-ready='1']")
    # open every municipality's tooltip, as hovering each would
    page.evaluate(
        "document.querySelectorAll('#map path.leaflet-interactive').forEach(function (p) {"
        "  p.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); })"
    )
    assert_not_injected(page)
    tooltips = page.locator("#map .leaflet-tooltip").all_text_contents()
    assert any(t.startswith(XSS + ": ") for t in tooltips), tooltips[:5]
    assert page.locator("#map .leaflet-tooltip img").count() == 0
    # Chart.js draws the names on a canvas: plain text, no element made from them
    labels = page.evaluate(
        "Chart.getChart(document.querySelector('#chart-materials canvas')).data.labels"
    )
    assert page.locator("#chart-materials *:not(canvas)").count() == 0
    assert labels, labels
    # "PNG": the chart as drawn, a data: URL of its canvas (no upload, no blob:)
    with page.expect_download() as download:
        page.click("a.png[data-chart='release-demand']")
    assert download.value.suggested_filename == "urbanmine-release-demand.png"
    assert_clean(page, messages)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_scenario_chart_shows_the_scenario_name_as_text(hostile, page):
    messages = watch(page)
    page.goto(
        f"{page.base_url}/dashboard/scenarios/compare/"
        f"?a={hostile.reference.pk}&b={hostile.scenario.pk}"
    )
    page.wait_for_selector("#chart-compare[data-ready='1'] canvas")
    legend = page.evaluate(
        "Chart.getChart(document.querySelector('#chart-compare canvas'))"
        ".data.datasets.map(function (d) { return d.label; })"
    )
    assert any(t.startswith(XSS + ": ") for t in legend), legend  # drawn as plain text
    assert page.locator("#chart-compare a, #chart-compare img").count() == 0  # no element made
    assert_clean(page, messages)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_with_maps_charts_and_htmx_run_under_the_policy(zuid_holland, chain, settings, page):
    """Leaflet, Chart.js and htmx work with nothing refused, signed in and anonymously."""
    settings.URBANMINE_JOBS_INLINE = True
    w = build_world(chain, hostile=False)
    messages = watch(page)
    for signed_in in (False, True):
        if signed_in:
            sign_in(page, "matchmaker")
        for url in main_pages(w):
            page.goto(page.base_url + url)
            assert_clean(page, messages)
        page.goto(page.base_url + "/dashboard/")
        page.wait_for_selector("#chart-materials[data-ready='1'] canvas")
        page.wait_for_selector("#map[data-ready='1'] .leaflet-interactive")
        page.select_option("#municipality", "GM0599")  # the view switch is a static script
        page.wait_for_url("**municipality=GM0599**")
        page.goto(page.base_url + "/impact/compare/")
        page.wait_for_selector("#verdict")
        before = page.inner_text("#co2-reuse")
        page.fill("#id_distance_km", "2500")
        page.dispatch_event("#id_distance_km", "change")  # htmx swaps the result in
        page.wait_for_function(
            "b => document.querySelector('#co2-reuse').innerText !== b", arg=before
        )
        assert_clean(page, messages)
    # the language switcher submits through the static script as well
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_clean(page, messages)
