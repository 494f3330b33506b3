"""The table from step to handler covers every step a user records; each handler's checks
run before any write."""

import pytest
from django.core.exceptions import ValidationError

from urbanmine.lots.lifecycle import ALLOWED_FROM, Step
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.lots.services import lot_record_step
from urbanmine.lots.steps import HANDLERS


def test_every_recordable_step_has_a_handler():
    recordable = set(ALLOWED_FROM) - {
        Step.IDENTIFICATION,
        Step.SPLIT,
        Step.MERGE,
        Step.CORRECTION,
        Step.TRANSFORMATION,
    }
    assert set(HANDLERS) == recordable


def test_steps_that_take_part_of_a_lot_are_the_partial_ones():
    partial = {step for step, handler in HANDLERS.items() if handler.partial}
    assert partial == {
        Step.DISMANTLING,
        Step.CONNECTION,
        Step.SALE,
        Step.TRANSPORT_STORAGE,
        Step.EXECUTION,
        Step.EXIT,
    }


@pytest.mark.parametrize(
    "step,fields,field",
    [
        (Step.OWNERSHIP_CHANGE, {}, "counterparty"),
        (Step.CUSTODY_CHANGE, {}, "counterparty"),
        (Step.INVENTORY, {"r_strategy": "R11"}, "r_strategy"),
    ],
)
def test_a_failed_check_writes_nothing(chain, identified_lot, step, fields, field):
    before = LifecycleEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        lot_record_step(lot_id=identified_lot.id, step=step, actor=chain.owner_user, **fields)
    assert field in e.value.message_dict
    assert LifecycleEvent.objects.count() == before
    assert Lot.objects.count() == 1


def test_an_unknown_field_is_a_programming_error(chain, identified_lot):
    with pytest.raises(TypeError):
        lot_record_step(
            lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.demolisher_user, colour="red"
        )
