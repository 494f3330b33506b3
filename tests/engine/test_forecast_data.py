"""The derived Dutch tables: contract format, full period coverage, citations, reproducibility."""

from __future__ import annotations

import csv
import importlib.util
import os
from pathlib import Path

import pytest

from urbanmine.engine.forecast import USE_TYPES, read_intensities, read_lifetimes

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "urbanmine" / "data"
MATERIALS = {
    "concrete",
    "brick",
    "steel",
    "wood",
    "glass",
    "aggregates",
    "mortar_plaster",
    "plaster_board_gypsum",
    "aluminum",
    "plastics",
}


def test_material_intensity_table_covers_1800_2030_without_gaps() -> None:
    table = read_intensities(DATA / "material_intensity_nl.csv")
    assert set(table.use_types) == set(USE_TYPES)
    assert set(table.materials) == MATERIALS
    for u, use in enumerate(table.use_types):
        rows = sorted(
            (int(s), int(e))
            for s, e, i in zip(
                table.period_start, table.period_end, table.period_use_type_idx, strict=True
            )
            if i == u
        )
        assert rows[0][0] <= 1800 and rows[-1][1] >= 2030, use
        for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
            assert start == end + 1, (use, rows)
    assert (table.kg_per_m2 >= 0).all()
    totals = table.kg_per_m2.sum(axis=1)
    assert ((totals > 500) & (totals < 2500)).all()  # plausible building masses, kg/m2


def test_material_intensity_rows_carry_citations() -> None:
    with open(DATA / "material_intensity_nl.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for col in ("source", "version", "licence", "n_buildings", "method"):
        assert all(r[col] for r in rows), col
    assert any("jiec.13143" in r["source"] for r in rows)


def test_lifetimes_table() -> None:
    lt = read_lifetimes(DATA / "lifetimes.csv")
    assert set(lt.use_types) == set(USE_TYPES)
    assert (lt.weibull_shape > 0).all() and (lt.weibull_scale_years > 0).all()
    with open(DATA / "lifetimes.csv", encoding="utf-8", newline="") as fh:
        assert all(r["source"] and r["note"] for r in csv.DictReader(fh))


def _data_dir() -> Path:
    return Path(os.environ.get("URBANMINE_DATA_DIR", REPO.parent / "shared" / "data"))


@pytest.mark.skipif(not (_data_dir() / "material_intensity").is_dir(), reason="no public data dir")
def test_derivation_script_reproduces_the_committed_tables(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "derive_material_intensity", REPO / "scripts" / "derive_material_intensity.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(_data_dir()), "--out-dir", str(tmp_path)]) == 0
    for name in ("material_intensity_nl.csv", "lifetimes.csv"):
        assert (tmp_path / name).read_text() == (DATA / name).read_text(), name
