"""The personal start page (issue #13, item 5): signing in lands on it; it lists what waits
for the user's organisations (answers, inspections, overdue hub stock, demolitions without
an inventory, permits), each linking to where it is done, with bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.assets.services import asset_create, intervention_plan
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_engage_certifier, lot_transfer_propose
from urbanmine.market.services import reservation_request_create
from urbanmine.portal.selectors import start_tasks


def _keys(user) -> dict[str, int]:
    return {t.key: t.count for t in start_tasks(user)}


def test_signing_in_lands_on_the_start_page(chain, client):
    r = client.post(
        reverse("login"), {"username": "owner", "password": "pw-test-12345"}, follow=False
    )
    assert r.status_code == 302 and r["Location"] == reverse("start")
    assert client.get(reverse("start")).status_code == 200
    client.logout()
    assert client.get(reverse("start")).status_code == 302  # anonymous: sign in first


def test_each_role_sees_what_waits_for_it(chain):
    on_offer = harvest_into_hub(chain, identify_bricks(chain, 1000))
    assert _keys(chain.owner_user) == {}
    # a buyer asks, the hub (custodian) proposes a sale, the owner engages a certifier
    reservation_request_create(lot_id=on_offer.id, actor=chain.buyer_user, quantity=10)
    lot_transfer_propose(
        lot_id=on_offer.id,
        step=Step.SALE,
        counterparty=chain.outsider,
        actor=chain.hub_operator_user,
        quantity=5,
    )
    lot_engage_certifier(lot_id=on_offer.id, certifier=chain.certifier, actor=chain.owner_user)
    assert _keys(chain.owner_user) == {"requests": 1, "transfers": 1}
    assert _keys(chain.certifier_user) == {"inspections": 1}
    assert "requests" not in _keys(chain.buyer_user)  # its own request waits for others
    # lots in the operator's hub for 7 and 10 months
    now = timezone.now()
    Lot.objects.filter(pk=on_offer.pk).update(hub_since=now - timedelta(days=215))
    other = harvest_into_hub(chain, identify_bricks(chain, 50))
    Lot.objects.filter(pk=other.pk).update(hub_since=now - timedelta(days=300))
    tasks = {t.key: t for t in start_tasks(chain.hub_operator_user)}
    assert tasks["dwell-warning"].count == 1 and tasks["dwell-alert"].count == 1
    assert tasks["dwell-alert"].level == "alert"
    assert tasks["dwell-alert"].examples[0][1] == reverse("lot-detail", args=[other.code])


def test_a_planned_demolition_without_an_inventory_waits_for_the_owner(chain):
    asset = asset_create(
        owner=chain.owner,
        name="Kantoor Zonder Paspoort",
        scope="bu",
        use_type="office",
        lat=51.92,
        lon=4.47,
        construction_year=1975,
        floor_area_m2=1200,
        actor=chain.owner_user,
    )
    start = timezone.localdate() + timedelta(days=100)
    intervention_plan(
        asset=asset,
        kind="demolition",
        planned_start=start,
        planned_end=start + timedelta(days=30),
        actor=chain.owner_user,
    )
    tasks = {t.key: t for t in start_tasks(chain.owner_user)}
    assert tasks["inventory"].count == 1
    assert tasks["inventory"].url == reverse("asset-passport", args=[asset.pk])
    # the inventory makes it go away
    from urbanmine.lots.services import lot_identify

    lot_identify(
        asset=asset,
        product_group=chain.bricks,
        quantity=10,
        unit="piece",
        mass_kg_per_unit="2",
        quality="B",
        organisation=chain.owner,
        actor=chain.owner_user,
    )
    assert "inventory" not in _keys(chain.owner_user)


@pytest.mark.parametrize("n", [1, 8])
def test_the_start_page_has_bounded_queries(chain, client, django_assert_max_num_queries, n):
    for _ in range(n):
        lot = harvest_into_hub(chain, identify_bricks(chain, 100))
        reservation_request_create(lot_id=lot.id, actor=chain.buyer_user, quantity=1)
    client.force_login(chain.owner_user)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("start"))
    assert page.status_code == 200 and 'data-task="requests"' in page.content.decode()
