"""The Celery side of core/jobs.py: one task runs any registered job function, and every
worker reaps stale jobs periodically.

acks_late is off on purpose: the message is acknowledged when a worker starts the task, so
a worker killed mid-job loses it and the job ends failed (no heartbeat → `jobs_reap`)
instead of being delivered again and run a second time. The claim in `execute_job`
(queued → running, once) makes a redelivery harmless anyway."""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.signals import worker_ready, worker_shutdown

from urbanmine.celery import app

from .jobs import execute_job, reaper_start, worker_name

_reapers: list[Any] = []


@app.task(
    bind=True,
    name="urbanmine.core.run_job",
    acks_late=False,
    reject_on_worker_lost=False,
    ignore_result=True,
)
def run_job_task(
    self: Task, label: str, job_id: int, function: str, kwargs: dict[str, Any]
) -> bool:
    """Run the registered job `function(**kwargs)` for the job row `label`/`job_id`."""
    return execute_job(label, job_id, function, kwargs, worker=worker_name(self.request.hostname))


@worker_ready.connect
def _reaper_on_worker_ready(**_: Any) -> None:
    """Each worker fails stale jobs every half stale period (and once at start: jobs a
    previous worker left behind)."""
    _reapers.append(reaper_start())


@worker_shutdown.connect
def _reaper_on_worker_shutdown(**_: Any) -> None:
    for reaper in _reapers:
        reaper.stop.set()
