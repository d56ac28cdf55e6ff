"""A deterministic village map for an invented county: Voronoi cells of seeded points.

`county_geojson(places)` gives every (township, village) a polygon: each township gets a sector
of a disc, each village a seeded point in its sector, and each village the part of the county
box nearer to its point than to any other (a Voronoi cell, computed by clipping the box with
the perpendicular bisectors: exact, no library). The demo ships its output for its own county
(`county.geojson` beside this file, written by `python -m queries.demo.county_map`); the benchmarks draw
maps of any size with it.
"""
from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

from ..outputs.village_map import DEMO_PATH

CENTRE = (111.30, 26.40)   # lon, lat: somewhere in Hunan, as the demo's 东安县
RADIUS = 0.12              # degrees of latitude; longitude is stretched by 1/cos(lat)


def _clip(polygon: list[tuple[float, float]], a: tuple, b: tuple) -> list[tuple[float, float]]:
    """The part of a convex polygon nearer to point a than to point b."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def side(p):  # <= 0: a's side of the bisector
        return (p[0] - mx) * nx + (p[1] - my) * ny

    kept = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        sp, sq = side(p), side(q)
        if sp <= 0:
            kept.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            kept.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return kept


def _points(places: list[tuple[str, str]], seed: int) -> list[tuple[float, float]]:
    """One point per village, the villages of a township together in its sector of the disc."""
    rng = random.Random(seed)
    townships = list(dict.fromkeys(t for t, _ in places))
    points = []
    for township, _ in places:
        index = townships.index(township)
        sector = 2 * math.pi / len(townships)
        angle = sector * (index + 0.1 + 0.8 * rng.random())
        distance = RADIUS * math.sqrt(0.05 + 0.95 * rng.random())
        points.append((distance * math.cos(angle), distance * math.sin(angle)))
    return points


def county_geojson(places: list[tuple[str, str]], seed: int = 7) -> dict:
    """A FeatureCollection with a polygon per (township, village), properties township and village.
    Rings are clockwise (as d3-geo and Plotly expect) and closed."""
    points = _points(places, seed)
    stretch = 1 / math.cos(math.radians(CENTRE[1]))
    box = [(-RADIUS, -RADIUS), (-RADIUS, RADIUS), (RADIUS, RADIUS), (RADIUS, -RADIUS)]   # clockwise
    features = []
    for i, (township, village) in enumerate(places):
        cell = box
        for j, other in enumerate(points):
            if j != i and cell:
                cell = _clip(cell, points[i], other)
        ring = [[round(CENTRE[0] + x * stretch, 5), round(CENTRE[1] + y, 5)] for x, y in cell]
        features.append({"type": "Feature", "properties": {"township": township, "village": village},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    return {"type": "FeatureCollection", "features": features}


def demo_places() -> list[tuple[str, str]]:
    from .county import VILLAGES
    return [(township, village) for township, villages in VILLAGES.items() for village, _, _ in villages]


def write_demo(path: Path = DEMO_PATH) -> None:
    path.write_text(json.dumps(county_geojson(demo_places()), ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")


if __name__ == "__main__":
    write_demo(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_PATH)
