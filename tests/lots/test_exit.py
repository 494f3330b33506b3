"""Exits (issue #14): material that is not reused leaves the chain by recycling, energy
recovery or disposal, with the receiving organisation; it leaves the supply and shows on the
dashboard's R-ladder."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.support.chain import harvest_into_hub
from urbanmine.insight.selectors import realised_ladder
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import Location, Lot
from urbanmine.lots.services import lot_identify, lot_record_step


@pytest.fixture
def harvested(chain, identified_lot):
    return harvest_into_hub(chain, identified_lot)


def test_an_exit_removes_the_quantity_from_supply_and_shows_on_the_ladder(chain, harvested):
    assert Lot.objects.get(pk=harvested.pk).is_published
    event = lot_record_step(
        lot_id=harvested.id,
        step=Step.EXIT,
        actor=chain.owner_user,
        quantity=4000,
        exit_route="recycle",
        counterparty=chain.outsider,
    )
    gone = event.lot
    assert gone.pk != harvested.pk and gone.status == Status.EXITED
    assert gone.location == Location.EXITED and gone.hub is None and not gone.is_published
    assert event.r_strategy == "R8" and event.payload["received_by"] == chain.outsider.pk
    assert event.waste_diverted_kg == pytest.approx(4000 * 2.1)
    rest = Lot.objects.get(pk=harvested.pk)
    assert rest.quantity == 6000 and rest.is_published
    published = Lot.objects.filter(is_published=True).values_list("code", flat=True)
    assert gone.code not in published
    ladder = realised_ladder()
    assert ladder["R8"] == pytest.approx(8400) and ladder["R3"] == 0
    # and on the dashboard (anonymous: public aggregates)
    page = Client().get("/dashboard/").content.decode()
    assert 'data-rung="R8"' in page
    # a lot that left the chain takes no further step
    with pytest.raises(ValidationError):
        lot_record_step(
            lot_id=gone.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
        )


def test_an_exit_names_its_route_and_receiver_and_is_the_owners(chain, harvested):
    for fields, field in [
        ({"counterparty": chain.outsider}, "exit_route"),
        ({"exit_route": "bury"}, "exit_route"),
        ({"exit_route": "dispose"}, "counterparty"),
    ]:
        with pytest.raises(ValidationError) as e:
            lot_record_step(lot_id=harvested.id, step=Step.EXIT, actor=chain.owner_user, **fields)
        assert field in e.value.message_dict
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.EXIT,
            actor=chain.hub_operator_user,
            exit_route="dispose",
            counterparty=chain.outsider,
        )
    assert Lot.objects.get(pk=harvested.pk).status == Status.HARVESTED


def test_a_hazardous_lot_leaves_by_disposal(chain):
    lot = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=500,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="C",
        organisation=chain.owner,
        actor=None,
        has_asbestos=True,
    )
    lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=chain.owner_user)
    event = lot_record_step(
        lot_id=lot.id,
        step=Step.EXIT,
        actor=chain.owner_user,
        exit_route="dispose",
        counterparty=chain.outsider,
    )
    assert event.lot.status == Status.EXITED and event.r_strategy == ""
    assert event.waste_diverted_kg == 0
    assert realised_ladder()["dispose"] == pytest.approx(1050)


def test_the_api_records_an_exit(chain, harvested, client_for):
    r = client_for(chain.owner_user).post(
        f"/api/v1/lots/{harvested.code}/events",
        {"step": "exit", "exit_route": "recover", "counterparty": chain.outsider.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["status_after"] == "exited" and r.json()["r_strategy"] == "R9"
