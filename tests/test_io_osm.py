"""The streaming OSM reader against OSMnx and NetworkX.

Oracles: OSMnx's own Overpass filter string for which ways a network type keeps; NetworkX's
Dijkstra on the graph ``osmnx.graph_from_xml`` builds from the same file for distances (OSMnx's
great-circle lengths, so equal up to floating-point summation); pyosmium loops written here for
the counts of ways cut at an extract's edge.
"""

from __future__ import annotations

import logging

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pytest
import shapely
from _osm import compare_distances, osmnx_graph, overpass_keeps, to_pbf, undirected, write_osm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from geoseg.errors import NetworkError
from geoseg.example import generate_city
from geoseg.io import load_network, read_boundaries, read_network
from geoseg.io.osm import NETWORK_FILTERS, keeps_way

LAT0, LON0 = 57.70, 11.95
DLAT, DLON = 0.0009, 0.0017  # about 100 m each way


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generate_city(out, areas=12, seed=7)
    return out


# --- which ways are kept ------------------------------------------------------------------------

VALUES = {
    "highway": [
        "residential", "footway", "cycleway", "motorway", "motorway_link", "service", "path",
        "steps", "corridor", "elevator", "construction", "proposed", "platform", "pedestrian",
        "no", "unknown", "track", "bridleway", "rest_area", "services", "trunk", "escalator",
    ],
    "area": ["yes", "no"],
    "access": ["private", "yes", "no", "permissive", "customers"],
    "foot": ["no", "yes", "designated", "unknown"],
    "bicycle": ["no", "yes", "dismount"],
    "service": ["private", "driveway", "parking_aisle", "alley"],
    "sidewalk": ["separate", "both", "no", "left"],
    "sidewalk:both": ["separate", "yes", "no"],
    "sidewalk:left": ["separate", "yes"],
    "sidewalk:right": ["separate", "no"],
    "name": ["Storgatan"],
}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(data=st.data(), network_type=st.sampled_from(sorted(NETWORK_FILTERS)))
def test_filter_equals_osmnx_overpass_filter(data, network_type):
    keys = data.draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=5))
    tags = {k: data.draw(st.sampled_from(VALUES[k])) for k in keys}
    assert keeps_way(tags, network_type) == overpass_keeps(tags, network_type)


def test_filter_examples_documented():
    assert keeps_way({"highway": "residential", "oneway": "yes"})
    assert keeps_way({"highway": "steps"}) and not keeps_way({"highway": "steps"}, "bike")
    assert not keeps_way({"highway": "cycleway"}) and keeps_way({"highway": "cycleway"}, "bike")
    assert not keeps_way({"highway": "footway"}, "bike")
    assert not keeps_way({"highway": "primary", "sidewalk:both": "separate"})
    assert not keeps_way({"highway": "pedestrian", "area": "yes"})
    assert not keeps_way({"building": "yes"})
    with pytest.raises(NetworkError, match="drive"):
        keeps_way({"highway": "primary"}, "drive")


# --- distances equal NetworkX on OSMnx's graph -------------------------------------------------


def test_example_city_xml_and_pbf_equal_osmnx_distances(city):
    xml = city / "network/example_streets.osm.bz2"
    pbf = city / "network/example_streets.osm.pbf"
    a, b = read_network(pbf), read_network(xml)
    for name in ("node_ids", "edge_u", "edge_v", "edge_length", "coords", "x", "y"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.info["format"] == "pbf" and b.info["format"] == "osm.bz2"
    G = osmnx_graph(xml, simplify=True)
    # every street of the example is walkable: OSMnx's graph is the same network
    assert set(G.nodes) <= set(a.node_ids.tolist())
    assert compare_distances(a, undirected(G), sources=30) == len(G)
    # projected coordinates equal OSMnx's projection of the same nodes
    P = ox.project_graph(G, to_crs="EPSG:3006")
    ids = np.array(list(P.nodes))
    idx = a.node_index(ids)
    np.testing.assert_allclose(a.x[idx], [P.nodes[n]["x"] for n in ids], atol=1e-6)
    np.testing.assert_allclose(a.y[idx], [P.nodes[n]["y"] for n in ids], atol=1e-6)


def _grid_extract(path, ways_tags):
    """A 5 x 5 grid of nodes; ``ways_tags`` maps (row or column, index) to a way's tags."""
    nodes = {
        10 * r + c + 1: (LAT0 + r * DLAT, LON0 + c * DLON * (1 + 0.05 * r))
        for r in range(5)
        for c in range(5)
    }
    ways = []
    for k, ((axis, i), tags) in enumerate(sorted(ways_tags.items()), start=100):
        if axis == "row":
            refs = [10 * i + c + 1 for c in range(5)]
        else:
            refs = [10 * r + i + 1 for r in range(5)]
        ways.append((k, refs, tags))
    return write_osm(path, nodes, ways), ways


MIXED = {
    ("row", 0): {"highway": "residential"},
    ("row", 1): {"highway": "motorway"},
    ("row", 2): {"highway": "cycleway"},
    ("row", 3): {"highway": "footway", "access": "private"},
    ("row", 4): {"highway": "primary", "sidewalk": "separate"},
    ("col", 0): {"highway": "footway"},
    ("col", 1): {"highway": "path", "foot": "no"},
    ("col", 2): {"highway": "steps"},
    ("col", 3): {"highway": "service", "service": "private"},
    ("col", 4): {"highway": "pedestrian", "area": "yes"},
}


@pytest.mark.parametrize("network_type", ["walk", "bike"])
def test_mixed_tags_equal_filtered_osmnx_graph(tmp_path, network_type):
    path, ways = _grid_extract(tmp_path / "mixed.osm", MIXED)
    net = read_network(path, network_type=network_type)
    G = osmnx_graph(path)
    dropped = [wid for wid, _, tags in ways if not overpass_keeps(tags, network_type)]
    assert 0 < len(dropped) < len(ways)
    U = undirected(G, drop_ways=dropped)
    assert compare_distances(net, U, sources=len(U)) >= 4
    if network_type == "walk":
        # OSMnx's graph_from_xml keeps every way: it walks along the motorway (row 1)
        everything = undirected(G)
        a, b = 11, 13  # on the kept footway (column 0) and steps (column 2)
        direct = nx.shortest_path_length(everything, a, b, weight="length")
        assert direct < nx.shortest_path_length(U, a, b, weight="length")


def test_cut_extract_reads_where_osmnx_fails(city, tmp_path):
    """Ways referencing nodes outside the cut keep the parts inside (OSMnx refuses the file)."""
    full = city / "network/example_streets.osm.bz2"
    G = osmnx_graph(full)
    lats = np.array([d["y"] for _, d in G.nodes(data=True)])
    lons = np.array([d["x"] for _, d in G.nodes(data=True)])
    south, north = np.quantile(lats, [0.25, 0.75])
    west, east = np.quantile(lons, [0.3, 0.8])
    inside = {
        n for n, d in G.nodes(data=True) if south <= d["y"] <= north and west <= d["x"] <= east
    }
    cut = tmp_path / "cut.osm"
    with osmium.SimpleWriter(str(cut)) as writer:  # nodes inside the box, every way
        for obj in osmium.FileProcessor(str(full)):
            if obj.is_node() and obj.id not in inside:
                continue
            writer.add(obj)
    ways_cut = sum(
        1
        for w in osmium.FileProcessor(str(cut), osmium.osm.WAY)
        if 0 < sum(n.ref in inside for n in w.nodes) < len(w.nodes)
    )
    assert ways_cut > 0
    with pytest.raises(ValueError, match="missing nodes"):
        osmnx_graph(cut)
    for path in (cut, to_pbf(cut, tmp_path / "cut.osm.pbf")):
        net = read_network(path)
        assert net.info["ways_cut"] == ways_cut
        assert set(net.node_ids.tolist()) <= inside
        compare_distances(net, undirected(G.subgraph(inside)), sources=20)


def test_clip_to_areas_and_buffer(city):
    areas = read_boundaries(city / "boundaries/example_areas.gpkg", id_column="code")
    some = areas.iloc[:3]
    net = read_network(city / "network/example_streets.osm.pbf", clip=some, buffer_m=250.0)
    band = some.geometry.union_all().buffer(250.0)
    assert shapely.contains_xy(band, net.x, net.y).all()
    assert net.info["clipped"] and net.info["buffer_m"] == 250.0
    G = ox.project_graph(osmnx_graph(city / "network/example_streets.osm.bz2"), to_crs=3006)
    inside = [n for n, d in G.nodes(data=True) if band.contains(shapely.Point(d["x"], d["y"]))]
    U = undirected(G.subgraph(inside))
    assert compare_distances(net, U, sources=20) > 50
    whole = read_network(city / "network/example_streets.osm.pbf")
    assert net.n_nodes < whole.n_nodes


def _sidewalk_city(path, n=3):
    """Streets with separately mapped sidewalks on both sides and crossings at junctions."""
    tr = Transformer.from_crs(3006, 4326, always_xy=True)
    x0, y0 = 319_000.0, 6_400_000.0
    block, off = 120.0, 8.0
    nodes, ways, ids = {}, [], iter(range(1, 100_000))
    street_tags = [
        {"highway": "residential", "sidewalk": "separate"},
        {"highway": "tertiary", "sidewalk:both": "separate"},
        {"highway": "residential", "sidewalk:left": "separate", "sidewalk:right": "separate"},
    ]
    wid = iter(range(1000, 100_000))

    def node(x, y):
        i = next(ids)
        lon, lat = tr.transform(x, y)
        nodes[i] = (lat, lon)
        return i

    centre = {(i, j): node(x0 + i * block, y0 + j * block) for i in range(n) for j in range(n)}
    for horizontal in (True, False):
        for line in range(n):
            pts = [(k, line) if horizontal else (line, k) for k in range(n)]
            tags = street_tags[line % 3]
            ways.append((next(wid), [centre[p] for p in pts], tags))
            for side in (-1, 1):  # a sidewalk on each side, with a crossing at each junction
                walk = []
                for p in pts:
                    cx, cy = x0 + p[0] * block, y0 + p[1] * block
                    s = node(cx, cy + side * off) if horizontal else node(cx + side * off, cy)
                    walk.append(s)
                    ways.append(
                        (next(wid), [s, centre[p]], {"highway": "footway", "footway": "crossing"})
                    )
                ways.append((next(wid), walk, {"highway": "footway", "footway": "sidewalk"}))
    write_osm(path, nodes, ways)
    return centre, ways


def test_separately_mapped_sidewalks(tmp_path):
    centre, ways = _sidewalk_city(tmp_path / "sidewalks.osm")
    path = to_pbf(tmp_path / "sidewalks.osm", tmp_path / "sidewalks.osm.pbf")
    net = read_network(path)
    dropped = [wid for wid, _, tags in ways if not overpass_keeps(tags)]
    streets = [wid for wid, _, tags in ways if tags["highway"] != "footway"]
    assert sorted(dropped) == sorted(streets)  # every street, none of the sidewalks
    U = undirected(osmnx_graph(tmp_path / "sidewalks.osm"), drop_ways=dropped)
    compare_distances(net, U, sources=40)
    # the walk between two junctions follows a sidewalk: longer than the street's centre line
    a, b = net.node_index([centre[(0, 0)], centre[(1, 0)]])
    d = dijkstra(net.graph, indices=a)[b]
    assert d == pytest.approx(120.0 + 2 * 8.0, rel=5e-3)  # projected vs great-circle metres


# --- the cache ----------------------------------------------------------------------------------


def test_cache_keyed_by_content_and_options(city, tmp_path, caplog):
    pbf = tmp_path / "streets.osm.pbf"
    pbf.write_bytes((city / "network/example_streets.osm.pbf").read_bytes())
    cache = tmp_path / "cache"
    first = load_network(pbf, cache_dir=cache)
    with caplog.at_level(logging.INFO, logger="geoseg.io"):
        again = load_network(pbf, cache_dir=cache)
    assert "read from cache" in caplog.text
    np.testing.assert_array_equal(again.node_ids, first.node_ids)
    assert (again.graph != first.graph).nnz == 0
    assert again.info == first.info
    areas = read_boundaries(city / "boundaries/example_areas.gpkg", id_column="code").iloc[:2]
    clipped = load_network(pbf, cache_dir=cache, options={"clip": areas, "buffer_m": 100.0})
    assert clipped.n_nodes < first.n_nodes and len(list(cache.glob("*.npz"))) == 2
    wider = load_network(pbf, cache_dir=cache, options={"clip": areas, "buffer_m": 400.0})
    assert wider.n_nodes > clipped.n_nodes and len(list(cache.glob("*.npz"))) == 3


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["streets.osm.pbf", "streets.osm", "streets.osm.bz2"])
def test_not_osm_is_a_clear_error(tmp_path, name):
    path = tmp_path / name
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(NetworkError) as info:
        read_network(path)
    msg = str(info.value)
    assert str(path) in msg and "OpenStreetMap" in msg and ".osm.pbf" in msg


def test_no_walkable_ways(tmp_path):
    path, _ = _grid_extract(
        tmp_path / "motorways.osm",
        {("row", 0): {"highway": "motorway"}, ("col", 0): {"building": "yes"}},
    )
    with pytest.raises(NetworkError, match=r"has no walk ways: none of its 1 way tagged highway"):
        read_network(path)
    with pytest.raises(NetworkError, match="has no bike ways"):
        read_network(to_pbf(path, tmp_path / "m.osm.pbf"), network_type="bike")


def test_network_elsewhere_in_the_world(city):
    far = shapely.box(-500_000, 7_000_000, -490_000, 7_010_000)  # west of Norway's coast
    with pytest.raises(NetworkError) as info:
        read_network(city / "network/example_streets.osm.pbf", clip=far, buffer_m=1000)
    msg = str(info.value)
    assert "example_streets.osm.pbf" in msg and "none of its streets" in msg
    assert "lon 11." in msg and "Use an extract of the region" in msg


SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(share=st.floats(0.05, 0.99))
def test_truncated_pbf(city, tmp_path_factory, share):
    data = (city / "network/example_streets.osm.pbf").read_bytes()
    path = tmp_path_factory.mktemp("cut") / "streets.osm.pbf"
    path.write_bytes(data[: int(len(data) * share)])
    with pytest.raises(NetworkError) as info:
        read_network(path)
    assert str(path) in str(info.value) and "truncated" in str(info.value)
