"""Transformation (issue #14): a processor turns lots it holds into a new product; the new
lot traces to every source asset, the mass balance is recorded (input = output + losses),
and the output never weighs more than the input."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.assets.services import asset_create
from urbanmine.catalogue.models import ProductGroup
from urbanmine.lots.lifecycle import Status, Step, fold_status
from urbanmine.lots.models import Lot, LotLineage
from urbanmine.lots.services import TransformInto, lot_identify, lots_transform


def _slips(**kw) -> TransformInto:
    spec = {
        "product_group": ProductGroup.objects.get(code="facade-bricks-slips"),
        "quantity": 400,
        "mass_kg_per_unit": "20",
        "quality": "A",
        "r_strategy": "R6",
        "description": "Steenstrippanelen uit gereinigde gevelstenen",
    }
    spec.update(kw)
    return TransformInto(**spec)


@pytest.fixture
def two_lots(chain):
    """Bricks from two buildings, both at the hub (held by the hub operator)."""
    other = asset_create(
        owner=chain.owner,
        name="School Schiedam",
        scope="bu",
        use_type="education",
        lat=51.92,
        lon=4.40,
        construction_year=1972,
        floor_area_m2=1800,
    )
    a = harvest_into_hub(chain, identify_bricks(chain, 3000))
    b = lot_identify(
        asset=other,
        product_group=chain.bricks,
        quantity=2000,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.owner,
        actor=None,
        custodian=chain.demolisher,
    )
    b = harvest_into_hub(chain, b)
    return a, b, other


def test_a_transformation_keeps_the_trace_and_the_mass_balance(chain, two_lots):
    a, b, other = two_lots
    product = lots_transform(lot_ids=[a.id, b.id], into=_slips(), actor=chain.hub_operator_user)
    assert product.product_group.code == "facade-bricks-slips" and product.quantity == 400
    assert product.status == Status.HARVESTED and product.r_strategy == "R6"
    assert product.owner == chain.owner and product.custodian == chain.hub_operator
    assert product.hub == chain.hub and product.is_published
    assert set(product.source_assets.all()) == {chain.building, other}
    for lot in (a, b):
        lot.refresh_from_db()
        assert lot.status == Status.CLOSED and not lot.is_published
    assert LotLineage.objects.filter(child=product, kind="transformation").count() == 2
    event = product.events.get()
    balance = event.payload
    assert balance["input_kg"] == pytest.approx(5000 * 2.1)
    assert balance["output_kg"] == pytest.approx(8000)
    assert balance["losses_kg"] == pytest.approx(5000 * 2.1 - 8000)
    assert balance["input_kg"] == pytest.approx(balance["output_kg"] + balance["losses_kg"])
    assert event.step == Step.TRANSFORMATION and event.r_strategy == "R6"
    # every history still folds to its stored status
    for lot in (a, b, product):
        events = [e.facts() for e in lot.events.order_by("occurred_at", "id")]
        events = [f for f in events if f.step != Step.SPLIT]
        assert fold_status(events) == Lot.objects.get(pk=lot.pk).status
    # the new lot's page shows where it came from
    web = Client()
    web.force_login(chain.owner_user)
    page = web.get(f"/lots/{product.code}/").content.decode()
    assert a.code in page and b.code in page and "School Schiedam" in page


def test_the_output_never_weighs_more_than_the_input(chain, two_lots):
    a, b, _other = two_lots
    with pytest.raises(ValidationError) as e:
        lots_transform(
            lot_ids=[a.id, b.id], into=_slips(quantity=600), actor=chain.hub_operator_user
        )
    assert "quantity" in e.value.message_dict
    assert Lot.objects.get(pk=a.pk).status == Status.HARVESTED


def test_only_the_holder_transforms_and_with_a_real_r_strategy(chain, two_lots):
    a, b, _other = two_lots
    for user in (chain.owner_user, chain.outsider_user):
        with pytest.raises(PermissionDenied):
            lots_transform(lot_ids=[a.id], into=_slips(quantity=100), actor=user)
    with pytest.raises(ValidationError) as e:
        lots_transform(
            lot_ids=[a.id],
            into=_slips(quantity=100, r_strategy="R3"),
            actor=chain.hub_operator_user,
        )
    assert "r_strategy" in e.value.message_dict
    assert not Lot.objects.filter(product_group__code="facade-bricks-slips").exists()


def test_the_hub_page_transforms_the_selected_lots(chain, two_lots):
    a, b, _other = two_lots
    web = Client()
    web.force_login(chain.hub_operator_user)
    slips = ProductGroup.objects.get(code="facade-bricks-slips")
    r = web.post(
        f"/hubs/{chain.hub.pk}/transform/",
        {
            "lot": [a.pk, b.pk],
            "product_group": slips.pk,
            "quantity": "300",
            "mass_kg_per_unit": "20",
            "quality": "B",
            "r_strategy": "R6",
            "description": "",
        },
    )
    product = Lot.objects.get(product_group=slips)
    assert r.status_code == 302 and r["Location"] == f"/lots/{product.code}/"
    assert product.quantity == Decimal(300)


def test_the_api_transforms_lots_and_names_what_is_wrong(chain, two_lots, client_for):
    a, b, other = two_lots
    api = client_for(chain.hub_operator_user)
    body = {
        "lots": [a.code, b.code],
        "product_group": "facade-bricks-slips",
        "quantity": "400",
        "mass_kg_per_unit": "20",
        "quality": "A",
        "r_strategy": "R6",
    }
    r = api.post(
        "/api/v1/lots/transformations", {**body, "lots": [a.code, "L-NOPE"]}, format="json"
    )
    assert r.status_code == 400 and r.json()["invalid_params"][0]["name"] == "lots"
    r = client_for(chain.outsider_user).post("/api/v1/lots/transformations", body, format="json")
    assert r.status_code in (400, 403)
    assert Lot.objects.get(pk=a.pk).status == Status.HARVESTED
    r = api.post("/api/v1/lots/transformations", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["product_group"] == "facade-bricks-slips"
