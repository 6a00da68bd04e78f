"""Reading and writing street networks: OSM extracts, GraphML, saved arrays, place downloads.

Every route ends in the same shape, a :class:`geoseg.access.WalkNetwork`: the CSR ``graph`` of
edge lengths in metres, the OSM ``node_ids``, node coordinates and edge lines in the analysis
CRS. OSM extracts (``.osm.pbf``, ``.osm``, ``.osm.bz2``, ``.osm.gz``) are streamed with
pyosmium (:mod:`geoseg.io.osm`); a GraphML file saved by OSMnx and a place download go through
OSMnx (imported only then); ``.npz`` files are arrays saved by ``geoseg network``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geoseg.access.network import WalkNetwork, build_network, network_from_arrays
from geoseg.errors import NetworkError
from geoseg.io._validate import require_projected_crs
from geoseg.io.network_cache import load_arrays, save_arrays
from geoseg.io.osm import is_osm_file, read_osm_network

__all__ = ["NETWORK_SUFFIXES", "clip_network", "read_network", "write_network"]

logger = logging.getLogger(__name__)

#: What :func:`read_network` reads, by file name ending.
NETWORK_SUFFIXES = (
    ".osm.pbf",
    ".pbf",
    ".osm",
    ".xml",
    ".osm.bz2",
    ".xml.bz2",
    ".osm.gz",
    ".xml.gz",
    ".graphml",
    ".npz",
)


@contextlib.contextmanager
def _osmnx_settings(**values: Any) -> Iterator[None]:
    """Temporarily change OSMnx settings, restoring them afterwards."""
    import osmnx as ox

    old = {k: getattr(ox.settings, k) for k in values}
    try:
        for k, v in values.items():
            setattr(ox.settings, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(ox.settings, k, v)


def _download(place: str, network_type: str, cache_folder: str | Path | None) -> Any:
    """Download a place's network through OSMnx with its response cache switched on."""
    import osmnx as ox

    settings: dict[str, Any] = {"use_cache": True}
    if cache_folder is not None:
        Path(cache_folder).mkdir(parents=True, exist_ok=True)
        settings["cache_folder"] = str(cache_folder)
    with _osmnx_settings(**settings):
        return ox.graph_from_place(place, network_type=network_type, simplify=True, retain_all=True)


def _ensure_lengths(G: Any, what: str) -> int:
    """Give every edge a finite ``length`` in metres; return how many had to be computed."""
    fixed = 0
    for u, v, data in G.edges(data=True):
        length = data.get("length")
        try:
            ok = length is not None and math.isfinite(float(length)) and float(length) >= 0
        except (TypeError, ValueError):
            ok = False
        if ok:
            data["length"] = float(length)
            continue
        geom = data.get("geometry")
        if geom is not None:
            data["length"] = float(geom.length)
        else:
            a, b = G.nodes[u], G.nodes[v]
            data["length"] = math.hypot(
                float(a["x"]) - float(b["x"]), float(a["y"]) - float(b["y"])
            )
        fixed += 1
    if fixed:
        logger.warning(
            "%s: computed the missing 'length' of %d edges from coordinates", what, fixed
        )
    return fixed


def _from_osmnx(G: Any, what: str, target: Any, info: dict[str, Any]) -> WalkNetwork:
    """Project an OSMnx graph and turn it into arrays."""
    import osmnx as ox

    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        msg = (
            f"{what}: the street network is empty; the file must hold streets (OSM ways "
            "tagged highway=*)."
        )
        raise NetworkError(msg)
    try:
        G = ox.project_graph(G, to_crs=target)
    except Exception as exc:  # pyproj / osmnx errors for graphs without usable coordinates
        msg = (
            f"{what}: cannot project the street network to {target} ({type(exc).__name__}: {exc})."
        )
        raise NetworkError(msg) from exc
    _ensure_lengths(G, what)
    net = build_network(G, crs=target.to_string())
    return network_from_arrays(
        net.x,
        net.y,
        net.node_ids,
        net.edge_u,
        net.edge_v,
        net.edge_length,
        net.coords,
        net.coord_offsets,
        crs=net.crs,
        info=info,
    )


def clip_network(net: WalkNetwork, area: Any, *, buffer_m: float = 0.0) -> WalkNetwork:
    """Keep the part of a network within ``buffer_m`` metres of ``area``.

    Parameters
    ----------
    net
        The network.
    area
        Polygons in the network's CRS (GeoDataFrame, GeoSeries or shapely geometry).
    buffer_m
        Width of the band around ``area`` that is kept.

    Returns
    -------
    WalkNetwork
        Nodes inside the band and the edges between them.

    Raises
    ------
    NetworkError
        No node of the network lies inside the band.
    """
    geoms = getattr(area, "geometry", area)
    geom = geoms.union_all() if hasattr(geoms, "union_all") else geoms
    band = shapely.buffer(geom, float(buffer_m)) if buffer_m > 0 else geom
    shapely.prepare(band)
    inside = shapely.contains_xy(band, net.x, net.y)
    keep_edge = inside[net.edge_u] & inside[net.edge_v]
    if not keep_edge.any():
        source = net.info.get("source", "street network")
        msg = (
            f"{source}: none of its streets lies within {buffer_m:g} m of the project's areas; "
            "the network covers another region. Use a network of the region around the areas, "
            "or check the areas' CRS."
        )
        raise NetworkError(msg)
    used = np.zeros(net.n_nodes, dtype=bool)
    used[net.edge_u[keep_edge]] = True
    used[net.edge_v[keep_edge]] = True
    new_index = np.cumsum(used) - 1
    edges = np.flatnonzero(keep_edge)
    counts = np.diff(net.coord_offsets)[edges]
    offsets = np.zeros(len(edges) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    take = np.repeat(net.coord_offsets[edges], counts) + (
        np.arange(int(offsets[-1])) - np.repeat(offsets[:-1], counts)
    )
    info = dict(net.info) | {
        "clipped": True,
        "buffer_m": float(buffer_m),
        "nodes_clipped": int(net.n_nodes - used.sum()),
    }
    return network_from_arrays(
        net.x[used],
        net.y[used],
        net.node_ids[used],
        new_index[net.edge_u[edges]],
        new_index[net.edge_v[edges]],
        net.edge_length[edges],
        net.coords[take],
        offsets,
        crs=net.crs,
        info=info,
    )


def read_network(
    path: str | Path | None = None,
    *,
    place: str | None = None,
    crs: Any = "EPSG:3006",
    network_type: str = "walk",
    clip: Any = None,
    buffer_m: float = 0.0,
    cache_folder: str | Path | None = None,
) -> WalkNetwork:
    """Read a street network into arrays in the analysis CRS.

    Parameters
    ----------
    path
        An OSM extract (``.osm.pbf``, ``.pbf``, ``.osm``, ``.xml``, optionally ``.bz2`` /
        ``.gz``), a GraphML file saved by OSMnx (``.graphml``) or network arrays saved by
        ``geoseg network`` (``.npz``).
    place
        Instead of ``path``: a place name that OSMnx geocodes and downloads (needs internet
        the first time; responses are cached in ``cache_folder``).
    crs
        Projected target CRS in metres.
    network_type
        ``"walk"`` (default) or ``"bike"`` for OSM extracts (OSMnx's filters, see
        :data:`geoseg.io.osm.NETWORK_FILTERS`); for a download, any OSMnx network type.
    clip
        Polygons in ``crs`` (the project's areas): keep only the streets within ``buffer_m``
        metres of them. ``None`` keeps everything.
    buffer_m
        Width of the band kept around ``clip`` (metres).
    cache_folder
        Folder of OSMnx's response cache for downloads.

    Returns
    -------
    geoseg.access.WalkNetwork
        The undirected network as arrays: ``graph`` (CSR of edge lengths in metres),
        ``node_ids`` (OSM ids), ``x``/``y``, edge lines, and ``info`` on the source.

    Raises
    ------
    NetworkError
        No source or two sources; a missing, truncated or unreadable file; a file that is not
        a street network; an empty network; a network far from ``clip``; a failed download.
    CRSError
        ``crs`` is geographic or unknown.

    Notes
    -----
    OSM extracts are streamed by :func:`geoseg.io.osm.read_osm_network`: edge lengths are
    OSMnx's great-circle lengths, ways cut at the extract's edge keep their parts inside it.
    GraphML keeps the file's ``length`` of each edge (computed from the line where missing).
    """
    target = require_projected_crs(crs, what=f"{path or place}: street network")
    crs_text = target.to_string()
    if (path is None) == (place is None):
        msg = "read_network: give either a file path or a place name, not both or neither."
        raise NetworkError(msg)
    if place is not None:
        what = f"place {place!r}"
        try:
            G = _download(str(place), network_type, cache_folder)
        except Exception as exc:  # requests, geocoder and Overpass errors of many types
            msg = (
                f"{what}: could not download the street network ({type(exc).__name__}: {exc}). "
                "Without internet, use a local OSM file (path) or a saved GraphML instead."
            )
            raise NetworkError(msg) from exc
        net = _from_osmnx(G, what, target, {"source": what, "format": "download"})
    else:
        p = Path(path)  # type: ignore[arg-type]
        name = p.name.lower()
        if not p.is_file():
            msg = (
                f"{p}: street network file not found; check the path or convert one with "
                "`geoseg network`."
            )
            raise NetworkError(msg)
        if is_osm_file(p):
            return read_osm_network(
                p, crs=crs_text, network_type=network_type, clip=clip, buffer_m=buffer_m
            )
        if name.endswith(".graphml"):
            net = _read_graphml(p, target)
        elif name.endswith(".npz"):
            net = _read_arrays(p, crs_text)
        else:
            msg = (
                f"{p}: unknown street network format; use an OSM extract ("
                f"{', '.join(s for s in NETWORK_SUFFIXES if s not in ('.graphml', '.npz'))}), "
                "an OSMnx GraphML file (.graphml) or arrays saved by `geoseg network` (.npz)."
            )
            raise NetworkError(msg)
    if clip is not None:
        net = clip_network(net, clip, buffer_m=buffer_m)
    logger.info(
        "%s: street network with %d nodes and %d edges (CRS %s)",
        net.info.get("source"),
        net.n_nodes,
        net.n_edges,
        crs_text,
    )
    return net


def _read_graphml(path: Path, target: Any) -> WalkNetwork:
    """A GraphML file saved by OSMnx (or by :func:`write_network`)."""
    import osmnx as ox

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            G = ox.load_graphml(path)
    except Exception as exc:  # XML and GraphML parsers raise many exception types
        msg = (
            f"{path}: cannot read the street network ({type(exc).__name__}: {exc}); save it "
            "again with OSMnx or `geoseg network`."
        )
        raise NetworkError(msg) from exc
    return _from_osmnx(G, str(path), target, {"source": str(path), "format": "graphml"})


def _read_arrays(path: Path, crs: str) -> WalkNetwork:
    """Network arrays saved by ``geoseg network -o FILE.npz``."""
    try:
        net = load_arrays(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        msg = (
            f"{path}: not network arrays written by this version of geoseg ({exc}); convert "
            "the OSM extract again with `geoseg network`."
        )
        raise NetworkError(msg) from exc
    if net.crs is not None and net.crs != crs:
        msg = (
            f"{path}: the network was saved in {net.crs}, the project uses {crs}; convert it "
            f"again with `geoseg network --crs {crs}`."
        )
        raise NetworkError(msg)
    return net


def _to_graph(net: WalkNetwork) -> Any:
    """The network as an OSMnx-style MultiDiGraph (both directions of every edge)."""
    import networkx as nx

    G = nx.MultiDiGraph(crs=net.crs)
    for i, node in enumerate(net.node_ids.tolist()):
        G.add_node(node, x=float(net.x[i]), y=float(net.y[i]))
    ids = net.node_ids
    lines = net.edge_lines()
    for e in range(net.n_edges):
        u, v = ids[net.edge_u[e]].item(), ids[net.edge_v[e]].item()
        length = float(net.edge_length[e])
        line = lines[e]
        G.add_edge(u, v, length=length, geometry=line)
        G.add_edge(v, u, length=length, geometry=shapely.reverse(line))
    return G


def write_network(
    network: WalkNetwork,
    path: str | Path,
    *,
    overwrite: bool = False,
    inputs: Any = (),
) -> Path:
    """Save a street network as arrays (``.npz``) or GraphML (atomically, never over an input).

    Parameters
    ----------
    network
        The network as returned by :func:`read_network`.
    path
        ``.npz`` (the arrays, read back in milliseconds by :func:`read_network`) or
        ``.graphml`` (for OSMnx, NetworkX and GIS tools; nodes are OSM ids, every edge is
        written in both directions with its ``length`` and projected ``geometry``).
    overwrite
        Replace an existing file.
    inputs
        Files the network was read from; writing over one of them is refused.
    """
    from geoseg.io._atomic import check_not_input, write_with

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".graphml", ".npz"):
        msg = (
            f"{target}: a street network is saved as arrays (.npz) or GraphML (.graphml); "
            "give a file name ending in one of them"
        )
        raise NetworkError(msg)
    check_not_input(target, inputs)
    if suffix == ".npz":
        return save_arrays(network, target, overwrite=overwrite, inputs=inputs)

    def graphml(tmp: Path) -> None:
        import osmnx as ox

        ox.save_graphml(_to_graph(network), tmp)

    return write_with(target, graphml, root=target.parent, overwrite=overwrite)
