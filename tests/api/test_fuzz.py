"""Malformed request bodies on every endpoint that takes one: only 4xx problem details, and
nothing changes. The endpoints come from the OpenAPI document (every POST, PUT and PATCH
operation), so a new one is fuzzed too — or fails here until `OBJECTS` says which real object
its path names and who owns it."""

from __future__ import annotations

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from urbanmine.assets.models import Asset
from urbanmine.hubs.models import Hub
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.market.models import DemandRequest

DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
# The document's paths are relative to its server URL (…/api/v1): here with the prefix.
PREFIX = "/api/v1"
PATHS = {PREFIX + path: item for path, item in DOCUMENT["paths"].items()}

WRITES = sorted(
    (method.upper(), path)
    for path, item in PATHS.items()
    for method in item
    if method in ("post", "put", "patch")
)

# path template -> (the owner in `chain`, path parameters from the fixtures)
OBJECTS = {
    "/api/v1/ambitions": ("matchmaker_user", lambda c, lot: {}),
    "/api/v1/assets": ("owner_user", lambda c, lot: {}),
    "/api/v1/assets/{id}/inventory": ("owner_user", lambda c, lot: {"id": c.building.pk}),
    "/api/v1/demand-requests": ("buyer_user", lambda c, lot: {}),
    "/api/v1/hubs/{id}": ("hub_operator_user", lambda c, lot: {"id": c.hub.pk}),
    "/api/v1/network/targets": ("matchmaker_user", lambda c, lot: {}),
    "/api/v1/impact/compare": ("owner_user", lambda c, lot: {}),
    "/api/v1/lots/{code}/events": ("hub_operator_user", lambda c, lot: {"code": lot.code}),
    "/api/v1/lots/{code}/engagements": ("hub_operator_user", lambda c, lot: {"code": lot.code}),
    "/api/v1/lots/{code}/corrections": ("demolisher_user", lambda c, lot: {"code": lot.code}),
    "/api/v1/lots/transformations": ("hub_operator_user", lambda c, lot: {}),
    "/api/v1/lots/publications": ("owner_user", lambda c, lot: {}),
    "/api/v1/lots/{code}/transfer-proposals": (
        "hub_operator_user",
        lambda c, lot: {"code": lot.code},
    ),
    "/api/v1/transfer-proposals/{id}/accept": (
        "owner_user",
        lambda c, lot: {"id": _pending_transfer(c, lot).pk},
    ),
    "/api/v1/transfer-proposals/{id}/decline": (
        "owner_user",
        lambda c, lot: {"id": _pending_transfer(c, lot).pk},
    ),
    "/api/v1/webhook-subscriptions": ("owner_user", lambda c, lot: {}),
    "/api/v1/webhook-subscriptions/{id}": (
        "owner_user",
        lambda c, lot: {"id": _subscription(c).pk},
    ),
    "/api/v1/webhook-subscriptions/{id}/secret": (
        "owner_user",
        lambda c, lot: {"id": _subscription(c).pk},
    ),
}


def _subscription(chain):
    """The owner's webhook subscription."""
    from urbanmine.webhooks.services import subscription_create

    return subscription_create(
        actor=chain.owner_user, url="https://93.184.215.14/hook", events=["lot.published"]
    )


def _pending_transfer(chain, lot):
    """The custodian's proposal to sell part of the lot, awaiting the owner."""
    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.services import lot_transfer_propose

    return lot_transfer_propose(
        lot_id=lot.id,
        step=Step.SALE,
        counterparty=chain.buyer,
        actor=chain.hub_operator_user,
        quantity=10,
    )


DEEP = 10_000
HUGE = "9" * 10_000

# (name, body bytes, content type)
MALFORMED = [
    ("list", b"[]", "application/json"),
    ("string", b'"x"', "application/json"),
    ("number", b"1", "application/json"),
    ("null", b"null", "application/json"),
    ("true", b"true", "application/json"),
    ("deep lists", ("[" * DEEP + "]" * DEEP).encode(), "application/json"),
    ("deep objects", ('{"a":' * DEEP + "1" + "}" * DEEP).encode(), "application/json"),
    (
        "deep list in a field",
        ('{"step": ' + "[" * DEEP + "]" * DEEP + "}").encode(),
        "application/json",
    ),
    ("NUL in a value", b'{"step": "a\\u0000b", "name": "\\u0000"}', "application/json"),
    ("NUL in a key", b'{"\\u0000": 1, "st\\u0000ep": "inventory"}', "application/json"),
    ("invalid UTF-8", b'{"step": "\xff\xfe\xfd"}', "application/json"),
    ("invalid UTF-8 key", b'{"\xc3\x28": 1}', "application/json"),
    ("truncated", b'{"step": ', "application/json"),
    ("NaN", b'{"quantity": NaN}', "application/json"),
    ("empty", b"", "application/json"),
    ("wrong content type", b'{"step": "inventory"}', "text/plain"),
    ("XML", b"<step>inventory</step>", "application/xml"),
]


def _properties(method: str, path: str) -> list[str]:
    """The request body's declared fields (JSON, or else the first media type)."""
    content = PATHS[path][method.lower()].get("requestBody", {}).get("content", {})
    body = content.get("application/json") or next(iter(content.values()), {})
    schema = body.get("schema", {})
    if "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return sorted(schema.get("properties", {}))


def _huge_numbers(method: str, path: str) -> list[tuple[str, bytes, str]]:
    """Every declared field at once: 1e309, -1e309, a 10,000-digit integer, Infinity."""
    names = _properties(method, path) or ["quantity"]
    cases = []
    for label, literal in [
        ("1e309", "1e309"),
        ("-1e309", "-1e309"),
        ("10,000 digits", HUGE),
        ("-10,000 digits", "-" + HUGE),
        ("Infinity", "Infinity"),
    ]:
        body = "{" + ", ".join(f"{json.dumps(n)}: {literal}" for n in names) + "}"
        cases.append((label, body.encode(), "application/json"))
    return cases


def _state(chain):
    from urbanmine.lots.models import InspectionEngagement, TransferProposal
    from urbanmine.webhooks.models import Subscription

    hub = Hub.objects.get(pk=chain.hub.pk)
    return (
        LifecycleEvent.objects.count(),
        InspectionEngagement.objects.count(),
        list(TransferProposal.objects.values_list("status", flat=True)),
        Lot.objects.count(),
        Asset.objects.count(),
        DemandRequest.objects.count(),
        (hub.capacity_t, hub.capacity_m2, hub.max_dwell_days, hub.open_to_deliveries),
        sorted(Subscription.objects.values_list("id", "url", "events", "secret", "is_active")),
    )


def test_every_write_operation_is_fuzzed():
    assert len(WRITES) >= 6
    assert {path for _method, path in WRITES} <= set(OBJECTS), "add the new endpoint to OBJECTS"


@pytest.mark.parametrize("who", ["anonymous", "owner"])
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_malformed_bodies_are_4xx_problems_and_change_nothing(
    method, path, who, chain, harvested_lot, anon, client_for
):
    owner, parameters = OBJECTS[path]
    client = anon if who == "anonymous" else client_for(getattr(chain, owner))
    url = path.format(**parameters(chain, harvested_lot))
    before = _state(chain)
    answers = []
    for name, body, content_type in MALFORMED + _huge_numbers(method, path):
        r = client.generic(method, url, body, content_type=content_type)
        answers.append((name, r.status_code))
        assert 400 <= r.status_code < 500 and r.status_code != 429, (
            name,
            r.status_code,
            r.content[:300],
        )
        assert r["Content-Type"] == "application/problem+json", (name, r["Content-Type"])
        problem = json.loads(r.content)
        assert problem["status"] == r.status_code, (name, problem)
        assert {"type", "title", "detail"} <= set(problem), (name, problem)
        if who == "owner" and name in ("1e309", "-1e309", "10,000 digits", "Infinity"):
            named = {p["name"] for p in problem.get("invalid_params", [])}
            assert set(_properties(method, path)) <= named, (name, problem)
    assert _state(chain) == before
    if who == "owner":  # the body was read, not refused at the door
        assert all(code != 401 for _name, code in answers), answers
