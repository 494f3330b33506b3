"""A draft material passport from an IFC model: elements counted per IFC entity type, with
their materials, take-off quantities and a suggested product group.

Pure Python + ifcopenshell (no Django). Counting follows the `import-ifc` contract:
instances of IfcElement except IfcFeatureElement subtypes (openings, projections), per
entity type as the file names them (`element.is_a()`, so IfcWall and IfcWallStandardCase
stay apart). No geometry is evaluated: quantities come from the element quantity sets
(Qto_*, BaseQuantities) when the authoring tool exported them, otherwise the type is only
counted and says so in its note — tessellating geometry would be slow and is not needed
for a draft that a person reviews anyway.

Product groups come from an editable table (`data/ifc_mapping.csv`: ifc_type,
material_keyword, product_group, note). A rule for a type also covers its subtypes
(IfcWall covers IfcWallStandardCase) unless a rule names the subtype itself. Keywords are
alternatives separated by "|", matched as substrings of the element's material names
(case and accents ignored); the element's materials are tried in model order (outer layer
first) and the first rule matching a material wins; a rule with an empty keyword is the
default for the type.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAPPING_CSV = Path(__file__).resolve().parent.parent / "data" / "ifc_mapping.csv"
MAPPING_COLUMNS = ("ifc_type", "material_keyword", "product_group", "note")

#: Standard quantity names per kind, in order of preference (net before gross).
QUANTITY_NAMES: dict[str, tuple[str, ...]] = {
    "volume_m3": ("NetVolume", "GrossVolume", "Volume"),
    "area_m2": ("NetArea", "NetSideArea", "GrossArea", "GrossSideArea", "Area"),
    "length_m": ("Length",),
    "weight_kg": ("NetWeight", "GrossWeight", "Weight"),
}
_UNIT_TYPE = {
    "volume_m3": "VOLUMEUNIT",
    "area_m2": "AREAUNIT",
    "length_m": "LENGTHUNIT",
    "weight_kg": "MASSUNIT",
}
NO_QUANTITIES_NOTE = (
    "no quantity sets in the model: counted only (geometry-free; measure or estimate "
    "volumes from drawings or layer thickness x area)"
)


class IfcImportError(Exception):
    """The file cannot be read as an IFC model (or the mapping table is broken)."""


@dataclass(frozen=True, slots=True)
class IfcMappingRule:
    ifc_type: str
    keywords: tuple[str, ...]  # folded; empty = default for the type
    product_group: str
    note: str = ""
    line: int = 0


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
            "note": self.note,
        }


@dataclass
class IfcDraft:
    """The draft passport: one entry per IFC entity type, sorted by type name."""

    source_name: str
    schema: str
    elements: list[IfcElementGroup]
    warnings: list[str] = field(default_factory=list)

    @property
    def total_count(self) -> int:
        return sum(e.count for e in self.elements)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_name,
            "schema": self.schema,
            "elements": [e.to_dict() for e in self.elements],
            "total_count": self.total_count,
            "warnings": self.warnings,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).replace("ß", "ss")
    return "".join(ch for ch in text.lower() if not unicodedata.combining(ch))


def load_ifc_mapping(
    path: str | os.PathLike[str] | None = None,
    known_product_groups: Collection[str] | None = None,
) -> tuple[list[IfcMappingRule], list[str]]:
    """Read the mapping table; returns (rules, warnings). Rules naming a product group not
    in `known_product_groups` (when given) are dropped with a warning, so a stale user
    edit cannot create lots of a group that does not exist."""
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
        rules.append(IfcMappingRule(ifc_type, kw, code, (row.get("note") or "").strip(), line))
    return rules, warnings


def _check_header(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
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


def _material_names(element: Any) -> list[str]:
    import ifcopenshell.util.element as ue

    mat: Any = ue.get_material(element, should_skip_usage=True)
    if mat is None:
        return []
    names: list[str] = []

    def add(m: Any) -> None:
        if m is not None and getattr(m, "Name", None):
            names.append(str(m.Name))

    kind = mat.is_a()
    if kind == "IfcMaterial":
        add(mat)
    elif kind == "IfcMaterialLayerSet":
        for layer in mat.MaterialLayers or ():
            add(layer.Material)
    elif kind == "IfcMaterialProfileSet":
        for prof in mat.MaterialProfiles or ():
            add(prof.Material)
    elif kind == "IfcMaterialConstituentSet":
        for con in mat.MaterialConstituents or ():
            add(con.Material)
    elif kind == "IfcMaterialList":
        for m in mat.Materials or ():
            add(m)
    elif getattr(mat, "Name", None):
        names.append(str(mat.Name))
    return names


def _quantities(element: Any, scales: dict[str, float]) -> dict[str, float]:
    import ifcopenshell.util.element as ue

    qtos = ue.get_psets(element, qtos_only=True)
    if not qtos:
        return {}
    # Standard sets first (Qto_*, BaseQuantities), vendor sets after.
    order = sorted(
        qtos, key=lambda n: 0 if n.startswith("Qto_") else 1 if n == "BaseQuantities" else 2
    )
    out: dict[str, float] = {}
    for kind, names in QUANTITY_NAMES.items():
        for qname in names:
            value = next(
                (qtos[s][qname] for s in order if isinstance(qtos[s].get(qname), int | float)),
                None,
            )
            if value is not None:
                out[kind] = float(value) * scales[kind]
                break
    return out


def _unit_scales(model: Any) -> dict[str, float]:
    import ifcopenshell.util.unit as uu

    scales: dict[str, float] = {}
    for kind, unit_type in _UNIT_TYPE.items():
        try:
            scales[kind] = float(uu.calculate_unit_scale(model, unit_type))
        except Exception:  # unusual unit definitions: assume SI
            scales[kind] = 1.0
    scales["weight_kg"] = _mass_scale(model)
    return scales


def _mass_scale(model: Any) -> float:
    """Project mass unit -> kg (IFC's SI mass unit is the gram, usually with prefix KILO)."""
    prefixes = {"KILO": 1.0, None: 0.001, "MILLI": 1e-6, "MEGA": 1000.0}
    for project in model.by_type("IfcProject")[:1]:
        units = project.UnitsInContext
        for unit in (units.Units if units else ()) or ():
            if getattr(unit, "UnitType", None) == "MASSUNIT" and unit.is_a("IfcSIUnit"):
                return prefixes.get(unit.Prefix, 1.0)
    return 1.0


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

    def map(self, ifc_type: str, materials: list[str]) -> IfcMappingRule | None:
        rules = self.rules_for(ifc_type)
        if not rules:
            return None
        for name in materials:
            folded = _fold(name)
            for r in rules:
                if r.keywords and any(k in folded for k in r.keywords):
                    return r
        return next((r for r in rules if not r.keywords), None)


@dataclass
class _Tally:
    """Per IFC entity type: element count, product groups, materials, summed quantities."""

    mapper: _Mapper
    scales: dict[str, float]
    counts: Counter[str] = field(default_factory=Counter)
    groups: dict[str, Counter[str | None]] = field(default_factory=dict)
    materials: dict[str, Counter[str]] = field(default_factory=dict)
    quantities: dict[str, dict[str, float]] = field(default_factory=dict)
    with_q: Counter[str] = field(default_factory=Counter)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, el: Any) -> None:
        t = el.is_a()
        self.counts[t] += 1
        names = _material_names(el)
        self.materials.setdefault(t, Counter()).update(dict.fromkeys(names, 1))
        rule = self.mapper.map(t, names)
        self.groups.setdefault(t, Counter())[rule.product_group if rule else None] += 1
        if rule and rule.note:
            self.notes.setdefault(t, [])
            if rule.note not in self.notes[t]:
                self.notes[t].append(rule.note)
        q = _quantities(el, self.scales)
        if q:
            self.with_q[t] += 1
            acc = self.quantities.setdefault(t, {})
            for k, v in q.items():
                acc[k] = acc.get(k, 0.0) + v

    def group(self, t: str) -> IfcElementGroup:
        by_group = self.groups[t]
        mapped = [(n, g) for g, n in by_group.items() if g is not None]
        main = max(mapped)[1] if mapped else None
        note_parts = list(self.notes.get(t, []))
        if self.with_q[t] == 0:
            note_parts.append(NO_QUANTITIES_NOTE)
        elif self.with_q[t] < self.counts[t]:
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
            materials=[m for m, _ in self.materials[t].most_common()],
            quantities=self.quantities.get(t, {}),
            elements_with_quantities=self.with_q[t],
            note="; ".join(note_parts),
        )


def _open_model(p: Path) -> Any:
    import ifcopenshell

    try:
        return ifcopenshell.open(str(p))
    except Exception as exc:  # ifcopenshell.Error, RuntimeError, schema errors, ...
        raise IfcImportError(f"{p.name} is not a readable IFC model: {exc}") from exc


def _schema(model: Any) -> Any:
    import ifcopenshell.ifcopenshell_wrapper as wrapper

    try:
        return wrapper.schema_by_name(model.schema_identifier)
    except Exception:
        return None


def read_ifc(
    path: str | os.PathLike[str],
    *,
    mapping: str | os.PathLike[str] | list[IfcMappingRule] | None = None,
    known_product_groups: Collection[str] | None = None,
    source_name: str | None = None,
) -> IfcDraft:
    """Count the elements of an IFC model per entity type and suggest product groups.

    Raises IfcImportError (with a message for people, never a traceback) when the file is
    not an IFC model. `mapping` is a path to a mapping table or parsed rules (default: the
    bundled `data/ifc_mapping.csv`)."""
    p = Path(path)
    _check_header(p)
    model = _open_model(p)
    warnings: list[str] = []
    if isinstance(mapping, list):
        rules = mapping
    else:
        rules, warnings = load_ifc_mapping(mapping, known_product_groups)
    schema = _schema(model)
    try:
        elements = model.by_type("IfcElement")
    except Exception as exc:
        raise IfcImportError(f"{p.name}: schema {model.schema} has no IfcElement ({exc})") from exc
    tally = _Tally(_Mapper(rules, schema), _unit_scales(model))
    for el in elements:
        if not el.is_a("IfcFeatureElement"):
            tally.add(el)
    result = [tally.group(t) for t in sorted(tally.counts)]
    if not result:
        warnings.append(f"{p.name} contains no building elements")
    return IfcDraft(
        source_name=source_name or p.name,
        schema=str(model.schema),
        elements=result,
        warnings=warnings,
    )
