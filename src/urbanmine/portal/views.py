"""The public home page (what is on offer, how much material is in the chain) and the
signed-in user's start page (what needs action)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from urbanmine.assets.models import Asset
from urbanmine.core.models import Notification
from urbanmine.hubs.models import Hub
from urbanmine.lots import selectors as lot_selectors
from urbanmine.organisations.membership import user_organisation_ids

from . import selectors


def home(request):
    by_group, by_status = lot_selectors.supply_aggregates()
    context = {
        "by_group": by_group[:10],
        "by_status": by_status,
        "offered_t": sum((r["mass_kg"] or 0) for r in by_group) / 1000,
        "asset_count": Asset.objects.count(),
        "hub_count": Hub.objects.count(),
        "hubs_by_typology": Hub.objects.values("typology")
        .annotate(n=Count("id"))
        .order_by("typology"),
    }
    return render(request, "portal/home.html", context)


@login_required
def start(request):
    """My start page: tasks across the chain for my organisations, and what we hold."""
    context = {
        "tasks": selectors.start_tasks(request.user),
        "summary": selectors.start_summary(request.user),
        "reserved": selectors.reserved_for_me(request.user),
        "has_organisation": bool(user_organisation_ids(request.user)),
        "notices": list(Notification.objects.filter(user=request.user, read_at__isnull=True)[:5]),
    }
    return render(request, "portal/start.html", context)


@login_required
def notifications(request):
    """My notices, newest first; opening the page marks the new ones read."""
    page = list(Notification.objects.filter(user=request.user)[:100])
    unread = [n.pk for n in page if n.read_at is None]
    response = render(request, "portal/notifications.html", {"notifications": page})
    if unread:  # shown once as new, then read
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return response


# The frame's information pages (footer). Long prose is written per language, one template
# each (`portal/pages/<page>.<lang>.html`), instead of paragraph-sized msgids.
INFO_PAGES = ("about", "contact", "privacy", "accessibility")


def info_page(request, page: str):
    from django.conf import settings
    from django.http import Http404
    from django.utils.translation import get_language

    if page not in INFO_PAGES:
        raise Http404
    lang = (get_language() or "nl").split("-")[0]
    templates = [f"portal/pages/{page}.{lang}.html", f"portal/pages/{page}.nl.html"]
    context = {
        "contact_email": settings.URBANMINE_CONTACT_EMAIL,
        "source_url": settings.URBANMINE_SOURCE_URL,
    }
    return render(request, templates, context)
