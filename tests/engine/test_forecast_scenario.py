"""The scenario forecast (engine, no database) on the real derived tables.

Expected values come from the CSV files read with the csv module and the Weibull formula
written out by hand, not from the engine's own helpers.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import urbanmine
from urbanmine.engine.forecast import (
    DEFAULT_PROGRAMME_M2,
    PROGRESS_STAGES,
    USE_TYPES,
    ParamsError,
    ScenarioParams,
    StockArrays,
    forecast_scenario,
    read_intensities,
    read_lifetimes,
    renovation_share,
    weibull_parameters,
)

DATA = Path(urbanmine.__file__).resolve().parent / "data"
MI = read_intensities(DATA / "material_intensity_nl.csv")
LT = read_lifetimes(DATA / "lifetimes.csv")
U = {u: i for i, u in enumerate(USE_TYPES)}
NO_PROGRAMME = {u: 0.0 for u in USE_TYPES}


def mi(use: str, year: int) -> dict[str, float]:
    """kg/m2 per material of the period covering `year` (csv module, not the engine)."""
    out: dict[str, float] = {}
    with (DATA / "material_intensity_nl.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["use_type"] == use and int(r["period_start"]) <= year <= int(r["period_end"]):
                out[r["material"]] = float(r["kg_per_m2"])
    assert out, (use, year)
    return out


def lifetime(use: str) -> tuple[float, float]:
    with (DATA / "lifetimes.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["use_type"] == use:
                return float(r["weibull_shape"]), float(r["weibull_scale_years"])
    raise KeyError(use)


def share(y: int, c: int, start: int, k: float, lam: float) -> float:
    """The contract: [S(y-1-c) - S(y-c)] / S(start-1-c)."""

    def s(a: float) -> float:
        return 1.0 if a < 0 else math.exp(-((a / lam) ** k))

    return (s(y - 1 - c) - s(y - c)) / s(start - 1 - c)


def stock(buildings: list[dict[str, Any]], *, population: list[float] | None = None) -> StockArrays:
    """Buildings as dicts: mun, use, year, area; optional dem, ren, passport."""
    n_mun = len(population) if population is not None else 2
    return StockArrays(
        municipality_codes=tuple(f"GM{i:04d}" for i in range(n_mun)),
        population=np.array(population if population is not None else [1.0] * n_mun),
        asset_ids=np.arange(len(buildings), dtype=np.int64),
        municipality_idx=np.array([b["mun"] for b in buildings], dtype=np.int64),
        use_type_idx=np.array([U[b["use"]] for b in buildings], dtype=np.int64),
        construction_year=np.array([b["year"] for b in buildings], dtype=np.int64),
        floor_area_m2=np.array([b["area"] for b in buildings], dtype=float),
        planned_demolition_year=np.array([b.get("dem", 0) for b in buildings], dtype=np.int64),
        planned_renovation_year=np.array([b.get("ren", 0) for b in buildings], dtype=np.int64),
        passport_kg={i: b["passport"] for i, b in enumerate(buildings) if "passport" in b},
        skipped={"gww": 1},
    )


def run(s: StockArrays, **params: Any) -> Any:
    p = ScenarioParams.from_json({"programme_m2": NO_PROGRAMME} | params)
    return forecast_scenario(s, p, intensities=MI, lifetimes=LT)


def at(fc: Any, arr: np.ndarray, year: int, mun: int, material: str) -> float:
    return float(arr[year - int(fc.years[0]), mun, fc.materials.index(material)])


# --------------------------------------------------------------------------- release
def test_survival_release_matches_the_contract_by_hand() -> None:
    s = stock([{"mun": 1, "use": "office", "year": 1975, "area": 500.0}])
    fc = run(s, start_year=2025, end_year=2030)
    k, lam = lifetime("office")
    for year in range(2025, 2031):
        for m, kg_m2 in mi("office", 1975).items():
            expected = 500.0 * kg_m2 * share(year, 1975, 2025, k, lam)
            assert at(fc, fc.demolition_kg, year, 1, m) == pytest.approx(expected, rel=1e-12)
    assert not fc.demolition_kg[:, 0, :].any()  # nothing where nothing stands


def test_planned_demolition_releases_the_whole_mass_in_that_year() -> None:
    s = stock(
        [
            {"mun": 0, "use": "house", "year": 1960, "area": 120.0, "dem": 2028},
            {"mun": 1, "use": "house", "year": 1960, "area": 120.0},
        ]
    )
    fc = run(s, start_year=2025, end_year=2035)
    mass = {m: 120.0 * v for m, v in mi("house", 1960).items()}
    for m, kg in mass.items():
        assert at(fc, fc.demolition_kg, 2028, 0, m) == pytest.approx(kg, rel=1e-12)
    released = fc.demolition_kg[:, 0, :]
    assert np.count_nonzero(released.sum(axis=1)) == 1  # only in 2028
    np.testing.assert_allclose(released.sum(axis=0), fc.stock_mass_kg[0], rtol=1e-12)
    # the twin without a plan follows the survival model: far less than its mass
    assert fc.demolition_kg[:, 1, :].sum() < 0.2 * fc.stock_mass_kg[1].sum()
    assert fc.stats["n_planned_demolitions"] == 1


def test_planned_demolition_after_the_window_releases_nothing_inside_it() -> None:
    s = stock([{"mun": 0, "use": "retail", "year": 1990, "area": 80.0, "dem": 2040}])
    fc = run(s, start_year=2025, end_year=2030)
    assert not fc.demolition_kg.any()
    assert fc.stock_mass_kg.sum() > 0


@settings(max_examples=40, deadline=None)
@given(
    buildings=st.lists(
        st.fixed_dictionaries(
            {
                "mun": st.integers(0, 2),
                "use": st.sampled_from(USE_TYPES),
                "year": st.integers(1700, 2024),
                "area": st.floats(0.0, 5_000.0),
                "dem": st.one_of(st.just(0), st.integers(2025, 2150)),
            }
        ),
        min_size=1,
        max_size=25,
    ),
    scale=st.floats(20.0, 400.0),
)
def test_release_over_a_long_horizon_never_exceeds_the_stock_mass(
    buildings: list[dict[str, Any]], scale: float
) -> None:
    s = stock(buildings, population=[1.0, 2.0, 3.0])
    lifetimes = {u: {"scale_years": scale} for u in USE_TYPES}
    fc = run(s, start_year=2025, end_year=2150, lifetimes=lifetimes)
    released = fc.demolition_kg.sum(axis=0)  # [municipality, material]
    assert np.all(fc.demolition_kg >= 0)
    assert np.all(released <= fc.stock_mass_kg * (1 + 1e-9) + 1e-9)


def test_short_lifetimes_release_almost_all_of_the_stock_by_2150() -> None:
    s = stock(
        [
            {"mun": 0, "use": "house", "year": 1930, "area": 100.0},
            {"mun": 1, "use": "industrial", "year": 2020, "area": 900.0},
        ]
    )
    lifetimes = {u: {"shape": 2.5, "scale_years": 30.0} for u in USE_TYPES}
    fc = run(s, start_year=2025, end_year=2150, lifetimes=lifetimes)
    np.testing.assert_allclose(fc.demolition_kg.sum(axis=0), fc.stock_mass_kg, rtol=1e-9)


def test_longer_lifetime_scale_releases_less_early() -> None:
    s = stock(
        [
            {"mun": 0, "use": "office", "year": 1970, "area": 1000.0},
            {"mun": 1, "use": "office", "year": 1995, "area": 400.0},
        ]
    )
    short = run(s, start_year=2025, end_year=2035, lifetimes={"office": {"scale_years": 60.0}})
    long = run(s, start_year=2025, end_year=2035, lifetimes={"office": {"scale_years": 300.0}})
    assert np.all(long.demolition_kg.sum(axis=0) < short.demolition_kg.sum(axis=0) + 1e-12)
    assert long.demolition_kg[0].sum() < short.demolition_kg[0].sum()
    # the shape override alone changes it too, and other use types are not touched
    k, lam = lifetime("office")
    steep = run(s, start_year=2025, end_year=2035, lifetimes={"office": {"shape": 2 * k}})
    base = run(s, start_year=2025, end_year=2035)
    assert not np.allclose(steep.demolition_kg, base.demolition_kg)
    house = run(s, start_year=2025, end_year=2035, lifetimes={"house": {"scale_years": 5.0}})
    np.testing.assert_array_equal(house.demolition_kg, base.demolition_kg)


# --------------------------------------------------------------------------- mass
def test_passport_masses_override_the_intensity_table() -> None:
    passport = {"concrete": 12_345.0, "zinc": 77.0}
    s = stock(
        [
            {"mun": 0, "use": "house", "year": 1960, "area": 100.0, "passport": passport},
            {"mun": 1, "use": "house", "year": 1960, "area": 100.0},
            {"mun": 1, "use": "office", "year": 1990, "area": 0.0, "passport": {"steel": 500.0}},
        ]
    )
    fc = run(s, start_year=2025, end_year=2030)
    assert fc.materials == (*MI.materials, "zinc")  # passport-only materials appended
    house = mi("house", 1960)
    row0 = dict(zip(fc.materials, fc.stock_mass_kg[0], strict=True))
    assert row0["concrete"] == 12_345.0  # recorded: the passport, not 100 m2 x MI
    assert row0["zinc"] == 77.0
    assert row0["brick"] == pytest.approx(100.0 * house["brick"])  # not recorded: the table
    row1 = dict(zip(fc.materials, fc.stock_mass_kg[1], strict=True))
    assert row1["concrete"] == pytest.approx(100.0 * house["concrete"])
    assert row1["steel"] == pytest.approx(100.0 * house["steel"] + 500.0)  # area 0: passport only
    assert row1["zinc"] == 0.0
    assert fc.stats["n_passports"] == 2


def test_construction_before_1800_uses_the_oldest_period() -> None:
    s = stock([{"mun": 0, "use": "apartment", "year": 1650, "area": 50.0}])
    fc = run(s, start_year=2025, end_year=2026)
    oldest = mi("apartment", 1800)
    for m, kg_m2 in oldest.items():
        assert fc.stock_mass_kg[0, fc.materials.index(m)] == pytest.approx(50.0 * kg_m2)


# --------------------------------------------------------------------------- demand
def test_programme_demand_is_area_times_intensity_spread_by_population() -> None:
    s = stock([], population=[300_000.0, 100_000.0, 0.0])
    programme = NO_PROGRAMME | {"office": 1_000.0, "house": 200.0}
    fc = run(s, start_year=2028, end_year=2045, programme_m2=programme)
    for year in (2028, 2030, 2031, 2045):  # after 2030: the 2011-2030 period (clamped)
        office, house = mi("office", min(year, 2030)), mi("house", min(year, 2030))
        for m in fc.materials:
            per_m2 = 1_000.0 * office.get(m, 0.0) + 200.0 * house.get(m, 0.0)
            assert at(fc, fc.demand_kg, year, 0, m) == pytest.approx(0.75 * per_m2, rel=1e-12)
            assert at(fc, fc.demand_kg, year, 1, m) == pytest.approx(0.25 * per_m2, rel=1e-12)
            assert at(fc, fc.demand_kg, year, 2, m) == 0.0
    assert not fc.demolition_kg.any() and not fc.renovation_kg.any()


def test_programme_without_population_is_spread_evenly() -> None:
    s = stock([], population=[0.0, 0.0])
    fc = run(s, start_year=2025, end_year=2025, programme_m2=NO_PROGRAMME | {"retail": 10.0})
    np.testing.assert_allclose(fc.demand_kg[0, 0], fc.demand_kg[0, 1], rtol=1e-12)
    expected = 5.0 * mi("retail", 2025)["concrete"]
    assert at(fc, fc.demand_kg, 2025, 0, "concrete") == pytest.approx(expected)


def test_planned_renovation_releases_and_demands_the_replaced_layers() -> None:
    s = stock(
        [
            {"mun": 0, "use": "house", "year": 1965, "area": 100.0, "ren": 2027},
            # demolished before its renovation: not renovated
            {"mun": 1, "use": "house", "year": 1965, "area": 100.0, "dem": 2026, "ren": 2030},
            # renovated, then demolished: both happen
            {"mun": 1, "use": "office", "year": 1980, "area": 10.0, "dem": 2033, "ren": 2029},
        ]
    )
    fc = run(s, start_year=2025, end_year=2035)
    sh = dict(zip(MI.materials, renovation_share(MI.materials), strict=True))
    old, new = mi("house", 1965), mi("house", 2027)
    for m in MI.materials:
        assert at(fc, fc.renovation_kg, 2027, 0, m) == pytest.approx(100.0 * old[m] * sh[m])
        assert at(fc, fc.demand_kg, 2027, 0, m) == pytest.approx(100.0 * new[m] * sh[m])
        assert at(fc, fc.renovation_kg, 2029, 1, m) == pytest.approx(
            10.0 * mi("office", 1980)[m] * sh[m]
        )
    assert not fc.renovation_kg[:, 1, :].sum(axis=1)[2030 - 2025]  # the demolished house
    assert np.count_nonzero(fc.renovation_kg.sum(axis=(1, 2))) == 2
    assert fc.stats["n_planned_renovations"] == 2


# --------------------------------------------------------------------------- contract
def test_progress_reports_stage_keys_and_the_building_count() -> None:
    calls: list[tuple[int, str, dict[str, int]]] = []
    s = stock([{"mun": 0, "use": "house", "year": 1960, "area": 1.0}] * 3)
    p = ScenarioParams.from_json({"start_year": 2025, "end_year": 2026})
    forecast_scenario(
        s,
        p,
        intensities=MI,
        lifetimes=LT,
        progress=lambda pct, stage, details: calls.append((pct, stage, dict(details))),
    )
    assert calls == [(pct, stage, {"n": 3}) for stage, pct in PROGRESS_STAGES.items()]
    assert [c[0] for c in calls] == [20, 40, 60, 75]


def test_shapes_stats_and_empty_stock() -> None:
    fc = run(stock([]), start_year=2030, end_year=2032)
    assert fc.years.tolist() == [2030, 2031, 2032]
    assert fc.demolition_kg.shape == fc.demand_kg.shape == (3, 2, len(MI.materials))
    assert fc.stock_mass_kg.shape == (2, len(MI.materials))
    assert fc.stats == {
        "n_buildings": 0,
        "n_passports": 0,
        "n_planned_demolitions": 0,
        "n_planned_renovations": 0,
        "floor_area_m2": 0.0,
        "skipped": {"gww": 1},
    }


def test_weibull_parameters_apply_overrides_over_the_table() -> None:
    p = ScenarioParams.from_json(
        {"lifetimes": {"house": {"shape": 4.0}, "office": {"shape": 1.5, "scale_years": 50}}}
    )
    shape, scale = weibull_parameters(LT, p)
    assert shape.shape == scale.shape == (len(USE_TYPES),)
    assert (shape[U["house"]], scale[U["house"]]) == (4.0, lifetime("house")[1])
    assert (shape[U["office"]], scale[U["office"]]) == (1.5, 50.0)
    for u in ("apartment", "retail", "education", "healthcare", "industrial", "other"):
        assert (shape[U[u]], scale[U[u]]) == lifetime(u)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_year": "soon"}, "start_year"),
        ({"start_year": 1990}, "start_year"),
        ({"start_year": 2030, "end_year": 2029}, "end_year"),
        ({"end_year": float("inf")}, "end_year"),
        ({"reuse_share": 1.5}, "reuse_share"),
        ({"lifetimes": {"castle": {"shape": 2}}}, "lifetimes.castle"),
        ({"lifetimes": {"house": {"scale_years": 0}}}, "lifetimes.house.scale_years"),
        ({"lifetimes": {"house": {"shape": "x"}}}, "lifetimes.house.shape"),
        ({"programme_m2": {"office": -1}}, "programme_m2.office"),
        ({"programme_m2": {"bridge": 10}}, "programme_m2.bridge"),
    ],
)
def test_params_errors_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ParamsError) as info:
        ScenarioParams.from_json(data)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


def test_params_defaults_and_round_trip() -> None:
    p = ScenarioParams.from_json(None)
    assert (p.start_year, p.end_year, p.reuse_share) == (2025, 2050, 0.35)
    assert p.programme_m2 == {}  # no overrides: the default programme
    assert p.programme() == DEFAULT_PROGRAMME_M2
    assert ScenarioParams.from_json({"programme_m2": {"house": 5}}).programme({"house": 1}) == (
        dict.fromkeys(USE_TYPES, 0.0) | {"house": 5.0}
    )
    q = ScenarioParams.from_json({"lifetimes": {"house": {"shape": "", "scale_years": 90}}})
    assert q.lifetimes == {"house": {"scale_years": 90.0}}  # empty keys are left out
    assert ScenarioParams.from_json(q.to_json()) == q
