"""scripts/derive_baseline_stock.py reproduces the committed tables from the raw public
files (../shared/data). Skips when they are absent: the product itself never reads them."""

import importlib.util
import os
from pathlib import Path

import pytest

import urbanmine

REPO = Path(__file__).resolve().parents[2]
DATA = Path(urbanmine.__file__).resolve().parent / "data"
TABLES = (
    "municipalities_nl.csv",
    "municipalities_nl.geojson",
    "moderate_nl_2020_mix.csv",
    "baseline_floor_area_per_dwelling.csv",
    "baseline_stock_zh.csv",
    "baseline_municipalities_zh.csv",
    "baseline_programme_zh.csv",
)


def _raw() -> Path:
    return Path(os.environ.get("URBANMINE_DATA_DIR", REPO.parent / "shared" / "data"))


@pytest.mark.skipif(
    not (_raw() / "building_stock_zh").is_dir(),
    reason="raw public data (../shared/data/building_stock_zh) absent",
)
def test_derivation_script_reproduces_the_committed_tables(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "derive_baseline_stock", REPO / "scripts" / "derive_baseline_stock.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(_raw()), "--out-dir", str(tmp_path)]) == 0
    for name in TABLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_every_derived_table_is_cited() -> None:
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    for name in TABLES:
        assert f"`{name}`" in sources, name
    assert "Bron: CBS" in sources
    for licence in ("CC BY 4.0", "MIT", "CC0"):
        assert licence in sources
