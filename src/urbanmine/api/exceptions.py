"""Errors as `application/problem+json` (RFC 7807 / RFC 9457), as the Dutch API Design Rules
ask: every error response carries `type`, `title`, `status` and `detail`; validation errors
add `invalid_params` = [{"name": field, "reason": message}, ...].

Django's own `ValidationError` (raised by the services with a `message_dict` naming the
field) becomes a 400 problem naming that field; Django's `PermissionDenied` a 403, `Http404`
a 404. Any other exception in an API view is a 500 problem without internals (the traceback
goes to the `django.request` log, as Django logs a page's 500). Install project-wide with
`REST_FRAMEWORK["EXCEPTION_HANDLER"] = "urbanmine.api.exceptions.problem_exception_handler"`;
until then the API's base views return it from `get_exception_handler`.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("django.request")

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Stable identifiers for the kinds of problem (RFC 7807 allows "about:blank" plus a title;
# named URNs let clients switch on the kind without parsing titles).
PROBLEM_TYPES = {
    400: "urn:urbanmine:problem:invalid-input",
    401: "urn:urbanmine:problem:not-authenticated",
    403: "urn:urbanmine:problem:forbidden",
    404: "urn:urbanmine:problem:not-found",
    405: "urn:urbanmine:problem:method-not-allowed",
    406: "urn:urbanmine:problem:not-acceptable",
    413: "urn:urbanmine:problem:too-large",
    415: "urn:urbanmine:problem:unsupported-media-type",
    429: "urn:urbanmine:problem:throttled",
    500: "urn:urbanmine:problem:server-error",
}

TITLES = {
    400: "Invalid input.",
    401: "Authentication required.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    413: "Request too large.",
    415: "Unsupported media type.",
    429: "Too many requests.",
    500: "Internal server error.",
}

NON_FIELD = "nonFieldErrors"


def _django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail: Any = {
            (NON_FIELD if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {NON_FIELD: exc.messages}
    return exceptions.ValidationError(detail)


def invalid_params(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error detail into [{name, reason}] with dotted names
    (`items.2.quantity`); non-field errors are named `nonFieldErrors`."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in ("non_field_errors", "__all__") else str(key)
            out.extend(invalid_params(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(v, dict | list) for v in detail):
            for v in detail:
                out.append({"name": prefix or NON_FIELD, "reason": str(v)})
        else:
            for i, v in enumerate(detail):
                if v:
                    out.extend(invalid_params(v, f"{prefix}.{i}" if prefix else str(i)))
    else:
        out.append({"name": prefix or NON_FIELD, "reason": str(detail)})
    return out


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler: the usual status codes and headers (WWW-Authenticate,
    Retry-After), bodies as problem details."""
    if isinstance(exc, DjangoValidationError):
        exc = _django_validation_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args or ()))
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    code = response.status_code
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPES.get(code, "about:blank"),
        "title": TITLES.get(code, str(getattr(exc, "default_detail", "Error"))),
        "status": code,
    }
    request = context.get("request")
    if request is not None:
        problem["instance"] = request.get_full_path()
    if isinstance(exc, exceptions.ValidationError):
        params = invalid_params(exc.detail)
        # a query key named as the client spelled it (`productGroup`; api/conformance.py)
        given = getattr(getattr(request, "_request", request), "urbanmine_query_names", {})
        for p in params:
            p["name"] = given.get(p["name"], p["name"])
        problem["detail"] = "; ".join(f"{p['name']}: {p['reason']}" for p in params)
        problem["invalid_params"] = params
    else:
        detail = getattr(exc, "detail", None)
        problem["detail"] = str(detail) if detail is not None else problem["title"]
        if code == status.HTTP_400_BAD_REQUEST and detail is not None:
            # e.g. a ParseError: malformed JSON
            problem["invalid_params"] = [{"name": NON_FIELD, "reason": str(detail)}]
    return _as_problem(response, problem, request)


def _as_problem(response: Response, problem: dict[str, Any], request) -> Response:
    response.data = problem
    renderer = getattr(request, "accepted_renderer", None) if request is not None else None
    if getattr(renderer, "format", "json") != "api":  # the browsable API keeps its HTML
        response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _server_error(exc: Exception, context: dict) -> Response:
    """An unhandled exception: logged with its traceback and reported as Django reports a
    page's (the `got_request_exception` signal), answered as a 500 problem that tells
    nothing of the internals. The transaction, if any, is rolled back."""
    set_rollback()
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    path = django_request.path if django_request is not None else ""
    logger.error(
        "Internal Server Error: %s",
        path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": django_request},
    )
    response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django: not again
    if django_request is not None and sys.exc_info()[1] is exc:
        got_request_exception.send(sender=None, request=django_request)
    problem: dict[str, Any] = {
        "type": PROBLEM_TYPES[500],
        "title": TITLES[500],
        "status": 500,
        "detail": "The server could not answer this request; the error has been logged.",
    }
    if django_request is not None:
        problem["instance"] = django_request.get_full_path()
    return _as_problem(response, problem, request)
