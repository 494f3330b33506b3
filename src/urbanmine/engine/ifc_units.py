"""The units of an IFC model, as factors to SI (m, m2, m3, kg).

Read from the project's `IfcUnitAssignment` (IFC4 8.11.3.13: the project-wide default
units; a quantity may name its own unit, which wins):

* `IfcSIUnit`: the base unit times its prefix (MILLI = 1e-3 ...). An SI prefix on an area
  or volume unit applies to the length before squaring or cubing (IfcSIUnitName
  SQUARE_METRE with prefix MILLI is 1 mm2 = 1e-6 m2), as the IFC specification defines.
  The SI mass unit is the GRAM: with prefix KILO it is the kilogram.
* `IfcConversionBasedUnit` (imperial: FOOT, INCH, SQUARE FOOT, CUBIC FOOT, POUND ...):
  `ConversionFactor.ValueComponent` times the SI scale of its `UnitComponent`.
* Area and volume units that the model does not declare follow its length unit (a model
  in millimetres without an AREAUNIT has its areas in mm2): the square and the cube of the
  length factor. A mass unit that is not declared is the kilogram.

A model without a length unit cannot be measured: `UnitError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SI_PREFIX: dict[str | None, float] = {
    None: 1.0,
    "EXA": 1e18,
    "PETA": 1e15,
    "TERA": 1e12,
    "GIGA": 1e9,
    "MEGA": 1e6,
    "KILO": 1e3,
    "HECTO": 1e2,
    "DECA": 1e1,
    "DECI": 1e-1,
    "CENTI": 1e-2,
    "MILLI": 1e-3,
    "MICRO": 1e-6,
    "NANO": 1e-9,
    "PICO": 1e-12,
    "FEMTO": 1e-15,
    "ATTO": 1e-18,
}
#: SI unit name -> (power of the prefix, factor to the SI unit urbanmine uses)
_SI_NAME: dict[str, tuple[int, float]] = {
    "METRE": (1, 1.0),
    "SQUARE_METRE": (2, 1.0),
    "CUBIC_METRE": (3, 1.0),
    "GRAM": (1, 0.001),  # -> kg
}
KINDS = ("LENGTHUNIT", "AREAUNIT", "VOLUMEUNIT", "MASSUNIT")


class UnitError(ValueError):
    """The model's units cannot be read (no length unit, or one that is not a length)."""


@dataclass(frozen=True, slots=True)
class UnitScales:
    """Factors from the model's units to m, m2, m3 and kg, and how each was found."""

    length_m: float
    area_m2: float
    volume_m3: float
    mass_kg: float
    #: unit type -> "declared" | "derived from the length unit" | "default (kg)"
    origin: dict[str, str]

    def for_quantity(self, kind: str) -> float:
        return {
            "length_m": self.length_m,
            "area_m2": self.area_m2,
            "volume_m3": self.volume_m3,
            "weight_kg": self.mass_kg,
        }[kind]


def unit_scale(unit: Any) -> float | None:
    """The factor from `unit` (IfcSIUnit, IfcConversionBasedUnit) to m, m2, m3 or kg;
    None when the unit is not one of those kinds."""
    if unit is None:
        return None
    if unit.is_a("IfcSIUnit"):
        name = str(unit.Name)
        if name not in _SI_NAME:
            return None
        power, base = _SI_NAME[name]
        prefix = SI_PREFIX.get(unit.Prefix, 1.0)
        return float(prefix**power * base)
    if unit.is_a("IfcConversionBasedUnit"):
        factor = unit.ConversionFactor
        inner = unit_scale(getattr(factor, "UnitComponent", None))
        value = getattr(getattr(factor, "ValueComponent", None), "wrappedValue", None)
        if value is None:
            value = getattr(factor, "ValueComponent", None)
        if inner is None or not isinstance(value, int | float):
            return None
        return float(value) * inner
    return None


def model_unit_scales(model: Any) -> UnitScales:
    """The project's units (see the module docstring); UnitError without a length unit."""
    projects = model.by_type("IfcProject")
    assignment = projects[0].UnitsInContext if projects else None
    declared: dict[str, float] = {}
    for unit in (assignment.Units if assignment else None) or ():
        kind = getattr(unit, "UnitType", None)
        if kind in KINDS and kind not in declared:
            scale = unit_scale(unit)
            if scale is None or scale <= 0:
                raise UnitError(f"the {kind.lower()} {unit.is_a()} #{unit.id()} is not understood")
            declared[kind] = scale
    if "LENGTHUNIT" not in declared:
        raise UnitError(
            "the model declares no length unit (IfcProject.UnitsInContext): its sizes "
            "cannot be read; export it again with project units"
        )
    length = declared["LENGTHUNIT"]
    origin = {k: "declared" for k in declared}
    if "AREAUNIT" not in declared:
        declared["AREAUNIT"] = length**2
        origin["AREAUNIT"] = "derived from the length unit"
    if "VOLUMEUNIT" not in declared:
        declared["VOLUMEUNIT"] = length**3
        origin["VOLUMEUNIT"] = "derived from the length unit"
    if "MASSUNIT" not in declared:
        declared["MASSUNIT"] = 1.0
        origin["MASSUNIT"] = "default (kg)"
    return UnitScales(
        length_m=length,
        area_m2=declared["AREAUNIT"],
        volume_m3=declared["VOLUMEUNIT"],
        mass_kg=declared["MASSUNIT"],
        origin=origin,
    )
