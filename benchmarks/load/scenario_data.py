"""What the load scenarios need from the database (run inside Django): the owner's login
and API token, the passports and lots they may open, lots on which a lifecycle step is
legal now (the write scenario), and the filter values of the supply list."""

from __future__ import annotations

#: The owner of the scenarios: the demo's housing corporation (asset owner).
OWNER = "eigenaar"
PASSWORD = "urbanmine-demo"


def scenario_data(*, n_passports: int = 60, n_lots: int = 300, n_sessions: int = 60) -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from urbanmine.assets.models import Asset
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.lots.lifecycle import Status, Step
    from urbanmine.lots.models import Lot
    from urbanmine.organisations.models import Membership
    from urbanmine.regions.models import ZUID_HOLLAND, Municipality

    user = get_user_model().objects.get(username=OWNER)
    org_ids = list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    passports = list(
        Asset.objects.filter(owner_id__in=org_ids)
        .annotate(n=Count("lots"))
        .filter(n__gt=0)
        .order_by("id")
        .values_list("id", flat=True)[:n_passports]
    )
    owned = Lot.objects.filter(owner_id__in=org_ids, has_asbestos=False)
    lot_codes = list(owned.order_by("code").values_list("code", flat=True)[:n_lots])
    # Each write is legal once: identified -> inventory (publishes the lot), inventoried ->
    # dismantling (stays on site). The locustfile takes every lot at most once.
    writes = [
        (code, Step.INVENTORY)
        for code in owned.filter(status=Status.IDENTIFIED).values_list("code", flat=True)
    ] + [
        (code, Step.DISMANTLING)
        for code in owned.filter(status=Status.INVENTORIED).values_list("code", flat=True)
    ]
    published = Lot.objects.filter(is_published=True)
    return {
        "sessions": owner_sessions(user, n_sessions),
        "owner": OWNER,
        "password": PASSWORD,
        "token": api_key(user),
        "passport_ids": passports,
        "lot_codes": lot_codes,
        "writes": writes,
        "product_groups": sorted(
            set(published.values_list("product_group__code", flat=True))
            & set(ProductGroup.objects.values_list("code", flat=True))
        ),
        "municipalities": list(
            Municipality.objects.filter(province_code=ZUID_HOLLAND)
            .order_by("-population")
            .values_list("code", flat=True)[:12]
        ),
        "published_lots": published.count(),
    }


def owner_sessions(user, n: int) -> list[str]:
    """Signed-in sessions of the owner, made as `login()` makes them: the locust users
    carry one each instead of all signing in at the start (50 password hashes at once,
    PBKDF2 being slow by design, would be what the first seconds measure)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = []
    for _ in range(n):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def api_key(user) -> str:
    """An API key of the owner: issued by `accounts` (expiring, revocable keys) when that
    app provides it, otherwise DRF's token."""
    try:
        from urbanmine.accounts.services import api_token_issue
    except ImportError:
        from rest_framework.authtoken.models import Token

        return Token.objects.get_or_create(user=user)[0].key
    return api_token_issue(user=user, name="load test")[1]
