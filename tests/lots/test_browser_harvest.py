"""A demolisher signs in, opens a passport, records a harvest into a hub, sees it in stock."""

import pytest

from tests.conftest import sign_in
from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Lot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demolisher_harvests_a_lot_into_a_hub(chain, identified_lot, page):
    sign_in(page, "demolisher")
    page.goto(f"{page.base_url}/assets/{chain.building.pk}/")
    assert "Flat Rotterdam" in page.inner_text("h1")
    row = page.locator(f"#passport-lots tr[data-lot='{identified_lot.code}']")
    assert "Geïdentificeerd" in row.inner_text() or "Identified" in row.inner_text()
    row.locator("a").first.click()
    page.select_option("#id_step", "dismantling")
    page.select_option("#id_hub", str(chain.hub.pk))
    page.fill("#id_notes", "Gevel gedemonteerd, op pallets")
    page.click("#record-step button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages").count() == 1, page.inner_text("main")[:3000]
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.status == Status.HARVESTED and lot.hub_id == chain.hub.pk
    page.click(f"a[href='/hubs/{chain.hub.pk}/']")
    page.wait_for_load_state("networkidle")
    stock = page.locator(f"#hub-stock tr[data-lot='{identified_lot.code}']")
    assert stock.count() == 1
    assert "10000" in stock.inner_text()
