"""Jobs without a broker: the claim, the heartbeat, stale jobs failed (never left running),
cancelling, and one matching run at a time (race-safe on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from urbanmine.core.jobs import execute_job, job_cancel, job_function, jobs_reap, run_job
from urbanmine.core.models import JobCancelled, JobStatus
from urbanmine.insight import services as insight
from urbanmine.insight.models import ForecastResult
from urbanmine.market.models import MatchRun
from urbanmine.market.services import match_run_cancel, match_run_execute, match_run_start

# Threads writing beside the test: SQLite's shared in-memory test database answers "table is
# locked" at once (no busy timeout, unlike the WAL file database of `make run`), so under load
# a job's own progress write can fail; these run on PostgreSQL (the second CI run).
THREADS_WRITE_BESIDE_THE_TEST = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="concurrent writers on SQLite's shared in-memory test database lock at once",
)


@job_function
def steady_job(*, label: str, job_id: int, seconds: float) -> None:
    """A job that works `seconds` in small steps, reporting progress (cancel points)."""
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


def unregistered_job(**kwargs) -> None:  # not decorated: must never run as a job
    raise AssertionError("ran")


@pytest.fixture
def jobs(settings):
    settings.URBANMINE_JOBS_INLINE = True
    settings.CELERY_BROKER_URL = ""
    settings.URBANMINE_JOB_HEARTBEAT_S = 0.2
    settings.URBANMINE_JOB_STALE_S = 60
    return settings


def _aged(run: MatchRun, seconds: float) -> None:
    then = timezone.now() - timedelta(seconds=seconds)
    MatchRun.objects.filter(pk=run.pk).update(created_at=then, heartbeat_at=then)


# ----------------------------------------------------------------------------- dispatch
@pytest.mark.django_db
def test_only_registered_functions_run_as_jobs(jobs):
    run = MatchRun.objects.create()
    with pytest.raises(ValueError, match="not a registered job function"):
        run_job(run, unregistered_job, run_id=run.id)
    assert not execute_job(
        "market.MatchRun", run.pk, f"{__name__}.unregistered_job", {}, worker="test/1"
    )
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and "unknown job function" in run.message


@pytest.mark.django_db
def test_a_job_is_claimed_once_and_records_its_worker(jobs):
    run = MatchRun.objects.create()
    kwargs = {"label": "market.MatchRun", "job_id": run.pk, "seconds": 0.1}
    assert execute_job(
        "market.MatchRun", run.pk, f"{__name__}.steady_job", kwargs, worker="w1@host/7"
    )
    run.refresh_from_db()
    assert (run.status, run.progress, run.worker) == (JobStatus.DONE, 100, "w1@host/7")
    # A second delivery of the same task (a redelivered message) runs nothing.
    assert not execute_job(
        "market.MatchRun", run.pk, f"{__name__}.steady_job", kwargs, worker="w2@host/8"
    )
    run.refresh_from_db()
    assert run.worker == "w1@host/7"


@job_function
def silent_job(*, label: str, job_id: int, seconds: float) -> None:
    """One long step without progress reports (like the solver): only the heartbeat shows
    that it is alive."""
    job = apps.get_model(label).objects.get(pk=job_id)
    time.sleep(seconds)
    job.finish()


@THREADS_WRITE_BESIDE_THE_TEST
@pytest.mark.django_db(transaction=True)
def test_a_thread_job_beats_while_it_works(jobs):
    """No broker, not inline: the job runs in a thread of this process with a heartbeat."""
    jobs.URBANMINE_JOBS_INLINE = False
    run = MatchRun.objects.create()
    run_job(run, silent_job, label="market.MatchRun", job_id=run.pk, seconds=1.5)
    time.sleep(1.6)  # (few reads meanwhile: the in-memory SQLite test database locks tables)
    deadline = time.monotonic() + 10
    while not run.is_finished and time.monotonic() < deadline:
        time.sleep(0.3)
        run.refresh_from_db()
    assert run.status == JobStatus.DONE and "(web)" in run.worker, (run.status, run.message)
    assert run.heartbeat_at - run.started_at >= timedelta(seconds=1.0)  # beat while silent


# ----------------------------------------------------------------------------- stale jobs
@pytest.mark.django_db
def test_a_running_job_without_heartbeat_is_failed_not_left_running(jobs):
    dead = MatchRun.objects.create(status=JobStatus.RUNNING, active=True, worker="w1@host/9")
    _aged(dead, 61)
    alive = MatchRun.objects.create(status=JobStatus.DONE)
    waiting = ForecastResult.objects.create(
        scenario=insight.reference_scenario_ensure(), task_id="abc"
    )  # queued for a worker: it waits, however long
    ForecastResult.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()
    call_command("jobs_reap", stdout=out)
    assert "1 stale job(s) marked failed" in out.getvalue()
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.active is None
    assert dead.message.startswith("The worker stopped")
    assert dead.finished_at is not None
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert alive.status == JobStatus.DONE and waiting.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_an_in_process_job_queued_in_a_process_that_died_is_failed(jobs):
    """Queued without a task (thread mode) and never claimed: its process is gone."""
    lost = MatchRun.objects.create(active=True)
    _aged(lost, 120)
    fresh = MatchRun.objects.create()
    assert jobs_reap() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == JobStatus.FAILED and fresh.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_polling_a_dead_run_shows_it_failed(jobs, chain, client):
    run = MatchRun.objects.create(status=JobStatus.RUNNING, active=True)
    _aged(run, 300)
    client.force_login(chain.buyer_user)
    body = client.get(f"/matching/runs/{run.pk}/status/").json()
    assert body["status"] == "failed" and body["finished"] is True
    html = client.get("/matching/").content.decode()
    assert f'data-run="{run.pk}" data-status="failed"' in html


@pytest.mark.django_db
def test_a_job_reaped_meanwhile_keeps_its_failure(jobs):
    """A worker that was presumed dead and then reports stops, and the reaper's word holds."""
    run = MatchRun.objects.create(status=JobStatus.RUNNING, active=True)
    _aged(run, 61)
    jobs_reap()
    with pytest.raises(Exception, match="Cancelled"):
        run.report_progress(50, "still here")
    run.finish()
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.active is None


# ----------------------------------------------------------------------------- cancel
@pytest.mark.django_db
def test_cancelling_a_queued_job_ends_it_and_it_never_runs(jobs, chain):
    run = MatchRun.objects.create(started_by=chain.matchmaker_user, active=True)
    assert match_run_cancel(run=run, actor=chain.matchmaker_user)
    assert run.status == JobStatus.CANCELLED and run.active is None and run.cancel_requested
    kwargs = {"run_id": run.pk}
    fn = "urbanmine.market.services.match_run_execute"
    assert not execute_job("market.MatchRun", run.pk, fn, kwargs, worker="w/1")
    run.refresh_from_db()
    assert run.status == JobStatus.CANCELLED and not run.proposals.exists()
    assert not match_run_cancel(run=run, actor=chain.matchmaker_user)  # ended already


@pytest.mark.django_db
def test_a_running_job_stops_at_its_next_progress_report(jobs, chain):
    run = MatchRun.objects.create(status=JobStatus.RUNNING, active=True)
    assert job_cancel(run)
    assert run.status == JobStatus.RUNNING and run.cancel_requested
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == JobStatus.CANCELLED and run.active is None
    assert run.message == "Cancelled on request."
    assert not run.proposals.exists()


@THREADS_WRITE_BESIDE_THE_TEST
@pytest.mark.django_db(transaction=True)
def test_cancelling_a_thread_job_stops_it_mid_way(jobs):
    jobs.URBANMINE_JOBS_INLINE = False
    run = MatchRun.objects.create()
    run_job(run, steady_job, label="market.MatchRun", job_id=run.pk, seconds=5)
    deadline = time.monotonic() + 5
    while run.status != JobStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    job_cancel(run)
    while not run.is_finished and time.monotonic() < deadline + 5:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == JobStatus.CANCELLED and run.progress < 100


@pytest.mark.django_db
def test_only_the_starter_or_a_matchmaker_cancels_a_run(jobs, chain, client):
    run = MatchRun.objects.create(started_by=chain.matchmaker_user, active=True)
    with pytest.raises(PermissionDenied):
        match_run_cancel(run=run, actor=chain.buyer_user)
    client.force_login(chain.buyer_user)
    assert client.post(f"/matching/runs/{run.pk}/cancel/").status_code == 403
    assert 'id="cancel-run-' not in client.get("/matching/").content.decode()
    run.refresh_from_db()
    assert run.status == JobStatus.QUEUED and not run.cancel_requested
    client.force_login(chain.matchmaker_user)
    assert f'id="cancel-run-{run.pk}"' in client.get("/matching/").content.decode()
    assert client.post(f"/matching/runs/{run.pk}/cancel/").status_code == 302
    assert client.get(f"/matching/runs/{run.pk}/status/").json()["status"] == "cancelled"


@pytest.mark.django_db
def test_the_province_cancels_a_running_forecast_from_the_dashboard(jobs, chain, client):
    scenario = insight.reference_scenario_ensure()
    result = ForecastResult.objects.create(
        scenario=scenario, status=JobStatus.RUNNING, heartbeat_at=timezone.now()
    )
    client.force_login(chain.outsider_user)
    assert client.post(f"/dashboard/forecasts/{result.pk}/cancel/").status_code == 403
    result.refresh_from_db()
    assert not result.cancel_requested
    client.force_login(chain.matchmaker_user)
    page = client.get(f"/dashboard/?scenario={scenario.pk}").content.decode()
    assert 'id="cancel-forecast"' in page
    r = client.post(f"/dashboard/forecasts/{result.pk}/cancel/")
    assert r.status_code == 302 and r["Location"].endswith(f"?scenario={scenario.pk}")
    result.refresh_from_db()
    assert result.cancel_requested and result.status == JobStatus.RUNNING
    with translation.override("en"), pytest.raises(Exception, match="Cancelled"):
        result.report_progress(50, "next step")
    result.finish(JobCancelled())
    fragment = client.get(f"/dashboard/forecasts/{result.pk}/status/").content.decode()
    assert 'data-status="cancelled"' in fragment and 'id="cancel-forecast"' not in fragment
    page = client.get(f"/dashboard/?scenario={scenario.pk}").content.decode()
    assert f"#{result.pk}" in page and 'data-status="cancelled"' in page


# ----------------------------------------------------------------------------- one at a time
@pytest.mark.django_db
def test_a_second_matching_run_is_refused_while_one_is_active(jobs, chain):
    first = match_run_start(actor=chain.matchmaker_user, solver="greedy")  # queued: no commit
    with pytest.raises(ValidationError) as refused:
        match_run_start(actor=chain.matchmaker_user, solver="greedy")
    assert f"{first.pk}" in str(refused.value)
    assert MatchRun.objects.count() == 1
    _aged(first, 120)  # its process died: the slot is free again, the dead run failed
    second = match_run_start(actor=chain.matchmaker_user, solver="greedy")
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED and second.active is True


@pytest.mark.django_db
def test_a_finished_run_frees_the_slot(jobs, chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = match_run_start(actor=chain.matchmaker_user, solver="greedy")
    first.refresh_from_db()
    assert first.status == JobStatus.DONE and first.active is None
    assert first.worker  # inline, in this process
    with django_capture_on_commit_callbacks(execute=True):
        second = match_run_start(actor=chain.matchmaker_user, solver="greedy")
    assert second.pk != first.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two real connections need PostgreSQL"
)
def test_two_matchmakers_starting_at_once_get_one_run(jobs, chain):
    jobs.URBANMINE_JOBS_INLINE = False  # queued only: no broker, thread jobs beside the test
    jobs.URBANMINE_JOB_HEARTBEAT_S = 10
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start() -> None:
        close_old_connections()
        try:
            barrier.wait()
            match_run_start(actor=chain.matchmaker_user, solver="greedy")
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append("refused: " + " ".join(e.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o[:2] for o in outcomes) == ["ok", "re"], outcomes
    run = MatchRun.objects.order_by("pk").first()
    assert MatchRun.objects.count() == 1 and str(run.pk) in next(o for o in outcomes if o != "ok")
    deadline = time.monotonic() + 20  # let its thread finish before the database is flushed
    while not run.is_finished and time.monotonic() < deadline:
        time.sleep(0.1)
        run.refresh_from_db()
