"""IFC draft passports (engine only): counts checked against ifcopenshell directly."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import ifcopenshell
import pytest

import urbanmine
from urbanmine.engine.ifc import (
    MAPPING_CSV,
    IfcImportError,
    IfcMappingRule,
    load_ifc_mapping,
    read_ifc,
)

SAMPLES = ["AC20-FZK-Haus.ifc", "Duplex_A_20110907.ifc", "IfcOpenHouse_IFC4.ifc"]
CATALOGUE = Path(urbanmine.__file__).parent / "data" / "catalogue.csv"


@pytest.fixture(scope="module")
def known() -> set[str]:
    with open(CATALOGUE, encoding="utf-8", newline="") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def independent_counts(path: Path) -> Counter[str]:
    model = ifcopenshell.open(str(path))
    return Counter(e.is_a() for e in model.by_type("IfcElement") if not e.is_a("IfcFeatureElement"))


@pytest.mark.parametrize("name", SAMPLES)
def test_counts_match_ifcopenshell(data_dir, name):
    path = data_dir / "ifc" / name
    draft = read_ifc(path, geometry=False)  # counting needs no geometry
    got = {e.ifc_type: e.count for e in draft.elements}
    assert len(got) == len(draft.elements), "one entry per IFC type"
    assert got == dict(independent_counts(path))
    model = ifcopenshell.open(str(path))
    for t, n in got.items():
        assert n == len(model.by_type(t, include_subtypes=False)), t
        assert not t.startswith("IfcOpening")
    assert draft.total_count == sum(got.values())


def test_fzk_haus_known_facts(data_dir):
    draft = read_ifc(data_dir / "ifc" / "AC20-FZK-Haus.ifc", geometry=False)
    el = {e.ifc_type: e for e in draft.elements}
    assert draft.schema == "IFC4"
    assert el["IfcWallStandardCase"].count == 13
    assert el["IfcWindow"].count == 11 and el["IfcDoor"].count == 5 and el["IfcSlab"].count == 4
    walls = el["IfcWallStandardCase"]
    assert walls.elements_with_quantities == 13
    assert walls.quantities["volume_m3"] > 10 and walls.quantities["length_m"] > 50
    assert any("beton" in m.lower() for m in walls.materials)
    assert walls.product_group == "concrete-granulate"
    assert el["IfcDoor"].product_group == "doors-interior"
    assert el["IfcMember"].quantities == {} and "counted only" in el["IfcMember"].note


def test_duplex_walls_apart_and_materials(data_dir):
    draft = read_ifc(data_dir / "ifc" / "Duplex_A_20110907.ifc", geometry=False)
    el = {e.ifc_type: e for e in draft.elements}
    assert draft.schema == "IFC2X3"
    assert el["IfcWall"].count == 1 and el["IfcWallStandardCase"].count == 56
    assert el["IfcBeam"].product_group == "steel-beams"
    wsc = el["IfcWallStandardCase"]
    assert sum(wsc.product_groups.values()) == 56  # each wall once, by its heaviest layer
    assert "Masonry - Brick" in wsc.materials
    # the brick-faced exterior walls: their brick leaf is a lot of its own
    (brick,) = [
        lot
        for lot in draft.lots
        if lot.ifc_type == "IfcWallStandardCase" and lot.product_group == "bricks-clay"
    ]
    assert brick.material == "Masonry - Brick" and brick.element_count == 12


def test_open_house_brick_walls(data_dir):
    draft = read_ifc(data_dir / "ifc" / "IfcOpenHouse_IFC4.ifc", geometry=False)
    el = {e.ifc_type: e for e in draft.elements}
    assert el["IfcWallStandardCase"].materials == ["Brick"]
    assert el["IfcWallStandardCase"].product_group == "bricks-clay"


def test_json_contract(data_dir):
    draft = read_ifc(data_dir / "ifc" / "IfcOpenHouse_IFC4.ifc", geometry=False)
    data = json.loads(draft.to_json())
    assert isinstance(data["elements"], list)
    for e in data["elements"]:
        assert isinstance(e["ifc_type"], str) and e["ifc_type"].startswith("Ifc")
        assert isinstance(e["count"], int) and e["count"] > 0
        assert "product_group" in e


def test_mapping_table_names_known_product_groups(known):
    rules, warnings = load_ifc_mapping(known_product_groups=known)
    assert not warnings
    with open(MAPPING_CSV, encoding="utf-8", newline="") as fh:
        assert len(rules) == sum(1 for row in csv.DictReader(fh) if row["product_group"])


def test_unknown_group_in_mapping_is_dropped(tmp_path, data_dir):
    table = tmp_path / "map.csv"
    table.write_text("ifc_type,material_keyword,product_group,note\nIfcWall,brick,no-such-group,\n")
    rules, warnings = load_ifc_mapping(table, known_product_groups={"bricks-clay"})
    assert rules == [] and "no-such-group" in warnings[0]


def test_custom_rules_subtype_and_keyword_order(data_dir):
    rules = [
        IfcMappingRule("IfcWall", ("brick",), "bricks-clay"),
        IfcMappingRule("IfcWall", (), "plasterboard"),
        IfcMappingRule("IfcWindow", (), "glazing-double"),
    ]
    draft = read_ifc(data_dir / "ifc" / "IfcOpenHouse_IFC4.ifc", mapping=rules, geometry=False)
    el = {e.ifc_type: e for e in draft.elements}
    assert el["IfcWallStandardCase"].product_group == "bricks-clay"  # via supertype IfcWall
    assert el["IfcWindow"].product_group == "glazing-double"
    assert el["IfcDoor"].product_group is None


@pytest.mark.parametrize(
    "content",
    [
        b"This is a text file with an .ifc name.\nNothing to see.\n",
        b"",
        b"ISO-10303-21;\nthis is not really STEP\n",
        b"PK\x03\x04zipzip",
        b"<?xml version='1.0'?><ifcXML/>",
        bytes(range(256)),
    ],
)
def test_not_ifc(tmp_path, content):
    path = tmp_path / "model.ifc"
    path.write_bytes(content)
    with pytest.raises(IfcImportError) as exc:
        read_ifc(path)
    assert "model.ifc" in str(exc.value)


def test_missing_file(tmp_path):
    with pytest.raises(IfcImportError):
        read_ifc(tmp_path / "absent.ifc")
