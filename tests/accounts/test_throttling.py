"""Failed API authentications are throttled per address, and every throttle counts in the
shared cache (Redis or the database), not per worker process.

Before, 300 random tokens got 300 plain 401s; and the throttles counted in each process's
own memory."""

import secrets

from django.core.cache import CacheHandler, caches
from rest_framework.test import APIClient

from tests.support.tokens import api_key_for


def test_300_random_keys_are_throttled_and_other_addresses_are_not(chain):
    attacker = APIClient(REMOTE_ADDR="192.0.2.50")
    codes = []
    for _ in range(300):
        attacker.credentials(HTTP_AUTHORIZATION=f"Token {secrets.token_urlsafe(32)}")
        codes.append(attacker.get("/api/v1/assets"))
    assert [r.status_code for r in codes[:20]] == [401] * 20
    throttled = [r for r in codes if r.status_code == 429]
    assert len(throttled) == 280
    r = throttled[-1]
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 429 and r.json()["type"] == "urn:urbanmine:problem:throttled"
    assert 1 <= int(r["Retry-After"]) <= 60

    key = api_key_for(chain.owner_user)
    # a valid key from another address works
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.20")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert elsewhere.get("/api/v1/assets").status_code == 200
    # from the guessing address even a valid key waits
    attacker.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert attacker.get("/api/v1/assets").status_code == 429


def test_requests_without_a_key_are_not_counted_as_failures(chain):
    anonymous = APIClient(REMOTE_ADDR="192.0.2.51")
    for _ in range(30):
        assert anonymous.get("/api/v1/supply").status_code == 200


def test_the_rate_follows_the_setting(chain, settings):
    settings.URBANMINE_API_AUTH_FAILURE_RATE = "3/min"
    client = APIClient(REMOTE_ADDR="192.0.2.52")
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert [client.get("/api/v1/assets").status_code for _ in range(5)] == [401] * 3 + [429] * 2


def _cache_of_another_process():
    """A second, independent set of cache connections (a fresh CacheHandler builds new
    backend objects from settings.CACHES), as another gunicorn worker has."""
    other = CacheHandler()
    assert other["default"] is not caches["default"]
    return other["default"]


def test_the_cache_is_shared_between_processes(db, settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in (
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    ), "a per-process cache (LocMem) would count per worker"
    other = _cache_of_another_process()
    caches["default"].set("shared-probe", 42, 60)
    assert other.get("shared-probe") == 42


def test_the_api_throttle_counts_across_processes(chain):
    """DRF's anonymous throttle: requests counted through one process's cache connection
    are seen by another's, so N workers do not allow N times the rate."""
    from django.test import RequestFactory
    from rest_framework.request import Request
    from rest_framework.throttling import AnonRateThrottle

    other = _cache_of_another_process()

    class ThisWorker(AnonRateThrottle):
        rate = "5/min"

    class OtherWorker(AnonRateThrottle):
        rate = "5/min"
        cache = other

    request = Request(RequestFactory().get("/api/v1/supply", REMOTE_ADDR="192.0.2.60"))
    assert ThisWorker.cache is caches["default"] or ThisWorker.cache._alias == "default"
    assert all(ThisWorker().allow_request(request, None) for _ in range(5))
    assert OtherWorker().allow_request(request, None) is False


def test_the_failure_count_is_shared_across_processes(chain):
    from django.test import RequestFactory

    from urbanmine.accounts.throttling import AuthFailureThrottle

    request = RequestFactory().get("/api/v1/assets", REMOTE_ADDR="192.0.2.61")
    here = AuthFailureThrottle(request)
    for _ in range(20):
        here.record_failure()
    there = AuthFailureThrottle(request, cache=_cache_of_another_process())
    assert there.wait() is not None


def test_a_malformed_rate_fails_the_system_check(settings):
    from urbanmine.accounts.checks import api_auth_failure_rate

    assert api_auth_failure_rate(None) == []
    settings.URBANMINE_API_AUTH_FAILURE_RATE = "twenty a minute"
    assert [e.id for e in api_auth_failure_rate(None)] == ["accounts.E001"]
