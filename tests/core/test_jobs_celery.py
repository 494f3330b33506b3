"""Jobs on real Celery workers (`celery -A urbanmine worker` subprocesses) against Redis and
the test database: a job completes on one of two workers, and a worker killed mid-job
leaves its job failed within a minute (the surviving worker's reaper), never "running".

PostgreSQL only: the workers are other processes and must see the test database; the
SQLite test database lives in this process's memory. Skipped when Redis is not reachable,
failed instead when URBANMINE_REQUIRE_REDIS=1 (CI)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
REDIS_URL = os.environ.get("URBANMINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUE = f"urbanmine-test-{uuid.uuid4().hex[:8]}"  # this session's own queue
HEARTBEAT_S, STALE_S = 0.5, 3.0

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Celery workers are other processes: they need a database server (PostgreSQL)",
    ),
]


def _job_function(fn):
    from urbanmine.core.jobs import job_function

    return job_function(fn)


@_job_function
def steady_job(*, label: str, job_id: int, seconds: float) -> None:
    """A job that works `seconds` in small steps, reporting progress (a worker imports this
    module with `-I` so it may run it; only registered functions run)."""
    from django.apps import apps

    job = apps.get_model(label).objects.get(pk=job_id)
    try:
        steps = max(1, int(seconds / 0.1))
        for i in range(steps):
            job.report_progress(int(100 * i / steps), f"step {i}")
            time.sleep(0.1)
    except Exception as exc:
        job.finish(exc)
    else:
        job.finish()


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(name: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "URBANMINE_JOBS_INLINE": "false",
        "URBANMINE_JOB_HEARTBEAT_S": str(HEARTBEAT_S),
        "URBANMINE_JOB_STALE_S": str(STALE_S),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    cmd = [
        str(CELERY),
        "-A",
        "urbanmine",
        "worker",
        "-n",
        f"{name}@%h",
        "--pool=prefork",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=info",
        "-I",
        __name__,
    ]
    # A session of its own: SIGKILL to the group takes the pool's child with the worker.
    out = log.open("wb")
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def _kill(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two workers, w1 and w2, on this session's queue; stopped (and the queue deleted) at
    the end of the module."""
    if not _redis_reachable():
        if os.environ.get("URBANMINE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (URBANMINE_REQUIRE_REDIS=1)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    from urbanmine.core.tasks import app

    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_default_queue=QUEUE)
    logs = tmp_path_factory.mktemp("workers")
    procs = {name: _start_worker(name, logs / f"{name}.log") for name in ("w1", "w2")}
    host = socket.gethostname()
    pending = {f"{name}@{host}" for name in procs}
    deadline = time.monotonic() + 40
    while pending and time.monotonic() < deadline:
        for reply in app.control.ping(destination=sorted(pending), timeout=1.0):
            pending -= set(reply)
    if pending:
        for p in procs.values():
            _kill(p, signal.SIGKILL)
        pytest.fail(f"workers not ready: {pending}; logs in {logs}")
    yield procs
    for p in procs.values():
        _kill(p, signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            _kill(p, signal.SIGKILL)
            p.wait(5)
    import redis

    redis.Redis.from_url(REDIS_URL).delete(QUEUE)


@pytest.fixture
def on_workers(settings, workers):
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.URBANMINE_JOBS_INLINE = False
    settings.URBANMINE_JOB_HEARTBEAT_S = HEARTBEAT_S
    settings.URBANMINE_JOB_STALE_S = STALE_S
    return workers


@pytest.fixture
def demand_and_supply(chain, identified_lot):
    """10,000 bricks at the hub and a buyer's demand for 6,000 of them."""
    from django.utils import timezone

    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.services import lot_record_step
    from urbanmine.market.models import DemandRequest

    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    today = timezone.localdate()
    return DemandRequest.objects.create(
        project=chain.project,
        organisation=chain.buyer,
        product_group=chain.bricks,
        quantity=6000,
        unit="piece",
        min_quality="C",
        window_start=today,
        window_end=today + timedelta(days=60),
        max_distance_km=60,
    )


def _wait(job, until, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        time.sleep(0.1)
    raise AssertionError(f"{job} after {seconds} s: {job.status} {job.message!r} {job.worker!r}")


def _matching_run_completes(chain, demand, node_prefixes: tuple[str, ...]):
    from urbanmine.core.models import JobStatus
    from urbanmine.market.services import match_run_start

    run = match_run_start(actor=chain.matchmaker_user, solver="greedy")  # sent on commit
    assert run.task_id
    _wait(run, lambda r: r.is_finished, 30)
    assert run.status == JobStatus.DONE, run.message
    assert run.worker.startswith(node_prefixes), run.worker
    assert run.proposals.filter(demand=demand).exists() and run.active is None
    return run


@pytest.mark.django_db(transaction=True)
def test_a_matching_run_completes_on_one_of_two_workers(on_workers, chain, demand_and_supply):
    _matching_run_completes(chain, demand_and_supply, ("w1@", "w2@"))


@pytest.mark.django_db(transaction=True)
def test_cancel_on_workers_revokes_the_queued_and_stops_the_running(on_workers):
    from urbanmine.core.jobs import job_cancel, run_job
    from urbanmine.core.models import JobStatus
    from urbanmine.market.models import MatchRun

    busy = [MatchRun.objects.create() for _ in range(2)]  # one per worker
    for run in busy:
        run_job(run, steady_job, label="market.MatchRun", job_id=run.pk, seconds=20)
    for run in busy:
        _wait(run, lambda r: r.status == JobStatus.RUNNING, 20)
    waiting = MatchRun.objects.create()
    run_job(waiting, steady_job, label="market.MatchRun", job_id=waiting.pk, seconds=1)
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.QUEUED and waiting.task_id

    assert job_cancel(waiting)  # queued: ends now, its task revoked
    assert waiting.status == JobStatus.CANCELLED
    for run in busy:  # running: they stop at their next progress report
        assert job_cancel(run)
    for run in busy:
        _wait(run, lambda r: r.is_finished, 10)
        assert run.status == JobStatus.CANCELLED and run.progress < 100
    time.sleep(1)  # both workers are free: the cancelled task must still not run
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.CANCELLED and waiting.worker == ""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_its_job_failed_within_a_minute(
    on_workers, chain, demand_and_supply
):
    from django.conf import settings
    from django.utils import translation

    from urbanmine.core.jobs import run_job
    from urbanmine.core.models import JobStatus, stale_message
    from urbanmine.market.models import MatchRun

    run = MatchRun.objects.create(started_by=chain.matchmaker_user, active=True)
    run_job(run, steady_job, label="market.MatchRun", job_id=run.pk, seconds=30)
    _wait(run, lambda r: r.status == JobStatus.RUNNING and r.progress > 0, 20)
    holder = run.worker.split("@")[0]
    survivor = "w2" if holder == "w1" else "w1"
    _kill(on_workers[holder], signal.SIGKILL)
    on_workers[holder].wait(10)
    killed_at = time.monotonic()

    # Nobody here reaps: the surviving worker's reaper must notice the silence.
    _wait(run, lambda r: r.is_finished, 60)
    assert run.status == JobStatus.FAILED and run.active is None
    with translation.override(settings.LANGUAGE_CODE):  # the worker's language
        assert run.message == stale_message()
    assert time.monotonic() - killed_at < 60
    assert run.progress < 100  # it did not finish (nor was it run again elsewhere)

    # The slot is free and the survivor takes the next run.
    _matching_run_completes(chain, demand_and_supply, (f"{survivor}@",))
