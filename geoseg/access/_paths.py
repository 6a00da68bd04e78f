"""Shortest walking distances between snapped points, with SciPy's compiled Dijkstra.

Each source point becomes a virtual node with one-way edges to the two ends of its street edge
(weights ``snap_m + off_a`` and ``snap_m + off_b``); one-way edges out of a virtual node cannot
be used as a shortcut by any other path, so distances between real nodes are unchanged. The
nearest source of every node is one multi-source search from all virtual nodes
(:func:`scipy.sparse.csgraph.dijkstra` with ``indices=``, ``min_only=True`` and ``limit=``);
pairs within a distance limit come from bounded searches per source on the local piece of the
network that can hold such paths (:mod:`geoseg.access._local`). Target points read the
distance at their own edge ends. Two points on the same edge may also walk directly along it;
that candidate is added exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geoseg.access._local import local_reach
from geoseg.access._snap import Snapped
from geoseg.access.network import WalkNetwork
from geoseg.settings import WALK_SPEED_KMH

__all__ = ["Reach", "nearest_metres", "reach_metres"]

#: Dense working rows per Dijkstra batch (rows x nodes float64 ~ 8 bytes each).
_BATCH_CELLS = 8_000_000


def _augmented(net: WalkNetwork, src: Snapped) -> sp.csr_matrix:
    """The network plus one virtual node per source with one-way edges to its edge ends."""
    n, s = net.n_nodes, len(src)
    g = net.graph
    same = src.node_a == src.node_b
    cnt = np.where(same, 1, 2)
    extra_ptr = g.indptr[-1] + np.concatenate([[0], np.cumsum(cnt)])
    cols = np.empty(int(cnt.sum()), dtype=g.indices.dtype)
    data = np.empty(int(cnt.sum()))
    start = extra_ptr[:-1] - g.indptr[-1]
    cols[start] = src.node_a
    data[start] = src.snap_m + np.where(same, np.minimum(src.off_a, src.off_b), src.off_a)
    two = ~same
    cols[start[two] + 1] = src.node_b[two]
    data[start[two] + 1] = src.snap_m[two] + src.off_b[two]
    indptr = np.concatenate([g.indptr, extra_ptr[1:]])
    return sp.csr_matrix(
        (np.concatenate([g.data, data]), np.concatenate([g.indices, cols]), indptr),
        shape=(n + s, n + s),
    )


def _incidence(n: int, pts: Snapped) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each node, the points on its edges and their along-edge offsets (CSR layout)."""
    two = pts.node_a != pts.node_b
    idx = np.arange(len(pts))
    node = np.concatenate([pts.node_a, pts.node_b[two]])
    point = np.concatenate([idx, idx[two]])
    off = np.concatenate([np.where(two, pts.off_a, 0.0), pts.off_b[two]])
    order = np.argsort(node, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(node, minlength=n), out=ptr[1:])
    return ptr, point[order], off[order]


def _same_edge_pairs(src: Snapped, pts: Snapped) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source, point, metres) for every pair on the same street edge, walking along it."""
    s_ok = np.flatnonzero(src.edge >= 0)
    p_ok = np.flatnonzero(pts.edge >= 0)
    if not len(s_ok) or not len(p_ok):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    s_order = s_ok[np.argsort(src.edge[s_ok], kind="stable")]
    s_edges = src.edge[s_order]
    lo = np.searchsorted(s_edges, pts.edge[p_ok], side="left")
    hi = np.searchsorted(s_edges, pts.edge[p_ok], side="right")
    cnt = hi - lo
    p_rep = np.repeat(p_ok, cnt)
    starts = np.repeat(lo, cnt)
    within = np.arange(len(p_rep)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    s_rep = s_order[starts + within]
    metres = src.snap_m[s_rep] + np.abs(src.off_a[s_rep] - pts.off_a[p_rep]) + pts.snap_m[p_rep]
    return s_rep, p_rep, metres


def _node_sources(
    net: WalkNetwork, src: Snapped, limit_m: float, which: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every node to its nearest source, and that source's position (or -1)."""
    n = net.n_nodes
    on_node = bool(np.all((src.edge < 0) & (src.snap_m == 0)))
    if on_node:  # sources sit on nodes: search the network itself, no virtual nodes
        graph, starts = net.graph, src.node_a
    else:
        graph, starts = _augmented(net, src), np.arange(n, n + len(src))
    if not which:
        dist = dijkstra(graph, directed=True, indices=starts, limit=limit_m, min_only=True)
        return dist[:n], np.full(n, -1, dtype=np.int64)
    dist, _, origin = dijkstra(
        graph, directed=True, indices=starts, limit=limit_m, min_only=True, return_predecessors=True
    )
    origin = origin[:n].astype(np.int64)
    if on_node:
        pos = np.full(n, -1, dtype=np.int64)
        pos[src.node_a[::-1]] = np.arange(len(src))[::-1]
        best = np.where(origin >= 0, pos[np.clip(origin, 0, None)], -1)
    else:
        best = np.where(origin >= n, origin - n, -1)
    return dist[:n], best


def nearest_metres(
    net: WalkNetwork,
    src: Snapped,
    pts: Snapped,
    *,
    limit_m: float = np.inf,
    which: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Network metres from each point to its nearest source, and that source's position.

    Returns ``(metres, source)``; ``inf`` and ``-1`` where no source is within ``limit_m``
    (``source`` is all -1 when ``which`` is false). One multi-source Dijkstra over the network
    from all sources at once. Where several sources are exactly equally near, any of them may
    be reported (the distance is the same).
    """
    if len(src) == 0:
        return np.full(len(pts), np.inf), np.full(len(pts), -1, dtype=np.int64)
    node_d, node_best = _node_sources(net, src, limit_m, which)
    metres = node_d[pts.node_a]
    metres += pts.off_a
    best = node_best[pts.node_a] if which else np.full(len(pts), -1, dtype=np.int64)
    two = pts.node_a != pts.node_b
    if np.any(two):  # the nearer of the edge's two ends
        db = node_d[pts.node_b]
        db += pts.off_b
        use_b = db < metres
        np.copyto(metres, db, where=use_b)
        if which:
            np.copyto(best, node_best[pts.node_b], where=use_b)
    else:  # points on nodes: off_b may still differ from off_a
        np.minimum(metres, node_d[pts.node_a] + pts.off_b, out=metres)
    metres += pts.snap_m
    s_rep, p_rep, direct = _same_edge_pairs(src, pts)
    if len(direct):
        order = np.lexsort((s_rep, direct, p_rep))
        first = np.ones(len(order), dtype=bool)
        first[1:] = p_rep[order][1:] != p_rep[order][:-1]
        pick = order[first]
        p, d, s = p_rep[pick], direct[pick], s_rep[pick]
        better = d < metres[p]
        metres[p[better]] = d[better]
        best[p[better]] = s[better]
    beyond = metres > limit_m
    metres[beyond] = np.inf
    best[beyond] = -1
    return metres, best


@dataclass(frozen=True, eq=False)
class Reach:
    """Every (source, point) pair within a distance limit, with network metres.

    Attributes
    ----------
    source, point
        Positions into the snapped sources and points (each pair once; order not fixed).
    metres
        Network distance of each pair.
    n_sources, n_points
        Sizes of the two sets.
    limit_m
        The distance limit used; pairs farther apart are absent.
    speed_kmh
        Walking speed for :attr:`minutes`.
    """

    source: np.ndarray
    point: np.ndarray
    metres: np.ndarray
    n_sources: int
    n_points: int
    limit_m: float
    speed_kmh: float = WALK_SPEED_KMH

    @property
    def minutes(self) -> np.ndarray:
        """Walking minutes of each pair at :attr:`speed_kmh`."""
        return self.metres / (self.speed_kmh / 3.6) / 60.0


def _node_reach(
    net: WalkNetwork, src: Snapped, limit_m: float, batch: int | None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``(source, node, metres)`` for every node within ``limit_m`` of each source."""
    local = None if batch else local_reach(net, src, limit_m)
    if local is not None:
        yield from local
        return
    n, s = net.n_nodes, len(src)
    graph = _augmented(net, src)
    size = batch or max(1, _BATCH_CELLS // (n + s))
    for lo in range(0, s, size):
        hi = min(s, lo + size)
        dist = dijkstra(graph, directed=True, indices=np.arange(n + lo, n + hi), limit=limit_m)
        rows, nodes = np.nonzero(dist[:, :n] <= limit_m)
        yield rows + lo, nodes, dist[rows, nodes]


def reach_metres(
    net: WalkNetwork,
    src: Snapped,
    pts: Snapped,
    *,
    limit_m: float,
    batch: int | None = None,
) -> Reach:
    """All source-to-point network distances up to ``limit_m`` (bounded Dijkstra per source).

    Each source runs one bounded Dijkstra on the local piece of the network that can hold
    paths of that length (see :mod:`geoseg.access._local`), or on the whole network in batches
    of ``batch`` sources when the local pieces would not be small (or ``batch`` is given).
    Each (source, point) pair appears once, with its smallest distance.
    """
    n, s = net.n_nodes, len(src)
    if not np.isfinite(limit_m):
        msg = "reach_metres needs a finite distance limit"
        raise ValueError(msg)
    if s == 0 or len(pts) == 0:
        e = np.empty(0, dtype=np.int64)
        return Reach(e, e.copy(), np.empty(0), s, len(pts), float(limit_m))
    inc_ptr, inc_pt, inc_off = _incidence(n, pts)
    out_s: list[np.ndarray] = []
    out_p: list[np.ndarray] = []
    out_d: list[np.ndarray] = []
    for rows, nodes, d in _node_reach(net, src, limit_m, batch):
        cnt = inc_ptr[nodes + 1] - inc_ptr[nodes]
        first = np.repeat(inc_ptr[nodes] - (np.cumsum(cnt) - cnt), cnt) + np.arange(cnt.sum())
        pt = inc_pt[first]
        out_s.append(np.repeat(rows, cnt))
        out_p.append(pt)
        out_d.append(np.repeat(d, cnt) + inc_off[first] + pts.snap_m[pt])
    s_rep, p_rep, direct = _same_edge_pairs(src, pts)
    source = np.concatenate([*out_s, s_rep]).astype(np.int64)
    point = np.concatenate([*out_p, p_rep]).astype(np.int64)
    metres = np.concatenate([*out_d, direct])
    ok = metres <= limit_m
    source, point, metres = source[ok], point[ok], metres[ok]
    if not len(direct) and bool(np.all(pts.node_a == pts.node_b)):
        # points on nodes, one node each: every pair appears once already
        return Reach(source, point, metres, s, len(pts), float(limit_m))
    order = np.lexsort((metres, point, source))
    source, point, metres = source[order], point[order], metres[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (source[1:] != source[:-1]) | (point[1:] != point[:-1])
    source, point, metres = source[keep], point[keep], metres[keep]
    return Reach(source, point, metres, s, len(pts), float(limit_m))
