"""Owners grant access per asset (issue #13, item 2): an organisation in a role, for a
period; revocable; every grant and revocation stays in the asset's access history. A grant
opens the passport and its lots; an inventoriser adds lots; a demolisher harvests."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.support.chain import identify_bricks
from urbanmine.assets.models import AssetGrant, GrantRole
from urbanmine.assets.permissions import assets_visible_to
from urbanmine.assets.services import asset_create, asset_grant, asset_grant_revoke
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Lot
from urbanmine.lots.permissions import lot_may_view, lots_visible_to
from urbanmine.lots.services import lot_record_step
from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole


@pytest.fixture
def inventoriser(chain):
    org = Organisation.objects.create(name="Inventarisatie Test")
    OrganisationRole.objects.create(organisation=org, role=ChainRole.INVENTORISER)
    user = get_user_model().objects.create_user("inventariseerder", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=org)
    return org, user


def _grant(chain, org, role, **kw):
    return asset_grant(
        asset=chain.building, organisation=org, role=role, actor=chain.owner_user, **kw
    )


def test_a_grant_opens_the_passport_and_its_unpublished_lots(chain, inventoriser, client):
    org, user = inventoriser
    lot = identify_bricks(chain, 100)  # identified: not published
    passport = reverse("asset-passport", args=[chain.building.pk])
    client.force_login(user)
    assert client.get(passport).status_code == 404
    assert not lot_may_view(user, lot)
    grant = _grant(chain, org, GrantRole.INVENTORISER)
    assert grant.live and chain.building in assets_visible_to(user)
    page = client.get(passport)
    assert page.status_code == 200 and lot.code in page.content.decode()
    assert lot_may_view(user, lot) and lots_visible_to(user).filter(pk=lot.pk).exists()
    assert client.get(f"/api/v1/lots/{lot.code}").status_code in (200, 401)  # session or token API
    # the inventoriser adds a lot to the passport
    r = client.post(
        reverse("asset-add-lot", args=[chain.building.pk]),
        {
            "product_group": chain.bricks.code,
            "quantity": "250",
            "unit": "piece",
            "mass_kg_per_unit": "2.1",
            "quality": "B",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert Lot.objects.filter(source_asset=chain.building, quantity=250).exists()
    # revoked: nothing opens any more, and the grant stays in the history
    asset_grant_revoke(grant_id=grant.pk, actor=chain.owner_user)
    assert client.get(passport).status_code == 404
    assert not lot_may_view(user, Lot.objects.get(pk=lot.pk))
    assert AssetGrant.objects.filter(pk=grant.pk, revoked_at__isnull=False).exists()


@pytest.mark.parametrize(
    "window",
    [
        (-30, -1),  # ended yesterday
        (3, None),  # starts in three days
    ],
)
def test_a_grant_outside_its_period_opens_nothing(chain, inventoriser, client, window):
    org, user = inventoriser
    today = timezone.localdate()
    start, end = window
    _grant(
        chain,
        org,
        GrantRole.INVENTORISER,
        starts_on=today + timedelta(days=start),
        ends_on=None if end is None else today + timedelta(days=end),
    )
    client.force_login(user)
    assert client.get(reverse("asset-passport", args=[chain.building.pk])).status_code == 404
    assert chain.building not in assets_visible_to(user)


def test_a_granted_demolisher_harvests_and_holds_the_material(chain, client):
    other = Organisation.objects.create(name="Sloper Twee")
    OrganisationRole.objects.create(organisation=other, role=ChainRole.DEMOLISHER)
    user = get_user_model().objects.create_user("sloper2", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=other)
    lot = identify_bricks(chain, 100)
    with pytest.raises(PermissionDenied):
        lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=user)
    _grant(chain, other, GrantRole.DEMOLISHER)
    event = lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=user)
    lot.refresh_from_db()
    assert event.organisation == other and lot.custodian == other
    assert event.payload["custodian_from"] == chain.demolisher.pk
    assert lot.owner == chain.owner  # harvesting is holding, not owning


def test_bad_grants_are_refused_naming_the_field_and_nothing_is_saved(chain, inventoriser):
    org, user = inventoriser
    today = timezone.localdate()
    cases = [
        (dict(organisation=chain.owner, role=GrantRole.INVENTORISER), "organisation", "owns"),
        (dict(organisation=chain.outsider, role=GrantRole.INVENTORISER), "organisation", "not"),
        (
            dict(
                organisation=org,
                role=GrantRole.INVENTORISER,
                starts_on=today,
                ends_on=today - timedelta(days=1),
            ),
            "ends_on",
            "before",
        ),
    ]
    for kw, field, word in cases:
        with pytest.raises(ValidationError) as e:
            asset_grant(asset=chain.building, actor=chain.owner_user, **kw)
        assert word in " ".join(e.value.message_dict[field]), kw
    _grant(chain, org, GrantRole.INVENTORISER)
    with pytest.raises(ValidationError) as e:
        _grant(chain, org, GrantRole.INVENTORISER, starts_on=today + timedelta(days=5))
    assert "already" in e.value.message_dict["organisation"][0]
    with pytest.raises(PermissionDenied):
        asset_grant(asset=chain.building, organisation=org, role=GrantRole.DESIGNER, actor=user)
    assert AssetGrant.objects.count() == 1


def test_the_owner_grants_and_revokes_on_the_passport_page(chain, inventoriser, client):
    org, user = inventoriser
    client.force_login(chain.owner_user)
    passport = reverse("asset-passport", args=[chain.building.pk])
    page = client.get(passport).content.decode()
    assert 'id="grant-form"' in page and org.name in page
    r = client.post(
        reverse("asset-grant", args=[chain.building.pk]),
        {"organisation": org.pk, "role": "inventoriser", "starts_on": "", "ends_on": ""},
    )
    assert r.status_code == 302
    grant = AssetGrant.objects.get()
    page = client.get(passport).content.decode()
    assert f'data-grant="{grant.pk}"' in page
    # another organisation can neither revoke it nor see that it exists
    client.force_login(chain.outsider_user)
    assert client.post(reverse("asset-grant-revoke", args=[grant.pk])).status_code == 404
    # the grantee sees its own access on the passport, not the owner's list
    client.force_login(user)
    page = client.get(passport).content.decode()
    assert 'id="grant-form"' not in page and 'id="access"' in page
    client.force_login(chain.owner_user)
    assert client.post(reverse("asset-grant-revoke", args=[grant.pk])).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == chain.owner_user
    # bad input on the page: a grant to oneself comes back as a message, nothing saved
    r = client.post(
        reverse("asset-grant", args=[chain.building.pk]),
        {"organisation": chain.owner.pk, "role": "inventoriser"},
        follow=True,
    )
    assert r.status_code == 200 and AssetGrant.objects.count() == 1


def test_one_grant_covers_several_assets_of_a_project_all_or_none(chain, inventoriser, client):
    org, _user = inventoriser
    second = asset_create(
        owner=chain.owner,
        name="Flat Rotterdam blok B",
        scope="bu",
        use_type="apartment",
        lat=51.925,
        lon=4.478,
        construction_year=1968,
        floor_area_m2=2400,
    )
    client.force_login(chain.owner_user)
    r = client.post(
        reverse("asset-grant", args=[chain.building.pk]),
        {"organisation": org.pk, "role": "inventoriser", "also_for": [second.pk]},
    )
    assert r.status_code == 302
    assert set(AssetGrant.objects.values_list("asset_id", flat=True)) == {
        chain.building.pk,
        second.pk,
    }
    # a second grant on both: the one that exists refuses the whole set, naming the asset
    AssetGrant.objects.filter(asset=chain.building).update(revoked_at=timezone.now())
    r = client.post(
        reverse("asset-grant", args=[chain.building.pk]),
        {"organisation": org.pk, "role": "inventoriser", "also_for": [second.pk]},
        follow=True,
    )
    assert AssetGrant.objects.filter(revoked_at__isnull=True).count() == 1  # nothing added
    assert second.name in r.content.decode()
