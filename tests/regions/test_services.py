"""Coordinates → municipality with the real CBS/PDOK boundaries; RD New ↔ WGS84."""

import pytest
from django.core.exceptions import ValidationError

from urbanmine.engine import geo
from urbanmine.regions.services import municipality_for_point, parse_location


@pytest.mark.parametrize(
    "lat,lon,code",
    [
        (51.9244, 4.4690, "GM0599"),  # Rotterdam Centraal
        (52.0800, 4.3250, "GM0518"),  # Den Haag Centraal
        (52.1664, 4.4818, "GM0546"),  # Leiden Centraal
        (52.0067, 4.3556, "GM0503"),  # Delft station
        (52.3791, 4.9003, "GM0363"),  # Amsterdam Centraal
    ],
)
def test_real_points_fall_in_the_right_municipality(db, lat, lon, code):
    assert municipality_for_point(lat, lon).code == code


def test_rd_new_point_converts_to_wgs84():
    # The Amersfoort reference point (Onze Lieve Vrouwetoren): RD (155000, 463000).
    lat, lon = geo.rd_to_wgs84(155000, 463000)
    assert lat == pytest.approx(52.15517, abs=2e-5)
    assert lon == pytest.approx(5.38721, abs=2e-5)
    x, y = geo.wgs84_to_rd(lat, lon)
    assert x == pytest.approx(155000, abs=0.5) and y == pytest.approx(463000, abs=0.5)


def test_rd_input_gives_the_municipality(db):
    lat, lon = parse_location(rd_x=92000, rd_y=437500)  # Rotterdam centre in RD New
    assert municipality_for_point(lat, lon).code == "GM0599"


@pytest.mark.parametrize(
    "kwargs",
    [dict(lat=48.85, lon=2.35), dict(lat=0, lon=0), dict(rd_x=1e7, rd_y=5), dict(lat="abc", lon=4)],
)
def test_points_outside_the_netherlands_are_refused(db, kwargs):
    with pytest.raises(ValidationError) as e:
        parse_location(**kwargs)
    assert set(e.value.message_dict) & {"lat", "rd_x"}


def test_haversine_known_distance():
    # Rotterdam Centraal → Den Haag Centraal ≈ 19.9 km great-circle.
    assert float(geo.haversine_km(51.9244, 4.4690, 52.0800, 4.3250)) == pytest.approx(19.9, abs=0.6)
