"""Solid volumes of IFC elements from ifcopenshell's geometry kernel (in m3).

The kernel triangulates each element's body (openings subtracted, in SI units whatever
the model's units) and the volume is that of the closed mesh (divergence theorem). A mesh
that is not closed or is badly oriented gives a number that means nothing: a volume larger
than the element's bounding box, or not above zero, is dropped (the element then falls
back to the next source) and counted in `GeometryResult.rejected`.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StyleVolume:
    """The part of an element's mesh drawn in one style: a window's glass and its sash."""

    name: str
    transparency: float
    volume_m3: float
    area_m2: float


@dataclass
class GeometryResult:
    volumes_m3: dict[int, float] = field(default_factory=dict)  # element id -> m3
    rejected: dict[int, str] = field(default_factory=dict)  # element id -> reason
    #: the longest and the shortest side of the element's bounding box in its own
    #: placement (m): the length of a beam, the thickness of a slab or a wall
    length_m: dict[int, float] = field(default_factory=dict)
    thickness_m: dict[int, float] = field(default_factory=dict)
    #: per element with more than one surface style: (style or material name,
    #: transparency, volume m3, surface area m2) of the faces of each style
    styles: dict[int, list[StyleVolume]] = field(default_factory=dict)
    failed: bool = False  # the kernel could not run at all


def element_volumes(model: Any, elements: list[Any], threads: int = 1) -> GeometryResult:
    """Volumes of `elements` (those with a body representation)."""
    import ifcopenshell.geom
    import ifcopenshell.util.shape as us

    result = GeometryResult()
    if not elements:
        return result
    settings = ifcopenshell.geom.settings()  # type: ignore[no-untyped-call]
    # styles named after their materials (or the style's own name), not by entity id
    settings.set("use-material-names", True)
    threads = max(1, min(threads, multiprocessing.cpu_count()))
    try:
        iterator = ifcopenshell.geom.iterator(settings, model, threads, include=elements)
        ok = iterator.initialize()
    except Exception:
        result.failed = True
        return result
    if not ok:
        return result
    while True:
        try:
            shape = iterator.get()  # type: ignore[no-untyped-call]
        except Exception:  # the kernel gave up on the rest: keep what was measured
            result.failed = not result.volumes_m3
            break
        _record(result, shape, us)
        try:
            more = iterator.next()
        except Exception:
            break
        if not more:
            break
    return result


def _record(result: GeometryResult, shape: Any, us: Any) -> None:
    """The volume, length and thickness of one triangulated element, or why not."""
    try:
        geometry = shape.geometry
        volume = float(us.get_volume(geometry))
        lo, hi = us.get_bbox(us.get_vertices(geometry))
        sides = sorted(float(hi[i] - lo[i]) for i in range(3))
        box = sides[0] * sides[1] * sides[2]
    except Exception:
        volume, box, sides = 0.0, 0.0, [0.0, 0.0, 0.0]
    if volume <= 0:
        result.rejected[shape.id] = "no closed volume"
    elif volume > box * 1.001 + 1e-9:
        result.rejected[shape.id] = (
            f"mesh volume {volume:.3f} m3 larger than its bounding box ({box:.3f} m3)"
        )
    else:
        result.volumes_m3[shape.id] = volume
        result.length_m[shape.id] = sides[2]
        result.thickness_m[shape.id] = sides[0]
    if box > 0 and len(getattr(shape.geometry, "materials", ()) or ()) > 1:
        styles = _style_volumes(shape.geometry, box)
        if styles:
            result.styles[shape.id] = styles


def _style_volumes(geometry: Any, box: float) -> list[StyleVolume]:
    """Volume (divergence theorem over the faces of each style) and surface area of each
    style's faces; styles whose faces do not close a plausible volume are left out."""
    import numpy as np

    try:
        verts = np.asarray(geometry.verts, dtype=float).reshape(-1, 3)
        faces = np.asarray(geometry.faces, dtype=np.int64).reshape(-1, 3)
        ids = np.asarray(geometry.material_ids, dtype=np.int64)
        materials = list(geometry.materials)
    except Exception:
        return []
    if len(ids) != len(faces):
        return []
    out = []
    for i, style in enumerate(materials):
        tri = faces[ids == i]
        if not len(tri):
            continue
        a, b, c = verts[tri[:, 0]], verts[tri[:, 1]], verts[tri[:, 2]]
        volume = float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)
        area = float(np.linalg.norm(np.cross(b - a, c - a), axis=1).sum() / 2.0)
        if 0 < volume <= box * 1.001:
            transparency = float(getattr(style, "transparency", 0.0) or 0.0)
            if transparency != transparency:  # NaN: not set
                transparency = 0.0
            out.append(StyleVolume(str(style.name), transparency, volume, area))
    return out
