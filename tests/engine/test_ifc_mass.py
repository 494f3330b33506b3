"""Quantities and mapping of the IFC import (engine only), on small models written here
(tests/engine/ifc_models.py): units, the order of trust of quantities, the cross-check of
quantity sets against geometry, layer sets, predefined types, IsExternal, aggregates,
Dutch and German material names, and input that must be refused."""

from __future__ import annotations

import math

import pytest

from urbanmine.engine.ifc import IfcImportError, assess_plausibility, read_ifc

from .ifc_models import ModelBuilder

CONCRETE = 2400.0  # data/ifc_materials.csv, EN 1991-1-1 Table A.1


def lots_by(draft, *, ifc_type=None):
    return {
        (lot.product_group, lot.material): lot
        for lot in draft.lots
        if ifc_type is None or lot.ifc_type == ifc_type
    }


def one(draft, **kw):
    (lot,) = [lot for lot in draft.lots if all(getattr(lot, k) == v for k, v in kw.items())]
    return lot


# ------------------------------------------------------------------------ units
@pytest.mark.parametrize("geometry", [False, True])
def test_millimetres_without_area_and_volume_units(tmp_path, geometry):
    """A model that declares only millimetres has its volumes in mm3 and areas in mm2."""
    m = ModelBuilder(length="MILLIMETRE")
    m.box(
        "IfcWall",
        (5000, 300, 3000),
        name="W1",
        material="Beton C20/25",
        quantities={"NetVolume": 5000 * 300 * 3000, "NetSideArea": 5000 * 3000, "Length": 5000},
    )
    draft = read_ifc(m.write(tmp_path / "mm.ifc"), geometry=geometry)
    assert draft.units["volume_m3"] == pytest.approx(1e-9)
    assert draft.units["origin"]["VOLUMEUNIT"] == "derived from the length unit"
    wall = one(draft, ifc_type="IfcWall")
    assert wall.volume_m3 == pytest.approx(4.5)
    assert wall.area_m2 == pytest.approx(15.0)
    assert wall.product_group == "concrete-granulate" and wall.unit == "t"
    assert wall.mass_kg == pytest.approx(4.5 * CONCRETE)
    assert wall.quantity == pytest.approx(4.5 * CONCRETE / 1000)
    assert wall.quantity_source == "volume"
    assert not draft.warnings or all("differs" not in w for w in draft.warnings)


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4X3"])
def test_other_schemas(tmp_path, schema):
    m = ModelBuilder(schema=schema, length="MILLIMETRE")
    m.box("IfcWall", (5000, 300, 3000), material="Beton", quantities={"NetVolume": 4.5e9})
    m.box("IfcSlab", (5000, 4000, 200), at=(0, 0, 3000), predefined="ROOF", material="Beton")
    draft = read_ifc(m.write(tmp_path / f"{schema}.ifc"))
    assert draft.schema == schema
    assert one(draft, ifc_type="IfcWall").mass_kg == pytest.approx(4.5 * CONCRETE)
    assert one(draft, ifc_type="IfcSlab").mass_kg == pytest.approx(4.0 * CONCRETE)


def test_feet(tmp_path):
    """Imperial lengths (a conversion-based FOOT): volumes in ft3, areas in ft2."""
    m = ModelBuilder(length="FOOT")
    m.box(
        "IfcSlab",
        (20, 10, 1),
        predefined="FLOOR",
        material="Concrete",
        quantities={"NetVolume": 200.0, "NetArea": 200.0},
    )
    m.box("IfcBeam", (12, 1, 1), material="Steel S355")  # geometry only
    draft = read_ifc(m.write(tmp_path / "ft.ifc"))
    ft = 0.3048
    assert draft.units["length_m"] == pytest.approx(ft)
    slab = one(draft, ifc_type="IfcSlab")
    assert slab.volume_m3 == pytest.approx(200 * ft**3)  # 5.66 m3
    assert slab.area_m2 == pytest.approx(200 * ft**2)
    assert slab.mass_kg == pytest.approx(200 * ft**3 * CONCRETE)
    beam = one(draft, ifc_type="IfcBeam")
    assert beam.quantity_source == "geometry" and beam.unit == "m"
    assert beam.quantity == pytest.approx(12 * ft, rel=1e-6)  # length from the geometry
    assert beam.mass_kg == pytest.approx(12 * ft**3 * 7850, rel=1e-6)


def test_times_1000_exporter_bug_is_caught_by_the_geometry(tmp_path):
    m = ModelBuilder()
    m.box(
        "IfcSlab",
        (10, 8, 0.25),
        name="Vloer begane grond",
        predefined="FLOOR",
        material="Gewapend beton",
        quantities={"NetVolume": 20_000.0},  # the geometry says 20 m3
    )
    draft = read_ifc(m.write(tmp_path / "bug.ifc"))
    slab = one(draft, ifc_type="IfcSlab")
    assert slab.volume_m3 == pytest.approx(20.0)
    assert slab.mass_kg == pytest.approx(20.0 * 2500)  # reinforced concrete
    assert slab.quantity_source == "geometry" and "crosscheck" in slab.flags
    (warning,) = [w for w in draft.warnings if "differs" in w]
    assert "Vloer begane grond" in warning and "IfcSlab" in warning


def test_one_cubic_foot_placeholder_without_geometry_uses_area_x_layers(tmp_path):
    """Walls exported as 1 ft3 each: with the geometry off, area x layer thickness wins."""
    m = ModelBuilder()
    m.box(
        "IfcWall",
        (10, 0.3, 3),
        name="Gevel",
        layers=[("Concrete", 0.3)],
        quantities={"NetVolume": 0.0283168, "NetSideArea": 30.0},
    )
    draft = read_ifc(m.write(tmp_path / "ft3.ifc"), geometry=False)
    wall = one(draft, ifc_type="IfcWall")
    assert wall.volume_m3 == pytest.approx(9.0)
    assert any("Gevel" in w and "area x layer thickness" in w for w in draft.warnings)


def test_weights_come_first_and_are_checked(tmp_path):
    m = ModelBuilder()
    m.box("IfcBeam", (6, 0.2, 0.3), material="Steel", quantities={"NetWeight": 2800.0})
    m.box("IfcColumn", (0.3, 0.3, 3), material="Steel", quantities={"NetWeight": 2.1})
    draft = read_ifc(m.write(tmp_path / "w.ifc"))
    beam = one(draft, ifc_type="IfcBeam")
    assert beam.quantity_source == "weight" and beam.mass_kg == pytest.approx(2800.0)
    column = one(draft, ifc_type="IfcColumn")  # 2.1 kg for 0.27 m3 of steel: refused
    assert column.quantity_source == "geometry"
    assert column.mass_kg == pytest.approx(0.27 * 7850)
    assert any("weight" in w and "IfcColumn" in w for w in draft.warnings)


# ------------------------------------------------------------------------ mapping
def test_roof_slab_and_floor_slab(tmp_path):
    m = ModelBuilder()
    m.box("IfcSlab", (8, 6, 0.2), predefined="ROOF", material="Timber")
    m.box("IfcSlab", (8, 6, 0.2), at=(0, 0, 3), predefined="FLOOR", material="Timber")
    draft = read_ifc(m.write(tmp_path / "slabs.ifc"))
    groups = {lot.product_group for lot in draft.lots}
    assert groups == {"timber-beams", "timber-flooring"}
    floor = one(draft, product_group="timber-flooring")
    assert floor.unit == "m2" and floor.quantity == pytest.approx(48.0)


def test_external_and_internal_doors(tmp_path):
    m = ModelBuilder()
    m.box("IfcDoor", (1, 0.05, 2.1), is_external=True, material="Hout")
    m.box("IfcDoor", (0.9, 0.04, 2.1), is_external=False, material="Hout")
    m.box("IfcDoor", (0.9, 0.04, 2.1), material="Hout")  # not said: interior
    draft = read_ifc(m.write(tmp_path / "doors.ifc"))
    assert one(draft, product_group="doors-exterior").quantity == 1
    interior = one(draft, product_group="doors-interior")
    assert interior.quantity == 2 and interior.unit == "piece"
    assert interior.mass_kg == pytest.approx(2 * 0.9 * 0.04 * 2.1 * 500)


def test_cavity_wall_yields_a_lot_per_layer(tmp_path):
    """brick 100 + air 50 + mineral wool 100 + calcium silicate 100 mm, 10 x 3 m."""
    m = ModelBuilder()
    m.box(
        "IfcWallStandardCase",
        (10, 0.35, 3),
        is_external=True,
        layers=[
            ("Baksteen", 0.1),
            ("Luchtspouw", 0.05),
            ("Minerale wol", 0.1),
            ("Kalkzandsteen", 0.1),
        ],
    )
    draft = read_ifc(m.write(tmp_path / "cavity.ifc"))
    lots = lots_by(draft, ifc_type="IfcWallStandardCase")
    assert set(lots) == {
        ("bricks-clay", "Baksteen"),
        ("mineral-wool", "Minerale wol"),
        ("concrete-granulate", "Kalkzandsteen"),
    }  # the air layer weighs nothing and makes no lot
    brick = lots[("bricks-clay", "Baksteen")]
    assert brick.volume_m3 == pytest.approx(3.0) and brick.mass_kg == pytest.approx(3.0 * 1900)
    assert brick.unit == "piece" and brick.quantity == round(3.0 * 1900 / 2.1)
    wool = lots[("mineral-wool", "Minerale wol")]
    assert wool.unit == "m2" and wool.quantity == pytest.approx(30.0)
    assert lots[("concrete-granulate", "Kalkzandsteen")].mass_kg == pytest.approx(3.0 * 1900)
    group = next(e for e in draft.elements if e.ifc_type == "IfcWallStandardCase")
    assert group.count == 1 and group.product_group in {"bricks-clay", "concrete-granulate"}


def test_window_glass_is_a_lot_of_its_own(tmp_path):
    """A window drawn as a timber frame and a transparent pane: the frame is the piece, the
    glass (named by its style, or found by its transparency) is glazing in m2."""
    m = ModelBuilder()
    frame = ("Vuren kozijn", (1.2, 0.1, 0.1), (0.0, 0.0, 0.0), 0.0)
    m.styled("IfcWindow", [frame, ("Glas", (1.0, 0.02, 1.0), (0.1, 0.04, 0.1), 0.0)])
    m.styled(
        "IfcWindow",
        [frame, ("Style 7", (1.0, 0.02, 1.0), (0.1, 0.04, 0.1), 0.9)],
        material="Hout",
        at=(5, 0, 0),
    )
    draft = read_ifc(m.write(tmp_path / "window.ifc"))
    glass = one(draft, product_group="glazing-double", material="Glas")
    assert glass.mass_kg == pytest.approx(0.02 * 2500) and glass.unit == "m2"
    assert glass.quantity == pytest.approx(1.0 + 2 * 0.02, rel=0.01)  # half of its faces
    transparent = one(draft, product_group="glazing-double", material="Style 7")
    assert transparent.mass_kg == pytest.approx(0.02 * 2500)
    framed = one(draft, product_group="window-frames-timber", material="Hout")
    assert framed.quantity == 1 and framed.mass_kg == pytest.approx(0.012 * 500)


def test_aggregate_counted_once(tmp_path):
    """A roof made of two slabs: the slabs carry the mass, the roof is counted (contract)
    but not weighed again. A window made of a frame and a pane: the window is the piece."""
    m = ModelBuilder()
    roof = m.box("IfcRoof", (10, 8, 0.5), material="Concrete")  # a container with a body
    parts = [
        m.box("IfcSlab", (10, 4, 0.2), predefined="ROOF", material="Concrete", contained=False),
        m.box("IfcSlab", (10, 4, 0.2), at=(0, 4, 0), predefined="ROOF", contained=False),
    ]
    m.aggregate(roof, parts)
    window = m.box("IfcWindow", (1.2, 0.1, 1.5), geometry=False)
    pane = m.box("IfcPlate", (1.1, 0.01, 1.4), material="Glass", contained=False)
    m.aggregate(window, [pane])
    draft = read_ifc(m.write(tmp_path / "agg.ifc"))
    counts = {e.ifc_type: e.count for e in draft.elements}
    assert counts == {"IfcRoof": 1, "IfcSlab": 2, "IfcWindow": 1, "IfcPlate": 1}
    assert {lot.ifc_type for lot in draft.lots} == {"IfcSlab", "IfcWindow"}
    slabs = one(draft, ifc_type="IfcSlab")  # the second part takes the roof's material
    assert slabs.element_count == 2 and slabs.mass_kg == pytest.approx(16.0 * CONCRETE)
    assert one(draft, ifc_type="IfcWindow").quantity == 1


@pytest.mark.parametrize(
    ("name", "group", "density"),
    [
        ("Metselwerk baksteen", "bricks-clay", 1900),
        ("Kalkzandsteen lijmblokken", "concrete-granulate", 1900),
        ("Stahlbeton C30/37", "concrete-granulate", 2500),
        ("Mauerwerk Ziegel", "bricks-clay", 1900),
        ("Béton armé", "concrete-granulate", 2500),
        ("Железобетон", "concrete-granulate", 2500),
    ],
)
def test_dutch_german_french_and_russian_material_names(tmp_path, name, group, density):
    m = ModelBuilder()
    m.box("IfcWall", (5, 0.2, 3), material=name)
    lot = one(read_ifc(m.write(tmp_path / "n.ifc")), ifc_type="IfcWall")
    assert lot.product_group == group
    assert lot.mass_kg == pytest.approx(3.0 * density)


def test_material_category_and_unknowns(tmp_path):
    m = ModelBuilder()
    m.box("IfcBeam", (4, 0.2, 0.2), material="HEA 200", category="Steel")
    m.box("IfcBeam", (4, 0.1, 0.02), at=(0, 1, 0), material="Neoprene bearing pad")
    m.box("IfcWall", (4, 0.2, 3), at=(0, 2, 0), material="Material 17")
    draft = read_ifc(m.write(tmp_path / "cat.ifc"))
    assert one(draft, material="HEA 200").product_group == "steel-beams"
    assert one(draft, material="Neoprene bearing pad").product_group is None  # not steel
    unknown = one(draft, material="Material 17")
    assert unknown.product_group is None and "Material 17" in unknown.note
    assert unknown.volume_m3 == pytest.approx(2.4)


def test_geometry_can_be_switched_off(tmp_path):
    m = ModelBuilder()
    m.box("IfcWall", (5, 0.2, 3), material="Concrete")
    draft = read_ifc(m.write(tmp_path / "g.ifc"), geometry=False)
    wall = one(draft, ifc_type="IfcWall")
    assert draft.geometry == "off" and wall.quantity_source == "typical"
    assert wall.mass_kg == pytest.approx(1000.0)  # one tonne: the catalogue's unit
    draft = read_ifc(tmp_path / "g.ifc", geometry_max_elements=0)
    assert draft.geometry.startswith("skipped") and "geometry skipped" in draft.warnings[0]


def test_plausibility_of_the_total(tmp_path):
    m = ModelBuilder()
    m.box("IfcSlab", (10, 10, 0.25), predefined="FLOOR", material="Concrete")
    path = m.write(tmp_path / "p.ifc")
    draft = read_ifc(path)
    assert draft.plausibility["status"] == "unknown"  # no use type
    assess_plausibility(draft, use_type="house", floor_area_m2=100)
    assert draft.plausibility["status"] == "ok"  # 600 kg/m2
    assess_plausibility(draft, use_type="house", floor_area_m2=5)
    assert draft.plausibility["status"] == "high"
    assert "outside the plausible range" in draft.warnings[0]
    assert "intensity" in draft.lots[0].flags
    assess_plausibility(draft, use_type="house", floor_area_m2=100)  # judged again
    assert not any("outside" in w for w in draft.warnings) and not draft.lots[0].flags


# ------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("schema", ["IFC2X_FINAL", "IFC2X2_FINAL", "IFC1.5.1"])
def test_schema_older_than_ifc2x3(tmp_path, schema):
    path = tmp_path / "old.ifc"
    path.write_text(
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\n"
        "FILE_NAME('old.ifc','2001-01-01T00:00:00',(''),(''),'','','');\n"
        f"FILE_SCHEMA(('{schema}'));\nENDSEC;\nDATA;\n"
        "#1=IFCPERSON($,$,'x',$,$,$,$,$);\nENDSEC;\nEND-ISO-10303-21;\n"
    )
    with pytest.raises(IfcImportError, match="not supported"):
        read_ifc(path)


def test_truncated_file(tmp_path):
    m = ModelBuilder()
    m.box("IfcWall", (5, 0.2, 3), material="Concrete")
    full = m.write(tmp_path / "full.ifc").read_bytes()
    cut = tmp_path / "cut.ifc"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(IfcImportError, match="truncated"):
        read_ifc(cut)


def test_model_without_units(tmp_path):
    m = ModelBuilder(length=None)
    m.box("IfcWall", (5, 0.2, 3), material="Concrete")
    with pytest.raises(IfcImportError, match="no length unit"):
        read_ifc(m.write(tmp_path / "nounits.ifc"))


def test_units_scale_helpers():
    from urbanmine.engine.ifc_units import SI_PREFIX

    assert math.isclose(SI_PREFIX["MILLI"] ** 3, 1e-9)


# ------------------------------------------------------------------------ tables
def test_material_table_cites_every_density():
    import csv

    from urbanmine.engine.ifc import CATALOGUE_CSV
    from urbanmine.engine.ifc_materials import load_material_classes

    with open(CATALOGUE_CSV, encoding="utf-8", newline="") as fh:
        materials = {row["material"] for row in csv.DictReader(fh)}
    classes = load_material_classes()
    assert len({c.name for c in classes}) == len(classes)
    for c in classes:
        assert c.keywords and c.density_kg_m3 >= 0 and c.basis, c.name
        assert c.basis == "estimate" or c.basis.startswith("EN 1991-1-1"), c.name
        assert c.catalogue_material in materials or c.name == "air", c.name


def test_mapping_keywords_that_name_a_class_exist():
    from urbanmine.engine.ifc import load_ifc_mapping
    from urbanmine.engine.ifc_materials import load_material_classes

    names = {c.name for c in load_material_classes()}
    rules, _ = load_ifc_mapping()
    for r in rules:
        for k in r.keywords:
            if "_" in k:  # class names have underscores; plain words match material names
                assert k in names, (r.line, k)
