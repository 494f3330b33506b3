"""The network's journey in headless Chromium (issue #18): an organisation asks to join, the
province approves it and records the covenant, the organisation signs with a commitment,
and the network dashboard shows the commitment's progress measured from its harvest."""

import pytest
from django.utils import timezone

from tests.conftest import sign_in
from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.network.models import Commitment, DirectoryEntry, EntryStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, path):
    page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")


def _submit(page, form):
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_join_approve_sign_and_see_progress(chain, page):
    year = timezone.localdate().year
    # the demolisher harvested 1000 bricks of 2.1 kg this year: 2.1 t
    harvest_into_hub(chain, identify_bricks(chain, 1000))

    # 1. the demolisher asks to join the network
    sign_in(page, "demolisher")
    _go(page, "/network/")
    page.click("#join-link")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_organisation", str(chain.demolisher.pk))
    page.fill("#id_motivation", "Wij oogsten bakstenen voor hergebruik.")
    _submit(page, "#join-network-form")
    assert "aanmelding is verstuurd" in page.inner_text(".messages")
    assert DirectoryEntry.objects.get(organisation=chain.demolisher).status == "requested"
    _go(page, "/network/")
    assert "Sloper Test" not in page.inner_text("#directory")  # not yet published

    # 2. the province approves it and records the covenant
    page.context.clear_cookies()
    sign_in(page, "matchmaker")
    _go(page, "/network/")
    page.click("#requests-link")
    page.wait_for_load_state("networkidle")
    assert "Sloper Test" in page.inner_text("#requests")
    page.click("#requests button.approve")
    page.wait_for_load_state("networkidle")
    assert "nu lid van het netwerk" in page.inner_text(".messages")
    assert DirectoryEntry.objects.get(organisation=chain.demolisher).status == EntryStatus.MEMBER
    _go(page, "/network/covenant/")
    page.click("#new-covenant")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "Convenant Urban Mining Zuid-Holland")
    page.fill("#id_text", "Oogsten en vooral weer toepassen.")
    page.fill("#id_start_year", str(year - 1))
    page.fill("#id_end_year", str(year + 2))
    page.select_option("#id_ambition_level", "ambitious")
    _submit(page, "#covenant-form")
    assert "convenant is vastgelegd" in page.inner_text(".messages")

    # 3. the demolisher signs with a commitment; a year outside the period is refused
    page.context.clear_cookies()
    sign_in(page, "demolisher")
    _go(page, "/network/")
    assert "Sloper Test" in page.inner_text("#directory")
    _go(page, "/network/covenant/")
    page.click("#sign-covenant")
    page.wait_for_load_state("networkidle")
    page.fill("#id_year", str(year + 5))
    page.select_option("#id_indicator", "harvested_t")
    page.fill("#id_value", "4,2")
    _submit(page, "#commitment-form")
    assert "buiten de looptijd" in page.inner_text("#error-year")
    assert not Commitment.objects.exists()
    page.fill("#id_year", str(year))
    _submit(page, "#commitment-form")
    assert "ondertekend" in page.inner_text(".messages")

    # 4. the network dashboard shows the commitment's progress: 2.1 t of 4.2 t
    _go(page, "/dashboard/")
    page.click("#network-targets-link a")
    page.wait_for_load_state("networkidle")
    row = page.locator(
        f'#covenant-progress tr[data-organisation="{chain.demolisher.pk}"][data-year="{year}"]'
    )
    assert row.count() == 1
    text = row.inner_text()
    assert "4,2" in text and "2,1" in text and "50%" in text
