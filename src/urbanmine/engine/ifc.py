"""A draft material passport from an IFC model: elements counted per IFC entity type (the
`import-ifc` contract), and proposed lots that hold the building's mass.

Pure Python + ifcopenshell (no Django).

Counting follows the `import-ifc` contract: instances of IfcElement except
IfcFeatureElement subtypes (openings, projections), per entity type as the file names them
(`element.is_a()`, so IfcWall and IfcWallStandardCase stay apart).

Quantities, per element, in order of trust (the lot records which one gave its mass):

1. `weight`: the element's own NetWeight/GrossWeight (quantity sets);
2. `volume`: its NetVolume/GrossVolume x the density of its material;
3. `geometry`: the volume of its solid from ifcopenshell's geometry kernel x density
   (`ifc_geometry`; optional: `geometry=False` for very large models);
4. `typical`: the product group's typical mass from the catalogue, labelled as such.

An element with an `IfcMaterialLayerSet` is split into its layers (a cavity wall is brick +
insulation + concrete block, not one material): each layer takes the share of the volume
its thickness has; air layers weigh nothing. The quantity set is cross-checked against the
geometry (or against area x layer thickness): when they differ by more than
`CROSSCHECK_FACTOR` (exporter bugs such as a x1000 volume or a 1 ft3 placeholder), the
geometry wins and a warning names the element. Units come from `ifc_units` (SI prefixes,
imperial units, area and volume units derived from the length unit).

Mapping (`data/ifc_mapping.csv`: ifc_type, predefined_type, is_external, material_keyword,
product_group, note): a rule for a type also covers its subtypes unless a rule names the
subtype itself. Keywords are alternatives separated by "|", matched as substrings of the
folded material name or as the name of its material class (`ifc_materials`: brick,
concrete_block, steel, ...). Of the rules whose predefined type (`IfcSlab` ROOF vs FLOOR),
`IsExternal` (from the element's Pset_*Common) and keyword all hold, the most specific wins
(keyword, then predefined type, then IsExternal), then the first in the file. Unknown
materials stay unmapped, named, for the inventoriser to assign.

No double counting (`IfcRelAggregates`): a container's parts carry the mass and the
container is left out (roofs, stairs, curtain walls, element assemblies), except for a door
or window, which is the piece that is reused: it is counted and its parts (panels, frames,
glass) are left out. A part without a material of its own takes its container's.
Fixings (IfcFastener, IfcMechanicalFastener, IfcDiscreteAccessory) and virtual elements
carry no mass of their own in a passport and are left out of the lots (still counted).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ifc_geometry import GeometryResult, element_volumes
from .ifc_materials import MaterialClass, class_by_name, classify, fold
from .ifc_units import UnitError, UnitScales, model_unit_scales

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MAPPING_CSV = DATA_DIR / "ifc_mapping.csv"
CATALOGUE_CSV = DATA_DIR / "catalogue.csv"
INTENSITY_CSV = DATA_DIR / "material_intensity_nl.csv"
MAPPING_COLUMNS = (
    "ifc_type",
    "predefined_type",
    "is_external",
    "material_keyword",
    "product_group",
    "note",
)
#: Schemas read; older ones (IFC2X, IFC2X2) are refused.
SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X1", "IFC4X2", "IFC4X3")

#: Standard quantity names per kind, in order of preference (net before gross).
QUANTITY_NAMES: dict[str, tuple[str, ...]] = {
    "volume_m3": ("NetVolume", "GrossVolume", "Volume"),
    "area_m2": ("NetArea", "NetSideArea", "GrossArea", "GrossSideArea", "Area"),
    "length_m": ("Length",),
    "weight_kg": ("NetWeight", "GrossWeight", "Weight"),
}
_QUANTITY_ATTR = {
    "IfcQuantityVolume": ("volume_m3", "VolumeValue"),
    "IfcQuantityArea": ("area_m2", "AreaValue"),
    "IfcQuantityLength": ("length_m", "LengthValue"),
    "IfcQuantityWeight": ("weight_kg", "WeightValue"),
}
NO_QUANTITIES_NOTE = (
    "no quantity sets in the model: counted only (geometry-free; measure or estimate "
    "volumes from drawings or layer thickness x area)"
)
#: The quantity set and the geometry may differ by this factor before the geometry wins.
CROSSCHECK_FACTOR = 5.0
#: A weight may differ from volume x density by this factor before volume x density wins
#: (densities of one material class vary by less than a factor 2).
WEIGHT_CHECK_FACTOR = 5.0
#: Densities outside this band (kg/m3) are flagged as extreme.
DENSITY_BAND_KG_M3 = (10.0, 12_000.0)
QUANTITY_SOURCES = ("weight", "volume", "geometry", "typical")
#: Entity types whose one element is one piece of the product group (counted in pieces).
PIECE_TYPES = (
    "IfcDoor",
    "IfcDoorStandardCase",
    "IfcWindow",
    "IfcWindowStandardCase",
    "IfcSanitaryTerminal",
    "IfcFlowTerminal",
    "IfcSpaceHeater",
    "IfcLightFixture",
    "IfcLamp",
    "IfcUnitaryEquipment",
    "IfcSolarDevice",
    "IfcFurnishingElement",
    "IfcDistributionElement",
)
#: Entity types whose geometry's longest side is their length (beams, columns, piles).
LINEAR_TYPES = ("IfcBeam", "IfcColumn", "IfcMember", "IfcPile", "IfcRailing")
#: Containers that are themselves the reused piece: counted, their parts left out.
PIECE_CONTAINERS = ("IfcDoor", "IfcWindow")
#: Entity types left out of the lots (still counted): fixings and virtual elements.
MASSLESS_TYPES = (
    "IfcVirtualElement",
    "IfcFastener",
    "IfcMechanicalFastener",
    "IfcDiscreteAccessory",
)
#: Catalogue material -> the material class whose density is assumed when the model names
#: no material (only for bulk elements mapped by their type, such as footings).
DEFAULT_CLASS = {
    "concrete": "concrete",
    "brick": "brick",
    "steel": "steel",
    "wood": "timber",
    "glass": "glass",
    "aluminum": "aluminium",
    "natural_stone": "natural_stone",
    "ceramics": "ceramic_tile",
    "plaster_board_gypsum": "plasterboard",
    "mineral_wool": "glass_wool",
    "plastics": "foam_insulation",
    "bitumen": "bitumen",
    "aggregates": "mortar",
}
#: Material-intensity table materials that the catalogue's materials are compared with.
INTENSITY_MATERIAL = {
    "concrete": "concrete",
    "brick": "brick",
    "steel": "steel",
    "wood": "wood",
    "glass": "glass",
    "aluminum": "aluminum",
    "plaster_board_gypsum": "plaster_board_gypsum",
    "plastics": "plastics",
    "mortar_plaster": "mortar_plaster",
    "aggregates": "aggregates",
}
#: A lot's material per m2 of floor area above this multiple of the table's highest value
#: for the use type is flagged; a building total outside [low, high] x the table's range.
LOT_INTENSITY_FACTOR = 3.0
TOTAL_RANGE_FACTORS = (0.4, 2.5)


class IfcImportError(Exception):
    """The file cannot be read as an IFC model (or the mapping table is broken)."""


@dataclass(frozen=True, slots=True)
class IfcMappingRule:
    ifc_type: str
    keywords: tuple[str, ...]  # folded; empty = default for the type
    product_group: str
    note: str = ""
    line: int = 0
    predefined_type: str = ""  # upper case; empty = any
    is_external: bool | None = None  # None = either

    def specificity(self) -> tuple[bool, bool, bool]:
        return (bool(self.keywords), bool(self.predefined_type), self.is_external is not None)


@dataclass(frozen=True, slots=True)
class ProductGroupInfo:
    """What the engine needs of a catalogue product group."""

    code: str
    unit: str  # piece, m, m2, m3, t
    typical_mass_kg_per_unit: float
    material: str


def load_catalogue(path: str | os.PathLike[str] | None = None) -> dict[str, ProductGroupInfo]:
    """The bundled catalogue's product groups (unit, typical mass, material)."""
    p = Path(path) if path is not None else CATALOGUE_CSV
    with open(p, encoding="utf-8-sig", newline="") as fh:
        return {
            row["code"]: ProductGroupInfo(
                row["code"],
                row["unit"],
                float(row["typical_mass_kg_per_unit"]),
                row["material"],
            )
            for row in csv.DictReader(fh)
        }


@dataclass
class IfcLot:
    """A proposed lot: the elements of one IFC type whose parts map to one product group
    and one material, with their mass and their quantity in the group's unit."""

    ifc_type: str
    product_group: str | None
    material: str  # the model's material name ("" when it names none)
    material_class: str | None
    catalogue_material: str | None
    unit: str | None = None
    quantity: float | None = None
    mass_kg: float = 0.0
    element_count: int = 0
    volume_m3: float = 0.0
    area_m2: float = 0.0
    length_m: float = 0.0
    #: source -> mass (kg) it gave
    source_mass_kg: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    note: str = ""
    elements: list[str] = field(default_factory=list)  # GlobalIds (the first 50)
    #: the quantity in the group's unit was estimated from the mass (area, length, pieces)
    quantity_from_mass: bool = False

    @property
    def key(self) -> str:
        return f"{self.ifc_type}|{self.product_group or ''}|{self.material}"

    @property
    def quantity_source(self) -> str:
        """The source that gave most of the lot's mass (weight, volume, geometry, typical);
        "" for an unmapped lot that has no mass yet."""
        weighed = {k: v for k, v in self.source_mass_kg.items() if v > 0}
        if not weighed:
            return "typical" if self.product_group else ""
        return max(weighed.items(), key=lambda kv: (kv[1], -_SRC_RANK[kv[0]]))[0]

    @property
    def mass_kg_per_unit(self) -> float | None:
        if not self.quantity:
            return None
        return self.mass_kg / self.quantity

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "ifc_type": self.ifc_type,
            "product_group": self.product_group,
            "material": self.material,
            "material_class": self.material_class,
            "catalogue_material": self.catalogue_material,
            "quantity": None if self.quantity is None else round(self.quantity, 3),
            "unit": self.unit,
            "mass_kg": round(self.mass_kg, 3),
            "quantity_source": self.quantity_source,
            "source_mass_kg": {k: round(v, 3) for k, v in self.source_mass_kg.items()},
            "element_count": self.element_count,
            "volume_m3": round(self.volume_m3, 6),
            "area_m2": round(self.area_m2, 6),
            "length_m": round(self.length_m, 6),
            "flags": self.flags,
            "note": self.note,
        }


_SRC_RANK = {s: i for i, s in enumerate(QUANTITY_SOURCES)}


@dataclass
class IfcElementGroup:
    """All elements of one IFC entity type."""

    ifc_type: str
    count: int
    #: the product group of most elements of this type (None: nothing mapped)
    product_group: str | None = None
    #: product group -> number of elements (None = unmapped), when materials differ
    product_groups: dict[str | None, int] = field(default_factory=dict)
    #: material names, most frequent first
    materials: list[str] = field(default_factory=list)
    #: summed take-off quantities in SI units (only kinds present in the model)
    quantities: dict[str, float] = field(default_factory=dict)
    elements_with_quantities: int = 0
    note: str = ""
    #: mass of the type's elements in the proposed lots (kg; containers and fixings: 0)
    lot_mass_kg: float = 0.0
    #: elements left out of the lots (containers whose parts are counted, fixings)
    left_out: int = 0

    @property
    def mass_kg(self) -> float | None:
        """Mass from weight quantities, when every element carried one."""
        w = self.quantities.get("weight_kg")
        return w if w is not None and self.elements_with_quantities == self.count else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ifc_type": self.ifc_type,
            "count": self.count,
            "product_group": self.product_group,
            "product_groups": [
                {"product_group": pg, "count": n} for pg, n in self.product_groups.items()
            ],
            "materials": self.materials,
            "quantities": {k: round(v, 6) for k, v in self.quantities.items()},
            "elements_with_quantities": self.elements_with_quantities,
            "mass_kg": None if self.mass_kg is None else round(self.mass_kg, 3),
            "lot_mass_kg": round(self.lot_mass_kg, 3),
            "left_out": self.left_out,
            "note": self.note,
        }


@dataclass
class IfcDraft:
    """The draft passport: one entry per IFC entity type, sorted by type name, and the
    proposed lots (mapped first, heaviest first)."""

    source_name: str
    schema: str
    elements: list[IfcElementGroup]
    warnings: list[str] = field(default_factory=list)
    lots: list[IfcLot] = field(default_factory=list)
    units: dict[str, Any] = field(default_factory=dict)
    geometry: str = "off"  # "used", "off", "skipped (N elements)", "failed"
    floor_area_m2: float | None = None
    floor_area_source: str = ""
    plausibility: dict[str, Any] = field(default_factory=dict)

    @property
    def total_count(self) -> int:
        return sum(e.count for e in self.elements)

    @property
    def mapped_mass_kg(self) -> float:
        return sum(lot.mass_kg for lot in self.lots if lot.product_group)

    def mass_by_material_kg(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for lot in self.lots:
            if lot.product_group and lot.catalogue_material:
                out[lot.catalogue_material] += lot.mass_kg
        return dict(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_name,
            "schema": self.schema,
            "elements": [e.to_dict() for e in self.elements],
            "total_count": self.total_count,
            "warnings": self.warnings,
            "proposed_lots": [lot.to_dict() for lot in self.lots],
            "mass_kg": round(self.mapped_mass_kg, 3),
            "mass_by_material_kg": {
                k: round(v, 3) for k, v in sorted(self.mass_by_material_kg().items())
            },
            "units": self.units,
            "geometry": self.geometry,
            "floor_area_m2": None if self.floor_area_m2 is None else round(self.floor_area_m2, 2),
            "floor_area_source": self.floor_area_source,
            "plausibility": self.plausibility,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _fold(text: str) -> str:
    return fold(text)


def _parse_external(text: str) -> bool | None:
    t = text.strip().lower()
    if t in ("true", "yes", "ja", "1", "external", "extern"):
        return True
    if t in ("false", "no", "nee", "0", "internal", "intern"):
        return False
    return None


def load_ifc_mapping(
    path: str | os.PathLike[str] | None = None,
    known_product_groups: Collection[str] | None = None,
) -> tuple[list[IfcMappingRule], list[str]]:
    """Read the mapping table; returns (rules, warnings). Rules naming a product group not
    in `known_product_groups` (when given) are dropped with a warning, so a stale user
    edit cannot create lots of a group that does not exist. The columns predefined_type and
    is_external are optional (older tables have only ifc_type, material_keyword,
    product_group, note)."""
    p = Path(path) if path is not None else MAPPING_CSV
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise IfcImportError(f"cannot read the IFC mapping table {p}: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("ifc_type", "product_group") if c not in (reader.fieldnames or [])]
    if missing:
        raise IfcImportError(f"IFC mapping table {p}: missing column(s) {', '.join(missing)}")
    rules: list[IfcMappingRule] = []
    warnings: list[str] = []
    for line, row in enumerate(reader, start=2):
        ifc_type = (row.get("ifc_type") or "").strip()
        code = (row.get("product_group") or "").strip()
        if not ifc_type or not code:
            continue
        if known_product_groups is not None and code not in known_product_groups:
            warnings.append(f"IFC mapping line {line}: unknown product group {code!r} ignored")
            continue
        kw = tuple(
            _fold(k.strip()) for k in (row.get("material_keyword") or "").split("|") if k.strip()
        )
        rules.append(
            IfcMappingRule(
                ifc_type,
                kw,
                code,
                (row.get("note") or "").strip(),
                line,
                predefined_type=(row.get("predefined_type") or "").strip().upper(),
                is_external=_parse_external(row.get("is_external") or ""),
            )
        )
    return rules, warnings


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    except OSError as exc:
        raise IfcImportError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not head.strip():
        raise IfcImportError(f"{path.name} is empty, not an IFC model")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"PK\x03\x04"):
        raise IfcImportError(
            f"{path.name} is a ZIP archive (ifcZIP?): unpack it and import the .ifc file"
        )
    if start.startswith(b"<"):
        raise IfcImportError(f"{path.name} is XML (ifcXML?): export the model as IFC-SPF (.ifc)")
    if not start.startswith(b"ISO-10303-21"):
        shown = start[:40].decode("utf-8", "replace").splitlines()[0] if start else ""
        raise IfcImportError(
            f"{path.name} is not an IFC file: an IFC (STEP) file starts with "
            f"'ISO-10303-21;', this one with {shown!r}"
        )
    if b"END-ISO-10303-21" not in tail:
        raise IfcImportError(
            f"{path.name} is truncated: an IFC (STEP) file ends with 'END-ISO-10303-21;' "
            "(upload or export it again)"
        )


# ------------------------------------------------------------------------ materials
@dataclass(frozen=True, slots=True)
class _Part:
    """One material of an element and the share of its volume it takes."""

    name: str
    cls: MaterialClass | None
    fraction: float  # of the element's volume
    thickness_m: float | None = None  # layer thickness (layer sets)
    density_kg_m3: float | None = None  # from the model's Pset_MaterialCommon


def _model_density(material: Any) -> float | None:
    """Pset_MaterialCommon.MassDensity when the model gives a plausible one (kg/m3)."""
    for props in getattr(material, "HasProperties", None) or ():
        if getattr(props, "Name", "") != "Pset_MaterialCommon":
            continue
        for prop in props.Properties or ():
            if prop.Name == "MassDensity" and prop.NominalValue is not None:
                value = prop.NominalValue.wrappedValue
                if isinstance(value, int | float) and 100 <= value <= 20_000:
                    return float(value)
    return None


def _part(material: Any, fraction: float, thickness: float | None = None) -> _Part:
    name = str(getattr(material, "Name", None) or "") if material is not None else ""
    category = getattr(material, "Category", None) if material is not None else None
    cls = classify(name, category) if material is not None else None
    density = _model_density(material) if material is not None else None
    return _Part(name, cls, fraction, thickness, density)


def _layer_parts(mat: Any, length_scale: float) -> list[_Part]:
    layers = [
        (layer.Material, float(layer.LayerThickness or 0.0)) for layer in mat.MaterialLayers or ()
    ]
    total = sum(t for _, t in layers)
    if total <= 0:
        return _equal_parts([m for m, _ in layers])
    return [_part(m, t / total, t * length_scale) for m, t in layers if t > 0]


def _constituent_parts(mat: Any, _length_scale: float) -> list[_Part]:
    cons = list(mat.MaterialConstituents or ())
    fractions = [
        f if isinstance(f := getattr(c, "Fraction", None), int | float) else 0.0 for c in cons
    ]
    if cons and all(f > 0 for f in fractions):
        total = float(sum(fractions))
        return [_part(c.Material, float(f) / total) for c, f in zip(cons, fractions, strict=True)]
    return _equal_parts([c.Material for c in cons])


def _equal_parts(materials: list[Any]) -> list[_Part]:
    return [_part(m, 1.0 / len(materials)) for m in materials] if materials else []


_SET_PARTS: dict[str, Callable[[Any, float], list[_Part]]] = {
    "IfcMaterial": lambda mat, _scale: [_part(mat, 1.0)],
    "IfcMaterialLayerSet": _layer_parts,
    "IfcMaterialConstituentSet": _constituent_parts,
    "IfcMaterialProfileSet": lambda mat, _scale: _equal_parts(
        [p.Material for p in mat.MaterialProfiles or ()]
    ),
    "IfcMaterialList": lambda mat, _scale: _equal_parts(list(mat.Materials or ())),
}


def _material_parts(mat: Any, length_scale: float) -> list[_Part]:
    """The materials of an element's material definition with their share of its volume
    (layers by thickness; constituents by fraction; otherwise equal shares)."""
    if mat is None:
        return []
    split = _SET_PARTS.get(mat.is_a())
    if split is not None:
        return split(mat, length_scale)
    return [_part(mat, 1.0)] if getattr(mat, "Name", None) else []


def _material_names(element: Any) -> list[str]:
    import ifcopenshell.util.element as ue

    mat: Any = ue.get_material(element, should_skip_usage=True)
    return [p.name for p in _material_parts(mat, 1.0) if p.name]


# ------------------------------------------------------------------------ quantities
def _quantities(element: Any, scales: UnitScales) -> dict[str, float]:
    """The element's take-off quantities in SI units: standard sets (Qto_*, BaseQuantities)
    first, vendor sets after; a quantity's own unit wins over the project's."""
    from .ifc_units import unit_scale

    sets: list[tuple[int, Any]] = []
    for rel in getattr(element, "IsDefinedBy", None) or ():
        if not rel.is_a("IfcRelDefinesByProperties"):
            continue
        pdef = rel.RelatingPropertyDefinition
        if pdef is not None and pdef.is_a("IfcElementQuantity"):
            name = pdef.Name or ""
            rank = 0 if name.startswith("Qto_") else 1 if name == "BaseQuantities" else 2
            sets.append((rank, pdef))
    sets.sort(key=lambda rs: rs[0])
    found: dict[str, dict[str, float]] = {}
    for _, qset in sets:
        for q in qset.Quantities or ():
            spec = _QUANTITY_ATTR.get(q.is_a())
            if spec is None:
                continue
            kind, attr = spec
            value = getattr(q, attr, None)
            if not isinstance(value, int | float):
                continue
            own = unit_scale(q.Unit) if getattr(q, "Unit", None) is not None else None
            scale = own if own is not None else scales.for_quantity(kind)
            found.setdefault(kind, {}).setdefault(q.Name, float(value) * scale)
    out: dict[str, float] = {}
    for kind, names in QUANTITY_NAMES.items():
        for qname in names:
            if qname in found.get(kind, {}):
                out[kind] = found[kind][qname]
                break
    return out


def _is_external(element: Any) -> bool | None:
    import ifcopenshell.util.element as ue

    try:
        psets = ue.get_psets(element, psets_only=True)
    except Exception:
        return None
    for name, props in psets.items():
        if name.startswith("Pset_") and name.endswith("Common") and "IsExternal" in props:
            value = props["IsExternal"]
            if isinstance(value, bool):
                return value
    return None


def _predefined_type(element: Any) -> str:
    import ifcopenshell.util.element as ue

    try:
        value = ue.get_predefined_type(element)
    except Exception:
        value = getattr(element, "PredefinedType", None)
    return str(value or "").upper()


# ------------------------------------------------------------------------ mapping
class _Mapper:
    def __init__(self, rules: Iterable[IfcMappingRule], schema: Any) -> None:
        self.by_type: dict[str, list[IfcMappingRule]] = {}
        for r in rules:
            self.by_type.setdefault(r.ifc_type.lower(), []).append(r)
        self.schema = schema
        self.chain_cache: dict[str, list[IfcMappingRule]] = {}

    def rules_for(self, ifc_type: str) -> list[IfcMappingRule]:
        """Rules of the type itself, or else of its nearest supertype that has rules."""
        hit = self.chain_cache.get(ifc_type)
        if hit is not None:
            return hit
        found: list[IfcMappingRule] = []
        try:
            decl = self.schema.declaration_by_name(ifc_type)
        except Exception:
            decl = None
        names = [ifc_type]
        while decl is not None:
            decl = decl.supertype()
            if decl is not None:
                names.append(decl.name())
        for name in names:
            found = self.by_type.get(name.lower(), [])
            if found:
                break
        self.chain_cache[ifc_type] = found
        return found

    def map_part(
        self,
        ifc_type: str,
        material: str,
        cls: MaterialClass | None,
        predefined: str = "",
        external: bool | None = None,
    ) -> IfcMappingRule | None:
        """The most specific rule that holds for one material of an element."""
        folded = _fold(material) if material else ""
        best: IfcMappingRule | None = None
        for r in self.rules_for(ifc_type):
            if r.predefined_type and r.predefined_type != predefined:
                continue
            if r.is_external is not None and r.is_external is not external:
                continue
            if r.keywords and not any(
                (cls is not None and k == cls.name) or (folded and k in folded) for k in r.keywords
            ):
                continue
            if best is None or r.specificity() > best.specificity():
                best = r
        return best

    def map(self, ifc_type: str, materials: list[str]) -> IfcMappingRule | None:
        """The rule of the first material that has a keyword rule, else the default
        (the behaviour of the table's first version, for one-product-group callers)."""
        for name in materials:
            rule = self.map_part(ifc_type, name, classify(name))
            if rule is not None and rule.keywords:
                return rule
        return self.map_part(ifc_type, "", None)


# ------------------------------------------------------------------------ elements
@dataclass
class _Take:
    """One element's contribution to one proposed lot."""

    ifc_type: str
    product_group: str | None
    material: str
    cls: MaterialClass | None
    mass_kg: float
    source: str
    volume_m3: float = 0.0
    area_m2: float = 0.0
    length_m: float = 0.0
    note: str = ""
    flags: tuple[str, ...] = ()
    global_id: str = ""


def _label(element: Any) -> str:
    name = getattr(element, "Name", None)
    gid = getattr(element, "GlobalId", None)
    label = f"{element.is_a()} #{element.id()}"
    if name:
        label += f" '{name}'"
    if gid:
        label += f" ({gid})"
    return label


def _ratio_off(a: float, b: float, factor: float) -> bool:
    return a > 0 and b > 0 and (a / b > factor or b / a > factor)


class _Builder:
    def __init__(
        self,
        mapper: _Mapper,
        scales: UnitScales,
        geometry: GeometryResult | None,
        catalogue: Mapping[str, ProductGroupInfo],
    ) -> None:
        self.mapper = mapper
        self.scales = scales
        self.geometry = geometry
        self.catalogue = catalogue
        self.takes: list[_Take] = []
        self.warnings: list[str] = []

    def _density(self, part: _Part, group: str | None, bulk: bool) -> tuple[float | None, str]:
        if part.density_kg_m3 is not None:
            return part.density_kg_m3, "model"
        if part.cls is not None:
            return part.cls.density_kg_m3, part.cls.name
        info = self.catalogue.get(group or "")
        if bulk and info is not None and info.material in DEFAULT_CLASS:
            cls = class_by_name(DEFAULT_CLASS[info.material])
            if cls is not None:
                return cls.density_kg_m3, f"{cls.name} assumed"
        return None, ""

    def _volume(
        self, el: Any, label: str, q: dict[str, float], parts: list[_Part]
    ) -> tuple[float, str, bool]:
        """(volume m3, its source, replaced by the cross-check?): the quantity set,
        cross-checked with the geometry (or area x layer thickness), else the geometry."""
        geo = self.geometry.volumes_m3.get(el.id()) if self.geometry else None
        qvol = q.get("volume_m3") or 0.0
        if qvol <= 0:
            return (geo, "geometry", False) if geo else (0.0, "", False)
        thickness = sum(p.thickness_m for p in parts if p.thickness_m) or None
        area = q.get("area_m2")
        ref = geo or (area * thickness if area and thickness else None)
        if not ref or not _ratio_off(qvol, ref, CROSSCHECK_FACTOR):
            return qvol, "volume", False
        ref_name = "its geometry" if geo else "area x layer thickness"
        self.warnings.append(
            f"{label}: quantity-set volume {qvol:.4g} m3 differs from {ref_name} "
            f"({ref:.4g} m3) by more than a factor {CROSSCHECK_FACTOR:g}: "
            f"{ref_name} used (exporter bug?)"
        )
        return ref, ("geometry" if geo else "volume"), True

    def _weight_usable(
        self, label: str, weight: float, volume: float, densities: list[tuple[_Part, float | None]]
    ) -> bool:
        """Whether the model's weight stands against volume x density (when both known)."""
        if weight <= 0:
            return False
        if volume <= 0 or not all(d for _, d in densities):
            return True
        est = sum(volume * p.fraction * (d or 0.0) for p, d in densities)
        if not _ratio_off(weight, est, WEIGHT_CHECK_FACTOR):
            return True
        self.warnings.append(
            f"{label}: quantity-set weight {weight:.4g} kg differs from volume x "
            f"density ({est:.4g} kg) by more than a factor {WEIGHT_CHECK_FACTOR:g}: "
            "volume x density used"
        )
        return False

    def _size(
        self, el: Any, p: _Part, vol: float, q: dict[str, float], linear: bool
    ) -> tuple[float, float]:
        """(area m2, length m) of one part: layer volume / thickness, the quantity set,
        or the geometry's thickness and length."""
        area = 0.0
        if p.thickness_m and vol > 0:
            area = vol / p.thickness_m
        elif q.get("area_m2"):
            area = q["area_m2"] * (p.fraction if p.thickness_m is None else 1.0)
        length = q.get("length_m", 0.0) * p.fraction
        if self.geometry is not None:
            if not length and linear:
                length = self.geometry.length_m.get(el.id(), 0.0)
            th = self.geometry.thickness_m.get(el.id())
            if not area and vol > 0 and th:
                area = vol / th
        return area, length

    def _glass(
        self,
        el: Any,
        q: dict[str, float],
        predefined: str,
        external: bool | None,
        groups: list[tuple[float, str | None]],
    ) -> float | None:
        """The glass of a window or door, from its mesh's styles (named after their
        materials; a style with no known material and a transparency of 0.5 or more is
        glass): a take of its own (volume x glass density; area = half the glass faces'
        area). Returns the volume of the rest (the frame), or None when it has no glass."""
        styles = self.geometry.styles.get(el.id()) if self.geometry else None
        glass_cls = class_by_name("glass")
        if not styles or glass_cls is None:
            return None
        glass, rest = [], 0.0
        for st in styles:
            cls = classify(st.name)
            if (cls is not None and cls.name == "glass") or (
                cls is None and st.transparency >= 0.5
            ):
                glass.append(st)
            else:
                rest += st.volume_m3
        if not glass:
            return None
        name = glass[0].name
        volume = sum(st.volume_m3 for st in glass)
        rule = self.mapper.map_part(el.is_a(), name, glass_cls, predefined, external)
        group = rule.product_group if rule else None
        mass = volume * glass_cls.density_kg_m3
        area = sum(st.area_m2 for st in glass) / 2.0
        gid = str(getattr(el, "GlobalId", "") or "")
        note = rule.note if rule else ""
        self.takes.append(
            _Take(
                el.is_a(),
                group,
                name,
                glass_cls,
                mass,
                "geometry",
                volume,
                area,
                0.0,
                note,
                (),
                gid,
            )
        )
        groups.append((mass, group))
        return rest

    def add(self, el: Any, parts: list[_Part]) -> list[str | None]:
        """Takes for one element; returns the product groups of its parts (heaviest first)."""
        t = el.is_a()
        q = _quantities(el, self.scales)
        piece = any(el.is_a(p) for p in PIECE_TYPES)
        predefined, external = _predefined_type(el), _is_external(el)
        groups: list[tuple[float, str | None]] = []
        rest_m3 = None
        if piece and not q.get("weight_kg"):  # a window's glass is a lot of its own
            rest_m3 = self._glass(el, q, predefined, external, groups)
        if piece and len(parts) > 1:  # the frame: one piece of its first material not glass
            frame = next((p for p in parts if p.cls is None or p.cls.name != "glass"), parts[0])
            parts = [_Part(frame.name, frame.cls, 1.0, None, frame.density_kg_m3)]
        parts = [p for p in parts or [_Part("", None, 1.0)] if p.cls is None or p.cls.density_kg_m3]
        if not parts:  # only air
            return []
        label = _label(el)
        if rest_m3 is not None:
            volume, vsource, crosscheck = rest_m3, "geometry", False
        else:
            volume, vsource, crosscheck = self._volume(el, label, q, parts)
        mapped = []
        for p in parts:
            rule = self.mapper.map_part(t, p.name, p.cls, predefined, external)
            group = rule.product_group if rule else None
            mapped.append((p, rule, group, *self._density(p, group, bulk=not piece)))
        weight = q.get("weight_kg") or 0.0
        use_weight = self._weight_usable(label, weight, volume, [(m[0], m[3]) for m in mapped])
        crosscheck = crosscheck or (weight > 0 and not use_weight)
        flags: tuple[str, ...] = ("crosscheck",) if crosscheck else ()
        if (
            use_weight
            and volume > 0
            and not (DENSITY_BAND_KG_M3[0] <= weight / volume <= DENSITY_BAND_KG_M3[1])
        ):
            flags += ("density",)
        share_total = sum(p.fraction * (d or 1.0) for p, _, _, d, _ in mapped) or 1.0
        linear = any(el.is_a(x) for x in LINEAR_TYPES)
        gid = str(getattr(el, "GlobalId", "") or "")
        for p, rule, group, density, dnote in mapped:
            vol = volume * p.fraction
            note = rule.note if rule else ""
            if use_weight:
                mass, source = weight * p.fraction * (density or 1.0) / share_total, "weight"
            elif vol > 0 and density is not None:
                mass, source = vol * density, vsource
                if dnote.endswith("assumed"):
                    note = "; ".join(x for x in (note, f"density of {dnote}") if x)
            else:
                info = self.catalogue.get(group or "")
                mass, source = (_typical_mass(info, 1, vol, q) if info else 0.0), "typical"
            area, length = self._size(el, p, vol, q, linear)
            self.takes.append(
                _Take(t, group, p.name, p.cls, mass, source, vol, area, length, note, flags, gid)
            )
            groups.append((mass, group))
        if piece:  # a window is a window: its frame's group first, its glass after
            return (
                [g for _, g in groups[1:] + groups[:1]]
                if rest_m3 is not None
                else [g for _, g in groups]
            )
        groups.sort(key=lambda mg: -mg[0])
        return [g for _, g in groups]


def _typical_mass(info: ProductGroupInfo, count: int, volume: float, q: dict[str, float]) -> float:
    """The catalogue's typical mass of one element, in the group's unit where the element
    says how many units it holds (area, length, volume), else of one unit."""
    unit = info.unit
    if unit == "m2" and q.get("area_m2"):
        return info.typical_mass_kg_per_unit * q["area_m2"]
    if unit == "m" and q.get("length_m"):
        return info.typical_mass_kg_per_unit * q["length_m"]
    if unit == "m3" and volume > 0:
        return info.typical_mass_kg_per_unit * volume
    return info.typical_mass_kg_per_unit * count


def lot_quantity(
    info: ProductGroupInfo,
    *,
    mass_kg: float,
    element_count: int,
    volume_m3: float,
    area_m2: float,
    length_m: float,
    element_is_piece: bool,
) -> tuple[float, bool]:
    """(quantity in the group's unit, estimated from the mass?). Pieces are whole."""
    measured = {
        "t": mass_kg / 1000.0,
        "kg": mass_kg,
        "m3": volume_m3,
        "m2": area_m2,
        "m": length_m,
        "piece": float(element_count) if element_is_piece else 0.0,
    }.get(info.unit, 0.0)
    if measured > 0:
        return measured, False
    typical = info.typical_mass_kg_per_unit
    if typical > 0 and mass_kg > 0:
        q = mass_kg / typical
        return (float(max(1, round(q))) if info.unit == "piece" else q), True
    return float(element_count), True


def lot_in_group(lot: IfcLot, info: ProductGroupInfo) -> IfcLot:
    """The proposed lot as a lot of product group `info` (the mapped one or the reviewer's
    choice): its quantity in that group's unit. A lot without a mass (an unknown material)
    takes its volume x the density of the group's material (source geometry or volume),
    else the group's typical mass per unit (source typical)."""
    from dataclasses import replace

    out = replace(
        lot, product_group=info.code, catalogue_material=info.material, flags=[*lot.flags]
    )
    out.source_mass_kg = dict(lot.source_mass_kg)
    if out.mass_kg <= 0 and out.volume_m3 > 0 and info.material in DEFAULT_CLASS:
        cls = class_by_name(DEFAULT_CLASS[info.material])
        if cls is not None and cls.density_kg_m3 > 0:
            out.mass_kg = out.volume_m3 * cls.density_kg_m3
            out.source_mass_kg = {"geometry": out.mass_kg}
    out.unit = info.unit
    out.quantity, out.quantity_from_mass = lot_quantity(
        info,
        mass_kg=out.mass_kg,
        element_count=out.element_count,
        volume_m3=out.volume_m3,
        area_m2=out.area_m2,
        length_m=out.length_m,
        element_is_piece=_is_piece_type(out.ifc_type),
    )
    if out.mass_kg <= 0:
        out.mass_kg = out.quantity * (1000.0 if info.unit == "t" else info.typical_mass_kg_per_unit)
        out.source_mass_kg = {"typical": out.mass_kg}
        if "typical" not in out.flags:
            out.flags.append("typical")
    if "unmapped" in out.flags:
        out.flags.remove("unmapped")
    return out


def _is_piece_type(ifc_type: str) -> bool:
    return ifc_type in PIECE_TYPES


def _build_lots(takes: list[_Take], catalogue: Mapping[str, ProductGroupInfo]) -> list[IfcLot]:
    lots: dict[tuple[str, str | None, str], IfcLot] = {}
    ids: dict[tuple[str, str | None, str], set[str]] = defaultdict(set)
    for tk in takes:
        key = (tk.ifc_type, tk.product_group, tk.material)
        lot = lots.get(key)
        if lot is None:
            info = catalogue.get(tk.product_group or "")
            lot = IfcLot(
                ifc_type=tk.ifc_type,
                product_group=tk.product_group,
                material=tk.material,
                material_class=tk.cls.name if tk.cls else None,
                catalogue_material=(
                    info.material if info else (tk.cls.catalogue_material if tk.cls else None)
                ),
                note=tk.note,
            )
            lots[key] = lot
        lot.mass_kg += tk.mass_kg
        lot.volume_m3 += tk.volume_m3
        lot.area_m2 += tk.area_m2
        lot.length_m += tk.length_m
        lot.source_mass_kg[tk.source] = lot.source_mass_kg.get(tk.source, 0.0) + tk.mass_kg
        if tk.global_id not in ids[key]:
            ids[key].add(tk.global_id)
            lot.element_count += 1
            if len(lot.elements) < 50:
                lot.elements.append(tk.global_id)
        for f in tk.flags:
            if f not in lot.flags:
                lot.flags.append(f)
    out = list(lots.values())
    for lot in out:
        if lot.source_mass_kg.get("typical") and "typical" not in lot.flags:
            lot.flags.append("typical")
        info = catalogue.get(lot.product_group or "")
        if info is None:
            if lot.product_group is None:
                lot.flags.append("unmapped")
                named = f"material '{lot.material}'" if lot.material else "no material in the model"
                lot.note = "; ".join(
                    x for x in (lot.note, f"no product group mapped ({named}): assign by hand") if x
                )
            continue
        lot.unit = info.unit
        lot.quantity, lot.quantity_from_mass = lot_quantity(
            info,
            mass_kg=lot.mass_kg,
            element_count=lot.element_count,
            volume_m3=lot.volume_m3,
            area_m2=lot.area_m2,
            length_m=lot.length_m,
            element_is_piece=_is_piece_type(lot.ifc_type),
        )
        if lot.mass_kg <= 0:  # mapped by type, no size in the model: the typical mass
            lot.mass_kg = lot.quantity * (
                1000.0 if info.unit == "t" else info.typical_mass_kg_per_unit
            )
            lot.source_mass_kg = {"typical": lot.mass_kg}
        if lot.quantity_from_mass:
            lot.note = "; ".join(
                x
                for x in (
                    lot.note,
                    f"quantity estimated from the mass ({info.typical_mass_kg_per_unit:g} kg "
                    f"per {info.unit})",
                )
                if x
            )
    out.sort(key=lambda lot: (lot.product_group is None, -lot.mass_kg, lot.key))
    return out


# ------------------------------------------------------------------------ plausibility
def load_intensities(
    path: str | os.PathLike[str] | None = None,
) -> dict[str, dict[str, tuple[float, float]]]:
    """use type -> material -> (lowest, highest) kg/m2 over the construction periods."""
    p = Path(path) if path is not None else INTENSITY_CSV
    out: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    per_period: dict[tuple[str, str], float] = defaultdict(float)
    with open(p, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            use, mat, v = row["use_type"], row["material"], float(row["kg_per_m2"])
            lo, hi = out[use].get(mat, (v, v))
            out[use][mat] = (min(lo, v), max(hi, v))
            per_period[(use, row["period_start"])] += v
    for (use, _), total in per_period.items():
        lo, hi = out[use].get("_total", (total, total))
        out[use]["_total"] = (min(lo, total), max(hi, total))
    return dict(out)


_VERDICT_PREFIX = "the total mass"


def assess_plausibility(
    draft: IfcDraft, *, use_type: str | None, floor_area_m2: float | None = None
) -> dict[str, Any]:
    """Flags per lot (material per m2 of floor area far above the material-intensity table
    for the use type) and the verdict on the building's total; sets `draft.plausibility`
    and adds a warning when the total is outside the plausible range."""
    area = floor_area_m2 or draft.floor_area_m2
    result: dict[str, Any] = {"use_type": use_type, "floor_area_m2": area}
    draft.warnings = [w for w in draft.warnings if not w.startswith(_VERDICT_PREFIX)]
    for lot in draft.lots:
        if "intensity" in lot.flags:
            lot.flags.remove("intensity")
    table = load_intensities().get(use_type or "") if use_type else None
    if not area or area <= 0 or table is None:
        result["status"] = "unknown"
        result["reason"] = (
            "no floor area" if not area or area <= 0 else f"no intensity table for {use_type!r}"
        )
        draft.plausibility = result
        return result
    total = draft.mapped_mass_kg
    per_m2 = total / area
    lo_t, hi_t = table["_total"]
    low, high = lo_t * TOTAL_RANGE_FACTORS[0], hi_t * TOTAL_RANGE_FACTORS[1]
    result.update(
        kg_per_m2=round(per_m2, 1),
        range_kg_per_m2=[round(low, 1), round(high, 1)],
        table_kg_per_m2=[round(lo_t, 1), round(hi_t, 1)],
        status="ok" if low <= per_m2 <= high else ("low" if per_m2 < low else "high"),
    )
    by_material = draft.mass_by_material_kg()
    flagged: dict[str, float] = {}
    for mat, mass in by_material.items():
        key = INTENSITY_MATERIAL.get(mat)
        if key is None or key not in table:
            continue
        hi = table[key][1]
        if hi > 0 and mass / area > LOT_INTENSITY_FACTOR * hi:
            flagged[mat] = mass / area
    for lot in draft.lots:
        if lot.product_group and lot.catalogue_material in flagged and "intensity" not in lot.flags:
            lot.flags.append("intensity")
    result["materials_high"] = {k: round(v, 1) for k, v in flagged.items()}
    if result["status"] != "ok":
        draft.warnings.insert(
            0,
            f"{_VERDICT_PREFIX} {total / 1000:,.1f} t is {per_m2:,.0f} kg per m2 of floor area "
            f"({area:,.0f} m2): outside the plausible range {low:,.0f}-{high:,.0f} kg/m2 "
            f"for use type {use_type} (material-intensity table x {TOTAL_RANGE_FACTORS[0]:g}"
            f"-{TOTAL_RANGE_FACTORS[1]:g}); check the lots before storing",
        )
    draft.plausibility = result
    return result


def _space_areas_from_quantities(model: Any, scales: UnitScales) -> float:
    total = 0.0
    for space in model.by_type("IfcSpace"):
        q: dict[str, float] = {}
        for rel in getattr(space, "IsDefinedBy", None) or ():
            pdef = getattr(rel, "RelatingPropertyDefinition", None)
            if pdef is None or not pdef.is_a("IfcElementQuantity"):
                continue
            for qq in pdef.Quantities or ():
                if qq.is_a("IfcQuantityArea"):
                    q.setdefault(qq.Name, float(qq.AreaValue) * scales.area_m2)
        total += q.get("NetFloorArea") or q.get("GrossFloorArea") or 0.0
    return total


def _space_areas_from_geometry(model: Any, threads: int) -> float:
    spaces = model.by_type("IfcSpace")
    if not spaces:
        return 0.0
    geo = element_volumes(model, spaces, threads=threads)
    total = 0.0
    for sid, volume in geo.volumes_m3.items():
        height = geo.thickness_m.get(sid)
        if height and height > 1.5:  # a room, not a sliver
            total += volume / height
    return total


def _floor_area(
    model: Any, scales: UnitScales, geometry: bool, threads: int = 1
) -> tuple[float | None, str]:
    """Floor area from IfcSpace quantities (net or gross floor area), else from the spaces'
    geometry (volume / height), else from the slabs that are floors (PredefinedType FLOOR
    or BASESLAB) with an area quantity."""
    total = _space_areas_from_quantities(model, scales)
    if total > 0:
        return total, "spaces"
    total = _space_areas_from_geometry(model, threads) if geometry else 0.0
    if total > 0:
        return total, "space geometry"
    total = sum(
        _quantities(slab, scales).get("area_m2", 0.0)
        for slab in model.by_type("IfcSlab")
        if _predefined_type(slab) in ("FLOOR", "BASESLAB")
    )
    return (total, "floor slabs") if total > 0 else (None, "")


# ------------------------------------------------------------------------ reading
def _open_model(p: Path) -> Any:
    import ifcopenshell

    try:
        return ifcopenshell.open(str(p))
    except Exception as exc:  # ifcopenshell.Error, RuntimeError, schema errors, ...
        text = str(exc)
        if "schema" in text.lower():
            raise IfcImportError(
                f"{p.name}: this IFC schema is not supported ({text}); export the model as "
                "IFC2X3 or IFC4"
            ) from exc
        raise IfcImportError(f"{p.name} is not a readable IFC model: {exc}") from exc


def _schema(model: Any) -> Any:
    import ifcopenshell.ifcopenshell_wrapper as wrapper

    try:
        return wrapper.schema_by_name(model.schema_identifier)
    except Exception:
        return None


def _aggregate_rule(elements: list[Any]) -> tuple[set[int], dict[int, Any]]:
    """(ids left out as containers or as parts of a piece container, part id -> its
    container) by the rule in the module docstring."""
    left_out: set[int] = set()
    container_of: dict[int, Any] = {}
    for el in elements:
        parts = [
            p
            for rel in getattr(el, "IsDecomposedBy", None) or ()
            if rel.is_a("IfcRelAggregates")
            for p in rel.RelatedObjects
            if p.is_a("IfcElement") and not p.is_a("IfcFeatureElement")
        ]
        if not parts:
            continue
        for p in parts:
            container_of[p.id()] = el
        if any(el.is_a(t) for t in PIECE_CONTAINERS):
            stack = list(parts)
            while stack:
                p = stack.pop()
                left_out.add(p.id())
                stack.extend(
                    q
                    for rel in getattr(p, "IsDecomposedBy", None) or ()
                    for q in rel.RelatedObjects
                    if q.is_a("IfcElement")
                )
        else:
            left_out.add(el.id())
    return left_out, container_of


def _open_checked(p: Path) -> tuple[Any, UnitScales]:
    """The model and its units; IfcImportError for a file that is not IFC, is truncated,
    has a schema older than IFC2X3 or declares no units."""
    _check_header(p)
    model = _open_model(p)
    schema_id = str(model.schema).upper()
    if not any(schema_id == s or schema_id.startswith(s + "_") for s in SUPPORTED_SCHEMAS):
        raise IfcImportError(
            f"{p.name}: schema {model.schema} is not supported (IFC2X3 or newer); "
            "export the model as IFC2X3 or IFC4"
        )
    try:
        return model, model_unit_scales(model)
    except UnitError as exc:
        raise IfcImportError(f"{p.name}: {exc}") from exc


def _measure(
    model: Any, bearing: list[Any], geometry: bool, max_elements: int | None, threads: int
) -> tuple[GeometryResult | None, str, list[str]]:
    """(volumes from the geometry kernel, what happened, warnings)."""
    if not geometry:
        return None, "off", []
    if max_elements is not None and len(bearing) > max_elements:
        return (
            None,
            f"skipped ({len(bearing)} elements > {max_elements})",
            [
                f"geometry skipped for {len(bearing)} elements (limit {max_elements}): "
                "masses from quantity sets and typical masses only"
            ],
        )
    geo = element_volumes(model, bearing, threads=threads)
    warnings = []
    if geo.rejected:
        warnings.append(
            f"geometry of {len(geo.rejected)} element(s) not used (open or overlapping "
            "solids): they fall back to quantity sets or typical masses"
        )
    return geo, ("failed" if geo.failed else "used"), warnings


@dataclass
class _Tally:
    """Per IFC entity type: element count, product groups, materials, summed quantities,
    notes (the `elements` of the contract)."""

    counts: Counter[str] = field(default_factory=Counter)
    groups: dict[str, Counter[str | None]] = field(default_factory=dict)
    materials: dict[str, Counter[str]] = field(default_factory=dict)
    quantities: dict[str, dict[str, float]] = field(default_factory=dict)
    with_q: Counter[str] = field(default_factory=Counter)
    notes: dict[str, list[str]] = field(default_factory=dict)
    left_out: Counter[str] = field(default_factory=Counter)

    def add(self, t: str, names: list[str], q: dict[str, float]) -> None:
        self.counts[t] += 1
        self.materials.setdefault(t, Counter()).update(dict.fromkeys(names, 1))
        if q:
            self.with_q[t] += 1
            acc = self.quantities.setdefault(t, {})
            for k, v in q.items():
                acc[k] = acc.get(k, 0.0) + v

    def note(self, t: str, text: str) -> None:
        if text and text not in self.notes.setdefault(t, []):
            self.notes[t].append(text)

    def group(self, t: str, lot_mass_kg: float, geometry: bool) -> IfcElementGroup:
        by_group = self.groups.get(t, Counter())
        mapped = [(n, g) for g, n in by_group.items() if g is not None]
        main = max(mapped)[1] if mapped else None
        note_parts = list(self.notes.get(t, []))
        if self.with_q[t] == 0 and not geometry:
            note_parts.append(NO_QUANTITIES_NOTE)
        elif 0 < self.with_q[t] < self.counts[t]:
            note_parts.append(f"quantities for {self.with_q[t]} of {self.counts[t]} elements")
        if main is None:
            note_parts.append("no product group mapped: edit ifc_mapping.csv or assign by hand")
        elif len(by_group) > 1:
            note_parts.append("materials differ: see product_groups")
        return IfcElementGroup(
            ifc_type=t,
            count=self.counts[t],
            product_group=main,
            product_groups=dict(by_group.most_common()),
            materials=[m for m, _ in self.materials.get(t, Counter()).most_common()],
            quantities=self.quantities.get(t, {}),
            elements_with_quantities=self.with_q[t],
            note="; ".join(note_parts),
            lot_mass_kg=lot_mass_kg,
            left_out=self.left_out[t],
        )


def _element_parts(el: Any, container: Any, length_scale: float) -> list[_Part]:
    """The element's materials, or its container's when it names none (a Revit roof's
    slab takes the roof's layers)."""
    import ifcopenshell.util.element as ue

    parts = _material_parts(ue.get_material(el, should_skip_usage=True), length_scale)
    if not parts and container is not None:
        parts = _material_parts(ue.get_material(container, should_skip_usage=True), length_scale)
    return parts


def read_ifc(
    path: str | os.PathLike[str],
    *,
    mapping: str | os.PathLike[str] | list[IfcMappingRule] | None = None,
    known_product_groups: Collection[str] | None = None,
    source_name: str | None = None,
    geometry: bool = True,
    geometry_max_elements: int | None = None,
    geometry_threads: int = 1,
    catalogue: Mapping[str, ProductGroupInfo] | None = None,
) -> IfcDraft:
    """Count the elements of an IFC model per entity type and propose lots with their mass.

    Raises IfcImportError (with a message for people, never a traceback) when the file is
    not an IFC model, is truncated, has a schema older than IFC2X3, or declares no units.
    `mapping` is a path to a mapping table or parsed rules (default: the bundled
    `data/ifc_mapping.csv`). `geometry=False` (or more elements than
    `geometry_max_elements`) skips the geometry kernel: quantity sets only. `catalogue`
    gives the product groups' units and typical masses (default: `data/catalogue.csv`).
    Plausibility needs the use type: `assess_plausibility(draft, use_type=...)`."""
    p = Path(path)
    model, scales = _open_checked(p)
    warnings: list[str] = []
    if isinstance(mapping, list):
        rules = mapping
    else:
        rules, warnings = load_ifc_mapping(mapping, known_product_groups)
    try:
        elements = [el for el in model.by_type("IfcElement") if not el.is_a("IfcFeatureElement")]
    except Exception as exc:
        raise IfcImportError(f"{p.name}: schema {model.schema} has no IfcElement ({exc})") from exc
    cat = dict(catalogue) if catalogue is not None else load_catalogue()
    if known_product_groups is not None:
        cat = {k: v for k, v in cat.items() if k in known_product_groups}
    left_out, container_of = _aggregate_rule(elements)
    massless = {el.id() for el in elements if any(el.is_a(t) for t in MASSLESS_TYPES)}
    bearing = [el for el in elements if el.id() not in left_out and el.id() not in massless]
    geo, geometry_state, geo_warnings = _measure(
        model, bearing, geometry, geometry_max_elements, geometry_threads
    )
    warnings.extend(geo_warnings)

    builder = _Builder(_Mapper(rules, _schema(model)), scales, geo, cat)
    tally = _Tally()
    for el in elements:
        t = el.is_a()
        parts = _element_parts(el, container_of.get(el.id()), scales.length_m)
        names = [pt.name for pt in parts if pt.name]
        tally.add(t, names, _quantities(el, scales))
        if el.id() in left_out or el.id() in massless:
            tally.left_out[t] += 1
            rule = builder.mapper.map(t, names)
            tally.groups.setdefault(t, Counter())[rule.product_group if rule else None] += 1
            tally.note(
                t,
                "fixings and virtual elements carry no mass of their own"
                if el.id() in massless
                else "aggregate: counted once (see the rule in the import's documentation)",
            )
            continue
        part_groups = builder.add(el, parts)
        tally.groups.setdefault(t, Counter())[next((g for g in part_groups if g), None)] += 1
        rule = builder.mapper.map_part(
            t, names[0] if names else "", parts[0].cls if parts else None
        )
        tally.note(t, rule.note if rule else "")

    lots = _build_lots(builder.takes, cat)
    mass_by_type: dict[str, float] = defaultdict(float)
    for lot in lots:
        if lot.product_group:
            mass_by_type[lot.ifc_type] += lot.mass_kg
    result = [
        tally.group(t, mass_by_type.get(t, 0.0), geo is not None) for t in sorted(tally.counts)
    ]
    if not result:
        warnings.append(f"{p.name} contains no building elements")
    warnings.extend(builder.warnings)
    area, area_source = _floor_area(model, scales, geo is not None, geometry_threads)
    draft = IfcDraft(
        source_name=source_name or p.name,
        schema=str(model.schema),
        elements=result,
        warnings=warnings,
        lots=lots,
        units={
            "length_m": scales.length_m,
            "area_m2": scales.area_m2,
            "volume_m3": scales.volume_m3,
            "mass_kg": scales.mass_kg,
            "origin": scales.origin,
        },
        geometry=geometry_state,
        floor_area_m2=area,
        floor_area_source=area_source,
    )
    assess_plausibility(draft, use_type=None, floor_area_m2=None)
    return draft
