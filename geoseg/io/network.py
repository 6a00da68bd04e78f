"""Reading street networks through OSMnx: OSM XML files, saved GraphML, or a place download.

Every route ends in the same shape: an OSMnx ``networkx.MultiDiGraph`` projected to the
analysis CRS, node attributes ``x``/``y`` in metres and an edge attribute ``length`` in metres.
"""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import osmnx as ox

from geoseg.errors import NetworkError
from geoseg.io._validate import require_projected_crs

__all__ = ["read_network", "write_network"]

logger = logging.getLogger(__name__)

_XML_SUFFIXES = (".osm", ".xml", ".osm.bz2", ".xml.bz2", ".osm.gz", ".xml.gz")
#: ``highway`` values that pedestrians cannot use (motorways, unbuilt or removed roads, tracks
#: for racing and guided buses).
_NOT_WALKABLE = frozenset(
    {
        "motorway",
        "motorway_link",
        "bus_guideway",
        "raceway",
        "construction",
        "proposed",
        "planned",
        "abandoned",
        "razed",
        "disused",
        "platform",
    }
)
_NO_ACCESS = frozenset({"no", "private"})
_FOOT_YES = frozenset({"yes", "designated", "permissive"})


@contextlib.contextmanager
def _osmnx_settings(**values: Any) -> Iterator[None]:
    """Temporarily change OSMnx settings, restoring them afterwards."""
    old = {k: getattr(ox.settings, k) for k in values}
    try:
        for k, v in values.items():
            setattr(ox.settings, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(ox.settings, k, v)


def _walkable(data: dict[str, Any]) -> bool:
    """Whether an unsimplified OSM edge may be walked (by its ``highway``/``access``/``foot``)."""
    highway = data.get("highway")
    if not isinstance(highway, str) or highway in _NOT_WALKABLE:
        return False
    foot = data.get("foot")
    if foot == "no":
        return False
    return not (data.get("access") in _NO_ACCESS and foot not in _FOOT_YES)


def _read_xml(path: Path, network_type: str) -> nx.MultiDiGraph:
    """Read OSM XML (plain, .bz2 or .gz: OSMnx decompresses them itself)."""
    tags = list(dict.fromkeys([*ox.settings.useful_tags_way, "foot", "bridge"]))
    walk = network_type == "walk"
    with _osmnx_settings(useful_tags_way=tags), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        G = ox.graph_from_xml(path, bidirectional=walk, simplify=False, retain_all=True)
    if walk:
        drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if not _walkable(d)]
    else:
        drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if "highway" not in d]
    if drop:
        logger.info(
            "%s: leaving out %d edges that are not %s streets", path, len(drop), network_type
        )
        G.remove_edges_from(drop)
    G.remove_nodes_from([n for n, deg in dict(G.degree()).items() if deg == 0])
    if G.number_of_edges():
        G = ox.simplify_graph(G)
    return G


def _download(place: str, network_type: str, cache_folder: str | Path | None) -> nx.MultiDiGraph:
    """Download a place's network through OSMnx with its response cache switched on."""
    settings: dict[str, Any] = {"use_cache": True}
    if cache_folder is not None:
        Path(cache_folder).mkdir(parents=True, exist_ok=True)
        settings["cache_folder"] = str(cache_folder)
    with _osmnx_settings(**settings):
        return ox.graph_from_place(place, network_type=network_type, simplify=True, retain_all=True)


def _ensure_lengths(G: nx.MultiDiGraph, what: str) -> int:
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


def read_network(
    path: str | Path | None = None,
    *,
    place: str | None = None,
    crs: Any = "EPSG:3006",
    network_type: str = "walk",
    cache_folder: str | Path | None = None,
) -> nx.MultiDiGraph:
    """Read a street network and project it to the analysis CRS.

    Parameters
    ----------
    path
        An OSM XML file (``.osm``, ``.xml``, optionally ``.bz2`` / ``.gz`` compressed) or a
        GraphML file saved by OSMnx (``.graphml``).
    place
        Instead of ``path``: a place name that OSMnx geocodes and downloads (needs internet
        the first time; responses are cached in ``cache_folder``).
    crs
        Projected target CRS in metres.
    network_type
        ``"walk"`` (default): OSM XML ways are made two-way and ways that pedestrians cannot
        use (motorways, ``foot=no``, private access, ways without ``highway``) are left out.
        For a download, the OSMnx network type.
    cache_folder
        Folder of OSMnx's response cache for downloads.

    Returns
    -------
    networkx.MultiDiGraph
        OSMnx graph with node ``x``/``y`` in metres and a ``length`` (metres) on every edge.

    Raises
    ------
    NetworkError
        No source or two sources, a missing or unreadable file, an empty network, or a failed
        download (for example when offline).
    CRSError
        ``crs`` is geographic or unknown.

    Notes
    -----
    OSM XML is read with ``osmnx.graph_from_xml`` unsimplified, filtered, then simplified with
    ``osmnx.simplify_graph``; all components are kept (islands without bridges stay). Edge
    lengths are OSMnx's great-circle lengths of the original geometry.
    """
    target = require_projected_crs(crs, what=f"{path or place}: street network")
    if (path is None) == (place is None):
        msg = "read_network: give either a file path or a place name, not both or neither."
        raise NetworkError(msg)
    if path is not None:
        p = Path(path)
        what = str(p)
        name = p.name.lower()
        if not p.is_file():
            msg = (
                f"{p}: street network file not found; check the path or download it with "
                "`geoseg network`."
            )
            raise NetworkError(msg)
        try:
            if name.endswith(".graphml"):
                G = ox.load_graphml(p)
            elif name.endswith(_XML_SUFFIXES):
                G = _read_xml(p, network_type)
            else:
                msg = (
                    f"{p}: unknown street network format; use OSM XML (.osm, .osm.bz2) or "
                    "an OSMnx GraphML file (.graphml)."
                )
                raise NetworkError(msg)
        except NetworkError:
            raise
        except Exception as exc:  # XML, bz2, GraphML parsers raise many exception types
            msg = f"{p}: cannot read the street network ({type(exc).__name__}: {exc})."
            raise NetworkError(msg) from exc
    else:
        what = f"place {place!r}"
        try:
            G = _download(str(place), network_type, cache_folder)
        except Exception as exc:  # requests, geocoder and Overpass errors of many types
            msg = (
                f"{what}: could not download the street network ({type(exc).__name__}: {exc}). "
                "Without internet, use a local OSM file (path) or a saved GraphML instead."
            )
            raise NetworkError(msg) from exc
    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        msg = (
            f"{what}: the street network is empty (no {network_type} streets); the file must "
            "hold OSM ways tagged highway=*."
        )
        raise NetworkError(msg)
    try:
        G = ox.project_graph(G, to_crs=target)
    except Exception as exc:  # pyproj / osmnx errors for graphs without usable coordinates
        msg = f"{what}: cannot project the street network to {crs} ({type(exc).__name__}: {exc})."
        raise NetworkError(msg) from exc
    _ensure_lengths(G, what)
    logger.info(
        "%s: street network with %d nodes and %d edges (CRS %s)",
        what,
        G.number_of_nodes(),
        G.number_of_edges(),
        target.to_string(),
    )
    return G


def write_network(
    graph: nx.MultiDiGraph,
    path: str | Path,
    *,
    overwrite: bool = False,
    inputs: Any = (),
) -> Path:
    """Save a street network as GraphML (atomically; never over an input file).

    Parameters
    ----------
    graph
        The network as returned by :func:`read_network`.
    path
        The ``.graphml`` file to write; :func:`read_network` reads it back.
    overwrite
        Replace an existing file.
    inputs
        Files the network was read from; writing over one of them is refused.
    """
    from geoseg.io._atomic import check_not_input, write_with

    target = Path(path)
    if target.suffix.lower() != ".graphml":
        msg = f"{target}: a street network is saved as GraphML; give a file name ending in .graphml"
        raise NetworkError(msg)
    check_not_input(target, inputs)
    return write_with(
        target, lambda tmp: ox.save_graphml(graph, tmp), root=target.parent, overwrite=overwrite
    )
