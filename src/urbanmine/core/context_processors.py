from django.conf import settings


def platform(request):
    return {
        "DEBUG": settings.DEBUG,
        "LANGUAGES": settings.LANGUAGES,
        "CONTENT_LANGUAGE": settings.URBANMINE_CONTENT_LANGUAGE,
    }


def breadcrumbs(request):
    """`breadcrumbs` for the page frame: computed only when the template reads it."""
    from .breadcrumbs import trail

    def crumbs() -> list[tuple[str, str]]:
        match = getattr(request, "resolver_match", None)
        if match is None:
            return []
        return trail(match.url_name, match.kwargs)

    return {"breadcrumbs": crumbs}
