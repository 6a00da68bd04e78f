"""Spatial local segregation indices: one value per area.

Both indices measure each area against its surroundings, so, like the global spatial indices,
they need a projected metric CRS (a geographic CRS raises :class:`geoseg.errors.CRSError` unless
``allow_geographic=True``, which exists only to reproduce values published on longitude/latitude).
Results are pandas Series indexed like the input; the input is never modified.

Their array cores are registered as kind ``"local"`` (also flagged ``local=True``):
``core(X, **ctx) -> (k, n)`` for counts ``X`` of shape ``(k, n, g)``, one value per area and
replicate, so permutation inference can test every area at once. For
``local_relative_centralization`` the two columns of ``X`` are the group and the rest of the
population (total minus group).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist
from scipy.special import rel_entr

from geoseg.errors import DataError, InputError
from geoseg.segregation._spatial_input import (
    cached,
    centroids,
    check_crs,
    check_geometry,
    count_columns,
    knn_positions,
)
from geoseg.segregation.registry import register

__all__ = [
    "local_distortion",
    "local_relative_centralization",
    "prepare_distortion",
    "prepare_local_centralization",
]

logger = logging.getLogger(__name__)


def prepare_local_centralization(
    gdf: gpd.GeoDataFrame, *, k: int = 5, allow_geographic: bool = False
) -> dict[str, Any]:
    """Each area followed by its ``k`` nearest areas (by centroid), nearest first."""
    check_crs(gdf, allow_geographic=allow_geographic)
    geoms = check_geometry(gdf)
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        msg = f"k must be a whole number of neighbours, got {k!r}"
        raise InputError(msg)

    def build() -> dict[str, Any]:
        xy = centroids(geoms)
        near = knn_positions(xy, int(k))
        return {"neighbourhood": np.column_stack([np.arange(len(xy)), near])}

    return cached("knn", gdf, build, k=int(k))


@register(
    "local_relative_centralization",
    formula="RCEᵢ = Σⱼ Xⱼ₋₁ Yⱼ − Σⱼ Xⱼ Yⱼ₋₁, j ∈ N(i)",
    kind="local",
    prepare=prepare_local_centralization,
    source="Folch & Rey (2016), Geographical Analysis 48(4)",
    local=True,
)
def local_relative_centralization_core(
    X: Any, *, neighbourhood: np.ndarray, **_: Any
) -> np.ndarray:
    """Relative centralization of each area's neighbourhood around it, ``(k, n)``.

    ``X[..., 0]`` holds the group's counts and ``X[..., 1]`` the rest of the population.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    xs = X[:, neighbourhood, 0]  # (k, n, m): focal area first, then neighbours by distance
    ys = X[:, neighbourhood, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        cx = np.cumsum(xs, axis=2) / xs.sum(axis=2, keepdims=True)
        cy = np.cumsum(ys, axis=2) / ys.sum(axis=2, keepdims=True)
    return (cx[..., :-1] * cy[..., 1:]).sum(axis=2) - (cx[..., 1:] * cy[..., :-1]).sum(axis=2)


def local_relative_centralization(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    k: int = 5,
    allow_geographic: bool = False,
) -> pd.Series:
    """Local relative centralization of a group around each area.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    k
        Number of nearest areas (by centroid distance) forming each area's neighbourhood.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    pandas.Series
        One value per area in [-1, 1], indexed like ``gdf``; positive when the group in the
        neighbourhood lives closer to the area than the rest of the population. NaN where the
        neighbourhood has no group members or no one else.

    Notes
    -----
    Folch & Rey (2016), "The centralization index as a measure of local spatial segregation",
    Geographical Analysis 48(4): Massey & Denton's (1988) relative centralization computed
    within the neighbourhood of each area (the area and its ``k`` nearest neighbours), with the
    area's own centroid as the centre: ``RCE_i = sum_j X_{j-1} Y_j - sum_j X_j Y_{j-1}`` over
    the neighbourhood sorted by distance to area ``i``.
    """
    x, t = count_columns(gdf, [group], total=total)
    ctx = prepare_local_centralization(gdf, k=k, allow_geographic=allow_geographic)
    values = local_relative_centralization_core(np.column_stack([x, t - x])[None], **ctx)[0]
    return pd.Series(values, index=gdf.index.copy(), name="local_relative_centralization")


def prepare_distortion(gdf: gpd.GeoDataFrame, *, allow_geographic: bool = False) -> dict[str, Any]:
    """Centroid coordinates for the distance orderings (sorted lazily, in row blocks)."""
    check_crs(gdf, allow_geographic=allow_geographic)
    geoms = check_geometry(gdf)
    return cached("centroids", gdf, lambda: {"xy": centroids(geoms)})


def _distance_order(xy: np.ndarray, rows: slice) -> np.ndarray:
    return np.argsort(cdist(xy[rows], xy), axis=1, kind="stable")


@register(
    "local_distortion",
    formula="LDᵢ = Σₖ Σₘ qₖₘ ln(qₖₘ/Pₘ)",
    kind="local",
    prepare=prepare_distortion,
    source="Roberto (2015); Olteanu, Randon-Furling & Clark (2019), PNAS 116(25)",
    local=True,
)
def local_distortion_core(X: Any, *, xy: np.ndarray, **_: Any) -> np.ndarray:
    """Sum of Kullback-Leibler divergences along each area's trajectory, ``(k, n)``."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    k, n, g = X.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = (X.sum(axis=1) / X.sum(axis=(1, 2))[:, None])[:, None, None, :]  # (k, 1, 1, g)
    out = np.empty((k, n))
    step = max(1, int(2e7 // max(k * n * g, 1)))
    for start in range(0, n, step):  # row blocks bound memory; each block is vectorised
        rows = slice(start, min(start + step, n))
        order = _distance_order(xy, rows)  # (r, n)
        cum = np.cumsum(X[:, order], axis=2)  # (k, r, n, g)
        pop = cum.sum(axis=3, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = rel_entr(cum / pop, ref).sum(axis=3)
        kl[~np.isfinite(kl) & (pop[..., 0] == 0)] = 0.0  # no one reached yet: no divergence
        out[:, rows] = kl.sum(axis=2)
    return out


def local_distortion(
    gdf: gpd.GeoDataFrame, *, groups: Sequence[str], allow_geographic: bool = False
) -> pd.Series:
    """Local distortion coefficient of each area (multigroup).

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    groups
        Count columns of mutually exclusive groups; their sum is the population.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    pandas.Series
        One non-negative value per area, indexed like ``gdf``: how long, and how far, the
        population composition met when moving outward from the area differs from the city's.

    Notes
    -----
    Roberto (2015), "The divergence index: a decomposable measure of segregation and
    inequality", arXiv:1508.01167, and Olteanu, Randon-Furling & Clark (2019), "Segregation
    through the multiscalar lens", PNAS 116(25). For area ``i`` the areas are ordered by
    centroid distance from ``i`` (ties in input order); after each step the cumulative group
    composition ``q`` is compared with the whole city's ``r`` by the Kullback-Leibler
    divergence ``sum_g q_g log(q_g / r_g)``; the distortion coefficient is the sum of these
    divergences over all steps (steps that have reached no one yet count 0). Unnormalised, as
    in pysal/segregation 2.5.
    """
    groups = list(groups)
    if len(groups) < 2:
        msg = f"local_distortion needs at least two group columns, got {groups}"
        raise InputError(msg)
    counts = np.column_stack(count_columns(gdf, groups))
    if counts.sum() <= 0:
        msg = f"areas: group columns {', '.join(groups)} sum to zero; local_distortion undefined"
        raise DataError(msg)
    ctx = prepare_distortion(gdf, allow_geographic=allow_geographic)
    values = local_distortion_core(counts[None], **ctx)[0]
    return pd.Series(values, index=gdf.index.copy(), name="local_distortion")
