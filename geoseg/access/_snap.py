"""Snapping points to the nearest street edge, with the along-edge position kept exactly."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.access.network import WalkNetwork
from geoseg.errors import CRSError

__all__ = ["Snapped", "at_nodes", "snap_points", "subset"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Snapped:
    """Points placed on the walking network.

    A point sits on edge ``edge`` (``-1`` when it sits on a node) between CSR nodes ``node_a``
    and ``node_b``, ``off_a`` metres of network from ``node_a`` and ``off_b`` from ``node_b``
    (``off_a + off_b`` is the edge length), and ``snap_m`` metres of straight walk away from the
    street. The network distance from the point to a node ``j`` is therefore
    ``snap_m + min(off_a + d(node_a, j), off_b + d(node_b, j))``, except between two points on the
    same edge, which may also walk directly along it.

    Attributes
    ----------
    index
        Labels of the placed points (the input's index), in order.
    node_a, node_b, off_a, off_b, snap_m, edge
        Arrays as described above.
    snap_xy
        (n, 2) coordinates of the snapped location on the street.
    rejected
        Points not placed: index, ``reason`` (``"too_far"`` or ``"crosses_water"``) and
        ``distance_m`` to the nearest street (NaN when none within reach).
    """

    index: pd.Index
    node_a: np.ndarray
    node_b: np.ndarray
    off_a: np.ndarray
    off_b: np.ndarray
    snap_m: np.ndarray
    edge: np.ndarray
    snap_xy: np.ndarray
    rejected: pd.DataFrame

    def __len__(self) -> int:
        return int(self.node_a.shape[0])


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({"reason": pd.Series(dtype=str), "distance_m": pd.Series(dtype=float)})


def at_nodes(net: WalkNetwork, nodes: Any = None, *, index: Any = None) -> Snapped:
    """Points located exactly on network nodes (no snapping walk), e.g. every node.

    Parameters
    ----------
    net
        The network.
    nodes
        CSR node indices; by default all nodes.
    index
        Labels for the points; by default the nodes' ids.
    """
    idx = np.arange(net.n_nodes) if nodes is None else np.asarray(nodes, dtype=np.int64)
    zeros = np.zeros(len(idx))
    labels = pd.Index(net.node_ids[idx] if index is None else index)
    return Snapped(
        index=labels,
        node_a=idx,
        node_b=idx,
        off_a=zeros,
        off_b=zeros.copy(),
        snap_m=zeros.copy(),
        edge=np.full(len(idx), -1, dtype=np.int64),
        snap_xy=np.column_stack([net.x[idx], net.y[idx]]),
        rejected=_empty_rejected(),
    )


def subset(points: Snapped, mask: Any) -> Snapped:
    """The points selected by a boolean mask or integer positions (rejections kept)."""
    sel = np.asarray(mask)
    return Snapped(
        index=points.index[sel],
        node_a=points.node_a[sel],
        node_b=points.node_b[sel],
        off_a=points.off_a[sel],
        off_b=points.off_b[sel],
        snap_m=points.snap_m[sel],
        edge=points.edge[sel],
        snap_xy=points.snap_xy[sel],
        rejected=points.rejected,
    )


def snap_points(
    net: WalkNetwork,
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    max_snap_m: float = 500.0,
    water: gpd.GeoDataFrame | None = None,
    label: str = "points",
) -> Snapped:
    """Place points on the nearest street edge.

    Parameters
    ----------
    net
        The walking network (same CRS as ``points``).
    points
        Point geometries (polygons are replaced by their representative point).
    max_snap_m
        Points farther than this from every street are rejected.
    water
        Optional water polygons: a point whose straight line to its street crosses water is
        rejected (it would otherwise be reached by swimming).
    label
        What the points are, for log messages (``"services"``, ``"residents"``).

    Returns
    -------
    Snapped
        The placed points in input order, and ``rejected`` listing the others with a reason.

    Notes
    -----
    The nearest edge is found with a shapely STRtree over the edge lines; the location along the
    line (``line_locate_point``) is turned into network metres in proportion to the edge's
    ``length`` so that the two partial lengths add up to it exactly.
    """
    geoms = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if net.crs is not None and geoms.crs is not None and not geoms.crs.equals(net.crs):
        msg = (
            f"{label}: CRS {geoms.crs.to_string()} differs from the street network's {net.crs}; "
            "reproject the layer to the analysis CRS first."
        )
        raise CRSError(msg)
    arr = np.asarray(geoms.values, dtype=object)
    not_point = shapely.get_type_id(arr) != 0
    if np.any(not_point):
        arr = arr.copy()
        arr[not_point] = shapely.point_on_surface(arr[not_point])
    lines = net.edge_lines()
    tree = net.edge_tree()
    empty = shapely.is_empty(arr) | shapely.is_missing(arr)
    (pos, edge_idx), dist = tree.query_nearest(
        arr, max_distance=max_snap_m, return_distance=True, all_matches=False
    )
    n = len(arr)
    edge = np.full(n, -1, dtype=np.int64)
    snap_m = np.full(n, np.nan)
    edge[pos] = edge_idx
    snap_m[pos] = dist
    found = (edge >= 0) & ~empty
    reasons: dict[int, tuple[str, float]] = {}
    for i in np.flatnonzero(~found):
        reasons[int(i)] = ("too_far", float("nan"))
    fi = np.flatnonzero(found)
    e = edge[fi]
    along = shapely.line_locate_point(lines[e], arr[fi])
    glen = shapely.length(lines[e])
    frac = np.where(glen > 0, along / np.where(glen > 0, glen, 1.0), 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    snapped = shapely.line_interpolate_point(lines[e], along)
    if water is not None and len(water) and len(fi):
        connector = shapely.linestrings(
            np.stack([shapely.get_coordinates(arr[fi]), shapely.get_coordinates(snapped)], axis=1)
        )
        wtree = shapely.STRtree(np.asarray(water.geometry.values, dtype=object))
        hit_src, _ = wtree.query(connector, predicate="crosses")
        hit_in, _ = wtree.query(connector, predicate="within")
        for k in np.unique(np.concatenate([hit_src, hit_in])):
            reasons[int(fi[k])] = ("crosses_water", float(snap_m[fi[k]]))
    ok = np.ones(n, dtype=bool)
    ok[list(reasons)] = False
    keep = ok[fi]
    fi, e, frac, snapped = fi[keep], e[keep], frac[keep], snapped[keep]
    length = net.edge_length[e]
    off_a = frac * length
    labels = pd.Index(points.index)
    rejected = _empty_rejected()
    if reasons:
        rk = sorted(reasons)
        rejected = pd.DataFrame(
            {
                "reason": [reasons[i][0] for i in rk],
                "distance_m": [reasons[i][1] for i in rk],
            },
            index=labels[rk],
        )
        logger.warning(
            "%s: %d of %d points not placed on the street network (%s); they are left out",
            label,
            len(rk),
            n,
            ", ".join(
                f"{lab}: {r}"
                for lab, r in zip(rejected.index[:10], rejected["reason"][:10], strict=True)
            ),
        )
    return Snapped(
        index=labels[fi],
        node_a=net.edge_u[e],
        node_b=net.edge_v[e],
        off_a=off_a,
        off_b=length - off_a,
        snap_m=snap_m[fi],
        edge=e,
        snap_xy=shapely.get_coordinates(snapped).reshape(-1, 2),
        rejected=rejected,
    )
