"""Bounded shortest paths on small local pieces of the network instead of the whole city.

A walk of network length ``D`` cannot leave the disc of radius ``D / r`` around its start, where
``r = min(edge length / edge line length)`` over all edges (``r`` is 1 when every edge is at least
as long as its drawn line, as OSMnx lengths are). So every node within ``L`` metres of a service
lies in the box around the service widened by ``L / r``, and a Dijkstra run on the subgraph of that
box gives exactly the same distances up to ``L``. Services are grouped in tiles so that each
group shares one subgraph; the cost then grows with the neighbourhood, not the city.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geoseg.access._snap import Snapped
from geoseg.access.network import WalkNetwork

__all__ = ["detour_ratio", "local_reach"]

_RATIOS: weakref.WeakKeyDictionary[WalkNetwork, float] = weakref.WeakKeyDictionary()
_CELLS = 8_000_000


def detour_ratio(net: WalkNetwork) -> float:
    """``min(1, min over edges of length / line length)``; edges without extent are skipped."""
    if net in _RATIOS:
        return _RATIOS[net]
    c, o = net.coords, net.coord_offsets
    if len(c) < 2:
        return 1.0
    seg = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1]))
    inner = np.ones(len(seg), dtype=bool)
    inner[o[1:-1] - 1] = False  # segments that would join two different edges
    cum = np.concatenate([[0.0], np.cumsum(np.where(inner, seg, 0.0))])
    glen = cum[o[1:] - 1] - cum[o[:-1]]
    has = glen > 1e-9
    ratio = float(np.min(net.edge_length[has] / glen[has], initial=1.0))
    ratio = min(1.0, ratio)
    _RATIOS[net] = ratio
    return ratio


def local_reach(
    net: WalkNetwork, src: Snapped, limit_m: float
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Yield ``(source, node, metres)`` for every node within ``limit_m`` of each source.

    Returns ``None`` when edges are so much shorter than their lines (``r < 0.2``) that local
    pieces would not be small; the caller then searches the whole network.
    """
    ratio = detour_ratio(net)
    if ratio < 0.2:
        return None
    return _generate(net, src, limit_m, limit_m / ratio * (1 + 1e-9) + 1e-6)


def _generate(
    net: WalkNetwork, src: Snapped, limit_m: float, radius: float
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    g = net.graph
    n = net.n_nodes
    sx, sy = src.snap_xy[:, 0], src.snap_xy[:, 1]
    tile = max(radius, 1.0)
    cx = np.floor(sx / tile).astype(np.int64)
    cy = np.floor(sy / tile).astype(np.int64)
    order = np.lexsort((cy, cx))
    key = (cx * 1_000_003 + cy)[order]
    bounds = np.flatnonzero(np.diff(key)) + 1
    groups = np.split(order, bounds)
    x_order = np.argsort(net.x, kind="stable")
    xs = net.x[x_order]
    local = np.full(n, -1, dtype=np.int64)
    for grp in groups:
        lo, hi = np.searchsorted(xs, [sx[grp].min() - radius, sx[grp].max() + radius])
        cand = x_order[lo:hi]
        ys = net.y[cand]
        cand = cand[(ys >= sy[grp].min() - radius) & (ys <= sy[grp].max() + radius)]
        k = len(cand)
        local[cand] = np.arange(k)
        starts = g.indptr[cand]
        cnt = g.indptr[cand + 1] - starts
        flat = np.repeat(starts - (np.cumsum(cnt) - cnt), cnt) + np.arange(int(cnt.sum()))
        cols = local[g.indices[flat]]
        rows = np.repeat(np.arange(k), cnt)
        data = g.data[flat]
        keep = cols >= 0
        step = max(1, _CELLS // max(k, 1))
        for b0 in range(0, len(grp), step):
            part = grp[b0 : b0 + step]
            m = len(part)
            va = local[src.node_a[part]]
            vb = local[src.node_b[part]]
            same = src.node_a[part] == src.node_b[part]
            wa = src.snap_m[part] + np.where(same, 0.0, src.off_a[part])
            wb = src.snap_m[part] + src.off_b[part]
            vrows = np.concatenate([np.arange(m), np.arange(m)[~same]]) + k
            vcols = np.concatenate([va, vb[~same]])
            vdata = np.concatenate([wa, wb[~same]])
            vk = vcols >= 0
            vo = np.argsort(vrows, kind="stable")
            vrows, vcols, vdata, vk = vrows[vo], vcols[vo], vdata[vo], vk[vo]
            all_rows = np.concatenate([rows[keep], vrows[vk]])
            all_cols = np.concatenate([cols[keep], vcols[vk]])
            all_data = np.concatenate([data[keep], vdata[vk]])
            indptr = np.zeros(k + m + 1, dtype=np.int64)
            np.cumsum(np.bincount(all_rows, minlength=k + m), out=indptr[1:])
            sub = sp.csr_matrix((all_data, all_cols, indptr), shape=(k + m, k + m))
            dist = dijkstra(sub, directed=True, indices=np.arange(k, k + m), limit=limit_m)
            rr, cc = np.nonzero(dist[:, :k] <= limit_m)
            yield part[rr], cand[cc], dist[rr, cc]
        local[cand] = -1
