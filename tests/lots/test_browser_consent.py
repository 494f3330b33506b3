"""A custodian's sale waits for the owner (issue #14): the hub operator proposes it on the
lot's page, nothing changes; the owner signs in, sees the proposal with its price and
accepts it; the lot is sold to the buyer."""

import pytest

from tests.conftest import sign_in
from tests.support.chain import harvest_into_hub
from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Lot, TransferProposal, TransferStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_custodians_sale_waits_for_the_owners_acceptance(chain, identified_lot, page):
    lot = harvest_into_hub(chain, identified_lot)
    sign_in(page, "hub_operator")
    page.goto(f"{page.base_url}/lots/{lot.code}/")
    # the step form no longer offers a sale to the custodian; the proposal form does
    offered = page.locator("#record-step a[data-step]").all_inner_texts()
    assert offered and not any("Verkoop" in o for o in offered), offered
    page.select_option("#propose-transfer #id_step", "sale")
    page.select_option("#propose-transfer #id_counterparty", str(chain.buyer.pk))
    page.fill("#propose-transfer #id_quantity", "400")
    page.fill("#propose-transfer #id_price_eur", "180")
    page.fill("#propose-transfer #id_terms", "Af hub Waalhaven")
    page.click("#propose-transfer button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "eigenaar" in page.inner_text(".messages").lower(), page.inner_text("main")[:2000]
    proposal = TransferProposal.objects.get()
    assert proposal.status == TransferStatus.PENDING
    assert Lot.objects.get(pk=lot.pk).owner == chain.owner  # nothing happened yet
    row = page.locator(f"#lot-transfers tr[data-transfer='{proposal.pk}']")
    assert "180" in row.inner_text() and row.locator("text=Intrekken").count() == 1

    page.context.clear_cookies()
    sign_in(page, "owner")
    page.goto(f"{page.base_url}/lots/{lot.code}/")
    row = page.locator(f"#lot-transfers tr[data-transfer='{proposal.pk}']")
    assert "Bouwer Test" in row.inner_text()
    row.locator("button", has_text="Accepteren").click()
    page.wait_for_load_state("networkidle")
    proposal.refresh_from_db()
    assert proposal.status == TransferStatus.ACCEPTED
    sold = proposal.event.lot
    assert sold.owner == chain.buyer and sold.status == Status.SOLD and sold.quantity == 400
