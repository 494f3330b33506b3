"""The province opens the dashboard, switches to a municipality and downloads a CSV."""

import csv
import io

import pytest

from urbanmine.insight import services
from urbanmine.insight.models import Scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_switch_municipality_and_download_csv(tiny, page):
    from tests.insight.test_services import PARAMS

    scenario = Scenario.objects.create(name="Referentie", params=PARAMS, is_reference=True)
    services.forecast_start(scenario=scenario, inline=True)
    page.goto(page.base_url + "/dashboard/")
    page.wait_for_selector("#chart-release-demand[data-ready='1']")
    page.wait_for_selector("#map[data-ready='1']")
    assert "Zuid-Holland" in page.inner_text("h1")
    assert "37.300" in page.inner_text("#chain-table")
    with page.expect_navigation():
        page.select_option("#municipality", "GM0599")
    assert "Rotterdam" in page.inner_text("h1")
    assert "municipality=GM0599" in page.url
    page.wait_for_selector("#chart-materials[data-ready='1']")
    with page.expect_download() as info:
        page.click("a.csv[data-chart='release-demand']")
    download = info.value
    assert download.suggested_filename == "urbanmine-release-demand-GM0599.csv"
    text = open(download.path(), encoding="utf-8").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["year", "demolition_kt"]
    assert [int(r[0]) for r in rows[1:]] == [2025, 2026, 2027]


def test_dashboard_loads_under_a_second_on_a_warm_server(tiny, page):
    """Issue #12: the page (HTML, Chart.js, Leaflet, the charts drawn) within 1 s on a warm
    server, measured by the browser with a cold browser cache."""
    from tests.insight.test_services import PARAMS

    scenario = Scenario.objects.create(name="Referentie", params=PARAMS, is_reference=True)
    services.forecast_start(scenario=scenario, inline=True)
    page.goto(page.base_url + "/dashboard/")  # warms the server (caches, templates)
    page.wait_for_selector("#chart-release-demand[data-ready='1']")
    timings = []
    for _ in range(3):  # the median of three visits: the machine is shared
        context = page.context.browser.new_context(locale="nl-NL")  # a cold browser cache
        try:
            fresh = context.new_page()
            fresh.goto(page.base_url + "/dashboard/")
            fresh.wait_for_selector("#chart-chain[data-ready='1']")
            timings.append(
                fresh.evaluate(
                    """() => {
                      const nav = performance.getEntriesByType("navigation")[0];
                      const js = performance.getEntriesByType("resource")
                        .filter(r => r.name.includes("chart.umd"));
                      return {load: nav.loadEventEnd, charts: js.map(r => r.decodedBodySize)};
                    }"""
                )
            )
        finally:
            context.close()
    timing = sorted(timings, key=lambda t: t["load"])[1]
    assert timing["charts"] and max(timing["charts"]) < 300_000  # Chart.js, not 4.8 MB
    # the load event comes after the charts are drawn (dashboard.js runs before it)
    assert timing["load"] < 1000, timing
