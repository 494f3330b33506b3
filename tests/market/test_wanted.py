"""Wanted lists (issue #13, item 4): a buyer puts a product group on its wanted list; when
matching supply is published (within reach of its project, at its quality or better), it
gets a notice in the app and an e-mail — once per lot; its own lots and others do not."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.core.models import Notification
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_record_step
from urbanmine.market.models import WantedItem, WantedMatch
from urbanmine.market.services import wanted_create, wanted_notify


@pytest.fixture
def buyer_mail(chain):
    chain.buyer_user.email = "inkoop@bouwer.nl"
    chain.buyer_user.save()
    return chain.buyer_user


def test_a_published_lot_on_the_wanted_list_notifies_in_the_app_and_by_mail(
    chain, buyer_mail, client, django_capture_on_commit_callbacks
):
    client.force_login(buyer_mail)
    r = client.post(
        reverse("wanted-create"),
        {
            "product_group": chain.bricks.pk,
            "min_quality": "B",
            "project": chain.project.pk,
            "max_distance_km": "60",
        },
    )
    assert r.status_code == 302
    lot = identify_bricks(chain, 500)
    assert not Notification.objects.exists()  # identified: not on offer yet
    with django_capture_on_commit_callbacks(execute=True):
        lot_record_step(
            lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    (notice,) = Notification.objects.filter(user=buyer_mail)
    assert lot.code in notice.text and notice.url == reverse("lot-detail", args=[lot.code])
    (message,) = mail.outbox
    assert message.to == ["inkoop@bouwer.nl"] and lot.code in message.body
    # shown on the start page and in the menu, read once opened
    start = client.get(reverse("start")).content.decode()
    assert 'id="notices"' in start and lot.code in start
    assert 'id="notifications-link"' in start
    client.get(reverse("notifications"))
    assert Notification.objects.get().read_at is not None
    # never twice for the same lot
    assert wanted_notify() == 0
    assert WantedMatch.objects.count() == 1


def test_quality_distance_and_own_lots_are_respected(chain, buyer_mail):
    wanted_create(
        actor=buyer_mail,
        product_group=chain.bricks,
        min_quality="A",
        project=chain.project,
        max_distance_km=5,  # Delft to the Rotterdam hub is ~15 km
    )
    harvest_into_hub(chain, identify_bricks(chain, 100))  # quality B, far
    assert wanted_notify() == 0
    near = WantedItem.objects.create(
        organisation=chain.owner,
        created_by=chain.owner_user,
        product_group=chain.bricks,
        min_quality="C",
    )
    assert wanted_notify() == 0  # the owner's own lots are not news to it
    near.organisation = chain.outsider
    near.save()
    assert wanted_notify() == 1


def test_bad_wanted_items_are_refused_naming_the_field(chain, buyer_mail):
    with pytest.raises(ValidationError) as e:
        wanted_create(actor=buyer_mail, product_group=chain.bricks, max_distance_km=0)
    assert "max_distance_km" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        wanted_create(actor=buyer_mail, product_group=chain.bricks, project=chain.building)
    assert "project" in e.value.message_dict
    wanted_create(actor=buyer_mail, product_group=chain.bricks)
    with pytest.raises(ValidationError) as e:
        wanted_create(actor=buyer_mail, product_group=chain.bricks)
    assert "product_group" in e.value.message_dict
    assert WantedItem.objects.count() == 1
