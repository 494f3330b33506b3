"""Corrections without rewriting history (issue #14): a correction event reverses the lot's
last step — the lot returns to how it was, the step's realised impact no longer counts —
and both events stay. By the recording organisation within the period, or the data steward."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests.support.chain import harvest_into_hub
from urbanmine.insight.selectors import realised_impact, realised_ladder
from urbanmine.lots.lifecycle import Status, Step, fold_status
from urbanmine.lots.models import LifecycleEvent, Location, Lot
from urbanmine.lots.services import lot_correct_last_step, lot_record_step


@pytest.fixture
def harvested(chain, identified_lot):
    return harvest_into_hub(chain, identified_lot)


def _replay(lot) -> str:
    events = lot.events.order_by("occurred_at", "id")
    return fold_status(
        [
            e.facts()
            for e in events
            if not (e.step == Step.SPLIT and e.payload.get("child") == lot.code)
        ]
    )


def test_a_correction_reverses_a_sale_and_both_stay_in_the_history(chain, harvested):
    sale = lot_record_step(
        lot_id=harvested.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.outsider
    )
    assert Lot.objects.get(pk=harvested.pk).owner == chain.outsider
    correction = lot_correct_last_step(
        lot_id=harvested.id, actor=chain.owner_user, reason="Verkeerde koper gekozen"
    )
    lot = Lot.objects.get(pk=harvested.pk)
    assert lot.owner == chain.owner and lot.status == Status.HARVESTED and lot.is_published
    assert lot.location == Location.AT_HUB and lot.hub == chain.hub
    assert correction.corrects == sale and correction.notes == "Verkeerde koper gekozen"
    assert correction.co2_avoided_kg == pytest.approx(-sale.co2_avoided_kg)
    steps = list(lot.events.order_by("occurred_at", "id").values_list("step", flat=True))
    assert steps[-2:] == [Step.SALE, Step.CORRECTION]
    assert _replay(lot) == lot.status  # the history still folds to the stored status
    assert realised_impact()["committed_co2_kg"] == 0
    # a correction is not corrected again; the sale can now go to the right buyer
    with pytest.raises(ValidationError):
        lot_correct_last_step(lot_id=harvested.id, actor=chain.owner_user, reason="nogmaals")
    lot_record_step(
        lot_id=harvested.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
    )
    assert Lot.objects.get(pk=harvested.pk).owner == chain.buyer


def test_a_corrected_application_leaves_the_realised_totals(chain, harvested):
    lot_record_step(
        lot_id=harvested.id,
        step=Step.EXECUTION,
        actor=chain.owner_user,
        target_asset=chain.building,
    )
    assert realised_impact()["applied_co2_kg"] > 0 and realised_ladder()["R3"] > 0
    lot_correct_last_step(lot_id=harvested.id, actor=chain.owner_user, reason="Nog niet geplaatst")
    assert realised_impact()["applied_co2_kg"] == 0 and realised_ladder()["R3"] == 0
    lot = Lot.objects.get(pk=harvested.pk)
    assert lot.status == Status.HARVESTED and lot.applied_asset is None
    # applied again later: credited (the corrected application never happened)
    event = lot_record_step(
        lot_id=harvested.id,
        step=Step.EXECUTION,
        actor=chain.owner_user,
        target_asset=chain.building,
    )
    assert event.co2_avoided_kg > 0


def test_only_the_recorder_within_the_period_or_the_data_steward(chain, harvested, settings):
    # the harvest was recorded by the demolisher: the owner may not correct it
    with pytest.raises(PermissionDenied):
        lot_correct_last_step(lot_id=harvested.id, actor=chain.owner_user, reason="x")
    with pytest.raises(PermissionDenied):
        lot_correct_last_step(lot_id=harvested.id, actor=chain.outsider_user, reason="x")
    settings.URBANMINE_CORRECTION_DAYS = 0
    LifecycleEvent.objects.filter(lot=harvested)  # (recorded_at is now: the period is 0 days)
    later = timezone.now() + timedelta(seconds=1)
    from unittest import mock

    with mock.patch("urbanmine.lots.permissions.timezone.now", return_value=later):
        with pytest.raises(PermissionDenied):
            lot_correct_last_step(lot_id=harvested.id, actor=chain.demolisher_user, reason="x")
    steward = get_user_model().objects.create_user("steward-c", password="pw", is_staff=True)
    lot_correct_last_step(lot_id=harvested.id, actor=steward, reason="Dubbel vastgelegd")
    lot = Lot.objects.get(pk=harvested.pk)
    assert lot.status == Status.IDENTIFIED and lot.location == Location.IN_ASSET
    assert lot.custodian == chain.demolisher and lot.hub is None and not lot.is_published


def test_a_correction_needs_a_reason_and_a_correctable_step(chain, identified_lot):
    with pytest.raises(ValidationError) as e:
        lot_correct_last_step(lot_id=identified_lot.id, actor=chain.demolisher_user, reason=" ")
    assert "reason" in e.value.message_dict
    with pytest.raises(ValidationError) as e:  # only an identification: nothing to reverse
        lot_correct_last_step(lot_id=identified_lot.id, actor=chain.demolisher_user, reason="x")
    assert "event" in e.value.message_dict


def test_the_page_and_the_api_correct_the_last_step(chain, harvested, client_for):
    web = Client()
    web.force_login(chain.demolisher_user)
    page = web.get(f"/lots/{harvested.code}/").content.decode()
    assert 'id="correct-last-step"' in page
    owner = Client()
    owner.force_login(chain.owner_user)
    assert 'id="correct-last-step"' not in owner.get(f"/lots/{harvested.code}/").content.decode()
    assert client_for(chain.outsider_user).post(
        f"/api/v1/lots/{Lot.objects.get(pk=harvested.pk).code}/corrections",
        {"reason": "x"},
        format="json",
    ).status_code in (403, 404)
    r = client_for(chain.demolisher_user).post(
        f"/api/v1/lots/{harvested.code}/corrections", {"reason": "Verkeerde hub"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["step"] == "correction" and r.json()["status_after"] == "identified"
    r = web.post(f"/lots/{harvested.code}/correct/", {"reason": "nogmaals"})
    assert r.status_code == 404 or r.status_code == 403
