"""Lifecycle through the services: status from events, splits, merges, hazards, hubs."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support.chain import inspect
from urbanmine.lots.lifecycle import Status, Step, fold_status
from urbanmine.lots.models import AppendOnlyError, LifecycleEvent, Location, Lot
from urbanmine.lots.services import lot_identify, lot_record_step, lot_split, lots_merge


def replay(lot: Lot) -> str:
    events = lot.events.order_by("occurred_at", "id")
    return fold_status(
        [
            e.facts()
            for e in events
            if not (e.step == Step.SPLIT and e.payload.get("child") == lot.code)
        ],
        hazardous=lot.is_hazardous,
    )


def test_harvest_into_hub_moves_lot_and_custody(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.status == Status.HARVESTED
    assert lot.location == Location.AT_HUB and lot.hub == chain.hub
    assert lot.custodian == chain.hub_operator
    assert lot.is_published
    assert replay(lot) == lot.status


def test_full_chain_to_application_and_passport_of_new_asset(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    inspect(chain, identified_lot, passed=True, certificate_number="CERT-1")
    lot_record_step(
        lot_id=identified_lot.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
    )
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.owner == chain.buyer and lot.status == Status.SOLD and not lot.is_published
    # Realised impact on the sale: 10,000 × 2.1 kg × (virgin − reuse) of the cited factor row.
    from urbanmine.catalogue.factors import factor_source

    sale = lot.events.get(step=Step.SALE)
    f = factor_source().factor("bricks-clay")
    assert sale.co2_avoided_kg == pytest.approx(
        21000 * (f.virgin_co2_kg_per_kg - f.reuse_co2_kg_per_kg)
    )
    assert sale.waste_diverted_kg == pytest.approx(21000 * f.waste_avoided_share)
    assert sale.r_strategy == "R3"
    lot_record_step(
        lot_id=lot.id, step=Step.EXECUTION, actor=chain.buyer_user, target_asset=chain.project
    )
    lot.refresh_from_db()
    assert (
        lot.status == Status.APPLIED
        and lot.applied_asset == chain.project
        and lot.r_strategy == "R3"
    )
    assert lot in Lot.objects.filter(applied_asset=chain.project)
    lot_record_step(
        lot_id=lot.id, step=Step.MONITORING, actor=chain.buyer_user, notes="Gevel na 1 jaar in orde"
    )
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=lot.id, step=Step.SALE, actor=chain.buyer_user, counterparty=chain.owner
        )
    assert "step" in e.value.message_dict
    assert replay(lot) == Status.APPLIED
    assert lot.inspections.count() == 1


def test_sale_before_harvest_is_refused_and_nothing_changes(chain, identified_lot):
    before = LifecycleEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=identified_lot.id,
            step=Step.SALE,
            actor=chain.owner_user,
            counterparty=chain.buyer,
        )
    assert "step" in e.value.message_dict
    assert LifecycleEvent.objects.count() == before
    assert Lot.objects.get(pk=identified_lot.pk).owner == chain.owner


def test_failed_inspection_blocks_application(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    inspect(chain, identified_lot, passed=False)
    with pytest.raises(ValidationError):
        lot_record_step(
            lot_id=identified_lot.id,
            step=Step.EXECUTION,
            actor=chain.owner_user,
            target_asset=chain.project,
        )
    assert Lot.objects.get(pk=identified_lot.pk).status == Status.REJECTED


def test_hazardous_lot_can_never_be_offered_or_sold(chain):
    lot = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=100,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="A",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
        has_asbestos=True,
    )
    lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user)
    lot.refresh_from_db()
    assert lot.status == Status.HARVESTED and not lot.is_published
    for step, extra in [
        (Step.SALE, {"counterparty": chain.buyer}),
        (Step.CONNECTION, {}),
        (Step.EXECUTION, {"target_asset": chain.project}),
    ]:
        with pytest.raises(ValidationError):
            lot_record_step(lot_id=lot.id, step=step, actor=chain.owner_user, **extra)
    # The database refuses a published hazardous lot too.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=lot.pk).update(is_published=True)


def test_partial_sale_splits_and_keeps_the_trace(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    event = lot_record_step(
        lot_id=identified_lot.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        quantity=4000,
    )
    child = event.lot
    parent = Lot.objects.get(pk=identified_lot.pk)
    assert child.pk != parent.pk
    assert parent.quantity == Decimal(6000) and child.quantity == Decimal(4000)
    assert parent.status == Status.HARVESTED and child.status == Status.SOLD
    assert child.owner == chain.buyer and parent.owner == chain.owner
    assert list(child.source_assets.all()) == [chain.building]
    assert child.parent_links.get().parent == parent


def test_split_refuses_fractional_pieces_and_too_much(chain, identified_lot):
    with pytest.raises(ValidationError) as e:
        lot_split(lot_id=identified_lot.id, quantity="2.5", actor=chain.demolisher_user)
    assert "quantity" in e.value.message_dict
    with pytest.raises(ValidationError):
        lot_split(lot_id=identified_lot.id, quantity=10000, actor=chain.demolisher_user)
    with pytest.raises(ValidationError):
        lot_split(lot_id=identified_lot.id, quantity=-5, actor=chain.demolisher_user)
    assert Lot.objects.count() == 1


def test_merge_at_hub_traces_back_to_every_source_asset(chain):
    from urbanmine.assets.services import asset_create

    other = asset_create(
        owner=chain.owner,
        name="School Leiden",
        scope="bu",
        use_type="education",
        lat=52.1601,
        lon=4.4970,
        construction_year=1975,
        floor_area_m2=3000,
    )
    a = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=500,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    b = lot_identify(
        asset=other,
        product_group=chain.bricks,
        quantity=300,
        unit="piece",
        mass_kg_per_unit="2.3",
        quality="B",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    for lot in (a, b):
        lot_record_step(
            lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    # Split one first, then merge the remainder: the trace survives both.
    lot_split(lot_id=b.id, quantity=100, actor=chain.hub_operator_user)
    merged = lots_merge(lot_ids=[a.id, b.id], actor=chain.hub_operator_user)
    assert merged.quantity == Decimal(700)
    assert set(merged.source_assets.all()) == {chain.building, other}
    assert merged.mass_kg_per_unit == Decimal("2.157")  # (500·2.1 + 200·2.3) / 700
    for lot in (a, b):
        lot.refresh_from_db()
        assert lot.status == Status.CLOSED and not lot.is_published
    with pytest.raises(ValidationError):
        lot_record_step(
            lot_id=a.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
        )
    # Split a merged lot: the child still traces to both buildings.
    child = lot_split(lot_id=merged.id, quantity=50, actor=chain.hub_operator_user)
    assert set(child.source_assets.all()) == {chain.building, other}


def test_merge_refuses_unlike_lots(chain):
    a = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=10,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="A",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    b = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=10,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="C",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    for lot in (a, b):
        lot_record_step(
            lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    with pytest.raises(ValidationError) as e:
        lots_merge(lot_ids=[a.id, b.id], actor=chain.hub_operator_user)
    assert "quality" in str(e.value)


def test_hub_capacity_and_acceptance_are_enforced(chain):
    big = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=2000,
        unit="m",
        mass_kg_per_unit="42",
        quality="A",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )  # 84 t > 50 t
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=big.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    assert "hub" in e.value.message_dict and "capacity" in e.value.message_dict["hub"][0]
    chain.hub.accepted_product_groups.set([chain.bricks])
    small = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=10,
        unit="m",
        mass_kg_per_unit="42",
        quality="A",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=small.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
        )
    assert "does not accept" in e.value.message_dict["hub"][0]
    assert Lot.objects.get(pk=small.pk).status == Status.IDENTIFIED


def test_other_organisation_may_not_record_steps(chain, identified_lot):
    with pytest.raises(PermissionDenied):
        lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.outsider_user)
    assert identified_lot.events.count() == 1


def test_events_are_append_only(chain, identified_lot):
    event = identified_lot.events.get()
    event.notes = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        LifecycleEvent.objects.filter(pk=event.pk).update(notes="x")
    with pytest.raises(AppendOnlyError):
        LifecycleEvent.objects.all().delete()


@pytest.mark.parametrize(
    "quantity,unit,field",
    [
        (-1, "piece", "quantity"),
        (0, "piece", "quantity"),
        ("1.5", "piece", "quantity"),
        (10, "barrels", "unit"),
        ("abc", "m", "quantity"),
    ],
)
def test_identify_validates_input(chain, quantity, unit, field):
    with pytest.raises(ValidationError) as e:
        lot_identify(
            asset=chain.building,
            product_group=chain.bricks,
            quantity=quantity,
            unit=unit,
            mass_kg_per_unit="2",
            quality="A",
            organisation=chain.demolisher,
            custodian=chain.demolisher,
        )
    assert field in e.value.message_dict
    assert not Lot.objects.exists()


def test_dates_out_of_order_are_refused(chain, identified_lot):
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=identified_lot.id,
            step=Step.INVENTORY,
            actor=chain.demolisher_user,
            occurred_at=timezone.now() - timedelta(days=30),
        )
    assert "occurred_at" in e.value.message_dict


def test_a_lot_is_applied_only_in_an_own_asset(chain, identified_lot):
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=identified_lot.id,
            step=Step.EXECUTION,
            actor=chain.hub_operator_user,
            target_asset=chain.project,
        )  # the buyer's project
    assert Lot.objects.get(pk=identified_lot.pk).applied_asset is None


def test_imported_lots_stay_in_the_owners_custody(chain):
    from datetime import date

    from urbanmine.engine.inventory import InventoryRow
    from urbanmine.lots.services import lots_import_inventory

    row = InventoryRow(
        row_number=2,
        product_group="bricks-clay",
        description="",
        quantity=Decimal(10),
        unit="piece",
        mass_kg_per_unit=Decimal("2.1"),
        quality="B",
        hazardous=False,
        expected_release_date=date(2027, 1, 1),
    )
    stored = lots_import_inventory(
        asset_id=chain.building.pk,
        rows=[row],
        actor=chain.demolisher_user,
        source_name="x.csv",
        organisation=chain.demolisher,
    )
    lot = Lot.objects.get(pk=stored[0].id)
    assert lot.owner == chain.owner and lot.custodian == chain.owner


def test_hub_closed_to_deliveries_takes_in_its_operators_lots_only(chain, identified_lot):
    chain.hub.open_to_deliveries = False
    chain.hub.save(update_fields=["open_to_deliveries"])
    with pytest.raises(ValidationError) as err:
        lot_record_step(
            lot_id=identified_lot.id,
            step=Step.DISMANTLING,
            actor=chain.demolisher_user,
            hub=chain.hub,
        )
    assert "hub" in err.value.message_dict and "Hubbeheer Test" in str(err.value)
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.location == Location.IN_ASSET and lot.status == Status.IDENTIFIED
    # the operator moves a lot it holds into its own hub
    own = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=2,
        unit="piece",
        mass_kg_per_unit="300",
        quality="A",
        organisation=chain.hub_operator,
        custodian=chain.hub_operator,
    )
    lot_record_step(
        lot_id=own.id, step=Step.DISMANTLING, actor=chain.hub_operator_user, hub=chain.hub
    )
    assert Lot.objects.get(pk=own.pk).hub == chain.hub
