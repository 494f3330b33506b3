"""Every legal and illegal transition of the lifecycle state machine (pure rules)."""

import itertools

import pytest

from urbanmine.lots.lifecycle import (
    ALLOWED_FROM,
    BLOCKED_FOR_HAZARDOUS,
    EventFacts,
    Status,
    Step,
    TransitionError,
    fold_status,
    next_status,
)

STATUSES = [None, *Status.values]
EXPECTED_TARGET = {
    Step.IDENTIFICATION: Status.IDENTIFIED,
    Step.INVENTORY: Status.INVENTORIED,
    Step.DISMANTLING: Status.HARVESTED,
    Step.CONNECTION: Status.RESERVED,
    Step.SALE: Status.SOLD,
    Step.EXECUTION: Status.APPLIED,
    Step.EXIT: Status.EXITED,
}


@pytest.mark.parametrize("step,current", list(itertools.product(Step.values, STATUSES)))
def test_every_step_from_every_status(step, current):
    facts = EventFacts(step, passed=True, closes=True, restores=Status.HARVESTED)
    if current in ALLOWED_FROM[step]:
        result = next_status(current, facts)
        if step in (Step.CORRECTION, Step.RELEASE):
            assert result == Status.HARVESTED  # the status the services worked out
        elif step == Step.DISMANTLING and current == Status.RESERVED:
            assert result == Status.RESERVED  # the reservation survives the harvest
        elif step in EXPECTED_TARGET:
            assert result == EXPECTED_TARGET[step]
        elif step in (Step.MERGE, Step.TRANSFORMATION):
            assert result == Status.CLOSED  # the inputs close
        elif step == Step.QUALITY_CONTROL:
            assert result in (Status.APPROVED, current)
        else:
            assert result == current  # steps that do not change the status
    else:
        with pytest.raises(TransitionError):
            next_status(current, facts)


def test_no_sale_before_harvest():
    for current in (None, Status.IDENTIFIED, Status.INVENTORIED):
        with pytest.raises(TransitionError):
            next_status(current, EventFacts(Step.SALE))


def test_no_application_after_failed_inspection():
    status = fold_status(
        [
            EventFacts(Step.IDENTIFICATION),
            EventFacts(Step.DISMANTLING),
            EventFacts(Step.QUALITY_CONTROL, passed=False),
        ]
    )
    assert status == Status.REJECTED
    with pytest.raises(TransitionError):
        next_status(status, EventFacts(Step.EXECUTION))
    with pytest.raises(TransitionError):
        next_status(status, EventFacts(Step.SALE))


def test_after_application_only_monitoring_and_new_harvest():
    allowed = {s for s in Step.values if Status.APPLIED in ALLOWED_FROM[s]}
    assert allowed == {Step.MONITORING, Step.DISMANTLING, Step.CORRECTION}


def test_a_correction_restores_a_status_and_nothing_else():
    with pytest.raises(TransitionError):
        next_status(Status.SOLD, EventFacts(Step.CORRECTION))
    assert next_status(Status.SOLD, EventFacts(Step.CORRECTION, restores="approved")) == "approved"
    with pytest.raises(TransitionError):  # a merged lot is gone: nothing to correct
        next_status(Status.CLOSED, EventFacts(Step.CORRECTION, restores="approved"))


@pytest.mark.parametrize("step", sorted(BLOCKED_FOR_HAZARDOUS))
def test_hazardous_lots_are_blocked(step):
    for current in STATUSES:
        with pytest.raises(TransitionError):
            next_status(current, EventFacts(step), hazardous=True)


def test_quality_control_needs_a_result():
    with pytest.raises(TransitionError) as e:
        next_status(Status.HARVESTED, EventFacts(Step.QUALITY_CONTROL))
    assert e.value.field == "passed"


def test_passed_inspection_keeps_a_reservation():
    assert (
        next_status(Status.RESERVED, EventFacts(Step.QUALITY_CONTROL, passed=True))
        == Status.RESERVED
    )
    assert (
        next_status(Status.RESERVED, EventFacts(Step.QUALITY_CONTROL, passed=False))
        == Status.REJECTED
    )


def test_full_loop_closes_and_restarts():
    status = fold_status(
        [
            EventFacts(s, passed=True)
            for s in (
                Step.IDENTIFICATION,
                Step.INVENTORY,
                Step.DISMANTLING,
                Step.QUALITY_CONTROL,
                Step.SALE,
                Step.EXECUTION,
                Step.MONITORING,
                Step.DISMANTLING,
            )
        ]
    )
    assert status == Status.HARVESTED


def test_merge_never_clears_a_rejection_reservation_or_sale():
    for current in (Status.REJECTED, Status.RESERVED, Status.SOLD):
        with pytest.raises(TransitionError):
            next_status(current, EventFacts(Step.MERGE, closes=True))
