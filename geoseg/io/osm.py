"""Streaming reader of OpenStreetMap extracts: the walking (or cycling) network as arrays.

An extract, whether ``.osm.pbf`` (Geofabrik, BBBike, ``osmium extract``) or OSM XML (``.osm``,
``.xml``, plain or ``.bz2`` / ``.gz`` compressed), is read once with pyosmium: node locations
are kept in pyosmium's own compact store, and only the ways tagged ``highway=*`` reach Python,
where each is kept or left out by OSMnx's network filter and its node references and locations
are appended to flat arrays. The graph is then built with NumPy: segments, nodes, great-circle
lengths, chains of two-way nodes contracted into single edges, coordinates projected to the
analysis CRS. No NetworkX graph is built, so a regional extract fits in memory.

Extracts are cut somewhere: a way that runs out of the file keeps the part whose nodes the file
holds (the cut ways are counted and logged), and the network may be clipped to the project's
areas plus a buffer so that a national extract can be used directly.
"""

from __future__ import annotations

import logging
import re
import time
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from pyproj import Transformer
from tqdm import tqdm

from geoseg.access.network import WalkNetwork, network_from_arrays
from geoseg.errors import NetworkError
from geoseg.io._topology import contract_chains

__all__ = [
    "EARTH_RADIUS_M",
    "NETWORK_FILTERS",
    "OSM_SUFFIXES",
    "great_circle_m",
    "is_osm_file",
    "keeps_way",
    "osm_file_format",
    "read_osm_network",
]

logger = logging.getLogger(__name__)

#: Mean Earth radius in metres used for great-circle lengths (the same as OSMnx's).
EARTH_RADIUS_M = 6_371_009.0

#: File name endings read as OpenStreetMap data, with the pyosmium format of each.
OSM_SUFFIXES: dict[str, str] = {
    ".osm.pbf": "pbf",
    ".pbf": "pbf",
    ".osm.bz2": "osm.bz2",
    ".xml.bz2": "osm.bz2",
    ".osm.gz": "osm.gz",
    ".xml.gz": "osm.gz",
    ".osm": "osm",
    ".xml": "osm",
}

#: The ways a network type keeps, after OSMnx's network filters (``osmnx._overpass``): a way
#: must have a ``highway`` tag, and it is left out when one of these tags has a value in which
#: the pattern is found (Overpass ``!~``: an unanchored, case-sensitive regular-expression search,
#: so ``motor`` also leaves out ``motorway_link``).
NETWORK_FILTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "walk": (
        ("area", "yes"),
        ("access", "private"),
        (
            "highway",
            "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|"
            "raceway|razed|rest_area|services",
        ),
        ("foot", "no"),
        ("service", "private"),
        ("sidewalk", "separate"),
        ("sidewalk:both", "separate"),
        ("sidewalk:left", "separate"),
        ("sidewalk:right", "separate"),
    ),
    "bike": (
        ("area", "yes"),
        ("access", "private"),
        (
            "highway",
            "abandoned|bus_guideway|construction|corridor|elevator|escalator|footway|motor|no|"
            "planned|platform|proposed|raceway|razed|rest_area|services|steps",
        ),
        ("bicycle", "no"),
        ("service", "private"),
    ),
}
_COMPILED = {
    kind: tuple((key, re.compile(pattern)) for key, pattern in rules)
    for kind, rules in NETWORK_FILTERS.items()
}
#: osmium's coordinate of a node that the file does not hold.
_UNDEFINED = 2_147_483_647
#: Node references collected before ways outside a clipping box are dropped.
_CHUNK = 1 << 21


def osm_file_format(path: str | Path) -> str | None:
    """The pyosmium format of an OSM file by its name (``"pbf"``, ``"osm.bz2"``...), or None."""
    name = Path(path).name.lower()
    for suffix, fmt in OSM_SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


def is_osm_file(path: str | Path) -> bool:
    """Whether a file name ends like an OpenStreetMap extract (see :data:`OSM_SUFFIXES`)."""
    return osm_file_format(path) is not None


def keeps_way(tags: Mapping[str, str], network_type: str = "walk") -> bool:
    """Whether a way with these tags belongs to the network type's graph.

    Parameters
    ----------
    tags
        The way's OSM tags.
    network_type
        ``"walk"`` or ``"bike"`` (see :data:`NETWORK_FILTERS`).

    Examples
    --------
    >>> keeps_way({"highway": "residential"})
    True
    >>> keeps_way({"highway": "motorway_link"})
    False
    >>> keeps_way({"highway": "secondary", "sidewalk": "separate"})
    False
    """
    if "highway" not in tags:
        return False
    for key, rx in _COMPILED[_network_type(network_type)]:
        value = tags.get(key)
        if value is not None and rx.search(value):
            return False
    return True


def _network_type(network_type: str) -> str:
    if network_type not in NETWORK_FILTERS:
        msg = (
            f"network type {network_type!r} cannot be read from an OSM extract; "
            f"use one of {', '.join(NETWORK_FILTERS)}."
        )
        raise NetworkError(msg)
    return network_type


def _decider(network_type: str) -> Callable[[Any], bool]:
    """A fast :func:`keeps_way` for pyosmium tag lists (the highway test cached per value)."""
    rules = _COMPILED[network_type]
    highway_rx = next(rx for key, rx in rules if key == "highway")
    others = tuple((key, rx) for key, rx in rules if key != "highway")
    by_highway: dict[str, bool] = {}

    def keep(tags: Any) -> bool:
        highway = tags.get("highway")
        ok = by_highway.get(highway)
        if ok is None:
            ok = by_highway[highway] = highway_rx.search(highway) is None
        if not ok:
            return False
        if len(tags) > 1:
            for key, rx in others:
                value = tags.get(key)
                if value is not None and rx.search(value):
                    return False
        return True

    return keep


def great_circle_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle (haversine) distance in metres on a sphere of :data:`EARTH_RADIUS_M`.

    Notes
    -----
    The haversine formula, ``2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))``
    (Sinnott 1984, "Virtues of the Haversine", Sky and Telescope 68(2): 159), with the mean
    Earth radius OSMnx uses, so that segment lengths equal OSMnx's edge ``length``.
    """
    p1, p2 = np.deg2rad(lat1), np.deg2rad(lat2)
    dp = p2 - p1
    dl = np.deg2rad(lon2) - np.deg2rad(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * np.arcsin(np.sqrt(np.minimum(1.0, h))) * EARTH_RADIUS_M


@dataclass
class _Ways:
    """Kept ways as flat arrays: node references and fixed-point locations (1e-7 degrees)."""

    offsets: np.ndarray
    refs: np.ndarray
    x: np.ndarray
    y: np.ndarray
    highway_ways: int
    kept_ways: int
    extent: tuple[int, int, int, int] | None


def _compact(
    offsets: np.ndarray, refs: np.ndarray, x: np.ndarray, y: np.ndarray, box: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Drop ways none of whose nodes lies in ``box`` (min x, min y, max x, max y, fixed point)."""
    if box is None or len(refs) == 0:
        return offsets, refs, x, y
    inside = (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3]) & (x != _UNDEFINED)
    counts = np.diff(offsets)
    way_of = np.repeat(np.arange(len(counts)), counts)
    keep_way = np.bincount(way_of[inside], minlength=len(counts)) > 0
    keep_ref = np.repeat(keep_way, counts)
    new_off = np.zeros(int(keep_way.sum()) + 1, dtype=np.int64)
    np.cumsum(counts[keep_way], out=new_off[1:])
    return new_off, refs[keep_ref], x[keep_ref], y[keep_ref]


def _collect(path: Path, fmt: str, network_type: str, box: np.ndarray | None) -> _Ways:
    """One streaming pass: the kept ways' node references and locations."""
    keep = _decider(network_type)
    parts: list[tuple[np.ndarray, ...]] = []
    lengths = array("q")
    refs, xs, ys = array("q"), array("i"), array("i")
    seen = kept = 0
    extent: list[int] = []

    def flush() -> None:
        off = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(lengths, dtype=np.int64), out=off[1:])
        x = np.frombuffer(xs, dtype=np.int32).copy()
        y = np.frombuffer(ys, dtype=np.int32).copy()
        ok = x != _UNDEFINED
        if ok.any():  # where the file's streets are, for messages
            now = [x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max()]
            if extent:
                now = [*np.minimum(extent[:2], now[:2]), *np.maximum(extent[2:], now[2:])]
            extent[:] = [int(v) for v in now]
        parts.append(_compact(off, np.frombuffer(refs, dtype=np.int64).copy(), x, y, box))
        del lengths[:], refs[:], xs[:], ys[:]

    processor = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    bar = tqdm(desc=f"reading {path.name}", unit=" ways", disable=None, leave=False)
    add_len, add_ref, add_x, add_y = lengths.append, refs.append, xs.append, ys.append
    try:
        for way in processor:
            seen += 1
            if not seen & 0x3FFF:
                bar.update(0x4000)
            if not keep(way.tags):
                continue
            kept += 1
            nodes = way.nodes  # type: ignore[union-attr]
            add_len(len(nodes))
            for node in nodes:
                loc = node.location
                add_ref(node.ref)
                add_x(loc.x)
                add_y(loc.y)
            if box is not None and len(refs) >= _CHUNK:
                flush()
    finally:
        bar.close()
    flush()
    offsets = [parts[0][0]]
    for off, *_ in parts[1:]:
        offsets.append(off[1:] + offsets[-1][-1])
    return _Ways(
        offsets=np.concatenate(offsets),
        refs=np.concatenate([p[1] for p in parts]),
        x=np.concatenate([p[2] for p in parts]),
        y=np.concatenate([p[3] for p in parts]),
        highway_ways=seen,
        kept_ways=kept,
        extent=(extent[0], extent[1], extent[2], extent[3]) if extent else None,
    )


def _read_error(path: Path, exc: Exception) -> NetworkError:
    """A clear message for pyosmium's reading errors (truncated, not OSM, unreadable)."""
    text = str(exc)
    lower = text.lower()
    if "eof" in lower or "truncated" in lower or "unclosed token" in lower:
        msg = (
            f"{path}: the OSM file ends too early ({text}); it is truncated or still being "
            "downloaded. Download or cut the extract again."
        )
    elif "open failed" in lower or "no such file" in lower or "permission" in lower:
        msg = f"{path}: cannot open the OSM file ({text}); check the path and its permissions."
    else:
        msg = (
            f"{path}: is not a readable OpenStreetMap file ({text}). Give an OSM extract "
            "(.osm.pbf, .osm, .osm.bz2 or .osm.gz, for example from Geofabrik or BBBike, or "
            "cut with `osmium extract`) whose name ends in its format."
        )
    return NetworkError(msg)


def _clip_area(clip: Any, buffer_m: float) -> Any:
    """The clipping polygon: the union of the given geometries grown by ``buffer_m``."""
    geoms = getattr(clip, "geometry", clip)
    if hasattr(geoms, "union_all"):
        geom = geoms.union_all()
    elif isinstance(geoms, shapely.Geometry):
        geom = geoms
    else:
        geom = shapely.union_all(np.asarray(geoms, dtype=object))
    area = shapely.buffer(geom, float(buffer_m)) if buffer_m > 0 else geom
    if area is None or area.is_empty:
        msg = "street network: the clipping area is empty; give the project's area polygons."
        raise NetworkError(msg)
    shapely.prepare(area)
    return area


def _lonlat_box(area: Any, crs: str) -> np.ndarray:
    """Fixed-point lon/lat box around a projected polygon (with a small margin)."""
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xmin, ymin, xmax, ymax = area.bounds
    west, south, east, north = to_lonlat.transform_bounds(xmin, ymin, xmax, ymax, densify_pts=21)
    margin = 0.001
    return np.round(
        np.array([west - margin, south - margin, east + margin, north + margin]) * 1e7
    ).astype(np.int64)


def _box_text(west: float, south: float, east: float, north: float) -> str:
    return f"lon {west:.3f}..{east:.3f}, lat {south:.3f}..{north:.3f}"


def read_osm_network(
    path: str | Path,
    *,
    crs: str = "EPSG:3006",
    network_type: str = "walk",
    clip: Any = None,
    buffer_m: float = 0.0,
) -> WalkNetwork:
    """Read an OSM extract's walking (or cycling) network straight into arrays.

    Parameters
    ----------
    path
        ``.osm.pbf``, ``.pbf``, ``.osm`` / ``.xml`` (optionally ``.bz2`` or ``.gz``).
    crs
        Projected CRS in metres for node coordinates and edge lines.
    network_type
        ``"walk"`` (default) or ``"bike"``: which ways are kept (:data:`NETWORK_FILTERS`).
    clip
        Polygons in ``crs`` (a GeoDataFrame, GeoSeries or shapely geometry): keep only the
        streets within ``buffer_m`` metres of them. ``None`` keeps the whole extract.
    buffer_m
        Width of the band around ``clip`` that is kept.

    Returns
    -------
    WalkNetwork
        Undirected network; ``node_ids`` are OSM node ids; ``info`` tells the ways read, kept
        and cut at the extract's edge, and the clipping.

    Raises
    ------
    NetworkError
        The file is missing, truncated or not OSM; it holds no way of the network type; or
        none of its streets lies within the clipping area (an extract of another region).

    Notes
    -----
    * Ways: those with a ``highway`` tag that OSMnx's filter of the same network type keeps
      (:data:`NETWORK_FILTERS`). Every way is walkable in both directions (one-way rules do not
      bind pedestrians; for ``"bike"`` they are ignored too). Streets whose sidewalks are
      mapped as separate ways (``sidewalk=separate``) are left out, as OSMnx does, so that the
      walk follows the sidewalks.
    * Ways cut at the extract's edge keep the parts whose nodes the file holds; a clipped way
      keeps the segments with both ends inside the clipping area.
    * Edge lengths are great-circle lengths (:func:`great_circle_m`) of each segment between
      consecutive OSM nodes, summed along the street, exactly as OSMnx computes ``length``;
      they do not depend on the CRS. Node coordinates and lines are projected to ``crs``.
    * Nodes with exactly two segments to two different neighbours are contracted into the
      line of a single edge (OSMnx's simplification keeps the same junctions, and sometimes
      more); shortest-path distances between the nodes kept are unchanged.
    """
    p = Path(path)
    network_type = _network_type(network_type)
    fmt = osm_file_format(p)
    if fmt is None:
        msg = (
            f"{p}: not an OSM file name; an extract ends in "
            f"{', '.join(OSM_SUFFIXES)} (rename it after its format)."
        )
        raise NetworkError(msg)
    if not p.is_file():
        msg = f"{p}: street network file not found; check the path."
        raise NetworkError(msg)
    t0 = time.perf_counter()
    area = None if clip is None else _clip_area(clip, buffer_m)
    box = None if area is None else _lonlat_box(area, crs)
    try:
        ways = _collect(p, fmt, network_type, box)
    except RuntimeError as exc:  # pyosmium reports I/O and format errors as RuntimeError
        raise _read_error(p, exc) from exc
    t_read = time.perf_counter() - t0
    net = _assemble(p, ways, crs=crs, network_type=network_type, area=area, buffer_m=buffer_m)
    logger.info(
        "%s: %s network read in %.2f s (streaming %.2f s): %d nodes, %d edges",
        p,
        network_type,
        time.perf_counter() - t0,
        t_read,
        net.n_nodes,
        net.n_edges,
    )
    return net


def _assemble(
    path: Path, ways: _Ways, *, crs: str, network_type: str, area: Any, buffer_m: float
) -> WalkNetwork:
    """Segments, nodes, lengths, contraction and projection of the collected ways."""
    counts = np.diff(ways.offsets)
    n_ways = len(counts)
    if ways.kept_ways and area is not None and (n_ways == 0 or not len(ways.refs)):
        raise _nothing_inside(path, ways, area, crs, network_type)
    if n_ways == 0 or not len(ways.refs):
        n = ways.highway_ways
        near = " near the areas" if area is not None else ""
        msg = (
            f"{path}: has no {network_type} ways: none of its {n} way{'s' if n != 1 else ''} "
            f"tagged highway=* passes the {network_type} filter{near}. Give an extract that "
            "covers the city's streets (for example from Geofabrik or BBBike)."
        )
        raise NetworkError(msg)
    # the collected arrays are used up here, step by step, to keep the peak memory low
    refs, xs, ys = ways.refs, ways.x, ways.y
    ways.refs = ways.x = ways.y = np.empty(0, dtype=np.int64)
    way_of = np.repeat(np.arange(n_ways, dtype=np.int32), counts)
    valid = xs != _UNDEFINED
    # ways cut at the extract's edge: some of their nodes are in the file, some are not
    have = np.bincount(way_of[valid], minlength=n_ways)
    cut = int(np.count_nonzero((have > 0) & (have < counts)))
    missing = int(np.unique(refs[~valid]).size)
    if cut:
        logger.warning(
            "%s: %d of %d %s ways run out of the extract (%d nodes missing); their parts "
            "inside the file are kept",
            path,
            cut,
            n_ways,
            network_type,
            missing,
        )
    ids, first, inverse = np.unique(refs, return_index=True, return_inverse=True)
    del refs
    inverse = inverse.astype(np.int32 if len(ids) < 2**31 else np.int64)
    node_ok = xs[first] != _UNDEFINED
    lon = xs[first] / 1e7
    lat = ys[first] / 1e7
    del xs, ys, first
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    px, py = to_crs.transform(np.where(node_ok, lon, 0.0), np.where(node_ok, lat, 0.0))
    px, py = np.asarray(px, dtype=float), np.asarray(py, dtype=float)
    if area is not None:
        node_ok &= shapely.contains_xy(area, px, py)
    same_way = way_of[:-1] == way_of[1:]
    ok = node_ok[inverse]
    both = ok[:-1] & ok[1:]
    clipped = 0
    if area is not None:
        whole = same_way & valid[:-1] & valid[1:]
        clipped = int(np.unique(way_of[:-1][whole & ~both]).size)
    del valid, ok
    i = np.flatnonzero(same_way & both & (inverse[:-1] != inverse[1:]))
    del same_way, both, way_of
    if len(i) == 0:
        raise _nothing_inside(path, ways, area, crs, network_type)
    a, b = inverse[i], inverse[i + 1]
    del inverse, i
    seg_len = great_circle_m(lat[a], lon[a], lat[b], lon[b])
    # nodes used by segments, renumbered
    used_mask = np.zeros(len(ids), dtype=bool)
    used_mask[a] = True
    used_mask[b] = True
    used = np.flatnonzero(used_mask)
    renumber = np.cumsum(used_mask, dtype=np.int64) - 1
    su, sv = renumber[a], renumber[b]
    del renumber, used_mask, a, b
    chains = contract_chains(len(used), su, sv, seg_len)
    del su, sv, seg_len
    ends_mask = np.zeros(len(used), dtype=bool)
    ends_mask[chains.u] = True
    ends_mask[chains.v] = True
    ends = np.flatnonzero(ends_mask)
    end_index = np.cumsum(ends_mask, dtype=np.int64) - 1
    nodes = used[ends]
    coords_nodes = used[chains.nodes]
    info = {
        "source": str(path),
        "format": osm_file_format(path),
        "network_type": network_type,
        "lengths": "great-circle",
        "highway_ways": int(ways.highway_ways),
        "ways": int(ways.kept_ways),
        "ways_cut": cut,
        "nodes_missing": missing,
        "clipped": area is not None,
        "buffer_m": float(buffer_m) if area is not None else None,
        "ways_clipped": clipped,
        "lonlat_bounds": [
            float(lon[used].min()),
            float(lat[used].min()),
            float(lon[used].max()),
            float(lat[used].max()),
        ],
    }
    coords = np.empty((len(coords_nodes), 2))
    coords[:, 0] = px[coords_nodes]
    coords[:, 1] = py[coords_nodes]
    del coords_nodes
    return network_from_arrays(
        px[nodes],
        py[nodes],
        ids[nodes],
        end_index[chains.u],
        end_index[chains.v],
        chains.length,
        coords,
        chains.offsets,
        crs=crs,
        info=info,
    )


def _nothing_inside(
    path: Path, ways: _Ways, area: Any, crs: str, network_type: str
) -> NetworkError:
    """The error for an extract with no usable segment (elsewhere in the world, or all cut)."""
    if area is None or ways.extent is None:
        msg = (
            f"{path}: its {network_type} ways have fewer than two nodes in the file (the "
            "extract holds the ways but not their nodes); cut the extract again with "
            "`osmium extract --strategy complete_ways` or download a whole region."
        )
        return NetworkError(msg)
    have = _box_text(*(v / 1e7 for v in ways.extent))
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xmin, ymin, xmax, ymax = area.bounds
    want = _box_text(*to_lonlat.transform_bounds(xmin, ymin, xmax, ymax, densify_pts=21))
    msg = (
        f"{path}: none of its streets lies within the project's areas and their buffer: the "
        f"extract covers {have}, the areas {want}. Use an extract of the region around the "
        "areas, or check the areas' CRS."
    )
    return NetworkError(msg)
