"""The probes: liveness touches nothing; readiness checks the database, the cache, the
Celery broker (when configured) and free disk, answers 503 when one fails, and tells the
anonymous caller only the overall status."""

from __future__ import annotations

import os
import socket

import pytest
from django.test import Client

READY_CHECKS = {"Database(alias='default')", "Cache(alias='default')", "DiskSpace()"}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.django_db
def test_liveness_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/health/live").status_code == 405


@pytest.mark.django_db
def test_readiness_tells_the_public_only_the_overall_status(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_staff_and_the_metrics_token_see_each_check(settings, django_user_model):
    settings.URBANMINE_METRICS_TOKEN = "probe-token-123"
    staff = django_user_model.objects.create_user("ops", password="pw-ops-12345", is_staff=True)
    member = django_user_model.objects.create_user("member", password="pw-ops-12345")
    c = Client()
    c.force_login(staff)
    assert set(c.get("/health/ready").json()["checks"]) == READY_CHECKS
    c.force_login(member)
    assert "checks" not in c.get("/health/ready").json()
    token = Client(HTTP_AUTHORIZATION="Bearer probe-token-123").get("/health/ready").json()
    assert token["checks"] == dict.fromkeys(READY_CHECKS, "OK")
    wrong = Client(HTTP_AUTHORIZATION="Bearer probe-token-12").get("/health/ready").json()
    assert "checks" not in wrong


@pytest.mark.django_db
def test_too_little_free_disk_makes_the_site_unready(client, settings):
    settings.URBANMINE_HEALTH_MIN_FREE_MB = 10**12  # an exabyte: no disk has that free
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # no internals for the public
    assert client.get("/health/live").status_code == 200  # the process itself is fine


@pytest.mark.django_db
def test_an_unreachable_broker_makes_the_site_unready(settings):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    settings.URBANMINE_METRICS_TOKEN = "probe-token-123"
    response = Client(HTTP_AUTHORIZATION="Bearer probe-token-123").get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["CeleryBroker()"].startswith("Unavailable")
    assert response.json()["checks"]["Database(alias='default')"] == "OK"


@pytest.mark.django_db
def test_a_reachable_broker_is_checked_and_ready(settings):
    if not _redis_up():
        if os.environ.get("URBANMINE_REQUIRE_REDIS"):
            pytest.fail("Redis is not running at 127.0.0.1:6379 (URBANMINE_REQUIRE_REDIS)")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    settings.URBANMINE_METRICS_TOKEN = "probe-token-123"
    response = Client(HTTP_AUTHORIZATION="Bearer probe-token-123").get("/health/ready")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["CeleryBroker()"] == "OK"
