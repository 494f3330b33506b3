"""The release model against hand-computed values, conservation and planned interventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanmine.engine.forecast import (
    IntensityTable,
    LifetimeTable,
    Stock,
    forecast_release,
    material_demand,
    reference_scenario,
    release_by_municipality,
    release_fractions,
    renovation_share,
    survival,
)


def hand_S(age: float, shape: float, scale: float) -> float:
    return 1.0 if age < 0 else math.exp(-((age / scale) ** shape))


def hand_release(c: int, y: int, start: int, shape: float, scale: float) -> float:
    return (hand_S(y - 1 - c, shape, scale) - hand_S(y - c, shape, scale)) / hand_S(
        start - 1 - c, shape, scale
    )


@pytest.mark.parametrize(
    ("c", "shape", "scale"),
    [
        (1950, 2.0, 100.0),
        (1900, 3.0, 120.0),
        (2010, 1.5, 80.0),
        (1970, 2.5, 242.8),
        (1600, 4.0, 150.0),
    ],
)
def test_single_building_matches_hand_formula(c: int, shape: float, scale: float) -> None:
    f = release_fractions([c], shape, scale, 2025, 2040)[0]
    expected = [hand_release(c, y, 2025, shape, scale) for y in range(2025, 2041)]
    np.testing.assert_allclose(f, expected, rtol=1e-10, atol=1e-15)


def test_literal_value_75_year_old_building() -> None:
    # c=1950, shape 2, scale 100, start 2025: H(74)=0.5476, H(75)=0.5625,
    # share in 2025 = 1 - exp(-(0.5625 - 0.5476)) = 1 - exp(-0.0149).
    f = release_fractions([1950], 2.0, 100.0, 2025, 2025)[0, 0]
    assert f == pytest.approx(1 - math.exp(-0.0149), rel=1e-12)
    assert f == pytest.approx(0.0147895, abs=1e-7)


def test_exponential_lifetime_is_memoryless() -> None:
    # shape 1: the yearly share of survivors is 1 - exp(-1/scale), whatever the age.
    f = release_fractions([1800, 1990, 2024], 1.0, 50.0, 2025, 2027)
    q = 1 - math.exp(-1 / 50)
    expected = np.array([q, q * (1 - q), q * (1 - q) ** 2])
    for row in f:
        np.testing.assert_allclose(row, expected, rtol=1e-12)


def test_buildings_built_at_or_after_start() -> None:
    f = release_fractions([2025, 2026], 2.0, 100.0, 2025, 2027)
    assert f[0, 0] == 0.0  # built in 2025: S(-1) - S(0) = 0
    assert f[0, 1] == pytest.approx(1 - math.exp(-((1 / 100) ** 2)))
    assert f[1, 0] == 0.0 and f[1, 1] == 0.0


def test_survival_below_zero_is_one() -> None:
    np.testing.assert_array_equal(survival([-5, -1, 0], 2.0, 100.0), [1.0, 1.0, 1.0])


def test_underflow_of_very_old_buildings_is_handled() -> None:
    # S(start-1-c) underflows to 0 in float64 (exp(-1e4)); the conditional shares stay exact.
    c, shape, scale = 1025, 2.0, 10.0
    assert survival(2024 - c, shape, scale) == 0.0
    f = release_fractions([c], shape, scale, 2025, 2030)[0]
    assert np.all(np.isfinite(f)) and np.all(f >= 0)
    # hazard over year 2025: H(1000) - H(999) = 1999/100 -> share 1 - exp(-19.99)
    assert f[0] == pytest.approx(1 - math.exp(-19.99), rel=1e-12)
    assert f.sum() == pytest.approx(1.0, abs=1e-12)
    # absurd parameters (hazard overflows): all mass in the start year
    g = release_fractions([0], 400.0, 1.0, 2025, 2027)[0]
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0])


@settings(max_examples=200, deadline=None)
@given(
    c=st.integers(1500, 2025),
    shape=st.floats(0.5, 8.0),
    scale=st.floats(20.0, 300.0),
)
def test_fractions_are_a_distribution_over_a_long_horizon(
    c: int, shape: float, scale: float
) -> None:
    # horizon long enough that the conditional survival falls below exp(-40)
    a0 = max(2024 - c, 0)
    end = c + math.ceil(scale * ((a0 / scale) ** shape + 40.0) ** (1.0 / shape)) + 1
    f = release_fractions([c], shape, scale, 2025, max(end, 2025))[0]
    assert np.all(f >= -1e-15)
    assert f.sum() == pytest.approx(1.0, abs=1e-9)


def _random_stock(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "mun": rng.integers(0, 7, n),
        "use": rng.integers(0, 3, n),
        "c": rng.integers(1800, 2025, n),
        "mass": rng.random((n, 4)) * 1e6,
    }


SHAPE = np.array([2.0, 3.0, 1.3])
SCALE = np.array([120.0, 80.0, 60.0])


def _naive(s: dict[str, np.ndarray], start: int, end: int) -> np.ndarray:
    f = release_fractions(s["c"], SHAPE[s["use"]], SCALE[s["use"]], start, end)
    out = np.zeros((end - start + 1, 7, 4))
    for b in range(len(s["c"])):
        out[:, s["mun"][b], :] += f[b][:, None] * s["mass"][b][None, :]
    return out


@pytest.mark.parametrize("max_dense_cells", [0, 10**9])  # grouped and dense aggregation
def test_vectorised_aggregation_equals_per_building_loop(max_dense_cells: int) -> None:
    s = _random_stock(500)
    got = release_by_municipality(
        municipality_idx=s["mun"],
        n_municipalities=7,
        use_type_idx=s["use"],
        construction_year=s["c"],
        mass_kg=s["mass"],
        weibull_shape=SHAPE,
        weibull_scale_years=SCALE,
        start_year=2025,
        end_year=2050,
        max_dense_cells=max_dense_cells,
    )
    np.testing.assert_allclose(got, _naive(s, 2025, 2050), rtol=1e-10)


def test_conservation_over_a_long_horizon() -> None:
    s = _random_stock(2000, seed=7)
    got = release_by_municipality(
        municipality_idx=s["mun"],
        n_municipalities=7,
        use_type_idx=s["use"],
        construction_year=s["c"],
        mass_kg=s["mass"],
        weibull_shape=SHAPE,
        weibull_scale_years=SCALE,
        start_year=2025,
        end_year=3025,
    )
    total = s["mass"].sum()
    assert got.sum() == pytest.approx(total, rel=1e-9)
    per_mun = np.zeros((7, 4))
    np.add.at(per_mun, s["mun"], s["mass"])
    np.testing.assert_allclose(got.sum(axis=0), per_mun, rtol=1e-9)


def test_planned_demolition_overrides_the_survival_curve() -> None:
    mass = np.array([[1000.0, 10.0], [2000.0, 20.0], [4000.0, 40.0]])
    planned = np.array([2027, 0, 2100])  # in the window / survival model / after the window
    got = release_by_municipality(
        municipality_idx=[0, 0, 1],
        n_municipalities=2,
        use_type_idx=[0, 0, 0],
        construction_year=[1960, 1960, 1960],
        mass_kg=mass,
        weibull_shape=[2.0],
        weibull_scale_years=[100.0],
        start_year=2025,
        end_year=2030,
        planned_demolition_year=planned,
    )
    f = release_fractions([1960], 2.0, 100.0, 2025, 2030)[0]
    expected0 = np.outer(f, mass[1])
    expected0[2027 - 2025] += mass[0]
    np.testing.assert_allclose(got[:, 0, :], expected0, rtol=1e-12)
    np.testing.assert_array_equal(got[:, 1, :], 0.0)  # planned for 2100: nothing before
    with pytest.raises(ValueError, match="before the start"):
        release_by_municipality(
            municipality_idx=[0],
            n_municipalities=1,
            use_type_idx=[0],
            construction_year=[1960],
            mass_kg=[[1.0]],
            weibull_shape=[2.0],
            weibull_scale_years=[100.0],
            start_year=2025,
            end_year=2030,
            planned_demolition_year=[2020],
        )


def _tables() -> tuple[IntensityTable, LifetimeTable]:
    mi = IntensityTable(
        use_types=("house", "office"),
        materials=("concrete", "glass"),
        period_use_type_idx=np.array([0, 0, 1]),
        period_start=np.array([1800, 1970, 1800]),
        period_end=np.array([1969, 2030, 2030]),
        kg_per_m2=np.array([[500.0, 2.0], [700.0, 3.0], [1000.0, 10.0]]),
    )
    return mi, LifetimeTable.from_mapping({"house": (2.5, 200.0), "office": (2.0, 100.0)})


def _stock(**extra: np.ndarray) -> Stock:
    return Stock(
        municipality_codes=("GM0599", "GM0518"),
        municipality_idx=np.array([0, 0, 1, 1]),
        use_types=("house", "office"),
        use_type_idx=np.array([0, 0, 1, 0]),
        construction_year=np.array([1930, 1990, 1975, 1930]),
        floor_area_m2=np.array([100.0, 120.0, 2000.0, 80.0]),
        **extra,
    )


def test_forecast_release_from_floor_area_and_intensities() -> None:
    mi, lt = _tables()
    res = forecast_release(_stock(), mi, lt, 2025, 2030)
    f = lambda c, k, lam: release_fractions([c], k, lam, 2025, 2030)[0]  # noqa: E731
    gm0599 = np.outer(f(1930, 2.5, 200.0), [100 * 500.0, 100 * 2.0]) + np.outer(
        f(1990, 2.5, 200.0), [120 * 700.0, 120 * 3.0]
    )
    gm0518 = np.outer(f(1975, 2.0, 100.0), [2000 * 1000.0, 2000 * 10.0]) + np.outer(
        f(1930, 2.5, 200.0), [80 * 500.0, 80 * 2.0]
    )
    np.testing.assert_allclose(res.demolition_kg[:, 0, :], gm0599, rtol=1e-12)
    np.testing.assert_allclose(res.demolition_kg[:, 1, :], gm0518, rtol=1e-12)
    np.testing.assert_allclose(
        res.stock_mass_kg,
        [[100 * 500 + 120 * 700, 100 * 2 + 120 * 3], [2000e3 + 80 * 500, 2e4 + 160]],
    )
    rows = list(res.rows())
    assert rows[0][:3] == (2025, "GM0518", "concrete")  # sorted by year, code, material
    assert len(rows) == 6 * 2 * 2
    long = forecast_release(_stock(), mi, lt, 2025, 4025)
    np.testing.assert_allclose(long.demolition_kg.sum(axis=0), long.stock_mass_kg, rtol=1e-9)


def test_planned_interventions_in_forecast_release() -> None:
    mi, lt = _tables()
    share = renovation_share(mi.materials)
    res = forecast_release(
        _stock(
            planned_demolition_year=np.array([2026, 0, 0, 0]),
            planned_renovation_year=np.array([0, 2028, 0, 0]),
        ),
        mi,
        lt,
        2025,
        2030,
        renovation_share_by_material=share,
    )
    base = forecast_release(_stock(), mi, lt, 2025, 2030)
    # building 0 (GM0599, 1930 house, 100 m2) leaves the survival model: all in 2026
    f0 = release_fractions([1930], 2.5, 200.0, 2025, 2030)[0]
    expected = base.demolition_kg[:, 0, :] - np.outer(f0, [50_000.0, 200.0])
    expected[1] += [50_000.0, 200.0]
    np.testing.assert_allclose(res.demolition_kg[:, 0, :], expected, rtol=1e-10)
    # building 1 renovates in 2028: skin + space-plan share of its mass
    np.testing.assert_allclose(
        res.renovation_kg[3, 0, :], np.array([120 * 700.0, 120 * 3.0]) * share
    )
    assert res.renovation_kg.sum() == pytest.approx((np.array([84_000.0, 360.0]) * share).sum())


def test_expected_renovation_rate() -> None:
    mi, lt = _tables()
    share = renovation_share(mi.materials, skin_replaced=1.0, space_plan_replaced=0.5)
    res = forecast_release(
        _stock(),
        mi,
        lt,
        2025,
        2025,
        renovation_rate_per_year=0.01,
        renovation_share_by_material=share,
    )
    # in the first year every building stands (conditional survival 1): rate x mass x share
    np.testing.assert_allclose(res.renovation_kg[0], 0.01 * res.stock_mass_kg * share, rtol=1e-12)


def test_missing_intensity_raises() -> None:
    mi, lt = _tables()
    stock = _stock()
    bad = Stock(**{**stock.__dict__, "construction_year": np.array([1700, 1990, 1975, 1930])})
    with pytest.raises(ValueError, match="no intensity"):
        forecast_release(bad, mi, lt, 2025, 2030)


def test_demand_new_construction_and_renovation() -> None:
    mi, _ = _tables()
    demand = material_demand(
        intensities=mi,
        use_types=("house", "office"),
        use_type_idx=[0, 1, 0, 0],
        year=[2025, 2026, 2026, 2040],
        floor_area_m2=[100.0, 1000.0, 50.0, 10.0],
        municipality_idx=[0, 0, 1, 0],
        n_municipalities=2,
        start_year=2025,
        end_year=2030,
    )
    assert demand.shape == (6, 2, 2)
    np.testing.assert_allclose(demand[0, 0], [70_000.0, 300.0])
    np.testing.assert_allclose(demand[1, 0], [1_000_000.0, 10_000.0])
    np.testing.assert_allclose(demand[1, 1], [35_000.0, 150.0])
    assert demand.sum() == pytest.approx(70_000 + 300 + 1_010_000 + 35_150)  # 2040 outside
    share = renovation_share(mi.materials)
    renov = material_demand(
        intensities=mi,
        use_types=("house",),
        use_type_idx=[0],
        year=[2027],
        floor_area_m2=[100.0],
        municipality_idx=[0],
        n_municipalities=1,
        start_year=2025,
        end_year=2030,
        share_by_material=share,
    )
    np.testing.assert_allclose(renov[2, 0], np.array([70_000.0, 300.0]) * share)
    assert share[1] == pytest.approx(1.0)  # glass: skin 0.9 + space plan 0.1


def test_intensity_row_lookup() -> None:
    mi, _ = _tables()
    rows = mi.row_index(
        ("office", "house", "castle"), [1, 1, 1, 0, 2], [1800, 1969, 1970, 2030, 1990]
    )
    np.testing.assert_array_equal(rows, [0, 0, 1, 2, -1])


def test_reference_scenario_figures() -> None:
    ref = reference_scenario()
    assert ref.demand_kt == 37_300 and ref.release_kt == 4_550
    assert ref.reusable_share_of_release == 0.35
    assert ref.reusable_kt == pytest.approx(1_592.5)
    assert ref.release_over_demand == pytest.approx(0.122, abs=0.001)  # "12 % of demand"
    assert ref.reusable_over_demand == pytest.approx(0.0427, abs=0.0001)  # "4.3 %"
    assert round(ref.release_over_demand * 100) == 12
    assert round(ref.reusable_over_demand * 100, 1) == 4.3
    assert ref.as_dict()["horizon_year"] == 2030


def test_keyword_records_reject_unknown_and_missing_keywords() -> None:
    # The wide keyword inputs travel as typed records (**kwargs: Unpack[...]); a typo must
    # still fail loudly, as with a plain signature.
    mi, lt = _tables()
    base = {
        "municipality_idx": [0],
        "n_municipalities": 1,
        "use_type_idx": [0],
        "construction_year": [1960],
        "mass_kg": [[1.0]],
        "weibull_shape": [2.0],
        "weibull_scale_years": [100.0],
        "start_year": 2025,
        "end_year": 2030,
    }
    with pytest.raises(TypeError, match="unexpected keyword argument 'planed_demolition_year'"):
        release_by_municipality(**base, planed_demolition_year=[2026])  # type: ignore[call-arg]
    without_end = {k: v for k, v in base.items() if k != "end_year"}
    with pytest.raises(TypeError, match="missing required keyword-only argument.*'end_year'"):
        release_by_municipality(**without_end)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected keyword argument 'renovation_rate'"):
        forecast_release(_stock(), mi, lt, 2025, 2030, renovation_rate=0.1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing required keyword-only argument.*'year'"):
        material_demand(  # type: ignore[call-arg]
            intensities=mi,
            use_types=("house",),
            use_type_idx=[0],
            floor_area_m2=[1.0],
            municipality_idx=[0],
            n_municipalities=1,
            start_year=2025,
            end_year=2030,
        )
