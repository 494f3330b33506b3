"""A browser opens the decision tool, changes the distance and sees the numbers update."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changing_the_distance_updates_the_verdict_and_numbers(chain, page):
    page.goto(page.base_url + "/impact/compare/")
    page.wait_for_selector("#verdict")
    page.select_option("#id_product_group", "steel-beams")
    page.wait_for_load_state("networkidle")
    before = page.inner_text("#co2-reuse")
    page.fill("#id_distance_km", "2500")
    page.dispatch_event("#id_distance_km", "change")
    # a function with an argument: a bare expression would need eval(), which the CSP refuses
    page.wait_for_function("b => document.querySelector('#co2-reuse').innerText !== b", arg=before)
    after = page.inner_text("#co2-reuse")
    assert int(after.replace(".", "").replace(",", "")) > int(
        before.replace(".", "").replace(",", "")
    )
    assert page.locator("#verdict").get_attribute("data-verdict")


def test_an_invalid_quantity_clears_the_verdict_and_shows_the_error_beside_the_field(chain, page):
    """Issue #15: the old verdict stayed on screen when the input became invalid."""
    page.goto(page.base_url + "/impact/compare/")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#quantity-unit") == "m"  # steel beams are counted in metres
    page.fill("#id_quantity", "veel")
    page.dispatch_event("#id_quantity", "change")
    page.wait_for_selector("#compare-errors")
    assert page.locator("#verdict").count() == 0
    assert "getal" in page.inner_text("#id_quantity-error")  # "Voer een getal in."
    page.fill("#id_quantity", "2,5")  # a decimal comma is a number
    page.dispatch_event("#id_quantity", "change")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#id_quantity-error") == ""
    page.select_option("#id_product_group", "bricks-clay")
    page.wait_for_function("() => document.querySelector('#quantity-unit').innerText === 'stuk'")
