"""The REST plumbing every app's API shares."""

from urbanmine.core.api import is_id, truthy


def test_a_null_character_in_a_filter_is_a_client_error(anon, chain):
    r = anon.get("/api/v1/supply", {"product_group": "bricks\x00clay"})
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in r.json()["invalid_params"]] == ["product_group"]


def test_ids_are_ascii_digits_only():
    assert is_id("42")
    assert not is_id("²") and not is_id("4a") and not is_id("")


def test_truthy_reads_dutch_and_english():
    assert truthy("ja") and truthy("true") and truthy("1")
    assert truthy("nee") is False and truthy("") is None and truthy(None) is None


def test_a_misspelt_keyword_of_a_service_is_an_error_not_ignored(chain):
    import pytest

    from urbanmine.assets.services import asset_create

    with pytest.raises(TypeError, match="unexpected keyword argument 'constructon_year'"):
        asset_create(
            owner=chain.owner,
            name="X",
            scope="bu",
            use_type="house",
            lat=52,
            lon=4.4,
            constructon_year=1990,
        )
    with pytest.raises(TypeError, match="missing required keyword argument"):
        asset_create(owner=chain.owner, name="X", lat=52, lon=4.4)
