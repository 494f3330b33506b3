"""Another organisation's asset, lot or hub: 403 or 404, and nothing changes."""

from urbanmine.hubs.models import Hub
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.market.models import DemandRequest


def test_other_organisations_asset_is_404(client_for, chain, identified_lot):
    c = client_for(chain.outsider_user)
    pk = chain.building.pk
    for url in (
        f"/api/v1/assets/{pk}",
        f"/api/v1/assets/{pk}/passport",
        f"/api/v1/assets/{pk}/passport.json",
        f"/api/v1/assets/{pk}/passport.xlsx",
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert r["Content-Type"] == "application/problem+json", url
    assert c.get("/api/v1/assets").json()["count"] == 0


def test_custodian_sees_the_passport(client_for, chain, identified_lot):
    # the demolisher holds custody of a lot in the building: the passport is visible
    r = client_for(chain.demolisher_user).get(f"/api/v1/assets/{chain.building.pk}/passport")
    assert r.status_code == 200
    assert [lot["code"] for lot in r.json()["results"]] == [identified_lot.code]


def test_unpublished_lot_of_another_organisation_is_404_and_unchanged(
    client_for, chain, identified_lot
):
    c = client_for(chain.outsider_user)
    before = LifecycleEvent.objects.count()
    assert c.get(f"/api/v1/lots/{identified_lot.code}").status_code == 404
    assert c.get(f"/api/v1/lots/{identified_lot.code}/events").status_code == 404
    r = c.post(f"/api/v1/lots/{identified_lot.code}/events", {"step": "inventory"}, format="json")
    assert r.status_code == 404
    assert LifecycleEvent.objects.count() == before
    assert Lot.objects.get(pk=identified_lot.pk).status == "identified"
    assert identified_lot.code not in str(c.get("/api/v1/lots").json())


def test_published_lot_of_another_organisation_is_visible_but_403_to_change(
    client_for, chain, harvested_lot
):
    c = client_for(chain.outsider_user)
    assert c.get(f"/api/v1/lots/{harvested_lot.code}").status_code == 200
    before = LifecycleEvent.objects.count()
    r = c.post(
        f"/api/v1/lots/{harvested_lot.code}/events",
        {"step": "sale", "counterparty": chain.outsider.pk},
        format="json",
    )
    assert r.status_code == 403
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["status"] == 403
    assert LifecycleEvent.objects.count() == before
    lot = Lot.objects.get(pk=harvested_lot.pk)
    assert lot.owner == chain.owner and lot.status == "harvested"


def test_other_organisations_hub_cannot_be_changed(client_for, chain):
    c = client_for(chain.outsider_user)
    assert c.get(f"/api/v1/hubs/{chain.hub.pk}").status_code == 200  # hubs publish their stock
    r = c.patch(f"/api/v1/hubs/{chain.hub.pk}", {"capacity_t": "1", "max_dwell_days": 5})
    assert r.status_code == 403
    assert r["Content-Type"] == "application/problem+json"
    hub = Hub.objects.get(pk=chain.hub.pk)
    assert hub.capacity_t == 50 and hub.max_dwell_days == 270


def test_operator_changes_own_hub(client_for, chain):
    c = client_for(chain.hub_operator_user)
    r = c.patch(f"/api/v1/hubs/{chain.hub.pk}", {"max_dwell_days": 180}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["max_dwell_days"] == 180
    r = c.patch(f"/api/v1/hubs/{chain.hub.pk}", {"capacity_t": "-5"}, format="json")
    assert r.status_code == 400
    assert [p["name"] for p in r.json()["invalid_params"]] == ["capacity_t"]
    assert Hub.objects.get(pk=chain.hub.pk).capacity_t == 50
    r = c.patch(f"/api/v1/hubs/{chain.hub.pk}", {"open_to_deliveries": False}, format="json")
    assert r.status_code == 200 and r.json()["open_to_deliveries"] is False
    assert Hub.objects.get(pk=chain.hub.pk).open_to_deliveries is False


def test_demand_of_other_organisations_is_invisible(client_for, chain):
    from datetime import date

    demand = DemandRequest.objects.create(
        project=chain.project,
        organisation=chain.buyer,
        product_group=chain.bricks,
        quantity=500,
        unit="piece",
        min_quality="B",
        window_start=date(2027, 1, 1),
        window_end=date(2027, 6, 1),
    )
    assert client_for(chain.buyer_user).get("/api/v1/demand-requests").json()["count"] == 1
    assert client_for(chain.matchmaker_user).get("/api/v1/demand-requests").json()["count"] == 1
    c = client_for(chain.outsider_user)
    assert c.get("/api/v1/demand-requests").json()["count"] == 0
    assert c.get(f"/api/v1/demand-requests/{demand.pk}").status_code == 404
    # nor can anybody request material for another organisation's project
    r = c.post(
        "/api/v1/demand-requests",
        {
            "project": chain.project.pk,
            "product_group": "bricks-clay",
            "quantity": "10",
            "window_start": "2027-01-01",
            "window_end": "2027-02-01",
        },
        format="json",
    )
    assert r.status_code == 400
    assert [p["name"] for p in r.json()["invalid_params"]] == ["project"]
    r = c.post(
        "/api/v1/demand-requests",
        {
            "project": chain.project.pk,
            "organisation": chain.buyer.pk,
            "product_group": "bricks-clay",
            "quantity": "10",
            "window_start": "2027-01-01",
            "window_end": "2027-02-01",
        },
        format="json",
    )
    assert r.status_code == 400
    assert "organisation" in [p["name"] for p in r.json()["invalid_params"]]
    assert DemandRequest.objects.count() == 1


def test_custodian_of_one_lot_sees_only_that_lot_of_the_passport(
    client_for, client, chain, identified_lot
):
    """The demolisher holds one lot of the building: page, API and exports of the passport
    show that lot and its history, not the owner's other lots; the owner sees all."""
    from django.urls import reverse

    from urbanmine.lots.services import lot_identify

    own = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=4,
        unit="piece",
        mass_kg_per_unit="300",
        quality="A",
        organisation=chain.owner,
        description="Stalen liggers",
    )
    pk = chain.building.pk
    demolisher = client_for(chain.demolisher_user)
    codes = [x["code"] for x in demolisher.get(f"/api/v1/assets/{pk}/passport").json()["results"]]
    assert codes == [identified_lot.code]
    doc = demolisher.get(f"/api/v1/assets/{pk}/passport.json").json()
    assert {x["lot_code"] for x in doc["history"]} == {identified_lot.code}
    assert own.code not in str(doc)
    client.force_login(chain.demolisher_user)
    page = client.get(reverse("asset-passport", args=[pk])).content.decode()
    assert identified_lot.code in page and own.code not in page
    owner = client_for(chain.owner_user)
    codes = [x["code"] for x in owner.get(f"/api/v1/assets/{pk}/passport").json()["results"]]
    assert sorted(codes) == sorted([identified_lot.code, own.code])


def test_certifier_records_a_quality_control_and_nothing_else(client_for, chain, harvested_lot):
    """A product inspector & certifier inspects a lot it was engaged for and does not hold;
    the inspection is recorded for the certifier; other steps stay with owner and custodian."""
    from urbanmine.lots.models import Inspection

    c = client_for(chain.certifier_user)
    url = f"/api/v1/lots/{harvested_lot.code}/events"
    r = c.post(url, {"step": "quality_control", "passed": True}, format="json")
    assert r.status_code == 403  # not engaged: offered supply is not enough (issue #14)
    r = client_for(chain.hub_operator_user).post(
        f"/api/v1/lots/{harvested_lot.code}/engagements",
        {"certifier": chain.certifier.pk},
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = c.post(url, {"step": "sale", "counterparty": chain.certifier.pk}, format="json")
    assert r.status_code == 403
    r = c.post(url, {"step": "quality_control", "passed": True}, format="json")
    assert r.status_code == 201, r.json()
    inspection = Inspection.objects.get(lot=harvested_lot)
    assert inspection.inspector == chain.certifier and inspection.result == "passed"
    assert Lot.objects.get(pk=harvested_lot.pk).status == "approved"
    # an outsider without the certifier role may not inspect
    r = client_for(chain.outsider_user).post(
        url, {"step": "quality_control", "passed": False}, format="json"
    )
    assert r.status_code == 403
    assert Lot.objects.get(pk=harvested_lot.pk).status == "approved"


def test_certifier_cannot_inspect_unpublished_lots(client_for, chain, identified_lot):
    r = client_for(chain.certifier_user).post(
        f"/api/v1/lots/{identified_lot.code}/events",
        {"step": "quality_control", "passed": False},
        format="json",
    )
    assert r.status_code == 404
    assert Lot.objects.get(pk=identified_lot.pk).status == "identified"


def test_certifier_page_offers_only_the_quality_control(client, client_for, chain, harvested_lot):
    from django.urls import reverse
    from django.utils import timezone

    from urbanmine.lots.services import lot_engage_certifier

    lot_engage_certifier(
        lot_id=harvested_lot.id, certifier=chain.certifier, actor=chain.hub_operator_user
    )
    client.force_login(chain.certifier_user)
    page = client.get(reverse("lot-detail", args=[harvested_lot.code])).content.decode()
    assert 'data-step="quality_control"' in page and 'data-step="sale"' not in page
    url = reverse("lot-step", args=[harvested_lot.code, "quality_control"])
    form = client.get(url).content.decode()
    assert 'name="counterparty"' not in form and 'name="hub"' not in form  # inspection only
    assert client.get(reverse("lot-step", args=[harvested_lot.code, "sale"])).status_code == 403
    data = {"occurred_on": timezone.localdate().isoformat(), "passed": "0"}
    assert client.post(url, data).status_code == 200  # the confirmation, nothing written yet
    assert Lot.objects.get(pk=harvested_lot.pk).status == "harvested"
    r = client.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302
    assert Lot.objects.get(pk=harvested_lot.pk).status == "rejected"
    # the rejected lot is no longer offered, but its inspector still sees it
    assert client.get(r["Location"]).status_code == 200
    r = client_for(chain.certifier_user).get(f"/api/v1/lots/{harvested_lot.code}")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert (
        client_for(chain.outsider_user).get(f"/api/v1/lots/{harvested_lot.code}").status_code == 404
    )
