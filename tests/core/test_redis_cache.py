"""The Redis cache backend reuses one client per connection pool (core/redis_cache.py) and
still behaves as Django's: values round-trip, counters count, threads share it."""

from __future__ import annotations

import os
import threading

import pytest
import redis

URL = os.environ.get("URBANMINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("URBANMINE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {URL} (URBANMINE_REQUIRE_REDIS=1)")
        pytest.skip(f"Redis is not reachable at {URL}")
    from urbanmine.core.redis_cache import RedisCache

    backend = RedisCache(URL, {"KEY_PREFIX": "urbanmine-test-reuse"})
    yield backend
    backend.clear()


def test_one_client_per_pool(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: one pool


def test_values_and_counters_behave_as_djangos(cache):
    cache.set("lot", {"code": "L-1", "kg": 2.5}, 60)
    assert cache.get("lot") == {"code": "L-1", "kg": 2.5}
    cache.set("n", 0, 60)
    errors = []

    def bump():
        try:
            for _ in range(50):
                cache.incr("n")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.get("n") == 200
