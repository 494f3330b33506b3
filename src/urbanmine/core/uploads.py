"""Uploads are limited while they are read, not after: a file past the limit stops being
read into memory or onto disk at the first chunk over it (Django's own handlers come after
this one and never see that chunk). The view reads `request.upload_too_large`."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

#: Form fields and multipart overhead allowed on top of the file itself.
OVERHEAD_BYTES = 1024 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """A request announcing more than the limit is not parsed at all."""
        self.limit = settings.URBANMINE_MAX_UPLOAD_BYTES
        self.received = 0
        if content_length and content_length > self.limit + OVERHEAD_BYTES:
            self.request.upload_too_large = True
            return QueryDict(mutable=True), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
