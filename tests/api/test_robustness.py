"""Input no endpoint may answer with a 500, and the 500 an API view can still answer: each
test names the request that used to fail."""

from __future__ import annotations

import json
import logging

import pytest
from rest_framework.test import APIClient

from urbanmine.lots.models import LifecycleEvent

PROBLEM = "application/problem+json"


def _problem(r, status):
    assert r.status_code == status, r.content[:500]
    assert r["Content-Type"] == PROBLEM
    body = json.loads(r.content)
    assert body["status"] == status and body["type"] and body["title"] and body["detail"]
    return body


def _names(body):
    return {p["name"] for p in body.get("invalid_params", [])}


# --- 1. bodies that are not a JSON object, too deep, or with numbers JSON cannot carry


@pytest.mark.parametrize("body", [b"[]", b'["inventory"]', b'"inventory"', b"1", b"null", b"true"])
def test_a_step_body_that_is_not_an_object_is_400(client_for, chain, harvested_lot, body):
    # was 500: the view read request.data.get("step") before validating
    before = LifecycleEvent.objects.count()
    r = client_for(chain.hub_operator_user).generic(
        "POST", f"/api/v1/lots/{harvested_lot.code}/events", body, content_type="application/json"
    )
    _problem(r, 400)
    assert LifecycleEvent.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        '{"product_group": "bricks-clay", "steps": ' + "[" * 10_000 + "]" * 10_000 + "}",
        '{"product_group": "bricks-clay", "steps": ' + "[" * 40 + "]" * 40 + "}",
    ],
)
def test_deeply_nested_json_is_400_for_anyone(anon, chain, body):
    # was 500: RecursionError in the JSON parser
    anon.cookies["django_language"] = "en"  # errors follow the interface language
    r = anon.generic(
        "POST", "/api/v1/impact/compare", body.encode(), content_type="application/json"
    )
    assert "nested deeper" in _problem(r, 400)["detail"]
    anon.cookies["django_language"] = "nl"
    r = anon.generic(
        "POST", "/api/v1/impact/compare", body.encode(), content_type="application/json"
    )
    assert "dieper genest" in _problem(r, 400)["detail"]


@pytest.mark.parametrize(
    ("numbers", "fields"),
    [
        ('"quantity": 1e300, "distance_km": 1e300', {"quantity", "distance_km"}),  # was 500
        ('"quantity": 1e309, "distance_km": 10', {"quantity"}),
        ('"quantity": 10, "distance_km": -1e309', {"distance_km"}),
        ('"quantity": 10, "distance_km": 10, "storage_days": Infinity', {"storage_days"}),
        ('"quantity": 10, "distance_km": 10, "mass_kg_per_unit": NaN', {"mass_kg_per_unit"}),
        ('"quantity": ' + "9" * 10_000 + ', "distance_km": 10', {"quantity"}),
    ],
)
def test_numbers_out_of_range_are_refused_by_field_name(anon, chain, numbers, fields):
    body = '{"product_group": "bricks-clay", ' + numbers + "}"
    r = anon.generic(
        "POST", "/api/v1/impact/compare", body.encode(), content_type="application/json"
    )
    assert fields <= _names(_problem(r, 400))


def test_a_hub_patch_that_is_not_an_object_is_400(client_for, chain):
    # was 500 (a list has no .get); the hub is unchanged
    r = client_for(chain.hub_operator_user).generic(
        "PATCH", f"/api/v1/hubs/{chain.hub.pk}", b"[1, 2]", content_type="application/json"
    )
    _problem(r, 400)
    chain.hub.refresh_from_db()
    assert chain.hub.max_dwell_days == 270


def test_an_id_beyond_64_bits_in_a_body_is_400(client_for, chain, harvested_lot):
    # a 64-bit id is the most the databases hold: anything larger is no object
    r = client_for(chain.hub_operator_user).post(
        f"/api/v1/lots/{harvested_lot.code}/events",
        {"step": "storage", "hub": 10**20},
        format="json",
    )
    assert "hub" in _names(_problem(r, 400))


# --- 2. a 500 inside an API view is a problem too (and is logged with its traceback)


def test_an_unhandled_error_in_an_api_view_is_a_500_problem(anon, chain, monkeypatch, caplog):
    from urbanmine.impact import services

    def explode(**kwargs):
        raise RuntimeError("secret internals: /srv/urbanmine/settings.py")

    monkeypatch.setattr(services, "comparison_run", explode)
    client = APIClient(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        r = client.post(
            "/api/v1/impact/compare",
            {"product_group": "bricks-clay", "quantity": 1, "distance_km": 1},
            format="json",
        )
    body = _problem(r, 500)
    assert "secret" not in r.content.decode() and "RuntimeError" not in r.content.decode()
    assert body["type"] == "urn:urbanmine:problem:server-error"
    [record] = [rec for rec in caplog.records if rec.exc_info]
    assert record.exc_info[0] is RuntimeError and "/api/v1/impact/compare" in record.getMessage()
    assert caplog.text.count("Internal Server Error") == 1  # once, not again by Django


def test_pages_keep_djangos_error_pages(client, db):
    r = client.get("/no-such-page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


# --- 3. what schemathesis found: parameters, unknown paths, documented answers


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("limit=1&limit=2", "limit"),
        ("offset=0&offset=5", "offset"),
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("quality=D", "quality"),
        ("scope=gww&scope=bu", "scope"),
        ("available_by=tomorrow", "available_by"),
    ],
)
def test_invalid_query_parameters_are_400_naming_them(anon, chain, harvested_lot, query, name):
    r = anon.get(f"/api/v1/supply?{query}")
    assert _names(_problem(r, 400)) == {name}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/lots?status=nonsense",
        "/api/v1/lots?asset=x",
        "/api/v1/lots?published=maybe",
        "/api/v1/product-groups?scope=all",
        "/api/v1/impact/top10?ease=-1",
        "/api/v1/impact/top10?impact=1e308",
    ],
)
def test_declared_parameter_types_and_values_are_enforced(client_for, chain, url):
    _problem(client_for(chain.owner_user).get(url), 400)


def test_an_empty_format_is_400_naming_the_formats(client_for, chain):
    # schemathesis: `passport.xlsx?format=` was answered 200 although the schema lists formats
    c = client_for(chain.owner_user)
    problem = _problem(c.get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx?format="), 400)
    assert _names(problem) == {"format"}
    assert c.get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx").status_code == 200


def test_valid_parameters_still_filter(client_for, chain, harvested_lot):
    c = client_for(chain.hub_operator_user)
    assert c.get("/api/v1/lots?published=ja&status=harvested&limit=1&offset=0").json()["count"] == 1
    assert c.get("/api/v1/supply?limit=100000").status_code == 200  # cut to the maximum


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nothing-here",
        "/api/v1/assets/12345678901234567890",  # beyond 64 bits: no object
        "/api/v1/lots/%C2%84",
        "/api/v1/assets/%0A/passport",
    ],
)
def test_unknown_api_paths_are_404_problems(client_for, chain, url):
    _problem(client_for(chain.owner_user).get(url), 404)


def test_undocumented_methods_are_still_405(client_for, chain):
    r = client_for(chain.owner_user).put("/api/v1/assets", b"", content_type="application/json")
    _problem(r, 405)
    assert "Allow" in r


def test_masses_stay_decimal_strings(client_for, chain, harvested_lot):
    c = client_for(chain.hub_operator_user)
    assert c.get(f"/api/v1/lots/{harvested_lot.code}").json()["mass_kg"] == "21000.000"
    assert c.get(f"/api/v1/hubs/{chain.hub.pk}").json()["held_kg"] == "21000.000"
