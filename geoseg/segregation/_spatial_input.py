"""Input checks and geometry primitives shared by geoseg's spatial segregation indices.

Everything here works on a GeoDataFrame's geometry and count columns and returns plain NumPy
arrays; the index formulas live in :mod:`geoseg.segregation._spatial_cores`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from geoseg.errors import CRSError, DataError, InputError, ValidationError, format_codes

__all__ = [
    "adjacency",
    "cached",
    "centroids",
    "check_crs",
    "check_geometry",
    "count_columns",
    "knn_positions",
]

logger = logging.getLogger(__name__)

_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_CACHE_LOCK = threading.RLock()
_CACHE_SIZE = 8


def check_crs(gdf: gpd.GeoDataFrame, *, allow_geographic: bool, what: str = "areas") -> None:
    """Refuse a layer without CRS, or with a geographic CRS unless explicitly allowed."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        msg = (
            f"{what}: spatial segregation indices need a GeoDataFrame with polygons, got "
            f"{type(gdf).__name__}; read the areas with geoseg.io.read_boundaries."
        )
        raise InputError(msg)
    if gdf.crs is None:
        msg = (
            f"{what}: the layer has no CRS, so distances and areas have no unit; set it with "
            "gdf.set_crs(...) and reproject to a metric CRS such as EPSG:3006."
        )
        raise CRSError(msg)
    if gdf.crs.is_geographic and not allow_geographic:
        msg = (
            f"{what}: CRS {gdf.crs.to_string()} is geographic (degrees); spatial indices need "
            "metres. Reproject with gdf.to_crs('EPSG:3006') (or gdf.estimate_utm_crs()), or pass "
            "allow_geographic=True to compute on raw degrees on purpose."
        )
        raise CRSError(msg)


def check_geometry(gdf: gpd.GeoDataFrame, *, what: str = "areas") -> np.ndarray:
    """Return the geometry array, refusing missing or empty geometries (all listed at once)."""
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        codes = format_codes(gdf.index[bad])
        msg = (
            f"{what}: {int(bad.sum())} area(s) have a missing or empty geometry ({codes}); "
            "drop them or repair the boundaries before computing spatial indices."
        )
        raise ValidationError(what, [msg])
    if len(geoms) < 2:
        msg = f"{what}: spatial indices need at least two areas, got {len(geoms)}."
        raise DataError(msg)
    return geoms


def count_columns(
    gdf: pd.DataFrame,
    columns: Sequence[str],
    *,
    total: str | None = None,
    what: str = "areas",
) -> list[np.ndarray]:
    """Return the named count columns as float arrays after checking them all at once.

    Problems reported together: missing columns, missing values (NaN), negative counts, and (when
    ``total`` is given) groups larger than the total. The arrays are copies; the input is never
    modified.
    """
    names = [*columns, total] if total is not None else list(columns)
    missing = [c for c in dict.fromkeys(names) if c not in gdf.columns]
    if missing:
        have = ", ".join(map(str, gdf.columns[:20]))
        msg = f"{what}: column(s) {', '.join(map(repr, missing))} not found; available: {have}"
        raise InputError(msg)
    problems: list[str] = []
    arrays: dict[str, np.ndarray] = {}
    for col in dict.fromkeys(names):
        try:
            values = pd.to_numeric(gdf[col], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError):
            problems.append(f"column {col!r} is not numeric; convert it to numbers")
            continue
        nan = np.isnan(values)
        if nan.any():
            problems.append(
                f"column {col!r} has missing values in areas {format_codes(gdf.index[nan])}; "
                "fill them (e.g. 0 where nobody lives) or drop those areas"
            )
        neg = values < 0
        if neg.any():
            problems.append(
                f"column {col!r} has negative counts in areas {format_codes(gdf.index[neg])}"
            )
        arrays[col] = values
    if total is not None and total in arrays:
        t = arrays[total]
        for col in columns:
            if col in arrays and col != total:
                over = arrays[col] > t
                if over.any():
                    problems.append(
                        f"group column {col!r} exceeds total column {total!r} in areas "
                        f"{format_codes(gdf.index[over])}; check the total"
                    )
    if problems:
        raise ValidationError(what, problems)
    return [arrays[c] for c in names]


def centroids(geoms: np.ndarray) -> np.ndarray:
    """Planar centroids ``(n, 2)`` of the geometries, in the layer's CRS units."""
    return shapely.get_coordinates(shapely.centroid(geoms)).reshape(len(geoms), 2)


def adjacency(geoms: np.ndarray, *, shared_edge: bool) -> sparse.csr_matrix:
    """Symmetric contiguity matrix between polygons (diagonal zero).

    ``shared_edge=False`` gives queen contiguity (a shared boundary vertex, weight 1), built by
    libpysal's :meth:`libpysal.graph.Graph.build_contiguity` as the hotspot weights are;
    ``shared_edge=True`` gives the length of the shared boundary (rook pairs; weight 0 pairs
    dropped), measured with shapely because libpysal's perimeter weights refuse area layers
    whose polygons overlap by a sliver, as published boundaries often do.
    """
    n = len(geoms)
    if not shared_edge:
        if n < 2:
            return sparse.csr_matrix((n, n))
        from libpysal.graph import Graph

        adj = Graph.build_contiguity(gpd.GeoSeries(geoms), rook=False).adjacency
        focal = adj.index.get_level_values("focal").to_numpy(dtype=np.intp)
        neighbor = adj.index.get_level_values("neighbor").to_numpy(dtype=np.intp)
        pair = (focal != neighbor) & (adj.to_numpy() != 0)  # an isolate is a zero-weight loop
        ones = np.ones(int(pair.sum()))
        return sparse.csr_matrix((ones, (focal[pair], neighbor[pair])), shape=(n, n))
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    length = shapely.length(shapely.intersection(geoms[left], geoms[right]))
    ok = length > 0
    left, right, weight = left[ok], right[ok], length[ok]
    rows = np.concatenate([left, right])
    cols = np.concatenate([right, left])
    vals = np.concatenate([weight, weight])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))


def knn_positions(xy: np.ndarray, k: int) -> np.ndarray:
    """Positions ``(n, k)`` of each point's ``k`` nearest other points (Euclidean)."""
    n = len(xy)
    if not 1 <= k < n:
        msg = f"k={k} nearest neighbours needs 1 <= k < number of areas ({n})"
        raise InputError(msg)
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    out = np.empty((n, k), dtype=np.intp)
    for i in range(n):  # drop the point itself (not always first when points coincide)
        row = idx[i][idx[i] != i]
        out[i] = row[:k]
    return out


def _fingerprint(gdf: gpd.GeoDataFrame) -> str:
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.values, dtype=object))
    h = hashlib.sha1(usedforsecurity=False)
    h.update(str(gdf.crs).encode())
    for item in wkb:
        h.update(item)
    return h.hexdigest()


def cached(
    key: str, gdf: gpd.GeoDataFrame, build: Callable[[], dict[str, Any]], **options: Any
) -> dict[str, Any]:
    """Return ``build()`` memoised on the geometry's content, ``key`` and ``options``.

    Several indices share the same expensive context (distance matrices, contiguity); computing
    it once per geometry lets a batch run over many groups and years reuse it. The cache holds
    only a few recent geometries.
    """
    token = (key, _fingerprint(gdf), tuple(sorted((k, repr(v)) for k, v in options.items())))
    with _CACHE_LOCK:  # re-entrant: a build may use another cached context
        if token in _CACHE:
            _CACHE.move_to_end(token)
            return dict(_CACHE[token])
        ctx = build()
        for value in ctx.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
        _CACHE[token] = ctx
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return dict(ctx)
