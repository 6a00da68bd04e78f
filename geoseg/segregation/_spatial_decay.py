"""Distance-decay spatial indices (clustering, proximity, exposure) of geoseg.

Public through :mod:`geoseg.segregation.spatial`; kept apart to keep modules small.
"""

from __future__ import annotations

import logging

import geopandas as gpd

from geoseg.segregation._spatial_compute import compute as _compute

__all__ = [
    "absolute_clustering",
    "distance_decay_interaction",
    "distance_decay_isolation",
    "relative_clustering",
    "spatial_proximity",
]

logger = logging.getLogger(__name__)


def absolute_clustering(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> float:
    """Absolute clustering index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    alpha, beta
        Parameters of the within-area distance ``(alpha * area) ** beta``.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        Near 0 when the group's areas are spread out, larger when they adjoin one another.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): ``ACL = (sum_i x_i/X sum_j c_ij x_j - X/n^2
    sum_ij c_ij) / (sum_i x_i/X sum_j c_ij t_j - X/n^2 sum_ij c_ij)``.

    The proximity between areas follows pysal/segregation 2.5 exactly, so that its published
    values are reproduced: ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d_ij`` the distance between
    centroids and ``S_j`` the sum of the distances from area ``j`` to all areas, and
    ``c_ii = 1 - exp(-(alpha a_i) ** beta)``. Massey & Denton's own form is ``c_ij =
    exp(-d_ij)``, ``d_ii = (alpha a_i) ** beta``; values therefore compare with pysal's, not with
    tables computed with the textbook form.
    """
    return _compute(
        "absolute_clustering",
        gdf,
        group,
        total,
        alpha=alpha,
        beta=beta,
        allow_geographic=allow_geographic,
    )


def relative_clustering(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> float:
    """Relative clustering index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    alpha, beta
        Parameters of the within-area distance ``(alpha * area) ** beta``.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        Positive when the group is more clustered than the rest of the population.

    Notes
    -----
    Massey & Denton (1988), Social Forces 67(2): ``RCL = P_xx / P_yy - 1``. geoseg reproduces
    pysal/segregation 2.5, whose mean proximity is ``P_xx = sum_j x_j^2 sum_i c_ij / X^2``
    (each area's count squared, weighted by its column of ``c``) rather than Massey & Denton's
    ``sum_ij x_i x_j c_ij / X^2``; the two differ, and only the former matches pysal's values.

    The proximity between areas follows pysal/segregation 2.5 exactly, so that its published
    values are reproduced: ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d_ij`` the distance between
    centroids and ``S_j`` the sum of the distances from area ``j`` to all areas, and
    ``c_ii = 1 - exp(-(alpha a_i) ** beta)``. Massey & Denton's own form is ``c_ij =
    exp(-d_ij)``, ``d_ii = (alpha a_i) ** beta``; values therefore compare with pysal's, not with
    tables computed with the textbook form.
    """
    return _compute(
        "relative_clustering",
        gdf,
        group,
        total,
        alpha=alpha,
        beta=beta,
        allow_geographic=allow_geographic,
    )


def spatial_proximity(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> float:
    """Spatial proximity index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    alpha, beta
        Parameters of the within-area distance ``(alpha * area) ** beta``.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        1 when members of both groups are as close to their own as to everyone; above 1 when
        each group lives nearer its own members.

    Notes
    -----
    White (1983), American Journal of Sociology 88(5), in Massey & Denton (1988):
    ``SP = (X P_xx + Y P_yy) / (T P_tt)`` with ``P_gg = sum_ij g_i g_j c_ij / G^2``.

    The proximity between areas follows pysal/segregation 2.5 exactly, so that its published
    values are reproduced: ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d_ij`` the distance between
    centroids and ``S_j`` the sum of the distances from area ``j`` to all areas, and
    ``c_ii = 1 - exp(-(alpha a_i) ** beta)``. Massey & Denton's own form is ``c_ij =
    exp(-d_ij)``, ``d_ii = (alpha a_i) ** beta``; values therefore compare with pysal's, not with
    tables computed with the textbook form.
    """
    return _compute(
        "spatial_proximity",
        gdf,
        group,
        total,
        alpha=alpha,
        beta=beta,
        allow_geographic=allow_geographic,
    )


def distance_decay_isolation(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> float:
    """Distance-decay isolation index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    alpha, beta
        Parameters of the within-area distance ``(alpha * area) ** beta``.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        Probability-like exposure of the group to itself, discounted by distance.

    Notes
    -----
    Morgan (1983), "A distance-decay based interaction index to measure residential
    segregation", Area 15(3): ``DP_xx = sum_i x_i/X sum_j K_ij x_j / t_j``. As in
    pysal/segregation 2.5, ``K_ij = c_ij t_j / s_j`` with ``s_j = sum_l c_jl t_l`` (each
    column normalised by the destination's own accessible population).

    The proximity between areas follows pysal/segregation 2.5 exactly, so that its published
    values are reproduced: ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d_ij`` the distance between
    centroids and ``S_j`` the sum of the distances from area ``j`` to all areas, and
    ``c_ii = 1 - exp(-(alpha a_i) ** beta)``. Massey & Denton's own form is ``c_ij =
    exp(-d_ij)``, ``d_ii = (alpha a_i) ** beta``; values therefore compare with pysal's, not with
    tables computed with the textbook form.
    """
    return _compute(
        "distance_decay_isolation",
        gdf,
        group,
        total,
        alpha=alpha,
        beta=beta,
        allow_geographic=allow_geographic,
    )


def distance_decay_interaction(
    gdf: gpd.GeoDataFrame,
    *,
    group: str,
    total: str,
    alpha: float = 0.6,
    beta: float = 0.5,
    allow_geographic: bool = False,
) -> float:
    """Distance-decay interaction index.

    Parameters
    ----------
    gdf
        Areas (polygons) in a projected CRS.
    group, total
        Count columns of the group and of the whole population.
    alpha, beta
        Parameters of the within-area distance ``(alpha * area) ** beta``.
    allow_geographic
        Accept a geographic CRS (planar distances in degrees; reproduction of
        published values only).

    Returns
    -------
    float
        Exposure of the group to the rest of the population, discounted by distance.

    Notes
    -----
    Morgan (1983), Area 15(3): ``DP_xy = sum_i x_i/X sum_j K_ij y_j / t_j`` with ``K_ij`` as in
    :func:`distance_decay_isolation`.

    The proximity between areas follows pysal/segregation 2.5 exactly, so that its published
    values are reproduced: ``c_ij = 1 - exp(-d_ij / S_j)`` with ``d_ij`` the distance between
    centroids and ``S_j`` the sum of the distances from area ``j`` to all areas, and
    ``c_ii = 1 - exp(-(alpha a_i) ** beta)``. Massey & Denton's own form is ``c_ij =
    exp(-d_ij)``, ``d_ii = (alpha a_i) ** beta``; values therefore compare with pysal's, not with
    tables computed with the textbook form.
    """
    return _compute(
        "distance_decay_interaction",
        gdf,
        group,
        total,
        alpha=alpha,
        beta=beta,
        allow_geographic=allow_geographic,
    )
