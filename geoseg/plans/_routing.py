"""Node-level walking distances to the nearest service and their exact incremental updates.

A plan check keeps, per service kind, the distance from every street node to its nearest service
(``dist``), which service that is (``origin``) and the shortest-path forest (``pred``). A plan then
changes these arrays step by step, each step exact:

1. :func:`recompute_region` after streets are removed: only nodes whose shortest path used a
   removed street (:func:`descendants`) are recomputed, seeded from their unaffected neighbours;
2. :func:`decrease` after streets are added: a Dijkstra that starts at the new streets' ends and
   goes on only where it shortens a distance;
3. :func:`recompute_region` after services are removed: only the nodes served by them;
4. :func:`bounded_from` for new services: a Dijkstra from the new services only, stopped at the
   largest distance any resident still walks, combined with the current distances by minimum.

Distances are sums of edge lengths in the same order as a full Dijkstra adds them, so that the
updated values equal a full recomputation bit for bit (floating-point addition is monotone, so a
minimum over paths of left-to-right sums is what both compute).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from geoseg.access import Snapped
from geoseg.access._paths import _same_edge_pairs

__all__ = [
    "NodeState",
    "bounded_from",
    "decrease",
    "descendants",
    "full_state",
    "point_metres",
    "recompute_region",
    "service_seeds",
]


@dataclass(eq=False)
class NodeState:
    """Distance (metres) from each node to its nearest service, that service and the forest.

    ``origin`` holds positions into the kind's service table (-1: unreachable); ``pred`` the
    predecessor of each node on its shortest path (``< 0``: the path starts at a service).
    ``pred`` is ``None`` once the state no longer matches a single Dijkstra run.
    """

    dist: np.ndarray
    origin: np.ndarray
    pred: np.ndarray | None = None

    def copy(self) -> NodeState:
        """An independent copy."""
        return NodeState(
            self.dist.copy(), self.origin.copy(), None if self.pred is None else self.pred.copy()
        )


def service_seeds(
    services: Snapped, positions: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(service, node, metres)``: the street nodes each service reaches directly.

    A service on edge ``(a, b)`` reaches ``a`` after ``snap_m + off_a`` and ``b`` after
    ``snap_m + off_b`` metres (one node when both ends coincide), as the access engine does.
    """
    pos = np.arange(len(services)) if positions is None else np.asarray(positions)
    same = services.node_a == services.node_b
    first = services.snap_m + np.where(
        same, np.minimum(services.off_a, services.off_b), services.off_a
    )
    two = ~same
    svc = np.concatenate([pos, pos[two]]).astype(np.int64)
    node = np.concatenate([services.node_a, services.node_b[two]]).astype(np.int64)
    metres = np.concatenate([first, services.snap_m[two] + services.off_b[two]])
    return svc, node, metres


def _with_sources(graph: sp.csr_matrix, node: np.ndarray, metres: np.ndarray) -> sp.csr_matrix:
    """``graph`` plus one virtual node per seed with a one-way edge to its node."""
    n, k = graph.shape[0], len(node)
    indptr = np.concatenate([graph.indptr, graph.indptr[-1] + np.arange(1, k + 1)])
    indices = np.concatenate([graph.indices, node.astype(graph.indices.dtype)])
    data = np.concatenate([graph.data, metres.astype(float)])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def full_state(graph: sp.csr_matrix, services: Snapped) -> NodeState:
    """Nearest-service distances, origins and shortest-path forest from scratch.

    One multi-source Dijkstra (``min_only``) from one virtual node per service, with one-way
    edges to the ends of the service's street edge.
    """
    n = graph.shape[0]
    if len(services) == 0:
        return NodeState(np.full(n, np.inf), np.full(n, -1, np.int64), np.full(n, -1, np.int64))
    # one virtual node per service, as the access engine builds it
    same = services.node_a == services.node_b
    cnt = np.where(same, 1, 2)
    s = len(services)
    extra_ptr = graph.indptr[-1] + np.concatenate([[0], np.cumsum(cnt)])
    cols = np.empty(int(cnt.sum()), dtype=graph.indices.dtype)
    data = np.empty(int(cnt.sum()))
    start = extra_ptr[:-1] - graph.indptr[-1]
    cols[start] = services.node_a
    data[start] = services.snap_m + np.where(
        same, np.minimum(services.off_a, services.off_b), services.off_a
    )
    two = ~same
    cols[start[two] + 1] = services.node_b[two]
    data[start[two] + 1] = services.snap_m[two] + services.off_b[two]
    aug = sp.csr_matrix(
        (
            np.concatenate([graph.data, data]),
            np.concatenate([graph.indices, cols]),
            np.concatenate([graph.indptr, extra_ptr[1:]]),
        ),
        shape=(n + s, n + s),
    )
    dist, pred, src = dijkstra(
        aug, directed=True, indices=np.arange(n, n + s), min_only=True, return_predecessors=True
    )
    origin = np.where(src[:n] >= n, src[:n] - n, -1).astype(np.int64)
    p = pred[:n].astype(np.int64)
    p = np.where(p >= n, -2, p)  # -2: reached straight from a service; -9999: unreachable
    return NodeState(dist[:n].copy(), origin, p)


def descendants(pred: np.ndarray, roots: np.ndarray) -> np.ndarray:
    """Boolean mask of ``roots`` and every node below them in the shortest-path forest."""
    n = len(pred)
    mask = np.zeros(n, dtype=bool)
    if len(roots) == 0:
        return mask
    child = np.flatnonzero(pred >= 0)
    parent = pred[child]
    # forest edges parent -> child plus a super root (index n) -> every root
    r = np.unique(roots)
    rows = np.concatenate([parent, np.full(len(r), n)])
    cols = np.concatenate([child, r])
    forest = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    order = breadth_first_order(forest, n, directed=True, return_predecessors=False)
    mask[order[order < n]] = True
    return mask


def recompute_region(
    graph: sp.csr_matrix,
    state: NodeState,
    region: np.ndarray,
    seeds: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> NodeState:
    """Recompute the nodes in ``region`` (mask) from their neighbours outside it and services.

    Parameters
    ----------
    graph
        The street graph after the change (CSR, metres).
    state
        Distances valid outside ``region`` after the change.
    region
        Nodes whose distance may have grown (they lost their shortest path).
    seeds
        ``(service, node, metres)`` of every service still open (:func:`service_seeds`).

    Notes
    -----
    Each region node ``x`` starts with ``min(d(b) + w(b, x))`` over neighbours ``b`` outside the
    region and the direct reach of services; a Dijkstra restricted to the region then finishes.
    Any path to ``x`` enters the region for the last time through such a neighbour, whose
    distance is unchanged, so the result is exact.
    """
    out = NodeState(state.dist.copy(), state.origin.copy(), None)
    nodes = np.flatnonzero(region)
    if not len(nodes):
        return out
    out.dist[nodes] = np.inf
    out.origin[nodes] = -1
    local = np.full(graph.shape[0], -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    # edges entering the region: from b (outside) to x (inside); the graph is symmetric, so
    # read the rows of the region nodes
    counts = np.diff(graph.indptr)[nodes]
    starts = np.repeat(graph.indptr[nodes], counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = starts + within
    x = np.repeat(nodes, counts)
    b = graph.indices[pos].astype(np.int64)
    w = graph.data[pos]
    outside = local[b] < 0
    seed_node = [x[outside]]
    seed_metres = [state.dist[b[outside]] + w[outside]]
    seed_origin = [state.origin[b[outside]]]
    svc, snode, smetres = seeds
    hit = local[snode] >= 0
    seed_node.append(snode[hit])
    seed_metres.append(smetres[hit])
    seed_origin.append(svc[hit])
    sn = np.concatenate(seed_node)
    sm = np.concatenate(seed_metres)
    so = np.concatenate(seed_origin)
    ok = np.isfinite(sm)
    sn, sm, so = sn[ok], sm[ok], so[ok]
    if not len(sn):
        return out
    inside = ~outside
    sub = _csr_from(local[x[inside]], local[b[inside]], w[inside], len(nodes))
    aug = _with_sources(sub, local[sn], sm)
    m = len(nodes)
    dist, _, src = dijkstra(
        aug,
        directed=True,
        indices=np.arange(m, m + len(sn)),
        min_only=True,
        return_predecessors=True,
    )
    d = dist[:m]
    reach = np.isfinite(d)
    out.dist[nodes[reach]] = d[reach]
    out.origin[nodes[reach]] = so[src[:m][reach] - m]
    return out


def _csr_from(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n: int) -> sp.csr_matrix:
    """CSR matrix keeping explicit zeros (``scipy.sparse`` would drop them on conversion)."""
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix(
        (data[order].astype(float), cols[order].astype(np.int32), indptr), shape=(n, n)
    )


def decrease(
    graph: sp.csr_matrix,
    state: NodeState,
    seed_node: np.ndarray,
    seed_metres: np.ndarray,
    seed_origin: np.ndarray,
    adjacency: tuple[list[int], list[int], list[float]] | None = None,
) -> NodeState:
    """Lower distances from new seeds; a Dijkstra that only goes on where it improves.

    Used after streets are added: the seeds are each new street's far end with the near end's
    distance plus the street's length. Cost grows with the number of nodes that get closer.
    """
    out = NodeState(state.dist.copy(), state.origin.copy(), None)
    dist = out.dist.tolist()
    origin = out.origin.tolist()
    indptr, indices, data = adjacency or (
        graph.indptr.tolist(),
        graph.indices.tolist(),
        graph.data.tolist(),
    )
    heap: list[tuple[float, int]] = []
    for v, d, o in zip(seed_node.tolist(), seed_metres.tolist(), seed_origin.tolist(), strict=True):
        if d < dist[v]:
            dist[v] = d
            origin[v] = o
            heapq.heappush(heap, (d, v))
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        o = origin[u]
        for k in range(indptr[u], indptr[u + 1]):
            v = indices[k]
            nd = d + data[k]
            if nd < dist[v]:
                dist[v] = nd
                origin[v] = o
                heapq.heappush(heap, (nd, v))
    out.dist = np.asarray(dist, dtype=float)
    out.origin = np.asarray(origin, dtype=np.int64)
    return out


def bounded_from(
    graph: sp.csr_matrix,
    state: NodeState,
    services: Snapped,
    positions: np.ndarray,
    *,
    limit_m: float,
) -> NodeState:
    """Combine the current distances with those from new services, searched up to ``limit_m``.

    Nodes farther than ``limit_m`` from every new service keep their current distance; callers
    choose ``limit_m`` so that no resident can gain beyond it (exact for residents).
    """
    out = NodeState(state.dist.copy(), state.origin.copy(), None)
    if len(services) == 0:
        return out
    svc, node, metres = service_seeds(services, positions)
    n = graph.shape[0]
    aug = _with_sources(graph, node, metres)
    dist, _, src = dijkstra(
        aug,
        directed=True,
        indices=np.arange(n, n + len(node)),
        limit=limit_m,
        min_only=True,
        return_predecessors=True,
    )
    d = dist[:n]
    better = d < out.dist
    out.dist[better] = d[better]
    out.origin[better] = svc[src[:n][better] - n]
    return out


def point_metres(
    state: NodeState,
    points: Snapped,
    services: Snapped,
    positions: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Metres from each point to its nearest service and that service's position.

    ``min(d(a) + off_a, d(b) + off_b) + snap_m``, or walking straight along a shared street
    edge to a service on it, whichever is shorter; ``inf`` and -1 when none is reachable.
    """
    da = state.dist[points.node_a] + points.off_a
    db = state.dist[points.node_b] + points.off_b
    use_b = db < da
    metres = np.where(use_b, db, da) + points.snap_m
    best = np.where(use_b, state.origin[points.node_b], state.origin[points.node_a])
    best = np.where(np.isfinite(metres), best, -1).astype(np.int64)
    s_rep, p_rep, direct = _same_edge_pairs(services, points)
    if len(direct):
        order = np.lexsort((direct, p_rep))
        keep = np.ones(len(order), dtype=bool)
        keep[1:] = p_rep[order][1:] != p_rep[order][:-1]
        pick = order[keep]
        p, d, s = p_rep[pick], direct[pick], s_rep[pick]
        better = d < metres[p]
        metres[p[better]] = d[better]
        best[p[better]] = np.asarray(positions)[s[better]]
    return metres, best
