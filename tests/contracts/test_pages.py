"""Who may see and change what: other organisations get 403/404 and nothing changes."""

import pytest
from django.test import Client

from urbanmine.hubs.models import Hub
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.lots.services import lot_record_step


def today() -> str:
    """The date field of the step form: today (a step cannot precede the lot's history)."""
    from django.utils import timezone

    return timezone.localdate().isoformat()


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_sees_published_supply_and_aggregates_only(client, chain, identified_lot):
    assert client.get("/").status_code == 200
    r = client.get("/supply/")
    assert r.status_code == 200
    assert identified_lot.code not in r.content.decode()  # identified lots are not offered
    assert client.get(f"/lots/{identified_lot.code}/").status_code == 404
    for url in ("/assets/", f"/assets/{chain.building.pk}/", "/hubs/", f"/hubs/{chain.hub.pk}/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


def test_published_lot_is_public_but_not_changeable(client, chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    assert client.get(f"/lots/{identified_lot.code}/").status_code == 200
    assert identified_lot.code in client.get("/supply/").content.decode()
    before = LifecycleEvent.objects.count()
    r = client.post(
        f"/lots/{identified_lot.code}/record/", {"step": "sale", "occurred_on": "2026-01-01"}
    )
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    login(client, chain.outsider_user)
    r = client.post(
        f"/lots/{identified_lot.code}/record/",
        {"step": "sale", "occurred_on": today(), "counterparty": chain.outsider.pk},
    )
    assert r.status_code == 403
    assert LifecycleEvent.objects.count() == before
    assert Lot.objects.get(pk=identified_lot.pk).owner == chain.owner


def test_other_organisation_cannot_see_or_change_a_passport(client, chain, identified_lot):
    login(client, chain.outsider_user)
    assert client.get(f"/assets/{chain.building.pk}/").status_code == 404
    assert client.get(f"/lots/{identified_lot.code}/").status_code == 404
    r = client.post(
        f"/lots/{identified_lot.code}/record/", {"step": "inventory", "occurred_on": today()}
    )
    assert r.status_code == 404
    r = client.post(
        f"/assets/{chain.building.pk}/interventions/",
        {"kind": "demolition", "planned_start": "2027-01-01", "planned_end": "2027-03-01"},
    )
    assert r.status_code == 404
    assert not chain.building.interventions.exists()
    assert Lot.objects.get(pk=identified_lot.pk).status == Status.IDENTIFIED


def test_custodian_sees_passport_but_only_owner_plans_interventions(client, chain, identified_lot):
    login(client, chain.demolisher_user)
    assert client.get(f"/assets/{chain.building.pk}/").status_code == 200
    r = client.post(
        f"/assets/{chain.building.pk}/interventions/",
        {"kind": "demolition", "planned_start": "2027-01-01", "planned_end": "2027-03-01"},
    )
    assert r.status_code == 403
    assert not chain.building.interventions.exists()
    client.force_login(chain.owner_user)
    r = client.post(
        f"/assets/{chain.building.pk}/interventions/",
        {"kind": "demolition", "planned_start": "2027-03-01", "planned_end": "2027-01-01"},
    )
    assert r.status_code == 302 and not chain.building.interventions.exists()  # dates out of order
    r = client.post(
        f"/assets/{chain.building.pk}/interventions/",
        {"kind": "demolition", "planned_start": "2027-01-01", "planned_end": "2027-03-01"},
    )
    assert chain.building.interventions.count() == 1


def test_only_the_operator_changes_a_hub(client, chain):
    login(client, chain.outsider_user)
    assert (
        client.get(f"/hubs/{chain.hub.pk}/").status_code == 200
    )  # stock is visible to chain parties
    r = client.post(
        f"/hubs/{chain.hub.pk}/settings/", {"capacity_t": 1, "capacity_m2": 1, "max_dwell_days": 1}
    )
    assert r.status_code == 403
    hub = Hub.objects.get(pk=chain.hub.pk)
    assert hub.capacity_t == 50 and hub.max_dwell_days == 270
    client.force_login(chain.hub_operator_user)
    client.post(
        f"/hubs/{chain.hub.pk}/settings/",
        {"capacity_t": 80, "capacity_m2": 1000, "max_dwell_days": 180},
    )
    hub.refresh_from_db()
    assert hub.capacity_t == 80 and hub.max_dwell_days == 180
    assert not hub.open_to_deliveries  # an unticked box closes the hub to others
    page = client.get(f"/hubs/{chain.hub.pk}/").content.decode()
    assert 'name="open_to_deliveries"' in page
    client.post(
        f"/hubs/{chain.hub.pk}/settings/",
        {"capacity_t": 80, "capacity_m2": 1000, "max_dwell_days": 180, "open_to_deliveries": "on"},
    )
    hub.refresh_from_db()
    assert hub.open_to_deliveries


def test_recording_a_step_through_the_page(client, chain, identified_lot):
    login(client, chain.demolisher_user)
    r = client.post(
        f"/lots/{identified_lot.code}/record/",
        {
            "step": "dismantling",
            "occurred_on": today(),
            "hub": chain.hub.pk,
            "quantity": "2.5",
        },
    )
    assert r.status_code == 400
    assert "whole numbers" in r.content.decode() or "hele" in r.content.decode()
    assert Lot.objects.get(pk=identified_lot.pk).status == Status.IDENTIFIED
    r = client.post(
        f"/lots/{identified_lot.code}/record/",
        {"step": "sale", "occurred_on": today(), "counterparty": chain.buyer.pk},
    )
    assert r.status_code == 400  # not a legal step now: not even offered in the form


def test_csrf_is_enforced(chain, identified_lot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chain.demolisher_user)
    r = client.post(
        f"/lots/{identified_lot.code}/record/", {"step": "inventory", "occurred_on": today()}
    )
    assert r.status_code == 403
    assert identified_lot.events.count() == 1


@pytest.mark.parametrize("n", [3, 30])
def test_supply_and_passport_pages_have_bounded_queries(
    client, chain, django_assert_max_num_queries, n
):
    from urbanmine.lots.services import lot_identify

    for i in range(n):
        lot = lot_identify(
            asset=chain.building,
            product_group=chain.bricks if i % 2 else chain.steel,
            quantity=10 + i,
            unit="piece" if i % 2 else "m",
            mass_kg_per_unit="2",
            quality="ABC"[i % 3],
            organisation=chain.demolisher,
            custodian=chain.demolisher,
        )
        lot_record_step(
            lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    with django_assert_max_num_queries(8):
        assert client.get("/supply/").status_code == 200
    client.force_login(chain.owner_user)
    # 15: the project's tender commitments (issue #17; three when there are some)
    with django_assert_max_num_queries(15):
        assert client.get(f"/assets/{chain.building.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/hubs/{chain.hub.pk}/").status_code == 200


def test_register_asset_with_rd_coordinates_and_add_a_lot(client, chain):
    client.force_login(chain.owner_user)
    r = client.post(
        "/assets/new/",
        {
            "name": "Kantoor Zuidplein",
            "scope": "bu",
            "use_type": "office",
            "rd_x": 92500,
            "rd_y": 434000,
            "construction_year": 1972,
            "floor_area_m2": 5000,
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    from urbanmine.assets.models import Asset

    asset = Asset.objects.get(name="Kantoor Zuidplein")
    assert asset.municipality.code == "GM0599" and asset.owner == chain.owner
    bad = client.post(
        f"/assets/{asset.pk}/lots/new/",
        {
            "product_group": "no-such-group",
            "quantity": "-3",
            "unit": "piece",
            "mass_kg_per_unit": "2",
            "quality": "A",
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "product_group" in body and not asset.lots.exists()
    frac = client.post(
        f"/assets/{asset.pk}/lots/new/",
        {
            "product_group": "doors-interior",
            "quantity": "2.5",
            "unit": "piece",
            "mass_kg_per_unit": "25",
            "quality": "A",
        },
    )
    assert frac.status_code == 400 and not asset.lots.exists()
    ok = client.post(
        f"/assets/{asset.pk}/lots/new/",
        {
            "product_group": "doors-interior",
            "quantity": "40",
            "unit": "piece",
            "mass_kg_per_unit": "25",
            "quality": "A",
        },
    )
    assert ok.status_code == 302
    lot = asset.lots.get()
    assert lot.custodian == chain.owner and lot.status == "identified"
    outside = client.post(
        "/assets/new/",
        {"name": "Parijs", "scope": "bu", "use_type": "office", "lat": 48.85, "lon": 2.35},
    )
    assert (
        outside.status_code == 400
        and "Netherlands" in outside.content.decode()
        or "Nederland" in outside.content.decode()
    )
    client.force_login(chain.outsider_user)
    assert client.post(f"/assets/{asset.pk}/lots/new/", {}).status_code == 404


def test_dutch_by_default_english_on_request(client, db):
    r = client.get("/supply/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert r["Content-Language"] == "nl"
    client.post("/i18n/setlang/", {"language": "en", "next": "/supply/"})
    r = client.get("/supply/")
    assert r["Content-Language"] == "en"


def test_the_step_form_offers_only_own_projects(client, chain, identified_lot):
    lot_record_step(lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user)
    client.force_login(chain.owner_user)
    form = client.get(f"/lots/{identified_lot.code}/steps/execution/").context["form"]
    assert chain.building in form.fields["target_asset"].queryset  # the owner's own
    assert chain.project not in form.fields["target_asset"].queryset  # the buyer's


def test_hub_operator_merges_like_lots_from_the_page(client, chain):
    from urbanmine.lots.services import lot_identify

    lots = [
        lot_identify(
            asset=chain.building,
            product_group=chain.bricks,
            quantity=q,
            unit="piece",
            mass_kg_per_unit="2.1",
            quality="B",
            organisation=chain.demolisher,
            custodian=chain.demolisher,
        )
        for q in (100, 200)
    ]
    for lot in lots:
        lot_record_step(
            lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    client.force_login(chain.outsider_user)
    assert (
        client.post(f"/hubs/{chain.hub.pk}/merge/", {"lot": [lot.pk for lot in lots]}).status_code
        == 403
    )
    client.force_login(chain.hub_operator_user)
    r = client.post(f"/hubs/{chain.hub.pk}/merge/", {"lot": [lot.pk for lot in lots]})
    assert r.status_code == 302
    merged = Lot.objects.get(status="harvested", quantity=300)
    assert set(merged.source_assets.all()) == {chain.building}


def test_unicode_digits_are_a_client_error_not_a_crash(client, chain):
    client.force_login(chain.hub_operator_user)
    assert client.post(f"/hubs/{chain.hub.pk}/merge/", {"lot": ["²", "³"]}).status_code == 302
    assert client.get("/dashboard/", {"scenario": "²"}).status_code in (200, 302, 400, 404)
