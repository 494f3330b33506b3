"""Dutch by default: the interface follows the language the user chose (cookie set by the
language switcher), not the browser's Accept-Language. Also: NUL characters refused, and
one request id per request for the logs."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()  # don't leak the language into the next task of this thread
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in the query string is a client error on every page (PostgreSQL
    cannot hold it in text, so a filter on it would answer 500). The API's answer is a
    problem naming the parameters, like its other validation errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = [
            name
            for name, values in request.GET.lists()
            if "\x00" in name or any("\x00" in v for v in values)
        ]
        if not names:
            return self.get_response(request)
        reason = _("Null characters are not allowed.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "urn:urbanmine:problem:invalid-input",
                    "title": "Invalid input.",
                    "status": 400,
                    "detail": "; ".join(f"{n}: {reason}" for n in names),
                    "invalid_params": [{"name": n, "reason": str(reason)} for n in names],
                },
                status=400,
                content_type="application/problem+json",
            )
        return HttpResponseBadRequest(reason)


# --- request ids (deployment work): one id per request in the logs and the reply -----------
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestIdMiddleware:
    """The TLS proxy's X-Request-ID (nginx `$request_id`) when it is a plain token, a new
    one otherwise; every log record of the request carries it and the reply returns it, so
    a user's report, the access log and the application log meet on one id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record (settings.LOGGING's formatters print it): the
    request being handled, or the one a record names (Django logs a 4xx/5xx answer through
    `django.request` after the middleware has finished)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            named = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = named or _request_id.get()
        return True
