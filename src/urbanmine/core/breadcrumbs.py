"""Breadcrumbs of the page frame: where a page sits, from its URL name alone.

The trail lists the pages above the current one (the current page is its own heading, as
GOV.UK and NL Design System advise), built from the resolved URL name and its arguments, so
a page needs no code of its own and the frame costs no database query.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

Crumb = tuple[object, str, Callable[[dict], dict] | None]

_NO_ARGS: Callable[[dict], dict] | None = None


def _same(*names: str) -> Callable[[dict], dict]:
    """Pass on the URL arguments the parent page takes, under the same names."""
    return lambda kwargs: {n: kwargs[n] for n in names}


def _lot(kwargs: dict) -> str:
    return str(_("Lot %(code)s") % {"code": kwargs.get("code", "")})


SUPPLY: Crumb = (_("Supply"), "supply-list", _NO_ARGS)
ASSETS: Crumb = (_("Assets & passports"), "asset-list", _NO_ARGS)
PASSPORT: Crumb = (_("Passport"), "asset-passport", _same("pk"))
HUBS: Crumb = (_("Hubs"), "hub-list", _NO_ARGS)
HUB: Crumb = (_("Hub"), "hub-detail", _same("pk"))
DEMAND: Crumb = (_("My demand"), "demand-list", _NO_ARGS)
DASHBOARD: Crumb = (_("Dashboard"), "dashboard", _NO_ARGS)
SCENARIOS: Crumb = (_("Scenarios"), "scenario-list", _NO_ARGS)
WEBHOOKS: Crumb = (_("Webhooks"), "webhook-list", _NO_ARGS)
LOT = "lot"  # the lot page, labelled with its code

# URL name -> the pages above it (Home is always first and not listed).
TRAILS: dict[str, list[Crumb | str]] = {
    "lot-detail": [SUPPLY],
    "lot-record-step": [SUPPLY, LOT],
    "lot-engage-certifier": [SUPPLY, LOT],
    "lot-correct": [SUPPLY, LOT],
    "lot-asking-price": [SUPPLY, LOT],
    "lot-step": [SUPPLY, LOT],
    "lot-propose-transfer": [SUPPLY, LOT],
    "lot-reserve": [SUPPLY, LOT],
    "asset-passport": [ASSETS],
    "asset-create": [ASSETS],
    "asset-add-lot": [ASSETS, PASSPORT],
    "asset-import": [ASSETS, PASSPORT],
    "asset-drafts": [ASSETS, PASSPORT],
    "asset-grant": [ASSETS, PASSPORT],
    "asset-plan-intervention": [ASSETS, PASSPORT],
    "inventory-import": [ASSETS],
    "hub-detail": [HUBS],
    "hub-settings": [HUBS, HUB],
    "hub-merge-lots": [HUBS, HUB],
    "hub-transform-lots": [HUBS, HUB],
    "demand-create": [DEMAND],
    "demand-detail": [DEMAND],
    "scenario-list": [DASHBOARD],
    "scenario-create": [DASHBOARD, SCENARIOS],
    "scenario-compare": [DASHBOARD, SCENARIOS],
    "scenario-edit": [DASHBOARD, SCENARIOS],
    "webhook-detail": [WEBHOOKS],
}


def trail(url_name: str | None, kwargs: dict) -> list[tuple[str, str]]:
    """(label, href) of the pages above `url_name`; empty on the home page."""
    if not url_name or url_name == "home":
        return []
    crumbs = [(str(_("Home")), reverse("home"))]
    for item in TRAILS.get(url_name, []):
        try:
            if isinstance(item, str):  # LOT: the lot page, labelled with its code
                crumbs.append(
                    (_lot(kwargs), reverse("lot-detail", kwargs={"code": kwargs["code"]}))
                )
                continue
            label, name, args = item
            crumbs.append((str(label), reverse(name, kwargs=args(kwargs) if args else None)))
        except (KeyError, NoReverseMatch):
            continue
    return crumbs


def register(url_name: str, parents: list[Crumb | str]) -> None:
    """An app places its pages in the trail (called from its AppConfig.ready)."""
    TRAILS[url_name] = parents
