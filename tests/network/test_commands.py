"""`urbanmine import-region-figures` (issue #18): exit 0 and stored, or exit 1 with row,
column and reason and nothing stored; only the facilitator imports."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from urbanmine.network.models import FigureImport, RegionFigure

pytestmark = pytest.mark.django_db

GOOD = "regio;indicator;jaar;waarde;eenheid\nNoord-Holland;geoogst_t;2025;1,8;kt\n"


def run(*args):
    out = StringIO()
    call_command("import_region_figures", *args, stdout=out)
    return out.getvalue()


def test_import_and_dry_run(chain, tmp_path):
    f = tmp_path / "nh.csv"
    f.write_text(GOOD, encoding="utf-8")
    out = run(
        str(f), "--source", "Monitor NH", "--actor", "matchmaker", "--dry-run", "--format", "json"
    )
    assert json.loads(out) == {"valid": True, "stored": 0, "dry_run": True}
    assert not FigureImport.objects.exists()
    out = run(str(f), "--source", "Monitor NH", "--actor", "matchmaker")
    assert "1 figures imported" in out
    fig = RegionFigure.objects.get()
    assert (fig.region, fig.indicator, fig.year, float(fig.value)) == (
        "Noord-Holland",
        "harvested_t",
        2025,
        1800.0,
    )


def test_a_bad_file_exits_1_naming_row_and_column(chain, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(GOOD + "Noord-Holland;geoogst_t;20x5;1;t\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError) as e:
        call_command(
            "import_region_figures",
            str(f),
            "--source=x",
            "--actor=matchmaker",
            "--format=json",
            stdout=out,
        )
    assert e.value.returncode == 1
    errors = json.loads(out.getvalue())["errors"]
    assert errors[0]["row"] == 3 and errors[0]["column"] == "jaar"
    assert not FigureImport.objects.exists()


def test_only_the_facilitator_imports(chain, tmp_path):
    f = tmp_path / "nh.csv"
    f.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError) as e:
        call_command("import_region_figures", str(f), "--source=x", "--actor=owner")
    assert e.value.returncode == 1
    assert not FigureImport.objects.exists()
