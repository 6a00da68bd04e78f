"""Plan checks' network edits and incremental recomputation against independent oracles.

NetworkX shortest paths on an independently edited graph check the network edits; a full
recomputation with the access engine on the edited network checks every incremental update
(exact equality).
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoseg.access import at_nodes, build_network
from geoseg.plans._edit import PathSpec, edit_network, locate, move_points
from geoseg.plans._routing import full_state, point_metres


def _grid(side: int = 6, seed: int = 3) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for i in range(side):
        for j in range(side):
            g.add_node(i * side + j, x=100.0 * i, y=100.0 * j)
    for i in range(side):
        for j in range(side):
            a = i * side + j
            for b in ([a + side] if i + 1 < side else []) + ([a + 1] if j + 1 < side else []):
                length = 100.0 * rng.uniform(1.0, 1.2)
                g.add_edge(a, b, length=length)
                g.add_edge(b, a, length=length)
    return g


def _nx_graph(net) -> nx.Graph:
    h = nx.Graph()
    h.add_nodes_from(range(net.n_nodes))
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        if h.has_edge(u, v):
            w = min(w, h[u][v]["weight"])
        h.add_edge(int(u), int(v), weight=float(w))
    return h


def test_full_state_matches_networkx_multisource():
    net = build_network(_grid())
    src = at_nodes(net, [0, 17, 35])
    state = full_state(net.graph, src)
    expected = nx.multi_source_dijkstra_path_length(_nx_graph(net), [0, 17, 35])
    got = {i: state.dist[i] for i in range(net.n_nodes)}
    assert got.keys() == expected.keys()
    for i, d in expected.items():
        assert got[i] == pytest.approx(d, abs=1e-9)
    # origin is a service whose distance is the minimum
    h = _nx_graph(net)
    for i in range(net.n_nodes):
        s = [0, 17, 35][state.origin[i]]
        assert nx.dijkstra_path_length(h, s, i) == pytest.approx(state.dist[i], abs=1e-9)


def test_edit_network_split_close_and_path_against_networkx():
    net = build_network(_grid())
    tree = shapely.STRtree(net.edge_lines())
    # a path from the middle of one street to the middle of another, across the grid
    a = locate(net, tree, shapely.Point(30.0, 0.0), max_m=20.0)
    b = locate(net, tree, shapely.Point(470.0, 500.0), max_m=20.0)
    assert a is not None and b is not None and a.node < 0 and b.node < 0
    line = np.array([[30.0, 0.0], [470.0, 500.0]])
    length = float(np.hypot(440.0, 500.0))
    close = np.array([5, 9])
    edit = edit_network(net, close=close, paths=[PathSpec(a, b, line, length)])
    out = edit.network
    assert out.n_nodes == net.n_nodes + 2
    # independent oracle: edit a NetworkX copy by hand
    h = _nx_graph(net)
    for e in close:
        h.remove_edge(int(net.edge_u[e]), int(net.edge_v[e]))
    new_nodes = {}
    for end in (a, b):
        u, v, w = int(net.edge_u[end.edge]), int(net.edge_v[end.edge]), net.edge_length[end.edge]
        k = net.n_nodes + len(new_nodes)
        new_nodes[end.edge] = k
        h.remove_edge(u, v)
        h.add_edge(u, k, weight=end.offset)
        h.add_edge(k, v, weight=w - end.offset)
    h.add_edge(new_nodes[a.edge], new_nodes[b.edge], weight=a.connector_m + length + b.connector_m)
    got = full_state(out.graph, at_nodes(out, [0]))
    expected = nx.single_source_dijkstra_path_length(h, 0)
    for i in range(out.n_nodes):
        assert got.dist[i] == pytest.approx(expected.get(i, np.inf), abs=1e-9)
    # the path is a shortcut: the far corner is now closer than over the grid
    far = net.n_nodes - 1
    assert got.dist[far] < full_state(net.graph, at_nodes(net, [0])).dist[far] - 100


def test_move_points_keeps_places_on_split_streets():
    net = build_network(_grid())
    tree = shapely.STRtree(net.edge_lines())
    a = locate(net, tree, shapely.Point(50.0, 0.0), max_m=20.0)
    b = locate(net, tree, shapely.Point(50.0, 500.0), max_m=20.0)
    line = np.array([[50.0, 0.0], [50.0, 500.0]])
    edit = edit_network(net, close=np.empty(0, int), paths=[PathSpec(a, b, line, 500.0)])
    from geoseg.access import snap_points

    pts = gpd.GeoSeries(
        [shapely.Point(20.0, -5.0), shapely.Point(80.0, -5.0), shapely.Point(250.0, 140.0)],
        crs="EPSG:3006",
    )
    before = snap_points(net, pts)
    moved, keep, split = move_points(before, edit)
    assert keep.all() and split.tolist() == [True, True, False]
    # same distance to every node of the old network, computed on the edited one through
    # the piece (NetworkX oracle on the edited graph)
    h = _nx_graph(edit.network)
    for p in range(3):
        for target in (0, 6, 35):
            da = nx.dijkstra_path_length(h, int(moved.node_a[p]), target) + moved.off_a[p]
            db = nx.dijkstra_path_length(h, int(moved.node_b[p]), target) + moved.off_b[p]
            tgt = at_nodes(edit.network, [target])
            m, _ = point_metres(full_state(edit.network.graph, tgt), moved, tgt, np.arange(1))
            assert m[p] == pytest.approx(min(da, db) + moved.snap_m[p], abs=1e-9)
    np.testing.assert_allclose(moved.snap_xy, before.snap_xy)
