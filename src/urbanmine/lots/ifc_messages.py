"""The IFC import's remarks in the interface's language. The engine writes them in English
(they are part of the `import-ifc --format json` output); the page splits a remark into its
parts ("; ") and says each one in words from here, numbers and names filled in."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.catalogue.forms import unit_label
from urbanmine.core.formatting import format_quantity

#: the remarks of the mapping table (data/ifc_mapping.csv) and of the engine, word for word
FIXED = {
    "IFC2x3 generic terminal": gettext_lazy("IFC2x3 generic terminal"),
    "Pset_DoorCommon.IsExternal": gettext_lazy("outside door when the model says so"),
    "assumed prefab: check for cast-in-situ": gettext_lazy(
        "assumed prefabricated: check whether it was cast in situ"
    ),
    "block masonry: crushed to granulate unless blocks are harvested whole": gettext_lazy(
        "block masonry: crushed to granulate unless the blocks are harvested whole"
    ),
    "bricks counted from the mass (2.1 kg a brick): review": gettext_lazy(
        "bricks counted from the mass (2.1 kg a brick): check"
    ),
    "cast concrete: crushed to granulate": gettext_lazy("cast concrete: crushed to granulate"),
    "footings are nearly always concrete": gettext_lazy("footings are nearly always concrete"),
    "green-roof substrate or gravel ballast": gettext_lazy(
        "green-roof substrate or gravel ballast"
    ),
    "in-situ slab: crushed to granulate": gettext_lazy("slab cast in situ: crushed to granulate"),
    "interior unless Pset_DoorCommon.IsExternal says otherwise": gettext_lazy(
        "interior door unless the model marks it as external"
    ),
    "metal-stud layer (studs + air)": gettext_lazy("metal-stud layer (studs and air)"),
    "metal-stud or grid layer": gettext_lazy("metal-stud or grid layer"),
    "review: plate as sheet": gettext_lazy("check: plate taken as sheet"),
    "roof structure: rafters and boarding": gettext_lazy("roof structure: rafters and boarding"),
    "sheathing board": gettext_lazy("sheathing board"),
    "structural assessment required before reuse": gettext_lazy(
        "structural assessment required before reuse"
    ),
    "the door's glass (from the geometry's styles)": gettext_lazy(
        "the door's glass (from the styles of the geometry)"
    ),
    "the window's glass (from the geometry's styles): check single or double": gettext_lazy(
        "the window's glass (from the styles of the geometry): check single or double glazing"
    ),
    "tiles counted from the mass: review": gettext_lazy("tiles counted from the mass: check"),
    "timber assumed when the model names no frame material": gettext_lazy(
        "timber assumed when the model names no frame material"
    ),
    "timber frame: studs and plates": gettext_lazy("timber frame: studs and plates"),
    "fixings and virtual elements carry no mass of their own": gettext_lazy(
        "fixings and virtual elements carry no mass of their own"
    ),
    "aggregate: counted once (see the rule in the import's documentation)": gettext_lazy(
        "aggregate: counted once (see the rule in the import's documentation)"
    ),
    "no product group mapped: edit ifc_mapping.csv or assign by hand": gettext_lazy(
        "no product group found: choose one by hand"
    ),
    "materials differ: see product_groups": gettext_lazy("the elements are of different materials"),
    "no quantity sets in the model: counted only (geometry-free; measure or estimate "
    "volumes from drawings or layer thickness x area)": gettext_lazy(
        "no quantities in the model: counted only (measure or estimate the volumes from "
        "drawings, or layer thickness × area)"
    ),
}


def _no_group(m: re.Match) -> str:
    if m[1]:
        return _("no product group found for the material “%(m)s”: choose one by hand") % {
            "m": m[1]
        }
    return _("no product group found (the model names no material): choose one by hand")


#: remarks with numbers or names in them: (pattern, words)
PATTERNS = (
    (
        re.compile(r"^quantities for (\d+) of (\d+) elements$"),
        lambda m: _("quantities for %(n)s of %(total)s elements") % {"n": m[1], "total": m[2]},
    ),
    (
        re.compile(r"^no product group mapped \((?:material '(.*)'|no material in the model)\)"),
        _no_group,
    ),
    (
        re.compile(r"^quantity estimated from the mass \((.+) kg per (\w+)\)$"),
        lambda m: (
            _("quantity estimated from the mass (%(kg)s kg per %(unit)s)")
            % {"kg": format_quantity(float(m[1])), "unit": unit_label(m[2])}
        ),
    ),
    (
        re.compile(r"^density of (.+) assumed$"),
        lambda m: _("density of %(material)s assumed") % {"material": m[1]},
    ),
)


def note_text(note: str) -> str:
    """An engine remark (parts joined by "; ") in the active language."""
    return "; ".join(_part(p.strip()) for p in note.split("; ") if p.strip())


def _part(part: str) -> str:
    if part in FIXED:
        return str(FIXED[part])
    for pattern, words in PATTERNS:
        if m := pattern.match(part):
            return words(m)
    return part
