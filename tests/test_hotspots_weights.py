"""Spatial weights: libpysal as the oracle, the island rule on real and synthetic areas."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pytest
from libpysal.graph import Graph
from scipy.sparse.csgraph import connected_components
from shapely.geometry import Point, box

from geoseg.errors import CRSError, InputError
from geoseg.hotspots import build_weights, parse_weights_spec


def _grid_with_islands() -> gpd.GeoDataFrame:
    """A 3 x 3 grid of 100 m squares plus two islands east of it at known distances."""
    cells = [
        box(x * 100, y * 100, x * 100 + 100, y * 100 + 100) for y in range(3) for x in range(3)
    ]
    codes = [f"0{i}" for i in range(9)]
    # island A: 50 m east of the grid's middle-right cell; island B: 400 m east of the top row
    cells += [box(350, 120, 380, 180), box(700, 220, 720, 280)]
    codes += ["IA", "IB"]
    return gpd.GeoDataFrame({"code": codes}, geometry=cells, crs="EPSG:3006").set_index("code")


def _dense(w) -> np.ndarray:
    return w.sparse.toarray()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("queen", ("queen", None)),
        ("ROOK", ("rook", None)),
        ("knn:6", ("knn", 6.0)),
        ("distance:1500", ("distance", 1500.0)),
        ("kernel:2500.5", ("kernel", 2500.5)),
    ],
)
def test_parse_weights_spec_accepts_documented_forms(spec, expected):
    assert parse_weights_spec(spec) == expected


@pytest.mark.parametrize("spec", ["hexagon", "knn", "knn:0", "knn:2.5", "distance:-3", "queen:2"])
def test_parse_weights_spec_rejects_bad_forms_with_usage(spec):
    with pytest.raises(InputError, match="knn:K"):
        parse_weights_spec(spec)


@pytest.mark.real
@pytest.mark.parametrize("rook", [False, True])
def test_contiguity_equals_libpysal_on_regso(real_data, rook):
    areas = gpd.read_file(real_data / "gbg_omraden" / "regso_goteborg.gpkg").set_index("regsokod")
    w = build_weights(areas, "rook" if rook else "queen")
    oracle = Graph.build_contiguity(areas.geometry, rook=rook).transform("r")
    assert list(w.ids) == list(areas.index)
    assert list(oracle.unique_ids) == list(areas.index)
    np.testing.assert_allclose(_dense(w), oracle.sparse.toarray(), atol=1e-15)
    assert w.islands == ()
    assert len(w.added_links) == 0
    assert w.n_components == 1


@pytest.mark.real
def test_river_splits_landclipped_regso_into_two_reported_parts(real_data, caplog):
    path = real_data / "gbg_omraden" / "regso_goteborg_landclipped.gpkg"
    areas = gpd.read_file(path).set_index("regsokod")
    with caplog.at_level(logging.WARNING, logger="geoseg.hotspots.weights"):
        w = build_weights(areas, "queen")
    oracle = Graph.build_contiguity(areas.geometry, rook=False)
    n_parts, labels = connected_components(oracle.sparse, directed=False)
    assert w.n_components == n_parts == 2
    assert sorted(w.component.value_counts().tolist()) == sorted(np.bincount(labels).tolist())
    assert "2 disconnected parts" in caplog.text
    # kept as they are by default: same links as libpysal
    np.testing.assert_allclose(_dense(w), oracle.transform("r").sparse.toarray(), atol=1e-15)

    joined = build_weights(areas, "queen", connect_components=True)
    assert joined.n_components == 1
    assert list(joined.added_links["reason"]) == ["component"]
    a, b = joined.added_links.loc[0, ["focal", "neighbor"]]
    assert w.component[a] != w.component[b]
    # the added link is the closest pair across the river
    geoms = areas.geometry
    side = w.component[a]
    inside, outside = geoms[w.component == side], geoms[w.component != side]
    closest = min(g.distance(h) for g in inside for h in outside)
    assert joined.added_links.loc[0, "distance"] == pytest.approx(closest)


@pytest.mark.real
def test_deso_islands_are_joined_and_named(real_data, caplog):
    path = real_data / "gbg_omraden" / "deso_goteborg_landclipped.gpkg"
    areas = gpd.read_file(path).set_index("desokod")
    isolates = set(Graph.build_contiguity(areas.geometry, rook=False).isolates)
    assert len(isolates) == 2  # the data has two island DeSO
    with caplog.at_level(logging.WARNING, logger="geoseg.hotspots.weights"):
        w = build_weights(areas, "queen", island_neighbors=2)
    assert set(w.islands) == isolates
    for code in isolates:
        assert code in caplog.text
        row = w.graph.adjacency.loc[code]
        assert len(row) >= 2  # two nearest areas (or other islands joining it)
        assert row.sum() == pytest.approx(1.0)
    assert len(w.ids) == len(areas)  # nothing dropped
    assert (w.graph.cardinalities > 0).all()


def test_island_rule_joins_k_nearest_by_boundary_distance_symmetrically(caplog):
    areas = _grid_with_islands()
    with caplog.at_level(logging.WARNING, logger="geoseg.hotspots.weights"):
        w = build_weights(areas, "queen", island_neighbors=1)
    assert w.islands == ("IA", "IB")
    assert "IA, IB" in caplog.text
    links = {(r.focal, r.neighbor): r.distance for r in w.added_links.itertuples()}
    # IA (x 350-380, y 120-180) is 50 m from cell 05 (x 200-300, y 100-200)
    assert links[("IA", "05")] == pytest.approx(50.0)
    # IB (x 700-720, y 220-280) is nearest to IA: dx 320, dy 40
    assert links[("IB", "IA")] == pytest.approx(np.hypot(320, 40))
    dense = _dense(w)
    ids = list(w.ids)
    ia, ib, c5 = ids.index("IA"), ids.index("IB"), ids.index("05")
    # IA: its own nearest (05) plus IB, which was joined to it; row-standardised
    assert set(w.graph.adjacency.loc["IA"].index) == {"05", "IB"}
    assert dense[ia, c5] == 0.5
    assert dense[c5, ia] > 0  # symmetric: the mainland cell counts the island too
    assert dense[ib, ia] == 1.0
    np.testing.assert_allclose(dense.sum(axis=1), 1.0)
    assert w.n_components == 1


def test_island_rule_with_two_neighbours_and_distance_band():
    areas = _grid_with_islands()
    w = build_weights(areas, "queen", island_neighbors=2)
    ia_links = w.added_links[w.added_links["focal"] == "IA"]
    d = np.sort(areas.geometry.distance(areas.geometry["IA"]).drop("IA").to_numpy())[:2]
    np.testing.assert_allclose(np.sort(ia_links["distance"].to_numpy()), d)

    band = build_weights(areas, "distance:110")  # cells 100 m apart; IA is 115 m from 05
    assert set(band.islands) == {"IA", "IB"}
    oracle = Graph.build_distance_band(areas.centroid, 110).transform("r")
    mainland = [c for c in areas.index if c.startswith("0")]
    sub = band.graph.adjacency.loc[mainland]
    sub = sub[sub.index.get_level_values("neighbor").isin(mainland)]
    ref = oracle.adjacency.loc[mainland]
    assert set(sub.index) == set(ref.index[ref > 0])


@pytest.mark.real
def test_knn_and_kernel_equal_libpysal(real_data):
    areas = gpd.read_file(real_data / "gbg_omraden" / "regso_goteborg.gpkg").set_index("regsokod")
    w = build_weights(areas, "knn:5")
    oracle = Graph.build_knn(areas.centroid, k=5).transform("r")
    np.testing.assert_allclose(_dense(w), oracle.sparse.toarray(), atol=1e-15)
    kernel = build_weights(areas, "kernel:5000")
    ref = Graph.build_kernel(areas.centroid, kernel="gaussian", bandwidth=5000).transform("r")
    if len(ref.isolates) == 0:
        np.testing.assert_allclose(_dense(kernel), ref.sparse.toarray(), atol=1e-12)
    np.testing.assert_allclose(_dense(kernel).sum(axis=1), 1.0)


def test_distance_weights_refuse_geographic_crs_and_contiguity_needs_polygons():
    areas = _grid_with_islands()
    geographic = areas.set_crs("EPSG:4326", allow_override=True)
    for spec in ("knn:2", "distance:100", "kernel:100"):
        with pytest.raises(CRSError, match="geographic"):
            build_weights(geographic, spec)
    with pytest.raises(CRSError, match="IA, IB"):  # islands need metric distances
        build_weights(geographic, "queen")
    with pytest.raises(CRSError, match="no CRS"):
        build_weights(areas.set_crs(None, allow_override=True), "queen")
    points = gpd.GeoDataFrame(
        {"code": ["a", "b", "c"]},
        geometry=[Point(0, 0), Point(1, 0), Point(0, 1)],
        crs="EPSG:3006",
    ).set_index("code")
    with pytest.raises(InputError, match="polygons"):
        build_weights(points, "queen")


def test_duplicate_and_empty_areas_reported_together():
    areas = _grid_with_islands().reset_index()
    areas.loc[1, "code"] = "00"
    areas.loc[3, "geometry"] = None
    areas = areas.set_index("code")
    with pytest.raises(InputError) as err:
        build_weights(areas, "queen")
    assert "duplicate area codes 00" in str(err.value)
    assert "03 have no geometry" in str(err.value)


def test_input_is_not_modified():
    areas = _grid_with_islands()
    before = areas.copy()
    build_weights(areas, "queen", connect_components=True)
    assert areas.equals(before)
