"""Publication is a decision (issue #13, item 3): lots added by hand, inventory or IFC are
drafts — not on the supply list, not in the public API, not matched — until the owner
reviews them (flags for implausible values) and publishes them."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.support.chain import identify_bricks
from urbanmine.engine import matching as engine
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_record_step, lot_review_flags, lots_publish
from urbanmine.market.services import match_instance_build


@pytest.fixture
def draft(chain):
    lot = identify_bricks(chain, 800, draft=True)
    lot_record_step(
        lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    lot.refresh_from_db()
    return lot


def test_a_draft_is_offered_nowhere_until_the_owner_publishes_it(chain, draft, client, anon):
    assert draft.draft and not draft.is_published
    assert draft.code not in client.get("/supply/").content.decode()
    assert anon.get(f"/api/v1/lots/{draft.code}").status_code in (401, 404)
    assert draft.code not in json.dumps(anon.get("/api/v1/supply").json())
    assert not engine.parse_instance(match_instance_build().data).supply
    with pytest.raises(PermissionDenied):
        lots_publish(lot_ids=[draft.id], actor=chain.hub_operator_user)  # the custodian
    (lot,) = lots_publish(lot_ids=[draft.id], actor=chain.owner_user)
    assert lot.is_published and not lot.draft
    assert draft.code in client.get("/supply/").content.decode()
    assert len(engine.parse_instance(match_instance_build().data).supply) == 1
    with pytest.raises(ValidationError):  # published already
        lots_publish(lot_ids=[draft.id], actor=chain.owner_user)


def test_a_lot_added_on_the_page_is_a_draft_and_the_review_flags_what_to_check(chain, client):
    client.force_login(chain.owner_user)
    r = client.post(
        reverse("asset-add-lot", args=[chain.building.pk]),
        {
            "product_group": "concrete-granulate",
            "quantity": "13",
            "unit": "piece",
            "mass_kg_per_unit": "1000",
            "quality": "B",
        },
    )
    assert r.status_code == 302
    lot = Lot.objects.get(quantity=13)
    assert lot.draft
    flags = lot_review_flags(lot)
    assert flags and any("kg" in f or "plausib" in f for f in flags)
    assert any("description" in f or "omschrijving" in f for f in flags)
    passport = client.get(reverse("asset-passport", args=[chain.building.pk])).content.decode()
    assert 'id="drafts-waiting"' in passport
    review = client.get(reverse("asset-drafts", args=[chain.building.pk])).content.decode()
    assert f'data-lot="{lot.code}" class="flagged"' in review
    # "all but the flagged" publishes nothing here; ticking it publishes it
    client.post(reverse("asset-drafts", args=[chain.building.pk]), {"action": "unflagged"})
    assert Lot.objects.get(pk=lot.pk).draft
    client.post(reverse("asset-drafts", args=[chain.building.pk]), {"lot": [lot.pk]})
    assert not Lot.objects.get(pk=lot.pk).draft


def test_only_the_owner_publishes_on_the_review_page(chain, draft, client):
    client.force_login(chain.outsider_user)
    url = reverse("asset-drafts", args=[chain.building.pk])
    assert client.get(url).status_code == 404
    client.force_login(chain.hub_operator_user)  # holds the lot, sees the passport; no publishing
    assert client.post(url, {"lot": [draft.pk]}).status_code == 403
    assert Lot.objects.get(pk=draft.pk).draft


def test_the_import_command_makes_drafts_or_publishes_when_asked(chain, tmp_path):
    csv = tmp_path / "inv.csv"
    csv.write_text(
        "product_group,description,quantity,unit,mass_kg_per_unit,quality,hazardous\n"
        "bricks-clay,Rode steen,100,piece,2.1,B,false\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "import_inventory",
        str(csv),
        "--asset",
        str(chain.building.pk),
        "--format",
        "json",
        stdout=out,
    )
    first = Lot.objects.get(description="Rode steen")
    assert first.draft and not first.is_published
    call_command(
        "import_inventory", str(csv), "--asset", str(chain.building.pk), "--publish", stdout=out
    )
    second = Lot.objects.exclude(pk=first.pk).get(description="Rode steen")
    assert not second.draft and second.is_published


def test_the_api_publishes_the_owners_drafts_all_or_none(chain, draft, client_for):
    owner, other = client_for(chain.owner_user), client_for(chain.outsider_user)
    r = other.post("/api/v1/lots/publications", {"lots": [draft.code]}, format="json")
    assert r.status_code == 400 and r.json()["invalid_params"][0]["name"] == "lots"
    published = identify_bricks(chain, 10)  # not a draft: refuses the whole set
    r = owner.post(
        "/api/v1/lots/publications", {"lots": [draft.code, published.code]}, format="json"
    )
    assert r.status_code == 400 and Lot.objects.get(pk=draft.pk).draft
    r = owner.post("/api/v1/lots/publications", {"lots": [draft.code]}, format="json")
    assert r.status_code == 200, r.content
    (row,) = r.json()
    assert row["code"] == draft.code and row["draft"] is False and row["is_published"] is True


def test_the_owner_sets_an_asking_price_shown_on_the_supply_list(chain, client, client_for):
    lot = identify_bricks(chain, 100)
    lot_record_step(lot_id=lot.id, step=Step.INVENTORY, actor=chain.demolisher_user)
    client.force_login(chain.owner_user)
    url = reverse("lot-asking-price", args=[lot.code])
    assert client.post(url, {"asking_price_eur": "-1"}).status_code == 302
    assert Lot.objects.get(pk=lot.pk).asking_price_eur is None  # refused, nothing saved
    messages = [
        str(m) for m in client.get(reverse("lot-detail", args=[lot.code])).context["messages"]
    ]
    assert any("zero" in m or "nul" in m for m in messages), messages
    client.post(url, {"asking_price_eur": "0,45"})
    assert str(Lot.objects.get(pk=lot.pk).asking_price_eur) == "0.45"
    supply = client.get("/supply/", {"sort": "-price"}).content.decode()
    assert "€ 0,45" in supply
    row = client_for(chain.outsider_user).get(f"/api/v1/supply/{lot.code}").json()
    assert row["asking_price_eur"] == "0.45"
    client.force_login(chain.demolisher_user)  # the custodian does not set the price
    assert client.post(url, {"asking_price_eur": "9"}).status_code == 403


def test_an_organisation_the_owner_lets_publish_publishes_the_assets_drafts(chain, client):
    from django.contrib.auth import get_user_model

    from urbanmine.assets.services import asset_grant
    from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole

    firm = Organisation.objects.create(name="Inventarisatie Publiceert")
    OrganisationRole.objects.create(organisation=firm, role=ChainRole.INVENTORISER)
    user = get_user_model().objects.create_user("publiceerder", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=firm)
    lot = identify_bricks(chain, 30, draft=True)
    asset_grant(
        asset=chain.building, organisation=firm, role="inventoriser", actor=chain.owner_user
    )
    with pytest.raises(PermissionDenied):  # adding lots is not publishing them
        lots_publish(lot_ids=[lot.id], actor=user)
    asset_grant(asset=chain.building, organisation=firm, role="publisher", actor=chain.owner_user)
    client.force_login(user)
    page = client.get(reverse("asset-drafts", args=[chain.building.pk])).content.decode()
    assert 'id="publish-selected"' in page
    (published,) = lots_publish(lot_ids=[lot.id], actor=user)
    assert not published.draft and published.owner == chain.owner
