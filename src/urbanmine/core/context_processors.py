from django.conf import settings


def platform(request):
    return {"DEBUG": settings.DEBUG, "LANGUAGES": settings.LANGUAGES}
