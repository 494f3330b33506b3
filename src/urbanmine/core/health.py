"""Health endpoints for load balancers, systemd and monitoring (django-health-check).

- `/health/live`: the process answers (no database, no cache): restart it when this fails.
- `/health/ready`: it can serve: the database, the shared cache, the Celery broker (when
  `CELERY_BROKER_URL` is set) and free disk under URBANMINE_VAR_DIR; 503 when one fails,
  so a load balancer sends no traffic to it.

Anonymous callers see only `{"status": "ok"}` or `{"status": "unavailable"}`; staff users
and the metrics token's bearer also see each check's result (no internals for the public).
`urbanmine health_check health-ready --no-http` runs the same checks from a shell.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import psutil
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from health_check import Cache, Database, HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from urbanmine.core.metrics import metrics_token_valid


@dataclasses.dataclass
class DiskSpace(HealthCheck):
    """Free space on the disk holding URBANMINE_VAR_DIR (static files, the SQLite database,
    the generated key, dumps) is at least URBANMINE_HEALTH_MIN_FREE_MB."""

    min_free_mb: int = dataclasses.field(
        default_factory=lambda: settings.URBANMINE_HEALTH_MIN_FREE_MB, repr=False
    )

    def run(self) -> None:
        free_mb = psutil.disk_usage(str(settings.VAR_DIR)).free // (1024 * 1024)
        if free_mb < self.min_free_mb:
            raise ServiceUnavailable(f"{free_mb} MB free, below {self.min_free_mb} MB")


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection, so jobs started by the web can be queued; whether a
    worker is running is the worker's own service's business (systemd restarts it)."""

    def run(self) -> None:
        from kombu import Connection

        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as e:  # kombu raises the transport's own errors
            raise ServiceUnavailable("broker unreachable") from e


class ReadinessView(HealthCheckView):
    """Every check runs (concurrently); 200 when all pass, 503 otherwise."""

    def get_checks(self) -> Iterator[HealthCheck]:
        checks: list[HealthCheck] = [Database(), Cache(), DiskSpace()]
        if getattr(settings, "CELERY_BROKER_URL", ""):
            checks.append(CeleryBroker())
        yield from checks

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        healthy = not any(result.error for result in self.results)
        body: dict = {"status": "ok" if healthy else "unavailable"}
        if metrics_token_valid(request) or getattr(await request.auser(), "is_staff", False):
            body["checks"] = {
                repr(result.check): str(result.error) if result.error else "OK"
                for result in self.results
            }
        return JsonResponse(body, status=200 if healthy else 503)


@require_safe
def liveness(request: HttpRequest) -> JsonResponse:
    """The process is up and answers; deliberately touches nothing else."""
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


readiness = ReadinessView.as_view()
