"""The walking network as compact arrays (CSR), built once from an OSMnx graph.

A :class:`WalkNetwork` holds an undirected street graph as a SciPy CSR matrix of edge lengths in
metres, the node coordinates and one straight or curved line per undirected edge (used to snap
points to streets and to draw isochrones). Every routine in :mod:`geoseg.access` takes this object;
edits for plan checks (:func:`add_edges`, :func:`remove_edges`) return a new one cheaply.
Street network files are read, and these arrays cached on disk, by :mod:`geoseg.io`
(:func:`geoseg.io.read_network`, :func:`geoseg.io.load_network`).
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
