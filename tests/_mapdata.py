"""Synthetic inputs for the map, report and browser tests: a grid city in EPSG:3006."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.publish.maps import map_html

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


def _calls(html: str, function: str) -> list[tuple[str, list[Any]]]:
    """The JSON arguments of every ``geoseg.<function>(name, {...}, ...)`` call in a page.

    Returns ``(variable, [argument, ...])`` pairs in page order, where ``variable`` is the
    JavaScript variable the call is assigned to (``""`` when none) and the arguments are the
    JSON ones (a leading variable name, such as the map or data block, is passed over).
    """
    decoder = json.JSONDecoder()
    out = []
    pattern = re.compile(r"(?:var (\w+) = )?geoseg\." + function + r"\((?:\s*\w+,)?\s*")
    for match in pattern.finditer(html):
        args, at = [], match.end()
        while True:
            value, at = decoder.raw_decode(html, at)
            args.append(value)
            tail = re.compile(r"\s*,\s*").match(html, at)
            if tail is None:
                break
            at = tail.end()
        out.append((match.group(1) or "", args))
    return out


def layer_infos(m: Any) -> list[dict[str, Any]]:
    """The per-feature info of every geoseg layer of a folium map (``{key: [style, rows]}``).

    Read from the page the map renders to, in page order.
    """
    return [args[0] for _, args in _calls(map_html(m), "layer")]


def layer_names(m: Any) -> list[str]:
    """The names of the map's named geoseg layers as a reader sees them, in page order.

    A layer is named in the layer control and, when it has one, in its data table's label.
    """
    html = map_html(m)
    control = re.findall(r'("(?:[^"\\]|\\.)*") : (geoseg_layer_\w+),', html)
    tables = re.findall(r'data-layer="(geoseg_layer_\w+)"[^>]*aria-label="([^"]*)"', html)
    named = {var: unescape(json.loads(name)) for name, var in control}
    named |= {var: unescape(label) for var, label in tables}
    return [named[var] for var, _ in _calls(html, "layer") if var in named]


def legends(m: Any) -> list[list[dict[str, Any]]]:
    """The map's legends in page order, each a list of blocks ``{"title", "entries", "layer"}``."""
    return [args[0] for _, args in _calls(map_html(m), "legend")]


def area_shapes(m: Any) -> dict[str, Any]:
    """The first data block's geometry, decoded from the page (EPSG:4326), by feature key.

    The page's format is a GeoJSON FeatureCollection whose coordinates are integers at
    ``scale`` per degree, delta-encoded per ring (``[x0, y0, dx1, dy1, ...]``).
    """
    (_, (fc,)), *_ = _calls(map_html(m), "decode")
    scale = fc["scale"]

    def ring(flat: list[int]) -> np.ndarray:
        return np.cumsum(np.asarray(flat, dtype=float).reshape(-1, 2), axis=0) / scale

    out = {}
    for f in fc["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            rings = [ring(r) for r in g["coordinates"]]
            shape = shapely.Polygon(rings[0], rings[1:])
        elif g["type"] == "MultiPolygon":
            parts = [[ring(r) for r in p] for p in g["coordinates"]]
            shape = shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in parts])
        else:
            raise AssertionError(g["type"])
        out[f["properties"]["k"]] = shape
    return out


def row(info: dict[str, Any], code: str, label: str) -> Any:
    """The tooltip text of ``label`` for area ``code``."""
    for r in info[code][1]:
        if r[0] == label:
            return r[1]
    raise KeyError(label)
