"""The network's API (issue #18): the directory with certification states, covenants with
commitment progress, targets; the province sets a target, with the unit named on error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.support.tokens import api_client_for
from urbanmine.network import services
from urbanmine.network.models import CertificationScheme, RegionalTarget

pytestmark = pytest.mark.django_db


def test_directory_shows_an_expired_certificate_as_expired(chain):
    entry = services.entry_request_join(organisation=chain.demolisher, actor=chain.demolisher_user)
    services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=True)
    today = timezone.localdate()
    services.certification_add(
        entry=entry,
        actor=chain.demolisher_user,
        scheme=CertificationScheme.objects.get(code="brl-svms-007"),
        number="SVMS-9",
        valid_from=today - timedelta(days=30),
        valid_until=today - timedelta(days=1),
    )
    r = APIClient().get("/api/v1/network/organisations")
    assert r.status_code == 200
    (row,) = r.json()["results"]
    assert row["organisation"]["name"] == "Sloper Test"
    assert row["roles"] == ["demolisher"]
    assert row["certifications"][0]["state"] == "expired"


def test_the_province_sets_a_target_and_a_missing_unit_is_named(chain):
    client = api_client_for(chain.matchmaker_user)
    r = client.post(
        "/api/v1/network/targets",
        {"indicator": "harvested_t", "year": 2030, "value": "5", "unit": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert r.status_code == 400 and "unit" in r.content.decode()
    r = client.post(
        "/api/v1/network/targets",
        {"indicator": "harvested_t", "year": 2030, "value": "5", "unit": "kt"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["target"] == 5000.0
    r = api_client_for(chain.owner_user).post(
        "/api/v1/network/targets",
        {"indicator": "harvested_t", "year": 2031, "value": "5", "unit": "kt"},
        format="json",
    )
    assert r.status_code == 403
    assert RegionalTarget.objects.count() == 1
    rows = APIClient().get("/api/v1/network/targets").json()
    assert {"indicator": "harvested_t", "year": 2030, "target": 5000.0}.items() <= next(
        r for r in rows if r["year"] == 2030
    ).items()
