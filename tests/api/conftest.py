"""Fixtures for the REST API tests: API clients with a user's token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_record_step


@pytest.fixture
def anon(db):
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for(user) -> an APIClient that sends the user's token."""

    def make(user) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    return make


@pytest.fixture
def harvested_lot(chain, identified_lot):
    """The bricks dismantled into the hub: published supply, custody with the hub operator."""
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    identified_lot.refresh_from_db()
    return identified_lot
