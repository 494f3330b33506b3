"""Registering an asset without typing coordinates (issue #13, item 6): a click on the map
fills latitude and longitude; the municipality follows from the place."""

import pytest

from tests.conftest import sign_in
from urbanmine.assets.models import Asset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_click_on_the_map_places_the_asset(chain, page):
    sign_in(page, "owner")
    page.goto(page.base_url + "/assets/new/")
    page.wait_for_selector("#pick-map[data-ready]")
    page.fill("#id_name", "Kantoor op de kaart")
    page.select_option("#id_scope", "bu")
    page.select_option("#id_use_type", "office")
    box = page.locator("#pick-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat, lon = float(page.input_value("#id_lat")), float(page.input_value("#id_lon"))
    assert 51.6 < lat < 52.4 and 3.8 < lon < 5.2, (lat, lon)  # inside Zuid-Holland's box
    page.click("#asset-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    asset = Asset.objects.get(name="Kantoor op de kaart")
    assert abs(asset.lat - lat) < 1e-5 and asset.municipality.province_code
