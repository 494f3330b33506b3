"""Dutch by default: the interface follows the language the user chose (cookie set by the
language switcher), not the browser's Accept-Language."""

from django.conf import settings
from django.utils import translation


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
    cannot hold it in text, so a filter on it would answer 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query.lower():
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "type": "urn:urbanmine:problem:invalid-input",
                        "title": "Invalid input.",
                        "status": 400,
                        "detail": "Null characters are not allowed.",
                    },
                    status=400,
                    content_type="application/problem+json",
                )
            return HttpResponseBadRequest(_("Null characters are not allowed."))
        return self.get_response(request)
