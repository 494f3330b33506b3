"""The platform forecast against values computed by hand for a tiny registered stock."""

import math
from datetime import date

import numpy as np
import pytest

from tests.insight.conftest import mi
from urbanmine.assets.models import InterventionKind, PlannedIntervention
from urbanmine.core.models import JobStatus
from urbanmine.engine.forecast import ParamsError, ScenarioParams, weibull_parameters
from urbanmine.insight import selectors, services
from urbanmine.insight.models import Scenario
from urbanmine.lots.services import lot_identify

pytestmark = pytest.mark.django_db

PARAMS = {
    "start_year": 2025,
    "end_year": 2027,
    "reuse_share": 0.35,
    "lifetimes": {
        "house": {"shape": 2.0, "scale_years": 100.0},
        "office": {"shape": 3.0, "scale_years": 80.0},
    },
    "programme_m2": {u: 0 for u in ("house", "office", "retail", "education")}
    | {"apartment": 1000, "healthcare": 0, "industrial": 0, "other": 0},
}


def weibull(a: float, k: float, lam: float) -> float:
    return 1.0 if a < 0 else math.exp(-((a / lam) ** k))


def share(y: int, c: int, start: int, k: float, lam: float) -> float:
    """The contract: [S(y-1-c) - S(y-c)] / S(start-1-c)."""
    return (weibull(y - 1 - c, k, lam) - weibull(y - c, k, lam)) / weibull(start - 1 - c, k, lam)


def compute(params=PARAMS):
    p = ScenarioParams.from_json(params)
    stock = selectors.registered_stock(start_year=p.start_year, today_year=2026)
    return stock, services.forecast_compute(stock, p)


def cell(fc, arr, year, code, material):
    return arr[
        year - int(fc.years[0]),
        fc.municipality_codes.index(code),
        fc.materials.index(material),
    ]


def test_release_matches_hand_computed_weibull_shares(tiny):
    stock, fc = compute()
    assert len(stock) == 2 and stock.skipped["gww"] == 1
    house_mi, office_mi = mi("house", 1960), mi("office", 1990)
    for year in (2025, 2026, 2027):
        for m in ("concrete", "brick", "steel"):
            exp_house = 100 * house_mi[m] * share(year, 1960, 2025, 2.0, 100.0)
            exp_office = 200 * office_mi[m] * share(year, 1990, 2025, 3.0, 80.0)
            assert cell(fc, fc.demolition_kg, year, "GM0599", m) == pytest.approx(exp_house)
            assert cell(fc, fc.demolition_kg, year, "GM0518", m) == pytest.approx(exp_office)
    # Stock mass is floor area x intensity.
    assert fc.stock_mass_kg[fc.municipality_codes.index("GM0599")].sum() == pytest.approx(
        100 * sum(house_mi.values())
    )
    # Nothing released where nothing is registered.
    assert cell(fc, fc.demolition_kg, 2025, "GM0637", "concrete") == 0.0


def test_calibrated_lifetimes_used_without_override(tiny):
    params = dict(PARAMS, lifetimes={})
    _stock, fc = compute(params)
    shape, scale = weibull_parameters(services.lifetime_table(), ScenarioParams.from_json(params))
    k, lam = shape[0], scale[0]  # house
    exp = 100 * mi("house", 1960)["brick"] * share(2026, 1960, 2025, k, lam)
    assert cell(fc, fc.demolition_kg, 2026, "GM0599", "brick") == pytest.approx(exp)


def test_long_horizon_releases_the_whole_stock(tiny):
    params = dict(
        PARAMS,
        end_year=2150,
        lifetimes={
            "house": {"shape": 2, "scale_years": 40},
            "office": {"shape": 3, "scale_years": 40},
        },
    )
    _stock, fc = compute(params)
    np.testing.assert_allclose(fc.demolition_kg.sum(axis=0), fc.stock_mass_kg, rtol=1e-6)


def test_planned_demolition_overrides_the_survival_model(tiny):
    PlannedIntervention.objects.create(
        asset=tiny.house,
        kind=InterventionKind.DEMOLITION,
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 6, 1),
    )
    _stock, fc = compute()
    house_mi = mi("house", 1960)
    for m in ("concrete", "brick"):
        assert cell(fc, fc.demolition_kg, 2025, "GM0599", m) == 0.0
        assert cell(fc, fc.demolition_kg, 2026, "GM0599", m) == pytest.approx(100 * house_mi[m])
        assert cell(fc, fc.demolition_kg, 2027, "GM0599", m) == 0.0
    # The office still follows its survival curve.
    exp = 200 * mi("office", 1990)["concrete"] * share(2026, 1990, 2025, 3.0, 80.0)
    assert cell(fc, fc.demolition_kg, 2026, "GM0518", "concrete") == pytest.approx(exp)


def test_demolition_planned_before_the_window_leaves_the_stock(tiny):
    PlannedIntervention.objects.create(
        asset=tiny.house,
        kind=InterventionKind.DEMOLITION,
        planned_start=date(2024, 3, 1),
        planned_end=date(2024, 6, 1),
    )
    stock, fc = compute()
    assert stock.skipped["demolished_before_start"] == 1
    assert fc.demolition_kg[:, fc.municipality_codes.index("GM0599"), :].sum() == 0.0


def test_passport_mass_overrides_the_intensity_for_its_materials(tiny):
    lot_identify(
        asset=tiny.house,
        product_group=tiny.bricks,
        quantity=1000,
        unit="piece",
        mass_kg_per_unit="2",
        quality="B",
        organisation=tiny.province,
    )
    stock, fc = compute()
    assert stock.passport_kg == {0: {"brick": 2000.0}} or list(stock.passport_kg.values()) == [
        {"brick": 2000.0}
    ]
    s = share(2026, 1960, 2025, 2.0, 100.0)
    assert cell(fc, fc.demolition_kg, 2026, "GM0599", "brick") == pytest.approx(2000 * s)
    # Materials the passport does not record keep the intensity table.
    exp = 100 * mi("house", 1960)["concrete"] * s
    assert cell(fc, fc.demolition_kg, 2026, "GM0599", "concrete") == pytest.approx(exp)


def test_planned_renovation_releases_and_demands_the_skin_and_space_plan(tiny):
    from urbanmine.engine.forecast import renovation_share

    PlannedIntervention.objects.create(
        asset=tiny.office,
        kind=InterventionKind.RENOVATION,
        planned_start=date(2027, 1, 10),
        planned_end=date(2027, 9, 1),
    )
    _stock, fc = compute()
    sh = dict(zip(fc.materials, renovation_share(fc.materials), strict=True))
    exp = 200 * mi("office", 1990)["glass"] * sh["glass"]
    assert cell(fc, fc.renovation_kg, 2027, "GM0518", "glass") == pytest.approx(exp)
    assert cell(fc, fc.renovation_kg, 2026, "GM0518", "glass") == 0.0
    # ...and demands the same layers anew at today's build-up (2011–2030 period).
    programme = cell(fc, fc.demand_kg, 2026, "GM0518", "glass")
    renovated = cell(fc, fc.demand_kg, 2027, "GM0518", "glass") - programme
    assert renovated == pytest.approx(200 * mi("office", 2027)["glass"] * sh["glass"])


def test_programme_demand_is_floor_area_times_intensity_spread_by_population(tiny, municipalities):
    params = dict(PARAMS, end_year=2032)
    _stock, fc = compute(params)
    pop = {c: m.population for c, m in municipalities.items()}
    total = sum(pop.values())
    apt = mi("apartment", 2030)  # 2031+ uses the latest period (2011–2030)
    for year in (2025, 2032):
        province = fc.demand_kg[year - 2025, :, fc.materials.index("concrete")].sum()
        assert province == pytest.approx(1000 * apt["concrete"])
        rdam = cell(fc, fc.demand_kg, year, "GM0599", "concrete")
        assert rdam == pytest.approx(1000 * apt["concrete"] * pop["GM0599"] / total)


def test_forecast_job_stores_its_arrays_and_progress(tiny):
    scenario = Scenario.objects.create(name="Test", params=PARAMS)
    result = services.forecast_start(scenario=scenario, actor=tiny.province_user, inline=True)
    assert result.status == JobStatus.DONE and result.progress == 100
    fa = selectors.result_arrays(result)
    assert fa.demolition.shape == (3, len(result.municipality_codes), len(result.materials))
    # The job runs the province baseline with the registry overriding it.
    p = ScenarioParams.from_json(PARAMS)
    stock = selectors.registered_stock(start_year=p.start_year)
    fc = services.forecast_compute(stock, p, baseline=services.baseline_stock())
    np.testing.assert_allclose(fa.demolition, fc.demolition_kg, atol=1e-3)
    assert result.stats["n_buildings"] == 2
    assert result.stats["coverage"]["registered_floor_area_m2"] == 300


def test_failed_job_records_the_error(tiny, monkeypatch):
    scenario = Scenario.objects.create(name="Kapot", params=PARAMS)

    def boom(*a, **k):
        raise RuntimeError("kapot")

    monkeypatch.setattr(services, "forecast_compute", boom)
    result = services.forecast_start(scenario=scenario, inline=True)
    assert result.status == JobStatus.FAILED and "kapot" in result.message


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"reuse_share": 1.5}, "reuse_share"),
        ({"start_year": 2030, "end_year": 2020}, "end_year"),
        ({"lifetimes": {"house": {"shape": 0}}}, "lifetimes.house.shape"),
        ({"lifetimes": {"castle": {"shape": 2}}}, "lifetimes.castle"),
        ({"programme_m2": {"house": -1}}, "programme_m2.house"),
    ],
)
def test_bad_parameters_name_the_field(bad, field):
    with pytest.raises(ParamsError) as e:
        ScenarioParams.from_json(bad)
    assert e.value.field == field
