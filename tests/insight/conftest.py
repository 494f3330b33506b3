"""Fixtures of the dashboard tests: jobs inline, a tiny hand-checkable stock."""

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as dj_settings


@pytest.fixture(autouse=True)
def _jobs_inline(settings):
    settings.URBANMINE_JOBS_INLINE = True


@pytest.fixture
def municipalities(db):
    """The real municipalities; reloaded if a transactional test flushed them."""
    from urbanmine.regions.models import ZUID_HOLLAND, Municipality
    from urbanmine.regions.services import municipalities_load

    if not Municipality.objects.filter(province_code=ZUID_HOLLAND).exists():
        municipalities_load()
    return {m.code: m for m in Municipality.objects.filter(province_code=ZUID_HOLLAND)}


def mi_table() -> dict[tuple[str, int, int], dict[str, float]]:
    """The derived intensity table read with the csv module (independent of the engine)."""
    out: dict[tuple[str, int, int], dict[str, float]] = {}
    path = Path(dj_settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv"
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["use_type"], int(r["period_start"]), int(r["period_end"]))
            out.setdefault(key, {})[r["material"]] = float(r["kg_per_m2"])
    return out


def mi(use: str, year: int) -> dict[str, float]:
    for (u, a, b), v in mi_table().items():
        if u == use and a <= year <= b:
            return v
    raise KeyError((use, year))


@pytest.fixture
def tiny(municipalities):
    """Two buildings and a road: a house in Rotterdam (1960, 100 m²), an office in
    The Hague (1990, 200 m²), a road (GWW, not modelled); a province user."""
    from django.contrib.auth import get_user_model

    from urbanmine.assets.models import Asset
    from urbanmine.catalogue.loader import install_catalogue
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.organisations.models import (
        ChainRole,
        Membership,
        Organisation,
        OrganisationRole,
    )

    if not ProductGroup.objects.exists():
        install_catalogue(ProductGroup)
    ns = SimpleNamespace()
    ns.province = Organisation.objects.create(name="Provincie Test")
    for role in (ChainRole.MATCHMAKER, ChainRole.ASSET_OWNER):
        OrganisationRole.objects.create(organisation=ns.province, role=role)
    ns.province_user = get_user_model().objects.create_user(
        username="provincie-test", password="pw-test-12345"
    )
    Membership.objects.create(user=ns.province_user, organisation=ns.province)
    ns.trader = Organisation.objects.create(name="Handel Test")
    OrganisationRole.objects.create(organisation=ns.trader, role=ChainRole.TRADER)
    ns.trader_user = get_user_model().objects.create_user(
        username="handelaar-test", password="pw-test-12345"
    )
    Membership.objects.create(user=ns.trader_user, organisation=ns.trader)
    common = dict(owner=ns.province, scope="bu", lat=52.0, lon=4.4)
    ns.house = Asset.objects.create(
        name="Woning",
        use_type="house",
        municipality=municipalities["GM0599"],
        construction_year=1960,
        floor_area_m2=100,
        **common,
    )
    ns.office = Asset.objects.create(
        name="Kantoor",
        use_type="office",
        municipality=municipalities["GM0518"],
        construction_year=1990,
        floor_area_m2=200,
        **common,
    )
    ns.road = Asset.objects.create(
        name="Weg",
        scope="gww",
        use_type="road",
        owner=ns.province,
        lat=52.0,
        lon=4.4,
        municipality=municipalities["GM0599"],
        construction_year=1970,
        length_m=500,
    )
    ns.bricks = ProductGroup.objects.get(code="bricks-clay")
    return ns
