"""Population grid of the example city: persons per 100 m cell, consistent with the registers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from affine import Affine

from geoseg.example._land import PARK, Land

__all__ = ["CELL", "UNITS", "make_grid", "write_grid"]

#: Cell size, metres.
CELL = 100.0
#: Persons are spread in units of 1/UNITS, exactly representable in float32, so that sums are exact.
UNITS = 16


def make_grid(
    areas: gpd.GeoDataFrame, population: np.ndarray, land: Land, rng: np.random.Generator
) -> np.ndarray:
    """Spread each area's population over the cells whose centres lie in it.

    Parameters
    ----------
    areas
        Areas (row order matches ``population``).
    population
        Persons per area (integers, the latest register year).
    land
        Land and water (frame and parks).
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        ``float32`` array (rows from north to south) of persons per cell; 0 where nobody lives.

    Notes
    -----
    Each area's persons are cut into ``1/UNITS`` parts and shared among its cells by random
    weights (lower in parks) with largest-remainder rounding, so the cells of an area sum exactly
    to its population.
    """
    xmin, ymin, xmax, ymax = land.bounds
    ncol, nrow = round((xmax - xmin) / CELL), round((ymax - ymin) / CELL)
    cx = xmin + CELL / 2 + CELL * np.arange(ncol)
    cy = ymax - CELL / 2 - CELL * np.arange(nrow)
    X, Y = np.meshgrid(cx, cy)
    pts = shapely.points(X.ravel(), Y.ravel())
    tree = shapely.STRtree(areas.geometry.to_numpy())
    p_idx, a_idx = tree.query(pts, predicate="within")
    weight = rng.gamma(2.0, 1.0, p_idx.size) * np.where(
        land.green(X.ravel()[p_idx], Y.ravel()[p_idx]) > PARK, 0.05, 1.0
    )
    values = np.zeros(X.size, np.float64)
    order = np.argsort(a_idx, kind="stable")
    p_idx, a_idx, weight = p_idx[order], a_idx[order], weight[order]
    bounds = np.searchsorted(a_idx, np.arange(len(areas) + 1))
    missing = []
    for k in range(len(areas)):
        lo, hi = bounds[k], bounds[k + 1]
        if hi == lo:
            missing.append(k)
            continue
        units = int(population[k]) * UNITS
        w = weight[lo:hi] / weight[lo:hi].sum()
        raw = units * w
        base = np.floor(raw)
        rest = units - int(base.sum())
        base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
        values[p_idx[lo:hi]] = base / UNITS
    if missing:  # pragma: no cover - every generated area holds several cell centres
        msg = f"example city: areas without a grid cell centre: {missing}"
        raise RuntimeError(msg)
    return values.reshape(nrow, ncol).astype(np.float32)


def write_grid(grid: np.ndarray, land: Land, path: Path) -> None:
    """Write the grid as a single-band float32 GeoTIFF (EPSG:3006, nodata 0)."""
    xmin, _, _, ymax = land.bounds
    profile = {
        "driver": "GTiff",
        "width": grid.shape[1],
        "height": grid.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:3006",
        "transform": Affine(CELL, 0.0, xmin, 0.0, -CELL, ymax),
        "nodata": 0.0,
        "compress": "deflate",
        "predictor": 3,
        "tiled": False,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid, 1)
        dst.update_tags(
            1, description="persons per 100 m cell, latest register year (fictional data)"
        )
