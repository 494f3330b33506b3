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


def test_dashboard_draws_its_charts_before_the_load_event_with_a_small_bundle(tiny, page):
    """Issue #12: the charts are drawn by the time the page's load event fires (so the
    navigation timing's load event is the moment a user sees them), and the charting bundle is
    Chart.js, not a 4.8 MB library. The 1 s target itself is measured by
    benchmarks/bench_dashboard_browser.py on a quiet machine: a timed assertion here failed
    CI at 1,084 ms on a busy one."""
    from tests.insight.test_services import PARAMS

    scenario = Scenario.objects.create(name="Referentie", params=PARAMS, is_reference=True)
    services.forecast_start(scenario=scenario, inline=True)
    context = page.context.browser.new_context(locale="nl-NL")  # a cold browser cache
    try:
        fresh = context.new_page()
        fresh.add_init_script(
            """window.addEventListener("load", () => {
                 window.readyAtLoad = Array.from(document.querySelectorAll("[id^='chart-']"))
                   .map(el => [el.id, el.dataset.ready || ""]);
               });"""
        )
        fresh.goto(page.base_url + "/dashboard/")
        fresh.wait_for_selector("#chart-chain[data-ready='1']")
        fresh.wait_for_function("window.readyAtLoad !== undefined")
        ready_at_load = dict(fresh.evaluate("window.readyAtLoad"))
        timing = fresh.evaluate(
            """() => {
              const nav = performance.getEntriesByType("navigation")[0];
              const js = performance.getEntriesByType("resource")
                .filter(r => r.name.includes("chart.umd"));
              return {load: nav.loadEventEnd, charts: js.map(r => r.decodedBodySize)};
            }"""
        )
    finally:
        context.close()
    assert {"chart-release-demand", "chart-chain", "chart-materials"} <= set(ready_at_load)
    assert all(ready == "1" for ready in ready_at_load.values()), ready_at_load
    assert timing["charts"] and max(timing["charts"]) < 300_000  # Chart.js, not 4.8 MB
    assert timing["load"] > 0, timing
