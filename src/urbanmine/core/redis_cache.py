"""Django's Redis cache backend, with one client per connection pool instead of one per
cache call.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every operation, and
each build fills a table of ~170 response callbacks: about 0.15 ms of CPU per call, four calls
per API request (throttle, cache). A `redis.Redis` is thread-safe (it takes a connection from
its pool per command), so one per pool serves every thread of a worker. Measured in-process on
the demo x10 (the token API's lot list and detail): see benchmarks/results/load.md.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
