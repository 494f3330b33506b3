"""REST plumbing shared by every app's `api.py`: the JSON parser, pagination, export
renderers, the base viewset mixin and OpenAPI helpers. Errors become application/problem+json
through the project-wide handler (`REST_FRAMEWORK["EXCEPTION_HANDLER"]`, in the `api` app).

What every endpoint refuses with a 400 before its own code runs (`ApiViewMixin`, the parser
and the pagination), so that no input a client can send answers 500:

* a JSON body that is not an object, nested deeper than `MAX_JSON_DEPTH`, or that holds a
  NUL character or a number that is not finite (`1e309`, `NaN`; an integer of more than 308
  digits) — the last two name the field;
* an empty body on POST, PUT or PATCH;
* a query parameter given twice (`?limit=1&limit=2`), holding a NUL character, or not of the
  type or among the values its OpenAPI declaration gives (`?quality=D`, `?asset=x`).
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from auditlog.context import auditlog_value
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponse, QueryDict
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
GEOJSON_CONTENT_TYPE = "application/geo+json"

# No request of this API nests deeper than 3; anything past this is refused, not parsed.
MAX_JSON_DEPTH = 32
# Ids are 64-bit in both databases: a larger one is no object.
MAX_ID = 2**63 - 1
# Offsets beyond this page past any real result set (and would overflow the query).
MAX_OFFSET = 2**31 - 1


def _nul_message() -> str:
    return _("Null characters are not allowed.")


def _non_finite_message() -> str:
    return _("Give a finite number (at most 1e308 in size).")


# ------------------------------------------------------------------------------ request bodies


def _big_int(text: str) -> int | float:
    """json's parse_int: an integer no float can hold becomes infinity, refused by field."""
    if len(text.lstrip("-")) > 308:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def _walk(data: Any) -> Iterator[tuple[str, Any, int]]:
    """(dotted path, value, depth) of every value and key in a parsed JSON document,
    iteratively (a deep document must not exhaust the stack)."""
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        yield path, value, depth
        if depth >= MAX_JSON_DEPTH:
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                yield name, key, depth + 1  # keys are checked like values
                stack.append((name, item, depth + 1))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((f"{path}.{i}" if path else str(i), item, depth + 1))


def check_json_document(data: Any) -> None:
    """Refuses a parsed request body that is not a JSON object, is nested too deep, or holds
    a NUL character or a number that is not finite (the last two name the field)."""
    if not isinstance(data, dict):
        raise ParseError(_("The request body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    for path, value, depth in _walk(data):
        if depth >= MAX_JSON_DEPTH and isinstance(value, dict | list) and value:
            raise ParseError(
                _("The request body is nested deeper than %(depth)d levels.")
                % {"depth": MAX_JSON_DEPTH}
            )
        name = path or "nonFieldErrors"
        if isinstance(value, str) and "\x00" in value:
            errors.setdefault(name, [_nul_message()])
        elif isinstance(value, float) and not math.isfinite(value):
            errors.setdefault(name, [_non_finite_message()])
    if errors:
        raise ValidationError(errors)


class JSONObjectParser(JSONParser):
    """JSON request bodies: one object, not too deep, without NUL characters or infinite
    numbers. Everything else is a 400 problem, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(
                text,
                parse_int=_big_int,
                parse_constant=float,  # NaN, Infinity: refused below, by field name
            )
        except RecursionError:
            raise ParseError(
                _("The request body is nested deeper than %(depth)d levels.")
                % {"depth": MAX_JSON_DEPTH}
            ) from None
        except ValueError as exc:  # UnicodeDecodeError included
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        check_json_document(data)
        return data


def _check_form(data: QueryDict) -> None:
    errors = {
        name: [_nul_message()]
        for name, values in data.lists()
        if "\x00" in name or any(isinstance(v, str) and "\x00" in v for v in values)
    }
    if errors:
        raise ValidationError(errors)


# ------------------------------------------------------------------------------ query strings


def _is_int(value: str, max_digits: int = 19) -> bool:
    digits = value[1:] if value[:1] in "-+" else value
    return digits.isascii() and digits.isdigit() and len(digits) <= max_digits


def _is_float(value: str) -> bool:
    if len(value) > 100:
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _is_date(value: str) -> bool:
    try:
        return parse_date(value) is not None
    except ValueError:
        return False


BOOLEAN_WORDS = {"true", "false", "1", "0", "yes", "no", "ja", "nee"}

TYPE_CHECKS = {
    int: _is_int,
    OpenApiTypes.INT: _is_int,
    float: _is_float,
    OpenApiTypes.FLOAT: _is_float,
    OpenApiTypes.NUMBER: _is_float,
    bool: lambda value: value.lower() in BOOLEAN_WORDS,
    OpenApiTypes.BOOL: lambda value: value.lower() in BOOLEAN_WORDS,
    OpenApiTypes.DATE: _is_date,
}


def _matches(value: str, type_: Any) -> bool:
    """The value reads as the declared type: a Python or OpenApiTypes type, or a schema dict
    (`{"type": "number", "minimum": 0, "maximum": 100}`)."""
    if not isinstance(type_, dict):
        return TYPE_CHECKS.get(type_, lambda v: True)(value)
    kind = {"number": float, "integer": int, "boolean": bool}.get(type_.get("type", ""))
    if kind is None:
        return True
    if not TYPE_CHECKS[kind](value):
        return False
    if kind is bool:
        return True
    number = int(value) if kind is int else float(value)  # exact for 64-bit ids
    return type_.get("minimum", number) <= number <= type_.get("maximum", number)


def _declared_query_parameters(view, request) -> list[OpenApiParameter]:
    """The query parameters the view's OpenAPI declaration (`extend_schema(parameters=…)`)
    gives for this request's action and method: the same list the schema publishes."""
    handler = getattr(view, getattr(view, "action", None) or request.method.lower(), None)
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    if not isinstance(schema_class, type):
        return []
    inspector = schema_class()
    inspector.view = view
    inspector.method = request.method
    return [
        p
        for p in inspector.get_override_parameters()
        if isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
    ]


def check_query(query: QueryDict, parameters: Iterable[OpenApiParameter]) -> None:
    """Refuses a query parameter given more than once, holding a NUL character, or not of
    its declared type or among its declared values."""
    errors: dict[str, list[str]] = {}
    for name, values in query.lists():
        if any("\x00" in v for v in values) or "\x00" in name:
            errors[name] = [_nul_message()]
        elif len(values) > 1:
            errors[name] = [_("Give this parameter once.")]
    for p in parameters:
        value = query.get(p.name)
        if value is None or p.name in errors:
            continue
        if p.enum and value not in p.enum:
            errors[p.name] = [
                _("Give one of: %(values)s.") % {"values": ", ".join(map(str, p.enum))}
            ]
        elif not _matches(value, p.type):
            errors[p.name] = [_("This is not a valid value for this parameter.")]
    if errors:
        raise ValidationError(errors)


# ------------------------------------------------------------------------------ views


class Pagination(LimitOffsetPagination):
    # `limit` and `offset` are whole numbers, given once: anything else is a 400 naming the
    # parameter (DRF's default silently pages with the default instead). A limit above
    # `max_limit` is cut to it.
    default_limit = 50
    max_limit = 500

    def _number(self, request, name: str, minimum: int, maximum: int | None) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            raise ValidationError({name: [_("Give this parameter once.")]})
        value = values[0]
        if not _is_int(value, max_digits=1000) or int(value) < minimum:
            raise ValidationError(
                {name: [_("Give a whole number of at least %(minimum)d.") % {"minimum": minimum}]}
            )
        if maximum is not None and int(value) > maximum:
            raise ValidationError(
                {name: [_("Give a whole number of at most %(maximum)d.") % {"maximum": maximum}]}
            )
        return int(value)

    def get_limit(self, request):
        limit = self._number(request, self.limit_query_param, 1, None)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self._number(request, self.offset_query_param, 0, MAX_OFFSET) or 0

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["schema"] = {"type": "integer", "minimum": 1}
        offset["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}
        return [limit, offset]


class ApiViewMixin:
    # Checks the request before the view runs (after authentication, permissions and
    # throttling): the query parameters against the view's OpenAPI declaration, and the body
    # of a POST, PUT or PATCH (parsed here, so a malformed body is a 400 before any work). A
    # NUL character anywhere is refused: PostgreSQL cannot hold it in text. Pagination is
    # the project default (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]). No docstring on
    # purpose: drf-spectacular would publish it as the description of every operation.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        audit_actor_from_api(request)
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):  # type: ignore[attr-defined]
            return  # 405, from the dispatch
        check_query(request.query_params, _declared_query_parameters(self, request))
        _check_format(request, self)
        if request.method in ("POST", "PUT", "PATCH"):
            if not request.stream:  # DRF reads an empty body as {}: it is not a JSON object
                raise ParseError(_("The request body is empty."))
            try:
                data = request.data
            except (TooManyFieldsSent, RequestDataTooBig) as e:  # Django's limits on forms
                raise ParseError(
                    _("The request body is too large or has too many fields (%(e)s).") % {"e": e}
                ) from None
            if isinstance(data, QueryDict):
                _check_form(data)
            elif not isinstance(request.data, Mapping):  # a parser other than ours
                raise ParseError(_("The request body must be a JSON object."))


def _check_format(request, view) -> None:
    """An empty `?format=` is refused like an unknown one (DRF would ignore it and answer
    with the default renderer, although the schema lists the formats)."""
    given = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
    if given is not None and not given.strip():
        formats = sorted({r.format for r in view.get_renderers()})
        raise ValidationError(
            {
                api_settings.URL_FORMAT_OVERRIDE: [
                    _("Give one of: %(values)s.") % {"values": ", ".join(formats)}
                ]
            }
        )


def audit_actor_from_api(request) -> None:
    """Names the API caller as the actor of this request's audit-log entries.

    auditlog's middleware takes the actor from `request.user` before DRF has authenticated
    an API key, so a keyed write would be logged without one. Here, after DRF's
    authentication, the request's audit context (the middleware's, still open) gets the
    authenticated user; outside such a context (no middleware) nothing changes."""
    context = auditlog_value.get(None)
    user = request.user
    if context is not None and user is not None and user.is_authenticated:
        context["actor"] = user  # the open context is read when each entry is saved


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by its id: an integer (or a string of digits, from a form). A float
    is refused rather than truncated (1.5 would find object 1), an id outside the 64-bit
    range is no object."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not _is_int(data.strip()):
            self.fail("incorrect_type", data_type="str")
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


# ------------------------------------------------------------------------------ exports


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


# ------------------------------------------------------------------------------ OpenAPI


# An id in a query parameter: a positive 64-bit integer.
ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


def param(name: str, description: str, type_=str, enum=None) -> OpenApiParameter:
    """A query parameter; `int` ones are ids (`ID`)."""
    type_ = ID if type_ is int else type_
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, enum=enum)


def truthy(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in ("1", "true", "yes", "ja")


def is_id(value: str) -> bool:
    """An ASCII digit string (str.isdigit also accepts "²", which int() refuses)."""
    return value.isascii() and value.isdigit()


# A decimal the API sends as a string ("21000.000"), as DRF's DecimalField does.
DECIMAL_STRING = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(?:\.\d+)?$"}

PROBLEM = OpenApiResponse(description="Problem details (application/problem+json).")
PROTECTED_ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM}
