"""Uploads are limited while they are read: an oversized file is never read in full."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from urbanmine.lots.models import Lot

CSV = b"product_group;quantity;unit;mass_kg_per_unit;quality\nbricks-clay;10;stuks;2,1;B\n"


class Meter(FileUploadHandler):
    """Records how much of the upload reached the handlers after the limit (test only)."""

    seen = 0

    def receive_data_chunk(self, raw_data, start):
        Meter.seen += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def _post(client, chain, data: bytes):
    client.force_login(chain.owner_user)
    upload = SimpleUploadedFile("inventaris.csv", data, content_type="text/csv")
    return client.post(f"/assets/{chain.building.pk}/import/", {"file": upload})


MB = 1024 * 1024
ROW = b"bricks-clay;10;stuks;2,1;B\n"


def _rows(n_bytes: int) -> bytes:
    return CSV + ROW * (n_bytes // len(ROW))


def test_a_file_over_the_limit_stops_being_read_at_the_limit(client, chain, settings):
    """1.5 MB against a 1 MB limit: parsed chunk by chunk, stopped at the first chunk over."""
    settings.URBANMINE_MAX_UPLOAD_BYTES = MB
    settings.FILE_UPLOAD_HANDLERS = [
        *settings.FILE_UPLOAD_HANDLERS,
        "tests.core.test_uploads.Meter",
    ]
    Meter.seen = 0
    r = _post(client, chain, _rows(3 * MB // 2))
    assert r.status_code == 413
    assert "1 MB" in r.context["upload_error"]
    assert Meter.seen <= MB  # Django's own handlers (memory, disk) never got the rest
    assert not Lot.objects.exists()


def test_a_request_announcing_far_more_than_the_limit_is_not_parsed(client, chain, settings):
    settings.URBANMINE_MAX_UPLOAD_BYTES = MB
    settings.FILE_UPLOAD_HANDLERS = [
        *settings.FILE_UPLOAD_HANDLERS,
        "tests.core.test_uploads.Meter",
    ]
    Meter.seen = 0
    r = _post(client, chain, _rows(3 * MB))
    assert r.status_code == 413
    assert Meter.seen == 0


def test_a_file_within_the_limit_is_read(client, chain, settings):
    settings.URBANMINE_MAX_UPLOAD_BYTES = MB
    r = _post(client, chain, CSV)
    assert r.status_code == 200
    assert r.context["result"].rows


def test_the_api_answers_413_for_a_file_over_the_limit(client_for, chain, settings):
    settings.URBANMINE_MAX_UPLOAD_BYTES = MB
    c = client_for(chain.owner_user)
    upload = SimpleUploadedFile("inventaris.csv", _rows(3 * MB // 2), content_type="text/csv")
    r = c.post(f"/api/v1/assets/{chain.building.pk}/inventory", {"file": upload})
    assert r.status_code == 413
    assert r["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in r.json()["invalid_params"]] == ["file"]
    assert not Lot.objects.exists()
