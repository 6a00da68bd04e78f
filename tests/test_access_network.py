"""Network engine: times equal NetworkX shortest paths, snapping, edits."""

from __future__ import annotations

import itertools
import logging

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.spatial import Delaunay

from geoseg.access import (
    add_edges,
    at_nodes,
    build_network,
    nearest,
    reach,
    remove_edges,
    snap_points,
)
from geoseg.errors import CRSError

CRS = "EPSG:3006"
SPEED = 4.8


def _planar_graph(seed: int, n: int = 120) -> nx.MultiDiGraph:
    """A random planar-ish street graph: Delaunay edges, some one-way, some parallel, curved."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 2000, size=(n, 2)) + np.array([300000, 6400000])
    tri = Delaunay(xy)
    pairs = set()
    for simplex in tri.simplices:
        for i in range(3):
            a, b = sorted((int(simplex[i]), int(simplex[(i + 1) % 3])))
            pairs.add((a, b))
    g = nx.MultiDiGraph(crs=CRS)
    for i, (x, y) in enumerate(xy):
        g.add_node(1000 + i, x=float(x), y=float(y))
    for a, b in sorted(pairs):
        if rng.random() < 0.25:  # drop some edges: dead ends and detours
            continue
        straight = float(np.hypot(*(xy[a] - xy[b])))
        length = straight * rng.uniform(1.0, 1.3)
        u, v = 1000 + a, 1000 + b
        if rng.random() < 0.3:  # a curved street with a middle vertex
            mid = (xy[a] + xy[b]) / 2 + rng.normal(0, 30, 2)
            geom = shapely.LineString([xy[a], mid, xy[b]])
            g.add_edge(u, v, length=length, geometry=geom)
            g.add_edge(v, u, length=length, geometry=shapely.reverse(geom))
        elif rng.random() < 0.2:  # one-way in the drive network; walking ignores it
            g.add_edge(v, u, length=length)
        else:
            g.add_edge(u, v, length=length)
            g.add_edge(v, u, length=length)
        if rng.random() < 0.1:  # a longer parallel street
            g.add_edge(u, v, length=length * 1.5)
    g.add_edge(1000, 1000, length=5.0)  # a self-loop is never on a shortest path
    return g


def _points(rng: np.random.Generator, n: int, near: np.ndarray | None = None) -> gpd.GeoDataFrame:
    if near is None:
        xy = rng.uniform(-100, 2100, size=(n, 2)) + np.array([300000, 6400000])
    else:
        xy = near[rng.integers(0, len(near), n)] + rng.normal(0, 40, size=(n, 2))
    return gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(n)]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
        index=[f"p{i}" for i in range(n)],
    )


def _oracle(g: nx.MultiDiGraph, net, groups: dict[str, object]) -> nx.Graph:
    """Undirected NetworkX graph with every snapped point inserted as its own node."""
    h = nx.Graph()
    for u, v, d in g.edges(data=True):
        if u == v:
            continue
        if h.has_edge(u, v):
            h[u][v]["weight"] = min(h[u][v]["weight"], d["length"])
        else:
            h.add_edge(u, v, weight=d["length"])
    ids = net.node_ids
    on_edge: dict[int, list[tuple[float, str]]] = {}
    for name, pts in groups.items():
        for k in range(len(pts)):
            node = (name, k)
            if pts.edge[k] < 0:
                h.add_edge(node, ids[pts.node_a[k]], weight=float(pts.snap_m[k]))
                continue
            street = (name, k, "street")
            h.add_edge(node, street, weight=float(pts.snap_m[k]))
            on_edge.setdefault(int(pts.edge[k]), []).append((float(pts.off_a[k]), street))
    for e, items in on_edge.items():
        a, b = ids[net.edge_u[e]], ids[net.edge_v[e]]
        assert h[a][b]["weight"] == pytest.approx(net.edge_length[e])
        length = h[a][b]["weight"]
        h.remove_edge(a, b)
        chain = [(0.0, a), *sorted(items, key=lambda t: t[0]), (length, b)]
        for (p0, n0), (p1, n1) in itertools.pairwise(chain):
            h.add_edge(n0, n1, weight=p1 - p0)
    return h


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_and_reach_equal_networkx(seed):
    g = _planar_graph(seed)
    net = build_network(g)
    rng = np.random.default_rng(seed + 100)
    svc_gdf = _points(rng, 12)
    svc = snap_points(net, svc_gdf, max_snap_m=1e9)
    svc_xy = shapely.get_coordinates(svc_gdf.geometry.values)
    res_gdf = _points(rng, 150, near=svc_xy)  # many residents share a street with a service
    res = snap_points(net, res_gdf, max_snap_m=1e9)
    assert len(svc) == 12 and len(res) == 150
    assert np.any(np.isin(res.edge, svc.edge))
    nodes = at_nodes(net)
    h = _oracle(g, net, {"s": svc, "r": res, "n": nodes})

    srcs = [("s", k) for k in range(len(svc))]
    want = nx.multi_source_dijkstra_path_length(h, srcs, weight="weight")
    got = nearest(net, svc, res, speed_kmh=SPEED)
    to_min = 1 / (SPEED / 3.6) / 60
    for k, label in enumerate(res.index):
        expect = want.get(("r", k), np.inf) * to_min
        assert got.loc[label, "minutes"] == pytest.approx(expect, abs=1e-6, rel=0)
    got_nodes = nearest(net, svc, nodes, speed_kmh=SPEED)
    for k in range(len(nodes)):
        expect = want.get(("n", k), np.inf) * to_min
        assert got_nodes["minutes"].iloc[k] == pytest.approx(expect, abs=1e-6, rel=0)
    # the reported nearest service is one at that distance
    lengths = {j: nx.single_source_dijkstra_path_length(h, ("s", j)) for j in range(len(svc))}
    for k, label in enumerate(res.index[:40]):
        j = list(svc.index).index(got.loc[label, "service"])
        assert lengths[j][("r", k)] * to_min == pytest.approx(got.loc[label, "minutes"], abs=1e-6)

    minutes = 12.0
    table = reach(net, svc, res, minutes=minutes, speed_kmh=SPEED)
    cutoff = minutes / to_min
    expect_pairs = {}
    for j in range(len(svc)):
        for node, d in lengths[j].items():
            if isinstance(node, tuple) and node[0] == "r" and len(node) == 2 and d <= cutoff:
                expect_pairs[(j, node[1])] = d * to_min
    got_pairs = dict(zip(zip(table.source, table.point, strict=True), table.minutes, strict=True))
    assert set(got_pairs) == set(expect_pairs)
    for key, val in expect_pairs.items():
        assert got_pairs[key] == pytest.approx(val, abs=1e-6, rel=0)


def test_disconnected_component_is_unreachable():
    g = nx.MultiDiGraph(crs=CRS)
    for i, x in enumerate([0.0, 100.0, 1000.0, 1100.0]):
        g.add_node(i, x=x, y=0.0)
    g.add_edge(0, 1, length=100.0)
    g.add_edge(2, 3, length=100.0)
    net = build_network(g)
    svc = at_nodes(net, [0])
    out = nearest(net, svc, at_nodes(net))
    assert np.isinf(out["minutes"].to_numpy()[2:]).all()
    assert out["service"].iloc[2] is None
    assert out["minutes"].iloc[1] == pytest.approx(100 / (4.8 / 3.6) / 60)


def _line_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=CRS)
    for i in range(3):
        g.add_node(i, x=1000.0 * i, y=0.0)
    g.add_edge(0, 1, length=1000.0)
    g.add_edge(1, 2, length=1000.0)
    return g


def test_snapping_reports_far_points_and_water(caplog):
    net = build_network(_line_graph())
    pts = gpd.GeoDataFrame(
        {"name": ["near", "far", "across"]},
        geometry=gpd.points_from_xy([250.0, 500.0, 1500.0], [30.0, 900.0, 200.0]),
        crs=CRS,
        index=["a", "b", "c"],
    )
    water = gpd.GeoDataFrame(geometry=[shapely.box(1400, 50, 1600, 150)], crs=CRS)
    with caplog.at_level(logging.WARNING, logger="geoseg.access"):
        snapped = snap_points(net, pts, max_snap_m=500, water=water)
    assert list(snapped.index) == ["a"]
    assert snapped.snap_m[0] == pytest.approx(30.0)
    assert snapped.off_a[0] == pytest.approx(250.0)
    assert snapped.off_b[0] == pytest.approx(750.0)
    assert snapped.rejected.loc["b", "reason"] == "too_far"
    assert snapped.rejected.loc["c", "reason"] == "crosses_water"
    assert "not placed" in caplog.text and "b: too_far" in caplog.text
    with pytest.raises(CRSError):
        snap_points(net, pts.to_crs("EPSG:4326"))


def test_snap_partial_lengths_scale_to_edge_length():
    g = nx.MultiDiGraph(crs=CRS)
    g.add_node(0, x=0.0, y=0.0)
    g.add_node(1, x=100.0, y=0.0)
    g.add_edge(0, 1, length=150.0)  # a measured length longer than the straight line
    net = build_network(g)
    pts = gpd.GeoSeries(gpd.points_from_xy([40.0], [-5.0]), crs=CRS)
    s = snap_points(net, pts)
    assert s.off_a[0] == pytest.approx(60.0) and s.off_b[0] == pytest.approx(90.0)


def test_edits_remove_and_add_edges():
    net = build_network(_line_graph())
    svc = at_nodes(net, [0])
    cut = remove_edges(net, np.array([[1, 2]]))
    assert np.isinf(nearest(cut, svc, at_nodes(cut))["minutes"].iloc[2])
    short = add_edges(net, [0], [2], [500.0])
    got = nearest(short, svc, at_nodes(short), speed_kmh=3.6)["minutes"].to_numpy()
    np.testing.assert_allclose(got, [0.0, 1000 / 60, 500 / 60])
    assert net.n_edges == 2  # the original is untouched


@pytest.mark.parametrize("shortcut", [False, True])
def test_reach_equals_networkx_with_and_without_long_drawn_edges(shortcut):
    # a "tunnel" much shorter than its drawn line: a walk may leave the disc its length
    # suggests, so the search must not be cut to a small piece of the network
    g = _planar_graph(5, n=200)
    net = build_network(g)
    if shortcut:
        ids = net.node_ids
        for a, b, length in ((0, 150, 30.0), (5, 160, 1.0)):
            g.add_edge(ids[a], ids[b], length=length)
            g.add_edge(ids[b], ids[a], length=length)
        net = add_edges(net, [0, 5], [150, 160], [30.0, 1.0])
    rng = np.random.default_rng(9)
    svc = snap_points(net, _points(rng, 25), max_snap_m=1e9)
    res = snap_points(net, _points(rng, 300), max_snap_m=1e9)
    h = _oracle(g, net, {"s": svc, "r": res})
    minutes = 700.0 / (SPEED / 3.6) / 60
    table = reach(net, svc, res, minutes=minutes, speed_kmh=SPEED)
    got = {
        (int(s), int(p)): float(m)
        for s, p, m in zip(table.source, table.point, table.metres, strict=True)
    }
    assert len(got) == len(table.source)  # each pair once
    want = {}
    for j in range(len(svc)):
        lengths = nx.single_source_dijkstra_path_length(h, ("s", j), cutoff=700.0 + 1e-6)
        for node, d in lengths.items():
            if isinstance(node, tuple) and node[0] == "r" and len(node) == 2 and d <= 700.0:
                want[(j, node[1])] = d
    assert set(got) == set(want)
    for key, d in want.items():
        assert got[key] == pytest.approx(d, abs=1e-6, rel=0)
    assert len(want) > 100


def _random_net(seed: int, n: int = 90) -> tuple[nx.MultiDiGraph, object]:
    """Two random components, isolated nodes, zero-length edges and parallel edges."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs=CRS)
    for i in range(n):
        g.add_node(i, x=float(rng.uniform(0, 1000)), y=float(rng.uniform(0, 1000)))
    half = n // 2
    for lo, hi in ((0, half - 3), (half, n)):  # the last 3 nodes of the first half stay isolated
        for _ in range(int(1.6 * (hi - lo))):
            a, b = (int(v) for v in rng.integers(lo, hi, 2))
            if a == b:
                continue
            w = 0.0 if rng.random() < 0.08 else float(rng.uniform(0, 100))
            g.add_edge(a, b, length=w)
            g.add_edge(b, a, length=w)
    return g, build_network(g)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("max_minutes", [None, 0.8])
def test_nearest_from_many_services_equals_networkx(seed, max_minutes):
    g, net = _random_net(seed)
    rng = np.random.default_rng(seed)
    nodes = rng.integers(0, net.n_nodes, 7)
    nodes[1] = nodes[0]  # two services on one node
    svc = at_nodes(net, nodes)
    everyone = at_nodes(net)
    got = nearest(net, svc, everyone, speed_kmh=SPEED, max_minutes=max_minutes)
    h = nx.Graph()
    h.add_nodes_from(g.nodes)
    for u, v, d in g.edges(data=True):
        if not h.has_edge(u, v) or h[u][v]["w"] > d["length"]:
            h.add_edge(u, v, w=d["length"])
    assert any(d["w"] == 0 for _, _, d in h.edges(data=True))  # zero-length edges present
    to_min = 1 / (SPEED / 3.6) / 60
    cutoff = np.inf if max_minutes is None else max_minutes / to_min
    ref = nx.multi_source_dijkstra_path_length(h, set(net.node_ids[nodes]), weight="w")
    want = np.array([ref.get(i, np.inf) for i in net.node_ids])
    want[want > cutoff] = np.inf
    minutes = got["minutes"].to_numpy()
    np.testing.assert_array_equal(np.isinf(minutes), np.isinf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(minutes[fin], want[fin] * to_min, rtol=0, atol=1e-9)
    assert np.isinf(want).any() and fin.sum() > 20
    # the service named is one at exactly that distance
    for k in np.flatnonzero(fin):
        j = list(svc.index).index(got["service"].iloc[k])
        d = nx.shortest_path_length(h, net.node_ids[nodes[j]], net.node_ids[k], weight="w")
        assert d * to_min == pytest.approx(minutes[k], abs=1e-9)
    assert got["service"][~fin].isna().all()
