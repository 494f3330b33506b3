"""/metrics: django-prometheus's request metrics and the background jobs, only for the
bearer of URBANMINE_METRICS_TOKEN; without a token configured the endpoint does not exist."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from urbanmine.core.metrics import job_models

TOKEN = "scrape-token-0123456789"


def _scrape(token: str | None = TOKEN, scheme: str = "Bearer"):
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {token}"} if token else {}
    return Client(**headers).get("/metrics")


def _value(text: str, metric: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    m = re.search(rf"^{metric}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    assert m, f"{metric}{{{wanted}}} not in the scrape"
    return float(m.group(1))


@pytest.mark.django_db
def test_without_a_configured_token_there_is_no_endpoint(settings):
    settings.URBANMINE_METRICS_TOKEN = ""
    assert _scrape().status_code == 404
    assert _scrape(token=None).status_code == 404


@pytest.mark.django_db
def test_only_the_configured_bearer_token_is_let_in(settings):
    settings.URBANMINE_METRICS_TOKEN = TOKEN
    assert _scrape(token=None).status_code == 403
    assert _scrape(token=TOKEN[:-1]).status_code == 403
    assert _scrape(token=TOKEN + "x").status_code == 403
    assert _scrape(scheme="Token").status_code == 403
    response = _scrape()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_requests_are_counted_by_view(settings, client):
    settings.URBANMINE_METRICS_TOKEN = TOKEN

    def served() -> float:
        text = _scrape().content.decode()
        return _value(
            text,
            "django_http_requests_total_by_view_transport_method_total",
            method="GET",
            transport="http",
            view="health-live",
        )

    client.get("/health/live")
    before = served()
    for _ in range(3):
        client.get("/health/live")
    assert served() == before + 3


def test_every_job_table_is_found_without_naming_a_higher_app():
    kinds = {m._meta.label_lower for m in job_models()}
    assert {"market.matchrun", "insight.forecastresult"} <= kinds


@pytest.mark.django_db
def test_jobs_are_reported_per_kind_and_status_with_the_oldest_running(settings):
    from urbanmine.insight import services as insight
    from urbanmine.insight.models import ForecastResult
    from urbanmine.market.models import MatchRun

    settings.URBANMINE_METRICS_TOKEN = TOKEN
    MatchRun.objects.create(status="done")
    MatchRun.objects.create(status="done")
    MatchRun.objects.create(status="failed")
    scenario = insight.reference_scenario_ensure()
    old = ForecastResult.objects.create(scenario=scenario, status="running")
    ForecastResult.objects.create(scenario=scenario, status="running")
    ForecastResult.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    text = _scrape().content.decode()
    jobs = "urbanmine_jobs"
    assert _value(text, jobs, kind="market.matchrun", status="done") == 2
    assert _value(text, jobs, kind="market.matchrun", status="failed") == 1
    assert _value(text, jobs, kind="market.matchrun", status="running") == 0
    assert _value(text, jobs, kind="insight.forecastresult", status="running") == 2
    oldest = "urbanmine_jobs_oldest_running_age_seconds"
    assert _value(text, oldest, kind="market.matchrun") == 0
    age = _value(text, oldest, kind="insight.forecastresult")
    assert 2 * 3600 <= age < 2 * 3600 + 300
