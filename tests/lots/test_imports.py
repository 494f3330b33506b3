"""Large inventories run as a background job (lots.InventoryImport): the page and the API
queue them, the job parses, checks and stores all or nothing, reports progress, honours a
cancel between batches and removes its upload. Small files keep the request's own import."""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from urbanmine.core.jobs import jobs_reap
from urbanmine.lots import services
from urbanmine.lots.models import InventoryImport, LifecycleEvent, Lot

HEADER = "productgroep;omschrijving;aantal;eenheid;massa_kg_per_eenheid;kwaliteit;gevaarlijk;vrijkomdatum\n"
THRESHOLD = 20
ROWS = 50


def inventory(rows: int = ROWS, bad_row: int | None = None) -> str:
    """`rows` data rows (row numbers as in the file: the header is row 1); `bad_row` gets a
    negative quantity."""
    lines = [HEADER]
    for i in range(2, rows + 2):
        quantity = "-4" if i == bad_row else str(100 + i % 500)
        if i % 2:
            lines.append(f"bricks-clay;Baksteen {i};{quantity};stuks;2,1;B;nee;01-03-2027\n")
        else:
            lines.append(f"steel-beams;HEA {i};{quantity};m;42;A;ja;\n")
    return "".join(lines)


def upload(client, asset, text, name="inventaris-groot.csv", **extra):
    return client.post(
        f"/assets/{asset.pk}/import/",
        {"file": SimpleUploadedFile(name, text.encode("cp1252")), **extra},
    )


def api_upload(client, asset, text, **extra):
    return client.post(
        f"/api/v1/assets/{asset.pk}/inventory",
        {"file": SimpleUploadedFile("inventaris-groot.csv", text.encode("utf-8-sig")), **extra},
        format="multipart",
    )


def lot_facts(lots) -> Counter:
    return Counter(
        (
            lot.product_group.code,
            lot.description,
            lot.quantity,
            lot.unit,
            lot.mass_kg_per_unit,
            lot.quality,
            lot.has_other_hazard,
            lot.is_published,
            lot.expected_release_date,
            lot.status,
        )
        for lot in lots
    )


@pytest.fixture
def jobs(settings, tmp_path):
    settings.URBANMINE_IMPORT_JOB_ROWS = THRESHOLD
    settings.URBANMINE_JOBS_INLINE = True
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


def files_left(import_dir) -> list:
    return list(import_dir.iterdir()) if import_dir.exists() else []


# ------------------------------------------------------------------------------ the page
def test_page_imports_a_large_file_as_a_job_storing_what_the_request_would(
    client, chain, jobs, settings, django_capture_on_commit_callbacks
):
    client.force_login(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, chain.building, inventory())
    job = InventoryImport.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/imports/{job.pk}/"
    assert job.status == "done" and job.progress == 100, job.message
    assert (job.started_by, job.organisation, job.asset) == (
        chain.owner_user,
        chain.owner,
        chain.building,
    )
    assert job.stored == ROWS == job.rows and job.source_name == "inventaris-groot.csv"
    assert sorted(job.lot_codes) == sorted(Lot.objects.values_list("code", flat=True))
    assert LifecycleEvent.objects.count() == 2 * ROWS
    assert f"{ROWS} " in job.message and "inventaris-groot.csv" in job.message
    assert files_left(jobs) == [] and job.file_name == ""
    by_job = lot_facts(Lot.objects.select_related("product_group"))

    page = client.get(r["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="import-result"' in body and "inventaris-groot.csv" in body
    assert "cancel-import" not in body  # ended: nothing to cancel
    status = client.get(f"/imports/{job.pk}/status/").json()
    assert status["status"] == "done" and status["finished"] and status["progress"] == 100
    # the import page lists it
    assert (
        f"/imports/{job.pk}/" in client.get(f"/assets/{chain.building.pk}/import/").content.decode()
    )

    # the same file within the request (threshold raised): the same lots
    settings.URBANMINE_IMPORT_JOB_ROWS = 10_000
    Lot.objects.update(description="from the job")
    r = upload(client, chain.building, inventory())
    assert r.status_code == 200 and InventoryImport.objects.count() == 1
    r = client.post(f"/assets/{chain.building.pk}/import/", {"token": r.context["token"]})
    assert r.status_code == 302
    inline = Lot.objects.exclude(description="from the job").select_related("product_group")
    assert lot_facts(inline) == by_job


def test_a_file_with_errors_fails_storing_nothing_and_shows_its_issues(
    client, chain, jobs, django_capture_on_commit_callbacks
):
    client.force_login(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, chain.building, inventory(bad_row=37))
    job = InventoryImport.objects.get()
    assert job.status == "failed" and job.message.startswith("1 ")
    assert job.issues["error_count"] == 1 and job.issues["errors"][0]["row"] == 37
    assert not Lot.objects.exists() and files_left(jobs) == []
    body = client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in body and ">37<" in body and "aantal" in body
    assert 'id="import-result"' not in body


def test_cancel_while_queued_ends_it_removes_the_file_and_it_never_runs(
    client, chain, jobs, django_capture_on_commit_callbacks
):
    client.force_login(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        r = upload(client, chain.building, inventory())
    job = InventoryImport.objects.get()
    assert job.status == "queued" and len(files_left(jobs)) == 1
    body = client.get(r["Location"]).content.decode()
    assert 'id="cancel-import"' in body and "lots/import_job.js" in body
    assert "<script>" not in body  # CSP: no inline script
    r = client.post(f"/imports/{job.pk}/cancel/")
    assert r.status_code == 302 and r["Location"] == f"/imports/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "cancelled" and files_left(jobs) == [] and job.file_name == ""
    for callback in queued:  # the dispatch after commit: the job is no longer queued
        callback()
    job.refresh_from_db()
    assert job.status == "cancelled" and not Lot.objects.exists()
    r = client.post(f"/imports/{job.pk}/cancel/")  # again: it had ended already
    assert r.status_code == 302


def test_cancel_while_storing_rolls_back_every_batch(
    client, chain, jobs, monkeypatch, django_capture_on_commit_callbacks
):
    """The starter cancels while the store runs: the job notices at its next batch, and the
    batches it stored already are rolled back with it."""
    monkeypatch.setattr(services, "IMPORT_BATCH", 10)
    checks = {"n": 0, "cancelled": False}

    def cancel_on_the_seventh_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        is_check = (
            sql.lstrip().upper().startswith("SELECT")
            and "lots_inventoryimport" in sql
            and "cancel_requested" in sql
            and "progress" not in sql  # the check reads status and cancel_requested only
        )
        if is_check and not checks["cancelled"]:
            checks["n"] += 1
            if checks["n"] == 7:  # 5 checks of 10 validated rows, then 2 stored batches
                checks["cancelled"] = True
                assert Lot.objects.count() == 20  # two batches stored, in the transaction
                job = InventoryImport.objects.get()
                assert services.inventory_import_cancel(job=job, actor=chain.owner_user)
        return result

    client.force_login(chain.owner_user)
    with (
        connection.execute_wrapper(cancel_on_the_seventh_check),
        django_capture_on_commit_callbacks(execute=True),
    ):
        upload(client, chain.building, inventory())
    job = InventoryImport.objects.get()
    assert checks["cancelled"]
    assert job.status == "cancelled", job.message
    assert not Lot.objects.exists() and not LifecycleEvent.objects.exists()
    assert job.stored == 0 and job.lot_codes == [] and files_left(jobs) == []


def test_small_files_stay_within_the_request(client, chain, jobs):
    client.force_login(chain.owner_user)
    r = upload(client, chain.building, inventory(rows=THRESHOLD))
    assert r.status_code == 200 and r.context["token"]
    assert not InventoryImport.objects.exists() and not Lot.objects.exists()


# ------------------------------------------------------------------------------ the API
def test_api_answers_202_and_the_status_url_gives_the_result(
    client_for, chain, jobs, django_capture_on_commit_callbacks
):
    c = client_for(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = api_upload(c, chain.building, inventory())
    job = InventoryImport.objects.get()
    url = f"http://testserver/api/v1/inventory-imports/{job.pk}"
    assert r.status_code == 202 and r["Location"] == url
    assert r.json() == {"id": job.pk, "status": "queued", "status_url": url}
    r = c.get(url)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "done" and body["finished"] and body["progress"] == 100
    result = body["result"]
    assert result["valid"] and result["rows"] == ROWS and result["stored"] == ROWS
    assert sorted(result["lots"]) == sorted(Lot.objects.values_list("code", flat=True))
    assert result["errors"] == [] and result["mass_kg"] > 0


def test_api_dry_run_and_errors_of_a_large_file(
    client_for, chain, jobs, django_capture_on_commit_callbacks
):
    c = client_for(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = api_upload(c, chain.building, inventory(), dry_run="true")
    assert r.status_code == 202
    result = c.get(r["Location"]).json()["result"]
    assert result["valid"] and result["rows"] == ROWS and result["stored"] == 0
    assert not Lot.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = api_upload(c, chain.building, inventory(bad_row=12))
    body = c.get(r["Location"]).json()
    assert body["status"] == "failed" and not body["result"]["valid"]
    assert [(e["row"], e["column"]) for e in body["result"]["errors"]] == [(12, "aantal")]
    assert not Lot.objects.exists() and files_left(jobs) == []


def test_api_small_files_keep_their_synchronous_answers(client_for, chain, jobs):
    c = client_for(chain.owner_user)
    r = api_upload(c, chain.building, inventory(rows=5))
    assert r.status_code == 201 and r.json()["stored"] == 5
    assert not InventoryImport.objects.exists()


# ------------------------------------------------------------------------------ permissions
def test_who_starts_sees_and_cancels_an_import(
    client, client_for, anon, chain, jobs, django_capture_on_commit_callbacks
):
    outsider = client_for(chain.outsider_user)
    assert api_upload(outsider, chain.building, inventory()).status_code == 404
    client.force_login(chain.outsider_user)
    assert upload(client, chain.building, inventory()).status_code == 404
    assert not InventoryImport.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        r = api_upload(client_for(chain.owner_user), chain.building, inventory())
    job = InventoryImport.objects.get()
    for path in (f"/imports/{job.pk}/", f"/imports/{job.pk}/status/"):
        assert client.get(path).status_code == 404  # the outsider
    assert client.post(f"/imports/{job.pk}/cancel/").status_code == 404
    assert outsider.get(r["Location"]).status_code == 404
    assert anon.get(r["Location"]).status_code == 401

    client.force_login(chain.matchmaker_user)  # platform-wide: sees it, does not cancel it
    assert client.get(f"/imports/{job.pk}/").status_code == 200
    assert client_for(chain.matchmaker_user).get(r["Location"]).status_code == 200
    assert client.post(f"/imports/{job.pk}/cancel/").status_code == 403
    job.refresh_from_db()
    assert job.status == "queued" and not job.cancel_requested


def test_files_of_jobs_that_never_ran_go_with_the_next_import(
    client_for, chain, jobs, settings, django_capture_on_commit_callbacks
):
    c = client_for(chain.owner_user)
    with django_capture_on_commit_callbacks(execute=False):  # its process dies before it runs
        api_upload(c, chain.building, inventory())
    job = InventoryImport.objects.get()
    settings.URBANMINE_JOB_STALE_S = 0
    assert jobs_reap() == 1
    settings.URBANMINE_JOB_STALE_S = 60
    orphan = jobs / f"{'0' * 32}.csv"  # a day old, its row gone
    orphan.write_text("x")
    os.utime(orphan, (time.time() - 2 * 86400,) * 2)
    assert len(files_left(jobs)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        api_upload(c, chain.building, inventory())
    job.refresh_from_db()
    assert job.status == "failed" and job.file_name == ""
    assert files_left(jobs) == [] and Lot.objects.count() == ROWS
