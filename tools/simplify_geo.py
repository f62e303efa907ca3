"""Simplify the département and région boundaries shipped with the package.

The maps of :mod:`spie_occitanie.plot` draw boundaries from small GeoJSON
files in ``src/spie_occitanie/geo/``. They are made from the reference copies
in the shared data folder (IGN GEOFLA 2016 via france-geojson, Licence
Ouverte; see ``src/spie_occitanie/geo/README.md``) by this script:

    python tools/simplify_geo.py [--source ../shared/data/geo]

Coordinates are rounded to 4 decimals (about 10 m) and every boundary is
simplified with Douglas-Peucker. A border shared by two départements is
simplified once, as one arc between the points where three boundaries meet,
so neighbours still fit edge to edge with no gap or overlap. The output is
deterministic: the same input always gives the same bytes, and
``tests/test_plot.py`` fails when the shipped files drift from this script.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys

from collections.abc import Sequence
from pathlib import Path
from typing import Any


ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "geo"
TARGET = ROOT / "src" / "spie_occitanie" / "geo"

Point = tuple[float, float]
Ring = list[Point]

#: Output file -> (source file, tolerance in degrees of latitude).
#: The Occitanie map is drawn larger, so it keeps more detail (about 300 m);
#: the whole of France is drawn smaller (about 1.5 km, under a pixel).
FILES: dict[str, tuple[str, float]] = {
    "occitanie-departements.geojson": ("departements-occitanie.geojson", 0.003),
    "france-departements.geojson": ("departements-france-simplifie.geojson", 0.015),
    "france-regions.geojson": ("regions-france-simplifie.geojson", 0.015),
}

#: Longitude degrees are shorter than latitude degrees: cos(46.5°), mid-France.
X_SCALE = math.cos(math.radians(46.5))


def _round(point: Sequence[float]) -> Point:
    return (round(float(point[0]), 4), round(float(point[1]), 4))


def _rings(geometry: dict[str, Any]) -> list[list[Ring]]:
    """A Polygon or MultiPolygon as a list of polygons, each a list of open rings."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    result = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points: Ring = []
            for point in ring:
                rounded = _round(point)
                if not points or points[-1] != rounded:
                    points.append(rounded)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) >= 3:
                rings.append(points)
        if rings:
            result.append(rings)
    return result


def _distance(point: Point, start: Point, end: Point) -> float:
    """Distance from ``point`` to the segment ``start``-``end``, longitude scaled."""
    px, py = point[0] * X_SCALE, point[1]
    ax, ay = start[0] * X_SCALE, start[1]
    bx, by = end[0] * X_SCALE, end[1]
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """The points of a polyline that keep it within ``tolerance``; the ends always stay."""
    if len(points) <= 2:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > farthest:
                farthest, index = d, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _simplify_arc(arc: list[Point], tolerance: float) -> list[Point]:
    """Simplify one arc the same way whichever way round a ring walks it."""
    backwards = arc[::-1]
    if backwards < arc:
        return douglas_peucker(backwards, tolerance)[::-1]
    return douglas_peucker(arc, tolerance)


def simplify(features: list[tuple[str, str, list[list[Ring]]]], tolerance: float) -> list[list[list[Ring]]]:
    """Simplify every ring, keeping shared borders identical in both neighbours.

    A point is a junction when the set of rings through it differs from the set
    through one of its neighbours, in any ring: there a border starts or ends.
    Between two junctions a border is one arc, the same points in every ring
    that has it, and it is simplified once.
    """
    members: dict[Point, set[int]] = {}
    all_rings = [ring for _, _, polygons in features for polygon in polygons for ring in polygon]
    for number, ring in enumerate(all_rings):
        for point in ring:
            members.setdefault(point, set()).add(number)
    junctions: set[Point] = set()
    for ring in all_rings:
        for i, point in enumerate(ring):
            if members[point] != members[ring[i - 1]] or members[point] != members[ring[(i + 1) % len(ring)]]:
                junctions.add(point)
    result = []
    for _, _, polygons in features:
        simplified_polygons = []
        for polygon in polygons:
            simplified_rings = []
            for ring in polygon:
                simple = _simplify_ring(ring, junctions, tolerance)
                if len(simple) >= 3:
                    simplified_rings.append(simple)
            if simplified_rings:
                simplified_polygons.append(simplified_rings)
        result.append(simplified_polygons)
    return result


def _simplify_ring(ring: Ring, junctions: set[Point], tolerance: float) -> Ring:
    cuts = [i for i, point in enumerate(ring) if point in junctions]
    if not cuts:
        # An island or a ring no one shares: cut it at its first point and the
        # point farthest from it, so it keeps at least a triangle.
        far = max(range(len(ring)), key=lambda i: (_distance(ring[i], ring[0], ring[0]), -i))
        cuts = [0, far] if far else [0]
    start = cuts[0]
    walk = ring[start:] + ring[:start]
    cuts = [c - start for c in cuts] + [len(ring)]
    closed = [*walk, walk[0]]
    simple: Ring = []
    for first, last in itertools.pairwise(cuts):
        arc = _simplify_arc(closed[first : last + 1], tolerance)
        simple.extend(arc[:-1])
    return simple


def _geometry(polygons: list[list[Ring]]) -> dict[str, Any]:
    closed = [[[list(p) for p in [*ring, ring[0]]] for ring in polygon] for polygon in polygons]
    if len(closed) == 1:
        return {"type": "Polygon", "coordinates": closed[0]}
    return {"type": "MultiPolygon", "coordinates": closed}


def build(source: Path, tolerance: float) -> str:
    """The simplified GeoJSON text of one source file, features in code order."""
    document = json.loads(source.read_text(encoding="utf-8"))
    features = sorted(
        (
            (str(f["properties"]["code"]), str(f["properties"]["nom"]), _rings(f["geometry"]))
            for f in document["features"]
        ),
        key=lambda feature: feature[0],
    )
    simplified = simplify(features, tolerance)
    out = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "nom": name},
                "geometry": _geometry(polygons),
            }
            for (code, name, _), polygons in zip(features, simplified, strict=True)
        ],
    }
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write every simplified file into the package."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--source", type=Path, default=SOURCE, help=f"the reference GeoJSON (default {SOURCE})"
    )
    parser.add_argument("--target", type=Path, default=TARGET, help=f"where to write (default {TARGET})")
    args = parser.parse_args(argv)
    args.target.mkdir(parents=True, exist_ok=True)
    for name, (source, tolerance) in FILES.items():
        text = build(args.source / source, tolerance)
        (args.target / name).write_text(text, encoding="utf-8")
        sys.stdout.write(f"{name}: {len(text.encode()):,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
