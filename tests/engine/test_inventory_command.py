"""`import-inventory` / `import-ifc` in --dry-run mode and their exit-1 paths (storing is
tested with the lots service)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = "product_group,description,quantity,unit,mass_kg_per_unit,quality,hazardous,expected_release_date"

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_dry_run_valid(tmp_path):
    f = tmp_path / "inv.csv"
    f.write_text(HEADER + "\nbricks-clay,stenen,100,stuks,2.1,B,nee,2030-01-01\n")
    out, exc = run("import_inventory", str(f), "--dry-run", "--format", "json")
    assert exc is None
    data = json.loads(out)
    assert data["valid"] is True and data["rows"] == 1 and data["stored"] == 0
    out, exc = run("import_inventory", str(f), "--dry-run")
    assert exc is None and "1 rows valid" in out


def test_dry_run_invalid_lists_row_column_reason(tmp_path):
    f = tmp_path / "inv.csv"
    f.write_text(HEADER + "\nbricks-clay,ok,1,piece,2,A,no,\nnope,bad,-1,piece,2,A,no,\n")
    out, exc = run("import_inventory", str(f), "--dry-run", "--format", "json")
    assert exc is not None and exc.returncode == 1
    errors = json.loads(out)["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "product_group"), (3, "quantity")}
    assert all(e["reason"] for e in errors)
    out, exc = run("import_inventory", str(f), "--dry-run")
    assert exc is not None and exc.returncode == 1
    assert "row 3, column 'quantity'" in out


def test_column_map_option(tmp_path):
    f = tmp_path / "inv.csv"
    f.write_text("Art;N;Eh;Kg;Q\ndoors-interior;2;st;25;A\n")
    cmap = json.dumps(
        {
            "Art": "product_group",
            "N": "quantity",
            "Eh": "unit",
            "Kg": "mass_kg_per_unit",
            "Q": "quality",
        }
    )
    out, exc = run("import_inventory", str(f), "--dry-run", "--column-map", cmap)
    assert exc is None, out
    out, exc = run("import_inventory", str(f), "--dry-run", "--column-map", "{not json")
    assert exc is not None and "--column-map" in str(exc)


def test_asset_required_and_must_exist(tmp_path):
    f = tmp_path / "inv.csv"
    f.write_text(HEADER + "\nbricks-clay,stenen,100,stuks,2.1,B,nee,\n")
    _, exc = run("import_inventory", str(f))
    assert exc is not None and exc.returncode == 1 and "--asset" in str(exc)
    _, exc = run("import_inventory", str(f), "--asset", "999999")
    assert exc is not None and exc.returncode == 1 and "--asset" in str(exc)


def test_import_ifc_dry_run_and_not_ifc(tmp_path, data_dir):
    out, exc = run(
        "import_ifc",
        str(data_dir / "ifc" / "IfcOpenHouse_IFC4.ifc"),
        "--dry-run",
        "--format",
        "json",
    )
    assert exc is None
    counts = {e["ifc_type"]: e["count"] for e in json.loads(out)["elements"]}
    assert counts["IfcWallStandardCase"] == 4
    bad = tmp_path / "model.ifc"
    bad.write_text("not an ifc file\n")
    out, exc = run("import_ifc", str(bad), "--format", "json")
    assert exc is not None and exc.returncode == 1
    assert "not an IFC file" in json.loads(out)["error"]
