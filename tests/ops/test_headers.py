"""Security headers on pages and API answers: the Permissions-Policy switches off every
browser feature the site does not use, next to CSP, HSTS (over https), nosniff, referrer
policy and framing."""

from __future__ import annotations

import pytest
from django.test import Client

OFF = ("camera", "microphone", "geolocation", "payment", "usb", "bluetooth", "serial", "hid")


@pytest.fixture
def https_client(settings):
    """As behind the TLS proxy with URBANMINE_HTTPS=true (settings.py's values)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return Client(HTTP_X_FORWARDED_PROTO="https")


def _assert_security_headers(response) -> None:
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in OFF:
        assert policy[feature] == "()", feature
    assert set(policy.values()) == {"()"}  # nothing is allowed, not even for this site
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_a_page_carries_the_security_headers(https_client):
    response = https_client.get("/")
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_an_api_answer_carries_the_security_headers(https_client):
    response = https_client.get("/api/v1/product-groups")
    assert response.status_code == 200
    _assert_security_headers(response)
    problem = https_client.get("/api/v1/no-such-thing/")
    assert problem.status_code == 404
    _assert_security_headers(problem)


@pytest.mark.django_db
def test_plain_http_is_redirected_but_probes_are_not(https_client):
    plain = Client()
    assert plain.get("/").status_code == 301
    assert plain.get("/api/v1/product-groups").status_code == 301
    assert plain.get("/health/live").status_code == 200
    assert plain.get("/metrics").status_code == 404  # no token configured: no endpoint


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/health/live", HTTP_X_REQUEST_ID="abc-123.x_Y")["X-Request-ID"] == (
        "abc-123.x_Y"
    )
    replaced = client.get("/health/live", HTTP_X_REQUEST_ID="bad id\r\n")["X-Request-ID"]
    assert len(replaced) == 32 and replaced != "bad id"
    assert client.get("/health/live")["X-Request-ID"] != replaced
