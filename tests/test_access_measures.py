"""Access measures against hand-computed cases: 2SFCA, E2SFCA, gravity, counts, k nearest."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from geoseg.access import (
    at_nodes,
    build_network,
    count_within,
    decay,
    e2sfca,
    fca2,
    gravity,
    k_nearest,
    nearest,
    reach,
    snap_points,
)
from geoseg.access.isochrones import isochrones
from geoseg.errors import DataError

# 6 km/h is 100 metres a minute: distances below read directly as minutes x 100.
SPEED = 6.0


def _line(n: int = 5, step: float = 500.0) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs="EPSG:3006")
    for i in range(n):
        g.add_node(i, x=step * i, y=0.0)
    for i in range(n - 1):
        g.add_edge(i, i + 1, length=step)
        g.add_edge(i + 1, i, length=step)
    return g


@pytest.fixture
def line_case():
    """Residents at x = 0, 500, 1000, 1500, 2000 m; S1 at 0 (capacity 10), S2 at 2000 (30)."""
    net = build_network(_line())
    services = at_nodes(net, [0, 4], index=["S1", "S2"])
    residents = at_nodes(net)
    demand = np.array([100.0, 200.0, 300.0, 400.0, 500.0])
    capacity = np.array([10.0, 30.0])
    table = reach(net, services, residents, minutes=10.0, speed_kmh=SPEED)
    return net, services, residents, demand, capacity, table


def test_2sfca_hand_computed(line_case):
    _, _, _, demand, capacity, table = line_case
    # Step 1, catchment 10 min = 1000 m:
    #   S1 reaches x=0, 500, 1000: demand 100 + 200 + 300 = 600   -> R1 = 10 / 600 = 1/60
    #   S2 reaches x=1000, 1500, 2000: 300 + 400 + 500 = 1200      -> R2 = 30 / 1200 = 1/40
    # Step 2: x=0 and 500 reach S1 only, x=1000 both, x=1500 and 2000 S2 only.
    expect = [1 / 60, 1 / 60, 1 / 60 + 1 / 40, 1 / 40, 1 / 40]
    got = fca2(table, capacity=capacity, demand=demand, minutes=10.0)
    np.testing.assert_allclose(got, expect, rtol=1e-12)
    # 5 min catchment: S1 serves x=0 and 500 (300 people), S2 x=1500 and 2000 (900)
    got5 = fca2(table, capacity=capacity, demand=demand, minutes=5.0)
    np.testing.assert_allclose(got5, [10 / 300, 10 / 300, 0, 30 / 900, 30 / 900], rtol=1e-12)


def test_e2sfca_hand_computed(line_case):
    _, _, _, demand, capacity, table = line_case
    # zones 0-5 min (weight 1) and 5-10 min (weight 0.5); 500 m = 5 min is in the inner zone.
    #   S1: 100*1 + 200*1 + 300*0.5 = 450   -> R1 = 10/450 = 1/45
    #   S2: 300*0.5 + 400*1 + 500*1 = 1050  -> R2 = 30/1050 = 1/35
    expect = [1 / 45, 1 / 45, 0.5 / 45 + 0.5 / 35, 1 / 35, 1 / 35]
    got = e2sfca(
        table, capacity=capacity, demand=demand, minutes=10.0, zones=[5.0, 10.0], weights=[1, 0.5]
    )
    np.testing.assert_allclose(got, expect, rtol=1e-12)
    # default: three equal zones 0-3.33, 3.33-6.67, 6.67-10 with weights 1, 0.68, 0.22
    #   S1: 100 + 200*0.68 + 300*0.22 = 302 ; S2: 300*0.22 + 400*0.68 + 500 = 838
    r1, r2 = 10 / 302, 30 / 838
    expect3 = [r1, 0.68 * r1, 0.22 * (r1 + r2), 0.68 * r2, r2]
    got3 = e2sfca(table, capacity=capacity, demand=demand, minutes=10.0)
    np.testing.assert_allclose(got3, expect3, rtol=1e-12)


def test_counts_k_nearest_gravity(line_case):
    net, services, residents, _, capacity, table = line_case
    np.testing.assert_array_equal(count_within(table, minutes=10.0), [1, 1, 2, 1, 1])
    np.testing.assert_array_equal(count_within(table, minutes=4.9), [1, 0, 0, 0, 1])
    k2 = k_nearest(table, 2)
    np.testing.assert_allclose(k2[:, 0], [0, 5, 10, 5, 0])
    np.testing.assert_allclose(k2[:, 1], [np.inf, np.inf, 10, np.inf, np.inf])
    g = gravity(table, capacity=capacity, kind="exponential", scale=5.0)
    expect = [10, 10 * np.exp(-1), 10 * np.exp(-2) + 30 * np.exp(-2), 30 * np.exp(-1), 30]
    np.testing.assert_allclose(g, expect, rtol=1e-12)
    np.testing.assert_allclose(decay([0, 10], kind="gaussian", scale=10), [1, np.exp(-0.5)])
    with pytest.raises(DataError):
        count_within(table, minutes=20.0)  # beyond the table's limit
    near = nearest(net, services, residents, speed_kmh=SPEED)
    np.testing.assert_allclose(near["minutes"], [0, 5, 10, 5, 0])
    assert list(near["service"].iloc[[0, 1, 3, 4]]) == ["S1", "S1", "S2", "S2"]
    assert near["service"].iloc[2] in {"S1", "S2"}  # a tie


def test_snap_distance_counts_in_time():
    net = build_network(_line())
    svc = snap_points(net, gpd.GeoSeries([shapely.Point(250, 100)], crs="EPSG:3006"))
    res = snap_points(net, gpd.GeoSeries([shapely.Point(1800, -50)], crs="EPSG:3006"))
    out = nearest(net, svc, res, speed_kmh=SPEED)
    # 100 m off the street, 1550 m along it, 50 m off again
    assert out["minutes"].iloc[0] == pytest.approx(17.0)


def test_isochrone_cuts_streets_at_the_time():
    net = build_network(_line())
    svc = snap_points(net, gpd.GeoSeries([shapely.Point(1000, 0)], crs="EPSG:3006"))
    iso = isochrones(net, svc, minutes=[3, 5], speed_kmh=SPEED, buffer_m=10.0)
    assert list(iso["minutes"]) == [3.0, 5.0]
    three = iso.geometry.iloc[0]
    # 300 m each way along the street, plus a 10 m band
    assert three.bounds == pytest.approx((690.0, -10.0, 1310.0, 10.0))
    assert iso.geometry.iloc[1].area > three.area


def test_kind_isochrones_on_a_line_hand_computed():
    from geoseg.access.isochrones import kind_isochrones

    net = build_network(_line())
    pts = gpd.GeoSeries([shapely.Point(1000, 30), shapely.Point(0, 0)], crs="EPSG:3006")
    svc = snap_points(net, pts)
    iso = kind_isochrones(
        net, svc, ["library", "school"], minutes=[3, 5], speed_kmh=SPEED, buffer_m=50.0, cell_m=5.0
    )
    assert list(zip(iso["kind"], iso["minutes"], iso["services"], strict=True)) == [
        ("library", 3.0, 1),
        ("library", 5.0, 1),
        ("school", 3.0, 1),
        ("school", 5.0, 1),
    ]
    # library: 30 m walk to the street, then 270 m (3 min) or 470 m (5 min) each way, + 50 m
    x0, y0, x1, y1 = iso.geometry.iloc[0].bounds
    assert x0 == pytest.approx(1000 - 270 - 50, abs=5.0) and x1 == pytest.approx(1320, abs=5.0)
    assert y0 == pytest.approx(-50, abs=5.0) and y1 == pytest.approx(50, abs=5.0)
    # school at the line's end: only one direction
    x0, _, x1, _ = iso.geometry.iloc[3].bounds
    assert x0 == pytest.approx(-50, abs=5.0) and x1 == pytest.approx(550, abs=5.0)


def test_kind_isochrones_equal_the_union_of_exact_isochrones():
    """On a street grid, against the exact (shapely) per-service isochrones, unioned."""
    from geoseg.access.isochrones import kind_isochrones

    g = nx.MultiDiGraph(crs="EPSG:3006")
    rng = np.random.default_rng(4)
    side, step = 12, 120.0
    for i in range(side):
        for j in range(side):
            g.add_node(i * side + j, x=step * i + rng.normal(0, 10), y=step * j + rng.normal(0, 10))
    for i in range(side):
        for j in range(side):
            a = i * side + j
            for b in ([a + side] if i + 1 < side else []) + ([a + 1] if j + 1 < side else []):
                if rng.random() < 0.15:
                    continue
                d = float(
                    np.hypot(g.nodes[a]["x"] - g.nodes[b]["x"], g.nodes[a]["y"] - g.nodes[b]["y"])
                )
                g.add_edge(a, b, length=d)
                g.add_edge(b, a, length=d)
    net = build_network(g)
    xy = rng.uniform(100, 1200, size=(6, 2))
    svc = snap_points(net, gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:3006"))
    kinds = np.array(["a", "a", "a", "b", "b", "b"])
    fast = kind_isochrones(
        net, svc, kinds, minutes=[4, 8], speed_kmh=SPEED, buffer_m=40.0, cell_m=5.0
    )
    exact = isochrones(net, svc, minutes=[4, 8], speed_kmh=SPEED, buffer_m=40.0)
    exact["kind"] = kinds[exact["service"].to_numpy()]
    for (kind, m), part in exact.groupby(["kind", "minutes"]):
        want = shapely.union_all(part.geometry.to_numpy())
        got = fast[(fast["kind"] == kind) & (fast["minutes"] == m)].geometry.iloc[0]
        assert got.is_valid
        # equal up to the raster: within about one cell everywhere
        assert shapely.hausdorff_distance(got, want) < 2 * 5.0 * np.sqrt(2)
        assert got.symmetric_difference(want).area < 0.05 * want.area
