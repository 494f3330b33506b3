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


@dataclass
class GeometryResult:
    volumes_m3: dict[int, float] = field(default_factory=dict)  # element id -> m3
    rejected: dict[int, str] = field(default_factory=dict)  # element id -> reason
    #: the longest and the shortest side of the element's bounding box in its own
    #: placement (m): the length of a beam, the thickness of a slab or a wall
    length_m: dict[int, float] = field(default_factory=dict)
    thickness_m: dict[int, float] = field(default_factory=dict)
    failed: bool = False  # the kernel could not run at all


def element_volumes(model: Any, elements: list[Any], threads: int = 1) -> GeometryResult:
    """Volumes of `elements` (those with a body representation)."""
    import ifcopenshell.geom
    import ifcopenshell.util.shape as us

    result = GeometryResult()
    if not elements:
        return result
    settings = ifcopenshell.geom.settings()  # type: ignore[no-untyped-call]
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
