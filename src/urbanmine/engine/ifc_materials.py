"""Material classes of IFC material names, with densities (`data/ifc_materials.csv`).

The table lists material classes in order; a material belongs to the first class one of
whose keywords (Dutch, English, German, French; a few Russian) occurs in its folded name or
its `IfcMaterial.Category` (case and accents ignored). More specific classes come first
(`stud layer` before `steel`, `concrete block` before `concrete` and `brick`, `Stahlbeton`
before `Stahl`). Densities come from EN 1991-1-1:2002 Annex A (nominal densities, kN/m3
x 1000 / 9.81, rounded; the source is named per row) or are estimates, labelled
`estimate` in the `basis` column with their reasoning.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MATERIALS_CSV = Path(__file__).resolve().parent.parent / "data" / "ifc_materials.csv"


def fold(text: str) -> str:
    """Lower case without accents (ß -> ss): the form keywords are matched in."""
    text = unicodedata.normalize("NFKD", text).replace("ß", "ss")
    return "".join(ch for ch in text.lower() if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class MaterialClass:
    name: str
    keywords: tuple[str, ...]
    density_kg_m3: float
    #: the catalogue's material of this class (concrete, brick, steel, wood, glass, ...)
    catalogue_material: str
    basis: str
    note: str = ""

    @property
    def is_estimate(self) -> bool:
        return self.basis == "estimate"


@lru_cache(maxsize=4)
def load_material_classes(path: str | os.PathLike[str] | None = None) -> tuple[MaterialClass, ...]:
    p = Path(path) if path is not None else MATERIALS_CSV
    with open(p, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        MaterialClass(
            name=row["material_class"].strip(),
            keywords=tuple(fold(k.strip()) for k in row["keywords"].split("|") if k.strip()),
            density_kg_m3=float(row["density_kg_m3"]),
            catalogue_material=row["catalogue_material"].strip(),
            basis=row["basis"].strip(),
            note=(row.get("note") or "").strip(),
        )
        for row in rows
        if row.get("material_class")
    )


def classify(*names: str | None) -> MaterialClass | None:
    """The class of a material from its name and category (None: not recognised)."""
    folded = [fold(n) for n in names if n]
    for cls in load_material_classes():
        for text in folded:
            if any(k in text for k in cls.keywords):
                return cls
    return None


def class_by_name(name: str) -> MaterialClass | None:
    return next((c for c in load_material_classes() if c.name == name), None)
