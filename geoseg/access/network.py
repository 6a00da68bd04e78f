"""The walking network as compact arrays (CSR), built once from an OSMnx graph and cached.

A :class:`WalkNetwork` holds an undirected street graph as a SciPy CSR matrix of edge lengths in
metres, the node coordinates and one straight or curved line per undirected edge (used to snap
points to streets and to draw isochrones). Every routine in :mod:`geoseg.access` takes this object;
edits for plan checks (:func:`add_edges`, :func:`remove_edges`) return a new one cheaply.
:func:`load_network` reads a street network file through an on-disk cache of these arrays
(:func:`save_arrays`, :func:`load_arrays`).
"""

from __future__ import annotations

from geoseg.access._arrays import (
    WalkNetwork,
    add_edges,
    build_network,
    edge_graph,
    metres_to_minutes,
    minutes_to_metres,
    network_from_arrays,
    remove_edges,
)
from geoseg.access._network_cache import (
    CACHE_VERSION,
    default_cache_dir,
    file_digest,
    load_arrays,
    load_network,
    save_arrays,
)
from geoseg.access._network_cache import cache_path as cache_path

__all__ = [
    "CACHE_VERSION",
    "WalkNetwork",
    "add_edges",
    "build_network",
    "default_cache_dir",
    "edge_graph",
    "file_digest",
    "load_arrays",
    "load_network",
    "metres_to_minutes",
    "minutes_to_metres",
    "network_from_arrays",
    "remove_edges",
    "save_arrays",
]
