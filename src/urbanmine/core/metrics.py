"""Prometheus metrics at /metrics: django-prometheus's request metrics (its middleware pair,
first and last in MIDDLEWARE) and the background jobs read from their tables.

Only for `Authorization: Bearer <URBANMINE_METRICS_TOKEN>` (403 otherwise); without a token
configured the endpoint does not exist (404). Under gunicorn every worker writes its
counters to PROMETHEUS_MULTIPROC_DIR (set by urbanmine/gunicorn_conf.py), so one scrape sees
the sum over all workers, not the worker that happened to answer.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

import prometheus_client
from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Min
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from urbanmine.core.models import Job, JobStatus


def job_models() -> list[type[Job]]:
    """Every concrete job table (matching runs, forecasts, …), found through the app
    registry: the kernel names no higher app (the layers contract forbids the import)."""
    return sorted(
        (m for m in apps.get_models() if issubclass(m, Job) and not m._meta.proxy),
        key=lambda m: m._meta.label_lower,
    )


def _began(model: type[Job]):
    """When a job began running: `started_at` where the table records it (and it is set),
    else when it was created (queued: an upper bound of the running time)."""
    names = {f.name for f in model._meta.get_fields()}
    return Coalesce("started_at", "created_at") if "started_at" in names else F("created_at")


class JobsCollector:
    """Jobs per kind and status, and the age of the oldest running job per kind (0 when
    none runs): a job stuck in `running` shows as a growing age."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily(
            "urbanmine_jobs", "Background jobs by kind and status.", labels=["kind", "status"]
        )
        oldest = GaugeMetricFamily(
            "urbanmine_jobs_oldest_running_age_seconds",
            "Age of the oldest running job of each kind (0 when none runs).",
            labels=["kind"],
        )
        now = timezone.now()
        for model in job_models():
            kind = model._meta.label_lower
            manager = model._default_manager
            counts = dict(
                manager.order_by()
                .values_list("status")
                .annotate(n=Count("pk"))
                .values_list("status", "n")
            )
            for status in JobStatus.values:
                jobs.add_metric([kind, status], counts.get(status, 0))
            running = manager.filter(status=JobStatus.RUNNING)
            first = running.aggregate(first=Min(_began(model)))["first"]
            oldest.add_metric([kind], (now - first).total_seconds() if first else 0.0)
        yield jobs
        yield oldest


def metrics_token_valid(request: HttpRequest) -> bool:
    """`Authorization: Bearer <URBANMINE_METRICS_TOKEN>`, compared in constant time."""
    token = settings.URBANMINE_METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given, token)


def _process_metrics() -> bytes:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # set by gunicorn_conf.py for its workers
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return prometheus_client.generate_latest(registry)
    return prometheus_client.generate_latest(prometheus_client.REGISTRY)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.URBANMINE_METRICS_TOKEN:
        raise Http404
    if not metrics_token_valid(request):
        return HttpResponseForbidden()
    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(JobsCollector())  # type: ignore[arg-type]
    body = _process_metrics() + prometheus_client.generate_latest(jobs)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
