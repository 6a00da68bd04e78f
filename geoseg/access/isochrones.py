"""Isochrones: the area reachable on foot from each service within 5, 10, 15 minutes.

:func:`isochrones` draws one polygon per service, cutting streets exactly with shapely (fine for
a few services). :func:`kind_isochrones` draws one polygon per service kind and threshold for a
whole city in seconds: one multi-source search per kind and a raster of the reached streets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy import ndimage
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring
from tqdm import tqdm

from geoseg.access._paths import _augmented
from geoseg.access._snap import Snapped, subset
from geoseg.access.network import WalkNetwork, minutes_to_metres
from geoseg.settings import WALK_SPEED_KMH

__all__ = ["isochrones", "kind_isochrones", "reached_streets"]

logger = logging.getLogger(__name__)


def _pieces(
    net: WalkNetwork, lines: np.ndarray, dist: np.ndarray, src: Snapped, k: int, limit: float
) -> list[shapely.LineString]:
    """Street pieces within ``limit`` metres of source ``k`` given its node distances."""
    u, v, length = net.edge_u, net.edge_v, net.edge_length
    du, dv = dist[u], dist[v]
    glen = shapely.length(lines)
    full = (du + dv + length) / 2.0 <= limit
    out: list[shapely.LineString] = list(lines[full])
    part_u = ~full & (du <= limit)
    part_v = ~full & (dv <= limit)
    scale = np.divide(glen, length, out=np.zeros_like(glen), where=length > 0)
    for e in np.flatnonzero(part_u):
        out.append(substring(lines[e], 0.0, (limit - du[e]) * scale[e]))
    for e in np.flatnonzero(part_v):
        out.append(substring(lines[e], glen[e] - (limit - dv[e]) * scale[e], glen[e]))
    own = int(src.edge[k])
    r = limit - float(src.snap_m[k])
    if own >= 0 and r > 0:  # along the service's own street in both directions
        lo = max(0.0, float(src.off_a[k]) - r) * scale[own]
        hi = min(float(length[own]), float(src.off_a[k]) + r) * scale[own]
        out.append(substring(lines[own], lo, hi))
    return [g for g in out if g.geom_type == "LineString" and not g.is_empty]


def reached_streets(
    net: WalkNetwork,
    services: Snapped,
    *,
    minutes: float,
    speed_kmh: float = WALK_SPEED_KMH,
) -> list[shapely.MultiLineString]:
    """For each service, the street lines reachable within ``minutes`` (cut exactly)."""
    limit = minutes_to_metres(minutes, speed_kmh)
    graph = _augmented(net, services)
    lines = net.edge_lines()
    n = net.n_nodes
    out = []
    for k in range(len(services)):
        dist = dijkstra(graph, directed=True, indices=n + k, limit=limit)[:n]
        out.append(shapely.multilinestrings(_pieces(net, lines, dist, services, k, limit)))
    return out


def isochrones(
    net: WalkNetwork,
    services: Snapped,
    *,
    minutes: Sequence[float] = (5.0, 10.0, 15.0),
    speed_kmh: float = WALK_SPEED_KMH,
    buffer_m: float = 50.0,
) -> gpd.GeoDataFrame:
    """Isochrone polygons around each service.

    Parameters
    ----------
    net
        The walking network.
    services
        Snapped services.
    minutes
        Time thresholds.
    speed_kmh
        Walking speed.
    buffer_m
        Half-width of the band drawn around each reached street.

    Returns
    -------
    GeoDataFrame
        One row per (service, minutes), columns ``service``, ``minutes``, ``geometry``
        (polygon, empty when nothing is reached), in the network's CRS.

    Notes
    -----
    Network-buffer isochrones: every street piece reachable within the time (edges reached
    only part-way are cut at the exact point where the time runs out, along both directions)
    is buffered by ``buffer_m`` and the pieces are merged. Unlike a hull of reached nodes this
    never bridges a river or a motorway the walker cannot cross. The straight walk from the
    service to its street is subtracted from the time.
    """
    limits = sorted(float(m) for m in minutes)
    graph = _augmented(net, services)
    lines = net.edge_lines()
    n = net.n_nodes
    rows: list[tuple[object, float, object]] = []
    top = minutes_to_metres(limits[-1], speed_kmh) if limits else 0.0
    for k, label in enumerate(services.index):
        dist = dijkstra(graph, directed=True, indices=n + k, limit=top)[:n]
        for m in limits:
            pieces = _pieces(net, lines, dist, services, k, minutes_to_metres(m, speed_kmh))
            if pieces:
                geom = shapely.buffer(shapely.multilinestrings(pieces), buffer_m)
            else:
                geom = shapely.Polygon()
            rows.append((label, m, geom))
    logger.info("isochrones: %d services x %d thresholds", len(services), len(limits))
    return gpd.GeoDataFrame(
        {"service": [r[0] for r in rows], "minutes": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=net.crs,
    )


def _kind_distances(net: WalkNetwork, services: Snapped, limit: float) -> np.ndarray:
    """Network metres from the nearest of ``services`` to every node (inf beyond ``limit``).

    One search from a virtual source joined to both ends of every service's street, at the
    service's walk to the street plus its offset along it.
    """
    n = net.n_nodes
    both = np.concatenate([services.node_a, services.node_b])
    walk = np.concatenate([services.snap_m + services.off_a, services.snap_m + services.off_b])
    ends, which = np.unique(both, return_inverse=True)
    start = np.full(len(ends), np.inf)
    np.minimum.at(start, which, walk.astype(float))  # services sharing a node: the nearest
    g = net.graph.tocoo()
    rows = np.concatenate([g.row, np.full(len(ends), n)])
    cols = np.concatenate([g.col, ends])
    # explicit zeros (edges of length zero) must stay edges: shift every weight by a tiny amount
    data = np.concatenate([g.data, start])
    graph = sp.csr_matrix((data + 1e-9, (rows, cols)), shape=(n + 1, n + 1))
    dist = dijkstra(graph, directed=True, indices=n, limit=limit + 1e-3)[:n]
    return dist


def _street_samples(
    net: WalkNetwork, dist: np.ndarray, services: Snapped, limit: float, step: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points at most ``step`` metres apart along the reached streets, with their metres."""
    u, v, length = net.edge_u, net.edge_v, net.edge_length
    own = np.unique(services.edge[services.edge >= 0])
    edges = np.union1d(np.flatnonzero((dist[u] <= limit) | (dist[v] <= limit)), own)
    off = net.coord_offsets
    nseg = off[edges + 1] - off[edges] - 1
    line = np.repeat(np.arange(len(edges)), nseg)
    starts = np.cumsum(nseg) - nseg
    seg = off[edges][line] + (np.arange(len(line)) - starts[line])
    a, d = net.coords[seg], net.coords[seg + 1] - net.coords[seg]
    seg_len = np.hypot(d[:, 0], d[:, 1])
    glen = np.bincount(line, weights=seg_len, minlength=len(edges))
    done = np.cumsum(seg_len) - seg_len  # line metres before each segment, from the first line
    before = done - np.append(done, 0.0)[starts][line]
    # points on every segment, both ends included
    k = np.ceil(seg_len / step).astype(np.int64) + 1
    rep = np.repeat(np.arange(len(seg)), k)
    t = (np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)) / np.repeat(
        np.maximum(k - 1, 1), k
    )
    x = a[rep, 0] + t * d[rep, 0]
    y = a[rep, 1] + t * d[rep, 1]
    li = line[rep]
    e = edges[li]
    scale = np.divide(length[e], glen[li], out=np.zeros(len(e)), where=glen[li] > 0)
    along = (before[rep] + t * seg_len[rep]) * scale  # network metres from the edge's first node
    metres = np.minimum(dist[u[e]] + along, dist[v[e]] + (length[e] - along))
    # along a service's own street, straight from the service
    lo = np.searchsorted(e, services.edge, side="left")
    hi = np.searchsorted(e, services.edge, side="right")
    for k_ in np.flatnonzero(services.edge >= 0).tolist():
        part = slice(int(lo[k_]), int(hi[k_]))
        walk = services.snap_m[k_] + np.abs(along[part] - services.off_a[k_])
        np.minimum(metres[part], walk, out=metres[part])
    keep = metres <= limit
    return x[keep], y[keep], metres[keep]


def _disk(radius_cells: float) -> np.ndarray:
    r = int(np.floor(radius_cells))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (xx**2 + yy**2) <= radius_cells**2 + 1e-9


def _polygons(
    x: np.ndarray,
    y: np.ndarray,
    metres: np.ndarray,
    limits: Sequence[float],
    *,
    buffer_m: float,
    cell_m: float,
) -> list[Any]:
    """One polygon per limit: the cells within ``buffer_m`` of a point reached in time."""
    from affine import Affine
    from rasterio import features

    if len(x) == 0:
        return [shapely.Polygon() for _ in limits]
    pad = buffer_m + 2 * cell_m
    x0, y1 = x.min() - pad, y.max() + pad
    ncol = int(np.ceil((x.max() + pad - x0) / cell_m))
    nrow = int(np.ceil((y1 - (y.min() - pad)) / cell_m))
    grid = np.full((nrow, ncol), np.inf, dtype=np.float32)
    row = ((y1 - y) / cell_m).astype(np.int64)
    col = ((x - x0) / cell_m).astype(np.int64)
    np.minimum.at(grid, (row, col), metres.astype(np.float32))
    # the least metres of any reached street point within buffer_m of each cell
    near = ndimage.minimum_filter(
        grid, footprint=_disk(buffer_m / cell_m), mode="constant", cval=np.inf
    )
    transform = Affine(cell_m, 0.0, x0, 0.0, -cell_m, y1)
    out = []
    for limit in limits:
        inside = near <= limit
        parts = [
            shapely.geometry.shape(geom)
            for geom, _ in features.shapes(inside.view(np.uint8), mask=inside, transform=transform)
        ]
        out.append(shapely.multipolygons(parts) if parts else shapely.Polygon())
    return out


def kind_isochrones(
    net: WalkNetwork,
    services: Snapped,
    kinds: Sequence[Any],
    *,
    minutes: Sequence[float] = (5.0, 10.0, 15.0),
    speed_kmh: float = WALK_SPEED_KMH,
    buffer_m: float = 50.0,
    cell_m: float = 25.0,
) -> gpd.GeoDataFrame:
    """Isochrones of every service kind: the area within each time of its nearest service.

    Parameters
    ----------
    net
        The walking network.
    services
        Snapped services.
    kinds
        The kind of each snapped service (aligned with ``services``).
    minutes
        Time thresholds.
    speed_kmh
        Walking speed.
    buffer_m
        Half-width of the band drawn around each reached street.
    cell_m
        Side of the raster cells the bands are drawn on (the outline's precision).

    Returns
    -------
    GeoDataFrame
        One row per (kind, minutes): ``kind``, ``minutes``, ``services`` (how many services of
        the kind) and ``geometry`` (polygon, empty when nothing is reached), in the network's
        CRS.

    Notes
    -----
    The same network-buffer isochrones as :func:`isochrones`, for the union of a kind's
    services: every street point reachable within the time (from the nearest service, whose
    straight walk to its street is subtracted) is surrounded by a disk of ``buffer_m``. One
    multi-source Dijkstra per kind gives the metres to every node; points every ``cell_m / 2``
    along the reached streets carry their metres onto a raster of ``cell_m`` cells; a minimum
    filter over a disk of ``buffer_m`` gives each cell the least time of a street within
    reach, and the cells under each threshold are traced into polygons (rasterio). Outlines
    follow the cells, so they are exact to about one cell (25 m by default, against the
    exact cut of :func:`isochrones`).
    """
    limits = sorted(float(m) for m in minutes)
    labels = np.asarray(kinds, dtype=object)
    if len(labels) != len(services):
        msg = f"isochrones: {len(labels)} kinds for {len(services)} services"
        raise ValueError(msg)
    top = minutes_to_metres(limits[-1], speed_kmh) if limits else 0.0
    metres_limits = [minutes_to_metres(m, speed_kmh) for m in limits]
    rows: list[dict[str, Any]] = []
    names = sorted(set(labels.tolist()), key=str)
    for kind in tqdm(names, desc="isochrones", unit=" kinds", disable=None, leave=False):
        mask = labels == kind
        mine = subset(services, mask)
        dist = _kind_distances(net, mine, top)
        x, y, metres = _street_samples(net, dist, mine, top, cell_m / 2)
        polys = _polygons(x, y, metres, metres_limits, buffer_m=buffer_m, cell_m=cell_m)
        for m, geom in zip(limits, polys, strict=True):
            rows.append({"kind": kind, "minutes": m, "services": int(mask.sum()), "geometry": geom})
    logger.info("isochrones: %d kinds x %d thresholds", len(names), len(limits))
    return gpd.GeoDataFrame(
        rows, columns=["kind", "minutes", "services", "geometry"], geometry="geometry", crs=net.crs
    )
