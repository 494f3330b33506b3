"""Hand-computed CO2 avoided, transport, TCO; bad input; property tests; the command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from urbanmine.engine.impact import (
    Assumptions,
    CsvFactorSource,
    Factor,
    ImpactError,
    StaticFactorSource,
    TransportFactor,
    co2_avoided_kg,
    compare_reuse,
    flagged_groups,
    transport_co2_kg,
    waste_avoided_kg,
)

FACTOR = Factor(
    product_group="beam",
    virgin_co2_kg_per_kg=1.0,
    reuse_co2_kg_per_kg=0.1,
    virgin_price_eur_per_kg=2.0,
    reuse_processing_eur_per_kg=0.5,
    testing_eur_per_kg=0.1,
    disposal_eur_per_kg=0.05,
    service_life_years=50,
    waste_avoided_share=1.0,
    source="test",
    status="cited",
)
TRUCK = TransportFactor("truck", kg_co2_per_tkm=0.1, eur_per_tkm=0.2, status="cited")
SRC = StaticFactorSource([FACTOR], [TRUCK])
PLAIN = Assumptions(
    new_supply_distance_km=100,
    discount_rate=0.0,
    quality_remaining_life_share={"A": 1.0, "B": 0.5, "C": 0.5},
)


def test_elementary_functions_by_hand() -> None:
    assert co2_avoided_kg(2000, FACTOR) == pytest.approx(1800)  # 2000 x (1.0 - 0.1)
    assert transport_co2_kg(2000, 50, 0.1) == pytest.approx(10)  # 2 t x 50 km x 0.1
    assert waste_avoided_kg(2000, FACTOR) == 2000


def test_compare_quality_a_by_hand() -> None:
    # 100 units x 10 kg = 1000 kg; quality A: yield 0.95, processing x0.8, full life.
    c = compare_reuse(SRC, "beam", 100, 20, mass_kg_per_unit=10, quality="A", assumptions=PLAIN)
    harvested = 1000 / 0.95
    assert c.mass_kg == 1000
    assert c.co2_new_kg == pytest.approx(1000 * 1.0 + 1 * 100 * 0.1)  # 1010
    assert c.co2_reuse_kg == pytest.approx(harvested * 0.1 * 0.8 + 1 * 20 * 0.1)
    assert c.co2_avoided_kg == pytest.approx(900)
    assert c.first_cost_new_eur == pytest.approx(2000 + 1 * 100 * 0.2)  # 2020
    first_reuse = harvested * 0.5 * 0.8 + harvested * 0.1 + 1 * 20 * 0.2
    assert c.first_cost_reuse_eur == pytest.approx(first_reuse)
    assert c.tco_reuse_eur == pytest.approx(first_reuse - 1000 * 0.05)
    assert c.tco_new_eur == pytest.approx(2020)
    assert c.verdict == "reuse"
    assert "reused_life_shorter_than_new" not in c.flags


def test_compare_quality_b_replacement_and_residual_by_hand() -> None:
    # Quality B with half the remaining life: a new product is needed after 25 of 50 years,
    # half of whose value is left at the horizon (residual value); undiscounted.
    steps = ["dismantling", "cleaning"]
    c = compare_reuse(
        SRC, "beam", 100, 20, mass_kg_per_unit=10, quality="B", steps=steps,
        storage_days=10, assumptions=PLAIN,
    )  # fmt: skip
    harvested = 1000 / 0.85
    first_new = 2020.0
    processing = harvested * 0.5 * 0.75  # dismantling 0.40 + cleaning 0.35, multiplier 1.0
    storage = 1 * 10 * 0.15
    first_reuse = processing + 0 + 1 * 20 * 0.2 + storage
    assert c.first_cost_reuse_eur == pytest.approx(first_reuse)
    assert c.tco_reuse_eur == pytest.approx(first_reuse - 50 + first_new - first_new * 0.5)
    co2_new = 1010.0
    assert c.co2_reuse_kg == pytest.approx(harvested * 0.1 * 0.75 + 2.0 + 0.5 * co2_new)
    assert "reused_life_shorter_than_new" in c.flags


def test_discounting_lowers_future_replacement() -> None:
    a = PLAIN.with_overrides(discount_rate=0.03)
    c0 = compare_reuse(SRC, "beam", 100, 20, mass_kg_per_unit=10, quality="C", assumptions=PLAIN)
    c1 = compare_reuse(SRC, "beam", 100, 20, mass_kg_per_unit=10, quality="C", assumptions=a)
    assert c1.tco_reuse_eur < c0.tco_reuse_eur
    first_new = 2020.0
    expected = c0.first_cost_reuse_eur - 50 + first_new * 1.03**-25 - first_new * 0.5 * 1.03**-50
    assert c1.tco_reuse_eur == pytest.approx(expected)


def test_result_traces_sources() -> None:
    c = compare_reuse(SRC, "beam", 1, 1, mass_kg_per_unit=1)
    statuses = {a.name: a.status for a in c.assumptions}
    assert statuses["virgin CO2"] == "cited"
    assert statuses["reuse processing CO2"] == "estimate"
    d = c.to_dict()
    assert d["factor"]["source"] == "test"
    json.dumps(d)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"product_group": "nope"}, "product_group"),
        ({"quantity": -1}, "quantity"),
        ({"distance_km": -5}, "distance_km"),
        ({"distance_km": float("nan")}, "distance_km"),
        ({"quality": "D"}, "quality"),
        ({"steps": ["polishing"]}, "steps"),
        ({"storage_days": -1}, "storage_days"),
        ({"assumptions": Assumptions(transport_mode="zeppelin")}, "transport_mode"),
    ],
)
def test_bad_input_names_field(kwargs: dict, field: str) -> None:
    args = {"product_group": "beam", "quantity": 1, "distance_km": 1} | kwargs
    with pytest.raises(ImpactError) as exc:
        compare_reuse(SRC, args.pop("product_group"), args.pop("quantity"),
                      args.pop("distance_km"), mass_kg_per_unit=1, **args)  # fmt: skip
    assert exc.value.field == field


def test_missing_factor_in_csv_names_column(tmp_path) -> None:
    cols = "product_group,virgin_co2_kg_per_kg,reuse_co2_kg_per_kg,virgin_price_eur_per_kg,"
    cols += "reuse_processing_eur_per_kg,testing_eur_per_kg,disposal_eur_per_kg,"
    cols += "service_life_years,waste_avoided_share\n"
    (tmp_path / "f.csv").write_text(cols + "x,1.0,,1,1,1,1,10,1\n", encoding="utf-8")
    (tmp_path / "transport_factors.csv").write_text("mode,kg_co2_per_tkm\ntruck,0.1\n")
    with pytest.raises(ImpactError) as exc:
        CsvFactorSource(tmp_path / "f.csv")
    assert exc.value.field == "reuse_co2_kg_per_kg" and exc.value.row == 2
    (tmp_path / "g.csv").write_text(cols.replace(",waste_avoided_share", "") + "x\n")
    with pytest.raises(ImpactError) as exc:
        CsvFactorSource(tmp_path / "g.csv", tmp_path / "transport_factors.csv")
    assert exc.value.field == "waste_avoided_share"


@given(
    mass=st.floats(0, 1e7),
    d1=st.floats(0, 5000),
    extra=st.floats(0, 5000),
    factor=st.floats(0, 1),
)
def test_more_distance_never_lowers_transport_co2(mass, d1, extra, factor) -> None:
    assert transport_co2_kg(mass, d1 + extra, factor) >= transport_co2_kg(mass, d1, factor)


@given(d1=st.floats(0, 2000), extra=st.floats(0, 2000))
def test_more_distance_never_lowers_reuse_co2(d1, extra) -> None:
    a = compare_reuse(SRC, "beam", 10, d1, mass_kg_per_unit=5)
    b = compare_reuse(SRC, "beam", 10, d1 + extra, mass_kg_per_unit=5)
    assert b.co2_reuse_kg >= a.co2_reuse_kg
    assert b.co2_saving_kg <= a.co2_saving_kg


@given(virgin=st.floats(0, 10), reuse=st.floats(0, 10))
def test_reuse_above_virgin_is_flagged_not_hidden(virgin, reuse) -> None:
    f = Factor("g", virgin, reuse, 1, 0.1, 0.1, 0.0, 30, 1.0)
    src = StaticFactorSource([f], [TRUCK])
    c = compare_reuse(src, "g", 10, 10, mass_kg_per_unit=1)
    flagged = "reuse_processing_exceeds_virgin" in c.flags
    assert flagged == (reuse > virgin)
    assert flagged_groups(src) == (["g"] if reuse > virgin else [])
    assert c.co2_avoided_kg == pytest.approx(10 * (virgin - reuse))  # negative shown as is


def test_default_table_flags_soil_and_recommends_steel_reuse() -> None:
    from urbanmine.engine.impact import Factor as _F  # noqa: F401

    src = CsvFactorSource("src/urbanmine/data/impact_factors.csv")
    assert "soil" in flagged_groups(src)
    c = compare_reuse(src, "steel-beams", 100, 40, mass_kg_per_unit=42, quality="A")
    assert c.verdict == "reuse"


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("compare_reuse", *args, stdout=out)
    return out.getvalue()


def test_command_json_and_text() -> None:
    data = json.loads(
        _call(
            "--product-group=bricks-clay", "--quantity=10000", "--distance-km=30", "--format=json"
        )
    )
    assert data["status"] == "ok"
    assert data["mass_kg"] == pytest.approx(21000)
    assert data["factor"]["source_uuid"] == "86986c2b-a3fc-454a-b02f-7f62fb54ca87"
    assert {"co2_new_kg", "co2_reuse_kg", "first_cost_new_eur", "tco_reuse_eur"} <= set(data)
    text = _call(
        "--product-group=hollow-core-slabs", "--quantity=50", "--distance-km=60",
        "--quality=C", "--steps=dismantling,testing,certification", "--storage-days=90",
    )  # fmt: skip
    assert "ÖKOBAUDAT" in text and "TCO" in text


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--product-group=nope", "--quantity=1", "--distance-km=1"], "product_group"),
        (["--product-group=bricks-clay", "--quantity=-1", "--distance-km=1"], "quantity"),
        (["--product-group=bricks-clay", "--quantity=1", "--distance-km=-1"], "distance_km"),
        (
            ["--product-group=bricks-clay", "--quantity=1", "--distance-km=1", "--quality=Z"],
            "quality",
        ),
    ],
)
def test_command_bad_input_exit_2(args: list[str], field: str) -> None:
    with pytest.raises(CommandError) as exc:
        _call(*args)
    assert exc.value.returncode == 2
    assert field in str(exc.value)
