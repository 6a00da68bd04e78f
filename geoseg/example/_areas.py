"""Areas and districts of the example city: Voronoi cells on land, one area per island."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from geoseg.example._land import Land
from geoseg.example._names import area_names, district_names, island_names

__all__ = ["make_areas", "make_districts", "n_islands_for"]


def n_islands_for(n_areas: int) -> int:
    """Number of islands (one area each) in a city of ``n_areas`` areas."""
    return int(3 + 2.5 * np.sqrt(n_areas / 100.0))


def _density(land: Land, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Relative settlement density: high in the centre, lower in the outskirts."""
    cx, cy = land.centre
    d2 = (x - cx) ** 2 + (y - cy) ** 2
    return 1.0 + 2.5 * np.exp(-d2 / (2 * (0.22 * land.side) ** 2))


def _sample(poly: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = poly.bounds
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(2 * n, 2))
        xy = xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]
        out.append(xy)
        got += len(xy)
    return np.concatenate(out)[:n]


def _seeds(land: Land, poly: BaseGeometry, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` well-spread seed points: weighted k-means (Lloyd) on random points of ``poly``."""
    pts = _sample(poly, max(60 * k, 500), rng)
    w = _density(land, pts[:, 0], pts[:, 1])
    centres = pts[rng.choice(len(pts), size=k, replace=False, p=w / w.sum())]
    for _ in range(12):
        lab = cKDTree(centres).query(pts)[1]
        sw = np.bincount(lab, weights=w, minlength=k)
        ok = sw > 0
        cx = np.bincount(lab, weights=w * pts[:, 0], minlength=k)
        cy = np.bincount(lab, weights=w * pts[:, 1], minlength=k)
        centres[ok, 0] = cx[ok] / sw[ok]
        centres[ok, 1] = cy[ok] / sw[ok]
    return centres


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and g.area > 0]


def _cells(poly: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """Voronoi cells of ``seeds`` clipped to ``poly``; detached fragments join a neighbour."""
    vor = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=poly.envelope.buffer(1000.0), ordered=True
    )
    raw = shapely.intersection(shapely.get_parts(vor), poly)
    cells: list[BaseGeometry] = []
    orphans: list[Polygon] = []
    for geom, (sx, sy) in zip(raw, seeds, strict=True):
        parts = _polygons(geom)
        if not parts:
            cells.append(Polygon())
            continue
        inside = [p for p in parts if p.contains(shapely.Point(sx, sy))]
        main = inside[0] if inside else max(parts, key=lambda g: g.area)
        cells.append(main)
        orphans.extend(p for p in parts if p is not main)
    for piece in orphans:
        shared = [
            0.0 if c.is_empty else shapely.intersection(piece.boundary, c.boundary).length
            for c in cells
        ]
        j = int(np.argmax(shared))
        cells[j] = shapely.union(cells[j], piece)
    return cells


def make_areas(land: Land, n_areas: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Cut the land into about ``n_areas`` areas grouped in four districts.

    Parameters
    ----------
    land
        The city's land and water.
    n_areas
        Wanted number of areas (islands included).
    rng
        Random generator.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name``, ``district_code``, ``district_name``, ``geometry`` and the
        internal columns ``island`` (bool) and ``side`` (``"north"``/``"south"``), ordered by code.
    """
    n_main = n_areas - len(land.islands)
    seeds_n = _sample(land.north, 4000, rng)
    seeds_s = _sample(land.south, 4000, rng)
    mass_n = land.north.area * _density(land, seeds_n[:, 0], seeds_n[:, 1]).mean()
    mass_s = land.south.area * _density(land, seeds_s[:, 0], seeds_s[:, 1]).mean()
    k_n = int(np.clip(round(n_main * mass_n / (mass_n + mass_s)), 2, n_main - 2))
    rows: list[dict[str, object]] = []
    for side, poly, k in (("north", land.north, k_n), ("south", land.south, n_main - k_n)):
        seeds = _seeds(land, poly, k, rng)
        cells = _cells(poly, seeds)
        median_x = float(np.median(seeds[:, 0]))
        for cell, (sx, _) in zip(cells, seeds, strict=True):
            if cell.is_empty:
                continue
            east = sx >= median_x
            district = ("2" if east else "4") if side == "north" else ("1" if east else "3")
            rows.append({"district_code": district, "island": False, "side": side, "g": cell})
    mouth_y = float(land.river_line.coords[0][1])
    for isl in land.islands:
        side = "north" if isl.centroid.y > mouth_y else "south"
        rows.append(
            {
                "district_code": "4" if side == "north" else "3",
                "island": True,
                "side": side,
                "g": isl,
            }
        )
    geoms = shapely.set_precision(np.array([r["g"] for r in rows], dtype=object), 0.01)
    df = pd.DataFrame([{k: v for k, v in r.items() if k != "g"} for r in rows])
    gdf = gpd.GeoDataFrame(df, geometry=list(geoms), crs="EPSG:3006")
    cent = gdf.geometry.centroid
    gdf["_ny"] = -np.round(cent.y.to_numpy() / 500.0)
    gdf["_x"] = cent.x.to_numpy()
    gdf = gdf.sort_values(["district_code", "island", "_ny", "_x"], kind="stable")
    width = max(2, len(str(int(gdf["district_code"].value_counts().max()))))
    rank = gdf.groupby("district_code").cumcount() + 1
    gdf["code"] = [
        f"{int(d):02d}{r:0{width}d}" for d, r in zip(gdf["district_code"], rank, strict=True)
    ]
    taken: set[str] = set()
    isl = gdf["island"].to_numpy()
    names = np.empty(len(gdf), dtype=object)
    names[~isl] = area_names(int((~isl).sum()), rng, taken=taken)
    names[isl] = island_names(int(isl.sum()), rng, taken=taken)
    gdf["name"] = names
    gdf["district_name"] = gdf["district_code"].map(district_names())
    gdf = gdf.sort_values("code").reset_index(drop=True)
    cols = ["code", "name", "district_code", "district_name", "island", "side", "geometry"]
    return gdf[cols]


def make_districts(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve areas into districts (``district_code``, ``district_name``, ``geometry``)."""
    d = areas[["district_code", "district_name", "geometry"]].dissolve(
        by=["district_code", "district_name"], as_index=False
    )
    d["geometry"] = shapely.set_precision(d.geometry.values, 0.01)
    return d.sort_values("district_code").reset_index(drop=True)[
        ["district_code", "district_name", "geometry"]
    ]
