"""Demand and buying in the web app (issue #13, item 4): a buyer posts a demand for its
project; asks the owner of a lot on offer to reserve it; the owner accepts (the quantity is
reserved exactly as an accepted proposal reserves it) or declines; the buyer may withdraw."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_record_step
from urbanmine.market.models import DemandRequest, RequestStatus, ReservationRequest
from urbanmine.market.services import (
    reservation_request_accept,
    reservation_request_create,
    reservation_request_decline,
    reservation_request_withdraw,
)


@pytest.fixture
def on_offer(chain):
    return harvest_into_hub(chain, identify_bricks(chain, 1000))


def _demand_form(chain, **over):
    today = timezone.localdate()
    data = {
        "project": chain.project.pk,
        "product_group": chain.bricks.pk,
        "quantity": "800",
        "unit": "",
        "min_quality": "B",
        "window_start": (today + timedelta(days=10)).isoformat(),
        "window_end": (today + timedelta(days=90)).isoformat(),
        "max_distance_km": "40",
        "notes": "Formaat 210x100x50 mm, vorstbestendig",
    }
    return {**data, **over}


def test_a_builder_posts_a_demand_and_finds_it_in_its_list(chain, client):
    client.force_login(chain.buyer_user)
    assert client.get(reverse("demand-create")).status_code == 200
    r = client.post(reverse("demand-create"), _demand_form(chain))
    demand = DemandRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("demand-detail", args=[demand.pk])
    assert demand.unit == "piece" and demand.quantity == 800 and demand.max_distance_km == 40
    assert demand.organisation == chain.buyer and "vorstbestendig" in demand.notes
    page = client.get(reverse("demand-detail", args=[demand.pk])).content.decode()
    assert "vorstbestendig" in page
    mine = client.get(reverse("demand-list")).content.decode()
    assert reverse("demand-detail", args=[demand.pk]) in mine
    client.force_login(chain.outsider_user)
    theirs = client.get(reverse("demand-list")).content.decode()
    assert reverse("demand-detail", args=[demand.pk]) not in theirs


@pytest.mark.parametrize(
    "over, field",
    [
        ({"window_end": "2020-01-01"}, "window_end"),
        ({"quantity": "-5"}, "quantity"),
        ({"project": "999999"}, "project"),
        ({"max_distance_km": "0"}, "max_distance_km"),
    ],
)
def test_a_bad_demand_is_refused_naming_the_field(chain, client, over, field):
    client.force_login(chain.buyer_user)
    r = client.post(reverse("demand-create"), _demand_form(chain, **over))
    assert r.status_code == 400
    assert r.context["form"].errors.get(field), r.context["form"].errors
    assert not DemandRequest.objects.exists()


def test_a_project_of_another_organisation_is_not_offered(chain, client):
    client.force_login(chain.buyer_user)
    r = client.post(reverse("demand-create"), _demand_form(chain, project=chain.building.pk))
    assert r.status_code == 400 and r.context["form"].errors["project"]


def test_the_owner_accepts_a_request_and_the_quantity_is_reserved_for_the_buyer(
    chain, on_offer, client
):
    client.force_login(chain.buyer_user)
    lot_page = client.get(reverse("lot-detail", args=[on_offer.code])).content.decode()
    assert reverse("lot-reserve", args=[on_offer.code]) in lot_page
    r = client.post(
        reverse("lot-reserve", args=[on_offer.code]),
        {"quantity": "400", "project": chain.project.pk, "message": "Voor de gevel"},
    )
    assert r.status_code == 302
    req = ReservationRequest.objects.get()
    assert req.status == RequestStatus.PENDING and req.requester == chain.buyer
    # the owner sees it to answer; another organisation neither sees nor decides it
    client.force_login(chain.outsider_user)
    decide = reverse("reservation-request-decide", args=[req.pk, "accept"])
    assert client.post(decide).status_code == 404
    assert "Voor de gevel" not in client.get(reverse("reservation-requests")).content.decode()
    with pytest.raises(PermissionDenied):
        reservation_request_accept(request_id=req.pk, actor=chain.buyer_user)
    client.force_login(chain.owner_user)
    assert "Voor de gevel" in client.get(reverse("reservation-requests")).content.decode()
    assert client.post(decide).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.ACCEPTED and req.reservation.step == Step.CONNECTION
    reserved = req.reservation.lot
    assert reserved.status == Status.RESERVED and reserved.quantity == 400
    assert reserved.reserved_for == chain.buyer
    assert Lot.objects.get(pk=on_offer.pk).quantity == 600  # the rest stays on offer
    # the reservation binds: the owner cannot sell it to anyone else
    with pytest.raises(ValidationError):
        lot_record_step(
            lot_id=reserved.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.outsider
        )


def test_bad_requests_are_refused_and_nothing_is_saved(chain, on_offer, identified_lot):
    cases = [
        (dict(lot_id=on_offer.id, actor=chain.buyer_user, quantity=5000), "quantity"),
        (dict(lot_id=on_offer.id, actor=chain.buyer_user, quantity=0), "quantity"),
        (dict(lot_id=on_offer.id, actor=chain.owner_user, quantity=10), "lot"),  # own lot
        (dict(lot_id=identified_lot.id, actor=chain.buyer_user, quantity=10), "lot"),  # not offered
        (
            dict(lot_id=on_offer.id, actor=chain.buyer_user, quantity=10, project=chain.building),
            "project",
        ),
    ]
    for kw, field in cases:
        with pytest.raises(ValidationError) as e:
            reservation_request_create(**kw)
        assert field in e.value.message_dict, (kw, e.value.message_dict)
    assert not ReservationRequest.objects.exists()
    reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=10)
    with pytest.raises(ValidationError) as e:
        reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=20)
    assert "lot" in e.value.message_dict
    assert ReservationRequest.objects.count() == 1


def test_declined_and_withdrawn_requests_reserve_nothing(chain, on_offer):
    first = reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=100)
    declined = reservation_request_decline(
        request_id=first.pk, actor=chain.owner_user, reason="Al toegezegd"
    )
    assert declined.status == RequestStatus.DECLINED and declined.reason == "Al toegezegd"
    second = reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=50)
    with pytest.raises(PermissionDenied):
        reservation_request_withdraw(request_id=second.pk, actor=chain.owner_user)
    assert reservation_request_withdraw(request_id=second.pk, actor=chain.buyer_user).status == (
        RequestStatus.WITHDRAWN
    )
    with pytest.raises(ValidationError):  # decided once
        reservation_request_accept(request_id=second.pk, actor=chain.owner_user)
    lot = Lot.objects.get(pk=on_offer.pk)
    assert lot.status == Status.HARVESTED and lot.quantity == Decimal(1000)


def test_a_request_accepted_after_the_lot_shrank_is_refused(chain, on_offer):
    req = reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=900)
    lot_record_step(
        lot_id=on_offer.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.outsider,
        quantity=500,
    )
    with pytest.raises(ValidationError) as e:
        reservation_request_accept(request_id=req.pk, actor=chain.owner_user)
    assert "request" in e.value.message_dict
    assert ReservationRequest.objects.get(pk=req.pk).status == RequestStatus.PENDING


def test_a_builder_the_owner_let_in_requests_material_for_the_owners_project(chain, client):
    """The builder builds for the owner: with a builder's grant on the owner's asset it posts
    demand for it (without, the project is not offered)."""
    from urbanmine.assets.services import asset_grant

    client.force_login(chain.buyer_user)
    form = _demand_form(chain, project=chain.building.pk)
    assert client.post(reverse("demand-create"), form).status_code == 400
    asset_grant(
        asset=chain.building, organisation=chain.buyer, role="builder", actor=chain.owner_user
    )
    assert client.post(reverse("demand-create"), form).status_code == 302
    demand = DemandRequest.objects.get()
    assert demand.project == chain.building and demand.organisation == chain.buyer
