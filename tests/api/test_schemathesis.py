"""Schemathesis against the project's own OpenAPI document and WSGI application, every check
on: no server error; every response's status, content type, headers and body as the document
says; invalid input refused; schema-valid input not refused (but see `BUSINESS_RULES`); auth
not ignored; 405 for undocumented methods. One test per operation, signed in as the hub
operator (its hub, the lot it holds, the lots at its hub), every other valid case naming a
real object.

Deterministic and bounded: Hypothesis is derandomized and a fixed number of examples is
generated per operation besides schemathesis's coverage cases (boundaries, wrong types,
missing and repeated parameters). About 60 s on the 2-core machine, SQLite or PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

EXAMPLES_PER_OPERATION = 25

# The hub operator's token: fixed, so schemathesis sends it as a configured header (and tests
# the security parameters' absence, not random values in them).
TOKEN = "0123456789abcdef0123456789abcdef01234567"

# Read once at collection (no database needed): one test per operation of the document. The
# throttles count in the shared cache (the database by default), which does not exist yet:
# this one request counts in memory.
with override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.update(headers={"Authorization": f"Token {TOKEN}"})

# Paths are the document's, relative to its server URL (…/api/v1).
# Operations whose schema-valid input may still be refused (400) for rules an OpenAPI schema
# cannot express: the named objects must exist and be yours, a lot's next step must follow
# its state, a file must be an inventory, the top-10 weights must not all be zero. There the
# refusal must name what is wrong (`invalid_params`) instead of `positive_data_acceptance`.
BUSINESS_RULES = {
    # only the province or a municipality (area), the asset's owner (project); only tighten
    ("POST", "/ambitions"),
    ("POST", "/assets"),
    ("POST", "/assets/{id}/inventory"),
    ("POST", "/demand-requests"),
    ("PATCH", "/hubs/{id}"),
    ("POST", "/network/targets"),  # only the province sets targets
    ("POST", "/impact/compare"),
    ("GET", "/impact/top10"),
    ("POST", "/lots/{code}/events"),
    ("POST", "/lots/{code}/engagements"),
    ("POST", "/lots/{code}/corrections"),
    ("POST", "/lots/transformations"),
    ("POST", "/lots/publications"),  # the named lots must be your drafts
    ("POST", "/lots/{code}/transfer-proposals"),
    ("POST", "/transfer-proposals/{id}/accept"),
    ("POST", "/transfer-proposals/{id}/decline"),
    # a receiver URL must resolve to a public address (webhooks.services.check_url)
    ("POST", "/webhook-subscriptions"),
    ("PATCH", "/webhook-subscriptions/{id}"),
}


def refusal_names_the_field(ctx, response, case):
    """A 400 for schema-valid input is a validation answer naming the field."""
    if response.status_code == 400 and case.meta.generation.mode == GenerationMode.POSITIVE:
        problem = response.json()
        assert problem["status"] == 400, problem
        assert problem.get("invalid_params"), problem
        assert all(p["name"] and p["reason"] for p in problem["invalid_params"]), problem


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The real WSGI application closes the database connection at the start and end of each
    request; Django's test client does not, and neither may we: the test's transaction must
    survive the calls."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(chain, harvested_lot):
    """The hub operator signed in by `TOKEN`; the real objects a path may name."""
    from tests.support.tokens import api_key_fixed
    from urbanmine.lots.services import lot_identify

    api_key_fixed(chain.hub_operator_user, TOKEN)
    lot_identify(  # a second lot, of another group, still in the building
        asset=chain.building,
        product_group=chain.steel,
        quantity=12,
        unit="piece",
        mass_kg_per_unit="350",
        quality="A",
        organisation=chain.demolisher,
        actor=None,
        custodian=chain.demolisher,
    )
    from urbanmine.webhooks.services import subscription_create

    subscription = subscription_create(
        actor=chain.hub_operator_user, url="https://93.184.215.14/hook", events=["lot.published"]
    )
    real = {
        "/webhook-subscriptions/": {"id": str(subscription.pk)},
        "/assets/": {"id": str(chain.building.pk)},
        "/hubs/": {"id": str(chain.hub.pk)},
        "/lots/": {"code": harvested_lot.code},
        "/supply/": {"code": harvested_lot.code},
        "/product-groups/": {"code": "bricks-clay"},
        "/municipalities/": {"code": "GM0599"},
    }
    return {"real": real, "calls": 0}


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, world):
    world["calls"] += 1
    if case.path_parameters and case.meta.generation.mode == GenerationMode.POSITIVE:
        # every other valid case names a real object (random ids are mostly 404s)
        path = case.operation.path
        real = next((v for prefix, v in world["real"].items() if path.startswith(prefix)), None)
        if real is not None and world["calls"] % 2 == 0:
            case.path_parameters = {**case.path_parameters, **real}
    if (case.method.upper(), case.path) in BUSINESS_RULES:
        case.call_and_validate(
            excluded_checks=[positive_data_acceptance], additional_checks=[refusal_names_the_field]
        )
    else:
        case.call_and_validate()
