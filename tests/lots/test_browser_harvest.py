"""A demolisher signs in, opens a passport, records a harvest into a hub with the harvest's
own form (only suitable hubs offered, a destination required, a confirmation before
anything is written), and sees the lot in the hub's stock."""

from decimal import Decimal

import pytest

from tests.conftest import sign_in
from urbanmine.hubs.models import Hub, HubTypology
from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.regions.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demolisher_harvests_a_lot_into_a_hub(chain, identified_lot, page):
    rotterdam = Municipality.objects.get(code="GM0599")
    full = Hub.objects.create(
        name="Hub Vol",
        typology=HubTypology.URBAN_MINING,
        operator=chain.hub_operator,
        lat=51.9,
        lon=4.4,
        municipality=rotterdam,
        capacity_m2=Decimal(100),
        capacity_t=Decimal(5),  # 21 t of bricks do not fit
    )
    picky = Hub.objects.create(
        name="Hub Alleen Staal",
        typology=HubTypology.MATERIAL_BANK,
        operator=chain.hub_operator,
        lat=51.9,
        lon=4.4,
        municipality=rotterdam,
        capacity_m2=Decimal(100),
        capacity_t=Decimal(500),
    )
    picky.accepted_product_groups.add(chain.steel)
    sign_in(page, "demolisher")
    page.goto(f"{page.base_url}/assets/{chain.building.pk}/")
    assert "Flat Rotterdam" in page.inner_text("h1")
    row = page.locator(f"#passport-lots tr[data-lot='{identified_lot.code}']")
    assert "Geïdentificeerd" in row.inner_text()
    row.locator("a").first.click()
    page.click("#record-step a[data-step='dismantling']")
    page.wait_for_load_state("networkidle")
    assert "Demontage" in page.inner_text("h1")
    # only the hub that takes bricks in and has room, with its free capacity
    options = page.locator("#id_hub option").all_inner_texts()
    assert any("Hub Waalhaven" in o and "50,0 t vrij" in o for o in options), options
    assert not any("Hub Vol" in o or "Alleen Staal" in o for o in options), options
    assert page.locator("#id_target_asset").count() == 0  # not a field of a harvest
    # no destination: refused, in Dutch, nothing written
    before = LifecycleEvent.objects.count()
    page.click("#step-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Dit veld is vereist" in page.inner_text(".field-destination")
    assert LifecycleEvent.objects.count() == before
    page.select_option("#id_destination", "hub")
    page.select_option("#id_hub", str(chain.hub.pk))
    page.fill("#id_notes", "Gevel gedemonteerd, op pallets")
    page.click("#step-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    consequences = page.inner_text("#consequences")
    assert "Hubbeheer Test" in consequences and "niet worden verwijderd" in consequences
    assert LifecycleEvent.objects.count() == before  # nothing written before confirming
    page.click("#step-confirm button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages").count() == 1, page.inner_text("main")[:3000]
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.status == Status.HARVESTED and lot.hub_id == chain.hub.pk
    assert lot.events.last().notes == "Gevel gedemonteerd, op pallets"
    assert full.pk and picky.pk
    page.click(f"a[href='/hubs/{chain.hub.pk}/']")
    page.wait_for_load_state("networkidle")
    stock = page.locator(f"#hub-stock tr[data-lot='{identified_lot.code}']")
    assert stock.count() == 1
    assert "10.000" in stock.inner_text()  # Dutch thousands separator
