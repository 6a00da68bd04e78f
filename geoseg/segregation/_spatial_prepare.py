"""Geometry preparation of geoseg's spatial single-group indices.

The ``prepare_*`` functions compute the geometry context of a layer once (and memoise it on the
geometry's content): areas and their orders, the order by distance to a centre, distance-decay
proximity, contiguity and shared-boundary weights as edge lists, contiguity path lengths and
kernel weights. Their results are the keyword context of the index cores in
:mod:`geoseg.segregation._spatial_cores`, so permutation inference only repeats the cheap array
algebra.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from geoseg.errors import InputError
from geoseg.segregation._spatial_input import (
    adjacency,
    cached,
    centroids,
    check_crs,
    check_geometry,
)
from geoseg.segregation._spatial_matrices import DecayProducts, decay_matrix, hop_matrix

__all__ = [
    "CENTERS",
    "KERNELS",
    "prepare_area",
    "prepare_boundary",
    "prepare_center",
    "prepare_contiguity",
    "prepare_decay",
    "prepare_hops",
    "prepare_kernel",
    "prepare_perimeter_area",
]

logger = logging.getLogger(__name__)

CENTERS = ("mean", "median", "population_weighted_mean", "largest_population")
KERNELS = ("triangular", "uniform", "quadratic", "quartic", "gaussian")


def _layer(gdf: gpd.GeoDataFrame, allow_geographic: bool) -> np.ndarray:
    check_crs(gdf, allow_geographic=allow_geographic)
    return check_geometry(gdf)


def prepare_area(gdf: gpd.GeoDataFrame, *, allow_geographic: bool = False) -> dict[str, Any]:
    """Areas of the polygons and their ascending / descending orders."""
    geoms = _layer(gdf, allow_geographic)

    def build() -> dict[str, Any]:
        area = shapely.area(geoms).astype(float)
        return {
            "area": area,
            "ascending": np.argsort(area, kind="stable"),
            "descending": np.argsort(-area, kind="stable"),
        }

    return cached("area", gdf, build)


def _center_point(xy: np.ndarray, center: Any, weights: np.ndarray | None) -> np.ndarray:
    if isinstance(center, str):
        if center not in CENTERS:
            msg = f"center={center!r} is unknown; use one of {', '.join(CENTERS)} or an (x, y) pair"
            raise InputError(msg)
        if center == "mean":
            return xy.mean(axis=0)
        if center == "median":
            return np.median(xy, axis=0)
        if weights is None:
            msg = f"center={center!r} needs the totals: pass total=<column name> to prepare"
            raise InputError(msg)
        if center == "population_weighted_mean":
            return np.average(xy, axis=0, weights=weights)
        return xy[weights == weights.max()].mean(axis=0)
    point = np.asarray(center, dtype=float)
    if point.shape != (2,) or not np.isfinite(point).all():
        msg = f"center={center!r} must be one of {', '.join(CENTERS)} or a finite (x, y) pair"
        raise InputError(msg)
    return point


def prepare_center(
    gdf: gpd.GeoDataFrame,
    *,
    center: Any = "mean",
    total: Any = None,
    allow_geographic: bool = False,
) -> dict[str, Any]:
    """Order of the areas by centroid distance to the centre, plus their areas.

    ``total`` (a column name or an array) is needed only for the population-based centres; the
    centre is then fixed from these observed totals.
    """
    geoms = _layer(gdf, allow_geographic)
    weights = None
    if total is not None:
        weights = np.asarray(gdf[total] if isinstance(total, str) else total, dtype=float)
    xy = centroids(geoms)
    point = _center_point(xy, center, weights)
    dist = np.hypot(xy[:, 0] - point[0], xy[:, 1] - point[1])
    area = prepare_area(gdf, allow_geographic=allow_geographic)["area"]
    return {"order": np.argsort(dist, kind="stable"), "area": area, "center": point}


def prepare_decay(
    gdf: gpd.GeoDataFrame,
    *,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> dict[str, Any]:
    """Distance-decay proximity matrix ``c`` between the areas (pysal/segregation convention).

    ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d`` the centroid distances and ``S_j`` the sum of the
    distances from area ``j``; ``c_ii = 1 - exp(-(alpha * a_i) ** beta)`` with ``a_i`` the area.
    """
    if alpha < 0 or beta < 0:
        msg = f"alpha and beta must be non-negative, got alpha={alpha}, beta={beta}"
        raise InputError(msg)
    geoms = _layer(gdf, allow_geographic)

    def build() -> dict[str, Any]:
        area = prepare_area(gdf, allow_geographic=allow_geographic)["area"]
        c = decay_matrix(centroids(geoms), -np.expm1(-((alpha * area) ** beta)))
        colsum = c.sum(axis=0)
        total = float(colsum.sum())
        return {"c": c, "c_colsum": colsum, "c_total": total, "products": DecayProducts()}

    return cached("decay", gdf, build, alpha=alpha, beta=beta)


def _edges(w: sparse.spmatrix) -> dict[str, Any]:
    coo = sparse.coo_matrix(w)
    keep = coo.data != 0
    return {"rows": coo.row[keep], "cols": coo.col[keep], "weight": coo.data[keep]}


def _row_standardize(w: sparse.csr_matrix) -> sparse.csr_matrix:
    rs = np.asarray(w.sum(axis=1)).ravel()
    inv = np.divide(1.0, rs, out=np.zeros_like(rs), where=rs > 0)
    return sparse.diags(inv) @ w


def prepare_contiguity(
    gdf: gpd.GeoDataFrame, *, standardize: bool = False, allow_geographic: bool = False
) -> dict[str, Any]:
    """Queen contiguity (shared boundary point) as an edge list, optionally row-standardised."""
    geoms = _layer(gdf, allow_geographic)
    w = cached("queen", gdf, lambda: {"w": adjacency(geoms, shared_edge=False)})["w"]
    if standardize:
        w = _row_standardize(w)
    ctx = _edges(w)
    ctx["weight"] = ctx["weight"] / ctx["weight"].sum()
    return ctx


def _boundary(gdf: gpd.GeoDataFrame, geoms: np.ndarray) -> sparse.csr_matrix:
    return cached("boundary", gdf, lambda: {"w": adjacency(geoms, shared_edge=True)})["w"]


def prepare_boundary(
    gdf: gpd.GeoDataFrame, *, standardize: bool = True, allow_geographic: bool = False
) -> dict[str, Any]:
    """Shared-boundary-length weights as an edge list, normalised to sum to one."""
    geoms = _layer(gdf, allow_geographic)
    w = _boundary(gdf, geoms)
    if standardize:
        w = _row_standardize(w)
    ctx = _edges(w)
    ctx["weight"] = ctx["weight"] / ctx["weight"].sum()
    return ctx


def prepare_perimeter_area(
    gdf: gpd.GeoDataFrame, *, standardize: bool = True, allow_geographic: bool = False
) -> dict[str, Any]:
    """Shared-boundary weights times the perimeter/area terms of Wong (1993)."""
    geoms = _layer(gdf, allow_geographic)
    w = _boundary(gdf, geoms)
    ctx = _edges(w)
    if standardize:
        ctx["weight"] = ctx["weight"] / ctx["weight"].sum()
    ratio = shapely.length(geoms) / shapely.area(geoms)
    pa = ratio[ctx["rows"]] + ratio[ctx["cols"]]
    ctx["weight"] = ctx["weight"] * pa / (2.0 * ratio.max())
    return ctx


def prepare_hops(
    gdf: gpd.GeoDataFrame, *, m: int = 1000, allow_geographic: bool = False
) -> dict[str, Any]:
    """Queen-contiguity path lengths (number of steps) and connected components."""
    if int(m) < 2:
        msg = f"m (number of thresholds) must be at least 2, got {m}"
        raise InputError(msg)
    geoms = _layer(gdf, allow_geographic)

    def build() -> dict[str, Any]:
        w = cached("queen", gdf, lambda: {"w": adjacency(geoms, shared_edge=False)})["w"]
        steps, component = hop_matrix(w)
        return {"steps": steps, "component": component}

    ctx = cached("hops", gdf, build)
    ctx["grid"] = np.linspace(0.0, 1.0, int(m))
    return ctx


def _kernel_values(z: np.ndarray, function: str) -> np.ndarray:
    if function == "triangular":
        return 1.0 - z
    if function == "uniform":
        return np.full_like(z, 0.5)
    if function == "quadratic":
        return 0.75 * (1.0 - z**2)
    if function == "quartic":
        return (15.0 / 16.0) * (1.0 - z**2) ** 2
    return (2.0 * np.pi) ** -0.5 * np.exp(-(z**2) / 2.0)


def prepare_kernel(
    gdf: gpd.GeoDataFrame,
    *,
    distance: float | None = None,
    function: str = "triangular",
    allow_geographic: bool = False,
) -> dict[str, Any]:
    """Fixed-bandwidth kernel between centroids (diagonal 1), or none for the aspatial form."""
    if function not in KERNELS:
        msg = f"function={function!r} is unknown; use one of {', '.join(KERNELS)}"
        raise InputError(msg)
    if distance is None:
        return {"kernel": None}
    if not distance > 0:
        msg = f"distance must be a positive bandwidth in CRS units, got {distance}"
        raise InputError(msg)
    geoms = _layer(gdf, allow_geographic)

    def build() -> dict[str, Any]:
        xy = centroids(geoms)
        n = len(xy)
        pairs = cKDTree(xy).query_pairs(float(distance), output_type="ndarray")
        i, j = pairs[:, 0], pairs[:, 1]
        z = np.hypot(*(xy[i] - xy[j]).T) / float(distance)
        v = _kernel_values(z, function)
        rows = np.concatenate([i, j, np.arange(n)])
        cols = np.concatenate([j, i, np.arange(n)])
        vals = np.concatenate([v, v, np.ones(n)])
        return {"kernel": sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))}

    return cached("kernel", gdf, build, distance=float(distance), function=function)
