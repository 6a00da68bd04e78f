"""Isochrones: the area reachable on foot from each service within 5, 10, 15 minutes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring

from geoseg.access._paths import _augmented
from geoseg.access._snap import Snapped
from geoseg.access.network import WalkNetwork, minutes_to_metres
from geoseg.settings import WALK_SPEED_KMH

__all__ = ["isochrones", "reached_streets"]

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
