"""Synthetic inputs for the map, report and browser tests: a grid city in EPSG:3006."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

INJECTED = "<img src=x onerror=alert(1)>"


def grid_areas(nx: int = 4, ny: int = 3, size: float = 500.0) -> gpd.GeoDataFrame:
    """``nx * ny`` square areas near Gothenburg, codes "0101".., one named with markup."""
    x0, y0 = 319000.0, 6400000.0
    codes, names, geoms = [], [], []
    for j in range(ny):
        for i in range(nx):
            codes.append(f"{j + 1:02d}{i + 1:02d}")
            names.append(f"Område {j}-{i} åäö")
            geoms.append(
                shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
            )
    names[0] = INJECTED
    gdf = gpd.GeoDataFrame(
        {"name": names}, geometry=geoms, index=pd.Index(codes, name="code"), crs="EPSG:3006"
    )
    return gdf


def voronoi_areas(n: int, *, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` Voronoi cells over a 20 km square (a city of ``n`` areas)."""
    rng = np.random.default_rng(seed)
    x0, y0, side = 310000.0, 6390000.0, 20000.0
    pts = shapely.points(rng.uniform(x0, x0 + side, n), rng.uniform(y0, y0 + side, n))
    box = shapely.box(x0, y0, x0 + side, y0 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box))
    cells = shapely.intersection(cells, box)
    # densify edges as real boundaries have many vertices
    cells = shapely.segmentize(cells, 25.0)
    codes = [f"{i:05d}" for i in range(len(cells))]
    return gpd.GeoDataFrame(
        {"name": [f"Cell {c}" for c in codes]},
        geometry=cells,
        index=pd.Index(codes, name="code"),
        crs="EPSG:3006",
    )


def layer_infos(m: Any) -> list[dict[str, Any]]:
    """The per-feature info of every geoseg layer of a folium map (``{key: [style, rows]}``)."""
    from geoseg.publish.maps._elements import GeoLayer

    return [json.loads(c.info_json) for c in m._children.values() if isinstance(c, GeoLayer)]


def layer_names(m: Any) -> list[str]:
    from geoseg.publish.maps._elements import GeoLayer

    return [c.layer_name for c in m._children.values() if isinstance(c, GeoLayer)]


def row(info: dict[str, Any], code: str, label: str) -> Any:
    """The tooltip text of ``label`` for area ``code``."""
    for r in info[code][1]:
        if r[0] == label:
            return r[1]
    raise KeyError(label)
