"""`urbanmine match-file`: results on disk, JSON summary, exit code 2 on malformed input."""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from urbanmine.engine.matching import InstanceError, check, load_instance
from urbanmine.engine.matching.random_instance import random_instance

GOOD = random_instance(5, n_supply=20, n_demand=20, n_hubs=2)


def write(tmp_path, data) -> str:
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("solver", ["optimal", "greedy"])
def test_writes_a_checked_result(tmp_path, solver):
    out = tmp_path / "result.json"
    stdout = StringIO()
    call_command(
        "match_file",
        write(tmp_path, GOOD),
        out=str(out),
        solver=solver,
        format="json",
        stdout=stdout,
    )
    summary = json.loads(stdout.getvalue())
    result = json.loads(out.read_text())
    assert summary["status"] == result["status"]
    assert summary["check_violations"] == 0
    assert check(load_instance(GOOD), result).ok
    assert {"status", "objective_eur", "bound_eur", "assignments", "totals"} <= set(result)


def test_time_limit_option(tmp_path):
    out = tmp_path / "result.json"
    call_command("match_file", write(tmp_path, GOOD), out=str(out), time_limit=5, stdout=StringIO())
    assert json.loads(out.read_text())["status"] in ("optimal", "time_limit", "feasible")


def _mutate(path: tuple, value):
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()

BAD = [
    (("supply", 17, "quantity"), 2.5, 'supply[17] (id "S17")', '"quantity"'),
    (("supply", 3, "quantity"), -1, 'supply[3] (id "S3")', '"quantity"'),
    (("supply", 4, "quantity"), "7", 'supply[4] (id "S4")', '"quantity"'),
    (("supply", 2, "product_group"), "unobtainium", 'supply[2] (id "S2")', '"product_group"'),
    (("supply", 1, "quality"), 4, 'supply[1] (id "S1")', '"quality"'),
    (("supply", 0, "lat"), 48.85, 'supply[0] (id "S0")', '"lat"'),
    (("supply", 6, "available_on"), "2026-13-01", 'supply[6] (id "S6")', '"available_on"'),
    (("supply", 7, "hazardous"), "no", 'supply[7] (id "S7")', '"hazardous"'),
    (("supply", 8, "mass_kg_per_unit"), _DELETE, 'supply[8] (id "S8")', '"mass_kg_per_unit"'),
    (("demand", 5, "window_end"), "2026-01-01", 'demand[5] (id "D5")', '"window_end"'),
    (("demand", 2, "min_quality"), 0, 'demand[2] (id "D2")', '"min_quality"'),
    (("demand", 9, "max_distance_km"), -3, 'demand[9] (id "D9")', '"max_distance_km"'),
    (("demand", 3, "lon"), 12.0, 'demand[3] (id "D3")', '"lon"'),
    (("hubs", 1, "accepts"), ["nope"], 'hubs[1] (id "H1")', '"accepts"'),
    (("hubs", 0, "capacity_kg"), -5, 'hubs[0] (id "H0")', '"capacity_kg"'),
    (("hubs", 0, "max_dwell_days"), 1.5, 'hubs[0] (id "H0")', '"max_dwell_days"'),
    (("params", "road_factor"), 0, "params", '"road_factor"'),
    (("params", "direct_transfer_max_days"), _DELETE, "params", '"direct_transfer_max_days"'),
    (("supply",), {"a": 1}, "instance", '"supply"'),
]


@pytest.mark.parametrize("path, value, item, field", BAD)
def test_malformed_instance_exits_2_naming_item_and_field(tmp_path, path, value, item, field):
    data = _mutate(path, value)
    out = tmp_path / "result.json"
    with pytest.raises(CommandError) as exc:
        call_command("match_file", write(tmp_path, data), out=str(out), stdout=StringIO())
    assert exc.value.returncode == 2
    assert item in str(exc.value) and field in str(exc.value)
    assert not out.exists()
    with pytest.raises(InstanceError):
        load_instance(data)


def test_duplicate_id_and_missing_file(tmp_path):
    data = copy.deepcopy(GOOD)
    data["demand"][4]["id"] = "D1"
    with pytest.raises(CommandError) as exc:
        call_command("match_file", write(tmp_path, data), stdout=StringIO())
    assert exc.value.returncode == 2 and 'demand[4] (id "D1")' in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("match_file", str(tmp_path / "missing.json"), stdout=StringIO())
    assert exc.value.returncode == 2


def test_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("match_file", str(path), stdout=StringIO())
    assert exc.value.returncode == 2 and "JSON" in str(exc.value)


def test_rel_gap_option(tmp_path):
    out = tmp_path / "result.json"
    stdout = StringIO()
    call_command(
        "match_file",
        write(tmp_path, GOOD),
        "--rel-gap",
        "0.001",
        out=str(out),
        format="json",
        stdout=stdout,
    )
    summary = json.loads(stdout.getvalue())
    assert summary["check_violations"] == 0
    assert summary["status"] in ("optimal", "feasible")
    assert summary["gap"] is not None and summary["gap"] <= 0.001
    if summary["status"] == "optimal":
        assert summary["gap"] <= 1e-6


@pytest.mark.parametrize("bad", ["-0.1", "1.5"])
def test_rel_gap_out_of_range_exits_2(tmp_path, bad):
    with pytest.raises(CommandError) as exc:
        call_command("match_file", write(tmp_path, GOOD), "--rel-gap", bad, stdout=StringIO())
    assert exc.value.returncode == 2


def test_max_memory_option_solves_within_a_tiny_budget(tmp_path):
    """A budget far too small for the candidate routes: streamed, never refused."""
    out = tmp_path / "result.json"
    stdout = StringIO()
    call_command(
        "match_file",
        write(tmp_path, GOOD),
        "--max-memory-gb",
        "0.00001",
        out=str(out),
        format="json",
        stdout=stdout,
    )
    summary = json.loads(stdout.getvalue())
    assert summary["check_violations"] == 0 and summary["bound_eur"] is not None
    assert check(load_instance(GOOD), json.loads(out.read_text())).ok


@pytest.mark.parametrize("bad", ["0", "-1"])
def test_max_memory_out_of_range_exits_2(tmp_path, bad):
    with pytest.raises(CommandError) as exc:
        call_command("match_file", write(tmp_path, GOOD), "--max-memory-gb", bad, stdout=StringIO())
    assert exc.value.returncode == 2
