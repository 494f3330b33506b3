"""The admin shows lots, their history, engagements and proposals, but changes none of
them: owner, custodian, quantity, status and publication change only through lifecycle
events (issue #14), and no lot is deleted."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from urbanmine.lots.models import Lot


@pytest.fixture
def steward(db):
    user = get_user_model().objects.create_superuser("steward-admin", password="pw-test-12345")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_cannot_change_a_lots_owner(steward, chain, identified_lot):
    url = f"/admin/lots/lot/{identified_lot.pk}/change/"
    page = steward.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="owner"' not in body and 'name="quantity"' not in body
    assert "Rode gevelstenen" in body  # shown, with its history inline
    r = steward.post(url, {"owner": chain.buyer.pk, "quantity": "1", "is_published": "on"})
    assert r.status_code == 403
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.owner == chain.owner and lot.quantity == 10000 and not lot.is_published


def test_the_admin_cannot_delete_a_lot(steward, identified_lot):
    assert steward.get(f"/admin/lots/lot/{identified_lot.pk}/delete/").status_code == 403
    r = steward.post(
        "/admin/lots/lot/",
        {"action": "delete_selected", "_selected_action": [identified_lot.pk], "post": "yes"},
    )
    assert r.status_code in (200, 302)
    assert Lot.objects.filter(pk=identified_lot.pk).exists()
    assert "delete_selected" not in steward.get("/admin/lots/lot/").content.decode()
