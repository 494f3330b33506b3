"""Registering assets: one's own organisation only; the municipality follows from the place."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from urbanmine.assets.models import Asset
from urbanmine.assets.services import asset_create


def test_the_municipality_follows_from_rd_coordinates(chain):
    asset = asset_create(
        owner=chain.owner,
        actor=chain.owner_user,
        name="Stadhuis Delft",
        scope="bu",
        use_type="office",
        rd_x=84500,
        rd_y=447300,
    )
    assert asset.municipality.code == "GM0503"  # Delft


def test_an_asset_is_registered_for_ones_own_organisation_only(chain):
    with pytest.raises(PermissionDenied):
        asset_create(
            owner=chain.owner,
            actor=chain.outsider_user,
            name="Niet van mij",
            scope="bu",
            use_type="house",
            lat=52.0,
            lon=4.4,
        )
    assert not Asset.objects.filter(name="Niet van mij").exists()


def test_a_building_needs_a_building_use_type(chain):
    with pytest.raises(ValidationError) as e:
        asset_create(owner=chain.owner, name="Weg?", scope="bu", use_type="road", lat=52, lon=4.4)
    assert "use_type" in e.value.message_dict
