"""Land and water of the example city: a sea coast in the west, islands, a river splitting it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry

__all__ = ["CENTRE", "PARK", "Land", "make_land"]

#: Centre of the fictional city in SWEREF 99 TM (near a west-coast river mouth).
CENTRE = (319_000.0, 6_400_000.0)
#: Mean land area of one area, square metres.
AREA_M2 = 1.4e6
#: Share of the frame that is land (the rest is sea and river).
LAND_SHARE = 0.8
#: Threshold of :meth:`Land.green` above which land is park or wood.
PARK = 1.2


@dataclass(frozen=True)
class Land:
    """Geometry of the city's land and water (EPSG:3006, metres).

    Attributes
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the frame, multiples of 100 m.
    side
        Frame side length in metres.
    sea
        Sea polygon (islands cut out).
    river
        River polygon (land part only; its mouth ends in the sea).
    north, south
        The two mainland pieces the river separates.
    islands
        Island polygons, one area each.
    river_line
        The river's centre line (for which-side tests).
    centre
        The dense city centre, on the south bank.
    """

    bounds: tuple[float, float, float, float]
    side: float
    sea: BaseGeometry
    river: BaseGeometry
    north: Polygon
    south: Polygon
    islands: list[Polygon]
    river_line: LineString
    centre: tuple[float, float]
    river_width: float
    green_k: np.ndarray
    green_phase: np.ndarray

    @property
    def water(self) -> BaseGeometry:
        """Sea and river together."""
        return shapely.union(self.sea, self.river)

    @property
    def land(self) -> BaseGeometry:
        """All land (mainland and islands)."""
        return shapely.union_all([self.north, self.south, *self.islands])

    def green(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """A smooth field with mean 0 and variance 1; parks and woods lie above ``PARK``."""
        xy = np.column_stack([np.ravel(x), np.ravel(y)])
        waves = np.cos(xy @ self.green_k.T + self.green_phase)
        return (waves.sum(axis=1) / np.sqrt(len(self.green_phase) / 2.0)).reshape(np.shape(x))

    def river_y(self, x: np.ndarray) -> np.ndarray:
        """The river centre line's northing at eastings ``x``."""
        coords = np.asarray(self.river_line.coords)
        return np.interp(x, coords[:, 0], coords[:, 1])


def _frame(n_areas: int) -> tuple[float, float, float, float, float]:
    side = math.sqrt(n_areas * AREA_M2 / LAND_SHARE)
    side = math.ceil(side / 200.0) * 200.0
    xmin = round((CENTRE[0] - side / 2) / 100.0) * 100.0
    ymin = round((CENTRE[1] - side / 2) / 100.0) * 100.0
    return xmin, ymin, xmin + side, ymin + side, side


def _coast_x(y: np.ndarray, xmin: float, ymin: float, side: float, ph: np.ndarray) -> np.ndarray:
    t = (y - ymin) / side
    return (
        xmin
        + 0.18 * side
        + 0.025 * side * np.sin(2 * np.pi * t / 0.55 + ph[0])
        + 0.012 * side * np.sin(2 * np.pi * t / 0.23 + ph[1])
    )


def _island(cx: float, cy: float, r0: float, rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0.0, 2 * np.pi, 40, endpoint=False)
    a, b = rng.uniform(0, 2 * np.pi, 2)
    r = r0 * (1 + 0.2 * np.sin(2 * theta + a) + 0.1 * np.sin(3 * theta + b))
    return Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)]))


def make_land(n_areas: int, n_islands: int, rng: np.random.Generator) -> Land:
    """Draw the frame, coast, river and islands for a city of ``n_areas`` areas.

    Parameters
    ----------
    n_areas
        Number of areas the city will have (sets the frame size).
    n_islands
        Number of islands in the sea.
    rng
        Random generator (consumed deterministically).

    Returns
    -------
    Land
        The land and water geometry.
    """
    xmin, ymin, xmax, ymax, side = _frame(n_areas)
    frame = box(xmin, ymin, xmax, ymax)
    ph = rng.uniform(0, 2 * np.pi, 4)

    ys = np.linspace(ymin - 10, ymax + 10, 400)
    coast = np.column_stack([_coast_x(ys, xmin, ymin, side, ph), ys])
    sea_region = Polygon([(xmin - 10, ymin - 10), *map(tuple, coast), (xmin - 10, ymax + 10)])
    sea_region = shapely.intersection(sea_region, frame)

    width = float(np.clip(0.02 * side, 150.0, 400.0))
    mouth_x = float(_coast_x(np.array([ymin + side / 2]), xmin, ymin, side, ph)[0])
    xs = np.linspace(mouth_x - 0.06 * side, xmax + 10, 500)
    t = (xs - xmin) / side
    yr = (
        ymin
        + 0.5 * side
        + 0.05 * side * np.sin(2 * np.pi * t / 0.7 + ph[2])
        + 0.02 * side * np.sin(2 * np.pi * t / 0.27 + ph[3])
    )
    river_line = LineString(np.column_stack([xs, yr]))
    band = shapely.intersection(river_line.buffer(width / 2, cap_style="flat"), frame)

    mainland = shapely.difference(shapely.difference(frame, sea_region), band)
    parts = sorted(shapely.get_parts(mainland), key=lambda g: -g.area)
    if len(parts) < 2:  # pragma: no cover - the river always reaches the east edge
        msg = "example city: the river does not split the mainland; try another seed."
        raise RuntimeError(msg)
    a, b = parts[0], parts[1]
    ry = np.interp([a.centroid.x], xs, yr)[0]
    north, south = (a, b) if a.centroid.y > ry else (b, a)
    leftovers = list(parts[2:])

    # islands in the sea, clear of the coast, the frame edge, the river mouth and each other
    islands: list[Polygon] = []
    r_lo, r_hi = max(160.0, 0.02 * side), max(220.0, 0.05 * side)
    radii = np.sort(rng.uniform(r_lo, r_hi, n_islands))[::-1]
    keep_clear = shapely.union_all([band.buffer(150.0), frame.exterior.buffer(60.0)])
    coast_line = LineString(coast)
    for r0 in radii:
        for _ in range(4000):
            cx = rng.uniform(xmin, xmin + 0.2 * side)
            cy = rng.uniform(ymin, ymax)
            isl = _island(cx, cy, r0, rng)
            if not sea_region.contains(isl) or isl.intersects(keep_clear):
                continue
            if isl.distance(coast_line) < 150.0:
                continue
            if any(isl.distance(o) < 150.0 for o in islands):
                continue
            islands.append(isl)
            break
    islands = [shapely.set_precision(i, 0.01) for i in islands]

    sea = shapely.difference(sea_region, shapely.union_all(islands)) if islands else sea_region
    if leftovers:
        sea = shapely.union(sea, shapely.union_all(leftovers))
    river = shapely.difference(band, sea_region)
    wavelength = rng.uniform(1200.0, 3000.0, 8)
    angle = rng.uniform(0, np.pi, 8)
    green_k = np.column_stack([np.cos(angle), np.sin(angle)]) * (2 * np.pi / wavelength)[:, None]
    centre_x = xmin + 0.62 * side
    centre = (centre_x, float(np.interp(centre_x, xs, yr)) - 0.08 * side)
    return Land(
        bounds=(xmin, ymin, xmax, ymax),
        side=side,
        sea=shapely.set_precision(sea, 0.01),
        river=shapely.set_precision(river, 0.01),
        north=shapely.set_precision(north, 0.01),
        south=shapely.set_precision(south, 0.01),
        islands=islands,
        river_line=river_line,
        centre=centre,
        river_width=width,
        green_k=green_k,
        green_phase=rng.uniform(0, 2 * np.pi, len(green_k)),
    )
