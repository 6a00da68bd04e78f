"""The walking network as compact arrays (CSR), built once from an OSMnx graph.

A :class:`WalkNetwork` holds an undirected street graph as a SciPy CSR matrix of edge lengths in
metres, the node coordinates and one straight or curved line per undirected edge (used to snap
points to streets and to draw isochrones). Every routine in :mod:`geoseg.access` takes this object;
edits for plan checks (:func:`add_edges`, :func:`remove_edges`) return a new one cheaply.
Street network files are read, and these arrays cached on disk, by :mod:`geoseg.io`
(:func:`geoseg.io.read_network`, :func:`geoseg.io.load_network`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
import shapely

from geoseg.errors import NetworkError

__all__ = [
    "WalkNetwork",
    "add_edges",
    "build_network",
    "edge_graph",
    "metres_to_minutes",
    "minutes_to_metres",
    "network_from_arrays",
    "remove_edges",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class WalkNetwork:
    """An undirected walking network as arrays.

    Attributes
    ----------
    graph
        Symmetric ``scipy.sparse.csr_matrix`` (n x n) of edge lengths in metres. Explicit zeros
        are edges of length zero.
    x, y
        Node coordinates in the network's CRS (metres).
    node_ids
        The source graph's node labels (OSM ids), position ``i`` is CSR node ``i``.
    edge_u, edge_v
        CSR node indices of each undirected edge, ``edge_u < edge_v``.
    edge_length
        Length of each undirected edge in metres (the shortest of any parallel edges).
    coords, coord_offsets
        Edge lines, flattened: edge ``e`` runs through
        ``coords[coord_offsets[e]:coord_offsets[e + 1]]`` from ``edge_u[e]`` to ``edge_v[e]``.
    crs
        CRS of the coordinates (text), or ``None`` when unknown.
    info
        Facts about how the network was read (source file, network type, ways cut at the
        extract's edge, clipping), kept with the cached arrays for reports.
    """

    graph: sp.csr_matrix
    x: np.ndarray
    y: np.ndarray
    node_ids: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    coords: np.ndarray
    coord_offsets: np.ndarray
    crs: str | None = None
    info: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _lines: list[Any] = field(default_factory=list, repr=False, compare=False)
    _tree: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.x.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.edge_u.shape[0])

    def edge_lines(self) -> np.ndarray:
        """Shapely LineStrings of the edges (built once, then reused)."""
        if not self._lines:
            counts = np.diff(self.coord_offsets)
            parts = np.repeat(np.arange(self.n_edges), counts)
            lines = shapely.linestrings(self.coords, indices=parts)
            self._lines.append(np.asarray(lines))
        return self._lines[0]

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the arrays only: the lines and the tree built from them are left behind
        (a tree does not pickle; both are rebuilt on first use)."""
        return {**self.__dict__, "_lines": [], "_tree": []}

    def edge_tree(self) -> shapely.STRtree:
        """A shapely STRtree over :meth:`edge_lines` (built once, then reused)."""
        if not self._tree:
            self._tree.append(shapely.STRtree(self.edge_lines()))
        return self._tree[0]

    def node_index(self, labels: Any) -> np.ndarray:
        """CSR indices of source-graph node labels (raises for unknown labels)."""
        order = np.argsort(self.node_ids, kind="stable")
        wanted = np.asarray(labels)
        pos = np.searchsorted(self.node_ids, wanted, sorter=order)
        pos = np.clip(pos, 0, len(order) - 1)
        found = order[pos]
        bad = self.node_ids[found] != wanted
        if np.any(bad):
            msg = (
                f"street network: node ids {list(np.atleast_1d(wanted)[np.atleast_1d(bad)][:10])} "
                "are not in the network; use ids from the network's nodes."
            )
            raise NetworkError(msg)
        return found


def metres_to_minutes(metres: Any, speed_kmh: float) -> Any:
    """Walking minutes for a distance: ``metres / (speed_kmh / 3.6) / 60``."""
    return np.asarray(metres, dtype=float) / (speed_kmh / 3.6) / 60.0


def minutes_to_metres(minutes: float, speed_kmh: float) -> float:
    """Distance walked in ``minutes`` at ``speed_kmh``."""
    return float(minutes) * 60.0 * speed_kmh / 3.6


def edge_graph(n: int, u: np.ndarray, v: np.ndarray, length: np.ndarray) -> sp.csr_matrix:
    """The symmetric CSR matrix (``n`` x ``n``) of undirected edges ``u``-``v`` and their lengths.

    Both directions of every edge are stored, each row's entries ordered by column; an explicit
    zero is an edge of length zero.
    """
    m = len(u)
    idx = np.int32 if 2 * m < 2**31 and n < 2**31 else np.int64
    rows = np.concatenate([u, v]).astype(idx)
    cols = np.concatenate([v, u]).astype(idx)
    order = np.argsort(rows.astype(np.int64) * max(n, 1) + cols.astype(np.int64), kind="stable")
    indptr = np.zeros(n + 1, dtype=idx)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    del rows
    data = np.concatenate([length, length]).astype(float)[order]
    return sp.csr_matrix((data, cols[order], indptr), shape=(n, n))


def build_network(graph: nx.MultiDiGraph, *, crs: str | None = None) -> WalkNetwork:
    """Turn a projected OSMnx graph into an undirected walking network of arrays.

    Parameters
    ----------
    graph
        OSMnx ``MultiDiGraph`` with node attributes ``x``, ``y`` (metres) and edge attribute
        ``length`` (metres); an edge ``geometry`` (LineString) is used when present.
    crs
        CRS of the coordinates; by default the graph's ``crs`` attribute.

    Returns
    -------
    WalkNetwork

    Notes
    -----
    Walking ignores one-way rules, so every directed edge becomes an undirected one; of parallel
    edges between two nodes the shortest is kept (it is the one any shortest path uses). Self-loops
    are dropped (they are never on a shortest path).
    """
    if graph.number_of_nodes() == 0:
        msg = "street network: the graph has no nodes; check the OSM file or the place name."
        raise NetworkError(msg)
    crs_text = crs if crs is not None else graph.graph.get("crs")
    node_ids = np.array(list(graph.nodes))
    index = {node: i for i, node in enumerate(graph.nodes)}
    try:
        x = np.array([d["x"] for _, d in graph.nodes(data=True)], dtype=float)
        y = np.array([d["y"] for _, d in graph.nodes(data=True)], dtype=float)
    except KeyError as exc:
        msg = f"street network: nodes lack the coordinate attribute {exc}; read it with OSMnx."
        raise NetworkError(msg) from None
    best: dict[tuple[int, int], tuple[float, Any, bool]] = {}
    missing = 0
    for a, b, data in graph.edges(data=True):
        u, v = index[a], index[b]
        if u == v:
            continue
        length = data.get("length")
        geom = data.get("geometry")
        if length is None:
            missing += 1
            continue
        key = (u, v) if u < v else (v, u)
        old = best.get(key)
        if old is None or float(length) < old[0]:
            best[key] = (float(length), geom, u > v)
    if missing:
        msg = (
            f"street network: {missing} edges have no 'length' attribute; read the network with "
            "geoseg.io.read_network (OSMnx adds lengths in metres)."
        )
        raise NetworkError(msg)
    keys = sorted(best)
    m = len(keys)
    edge_u = np.fromiter((k[0] for k in keys), dtype=np.int64, count=m)
    edge_v = np.fromiter((k[1] for k in keys), dtype=np.int64, count=m)
    edge_length = np.fromiter((best[k][0] for k in keys), dtype=float, count=m)
    if np.any(edge_length < 0) or not np.all(np.isfinite(edge_length)):
        msg = "street network: some edge lengths are negative or not finite; re-read the network."
        raise NetworkError(msg)
    chunks: list[np.ndarray] = []
    counts = np.empty(m, dtype=np.int64)
    for e, k in enumerate(keys):
        _, geom, flipped = best[k]
        if geom is None:
            xy = np.array([[x[k[0]], y[k[0]]], [x[k[1]], y[k[1]]]])
        else:
            xy = shapely.get_coordinates(geom)
            if flipped:
                xy = xy[::-1]
        chunks.append(xy)
        counts[e] = len(xy)
    coords = np.concatenate(chunks) if chunks else np.empty((0, 2))
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    net = WalkNetwork(
        graph=edge_graph(len(x), edge_u, edge_v, edge_length),
        x=x,
        y=y,
        node_ids=node_ids,
        edge_u=edge_u,
        edge_v=edge_v,
        edge_length=edge_length,
        coords=coords,
        coord_offsets=offsets,
        crs=None if crs_text is None else str(crs_text),
    )
    logger.info("walking network: %d nodes, %d undirected edges", net.n_nodes, net.n_edges)
    return net


def network_from_arrays(
    x: Any,
    y: Any,
    node_ids: Any,
    edge_u: Any,
    edge_v: Any,
    edge_length: Any,
    coords: Any,
    coord_offsets: Any,
    *,
    crs: str | None = None,
    info: Mapping[str, Any] | None = None,
) -> WalkNetwork:
    """Build a :class:`WalkNetwork` from plain arrays (the streaming OSM reader's output).

    Parameters
    ----------
    x, y
        Node coordinates in metres.
    node_ids
        Node labels (OSM node ids), one per node.
    edge_u, edge_v
        Node indices of each edge's two ends (any order, duplicates allowed).
    edge_length
        Edge lengths in metres (finite, >= 0).
    coords, coord_offsets
        Edge lines, flattened: edge ``e`` runs through ``coords[coord_offsets[e]:
        coord_offsets[e + 1]]`` from ``edge_u[e]`` to ``edge_v[e]``.
    crs
        CRS of the coordinates.
    info
        Facts about the source, kept in :attr:`WalkNetwork.info`.

    Returns
    -------
    WalkNetwork

    Notes
    -----
    The same rules as :func:`build_network`: self-loops are dropped and of parallel edges
    between two nodes the shortest is kept; edges are stored with ``edge_u < edge_v`` (lines
    reversed where needed).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    u = np.asarray(edge_u, dtype=np.int64)
    v = np.asarray(edge_v, dtype=np.int64)
    length = np.asarray(edge_length, dtype=float)
    xy = np.asarray(coords, dtype=float).reshape(-1, 2)
    off = np.asarray(coord_offsets, dtype=np.int64)
    if len(x) == 0:
        msg = "street network: no nodes; check the street network file."
        raise NetworkError(msg)
    if np.any(length < 0) or not np.all(np.isfinite(length)):
        msg = "street network: some edge lengths are negative or not finite; re-read the network."
        raise NetworkError(msg)
    a, b = np.minimum(u, v), np.maximum(u, v)
    loops = a == b
    key = a * len(x) + b
    order = np.argsort(key, kind="stable")
    order = order[~loops[order]]
    ks = key[order]
    dup = np.flatnonzero(ks[1:] == ks[:-1])
    if len(dup):  # parallel edges: keep the shortest of each group
        drop = np.zeros(len(order), dtype=bool)
        pos = np.unique(np.concatenate([dup, dup + 1]))
        sub = pos[np.lexsort((length[order[pos]], ks[pos]))]
        later = np.zeros(len(sub), dtype=bool)
        later[1:] = ks[sub][1:] == ks[sub][:-1]
        drop[sub[later]] = True
        order = order[~drop]
    keep = order
    counts = off[keep + 1] - off[keep]
    new_off = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(counts, out=new_off[1:])
    # gather each kept line, reversed where the edge is stored the other way round
    pos = np.arange(int(new_off[-1]), dtype=np.int64) - np.repeat(new_off[:-1], counts)
    flip = np.repeat(u[keep] > v[keep], counts)
    start = np.repeat(off[keep], counts)
    last = np.repeat(off[keep + 1] - 1, counts)
    src = np.where(flip, last - pos, start + pos)
    net = WalkNetwork(
        graph=edge_graph(len(x), a[keep], b[keep], length[keep]),
        x=x,
        y=y,
        node_ids=np.asarray(node_ids),
        edge_u=a[keep],
        edge_v=b[keep],
        edge_length=length[keep],
        coords=xy[src],
        coord_offsets=new_off,
        crs=crs,
        info=dict(info or {}),
    )
    logger.info("walking network: %d nodes, %d undirected edges", net.n_nodes, net.n_edges)
    return net


def _with_edges(
    net: WalkNetwork, u: np.ndarray, v: np.ndarray, length: np.ndarray, coords: list[np.ndarray]
) -> WalkNetwork:
    counts = np.array([len(c) for c in coords], dtype=np.int64)
    offsets = np.zeros(len(coords) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = np.concatenate(coords) if coords else np.empty((0, 2))
    return WalkNetwork(
        graph=edge_graph(net.n_nodes, u, v, length),
        x=net.x,
        y=net.y,
        node_ids=net.node_ids,
        edge_u=u,
        edge_v=v,
        edge_length=length,
        coords=flat,
        coord_offsets=offsets,
        crs=net.crs,
    )


def _edge_coords(net: WalkNetwork) -> list[np.ndarray]:
    o = net.coord_offsets
    return [net.coords[o[e] : o[e + 1]] for e in range(net.n_edges)]


def remove_edges(net: WalkNetwork, edges: Any) -> WalkNetwork:
    """Return a copy of ``net`` without the given edges (for plans that close a path).

    Parameters
    ----------
    net
        The network.
    edges
        Indices of undirected edges (into ``net.edge_u``), or an (m, 2) array of CSR node pairs.
    """
    arr = np.asarray(edges)
    if arr.ndim == 2:
        a, b = np.minimum(arr[:, 0], arr[:, 1]), np.maximum(arr[:, 0], arr[:, 1])
        key = net.edge_u * net.n_nodes + net.edge_v
        drop = np.isin(key, a * net.n_nodes + b)
    else:
        drop = np.zeros(net.n_edges, dtype=bool)
        drop[arr.astype(np.int64)] = True
    keep = ~drop
    all_coords = _edge_coords(net)
    return _with_edges(
        net,
        net.edge_u[keep],
        net.edge_v[keep],
        net.edge_length[keep],
        [c for c, k in zip(all_coords, keep, strict=True) if k],
    )


def add_edges(net: WalkNetwork, u: Any, v: Any, length: Any = None) -> WalkNetwork:
    """Return a copy of ``net`` with new straight edges between existing nodes (a new path).

    Parameters
    ----------
    net
        The network.
    u, v
        CSR node indices of the new edges' ends.
    length
        Lengths in metres; by default the straight-line distance between the ends.
    """
    u = np.atleast_1d(np.asarray(u, dtype=np.int64))
    v = np.atleast_1d(np.asarray(v, dtype=np.int64))
    if length is None:
        length = np.hypot(net.x[u] - net.x[v], net.y[u] - net.y[v])
    length = np.atleast_1d(np.asarray(length, dtype=float))
    a, b = np.minimum(u, v), np.maximum(u, v)
    new_coords = [
        np.array([[net.x[i], net.y[i]], [net.x[j], net.y[j]]]) for i, j in zip(a, b, strict=True)
    ]
    ok = a != b
    return _with_edges(
        net,
        np.concatenate([net.edge_u, a[ok]]),
        np.concatenate([net.edge_v, b[ok]]),
        np.concatenate([net.edge_length, length[ok]]),
        _edge_coords(net) + [c for c, k in zip(new_coords, ok, strict=True) if k],
    )
