"""Tests of geoseg.io.network: OSM XML (plain, bz2, gz), PBF, GraphML, arrays, downloads, cache."""

from __future__ import annotations

import bz2
import gzip
import math
import socket

import numpy as np
import osmnx as ox
import pytest
from _fixtures import expect_error
from _osm import to_pbf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geoseg.access import WalkNetwork
from geoseg.errors import CRSError, NetworkError
from geoseg.io import load_network, read_network, write_network

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NODES = {
    1: (57.7000, 11.9500),
    2: (57.7000, 11.9600),
    3: (57.7050, 11.9600),
    4: (57.7050, 11.9700),
    5: (57.7100, 11.9700),
    6: (57.7100, 11.9800),
    7: (57.7150, 11.9800),
}
WAYS = [
    (10, [1, 2, 3], {"highway": "residential", "oneway": "yes"}),
    (11, [3, 4], {"highway": "footway", "bridge": "yes"}),
    (12, [4, 5], {"highway": "motorway"}),
    (13, [5, 6, 7, 5], {"building": "yes"}),
    (14, [6, 7], {"highway": "service", "access": "private"}),
    (15, [5, 7], {"highway": "path", "foot": "no"}),
]


def osm_xml(ways=WAYS) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    lines += [f'<node id="{i}" lat="{lat}" lon="{lon}"/>' for i, (lat, lon) in NODES.items()]
    for wid, refs, tags in ways:
        inner = "".join(f'<nd ref="{r}"/>' for r in refs)
        inner += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{wid}">{inner}</way>')
    lines.append("</osm>")
    return "\n".join(lines)


def great_circle(a: int, b: int) -> float:
    """Haversine distance in metres between two test nodes (mean Earth radius)."""
    (lat1, lon1), (lat2, lon2) = NODES[a], NODES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


@pytest.fixture
def osm_file(tmp_path):
    path = tmp_path / "streets.osm"
    path.write_text(osm_xml(), encoding="utf-8")
    return path


def test_walk_network_from_xml(osm_file):
    net = read_network(osm_file)
    assert isinstance(net, WalkNetwork)
    # only ways 10 and 11 are walkable: one street 1-...-4 (nodes 2 and 3 shape its line)
    assert sorted(net.node_ids.tolist()) == [1, 4]
    assert net.n_edges == 1 and net.graph.nnz == 2  # walkable both ways
    expected = great_circle(1, 2) + great_circle(2, 3) + great_circle(3, 4)
    assert net.edge_length[0] == pytest.approx(expected, rel=1e-12)
    assert len(net.coords) == 4  # the line through all four nodes
    tr = Transformer.from_crs(4326, 3006, always_xy=True)
    x, y = tr.transform(NODES[1][1], NODES[1][0])
    i = net.node_index([1])[0]
    assert net.x[i] == pytest.approx(x, abs=0.01) and net.y[i] == pytest.approx(y, abs=0.01)
    assert net.crs == "EPSG:3006"
    assert net.info["ways"] == 2 and net.info["highway_ways"] == 5


def _same(a: WalkNetwork, b: WalkNetwork) -> None:
    for name in ("node_ids", "edge_u", "edge_v", "edge_length", "x", "y", "coords"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_compressed_pbf_graphml_and_arrays_give_the_same_network(osm_file, tmp_path):
    net = read_network(osm_file)
    packed = tmp_path / "streets.osm.bz2"
    packed.write_bytes(bz2.compress(osm_file.read_bytes()))
    zipped = tmp_path / "streets.osm.gz"
    zipped.write_bytes(gzip.compress(osm_file.read_bytes()))
    for other in (packed, zipped, to_pbf(osm_file, tmp_path / "streets.osm.pbf")):
        _same(read_network(other), net)
    arrays = write_network(net, tmp_path / "streets.npz")
    _same(read_network(arrays), net)
    graphml = write_network(net, tmp_path / "streets.graphml")
    again = read_network(graphml)
    assert sorted(again.node_ids.tolist()) == [1, 4]
    np.testing.assert_allclose(again.edge_length, net.edge_length)
    G = ox.load_graphml(graphml)  # OSMnx reads what geoseg writes
    assert sorted(G.edges()) == [(1, 4), (4, 1)]
    with pytest.raises(NetworkError, match="EPSG:3006"):
        read_network(arrays, crs="EPSG:3035")


def test_empty_network_names_file(tmp_path):
    path = tmp_path / "houses.osm"
    path.write_text(osm_xml([(13, [5, 6, 7, 5], {"building": "yes"})]))
    err = expect_error(read_network, path)
    assert isinstance(err, NetworkError) and "has no walk ways" in str(err)


def test_bad_arguments(tmp_path, osm_file):
    with pytest.raises(NetworkError):
        read_network()
    with pytest.raises(NetworkError):
        read_network(osm_file, place="Göteborg")
    with pytest.raises(NetworkError, match="not found"):
        read_network(tmp_path / "missing.osm")
    with pytest.raises(CRSError):
        read_network(osm_file, crs="EPSG:4326")
    other = tmp_path / "streets.shp"
    other.write_text("x")
    assert "unknown street network format" in str(expect_error(read_network, other))


def test_place_offline_becomes_network_error(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise OSError("network is unreachable (test)")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    monkeypatch.setattr(socket, "create_connection", offline)
    before = (ox.settings.use_cache, ox.settings.cache_folder)
    with pytest.raises(NetworkError, match=r"Göteborg, Sweden.*local OSM file"):
        read_network(place="Göteborg, Sweden", cache_folder=tmp_path / "cache")
    assert (ox.settings.use_cache, ox.settings.cache_folder) == before  # settings restored
    assert (tmp_path / "cache").is_dir()


@SETTINGS
@given(
    data=st.binary(max_size=300),
    suffix=st.sampled_from([".osm", ".osm.bz2", ".osm.gz", ".osm.pbf", ".graphml", ".npz"]),
)
def test_property_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("net") / f"streets{suffix}"
    path.write_bytes(data)
    assert isinstance(expect_error(read_network, path), NetworkError)


@SETTINGS
@given(cut=st.integers(0, 2000))
def test_property_truncated_xml(tmp_path_factory, cut):
    text = osm_xml().encode()
    path = tmp_path_factory.mktemp("cut") / "streets.osm"
    path.write_bytes(text[: min(cut, len(text) - 10)])
    assert isinstance(expect_error(read_network, path), NetworkError)


CACHE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="57.7000" lon="11.9700" version="1"/>
  <node id="2" lat="57.7000" lon="11.9750" version="1"/>
  <node id="3" lat="57.7030" lon="11.9750" version="1"/>
  <node id="4" lat="57.7030" lon="11.9700" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/></way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="footway"/></way>
</osm>
"""


def _reader(calls):
    def read(path, *, crs):
        calls.append(path)
        g = ox.graph_from_xml(path, simplify=False, retain_all=True)
        return ox.project_graph(g, to_crs=crs)

    return read


def test_cache_reused_and_invalidated(tmp_path):
    osm = tmp_path / "streets.osm"
    osm.write_text(CACHE_XML, encoding="utf-8")
    cache = tmp_path / "cache"
    calls: list = []
    first = load_network(osm, cache_dir=cache, reader=_reader(calls))
    assert len(calls) == 1 and len(list(cache.glob("*.npz"))) == 1
    second = load_network(osm, cache_dir=cache, reader=_reader(calls))
    assert len(calls) == 1  # read from the cache, not rebuilt
    assert (second.graph != first.graph).nnz == 0
    np.testing.assert_array_equal(second.node_ids, first.node_ids)
    np.testing.assert_allclose(second.coords, first.coords)
    assert second.crs == first.crs
    osm.write_text(CACHE_XML.replace('lon="11.9700"', 'lon="11.9690"'), encoding="utf-8")
    third = load_network(osm, cache_dir=cache, reader=_reader(calls))
    assert len(calls) == 2  # content changed: rebuilt
    assert not np.allclose(third.x, first.x)
    assert len(list(cache.glob("*.npz"))) == 2
