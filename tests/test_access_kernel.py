"""Compiled shortest-path kernel: equal to SciPy's Dijkstra and NetworkX, and to the fallback."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geoseg.access import _kernel, at_nodes, build_network, count_within, nearest, reach
from geoseg.access._paths import nearest_metres, reach_metres
from geoseg.access.network import WalkNetwork

_csp = _kernel._csp
pytestmark = pytest.mark.skipif(_csp is None, reason="compiled kernel not built")


def _random_net(seed: int, n: int = 90, *, integer: bool = False) -> WalkNetwork:
    """Two random components, isolated nodes, zero-length edges, parallel edge pairs."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for i in range(n):
        g.add_node(i, x=float(rng.uniform(0, 1000)), y=float(rng.uniform(0, 1000)))
    half = n // 2
    for lo, hi in ((0, half - 3), (half, n)):  # the last 3 nodes of the first half stay isolated
        for _ in range(int(1.6 * (hi - lo))):
            a, b = (int(v) for v in rng.integers(lo, hi, 2))
            if a == b:
                continue
            w = float(rng.integers(0, 6)) if integer else float(rng.uniform(0, 100))
            if rng.random() < 0.08:
                w = 0.0
            g.add_edge(a, b, length=w)
    return build_network(g)


def _seeds(rng: np.random.Generator, n: int, k: int, integer: bool):
    nodes = rng.integers(0, n, k)
    nodes[1] = nodes[0]  # two sources on the same node
    off = rng.integers(0, 4, k).astype(float) if integer else rng.uniform(0, 30, k)
    off[0] = off[1]  # ... at the same distance: the first one must win
    return nodes.astype(np.int64), off


def _augmented(net: WalkNetwork, nodes: np.ndarray, off: np.ndarray) -> sp.csr_matrix:
    """The network plus one virtual node per seed with a one-way edge of its offset."""
    n, k = net.n_nodes, len(nodes)
    g = net.graph.tocoo()
    rows = np.concatenate([g.row, n + np.arange(k)])
    cols = np.concatenate([g.col, nodes])
    # scipy drops explicit zeros given as coo input: use a tiny stand-in, then compare to 1e-9
    data = np.concatenate([g.data, off])
    data = np.where(data == 0, 1e-300, data)
    return sp.csr_matrix((data, (rows, cols)), shape=(n + k, n + k))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("limit", [np.inf, 60.0])
def test_multi_source_equals_scipy_and_networkx(seed, limit):
    net = _random_net(seed)
    rng = np.random.default_rng(seed)
    nodes, off = _seeds(rng, net.n_nodes, 7, integer=False)
    dist, label = _kernel.multi_source(net, nodes, off, np.arange(7), limit)
    aug = _augmented(net, nodes, off)
    n = net.n_nodes
    want = dijkstra(aug, directed=True, indices=np.arange(n, n + 7), min_only=True, limit=limit)
    want = want[:n]
    np.testing.assert_array_equal(np.isinf(dist), np.isinf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(dist[fin], want[fin], rtol=0, atol=1e-9)
    assert np.all((label >= 0) == fin)
    # NetworkX on the same graph with a virtual super-source
    h = nx.DiGraph()
    h.add_nodes_from(range(n))
    coo = net.graph.tocoo()  # keeps the explicit zeros (zero-length edges)
    assert np.count_nonzero(coo.data == 0) > 0
    for u, v, w in zip(coo.row, coo.col, coo.data, strict=True):
        if not h.has_edge(u, v) or h[u][v]["w"] > w:
            h.add_edge(int(u), int(v), w=float(w))
    for k in range(7):
        h.add_edge(("s", k), int(nodes[k]), w=float(off[k]))
        h.add_edge("root", ("s", k), w=0.0)
    ref = nx.single_source_dijkstra_path_length(h, "root", weight="w", cutoff=limit)
    nx_d = np.array([ref.get(i, np.inf) for i in range(n)])
    np.testing.assert_array_equal(np.isinf(dist), np.isinf(nx_d))
    np.testing.assert_allclose(dist[fin], nx_d[fin], rtol=0, atol=1e-9)
    # each node's label is a source at exactly that distance
    each = dijkstra(aug, directed=True, indices=np.arange(n, n + 7))[:, :n]
    got = each[label[fin], np.flatnonzero(fin)]
    np.testing.assert_allclose(got, dist[fin], rtol=0, atol=1e-9)
    assert dist.max(initial=0, where=fin) <= limit


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_ties_go_to_the_first_source(seed):
    net = _random_net(seed, integer=True)  # integer lengths: equal distances are exact
    rng = np.random.default_rng(seed)
    nodes, off = _seeds(rng, net.n_nodes, 9, integer=True)
    dist, label = _kernel.multi_source(net, nodes, off, np.arange(9), np.inf)
    n = net.n_nodes
    each = dijkstra(_augmented(net, nodes, off), directed=True, indices=np.arange(n, n + 9))
    each = np.round(each[:, :n])  # undo the 1e-300 stand-ins for zero lengths
    best = each.min(axis=0)
    np.testing.assert_array_equal(dist, best)
    fin = np.isfinite(best)
    first = np.argmax(each == best, axis=0)
    np.testing.assert_array_equal(label[fin], first[fin])
    assert np.count_nonzero((each == best).sum(axis=0) > 1) > 5  # the case really has ties


@pytest.mark.parametrize("seed", [7, 8])
@pytest.mark.parametrize("threads", [1, 2])
def test_bounded_pairs_equal_scipy_rows(seed, threads, monkeypatch):
    monkeypatch.setattr(_kernel, "THREADS", threads)
    net = _random_net(seed)
    rng = np.random.default_rng(seed)
    k, n, limit = 11, net.n_nodes, 80.0
    nodes, off = _seeds(rng, n, k, integer=False)
    ptr = np.arange(k + 1, dtype=np.int64)
    ident = (np.arange(n + 1, dtype=np.int64), np.arange(n), np.zeros(n))
    none = (np.zeros(k + 1, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    src, pt, d = _kernel.bounded_pairs(net, ptr, nodes, off, limit, ident, np.zeros(n), none)
    rows = dijkstra(_augmented(net, nodes, off), directed=True, indices=np.arange(n, n + k))
    rows = rows[:, :n]
    want_s, want_p = np.nonzero(rows <= limit)
    got = {(int(a), int(b)): float(c) for a, b, c in zip(src, pt, d, strict=True)}
    assert len(got) == len(src)  # each pair once
    assert set(got) == set(zip(want_s.tolist(), want_p.tolist(), strict=True))
    for a, b in zip(want_s, want_p, strict=True):
        assert got[(int(a), int(b))] == pytest.approx(rows[a, b], abs=1e-9, rel=0)
    assert np.all(np.diff(src) >= 0)  # grouped by source


def test_kernel_rejects_bad_input():
    net = _random_net(1)
    indptr, indices, data = _kernel._graph(net)
    d = np.empty(net.n_nodes)
    lab = np.empty(net.n_nodes, dtype=np.int32)
    seeds = (np.array([0], dtype=np.int64), np.zeros(1), np.zeros(1, dtype=np.int32))
    with pytest.raises(ValueError, match="non-negative"):
        _csp.nearest(indptr, indices, -data - 1, *seeds, np.inf, d, lab)
    with pytest.raises(TypeError, match="indices"):
        _csp.nearest(indptr, indices.astype(np.int64), data, *seeds, np.inf, d, lab)
    with pytest.raises(ValueError, match="outside"):
        bad = (np.array([net.n_nodes], dtype=np.int64), np.zeros(1), np.zeros(1, dtype=np.int32))
        _csp.nearest(indptr, indices, data, *bad, np.inf, d, lab)


@pytest.fixture(params=["compiled", "scipy"])
def engine(request, monkeypatch):
    """Run a test with the compiled kernel and again with the SciPy fallback."""
    monkeypatch.setattr(_kernel, "USE_COMPILED", request.param == "compiled")
    return request.param


def test_engine_flag_selects_the_path(engine):
    assert _kernel.compiled() is (engine == "compiled")


def _snapped_case(seed: int):
    from geoseg.access import snap_points

    net = _random_net(seed, n=120)
    rng = np.random.default_rng(seed)
    import geopandas as gpd

    def pts(m: int) -> gpd.GeoDataFrame:
        xy = rng.uniform(0, 1000, size=(m, 2))
        return gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:3006"
        ).set_index(np.array([f"p{i}" for i in range(m)]))

    svc = snap_points(net, pts(15), max_snap_m=1e9)
    res = snap_points(net, pts(200), max_snap_m=1e9)
    return net, svc, res


@pytest.mark.parametrize("seed", [11, 12])
def test_compiled_and_fallback_agree_on_snapped_points(seed, monkeypatch):
    net, svc, res = _snapped_case(seed)
    out = {}
    for flag in (True, False):
        monkeypatch.setattr(_kernel, "USE_COMPILED", flag)
        m, b = nearest_metres(net, svc, res)
        lim_m, lim_b = nearest_metres(net, svc, res, limit_m=150.0)
        table = reach_metres(net, svc, res, limit_m=150.0)
        order = np.lexsort((table.point, table.source))
        out[flag] = (m, b, lim_m, lim_b, table, order)
    (m1, b1, l1, lb1, t1, o1), (m0, b0, l0, lb0, t0, o0) = out[True], out[False]
    np.testing.assert_array_equal(np.isinf(m1), np.isinf(m0))
    np.testing.assert_allclose(m1[np.isfinite(m0)], m0[np.isfinite(m0)], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(np.isinf(l1), np.isinf(l0))
    np.testing.assert_array_equal(lb1 >= 0, lb0 >= 0)
    assert np.isfinite(l1).any() and np.isinf(l1).any()
    # ties aside, both paths name a service at the reported distance
    for best in (b1, b0):
        ok = best >= 0
        again = reach_metres(net, svc, res, limit_m=float(np.max(m1[ok])) + 1.0)
        lookup = {
            (s, p): d for s, p, d in zip(again.source, again.point, again.metres, strict=True)
        }
        for p in np.flatnonzero(ok):
            assert lookup[(best[p], p)] == pytest.approx(m1[p], abs=1e-9)
    np.testing.assert_array_equal(t1.source[o1], t0.source[o0])
    np.testing.assert_array_equal(t1.point[o1], t0.point[o0])
    np.testing.assert_allclose(t1.metres[o1], t0.metres[o0], rtol=0, atol=1e-9)
    assert len(t1.source) > 50


def test_measures_identical_on_both_paths(monkeypatch):
    net = _random_net(21, n=150)
    svc = at_nodes(net, [0, 0, 5, 80, 81])  # two services on one node
    everyone = at_nodes(net)
    got = {}
    for flag in (True, False):
        monkeypatch.setattr(_kernel, "USE_COMPILED", flag)
        near = nearest(net, svc, everyone, speed_kmh=4.8)
        table = reach(net, svc, everyone, minutes=1.0, speed_kmh=4.8)
        got[flag] = (near, count_within(table, minutes=1.0))
    (n1, c1), (n0, c0) = got[True], got[False]
    np.testing.assert_allclose(n1["minutes"], n0["minutes"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(c1, c0)
    assert c1.max() >= 2
