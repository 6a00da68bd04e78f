"""The maps' light street layer, prepared from the project's street network.

Street edges run from one intersection to the next, so a street crossing a city is hundreds of
short pieces. :func:`street_lines` joins the pieces that continue one another straight through
an intersection into *strokes* (Thomson & Richardson 1999, "The 'good continuation' principle of
perceptual organization applied to the generalization of road networks"), simplifies each stroke
in the project's metric CRS and keeps the longest strokes within a vertex budget, so the streets
drawn are continuous and a page stays small. :func:`street_tiers` splits them into the major
streets a reader sees at the city's zoom and the rest, which appear when zoomed in.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geoseg.errors import InputError

__all__ = [
    "MAJOR_SHARE",
    "STREET_LINES_VERSION",
    "STREET_VERTICES",
    "street_lines",
    "street_tiers",
]

logger = logging.getLogger(__name__)

#: Version of the way :func:`street_lines` prepares the layer; cached layers of another
#: version are prepared again (raise it when the result of :func:`street_lines` changes).
STREET_LINES_VERSION = 1
#: Vertices of the street layer at most (about 9 bytes each in the page).
STREET_VERTICES = 20_000
#: Share of the street length drawn as major streets (the longest strokes).
MAJOR_SHARE = 0.3
#: Largest bend (degrees) at an intersection for two pieces to continue one stroke.
_MAX_BEND = 40.0


def street_lines(
    network: Any,
    *,
    areas: gpd.GeoDataFrame | None = None,
    tolerance: float = 8.0,
    max_vertices: int = STREET_VERTICES,
) -> gpd.GeoSeries:
    """Street lines for the maps' light street layer: continuous strokes, simplified, thinned.

    Parameters
    ----------
    network
        A :class:`geoseg.access.WalkNetwork` (its edge lines are used) or a GeoSeries /
        GeoDataFrame of lines in a projected CRS.
    areas
        When given, streets are clipped to the areas' bounding box plus a 500 m margin.
    tolerance
        Douglas-Peucker tolerance in metres.
    max_vertices
        The most vertices kept: when the simplified strokes have more, dead ends (cul-de-sacs,
        stubs) are dropped first, then the shortest strokes, so the long connected streets
        that a reader orients by remain whole.

    Returns
    -------
    geopandas.GeoSeries
        Lines in the input's CRS, longest first.

    Notes
    -----
    At every intersection the pieces are paired by the straightest continuation (a bend of at
    most 40 degrees, the straightest pair first) and chained into strokes (Thomson & Richardson
    1999); pieces joined where only two meet are always chained. Each stroke is simplified with
    Douglas-Peucker (Douglas & Peucker 1973) preserving topology.
    """
    if isinstance(network, gpd.GeoDataFrame | gpd.GeoSeries):
        geoms = np.asarray(network.geometry if isinstance(network, gpd.GeoDataFrame) else network)
        crs = network.crs
    elif hasattr(network, "edge_lines"):
        geoms = np.asarray(network.edge_lines())
        crs = network.crs
    else:
        msg = "street_lines: pass a WalkNetwork or a GeoSeries of street lines"
        raise InputError(msg)
    if crs is None:
        msg = "street_lines: the streets have no CRS; set a projected CRS (metres) first"
        raise InputError(msg)
    series = gpd.GeoSeries(geoms, crs=crs)
    if not series.crs.is_projected:
        msg = "street_lines: the streets are in a geographic CRS; project them to metres first"
        raise InputError(msg)
    if areas is not None and len(areas):
        x0, y0, x1, y1 = areas.to_crs(series.crs).total_bounds
        series = series.clip((x0 - 500, y0 - 500, x1 + 500, y1 + 500))
    lines = shapely.get_parts(series.to_numpy())
    lines = lines[(shapely.get_type_id(lines) == 1) & (shapely.length(lines) > 0)]
    if not len(lines):
        return gpd.GeoSeries([], crs=crs)
    strokes = _strokes(lines)
    simple = shapely.simplify(strokes, tolerance, preserve_topology=True)
    order = _importance(strokes)  # before simplifying: crossings are vertices there
    counts = shapely.get_num_coordinates(simple)
    keep = order[np.cumsum(counts[order]) <= max_vertices]
    if len(keep) < len(simple):
        logger.info(
            "streets: %d of %d strokes kept within %d vertices",
            len(keep),
            len(simple),
            max_vertices,
        )
    kept = simple[keep]
    return gpd.GeoSeries(kept[np.argsort(-shapely.length(kept), kind="stable")], crs=crs)


def street_tiers(
    streets: gpd.GeoSeries, *, major_share: float = MAJOR_SHARE
) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """Split street lines into major and minor ones by length.

    Parameters
    ----------
    streets
        Street lines (e.g. :func:`street_lines`), in any CRS.
    major_share
        The longest lines making up this share of the total length are major.

    Returns
    -------
    tuple of geopandas.GeoSeries
        The major lines and the others. Long strokes are the streets that run through the city,
        drawn at the city's zoom; the short ones appear when a reader zooms in.
    """
    geoms = np.asarray(streets.to_numpy())
    if not len(geoms):
        return streets, streets
    length = shapely.length(geoms)
    order = np.argsort(-length, kind="stable")
    cum = np.cumsum(length[order])
    major = np.zeros(len(geoms), bool)
    major[order[cum - length[order] < major_share * cum[-1]]] = True
    return streets[major], streets[~major]


def _strokes(lines: np.ndarray) -> np.ndarray:
    """Chain the pieces that continue one another through their shared ends into strokes."""
    n = len(lines)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    first = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    last = np.r_[first[1:] - 1, len(owner) - 1]
    # end e = 2 i is the start of piece i, 2 i + 1 its end; dirs point into the piece
    points = np.empty((2 * n, 2))
    points[0::2], points[1::2] = coords[first], coords[last]
    heading = np.empty((2 * n, 2))
    heading[0::2] = coords[first + 1] - coords[first]
    heading[1::2] = coords[last - 1] - coords[last]
    heading /= np.maximum(np.linalg.norm(heading, axis=1, keepdims=True), 1e-12)
    _, node = np.unique(points.round(1), axis=0, return_inverse=True)
    node = node.ravel()
    partner = np.full(2 * n, -1)
    by_node = np.argsort(node, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(node[by_node]) != 0, True])
    limit = np.cos(np.radians(180.0 - _MAX_BEND))
    for a, b in itertools.pairwise(bounds):
        ends = by_node[a:b]
        if len(ends) == 2:
            if ends[0] // 2 != ends[1] // 2:  # a piece does not join itself (a loop)
                partner[ends[0]], partner[ends[1]] = ends[1], ends[0]
            continue
        if len(ends) < 2:
            continue
        cos = heading[ends] @ heading[ends].T  # -1: the two go straight on
        pairs = [
            (cos[i, j], i, j)
            for i in range(len(ends))
            for j in range(i + 1, len(ends))
            if cos[i, j] <= limit and ends[i] // 2 != ends[j] // 2
        ]
        for _, i, j in sorted(pairs):
            if partner[ends[i]] < 0 and partner[ends[j]] < 0:
                partner[ends[i]], partner[ends[j]] = ends[j], ends[i]
    seen = np.zeros(n, bool)
    out = []
    # walk from every free end first, then around the closed rings left
    starts = [e for e in range(2 * n) if partner[e] < 0] + list(range(0, 2 * n, 2))
    for e in starts:
        piece = e // 2
        if seen[piece]:
            continue
        parts: list[np.ndarray] = []
        while not seen[piece]:
            seen[piece] = True
            c = coords[first[piece] : last[piece] + 1]
            forward = e % 2 == 0  # entered at its start
            c = c if forward else c[::-1]
            parts.append(c if not parts else c[1:])
            leave = e ^ 1  # the piece's other end
            nxt = partner[leave]
            if nxt < 0:
                break
            e, piece = nxt, nxt // 2
        out.append(np.vstack(parts))
    return shapely.linestrings(
        np.vstack(out), indices=np.repeat(np.arange(len(out)), [len(c) for c in out])
    )


def _importance(lines: np.ndarray) -> np.ndarray:
    """Line positions from most to least worth drawing: lines joined to others at both ends
    before dead ends (cul-de-sacs, stubs), longer before shorter."""
    ends = np.vstack(
        [
            shapely.get_coordinates(shapely.get_point(lines, 0)),
            shapely.get_coordinates(shapely.get_point(lines, -1)),
        ]
    ).round(1)
    # a stroke's end may meet another stroke in its middle: count the vertices there too
    allpts = shapely.get_coordinates(lines).round(1)
    _, inverse, degree = np.unique(
        np.vstack([ends, allpts]), axis=0, return_inverse=True, return_counts=True
    )
    end_degree = degree[inverse.ravel()[: len(ends)]].reshape(2, -1)
    dead_end = (end_degree < 3).any(axis=0)  # its own two vertices count once each
    return np.lexsort((-shapely.length(lines), dead_end))
