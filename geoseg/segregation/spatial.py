"""Spatial single-group segregation indices.

Every function takes a GeoDataFrame of areas with a group count column and a total count column
and returns one number. Distances, areas and perimeters are measured in the layer's CRS, so a
projected metric CRS is required: a geographic CRS (degrees) raises :class:`geoseg.errors.CRSError`
unless ``allow_geographic=True`` is passed. That switch exists to reproduce values published on
longitude/latitude (pysal/segregation's own tests compute several indices on EPSG:4326 as read,
with areas in square degrees and planar distances in degrees); do not use it for analysis.

Input conventions (shared by all indices here): counts may be int or float; missing values,
negative counts and groups larger than the total are refused, with every offending area code
listed; areas with zero population are kept and given a group share of zero; a group that is
absent from the whole study area is refused. The input is never modified.

The array cores behind these functions are registered in :mod:`geoseg.segregation.registry`
(``core(x, t, **ctx)`` vectorised over replicate tables), so batch computation and permutation
inference use exactly the same arithmetic.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np

from geoseg.segregation._spatial_compute import compute as _compute
from geoseg.segregation._spatial_decay import (
    absolute_clustering,
    distance_decay_interaction,
    distance_decay_isolation,
    relative_clustering,
    spatial_proximity,
)

__all__ = [
    "absolute_centralization",
    "absolute_clustering",
    "absolute_concentration",
    "boundary_spatial_dissimilarity",
    "delta",
    "distance_decay_interaction",
    "distance_decay_isolation",
    "minmax",
    "perimeter_area_ratio_dissimilarity",
    "relative_centralization",
    "relative_clustering",
    "relative_concentration",
    "spatial_dissimilarity",
    "spatial_prox_profile",
    "spatial_proximity",
]

logger = logging.getLogger(__name__)


def delta(
    gdf: gpd.GeoDataFrame, *, group: str, total: str, allow_geographic: bool = False
) -> float:
    """Delta index of concentration.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    allow_geographic
        Accept a geographic CRS and compute areas in square degrees (reproduction only).

    Returns
    -------
    float
        Share of the group that would have to move to reach a uniform density, in [0, 1].

    Notes
    -----
    Hoover's delta as given by Massey & Denton (1988), "The dimensions of residential
    segregation", Social Forces 67(2): ``DEL = 1/2 sum_i |x_i / X - a_i / A|`` with ``a_i`` the
    land area of area ``i``.
    """
    return _compute("delta", gdf, group, total, allow_geographic=allow_geographic)


def absolute_centralization(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    center: str | tuple[float, float] | np.ndarray = "mean",
    allow_geographic: bool = False,
) -> float:
    """Absolute centralization index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    center
        The city centre: ``"mean"`` or ``"median"`` of the area centroids,
        ``"population_weighted_mean"`` (weighted by ``total``), ``"largest_population"`` (the
        centroid of the most populous area, averaged over ties), or an ``(x, y)`` pair in the
        layer's CRS.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        In [-1, 1]; positive when the group lives closer to the centre than the land is spread.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): with areas ordered by centroid distance to the
    centre, ``ACE = sum_i X_{i-1} A_i - sum_i X_i A_{i-1}`` where ``X_i`` and ``A_i`` are the
    cumulative shares of the group and of the land area. Ties in distance keep the input order.
    """
    return _compute(
        "absolute_centralization",
        gdf,
        group,
        total,
        center=center,
        total=total,
        allow_geographic=allow_geographic,
    )


def relative_centralization(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    center: str | tuple[float, float] | np.ndarray = "mean",
    allow_geographic: bool = False,
) -> float:
    """Relative centralization index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    center
        The city centre, as in :func:`absolute_centralization`.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        In [-1, 1]; positive when the group lives closer to the centre than the rest.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): ``RCE = sum_i X_{i-1} Y_i - sum_i X_i Y_{i-1}``
    with ``X_i``, ``Y_i`` the cumulative shares of the group and of the rest of the population,
    areas ordered by centroid distance to the centre.
    """
    return _compute(
        "relative_centralization",
        gdf,
        group,
        total,
        center=center,
        total=total,
        allow_geographic=allow_geographic,
    )


def absolute_concentration(
    gdf: gpd.GeoDataFrame, *, group: str, total: str, allow_geographic: bool = False
) -> float:
    """Absolute concentration index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    allow_geographic
        Accept a geographic CRS (areas in square degrees; reproduction only).

    Returns
    -------
    float
        1 when the group occupies the least possible space, 0 the most. NaN when the least
        and the most possible space are the same (a group so large that the smallest and the
        largest areas needed to hold it are the same areas), where the ratio is 0 / 0.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): ``ACO = 1 - (sum x_i a_i / X - sum_{i<=n1}
    t_i a_i / T1) / (sum_{i>=n2} t_i a_i / T2 - sum_{i<=n1} t_i a_i / T1)`` with areas sorted
    by size, ``n1`` the number of smallest areas and ``n - n2`` the number of largest areas
    needed to hold ``X`` people, ``T1``, ``T2`` their populations.
    """
    return _compute("absolute_concentration", gdf, group, total, allow_geographic=allow_geographic)


def relative_concentration(
    gdf: gpd.GeoDataFrame, *, group: str, total: str, allow_geographic: bool = False
) -> float:
    """Relative concentration index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    allow_geographic
        Accept a geographic CRS (areas in square degrees; reproduction only).

    Returns
    -------
    float
        In [-1, 1]; positive when the group uses less space than the rest of the population.
        NaN where :func:`absolute_concentration` is undefined.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): ``RCO = ((sum x_i a_i / X) / (sum y_i a_i / Y)
    - 1) / ((sum_{i<=n1} t_i a_i / T1) / (sum_{i>=n2} t_i a_i / T2) - 1)`` with ``n1``, ``n2``,
    ``T1``, ``T2`` as in :func:`absolute_concentration`.
    """
    return _compute("relative_concentration", gdf, group, total, allow_geographic=allow_geographic)


def spatial_dissimilarity(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    standardize: bool = False,
    allow_geographic: bool = False,
) -> float:
    """Adjacency-adjusted dissimilarity index, D(adj).

    Parameters
    ----------
    gdf
        Areas (polygons); only their adjacency matters.
    group, total
        Count columns of the group and of the whole population.
    standardize
        Row-standardise the contiguity matrix before use.
    allow_geographic
        Accept a geographic CRS (contiguity does not depend on units).

    Returns
    -------
    float
        The dissimilarity index minus the mean difference in group share between neighbours.

    Notes
    -----
    Morrill (1991), "On the measure of geographic segregation", Geography Research Forum 11:
    ``D(adj) = D - sum_ij c_ij |p_i - p_j| / sum_ij c_ij`` with ``c`` queen contiguity (areas
    that share at least one boundary point) and ``p_i = x_i / t_i`` (0 where ``t_i = 0``).
    """
    return _compute(
        "spatial_dissimilarity",
        gdf,
        group,
        total,
        standardize=standardize,
        allow_geographic=allow_geographic,
    )


def boundary_spatial_dissimilarity(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    standardize: bool = True,
    allow_geographic: bool = False,
) -> float:
    """Boundary-adjusted dissimilarity index, D(w).

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    standardize
        Row-standardise the boundary-length matrix (pysal/segregation's default).
    allow_geographic
        Accept a geographic CRS (boundary lengths in degrees; reproduction only).

    Returns
    -------
    float
        The dissimilarity index minus the share differences weighted by shared boundary length.

    Notes
    -----
    Wong (1993), "Spatial indices of segregation", Urban Studies 30(3): ``D(w) = D - sum_ij
    w_ij |p_i - p_j| / sum_ij w_ij`` with ``w_ij`` the length of the boundary shared by ``i``
    and ``j``. An area that shares no boundary with any other (an island) has no weights and
    contributes nothing (pysal/segregation returns NaN in that case when standardising).
    """
    return _compute(
        "boundary_spatial_dissimilarity",
        gdf,
        group,
        total,
        standardize=standardize,
        allow_geographic=allow_geographic,
    )


def perimeter_area_ratio_dissimilarity(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    standardize: bool = True,
    allow_geographic: bool = False,
) -> float:
    """Perimeter/area-ratio-adjusted dissimilarity index, D(s).

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    standardize
        Divide the boundary lengths by their total (pysal/segregation's default).
    allow_geographic
        Accept a geographic CRS (lengths and areas in degrees; reproduction only).

    Returns
    -------
    float
        The dissimilarity index adjusted for shared boundaries and the compactness of the areas.

    Notes
    -----
    Wong (1993), Urban Studies 30(3), and Wong (1998), "Measuring multiethnic spatial
    segregation", Urban Geography 19(1): ``D(s) = D - sum_ij w_ij |p_i - p_j| ((P/A)_i +
    (P/A)_j) / (2 max(P/A))`` with ``w_ij`` the shared boundary lengths (divided by their sum
    when ``standardize``) and ``P/A`` each area's perimeter/area ratio.
    """
    return _compute(
        "perimeter_area_ratio_dissimilarity",
        gdf,
        group,
        total,
        standardize=standardize,
        allow_geographic=allow_geographic,
    )


def spatial_prox_profile(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    m: int = 1000,
    allow_geographic: bool = False,
) -> float:
    """Spatial proximity profile index (SPP).

    Parameters
    ----------
    gdf
        Areas (polygons); only their contiguity matters.
    group, total
        Count columns of the group and of the whole population.
    m
        Number of equally spaced share thresholds in [0, 1].
    allow_geographic
        Accept a geographic CRS (contiguity does not depend on units).

    Returns
    -------
    float
        Area between the spatial proximity profile and its baseline, scaled to [0, 1].

    Notes
    -----
    Hong & Sadahiro (2014), "Measuring geographic segregation: a graph-based approach", Journal
    of Geographical Systems 16(2), and Hong, O'Sullivan & Sadahiro (2014), "Implementing
    spatial segregation measures in R", PLoS ONE 9(11). For each threshold ``s`` the areas whose
    group share is at least ``s`` form a set of size ``k``; its connectivity is ``(k^2 - k) /
    sum_ij d_ij`` with ``d_ij`` the number of queen-contiguity steps between areas (0 when the
    set has fewer than two areas or is not connected). With ``P = X/T``, ``SPP = (P - (sum_{s<P}
    eta_s - sum_{s>=P} eta_s) / m) / (1 - P)``. Areas without population belong to no set.
    """
    return _compute(
        "spatial_prox_profile", gdf, group, total, m=m, allow_geographic=allow_geographic
    )


def minmax(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    distance: float | None = None,
    function: str = "triangular",
    allow_geographic: bool = False,
) -> float:
    """MinMax index, aspatial or on kernel-smoothed population surfaces.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    distance
        Kernel bandwidth in CRS units (metres). ``None`` computes the aspatial index.
    function
        Kernel: ``"triangular"``, ``"uniform"``, ``"quadratic"``, ``"quartic"`` or
        ``"gaussian"`` (all truncated at ``distance``).
    allow_geographic
        Accept a geographic CRS (bandwidth in degrees; reproduction only).

    Returns
    -------
    float
        1 - intersection / union of the group's and the rest's population distributions.

    Notes
    -----
    O'Sullivan & Wong (2007), "A surface-based approach to measuring spatial segregation",
    Geographical Analysis 39(2): ``MM = 1 - sum_i min(x_i/X, y_i/Y) / sum_i max(x_i/X, y_i/Y)``.
    With a bandwidth, each area's counts are first replaced by the kernel-weighted sums over the
    areas whose centroids lie within ``distance`` (own weight 1) and rounded to whole persons,
    as pysal/segregation does.
    """
    return _compute(
        "minmax",
        gdf,
        group,
        total,
        distance=distance,
        function=function,
        allow_geographic=allow_geographic,
    )
