"""scripts/derive_municipality_groups.py reproduces the committed table of Zuid-Holland's
municipality groups (COROP areas) from the raw CBS file, and the table covers exactly the
province's municipalities of `municipalities_nl.csv` (issue #18). No database."""

import csv
import importlib.util
import os
from pathlib import Path

import pytest

import urbanmine

REPO = Path(__file__).resolve().parents[2]
DATA = Path(urbanmine.__file__).resolve().parent / "data"


def _raw() -> Path:
    return Path(os.environ.get("URBANMINE_DATA_DIR", REPO.parent / "shared" / "data"))


def test_the_groups_cover_the_provinces_municipalities_once() -> None:
    with (DATA / "municipality_groups_zh.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with (DATA / "municipalities_nl.csv").open(encoding="utf-8") as f:
        zh = {r["code"] for r in csv.DictReader(f) if r["province_code"] == "PV28"}
    codes = [r["municipality_code"] for r in rows]
    assert len(codes) == len(set(codes)) == len(zh) == 50
    assert set(codes) == zh
    groups = {r["group_code"]: r["group_name"] for r in rows}
    assert len(groups) == 6 and groups["CR29"] == "Groot-Rijnmond"
    assert next(r for r in rows if r["municipality_code"] == "GM0599")["group_code"] == "CR29"


@pytest.mark.skipif(
    not (_raw() / "gemeenten" / "cbs_gebieden_in_nederland_2024.csv").is_file(),
    reason="raw public data (../shared/data/gemeenten) absent",
)
def test_derivation_script_reproduces_the_committed_table(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "derive_municipality_groups", REPO / "scripts" / "derive_municipality_groups.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "groups.csv"
    assert module.main([str(_raw()), "--out", str(out)]) == 0
    assert out.read_bytes() == (DATA / "municipality_groups_zh.csv").read_bytes()
