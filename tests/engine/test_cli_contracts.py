"""The console script as outside scripts call it: hyphenated commands, exit codes, JSON."""

import json
import subprocess
import sys
from pathlib import Path

from urbanmine.engine.matching.random_instance import random_instance

CLI = [sys.executable, "-m", "urbanmine"]


def run(*args, cwd=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_match_file_by_its_contract_name(tmp_path: Path):
    data = random_instance(seed=4, n_supply=6, n_demand=6, n_hubs=2)
    src = tmp_path / "instance.json"
    src.write_text(json.dumps(data))
    out = tmp_path / "result.json"
    r = run("match-file", str(src), "--out", str(out), "--solver", "optimal")
    assert r.returncode == 0, r.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "optimal" and set(result["totals"]) >= {"mass_kg", "co2_avoided_kg"}


def test_match_file_bad_instance_exits_2(tmp_path: Path):
    src = tmp_path / "bad.json"
    src.write_text(
        json.dumps({"params": {}, "product_groups": [], "hubs": [], "supply": [], "demand": []})
    )
    r = run("match-file", str(src), "--out", str(tmp_path / "out.json"))
    assert r.returncode == 2 and "params" in (r.stderr + r.stdout)
    assert not (tmp_path / "out.json").exists()


def test_top10_and_compare_reuse_by_contract_name():
    r = run("top10", "--scope", "gww", "--format", "json")
    assert r.returncode == 0, r.stderr
    r = run(
        "compare-reuse", "--product-group", "steel-beams", "--quantity", "10", "--distance-km", "-3"
    )
    assert r.returncode != 0 and "distance" in (r.stderr + r.stdout)
