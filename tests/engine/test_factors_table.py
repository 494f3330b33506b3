"""The derived factor tables: one row per catalogue group, virgin factors pinned to ÖKOBAUDAT."""

from __future__ import annotations

import csv
import importlib.util
import math
import sys
from pathlib import Path

import pytest

from urbanmine.engine.impact import CsvFactorSource

REPO = Path(__file__).resolve().parents[2]
DERIVED = REPO / "src/urbanmine/data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DERIVED / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _obd(data_dir: Path, uuid: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    path = data_dir / "embodied_carbon/OBD_2020_II.csv"
    with path.open(encoding="cp1252", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["UUID"] == uuid:
                out.setdefault(row["Modul"], row)
    return out


def test_one_row_per_catalogue_group() -> None:
    codes = [r["code"] for r in _rows("catalogue.csv")]
    factors = [r["product_group"] for r in _rows("impact_factors.csv")]
    assert sorted(factors) == sorted(codes)
    assert len(factors) == len(set(factors))


def test_every_row_cites_source_and_status() -> None:
    for r in _rows("impact_factors.csv"):
        assert r["source"] == "ÖKOBAUDAT (BMWSB/BBSR)"
        assert r["version"] == "2020-II"
        assert r["licence"] and r["source_uuid"] and r["source_dataset"]
        assert r["status"] in ("cited", "estimate")
        assert r["reuse_status"] == r["cost_status"] == "estimate"
        assert r["estimate_note"]
        if r["status"] == "estimate":
            assert "assumed" in r["note"]


@pytest.mark.parametrize(
    ("code", "lo", "hi"),
    [
        ("steel-beams", 0.9, 1.6),
        ("hollow-core-slabs", 0.1, 0.25),
        ("bricks-clay", 0.15, 0.35),
        ("timber-beams", 0.05, 0.4),
        ("glazing-double", 0.9, 1.8),
    ],
)
def test_virgin_factor_recomputed_from_oekobaudat(
    data_dir: Path, code: str, lo: float, hi: float
) -> None:
    """Re-read OBD_2020_II.csv for the cited UUID; per-kg GWP = GWP / declared mass."""
    row = next(r for r in _rows("impact_factors.csv") if r["product_group"] == code)
    modules = _obd(data_dir, row["source_uuid"])
    a13 = modules["A1-A3"]
    assert (a13["Name (de)"] or a13["Name (en)"]) == row["source_dataset"]
    gwp = float(a13["GWP"])
    if row["gwp_modules"] == "A1-A3+C3":  # wood: biogenic carbon in (A1) and out (C3)
        gwp += float(modules["C3"]["GWP"])
    qty = float(a13["Bezugsgroesse"])
    unit = a13["Bezugseinheit"]
    per_unit = {
        "kg": 1.0,
        "m3": float(a13["Rohdichte (kg/m3)"] or 0),
        "qm": float(a13["Flaechengewicht (kg/m2)"] or 0),
        "m": float(a13["Laengengewicht (kg/m)"] or 0),
    }[unit]
    expected = gwp / (qty * per_unit)
    assert float(row["virgin_co2_kg_per_kg"]) == pytest.approx(expected, rel=1e-5)
    assert lo <= expected <= hi
    assert row["status"] == "cited"


def test_timber_uses_fossil_balance_not_negative_a1a3() -> None:
    for r in _rows("impact_factors.csv"):
        assert float(r["virgin_co2_kg_per_kg"]) > 0, r["product_group"]
        if r["material"] == "wood":
            assert r["gwp_modules"] == "A1-A3+C3"


def test_transport_factors_cited(data_dir: Path) -> None:
    rows = {r["mode"]: r for r in _rows("transport_factors.csv")}
    assert {"truck", "inland_ship", "rail"} <= set(rows)
    for mode, r in rows.items():
        a4 = _obd(data_dir, r["source_uuid"])["A4"]
        assert a4["Bezugseinheit"] == "kgkm" and float(a4["Bezugsgroesse"]) == 1000
        assert float(r["kg_co2_per_tkm"]) == pytest.approx(float(a4["GWP"]))
        assert r["status"] == "cited", mode
    assert float(rows["inland_ship"]["kg_co2_per_tkm"]) < float(rows["truck"]["kg_co2_per_tkm"])


def test_derive_script_reproduces_committed_tables(data_dir: Path, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "derive_impact_factors", REPO / "scripts/derive_impact_factors.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["derive_impact_factors"] = mod  # dataclasses need the module registered
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop("derive_impact_factors", None)
    assert mod.main([str(data_dir), "--out-dir", str(tmp_path)]) == 0
    for name in ("impact_factors.csv", "transport_factors.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (DERIVED / name).read_text(
            encoding="utf-8"
        )


def test_csv_source_reads_default_table() -> None:
    src = CsvFactorSource(DERIVED / "impact_factors.csv")
    assert len(src.product_groups()) == 51
    f = src.factor("steel-beams")
    assert math.isclose(f.gain_kg_per_kg, f.virgin_co2_kg_per_kg - f.reuse_co2_kg_per_kg)
    assert src.transport("rail").kg_co2_per_tkm > 0
