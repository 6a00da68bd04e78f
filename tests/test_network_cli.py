"""``geoseg network`` (convert and clip) and the network lines of ``geoseg validate``."""

from __future__ import annotations

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import shapely
from _osm import write_osm
from click.testing import CliRunner
from scipy.sparse.csgraph import connected_components

from geoseg.cli import main
from geoseg.example import generate_city
from geoseg.io import read_boundaries, read_network


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generate_city(out, areas=12, seed=7)
    return out


@pytest.fixture
def runner():
    return CliRunner()


def test_convert_and_clip_to_arrays(city, tmp_path, runner):
    pbf = city / "network/example_streets.osm.pbf"
    areas = tmp_path / "three_areas.gpkg"
    whole = read_boundaries(city / "boundaries/example_areas.gpkg", id_column="code")
    whole.iloc[:3].to_file(areas, index=False)
    out = tmp_path / "clipped.npz"
    args = ["network", str(pbf), "--clip-to", str(areas), "--buffer", "300", "-o", str(out)]
    res = runner.invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "clipped to" in res.output and f"wrote {out}" in res.output
    saved = read_network(out)
    polys = read_boundaries(areas, id_column="code")
    direct = read_network(pbf, clip=polys, buffer_m=300.0)
    np.testing.assert_array_equal(saved.node_ids, direct.node_ids)
    np.testing.assert_array_equal(saved.edge_length, direct.edge_length)
    assert saved.info["clipped"] and saved.info["buffer_m"] == 300.0
    band = polys.geometry.union_all().buffer(300.0)
    assert shapely.contains_xy(band, saved.x, saved.y).all()
    # never replaced without --overwrite; replaced with it
    res = runner.invoke(main, args)
    assert res.exit_code == 2 and "--overwrite" in res.output
    res = runner.invoke(main, [*args, "--buffer", "100", "--overwrite"])
    assert res.exit_code == 0, res.output
    assert read_network(out).n_nodes < saved.n_nodes < read_network(pbf).n_nodes


def test_convert_to_graphml_for_osmnx(city, tmp_path, runner):
    pbf = city / "network/example_streets.osm.pbf"
    out = tmp_path / "streets.graphml"
    res = runner.invoke(main, ["network", str(pbf), "-o", str(out)])
    assert res.exit_code == 0, res.output
    net = read_network(pbf)
    G = ox.load_graphml(out)
    assert G.number_of_nodes() == net.n_nodes and G.number_of_edges() == 2 * net.n_edges
    U = nx.Graph(G)
    a, b = int(net.node_ids[0]), int(net.node_ids[-1])
    from scipy.sparse.csgraph import dijkstra

    i, j = net.node_index([a, b])
    want = dijkstra(net.graph, indices=i)[j]
    if np.isfinite(want):
        assert nx.shortest_path_length(U, a, b, weight="length") == pytest.approx(want)


def test_refuses_to_write_over_its_input(city, tmp_path, runner):
    copy = tmp_path / "streets.npz"
    res = runner.invoke(
        main, ["network", str(city / "network/example_streets.osm.pbf"), "-o", str(copy)]
    )
    assert res.exit_code == 0
    res = runner.invoke(main, ["network", str(copy), "-o", str(copy), "--overwrite"])
    assert res.exit_code == 2 and "input" in res.output


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"not an OSM file at all\n", "streets.osm.pbf", "not a readable OpenStreetMap file"),
        (b"<html><body>404</body></html>", "streets.osm", "not a readable OpenStreetMap file"),
        (None, "cut.osm.pbf", "truncated"),
        ("motorway", "motorway.osm", "has no walk ways"),
    ],
)
def test_bad_input_exits_2_with_the_file_and_fix(city, tmp_path, runner, content, name, expected):
    path = tmp_path / name
    if content is None:
        data = (city / "network/example_streets.osm.pbf").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content == "motorway":
        write_osm(
            path, {1: (57.7, 11.95), 2: (57.7, 11.96)}, [(5, [1, 2], {"highway": "motorway"})]
        )
    else:
        path.write_bytes(content)
    res = runner.invoke(main, ["network", str(path), "-o", str(tmp_path / "out.npz")])
    assert res.exit_code == 2, res.output
    assert str(path) in res.output and expected in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out.npz").exists()


def test_network_elsewhere_exits_2(city, tmp_path, runner):
    far = tmp_path / "far.gpkg"
    import geopandas as gpd

    gpd.GeoDataFrame(
        geometry=[shapely.box(600_000, 7_500_000, 610_000, 7_510_000)], crs=3006
    ).to_file(far)
    res = runner.invoke(
        main,
        [
            "network",
            str(city / "network/example_streets.osm.pbf"),
            "--clip-to",
            str(far),
            "-o",
            str(tmp_path / "o.npz"),
        ],
    )
    assert res.exit_code == 2 and "none of its streets lies within" in res.output


def test_validate_reports_the_network(city, tmp_path, runner, monkeypatch):
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    res = runner.invoke(main, ["validate", str(city / "geoseg.toml")])
    assert res.exit_code == 0, res.output
    net = read_network(
        city / "network/example_streets.osm.pbf",
        clip=read_boundaries(city / "boundaries/example_areas.gpkg", id_column="code"),
        buffer_m=1200.0,
    )
    parts = connected_components(net.graph, directed=False)[0]
    assert f"street network: {net.n_nodes} nodes, {net.n_edges} edges" in res.output
    assert f"street network: {parts} connected part" in res.output
    assert "clipped to the areas plus 1200 m" in res.output
    assert "services lie within 500 m of a street" in res.output
    assert "population grid cells lie within 500 m of a street" in res.output


def test_run_times_the_isochrones_as_a_stage(city, tmp_path):
    from geoseg.pipeline import run_project

    res = run_project(
        city / "geoseg.toml",
        output=tmp_path / "out",
        stages=("access",),
        cache_dir=tmp_path / "cache",
    )
    assert list(res.timings) == ["load", "access", "isochrones", "write"]
    iso = res.isochrones
    kinds = sorted(set(res.access["kind"]))
    assert sorted(set(iso["kind"])) == kinds and sorted(set(iso["minutes"])) == [5.0, 10.0, 15.0]
    for _, rows in iso.groupby("kind"):
        areas = rows.sort_values("minutes").geometry.area.to_numpy()
        assert (np.diff(areas) > 0).all()  # nested: more time, more area


def test_validate_reports_cut_ways_and_far_services(city, tmp_path, runner, monkeypatch):
    """A cut extract: the ways running out of it and the services left far from any street."""
    import osmium
    import pandas as pd
    from _osm import osmnx_graph

    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    G = ox.project_graph(osmnx_graph(city / "network/example_streets.osm.bz2"), to_crs=3006)
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    west = np.quantile(xs, 0.5)
    inside = {n for n, d in G.nodes(data=True) if d["x"] >= west}
    cut = tmp_path / "cut.osm.pbf"
    with osmium.SimpleWriter(str(cut)) as writer:
        for obj in osmium.FileProcessor(str(city / "network/example_streets.osm.pbf")):
            if obj.is_node() and obj.id not in inside:
                continue
            writer.add(obj)
    ways_cut = sum(
        1
        for w in osmium.FileProcessor(str(cut), osmium.osm.WAY)
        if 0 < sum(n.ref in inside for n in w.nodes) < len(w.nodes)
    )
    text = (city / "geoseg.toml").read_text(encoding="utf-8")
    text = text.replace('path = "network/example_streets.osm.pbf"', f'path = "{cut}"')
    for folder in ("boundaries", "registers", "services", "population"):
        text = text.replace(f'"{folder}/', f'"{city / folder}/')
    project = tmp_path / "geoseg.toml"
    project.write_text(text, encoding="utf-8")
    # oracle of the far services: distance to the streets both of whose ends are in the cut
    lines = [
        d.get("geometry")
        or shapely.LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
        for u, v, d in G.edges(data=True)
        if u in inside and v in inside and u != v
    ]
    streets = shapely.union_all(lines)
    svc = pd.read_csv(city / "services/example_services.csv", sep=";")
    far = sum(
        streets.distance(shapely.Point(x, y)) > 500 for x, y in zip(svc["x"], svc["y"], strict=True)
    )
    assert far > 0 and ways_cut > 0
    res = runner.invoke(main, ["validate", str(project)])
    assert res.exit_code == 0, res.output
    assert f"{ways_cut} of " in res.output and "ways run out of the extract" in res.output
    assert f"services: {far} lie farther than 500 m from every street" in res.output


@pytest.mark.parametrize(
    ("clip", "expected"),
    [("true", "none of its streets lies within"), ("false", "does not reach the areas")],
)
def test_validate_refuses_a_network_of_another_region(
    city, tmp_path, runner, monkeypatch, clip, expected
):
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    areas = read_boundaries(city / "boundaries/example_areas.gpkg", id_column="code")
    moved = areas.copy()
    moved["geometry"] = areas.geometry.translate(xoff=-150_000, yoff=600_000)  # in Norway's hills
    moved.to_file(tmp_path / "areas.gpkg", layer="areas", index=False)
    text = (city / "geoseg.toml").read_text(encoding="utf-8")
    for folder in ("registers", "services", "population", "network"):
        text = text.replace(f'"{folder}/', f'"{city / folder}/')
    text = text.replace('"boundaries/example_areas.gpkg"', f'"{tmp_path / "areas.gpkg"}"')
    text = text.replace('water = "boundaries/', f'water = "{city / "boundaries"}/')
    text = text.replace("[population]", f"clip = {clip}\n\n[population]")
    project = tmp_path / "geoseg.toml"
    project.write_text(text, encoding="utf-8")
    res = runner.invoke(main, ["validate", str(project)])
    assert res.exit_code == 2, res.output
    assert "example_streets.osm.pbf" in res.output and expected in res.output
    assert "Use an extract of the region around the areas" in res.output
