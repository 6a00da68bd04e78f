"""Editing the walking network for a plan: close streets, split streets, add new paths.

The access engine's :func:`geoseg.access.add_edges` joins existing nodes only; a footbridge
usually lands in the middle of a street, so this module splits streets at new nodes as well,
and keeps track of where every old edge went so that snapped residents and services can be
moved onto the edited network without snapping them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from geoseg.access import Snapped, WalkNetwork
from geoseg.access.network import edge_graph

__all__ = [
    "End",
    "NetworkEdit",
    "PathSpec",
    "closed_edges",
    "edit_network",
    "locate",
    "move_points",
]

#: An end closer than this (metres) to a street node joins that node instead of splitting.
NODE_JOIN_M = 0.5


@dataclass(frozen=True)
class End:
    """Where one end of a new path joins the network: at ``node``, or splitting ``edge`` at
    ``offset`` metres from its ``edge_u`` end; ``connector_m`` is the straight walk from the
    path's end to that point, ``xy`` the point on the street."""

    edge: int
    offset: float
    node: int
    connector_m: float
    xy: tuple[float, float]


@dataclass(frozen=True)
class PathSpec:
    """A new path: its two ends on the network and its line (coordinates, length in metres)."""

    start: End
    end: End
    coords: np.ndarray
    length_m: float


@dataclass(eq=False)
class NetworkEdit:
    """The edited network and how it relates to the original one.

    Attributes
    ----------
    network
        The network after the plan (new nodes appended after the old ones).
    edge_map
        Old edge index -> new edge index (-1: closed or split).
    pieces
        Split old edge -> (cut offsets from its ``edge_u`` end, new edge index of each piece).
    closed
        Old edge indices closed by the plan.
    """

    network: WalkNetwork
    edge_map: np.ndarray
    pieces: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    closed: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


def locate(
    net: WalkNetwork,
    tree: shapely.STRtree,
    point: shapely.Point,
    *,
    max_m: float,
    exclude: np.ndarray | None = None,
) -> End | None:
    """The nearest street (not in ``exclude``) within ``max_m`` of ``point``, or ``None``."""
    lines = net.edge_lines()
    cand = tree.query(shapely.buffer(point, max_m))
    if exclude is not None and len(exclude):
        cand = cand[~np.isin(cand, exclude)]
    if not len(cand):
        return None
    d = shapely.distance(lines[cand], point)
    k = int(np.argmin(d))
    if d[k] > max_m:
        return None
    e = int(cand[k])
    line = lines[e]
    along = float(shapely.line_locate_point(line, point))
    glen = float(shapely.length(line))
    frac = min(max(along / glen, 0.0), 1.0) if glen > 0 else 0.0
    length = float(net.edge_length[e])
    offset = frac * length
    on = shapely.line_interpolate_point(line, along)
    xy = (float(shapely.get_x(on)), float(shapely.get_y(on)))
    node = -1
    if offset <= NODE_JOIN_M:
        node, offset = int(net.edge_u[e]), 0.0
        xy = (float(net.x[node]), float(net.y[node]))
    elif length - offset <= NODE_JOIN_M:
        node, offset = int(net.edge_v[e]), length
        xy = (float(net.x[node]), float(net.y[node]))
    connector = float(np.hypot(xy[0] - shapely.get_x(point), xy[1] - shapely.get_y(point)))
    return End(edge=e, offset=offset, node=node, connector_m=connector, xy=xy)


def closed_edges(net: WalkNetwork, tree: shapely.STRtree, geometry: shapely.Geometry) -> np.ndarray:
    """Edges a closure closes: a line closes the streets it crosses or runs along, a polygon
    the streets with any part inside it (touching its outline only is not enough)."""
    lines = net.edge_lines()
    cand = tree.query(geometry, predicate="intersects")
    if not len(cand):
        return cand.astype(np.int64)
    # the interior of the street meets the closure (not just one of its end nodes)
    hit = shapely.relate_pattern(lines[cand], geometry, "T********")
    if shapely.get_dimensions(geometry) == 1:
        hit |= shapely.relate_pattern(lines[cand], geometry, "*T*******")
    return np.sort(cand[hit]).astype(np.int64)


def _substring(line: shapely.LineString, a: float, b: float) -> np.ndarray:
    """Coordinates of ``line`` between distances ``a`` and ``b`` along it."""
    coords = shapely.get_coordinates(line)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    inner = coords[(cum > a) & (cum < b)]
    pa = shapely.get_coordinates(shapely.line_interpolate_point(line, a))
    pb = shapely.get_coordinates(shapely.line_interpolate_point(line, b))
    return np.vstack([pa, inner, pb])


def edit_network(net: WalkNetwork, *, close: np.ndarray, paths: list[PathSpec]) -> NetworkEdit:
    """Close edges, split streets where new paths join them and add the paths.

    Parameters
    ----------
    net
        The network before the plan.
    close
        Indices of edges to close.
    paths
        New paths; each end joins a node or splits a street (several ends may split one street).

    Returns
    -------
    NetworkEdit
    """
    n0, m0 = net.n_nodes, net.n_edges
    close = np.unique(np.asarray(close, dtype=np.int64))
    cuts: dict[int, list[float]] = {}
    for p in paths:
        for end in (p.start, p.end):
            if end.node < 0:
                cuts.setdefault(end.edge, []).append(end.offset)
    split_edges = np.array(sorted(e for e in cuts if e not in set(close.tolist())), dtype=np.int64)
    new_x: list[float] = []
    new_y: list[float] = []
    node_at: dict[tuple[int, float], int] = {}
    lines = net.edge_lines()
    piece_u: list[int] = []
    piece_v: list[int] = []
    piece_len: list[float] = []
    piece_coords: list[np.ndarray] = []
    piece_of: dict[int, tuple[np.ndarray, list[int]]] = {}
    for e in split_edges.tolist():
        offs = sorted(set(cuts[e]))
        u, v, length = int(net.edge_u[e]), int(net.edge_v[e]), float(net.edge_length[e])
        line = lines[e]
        glen = float(shapely.length(line))
        chain = [u]
        for t in offs:
            pt = shapely.line_interpolate_point(line, t / length * glen if length > 0 else 0.0)
            idx = n0 + len(new_x)
            new_x.append(float(shapely.get_x(pt)))
            new_y.append(float(shapely.get_y(pt)))
            node_at[(e, t)] = idx
            chain.append(idx)
        chain.append(v)
        bounds = np.array([0.0, *offs, length])
        first_piece = m0 + len(piece_u)  # provisional; renumbered below
        ids = []
        for i in range(len(chain) - 1):
            a, b = chain[i], chain[i + 1]
            xy = _substring(
                line,
                bounds[i] / length * glen if length > 0 else 0.0,
                bounds[i + 1] / length * glen if length > 0 else 0.0,
            )
            if a > b:
                a, b, xy = b, a, xy[::-1]
            piece_u.append(a)
            piece_v.append(b)
            piece_len.append(float(bounds[i + 1] - bounds[i]))
            piece_coords.append(xy)
            ids.append(first_piece + i)
        piece_of[e] = (bounds, ids)
    path_u: list[int] = []
    path_v: list[int] = []
    path_len: list[float] = []
    path_coords: list[np.ndarray] = []
    for p in paths:
        ends = []
        for end in (p.start, p.end):
            ends.append(end.node if end.node >= 0 else node_at[(end.edge, end.offset)])
        a, b = ends
        xy = np.vstack([np.array([p.start.xy]), p.coords, np.array([p.end.xy])])
        length = p.start.connector_m + p.length_m + p.end.connector_m
        if a > b:
            a, b, xy = b, a, xy[::-1]
        path_u.append(a)
        path_v.append(b)
        path_len.append(length)
        path_coords.append(xy)
    n = n0 + len(new_x)
    drop = np.zeros(m0, dtype=bool)
    drop[close] = True
    drop[split_edges] = True
    keep = ~drop
    edge_map = np.full(m0, -1, dtype=np.int64)
    edge_map[keep] = np.arange(int(keep.sum()))
    m_keep = int(keep.sum())
    # renumber the pieces after the kept edges
    shift = m_keep - m0
    pieces = {
        e: (bounds, np.asarray(ids, dtype=np.int64) + shift)
        for e, (bounds, ids) in piece_of.items()
    }
    add_u = np.array(piece_u + path_u, dtype=np.int64)
    add_v = np.array(piece_v + path_v, dtype=np.int64)
    add_len = np.array(piece_len + path_len, dtype=float)
    counts = np.diff(net.coord_offsets)
    coord_keep = np.repeat(keep, counts)
    new_coords = piece_coords + path_coords
    all_counts = np.concatenate([counts[keep], [len(c) for c in new_coords]]).astype(np.int64)
    offsets = np.zeros(len(all_counts) + 1, dtype=np.int64)
    np.cumsum(all_counts, out=offsets[1:])
    coords = (
        np.concatenate([net.coords[coord_keep], *new_coords])
        if new_coords
        else net.coords[coord_keep]
    )
    eu = np.concatenate([net.edge_u[keep], add_u])
    ev = np.concatenate([net.edge_v[keep], add_v])
    el = np.concatenate([net.edge_length[keep], add_len])
    new_ids = -np.arange(1, len(new_x) + 1)
    node_ids = np.concatenate([net.node_ids, new_ids.astype(net.node_ids.dtype)])
    final = WalkNetwork(
        graph=edge_graph(n, eu, ev, el),
        x=np.concatenate([net.x, new_x]),
        y=np.concatenate([net.y, new_y]),
        node_ids=node_ids,
        edge_u=eu,
        edge_v=ev,
        edge_length=el,
        coords=coords,
        coord_offsets=offsets,
        crs=net.crs,
    )
    return NetworkEdit(
        network=final,
        edge_map=edge_map,
        pieces=pieces,
        closed=close,
    )


def move_points(points: Snapped, edit: NetworkEdit) -> tuple[Snapped, np.ndarray, np.ndarray]:
    """Place snapped points on the edited network without snapping them again.

    Points on kept streets keep their place (new edge index); points on a split street move to
    the piece they lie on, at the same place. Points on closed streets are left out.

    Returns
    -------
    (Snapped, kept, moved)
        The points still placed, the mask of input points kept, and the mask of points whose
        edge was split (their nearest street ends changed).
    """
    e = points.edge
    new_e = np.where(e >= 0, edit.edge_map[np.clip(e, 0, None)], -1)
    node_a, node_b = points.node_a.copy(), points.node_b.copy()
    off_a, off_b = points.off_a.copy(), points.off_b.copy()
    moved = np.zeros(len(points), dtype=bool)
    net = edit.network
    for old, (bounds, ids) in edit.pieces.items():
        sel = np.flatnonzero(e == old)
        if not len(sel):
            continue
        k = np.clip(np.searchsorted(bounds, off_a[sel], side="right") - 1, 0, len(ids) - 1)
        piece = ids[k]
        start = bounds[k]
        end = bounds[k + 1]
        new_e[sel] = piece
        moved[sel] = True
        along = points.off_a[sel] - start  # metres from the piece's start (towards the old edge_v)
        rev = _reversed(bounds, k)
        node_a[sel] = net.edge_u[piece]
        node_b[sel] = net.edge_v[piece]
        orig = points.off_a[sel]
        off_a[sel] = np.where(rev, end - orig, along)
        off_b[sel] = np.where(rev, along, end - orig)
    keep = new_e >= 0
    out = Snapped(
        index=points.index[keep],
        node_a=node_a[keep],
        node_b=node_b[keep],
        off_a=off_a[keep],
        off_b=off_b[keep],
        snap_m=points.snap_m[keep],
        edge=new_e[keep],
        snap_xy=points.snap_xy[keep],
        rejected=points.rejected,
    )
    return out, keep, moved[keep]


def _reversed(bounds: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Whether each piece runs against the direction of the street it was cut from."""
    # the last piece ends at the old edge_v (an old node, smaller than any new node) and is
    # stored reversed; every other piece starts at the old edge_u or at an earlier new node
    return k == len(bounds) - 2
