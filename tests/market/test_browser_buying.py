"""The buyer's journey through the web app (issue #13), in headless Chromium: the owner lets
an inventory firm in on a building; the builder posts a demand and puts bricks on its wanted
list; the inventory firm imports the building's inventory (drafts); the owner reviews and
publishes them; the builder is told (menu, start page, a mail), asks to reserve the lot; the
owner accepts on its start page's request; the lot shows as reserved on the builder's start
page."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.conftest import sign_in
from urbanmine.lots.models import Lot
from urbanmine.market.models import RequestStatus, ReservationRequest
from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVENTORY = (
    "productgroep;omschrijving;aantal;eenheid;massa per eenheid (kg);kwaliteit;gevaarlijk;"
    "beschikbaar vanaf\n"
    "bricks-clay;Gele IJsselsteen gevel;4000;stuks;2,1;A;nee;\n"
)


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


def test_grant_import_wanted_notice_reserve_accept(chain, page, tmp_path):
    firm = Organisation.objects.create(name="Inventarisatie Journey")
    OrganisationRole.objects.create(organisation=firm, role=ChainRole.INVENTORISER)
    user = get_user_model().objects.create_user("inventaris", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=firm)
    chain.buyer_user.email = "inkoop@bouwer.nl"
    chain.buyer_user.save()

    # 1. the owner lets the inventory firm in on the building
    sign_in(page, "owner")
    assert page.url.endswith("/start/")
    _go(page, f"/assets/{chain.building.pk}/")
    page.select_option("#grant-form select[name=organisation]", str(firm.pk))
    page.select_option("#grant-form select[name=role]", "inventoriser")
    page.click("#grant-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Inventarisatie Journey" in page.inner_text("#grants")

    # 2. the builder posts a demand and puts bricks on its wanted list
    page.context.clear_cookies()
    sign_in(page, "buyer")
    _go(page, "/demand/")
    page.click("#new-demand")
    page.select_option("#id_project", str(chain.project.pk))
    page.select_option("#id_product_group", str(chain.bricks.pk))
    page.fill("#id_quantity", "3000")
    page.fill("#id_notes", "Gele steen, waalformaat")
    page.click("#demand-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Vraag geplaatst" in page.inner_text(".messages")
    _go(page, "/demand/")
    page.select_option("#wanted-form select[name=product_group]", str(chain.bricks.pk))
    page.select_option("#wanted-form select[name=min_quality]", "B")
    page.select_option("#wanted-form select[name=project]", str(chain.project.pk))
    page.click("#wanted-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "zoeklijst" in page.inner_text(".messages")
    assert page.locator("#wanted tr[data-wanted]").count() == 1

    # 3. the inventory firm finds the building and imports its inventory
    page.context.clear_cookies()
    sign_in(page, "inventaris")
    _go(page, "/assets/")
    assert chain.building.name in page.inner_text("main")
    _go(page, f"/assets/{chain.building.pk}/import/")
    csv = tmp_path / "inventaris.csv"
    csv.write_text(INVENTORY, encoding="utf-8")
    page.set_input_files("#id_file", str(csv))
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert "concept" in page.inner_text(".messages").lower()
    lot = Lot.objects.get(description="Gele IJsselsteen gevel")
    assert lot.draft and not lot.is_published and lot.owner == chain.owner
    _go(page, f"/assets/{chain.building.pk}/drafts/")  # the firm sees it wait for the owner
    assert lot.code in page.inner_text("#drafts") and page.locator("#publish-selected").count() == 0
    assert not mail.outbox  # nobody is told about a draft

    # 3b. the owner reviews the drafts from its start page and publishes them
    page.context.clear_cookies()
    sign_in(page, "owner")
    page.click("[data-task=drafts] h3 a")
    page.wait_for_load_state("networkidle")
    assert "geen opmerkingen" in page.inner_text(f"#drafts tr[data-lot='{lot.code}']")
    page.click("#publish-selected")
    page.wait_for_load_state("networkidle")
    lot.refresh_from_db()
    assert lot.is_published and not lot.draft

    # 4. the builder is told: menu count, start page, and a mail
    page.context.clear_cookies()
    sign_in(page, "buyer")
    assert page.locator("#notifications-link .count [aria-hidden=true]").inner_text() == "1"
    notices = page.inner_text("#notices")
    assert lot.code in notices
    assert any(lot.code in m.body for m in mail.outbox if m.to == ["inkoop@bouwer.nl"])
    page.click(f"#notices a:has-text('{lot.code}')")
    page.wait_for_load_state("networkidle")
    page.click("#ask-reservation a.button")
    page.fill("#id_quantity", "3000")
    page.select_option("#id_project", str(chain.project.pk))
    page.click("#reserve-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert lot.code in page.inner_text("#outgoing")

    # 5. the owner answers from its start page
    page.context.clear_cookies()
    sign_in(page, "owner")
    page.click("[data-task=requests] h3 a")
    page.wait_for_load_state("networkidle")
    page.locator("#incoming button", has_text="Accepteren").click()
    page.wait_for_load_state("networkidle")
    req = ReservationRequest.objects.get()
    assert req.status == RequestStatus.ACCEPTED
    reserved = req.reservation.lot
    assert reserved.reserved_for == chain.buyer and reserved.quantity == 3000

    # 6. the builder sees it reserved for it
    page.context.clear_cookies()
    sign_in(page, "buyer")
    assert reserved.code in page.inner_text("#reserved-for-me")
