"""The client's IP address, as the sign-in lockout and the API's failure throttle count it.

Only `REMOTE_ADDR` by default: X-Forwarded-For is written by the client and would let an
attacker pick a fresh address per attempt. Behind N reverse proxies that append to
X-Forwarded-For (URBANMINE_PROXY_COUNT=N), the address the outermost proxy saw is used.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.URBANMINE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
