"""Permission cases of the webhooks (urbanmine/webhooks): an organisation sees and manages
only its own subscriptions — another organisation gets 404, as if there were none; the
secret is never listed."""

from __future__ import annotations

from tests.contracts.route_cases import API_ANON, LOGIN, Case, api, expect, page

OWNER_URL = "https://93.184.215.14/hooks/eigenaar"


def _subscription(w):
    """The owner's subscription (made once per world)."""
    if "subscription" not in w.extra:
        from urbanmine.webhooks.services import subscription_create

        w.extra["subscription"] = subscription_create(
            actor=w.chain.owner_user, url=OWNER_URL, events=["lot.status-changed"]
        )
    return w.extra["subscription"]


def _made(w) -> dict:
    _subscription(w)
    return {}


def _detail(w) -> str:
    return f"/webhooks/{_subscription(w).pk}/"


def _api(w, tail: str = "") -> str:
    return f"/api/v1/webhook-subscriptions/{_subscription(w).pk}{tail}"


NEW = {"url": "https://93.184.215.14/hooks/nieuw", "events": ["demand.posted"]}

CASES: list[Case] = [
    page(
        "webhook-list",
        lambda w: "/webhooks/",
        expect(LOGIN, (200,), (200,)),
        data=_made,
        shown=lambda w: OWNER_URL,
    ),
    page(
        "webhook-list",
        lambda w: "/webhooks/",
        expect(LOGIN, (200,), (200,)),  # each for its own organisation
        method="post",
        data=lambda w: NEW,
    ),
    page("webhook-detail", _detail, expect(LOGIN, (404,), (200,))),
    page(
        "webhook-detail",
        _detail,
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"action": "disable"},
        writes=True,
    ),
    api(
        "api-webhook-subscription-list",
        "get",
        lambda w: "/api/v1/webhook-subscriptions",
        expect(API_ANON, (200,), (200,)),
        data=_made,
        shown=lambda w: OWNER_URL,
    ),
    api(
        "api-webhook-subscription-list",
        "post",
        lambda w: "/api/v1/webhook-subscriptions",
        expect(API_ANON, (201,), (201,)),
        data=lambda w: NEW,
        json=True,
    ),
    api("api-webhook-subscription-detail", "get", _api, expect(API_ANON, (404,), (200,))),
    api(
        "api-webhook-subscription-detail",
        "patch",
        _api,
        expect(API_ANON, (404,), (200,)),
        data=lambda w: {"description": "ERP"},
        json=True,
        writes=True,
    ),
    api(
        "api-webhook-subscription-detail",
        "delete",
        _api,
        expect(API_ANON, (404,), (204,)),
        writes=True,
    ),
    api(
        "api-webhook-subscription-secret",
        "post",
        lambda w: _api(w, "/secret"),
        expect(API_ANON, (404,), (200,)),
        data=lambda w: {},
        json=True,
        writes=True,
    ),
    api(
        "api-webhook-subscription-deliveries",
        "get",
        lambda w: _api(w, "/deliveries"),
        expect(API_ANON, (404,), (200,)),
    ),
]
