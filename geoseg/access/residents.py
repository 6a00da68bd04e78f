"""Where residents live: points inside each area carrying that area's register counts.

Three sources, best first: a population grid (cell-centre points with a ``population``
column), residential building footprints (weighted by dwellings, floor area or footprint area),
or, as a labelled fallback, one point per area. Each area's counts per group are spread over its
points in proportion to the points' weights, so that the points of an area add up to the
register exactly.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.errors import DataError, format_codes

__all__ = [
    "residents_from_buildings",
    "residents_from_centroids",
    "residents_from_grid",
    "spread_counts",
]

logger = logging.getLogger(__name__)


def _group_columns(counts: pd.DataFrame, groups: Sequence[str] | None) -> list[str]:
    cols = list(counts.columns) if groups is None else list(groups)
    missing = [c for c in cols if c not in counts.columns]
    if missing:
        msg = (
            f"register table: columns {', '.join(missing)} are missing; "
            f"available are {', '.join(map(str, counts.columns))}."
        )
        raise DataError(msg)
    return [c for c in cols if pd.api.types.is_numeric_dtype(counts[c])]


def _centroid_points(areas: gpd.GeoDataFrame, codes: Sequence[object]) -> gpd.GeoDataFrame:
    sub = areas.loc[list(codes)]
    return gpd.GeoDataFrame(
        {"area": [str(c) for c in sub.index], "weight": 1.0, "method": "centroid"},
        geometry=sub.geometry.representative_point().to_numpy(),
        crs=areas.crs,
    )


def spread_counts(
    points: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    *,
    groups: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Spread each area's register counts over its points in proportion to ``weight``.

    Parameters
    ----------
    points
        Points with columns ``area`` (area code), ``weight`` (>= 0) and ``method``.
    areas
        The areas (index: area code); an area without points gets its representative point,
        labelled ``method = "centroid"``.
    counts
        One row per area code (index) with one count column per group (one year).
    groups
        Count columns to spread; default every numeric column.

    Returns
    -------
    GeoDataFrame
        One row per resident point: ``area``, ``method``, ``share`` (of its area), one column per
        group (persons), ``geometry``. Index ``r0``, ``r1``, ...

    Notes
    -----
    ``persons_pg = count_ag * w_p / sum_{q in a} w_q``; an area whose points all weigh 0 is
    spread equally over them.
    """
    cols = _group_columns(counts, groups)
    codes = pd.Index(counts.index.astype(str))
    unknown = codes.difference(pd.Index(areas.index.astype(str)))
    if len(unknown):
        msg = (
            f"register table: area codes {format_codes(unknown)} are not among the areas; "
            "check the id columns of the register and the boundaries."
        )
        raise DataError(msg)
    pts = points.loc[points["area"].astype(str).isin(codes)].copy()
    pts["area"] = pts["area"].astype(str)
    have = set(pts["area"])
    lacking = [c for c in codes if c not in have]
    if lacking:
        logger.warning(
            "no resident points (grid cells or buildings) in areas %s; "
            "using their centroids, labelled method='centroid'",
            format_codes(lacking),
        )
        extra = _centroid_points(areas.set_axis(areas.index.astype(str)), lacking)
        pts = pd.concat([pts, extra.to_crs(pts.crs) if pts.crs else extra], ignore_index=True)
    pts = gpd.GeoDataFrame(pts, geometry="geometry", crs=areas.crs).reset_index(drop=True)
    w = pts["weight"].to_numpy(dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    total = pd.Series(w).groupby(pts["area"].to_numpy()).transform("sum").to_numpy()
    n_in = pts.groupby("area")["area"].transform("size").to_numpy()
    share = np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / n_in)
    c = counts.set_axis(codes).reindex(pts["area"])
    out = pd.DataFrame(
        {"area": pts["area"].to_numpy(), "method": pts["method"].to_numpy(), "share": share}
    )
    for col in cols:
        out[col] = c[col].to_numpy(dtype=float) * share
    out.index = pd.Index([f"r{i}" for i in range(len(out))], name="resident")
    return gpd.GeoDataFrame(out, geometry=pts.geometry.to_numpy(), crs=areas.crs)


def _assign(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """Area code of each point (first area that contains or touches it), or None."""
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points.geometry.to_numpy(), crs=points.crs),
        gpd.GeoDataFrame(
            {"_code": areas.index.astype(str)}, geometry=areas.geometry.to_numpy(), crs=areas.crs
        ),
        how="left",
        predicate="intersects",
    )
    first = joined[~joined.index.duplicated(keep="first")]
    return first["_code"].reindex(range(len(points))).to_numpy(dtype=object)


def residents_from_grid(
    grid: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    *,
    population: str = "population",
    groups: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Resident points from a population grid (cell centres), weighted by cell population.

    Parameters
    ----------
    grid
        Points with a population column (``geoseg.io.read_population_grid``).
    areas, counts, groups
        As in :func:`spread_counts`.
    population
        The grid's population column.
    """
    if population not in grid.columns:
        msg = f"population grid: column {population!r} is missing; read it with geoseg.io."
        raise DataError(msg)
    g = grid.to_crs(areas.crs) if grid.crs != areas.crs else grid
    pts = gpd.GeoDataFrame(
        {
            "area": _assign(g, areas),
            "weight": g[population].to_numpy(dtype=float),
            "method": "grid",
        },
        geometry=g.geometry.to_numpy(),
        crs=areas.crs,
    )
    pts = pts[pts["area"].notna() & (pts["weight"] > 0)]
    return spread_counts(pts, areas, counts, groups=groups)


def residents_from_buildings(
    buildings: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    *,
    weight: str | None = None,
    groups: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Resident points from residential building footprints.

    Parameters
    ----------
    buildings
        Polygons (or points); each becomes its representative point.
    areas, counts, groups
        As in :func:`spread_counts`.
    weight
        Column to weight buildings by (e.g. ``dwellings`` or ``floor_area``); by default the
        footprint area (1 for points).
    """
    b = buildings.to_crs(areas.crs) if buildings.crs != areas.crs else buildings
    if weight is not None:
        if weight not in b.columns:
            msg = f"buildings: column {weight!r} is missing; name an existing column or none."
            raise DataError(msg)
        w = b[weight].to_numpy(dtype=float)
    else:
        w = np.where(b.geometry.area.to_numpy() > 0, b.geometry.area.to_numpy(), 1.0)
    geom = b.geometry.representative_point()
    pts = gpd.GeoDataFrame(
        {"area": None, "weight": w, "method": "buildings"},
        geometry=geom.to_numpy(),
        crs=areas.crs,
    )
    pts["area"] = _assign(pts, areas)
    pts = pts[pts["area"].notna()]
    return spread_counts(pts, areas, counts, groups=groups)


def residents_from_centroids(
    areas: gpd.GeoDataFrame, counts: pd.DataFrame, *, groups: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """One resident point per area (its representative point), labelled ``method="centroid"``.

    The crudest placement: use it only when neither a grid nor buildings are available.
    """
    empty = gpd.GeoDataFrame(
        {"area": pd.Series(dtype=object), "weight": pd.Series(dtype=float), "method": ""},
        geometry=gpd.GeoSeries([], crs=areas.crs),
        crs=areas.crs,
    )
    logger.info("resident points: area centroids (fallback)")
    codes = [c for c in counts.index.astype(str) if c in set(areas.index.astype(str))]
    pts = _centroid_points(areas.set_axis(areas.index.astype(str)), codes)
    return spread_counts(
        pd.concat([empty, pts]) if len(pts) else empty, areas, counts, groups=groups
    )
