"""`urbanmine import-ifc` storing a passport that holds the model's mass: the contract's
JSON, the quantity source on every lot, bad input refused with exit 1 and nothing stored,
`urbanmine help import-ifc`, and the draft page's review table."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.engine.ifc_models import ModelBuilder
from urbanmine.lots.models import Lot


def run(*args: str) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def house(tmp_path, *, door_weight: float | None = None):
    m = ModelBuilder()
    m.box(
        "IfcWallStandardCase",
        (10, 0.3, 3),
        is_external=True,
        layers=[("Baksteen", 0.1), ("Luchtspouw", 0.05), ("Minerale wol", 0.05), ("Beton", 0.1)],
    )
    m.box("IfcSlab", (10, 8, 0.2), predefined="FLOOR", material="Gewapend beton")
    m.box(
        "IfcDoor",
        (1, 0.05, 2.1),
        is_external=True,
        material="Hout",
        quantities={"NetWeight": door_weight} if door_weight else None,
    )
    return m.write(tmp_path / "house.ifc")


def test_import_stores_lots_in_their_units_with_their_source(tmp_path, chain):
    out, _, exc = run(
        "import_ifc", str(house(tmp_path)), "--asset", str(chain.building.pk), "--format", "json"
    )
    assert exc is None, out
    data = json.loads(out)
    # the contract: elements counted per IFC type, with a product group
    assert {e["ifc_type"]: e["count"] for e in data["elements"]} == {
        "IfcDoor": 1,
        "IfcSlab": 1,
        "IfcWallStandardCase": 1,
    }
    assert all("product_group" in e for e in data["elements"])
    assert data["stored"] == len(data["lots"]) == 5  # brick, wool, concrete wall, slab, door
    proposed = {(p["product_group"], p["material"]): p for p in data["proposed_lots"]}
    assert proposed[("bricks-clay", "Baksteen")]["quantity_source"] == "geometry"
    lots = {(lot.product_group.code, lot.unit): lot for lot in Lot.objects.all()}
    assert (
        set(lots)
        == {
            ("bricks-clay", "piece"),
            ("mineral-wool", "m2"),
            ("concrete-granulate", "t"),
            ("doors-exterior", "piece"),
        }
        and Lot.objects.filter(product_group__code="concrete-granulate").count() == 2
    )
    wool = lots[("mineral-wool", "m2")]
    assert float(wool.quantity) == pytest.approx(30.0) and wool.quantity_source == "geometry"
    slab = Lot.objects.get(description__startswith="IfcSlab")
    assert float(slab.quantity) == pytest.approx(16 * 2.5)  # 16 m3 x 2,500 kg/m3 in tonnes
    assert slab.mass_kg_per_unit == 1000
    total_t = sum(float(lot.mass_kg) for lot in Lot.objects.all()) / 1000
    assert total_t == pytest.approx(data["mass_kg"] / 1000, rel=0.01)


def test_text_output_shows_the_draft_and_plausibility_before_storing(tmp_path, chain):
    out, err, exc = run(
        "import_ifc", str(house(tmp_path)), "--use-type", "house", "--floor-area", "1"
    )
    assert exc is None
    assert "proposed lots" in out and "geometry" in out and "dry run: nothing stored" in out
    assert "outside the plausible range" in err  # 60 t on 1 m2
    assert not Lot.objects.exists()


def build_bad(tmp_path, kind: str):
    if kind == "ifc2x2":
        path = tmp_path / "old.ifc"
        path.write_text(
            "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\n"
            "FILE_NAME('old.ifc','2001-01-01T00:00:00',(''),(''),'','','');\n"
            "FILE_SCHEMA(('IFC2X2_FINAL'));\nENDSEC;\nDATA;\n"
            "#1=IFCPERSON($,$,'x',$,$,$,$,$);\nENDSEC;\nEND-ISO-10303-21;\n"
        )
        return path, "not supported"
    if kind == "truncated":
        full = house(tmp_path).read_bytes()
        path = tmp_path / "cut.ifc"
        path.write_bytes(full[: int(len(full) * 0.8)])
        return path, "truncated"
    if kind == "no-units":
        m = ModelBuilder(length=None)
        m.box("IfcWall", (5, 0.2, 3), material="Beton")
        return m.write(tmp_path / "nounits.ifc"), "no length unit"
    # a door of 100 t (grams taken for kilograms): the whole import is refused
    return house(tmp_path, door_weight=100_000_000.0), "implausible"


@pytest.mark.parametrize("kind", ["ifc2x2", "truncated", "no-units", "implausible-lot"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_bad_input_exits_1_and_stores_nothing(tmp_path, chain, kind, fmt):
    path, reason = build_bad(tmp_path, kind)
    args = ["import_ifc", str(path), "--asset", str(chain.building.pk), "--format", fmt]
    if kind == "implausible-lot":
        args.append("--no-geometry")  # no geometry to overrule the weight
    out, _, exc = run(*args)
    assert exc is not None and exc.returncode == 1
    assert reason in str(exc)
    if fmt == "json":
        assert reason in json.loads(out)["error"]
    assert not Lot.objects.exists()


def test_help_names_the_command(capsys):
    from urbanmine.cli import main

    main(["urbanmine", "help", "import-ifc"])
    text = capsys.readouterr().out
    assert "--no-geometry" in text and "--asset" in text


def test_draft_page_shows_quantities_masses_sources_and_flags(client, chain, tmp_path):
    path = house(tmp_path)
    client.force_login(chain.owner_user)
    r = client.post(
        f"/assets/{chain.building.pk}/import/",
        {"file": SimpleUploadedFile("house.ifc", path.read_bytes())},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="ifc-lots"' in html and 'id="ifc-verdict"' in html
    rows = r.context["ifc_rows"]
    assert {row["lot"].quantity_source for row in rows} == {"geometry"}
    assert any(row["unit"] == "m²" for row in rows)
    # the reviewer skips the mineral wool and keeps the rest
    wool = next(row["lot"] for row in rows if row["lot"].product_group == "mineral-wool")
    post = {"ifc_token": r.context["ifc_token"]}
    post.update({f"lot__{row['lot'].key}": row["lot"].product_group or "" for row in rows})
    post[f"lot__{wool.key}"] = ""
    r = client.post(f"/assets/{chain.building.pk}/import/", post)
    assert r.status_code == 302
    assert Lot.objects.count() == len(rows) - 1
    assert not Lot.objects.filter(product_group__code="mineral-wool").exists()
    assert set(Lot.objects.values_list("quantity_source", flat=True)) == {"geometry"}


def test_reviewer_assigns_an_unmapped_material(client, chain, tmp_path):
    """An unknown material stays unmapped, named; the reviewer's group gets the element's
    volume x the density of the group's material."""
    m = ModelBuilder()
    m.box("IfcWall", (5, 0.2, 3), material="Material 17")
    path = m.write(tmp_path / "unknown.ifc")
    client.force_login(chain.owner_user)
    r = client.post(
        f"/assets/{chain.building.pk}/import/",
        {"file": SimpleUploadedFile("unknown.ifc", path.read_bytes())},
    )
    (row,) = r.context["ifc_rows"]
    assert row["lot"].product_group is None and "Material 17" in row["lot"].note
    assert "Material 17" in r.content.decode()
    post = {"ifc_token": r.context["ifc_token"], f"lot__{row['lot'].key}": "concrete-granulate"}
    assert client.post(f"/assets/{chain.building.pk}/import/", post).status_code == 302
    lot = Lot.objects.get()
    assert lot.unit == "t" and float(lot.quantity) == pytest.approx(3.0 * 2.4)
    assert lot.quantity_source == "geometry"
