"""Dutch by default: the interface follows the language the user chose (cookie set by the
language switcher), not the browser's Accept-Language."""

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
