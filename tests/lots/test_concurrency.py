"""Two organisations acting on one lot at the same moment never over-allocate it
(row locks; PostgreSQL with two real connections)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_record_step

pytestmark = pytest.mark.django_db(transaction=True)


def _at_the_same_moment(calls: list[dict]) -> list[str]:
    """Run `lot_record_step(**call)` for every call in its own thread and database
    connection, released together; "ok" or "refused: <reasons>" per call."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(kwargs):
        close_old_connections()
        try:
            barrier.wait()
            lot_record_step(**kwargs)
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append("refused: " + "; ".join(sum(e.message_dict.values(), [])))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL"
)
def test_concurrent_partial_reservations_never_over_allocate(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    # Two colleagues of the owner (who alone reserves) each reserve 6,000 of 10,000.
    from django.contrib.auth import get_user_model

    from urbanmine.organisations.models import Membership

    colleague = get_user_model().objects.create_user("eigenaar-2", password="pw-test-12345")
    Membership.objects.create(user=colleague, organisation=chain.owner)
    outcomes = _at_the_same_moment(
        [
            dict(lot_id=identified_lot.id, step=Step.CONNECTION, actor=user, quantity=6000)
            for user in (colleague, chain.owner_user)
        ]
    )
    assert sorted(o[:2] for o in outcomes) == ["ok", "re"], outcomes
    lots = list(Lot.objects.filter(source_asset=chain.building))
    assert sum(lot.quantity for lot in lots) == 10000
    reserved = [lot for lot in lots if lot.status == "reserved"]
    assert len(reserved) == 1 and reserved[0].quantity == 6000


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL"
)
def test_concurrent_hub_intakes_never_exceed_capacity(chain):
    """Two 30 t lots go into the 50 t hub at the same moment: each fits alone, not both."""
    from urbanmine.lots.selectors import hub_stock_mass_kg
    from urbanmine.lots.services import lot_identify

    lots = [
        lot_identify(
            asset=chain.building,
            product_group=chain.bricks,
            quantity=10000,
            unit="piece",
            mass_kg_per_unit="3.0",
            quality="B",
            organisation=chain.demolisher,
            custodian=chain.demolisher,
        )
        for _ in range(2)
    ]
    outcomes = _at_the_same_moment(
        [
            dict(lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub)
            for lot in lots
        ]
    )
    assert sorted(o[:2] for o in outcomes) == ["ok", "re"], outcomes
    assert "50.0 t" in next(o for o in outcomes if o.startswith("refused"))  # the capacity
    assert hub_stock_mass_kg(chain.hub) == 30000
