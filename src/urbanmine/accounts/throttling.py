"""Failed API authentications are counted per client address in the shared cache.

Guessing a key is then as slow as the rate allows (URBANMINE_API_AUTH_FAILURE_RATE, default
20 a minute), and the count is the same for every worker process, since the cache is
Redis or the database (settings: CACHES). Clients at other addresses are unaffected.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches

from .network import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'20/min' -> (20, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0].lower()]


class AuthFailureThrottle:
    """A sliding window of the failures' times under one cache key per address."""

    cache_alias = "default"

    def __init__(self, request, cache=None) -> None:
        self.cache = cache if cache is not None else caches[self.cache_alias]
        self.limit, self.window_s = parse_rate(settings.URBANMINE_API_AUTH_FAILURE_RATE)
        self.key = f"api-auth-failures:{client_ip(request)}"

    def _history(self, now: float) -> list[float]:
        history = self.cache.get(self.key) or []
        return [t for t in history if t > now - self.window_s]

    def wait(self) -> float | None:
        """Seconds until the address may try again, or None when it may now."""
        now = time.time()
        history = self._history(now)
        if len(history) < self.limit:
            return None
        return max(1.0, history[-1] + self.window_s - now)

    def record_failure(self) -> None:
        now = time.time()
        history = [now, *self._history(now)][: self.limit]
        self.cache.set(self.key, history, self.window_s)
