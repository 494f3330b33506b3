"""`urbanmine forecast-file`: output contract, JSON summary and bad input (exit code 2)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from urbanmine.engine.forecast import release_fractions

MI = """use_type,period_start,period_end,material,kg_per_m2,source
house,1800,1969,concrete,500,test
house,1800,1969,glass,2,test
house,1970,2030,concrete,700,test
house,1970,2030,glass,3,test
office,1800,2030,concrete,1000,test
office,1800,2030,glass,10,test
"""
LIFETIMES = """use_type,weibull_shape,weibull_scale_years
house,2.5,200
office,2,100
"""
STOCK = """id,municipality_code,use_type,construction_year,floor_area_m2
a,GM0599,house,1930,100
b,GM0599,house,1990,120
c,GM0518,office,1975,2000
"""


def write(
    tmp: Path, stock: str = STOCK, mi: str = MI, lifetimes: str = LIFETIMES
) -> dict[str, str]:
    (tmp / "STOCK.csv").write_text(stock, encoding="utf-8")
    (tmp / "MI.csv").write_text(mi, encoding="utf-8")
    (tmp / "LIFETIMES.csv").write_text(lifetimes, encoding="utf-8")
    return {
        "stock": str(tmp / "STOCK.csv"),
        "intensities": str(tmp / "MI.csv"),
        "lifetimes": str(tmp / "LIFETIMES.csv"),
        "out": str(tmp / "RELEASE.csv"),
    }


def run(paths: dict[str, str], start: int = 2025, end: int = 2030, fmt: str = "text") -> str:
    out = io.StringIO()
    call_command(
        "forecast_file",
        f"--stock={paths['stock']}",
        f"--intensities={paths['intensities']}",
        f"--lifetimes={paths['lifetimes']}",
        f"--start={start}",
        f"--end={end}",
        f"--out={paths['out']}",
        f"--format={fmt}",
        stdout=out,
    )
    return out.getvalue()


def test_release_csv_follows_the_contract(tmp_path: Path) -> None:
    paths = write(tmp_path)
    run(paths)
    with open(paths["out"], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["year", "municipality_code", "material", "released_kg"]
    assert len(rows) == 6 * 2 * 2
    got = {
        (int(r["year"]), r["municipality_code"], r["material"]): float(r["released_kg"])
        for r in rows
    }
    f_old = release_fractions([1930], 2.5, 200.0, 2025, 2030)[0]
    f_new = release_fractions([1990], 2.5, 200.0, 2025, 2030)[0]
    f_off = release_fractions([1975], 2.0, 100.0, 2025, 2030)[0]
    for i, year in enumerate(range(2025, 2031)):
        expect = 100 * 500 * f_old[i] + 120 * 700 * f_new[i]
        assert got[(year, "GM0599", "concrete")] == pytest.approx(expect, abs=5e-4)
        assert got[(year, "GM0518", "glass")] == pytest.approx(2000 * 10 * f_off[i], abs=5e-4)


def test_json_summary(tmp_path: Path) -> None:
    paths = write(tmp_path)
    summary = json.loads(run(paths, fmt="json"))
    assert summary["status"] == "ok"
    assert summary["rows"] == 24 and summary["buildings"] == 3
    assert summary["stock_mass_kg"] == pytest.approx(100 * 502 + 120 * 703 + 2000 * 1010)
    assert sum(summary["released_kg_by_year"].values()) == pytest.approx(
        summary["released_kg_total"]
    )


def test_planned_demolition_column(tmp_path: Path) -> None:
    stock = STOCK.replace("floor_area_m2\n", "floor_area_m2,planned_demolition_year\n")
    stock = stock.replace("1930,100\n", "1930,100,2027\n").replace("1990,120\n", "1990,120,\n")
    stock = stock.replace("1975,2000\n", "1975,2000,\n")
    paths = write(tmp_path, stock=stock)
    summary = json.loads(run(paths, fmt="json"))
    base = json.loads(run(write(tmp_path), fmt="json"))
    f_old = release_fractions([1930], 2.5, 200.0, 2025, 2030)[0] * 100 * 502
    delta = np.array(list(summary["released_kg_by_year"].values())) - np.array(
        list(base["released_kg_by_year"].values())
    )
    expected = -f_old
    expected[2] += 100 * 502
    np.testing.assert_allclose(delta, expected, atol=1e-6)


BAD_CASES = [
    # (file to corrupt, replacement, expected file name, row text, field)
    (
        "stock",
        ("b,GM0599,house,", "b,GM0599,castle,"),
        "STOCK.csv",
        "data row 2 (line 3)",
        "use_type",
    ),
    ("stock", ("1975,2000", "3000,2000"), "STOCK.csv", "data row 3 (line 4)", "construction_year"),
    ("stock", ("1930,100", "1930,lots"), "STOCK.csv", "data row 1 (line 2)", "floor_area_m2"),
    ("stock", ("1990,120", "1990,-5"), "STOCK.csv", "data row 2 (line 3)", "floor_area_m2"),
    ("stock", ("1930,100", "1700,100"), "STOCK.csv", "data row 1 (line 2)", "construction_year"),
    # an infinite year is "not a whole year" (it used to crash formatting "in the future")
    ("stock", ("1975,2000", "inf,2000"), "STOCK.csv", "data row 3 (line 4)", "construction_year"),
    (
        "lifetimes",
        ("office,2,100", "office,0,100"),
        "LIFETIMES.csv",
        "data row 2 (line 3)",
        "weibull_shape",
    ),
    (
        "lifetimes",
        ("house,2.5,200", "house,2.5,-1"),
        "LIFETIMES.csv",
        "data row 1 (line 2)",
        "weibull_scale_years",
    ),
    (
        "intensities",
        ("office,1800,2030,glass,10", "office,1800,2030,glass,x"),
        "MI.csv",
        "data row 6 (line 7)",
        "kg_per_m2",
    ),
]


@pytest.mark.parametrize(("which", "swap", "name", "row", "field"), BAD_CASES)
def test_bad_input_exits_2_naming_row_and_field(
    tmp_path: Path, which: str, swap: tuple[str, str], name: str, row: str, field: str
) -> None:
    texts = {"stock": STOCK, "mi": MI, "lifetimes": LIFETIMES}
    key = "mi" if which == "intensities" else which
    assert swap[0] in texts[key]
    texts[key] = texts[key].replace(swap[0], swap[1])
    paths = write(tmp_path, stock=texts["stock"], mi=texts["mi"], lifetimes=texts["lifetimes"])
    with pytest.raises(CommandError) as info:
        run(paths)
    assert info.value.returncode == 2
    msg = str(info.value)
    assert name in msg and row in msg and f"field '{field}'" in msg, msg
    assert not Path(paths["out"]).exists()
    assert not list(tmp_path.glob(".RELEASE*"))  # no temp file left behind


def test_missing_intensity_for_use_type(tmp_path: Path) -> None:
    mi = "\n".join(line for line in MI.splitlines() if not line.startswith("office")) + "\n"
    paths = write(tmp_path, mi=mi)
    with pytest.raises(CommandError) as info:
        run(paths)
    assert info.value.returncode == 2
    assert "STOCK.csv, data row 3 (line 4), field 'use_type'" in str(info.value)
    assert "MI.csv" in str(info.value)


def test_start_after_end(tmp_path: Path) -> None:
    paths = write(tmp_path)
    with pytest.raises(CommandError) as info:
        run(paths, start=2031, end=2030)
    assert info.value.returncode == 2 and "--start" in str(info.value)
    assert not Path(paths["out"]).exists()


def test_failed_run_keeps_the_previous_output(tmp_path: Path) -> None:
    paths = write(tmp_path, stock=STOCK.replace("1930,100", "1930,-1"))
    Path(paths["out"]).write_text("previous\n")
    with pytest.raises(CommandError):
        run(paths)
    assert Path(paths["out"]).read_text() == "previous\n"


def test_json_error_output(tmp_path: Path) -> None:
    paths = write(tmp_path, stock=STOCK.replace("house,1990", "villa,1990"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "forecast_file",
            f"--stock={paths['stock']}",
            f"--intensities={paths['intensities']}",
            f"--lifetimes={paths['lifetimes']}",
            "--start=2025",
            "--end=2030",
            f"--out={paths['out']}",
            "--format=json",
            stdout=out,
        )
    err = json.loads(out.getvalue())
    assert err == {
        "status": "error",
        "file": "STOCK.csv",
        "row": 2,
        "line": 3,
        "field": "use_type",
        "message": err["message"],
    }
    assert "villa" in err["message"]


def test_semicolon_bom_and_decimal_comma(tmp_path: Path) -> None:
    stock = "\ufeff" + STOCK.replace(",", ";").replace(";100\n", ";100,0\n")
    paths = write(tmp_path, stock=stock)
    summary = json.loads(run(paths, fmt="json"))
    assert summary["buildings"] == 3
    assert summary["stock_mass_kg"] == pytest.approx(100 * 502 + 120 * 703 + 2000 * 1010)


def test_default_tables_are_used_when_not_given(tmp_path: Path) -> None:
    paths = write(tmp_path)
    out = io.StringIO()
    call_command(
        "forecast_file",
        f"--stock={paths['stock']}",
        "--start=2025",
        "--end=2030",
        f"--out={paths['out']}",
        "--format=json",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["intensities"].endswith("material_intensity_nl.csv")
    assert len(summary["materials"]) == 10
