"""A background import on PostgreSQL, as it runs for real: in a thread of its own, with
its own connection. Its store is one transaction, yet the status page sees its progress
batch by batch and a cancel gets through at once (the transaction holds no lock on the
job row), stopping it with nothing stored."""

import time

import pytest
from django.db import connection

from tests.lots.test_imports import files_left, inventory, upload
from urbanmine.lots import services
from urbanmine.lots.models import InventoryImport, LifecycleEvent, Lot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a job thread needs a shared database"
    ),
]


def _status(client, job):
    return client.get(f"/imports/{job.pk}/status/").json()


def _until(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_progress_shows_while_storing_and_a_cancel_gets_through(
    client, chain, settings, tmp_path, monkeypatch
):
    settings.URBANMINE_IMPORT_JOB_ROWS = 100
    settings.URBANMINE_JOBS_INLINE = False
    settings.CELERY_BROKER_URL = ""  # a thread of this process
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(services, "IMPORT_BATCH", 50)
    client.force_login(chain.owner_user)
    r = upload(client, chain.building, inventory(rows=20_000))
    assert r.status_code == 302
    job = InventoryImport.objects.get()

    def storing() -> bool:
        """The store has begun when the progress passes 60 %: written from outside its
        transaction (inside it, nobody would see it before the end)."""
        status = _status(client, job)
        assert not status["finished"], status
        return status["progress"] > 60

    _until(storing)
    started = time.monotonic()
    r = client.post(f"/imports/{job.pk}/cancel/")
    assert r.status_code == 302 and time.monotonic() - started < 5  # not held by the store
    _until(lambda: _status(client, job)["finished"])
    job.refresh_from_db()
    assert job.status == "cancelled" and job.cancel_requested, job.message
    assert not Lot.objects.exists() and not LifecycleEvent.objects.exists()
    assert files_left(tmp_path / "imports") == []
