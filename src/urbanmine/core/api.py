"""REST plumbing shared by every app's `api.py`: pagination, export renderers, the base
viewset mixin and OpenAPI helpers. Errors become application/problem+json through the
project-wide handler (`REST_FRAMEWORK["EXCEPTION_HANDLER"]`, in the `api` app)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.utils import encoders

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
GEOJSON_CONTENT_TYPE = "application/geo+json"


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class ApiViewMixin:
    # Refuses NUL characters in query parameters up front: PostgreSQL cannot hold them in
    # text, and a filter on one would otherwise answer 500 instead of 400. Pagination is the
    # project default (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]). No docstring on purpose:
    # drf-spectacular would publish it as the description of every operation.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        for name, values in request.query_params.lists():
            if any("\x00" in v for v in values):
                raise ValidationError({name: _("Null characters are not allowed.")})


class ExportRenderer(BaseRenderer):
    """Passes export bytes through; error bodies (problem details) are rendered as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, cls=encoders.JSONEncoder).encode("utf-8")


class XLSXRenderer(ExportRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class GeoJSONRenderer(ExportRenderer):
    media_type = GEOJSON_CONTENT_TYPE
    format = "geojson"


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def param(name: str, description: str, type_=str, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, enum=enum)


def truthy(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in ("1", "true", "yes", "ja")


def is_id(value: str) -> bool:
    """An ASCII digit string (str.isdigit also accepts "²", which int() refuses)."""
    return value.isascii() and value.isdigit()


PROBLEM = OpenApiResponse(description="Problem details (application/problem+json).")
PROTECTED_ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM}
