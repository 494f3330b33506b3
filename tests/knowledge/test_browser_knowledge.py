"""A member writes a case; after the facilitator publishes it, it appears in search
(issue #18), in headless Chromium."""

import pytest

from tests.conftest import sign_in
from urbanmine.knowledge.models import KnowledgeItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


def test_member_writes_case_facilitator_publishes_it_is_found(chain, page):
    # 1. a member of the owner's organisation writes a case and submits it
    sign_in(page, "owner")
    _go(page, "/knowledge/")
    page.click("#new-item")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_kind", "case")
    page.fill("#id_title", "Dakpannen terug op de Tarwewijk")
    page.fill("#id_project_name", "Renovatie portiekflats Tarwewijk")
    page.fill("#id_reused", "12.000 keramische dakpannen")
    page.fill("#id_body", "De oude **dakpannen** zijn gereinigd en teruggelegd.")
    page.click("#item-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Opgeslagen" in page.inner_text(".messages")
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#item-status") == "Wacht op beoordeling"
    item = KnowledgeItem.objects.get(title="Dakpannen terug op de Tarwewijk")

    # 2. not yet public: the search does not find it
    page.context.clear_cookies()
    _go(page, "/knowledge/?q=dakpannen")
    assert "Tarwewijk" not in page.inner_text("#results")

    # 3. the facilitator (the province) reviews it from its workbench and publishes
    sign_in(page, "matchmaker")
    _go(page, "/knowledge/")
    page.click("#workbench-link")
    page.wait_for_load_state("networkidle")
    page.click(f"#review-queue tr[data-item='{item.pk}'] a")
    page.wait_for_load_state("networkidle")
    page.click("#publish-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#item-status") == "Gepubliceerd"

    # 4. anyone finds it by a Dutch word of its body
    page.context.clear_cookies()
    _go(page, "/knowledge/")
    page.fill("#id_q", "dakpannen")
    page.click("#search-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Dakpannen terug op de Tarwewijk" in page.inner_text("#results")
    page.click(f"#results li[data-item='{item.pk}'] h2 a")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#item-body strong") == "dakpannen"
