"""Background jobs (matching runs, forecasts): dispatch, heartbeat, stale detection, cancel.

Three ways a job runs, chosen by settings (docs/development/jobs.md):

- `URBANMINE_JOBS_INLINE=true`: synchronously in the caller (tests, scripts);
- `CELERY_BROKER_URL` set: as a Celery task (`core/tasks.py`) on a worker;
- otherwise in a thread of the web process (the embedded `make run`).

Only functions registered with `@job_function` run as jobs; a task message names one by
its dotted path and a job row by its model label and id (JSON only, nothing pickled).
Every mode claims the row first (queued → running, once), so a job never runs twice; while
it runs a heartbeat refreshes `heartbeat_at`, and `jobs_reap` fails whatever stopped
beating (a killed worker, a restarted web process) instead of leaving it "running".
The dispatcher is generic: it knows jobs by the abstract `core.models.Job` only.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext

from .models import ACTIVE_STATUSES, Job, JobStatus, cancelled_message, stale_message

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_REGISTRY: dict[str, Callable[..., Any]] = {}


def _path(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def job_function(fn: F) -> F:
    """Register `fn` as a job: only registered functions may run from a task message."""
    _REGISTRY[_path(fn)] = fn
    return fn


def job_models() -> list[type[Job]]:
    """Every concrete model of a job kind (MatchRun, ForecastResult, ...)."""
    return [m for m in apps.get_models() if issubclass(m, Job)]


def worker_name(node: str | None = None) -> str:
    """Who holds a job: the Celery node (or the host) and the process id."""
    return f"{node or socket.gethostname()}/{os.getpid()}"[:200]


# ----------------------------------------------------------------------------- dispatch
def run_job(job: Job, fn: Callable[..., Any], *, inline: bool = False, **kwargs: Any) -> None:
    """Run `fn(**kwargs)` as the job `job` (a saved row, queued): inline (`inline=True` or
    URBANMINE_JOBS_INLINE), on a Celery worker or in a thread, per the settings. Call it
    after commit (`transaction.on_commit`) so a worker finds the row. `kwargs` must be JSON
    (ids, numbers, strings): they travel in the task message."""
    name = _path(fn)
    if _REGISTRY.get(name) is not fn:
        raise ValueError(f"{name} is not a registered job function (@job_function)")
    label = job._meta.label
    if inline or settings.URBANMINE_JOBS_INLINE:
        # The caller waits: progress reports are the heartbeat, no thread writes beside it.
        execute_job(label, job.pk, name, kwargs, worker=worker_name(), heartbeat=False)
        return
    if settings.CELERY_BROKER_URL:
        _send_to_worker(job, label, name, kwargs)
        return

    def target() -> None:
        close_old_connections()
        try:
            execute_job(label, job.pk, name, kwargs, worker=worker_name() + " (web)")
        except Exception:  # the job records its own failure; keep the thread quiet
            log.exception("background job %s failed", name)
        finally:
            connection.close()

    threading.Thread(target=target, daemon=True, name=f"urbanmine-job-{fn.__name__}").start()


def _send_to_worker(job: Job, label: str, name: str, kwargs: dict[str, Any]) -> None:
    from .tasks import run_job_task

    task_id = str(uuid.uuid4())
    model = type(job)
    model._default_manager.filter(pk=job.pk).update(  # cancel can revoke it
        task_id=task_id, message=gettext("Waiting for a worker…")
    )
    job.task_id = task_id
    try:
        run_job_task.apply_async(args=[label, job.pk, name, kwargs], task_id=task_id)
    except Exception as exc:  # the broker is down: say so on the job, do not leave it queued
        log.exception("could not queue job %s %s", label, job.pk)
        _end(
            model,
            job.pk,
            JobStatus.FAILED,
            gettext("The job queue could not be reached (%(e)s).") % {"e": exc},
        )


def execute_job(
    label: str,
    job_id: int,
    function: str,
    kwargs: dict[str, Any],
    *,
    worker: str,
    heartbeat: bool = True,
) -> bool:
    """Claim the job (queued → running, by one process only), run it with a heartbeat, and
    make sure it ends. False when it was not ours to run (cancelled, reaped, run already)."""
    model = apps.get_model(label)
    if not issubclass(model, Job):
        raise ValueError(f"{label} is not a job model")
    fn = _REGISTRY.get(function)
    if fn is None:
        _end(model, job_id, JobStatus.FAILED, f"unknown job function {function}")
        return False
    claimed = model._default_manager.filter(
        pk=job_id, status=JobStatus.QUEUED, cancel_requested=False
    ).update(
        status=JobStatus.RUNNING,
        worker=worker,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        log.info("job %s %s not claimed (no longer queued)", label, job_id)
        return False
    try:
        with _heartbeat(model, job_id) if heartbeat else _nothing():
            fn(**kwargs)
    except Exception as exc:  # the function records its own failures; this is the safety net
        _end(model, job_id, JobStatus.FAILED, str(exc))
        raise
    # A function that returned without ending its row must not leave it running.
    _end(model, job_id, JobStatus.FAILED, gettext("The job ended without a result."))
    return True


def _end(model: type[Job], job_id: int, status: str, message: str) -> int:
    """End a still-active job row (a conditional update: an ended row keeps its ending)."""
    return model._default_manager.filter(pk=job_id, status__in=ACTIVE_STATUSES).update(
        status=status, message=message[:500], finished_at=timezone.now(), **model.ENDED_FIELDS
    )


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _heartbeat(model: type[Job], job_id: int) -> Iterator[None]:
    """Refresh `heartbeat_at` every URBANMINE_JOB_HEARTBEAT_S from a thread of our own, so a
    job busy in one long step (the solver) still shows it is alive."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.URBANMINE_JOB_HEARTBEAT_S):
                try:
                    model._default_manager.filter(pk=job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a busy database: the next beat tries again
                    log.warning("heartbeat of %s %s failed", model._meta.label, job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, daemon=True, name=f"urbanmine-heartbeat-{job_id}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


# ----------------------------------------------------------------------------- stale jobs
def jobs_reap() -> int:
    """Fail every job whose worker stopped (no heartbeat for URBANMINE_JOB_STALE_S). Runs in
    every worker periodically, in `urbanmine jobs_reap`, and before one-at-a-time checks."""
    return sum(_reap(model) for model in job_models())


def _reap(model: type[Job], **filters: Any) -> int:
    n = (
        model._default_manager.filter(model.stale_filter(), **filters).update(
            status=JobStatus.FAILED,
            message=stale_message(),
            finished_at=timezone.now(),
            **model.ENDED_FIELDS,
        )
        or 0
    )
    if n:
        log.warning("%d stale %s job(s) marked failed", n, model._meta.label)
    return n


def job_reap_if_stale(job: Job) -> bool:
    """While a page reads or polls a job: fail it now when it went stale (no query when it
    is fine), so nobody watches a dead job "running"."""
    if not job.is_stale:
        return False
    reaped = bool(_reap(type(job), pk=job.pk))
    job.refresh_from_db()
    return reaped


class _Reaper(threading.Thread):
    """Runs `jobs_reap` every half stale period in a worker's main process."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="urbanmine-job-reaper")
        self.stop = threading.Event()

    def run(self) -> None:
        interval = max(1.0, settings.URBANMINE_JOB_STALE_S / 2)
        while True:
            try:
                jobs_reap()
            except DatabaseError:
                log.exception("reaping stale jobs failed")
            finally:
                connection.close()
            if self.stop.wait(interval):
                return


def reaper_start() -> _Reaper:
    reaper = _Reaper()
    reaper.start()
    return reaper


# ----------------------------------------------------------------------------- cancel
def job_cancel(job: Job) -> bool:
    """Ask a job to stop. A queued one ends now (its task revoked); a running one stops at
    its next progress report. False when it had ended already. Permission is the caller's."""
    model = type(job)
    ended = model._default_manager.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.CANCELLED,
        cancel_requested=True,
        message=cancelled_message(),
        finished_at=timezone.now(),
        **model.ENDED_FIELDS,
    )
    flagged = 0
    if ended:
        job.refresh_from_db()
        if job.task_id and settings.CELERY_BROKER_URL:
            _revoke(job.task_id)
    else:
        flagged = model._default_manager.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            cancel_requested=True
        )
        job.refresh_from_db()
    return bool(ended or flagged)


def _revoke(task_id: str) -> None:
    """Tell the workers to drop a queued task (the claim refuses it anyway if one runs)."""
    from .tasks import app

    try:
        app.control.revoke(task_id)
    except Exception:  # the row is cancelled; a worker that gets the task will not claim it
        log.warning("could not revoke task %s", task_id, exc_info=True)
