"""A lot's page shows who is behind the lot only to whom it may.

- Anonymous visitors: the product, quantity, mass, quality, status, the place as a
  municipality, the history as steps with dates and statuses; no organisation names, no
  login names, no source asset names, no notes.
- Signed-in users of other organisations: organisation and asset names too, never login
  names or notes.
- The owner, the custodian and platform-wide roles: everything.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_engage_certifier, lot_record_step
from urbanmine.organisations.models import Membership

NOTE_HARVEST = "Sleutel ligt bij de buurvrouw op nummer 12"
NOTE_INSPECTION = "Steekproef van twintig stenen, twee met haarscheuren"
CERTIFICATE = "KIWA-2026-0042"


@pytest.fixture
def lot_page(chain, identified_lot):
    """The bricks of Flat Rotterdam harvested into the hub by a named demolisher and
    inspected by the certifier, each with a note: published supply."""
    User = get_user_model()
    worker = User.objects.create_user(username="jan.sloper", password="pw-test-12345")
    Membership.objects.create(user=worker, organisation=chain.demolisher)
    inspector = User.objects.create_user(username="karin.keurder", password="pw-test-12345")
    Membership.objects.create(user=inspector, organisation=chain.certifier)
    lot_record_step(
        lot_id=identified_lot.id,
        step=Step.DISMANTLING,
        actor=worker,
        hub=chain.hub,
        notes=NOTE_HARVEST,
    )
    lot_engage_certifier(
        lot_id=identified_lot.id, certifier=chain.certifier, actor=chain.hub_operator_user
    )
    lot_record_step(
        lot_id=identified_lot.id,
        step=Step.QUALITY_CONTROL,
        actor=inspector,
        passed=True,
        certificate_number=CERTIFICATE,
        notes=NOTE_INSPECTION,
    )
    identified_lot.refresh_from_db()
    assert identified_lot.is_published
    return SimpleNamespace(lot=identified_lot, chain=chain)


def render(user, lot) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(f"/lots/{lot.code}/")
    assert response.status_code == 200
    return response.content.decode()


def names(w) -> list[str]:
    """Every organisation and asset name behind the lot."""
    c = w.chain
    return [
        c.owner.name,  # owner: the building's owner
        c.demolisher.name,  # recorded the harvest
        c.hub_operator.name,  # custodian now
        c.certifier.name,  # inspector
        c.hub.name,
        c.building.name,  # the source asset
    ]


PRIVATE = ["jan.sloper", "karin.keurder", NOTE_HARVEST, NOTE_INSPECTION]


def test_anonymous_sees_the_product_and_its_steps_but_nobody_behind_it(lot_page):
    body = render(None, lot_page.lot)
    lot = lot_page.lot
    for hidden in names(lot_page) + PRIVATE:
        assert hidden not in body, hidden
    assert lot.product_group.name_nl in body and "Rode gevelstenen" in body
    assert "10.000" in body  # quantity, grouped the Dutch way
    assert "21.000" in body or "21,000" in body or "21000" in body  # mass in kg
    assert lot.get_quality_display() in body
    assert 'id="lot-status"' in body and lot.get_status_display() in body
    assert "Rotterdam" in body  # the place, as a municipality
    assert CERTIFICATE in body  # the inspection's result stays public, not who did it
    history = body[body.index('id="lot-history"') :]
    assert history.count("<tr>") == 1 + lot.events.count()  # header + one row per step


def test_another_organisation_sees_names_but_no_login_names_or_notes(lot_page):
    body = render(lot_page.chain.outsider_user, lot_page.lot)
    for shown in names(lot_page):
        assert shown in body, shown
    for hidden in PRIVATE:
        assert hidden not in body, hidden


def test_the_certifier_that_inspected_it_is_another_organisation(lot_page):
    body = render(lot_page.chain.certifier_user, lot_page.lot)
    assert lot_page.chain.owner.name in body
    for hidden in PRIVATE:
        assert hidden not in body, hidden


@pytest.mark.parametrize("who", ["owner_user", "hub_operator_user", "matchmaker_user"])
def test_owner_custodian_and_platform_see_everything(lot_page, who):
    body = render(getattr(lot_page.chain, who), lot_page.lot)
    for shown in names(lot_page) + PRIVATE:
        assert shown in body, shown
