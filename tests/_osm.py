"""Helpers for the OSM tests: small extracts written by hand, and OSMnx / NetworkX oracles.

The oracle of "which ways a network type keeps" is OSMnx's own Overpass filter string
(``osmnx._overpass._get_network_filter``), parsed here and evaluated with Overpass semantics;
the oracle of distances is NetworkX's Dijkstra on the graph ``osmnx.graph_from_xml`` builds.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
from scipy.sparse.csgraph import dijkstra

__all__ = [
    "compare_distances",
    "osmnx_graph",
    "overpass_keeps",
    "to_pbf",
    "undirected",
    "write_osm",
]

_CLAUSE = re.compile(r'\["([^"]+)"(?:(!~|~|!=|=)"([^"]*)")?\]')


def write_osm(
    path: Path,
    nodes: Mapping[int, tuple[float, float]],
    ways: Iterable[tuple[int, Sequence[int], Mapping[str, str]]],
) -> Path:
    """Write OSM XML: ``nodes`` id -> (lat, lon), ``ways`` (id, node refs, tags)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [
        f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>'
        for i, (lat, lon) in nodes.items()
    ]
    for wid, refs, tags in ways:
        inner = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner += "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(f'<way id="{wid}" version="1">{inner}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def to_pbf(source: Path, target: Path) -> Path:
    """Convert an OSM file to PBF with pyosmium (every object copied as it is)."""
    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(source)):
            writer.add(obj)
    return target


def overpass_keeps(tags: Mapping[str, str], network_type: str = "walk") -> bool:
    """Evaluate OSMnx's Overpass filter of ``network_type`` on one way's tags.

    Overpass semantics: ``["k"]`` needs the key; ``["k"!~"re"]`` rejects a way whose value of
    ``k`` contains a match of ``re`` (absent keys pass).
    """
    from osmnx import _overpass

    text = _overpass._get_network_filter(network_type)
    for key, op, pattern in _CLAUSE.findall(text):
        value = tags.get(key)
        if op == "":
            if value is None:
                return False
        elif op == "!~":
            if value is not None and re.search(pattern, value):
                return False
        else:  # pragma: no cover - OSMnx's walk and bike filters use only the two forms
            raise AssertionError(f"unexpected Overpass clause {op!r}")
    return True


def osmnx_graph(path: Path, *, simplify: bool = False) -> nx.MultiDiGraph:
    """OSMnx's graph of an OSM XML file: every way, both directions, all components."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ox.graph_from_xml(path, simplify=simplify, retain_all=True, bidirectional=True)


def undirected(G: nx.MultiDiGraph, *, drop_ways: Iterable[int] = ()) -> nx.Graph:
    """Undirected simple graph with the shortest ``length`` of parallel edges.

    ``drop_ways`` leaves out the edges of these OSM way ids (OSMnx's ``osmid`` of an
    unsimplified graph).
    """
    drop = set(drop_ways)
    U = nx.Graph()
    U.add_nodes_from(G.nodes)
    for u, v, d in G.edges(data=True):
        if (drop and d.get("osmid") in drop) or u == v:
            continue
        if not U.has_edge(u, v) or d["length"] < U[u][v]["length"]:
            U.add_edge(u, v, length=d["length"])
    U.remove_nodes_from([n for n in list(U.nodes) if U.degree(n) == 0])
    return U


def compare_distances(
    net: Any, U: nx.Graph, *, sources: int = 25, seed: int = 0, rel: float = 1e-9
) -> int:
    """Assert that network distances equal NetworkX's between the nodes both keep.

    Returns the number of common nodes.
    """
    ours = set(net.node_ids.tolist())
    common = sorted(ours & set(U.nodes))
    assert common, "no node in common"
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(common), size=min(sources, len(common)), replace=False)
    starts = [common[i] for i in picks]
    D = dijkstra(net.graph, directed=False, indices=net.node_index(starts))
    cols = net.node_index(common)
    for k, s in enumerate(starts):
        ref = nx.single_source_dijkstra_path_length(U, s, weight="length")
        want = np.array([ref.get(c, np.inf) for c in common])
        got = D[k, cols]
        np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
        fin = np.isfinite(want)
        np.testing.assert_allclose(got[fin], want[fin], rtol=rel, atol=1e-9)
    return len(common)
