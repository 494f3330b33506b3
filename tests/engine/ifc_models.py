"""Small IFC models written with ifcopenshell for the import tests: boxes (extruded
rectangles) with the units, materials, layer sets, quantity sets, predefined types,
IsExternal and aggregates a test asks for. Sizes are given in the model's own length
unit, as an authoring tool writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.guid


class ModelBuilder:
    def __init__(
        self,
        schema: str = "IFC4",
        *,
        length: str | None = "METRE",  # "MILLIMETRE", "METRE", "FOOT" or None (no units)
        declare_area_volume: bool = True,
    ) -> None:
        self.f = ifcopenshell.file(schema=schema)
        f = self.f
        origin = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0)))
        self.context = f.createIfcGeometricRepresentationContext(
            None, "Model", 3, 1.0e-5, origin, None
        )
        units = []
        if length == "METRE":
            units.append(f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE"))
        elif length == "MILLIMETRE":
            units.append(f.createIfcSIUnit(None, "LENGTHUNIT", "MILLI", "METRE"))
        elif length == "FOOT":
            metre = f.createIfcSIUnit(None, "LENGTHUNIT", None, "METRE")
            dims = f.createIfcDimensionalExponents(1, 0, 0, 0, 0, 0, 0)
            factor = f.createIfcMeasureWithUnit(f.createIfcLengthMeasure(0.3048), metre)
            units.append(f.createIfcConversionBasedUnit(dims, "LENGTHUNIT", "FOOT", factor))
        if length is not None and declare_area_volume and length == "METRE":
            units.append(f.createIfcSIUnit(None, "AREAUNIT", None, "SQUARE_METRE"))
            units.append(f.createIfcSIUnit(None, "VOLUMEUNIT", None, "CUBIC_METRE"))
        assignment = f.createIfcUnitAssignment(units) if length is not None else None
        self.project = f.createIfcProject(
            ifcopenshell.guid.new(), None, "Test project", None, None, None, None,
            [self.context], assignment,
        )  # fmt: skip
        self.storey = f.createIfcBuildingStorey(
            ifcopenshell.guid.new(), None, "Storey", None, None, self._placement((0, 0, 0))
        )
        f.createIfcRelAggregates(
            ifcopenshell.guid.new(), None, None, None, self.project, [self.storey]
        )
        self.contained: list[Any] = []

    def _placement(self, at: tuple[float, float, float]) -> Any:
        f = self.f
        return f.createIfcLocalPlacement(
            None, f.createIfcAxis2Placement3D(f.createIfcCartesianPoint(tuple(map(float, at))))
        )

    def material(self, name: str, category: str | None = None) -> Any:
        if self.f.schema == "IFC2X3":
            return self.f.createIfcMaterial(name)
        return self.f.createIfcMaterial(name, None, category)

    def box(
        self,
        ifc_class: str,
        size: tuple[float, float, float],
        *,
        name: str = "",
        at: tuple[float, float, float] = (0.0, 0.0, 0.0),
        predefined: str | None = None,
        material: str | None = None,
        category: str | None = None,
        layers: list[tuple[str, float]] | None = None,
        quantities: dict[str, float] | None = None,
        is_external: bool | None = None,
        geometry: bool = True,
        contained: bool = True,
    ) -> Any:
        """An element whose body is a box of `size` (x, y, z) in the model's length unit."""
        f = self.f
        shape = None
        if geometry:
            profile = f.createIfcRectangleProfileDef(
                "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((size[0] / 2, size[1] / 2))),
                float(size[0]), float(size[1]),
            )  # fmt: skip
            solid = f.createIfcExtrudedAreaSolid(
                profile,
                f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, 0.0))),
                f.createIfcDirection((0.0, 0.0, 1.0)),
                float(size[2]),
            )
            rep = f.createIfcShapeRepresentation(self.context, "Body", "SweptSolid", [solid])
            shape = f.createIfcProductDefinitionShape(None, None, [rep])
        el = f.create_entity(
            ifc_class,
            GlobalId=ifcopenshell.guid.new(),
            Name=name or ifc_class,
            ObjectPlacement=self._placement(at),
            Representation=shape,
        )
        if predefined is not None and hasattr(el, "PredefinedType"):
            el.PredefinedType = predefined
        if material is not None:
            self.associate(el, self.material(material, category))
        if layers is not None:
            layer_set = f.createIfcMaterialLayerSet(
                [f.createIfcMaterialLayer(self.material(n), float(t), None) for n, t in layers],
                "layers",
            )
            self.associate(
                el, f.createIfcMaterialLayerSetUsage(layer_set, "AXIS2", "POSITIVE", 0.0)
            )
        if quantities:
            qs = []
            for qname, value in quantities.items():
                if "Volume" in qname:
                    qs.append(f.createIfcQuantityVolume(qname, None, None, float(value)))
                elif "Weight" in qname:
                    qs.append(f.createIfcQuantityWeight(qname, None, None, float(value)))
                elif "Area" in qname:
                    qs.append(f.createIfcQuantityArea(qname, None, None, float(value)))
                else:
                    qs.append(f.createIfcQuantityLength(qname, None, None, float(value)))
            qto = f.createIfcElementQuantity(
                ifcopenshell.guid.new(), None, "BaseQuantities", None, None, qs
            )
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [el], qto)
        if is_external is not None:
            base = ifc_class.replace("StandardCase", "")[3:]
            prop = f.createIfcPropertySingleValue(
                "IsExternal", None, f.createIfcBoolean(is_external), None
            )
            pset = f.createIfcPropertySet(
                ifcopenshell.guid.new(), None, f"Pset_{base}Common", None, [prop]
            )
            f.createIfcRelDefinesByProperties(ifcopenshell.guid.new(), None, None, None, [el], pset)
        if contained:
            self.contained.append(el)
        return el

    def styled(
        self,
        ifc_class: str,
        items: list[tuple[str, tuple[float, float, float], tuple[float, float, float], float]],
        **kw: Any,
    ) -> Any:
        """An element made of boxes drawn in named surface styles: (style name, size,
        offset, transparency) each, as a window's frame and its glass."""
        f = self.f
        solids = []
        for name, size, at, transparency in items:
            profile = f.createIfcRectangleProfileDef(
                "AREA", None, f.createIfcAxis2Placement2D(f.createIfcCartesianPoint((size[0] / 2, size[1] / 2))),
                float(size[0]), float(size[1]),
            )  # fmt: skip
            solid = f.createIfcExtrudedAreaSolid(
                profile,
                f.createIfcAxis2Placement3D(f.createIfcCartesianPoint(tuple(map(float, at)))),
                f.createIfcDirection((0.0, 0.0, 1.0)),
                float(size[2]),
            )
            colour = f.createIfcColourRgb(None, 0.5, 0.5, 0.5)
            shading = f.createIfcSurfaceStyleShading(colour, float(transparency))
            style = f.createIfcSurfaceStyle(name, "BOTH", [shading])
            f.createIfcStyledItem(solid, [style], None)
            solids.append(solid)
        rep = f.createIfcShapeRepresentation(self.context, "Body", "SweptSolid", solids)
        el = self.box(ifc_class, (1, 1, 1), geometry=False, **kw)
        el.Representation = f.createIfcProductDefinitionShape(None, None, [rep])
        return el

    def associate(self, element: Any, material: Any) -> None:
        self.f.createIfcRelAssociatesMaterial(
            ifcopenshell.guid.new(), None, None, None, [element], material
        )

    def aggregate(self, container: Any, parts: list[Any]) -> None:
        self.f.createIfcRelAggregates(ifcopenshell.guid.new(), None, None, None, container, parts)
        self.contained = [e for e in self.contained if e not in parts]

    def write(self, path: Path) -> Path:
        if self.contained:
            self.f.createIfcRelContainedInSpatialStructure(
                ifcopenshell.guid.new(), None, None, None, self.contained, self.storey
            )
            self.contained = []
        self.f.write(str(path))
        return path
