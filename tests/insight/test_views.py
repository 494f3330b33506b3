"""The dashboard and scenario pages: reference figures, permissions, CSV, query counts."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from tests.insight.conftest import mi
from tests.insight.test_services import PARAMS
from urbanmine.assets.models import InterventionKind, PlannedIntervention
from urbanmine.core.models import JobStatus
from urbanmine.insight import selectors, services
from urbanmine.insight.models import ForecastResult, Scenario

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture
def reference(tiny):
    """The reference scenario with the hand-checkable parameters, computed once."""
    PlannedIntervention.objects.create(
        asset=tiny.house,
        kind=InterventionKind.DEMOLITION,
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 6, 1),
    )
    scenario = Scenario.objects.create(name="Referentie test", params=PARAMS, is_reference=True)
    services.forecast_start(scenario=scenario, inline=True)
    return scenario


def rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_anonymous_sees_the_province_dashboard_with_the_reference_scenario(client, reference):
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    # Metabolic 2024: 37,300 kt demand, 4,550 kt release, 35 % reusable -> 12 % and 4.3 %.
    for figure in ("37.300", "4.550", "1.59", "35%", "12,2%", "4,3%"):
        assert figure in html, figure
    assert 'id="chart-release-demand"' in html and 'id="map"' in html
    assert "Recompute" not in html and "Opnieuw" not in html  # no edit controls


def test_first_visit_computes_the_default_reference_forecast(client, tiny):
    assert not Scenario.objects.exists()
    r = client.get(URL)
    assert r.status_code == 200
    scenario = Scenario.objects.get(is_reference=True)
    result = ForecastResult.objects.get(scenario=scenario)
    assert result.status == JobStatus.DONE and result.stats["n_buildings"] == 2
    assert 'id="chart-release-demand"' in r.content.decode()


def test_csv_of_release_and_demand_holds_the_stored_forecast(client, reference, tiny):
    r = client.get(URL, {"municipality": "GM0599", "format": "csv", "chart": "release-demand"})
    data = rows(r)
    assert data[0] == [
        "year",
        "demolition_kt",
        "renovation_kt",
        "release_kt",
        "reusable_kt",
        "demand_kt",
    ]
    by_year = {int(row[0]): row for row in data[1:]}
    assert sorted(by_year) == [2025, 2026, 2027]
    # Rotterdam's baseline releases every year; the registered house (planned demolition in
    # 2026) adds its whole mass in 2026 and has left the baseline's 1945-1964 houses.
    fa = selectors.result_arrays(ForecastResult.objects.get(scenario=reference))
    p = fa.municipality_index("GM0599")
    for year, row in by_year.items():
        stored = fa.demolition[year - 2025, p].sum() / 1e6
        assert float(row[1]) == pytest.approx(stored, abs=1e-5)
        assert float(row[4]) == pytest.approx(float(row[3]) * 0.35, abs=1e-5)
    whole = 100 * sum(mi("house", 1960).values()) / 1e6
    assert float(by_year[2026][1]) > float(by_year[2025][1]) + 0.9 * whole
    assert 'filename="urbanmine-release-demand-GM0599.csv"' in r["Content-Disposition"]


@pytest.mark.parametrize("chart", ["materials", "chain", "municipalities", "hubs"])
def test_every_chart_downloads_as_csv(client, reference, chart):
    data = rows(client.get(URL, {"format": "csv", "chart": chart}))
    assert len(data) >= 2 or chart == "hubs"
    if chart == "chain":
        stages = {row[0]: row for row in data[1:]}
        assert list(stages) == ["demand", "released", "reusable", "matched", "applied"]
        assert float(stages["demand"][3]) == 37300.0
        assert float(stages["released"][4]) == pytest.approx(4550 / 37300, abs=1e-5)
        assert float(stages["reusable"][4]) == pytest.approx(0.35 * 4550 / 37300, abs=1e-5)
    if chart == "municipalities":
        top = data[1]
        assert top[0] == "GM0599" and float(top[3]) > 0  # Rotterdam releases most
        assert data[0][-2:] == [
            "release_kg_per_inhabitant_per_year",
            "demand_kg_per_inhabitant_per_year",
        ]
        # each municipality's own stock and programme: not one figure for all 50
        release = {round(float(r[7])) for r in data[1:] if r[7]}
        demand = {float(r[8]) for r in data[1:] if r[8]}
        assert len(data) == 51 and len(release) > 40 and len(demand) > 40


def test_unknown_chart_or_municipality_is_404(client, reference):
    assert client.get(URL, {"format": "csv", "chart": "nope"}).status_code == 404
    assert client.get(URL, {"municipality": "GM9999"}).status_code == 404


def test_municipality_view(client, reference):
    r = client.get(URL, {"municipality": "GM0518"})
    assert r.status_code == 200
    assert (
        "Dashboard &#x27;s-Gravenhage" in r.content.decode() or "Gravenhage" in r.content.decode()
    )


def test_dashboard_queries_are_bounded(client, reference, django_assert_max_num_queries):
    client.get(URL)  # warm caches of the intensity tables
    # 13: one more than before issue #12 for the DEMO marks (selectors.demo_presence, one
    # shared-cache read); 14: the tender panel's area ambitions (issue #17; five queries
    # when there are some: tests/tenders/test_views.py)
    with django_assert_max_num_queries(14):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(URL, {"municipality": "GM0599"}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"format": "csv", "chart": "chain"}).status_code == 200


def test_progress_fragment_polls_until_done(client, tiny):
    scenario = Scenario.objects.create(name="Bezig", params=PARAMS)
    result = ForecastResult.objects.create(scenario=scenario, status=JobStatus.RUNNING, progress=40)
    r = client.get(reverse("forecast-status", args=[result.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in r.content.decode() and 'value="40"' in r.content.decode()
    ForecastResult.objects.filter(pk=result.pk).update(status=JobStatus.DONE, progress=100)
    r = client.get(reverse("forecast-status", args=[result.pk]), HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and "every 1s" not in r.content.decode()


# ------------------------------------------------------------------ permissions
def test_anonymous_cannot_create_a_scenario(client, tiny):
    url = reverse("scenario-create")
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = client.post(url, {"name": "X"})
    assert r.status_code == 302 and not Scenario.objects.filter(name="X").exists()


def test_a_non_province_user_gets_403(client, tiny, reference):
    client.force_login(tiny.trader_user)
    assert client.get(reference_url := reverse("scenario-create")).status_code == 403
    assert client.post(reference_url, {"name": "X"}).status_code == 403
    assert client.post(reverse("forecast-run", args=[reference.pk])).status_code == 403
    assert client.get(reverse("scenario-edit", args=[reference.pk])).status_code == 403
    assert not Scenario.objects.filter(name="X").exists()
    assert client.get(URL).status_code == 200  # the dashboard itself stays public


def form_data(**over):
    data = {
        "name": "Langere levensduur",
        "description": "",
        "start_year": 2025,
        "end_year": 2030,
        "reuse_share_pct": 50,
    }
    for u in ("house", "apartment", "office", "retail", "education", "healthcare"):
        data[f"programme_{u}"] = 1000
    data |= {"programme_industrial": 0, "programme_other": 0, "scale_house": 300}
    data |= over
    return data


def test_the_province_saves_a_scenario_and_its_forecast_is_computed(client, tiny):
    client.force_login(tiny.province_user)
    assert client.get(reverse("scenario-create")).status_code == 200
    r = client.post(reverse("scenario-create"), form_data())
    assert r.status_code == 302, r.content.decode()[:2000]
    s = Scenario.objects.get(name="Langere levensduur")
    assert s.params["reuse_share"] == 0.5
    assert s.params["lifetimes"] == {"house": {"scale_years": 300.0}}
    assert s.organisation == tiny.province and s.created_by == tiny.province_user
    assert s.results.get().status == JobStatus.DONE
    # Edit: invalid input names the field and changes nothing.
    r = client.post(reverse("scenario-edit", args=[s.pk]), form_data(end_year=2020))
    assert r.status_code == 200 and "end_year" in r.content.decode()
    s.refresh_from_db()
    assert s.params["end_year"] == 2030
    r = client.post(reverse("scenario-edit", args=[s.pk]), form_data(reuse_share_pct=20))
    s.refresh_from_db()
    assert r.status_code == 302 and s.params["reuse_share"] == 0.2 and s.results.count() == 2


def test_compare_two_scenarios(client, tiny, reference):
    other = Scenario.objects.create(name="Sloopgolf", params=PARAMS | {"reuse_share": 0.5})
    services.forecast_start(scenario=other, inline=True)
    r = client.get(reverse("scenario-compare"), {"a": reference.pk, "b": other.pk})
    assert r.status_code == 200 and 'id="chart-compare"' in r.content.decode()
    data = rows(
        client.get(reverse("scenario-compare"), {"a": reference.pk, "b": other.pk, "format": "csv"})
    )
    assert data[0] == ["year", "a_release_kt", "a_demand_kt", "b_release_kt", "b_demand_kt"]
    assert [int(r[0]) for r in data[1:]] == [2025, 2026, 2027]
    assert data[2][1] == data[2][3]  # same stock and lifetimes: same release


def test_the_dashboard_csv_neutralises_formulas():
    """Every CSV of the dashboard goes through one helper: text cells starting with a
    formula character get a quote, numbers (also negative ones) stay numbers."""
    from urbanmine.insight import dashboard as dash
    from urbanmine.insight.views import _csv

    table = dash.Table("t", ["=year", "name", "kt"], [[2025, "=cmd|' /C calc'!A0", -1.5]])
    response = _csv(table, "t.csv")
    data = list(csv.reader(io.StringIO(response.content.decode())))
    assert data == [["'=year", "name", "kt"], ["2025", "'=cmd|' /C calc'!A0", "-1.5"]]


# ------------------------------------------------------------------ issue #12
def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def test_dashboard_shows_scope_coverage_and_the_baseline(client, reference, tiny):
    html = client.get(URL).content.decode()
    assert "B&amp;U" in html and "Bron: CBS" in html
    coverage = _section(html, "coverage")
    # 300 m² registered (the house and the office) of the province's baseline floor area
    total = services.baseline_stock().floor_area_m2
    assert 'data-coverage="registered"' in coverage and ">300<" in coverage
    assert f"{300 / total * 100:.3f}".replace(".", ",") + "%" in coverage
    # the registry here is real (no demo records): no DEMO mark on the forecast
    assert "DEMO" not in coverage and "DEMO" not in html.split('id="tiles"')[1].split("</div>")[0]
    # one number format: no doubly grouped Dutch numbers ("28,624,7") anywhere
    import re

    assert not re.search(r"\d,\d{3},\d", html)
    # per inhabitant: labelled with its unit and period
    assert "kg per inhabitant per year" in html or "kg per inwoner per jaar" in html


def test_demo_records_mark_the_figures_they_feed(client, tiny):
    from urbanmine.assets.models import Asset

    Asset.objects.filter(pk=tiny.house.pk).update(is_demo=True)
    scenario = Scenario.objects.create(name="Demo test", params=PARAMS, is_reference=True)
    services.forecast_start(scenario=scenario, inline=True)
    html = client.get(URL).content.decode()
    assert "DEMO" in _section(html, "coverage")
    tiles = html.split('id="tiles"')[1].split('id="coverage"')[0]
    assert tiles.count(">DEMO<") == 3  # release, reusable, demand (registry overrides)
