"""Documents attached to records (inspection certificates, permit decisions).

PDFs are kept under URBANMINE_DOCUMENTS_DIR, outside the static and web roots, under a
random name: they are served only by views that first check who may see the record they
belong to (`document_response`). Files are written when the record is saved; a rolled-back
transaction can leave an unreferenced file behind, never a record without its file."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils.translation import gettext as _


class DocumentStorage(FileSystemStorage):
    """File storage whose folder follows the setting (tests point it at a temporary one)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.URBANMINE_DOCUMENTS_DIR)

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(Path(self.base_location).resolve())


_storage = DocumentStorage()


def document_storage() -> DocumentStorage:
    """The storage of every document field (a callable keeps migrations free of paths)."""
    return _storage


def certificate_upload_to(instance, filename: str) -> str:
    return f"certificates/{uuid.uuid4().hex}.pdf"


def permit_upload_to(instance, filename: str) -> str:
    return f"permits/{uuid.uuid4().hex}.pdf"


def validate_pdf(upload, field: str) -> None:
    """A PDF of at most URBANMINE_DOCUMENT_MAX_BYTES, recognised by its header (the file
    name and the browser's content type are the user's word, not the file's)."""
    name = getattr(upload, "name", "") or "?"
    limit = settings.URBANMINE_DOCUMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                field: _("%(name)s is %(mb).1f MB; a document may be at most %(max)d MB.")
                % {"name": name, "mb": size / 1048576, "max": limit // 1048576}
            }
        )
    if size == 0:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": name}})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            {
                field: _("%(name)s is not a PDF file (attach the certificate as PDF).")
                % {"name": name}
            }
        )


def document_response(fieldfile, download_name: str) -> FileResponse:
    """The stored PDF as a download (never rendered inline by the browser from our origin)."""
    response = FileResponse(
        fieldfile.open("rb"),
        as_attachment=True,
        filename=download_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
