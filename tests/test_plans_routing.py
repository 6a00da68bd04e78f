"""Plan checks on a small street grid against NetworkX on an independently edited graph.

A plan that closes a street, splits two streets with a new path, closes a library, opens a
meeting place and builds housing is checked through the public functions; the walking times
before and after must equal NetworkX's shortest paths on a copy of the grid edited by hand.
"""

from __future__ import annotations

import types

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from _fixtures import write_features

from geoseg.plans import check_plan, compute_baseline, read_plan

CRS = "EPSG:3006"
X0, Y0 = 300_000.0, 6_400_000.0
SIDE = 6
SPEED = 4.8
#: Resident points: grid nodes, and one spot on the street from node 0 to node 6.
RESIDENT_NODES = [7, 14, 15, 22, 28, 33]
ON_STREET = (20.0, 0.0)
#: The new path: from the street 0-6 at x = 30 to the street 34-35 at y = 470.
PATH = ((30.0, 0.0), (500.0, 470.0))
#: Services before the plan: kind, id, node.
SERVICES = [
    ("library", "L1", 35),
    ("library", "L2", 5),
    ("meeting_place", "M1", 30),
    ("meeting_place", "M2", 12),
]


def _xy(node: int) -> tuple[float, float]:
    return 100.0 * (node // SIDE), 100.0 * (node % SIDE)


def _grid() -> nx.MultiDiGraph:
    rng = np.random.default_rng(3)
    g = nx.MultiDiGraph(crs=CRS)
    for a in range(SIDE * SIDE):
        x, y = _xy(a)
        g.add_node(a, x=X0 + x, y=Y0 + y)
    for i in range(SIDE):
        for j in range(SIDE):
            a = i * SIDE + j
            for b in ([a + SIDE] if i + 1 < SIDE else []) + ([a + 1] if j + 1 < SIDE else []):
                length = 100.0 * rng.uniform(1.0, 1.2)  # longer than drawn: offsets scale
                g.add_edge(a, b, length=length)
                g.add_edge(b, a, length=length)
    return g


def _square(x: float, y: float, half: float = 10.0) -> shapely.Polygon:
    return shapely.box(X0 + x - half, Y0 + y - half, X0 + x + half, Y0 + y + half)


def _project(g: nx.MultiDiGraph) -> types.SimpleNamespace:
    spots = [_xy(n) for n in RESIDENT_NODES] + [ON_STREET]
    codes = [f"A{k}" for k in range(len(spots))]
    spots.append(_xy(21))  # an area without residents where the housing goes
    codes.append("H")
    areas = gpd.GeoDataFrame(
        geometry=[_square(x, y) for x, y in spots],
        index=pd.Index(codes, name="code"),
        crs=CRS,
    )
    people = np.array([100.0 * (k + 1) for k in range(len(codes) - 1)] + [0.0])
    register = pd.DataFrame(
        {
            "code": codes,
            "year": 2024,
            "pop_total": people,
            "low_economic_standard": np.floor(people * np.linspace(0.05, 0.4, len(codes))),
        }
    )
    services = gpd.GeoDataFrame(
        {
            "kind": [k for k, _, _ in SERVICES],
            "name": [s for _, s, _ in SERVICES],
            "capacity": 1.0,
        },
        geometry=[shapely.Point(X0 + _xy(n)[0], Y0 + _xy(n)[1]) for _, _, n in SERVICES],
        index=pd.Index([s for _, s, _ in SERVICES], name="service_id"),
        crs=CRS,
    )
    return types.SimpleNamespace(areas=areas, register=register, services=services, network=g)


def _plan_rows() -> list[dict]:
    a, b = ((X0 + x, Y0 + y) for x, y in PATH)
    return [
        # closes the street between nodes 13 (200, 100) and 14 (200, 200)
        {"action": "close_path", "geometry": shapely.Point(X0 + 200, Y0 + 150).buffer(10)},
        {"action": "add_path", "name": "bridge", "geometry": shapely.LineString([a, b])},
        {"action": "remove_service", "service_id": "L2", "geometry": None},
        {
            "action": "add_service",
            "kind": "meeting_place",
            "capacity": 1.0,
            "name": "new",
            "geometry": shapely.Point(X0 + _xy(3)[0], Y0 + _xy(3)[1]),
        },
        {"action": "add_housing", "residents": 250.0, "geometry": _square(*_xy(21), half=15.0)},
    ]


def _oracle(g: nx.MultiDiGraph, *, edited: bool) -> nx.Graph:
    """The grid as an undirected NetworkX graph with the street resident as node "r"; with
    ``edited``, the plan's edits made by hand."""
    h = nx.Graph()
    for u, v, d in g.edges(data=True):
        h.add_edge(u, v, weight=d["length"])
    first = h[0][6]["weight"]  # the street the resident and one path end are on
    h.remove_edge(0, 6)
    if not edited:
        h.add_edge(0, "r", weight=0.2 * first)
        h.add_edge("r", 6, weight=0.8 * first)
        return h
    h.remove_edge(13, 14)
    h.add_edge(0, "r", weight=0.2 * first)
    h.add_edge("r", "k1", weight=0.1 * first)  # the path's first end splits 0-6 at x = 30
    h.add_edge("k1", 6, weight=0.7 * first)
    second = h[34][35]["weight"]  # 34 at (500, 400), 35 at (500, 500): the end at y = 470
    h.remove_edge(34, 35)
    h.add_edge(34, "k2", weight=0.7 * second)
    h.add_edge("k2", 35, weight=0.3 * second)
    (ax, ay), (bx, by) = PATH
    h.add_edge("k1", "k2", weight=float(np.hypot(bx - ax, by - ay)))
    return h


def _node_of(point: shapely.Point) -> object:
    x, y = round(point.x - X0, 6), round(point.y - Y0, 6)
    if (x, y) == ON_STREET:
        return "r"
    i, j = divmod(x, 100.0), divmod(y, 100.0)
    assert i[1] == 0 and j[1] == 0, (x, y)
    return int(i[0]) * SIDE + int(j[0])


def _expected(h: nx.Graph, sources: list[int], points: gpd.GeoSeries) -> np.ndarray:
    dist = nx.multi_source_dijkstra_path_length(h, set(sources), weight="weight")
    metres = np.array([dist.get(_node_of(p), np.inf) for p in points])
    return metres / (SPEED / 3.6) / 60.0


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    g = _grid()
    baseline = compute_baseline(_project(g), speed_kmh=SPEED)
    path = write_features(tmp_path_factory.mktemp("plan") / "plan.gpkg", _plan_rows())
    plan = read_plan(path, baseline=baseline)
    return g, baseline, check_plan(baseline, plan)


def test_times_before_the_plan_equal_networkx(checked):
    g, baseline, _ = checked
    h = _oracle(g, edited=False)
    points = baseline.residents.geometry
    assert len(points) == len(RESIDENT_NODES) + 2  # the housing area has a (weightless) point
    for kind, nodes in (("library", [35, 5]), ("meeting_place", [30, 12])):
        want = _expected(h, nodes, points)
        np.testing.assert_allclose(baseline.minutes_before(kind), want, rtol=0, atol=1e-9)


def test_times_after_the_plan_equal_networkx_on_the_grid_edited_by_hand(checked):
    g, baseline, result = checked
    h = _oracle(g, edited=True)
    people = result.state.people
    assert len(people) == len(baseline.residents) + 1  # the new housing
    new_home = people.geometry.iloc[-1]
    assert _node_of(new_home) == 21 and people["pop_total"].iloc[-1] == 250.0
    for kind, nodes in (("library", [35]), ("meeting_place", [30, 12, 3])):
        want = _expected(h, nodes, people.geometry)
        np.testing.assert_allclose(result.minutes_after[kind], want, rtol=0, atol=1e-9)
    # the plan really changed the walks: a library closed, a meeting place opened
    n = len(baseline.residents)
    library = result.minutes_after["library"][:n] - baseline.minutes_before("library")
    meeting = result.minutes_after["meeting_place"][:n] - baseline.minutes_before("meeting_place")
    assert library.max() > 1.0 and meeting.min() < -1.0
    # without the new path, the street resident would walk farther to the remaining library
    h.remove_edge("k1", "k2")
    detour = _expected(h, [35], people.geometry)[len(RESIDENT_NODES)]
    assert result.minutes_after["library"][len(RESIDENT_NODES)] < detour - 1.0
    assert result.summary["closed_streets"] == 1 and result.summary["new_paths"] == 1


def test_area_table_of_the_check_follows_the_minutes(checked):
    _, baseline, result = checked
    people = result.state.people
    table = result.areas.set_index(["id", "kind"])
    for kind in ("library", "meeting_place"):
        after = result.minutes_after[kind]
        for code in baseline.areas.index:
            rows = np.flatnonzero(people["area"].astype(str).to_numpy() == code)
            if not len(rows):
                continue
            w = people["pop_total"].to_numpy(dtype=float)[rows]
            expect = float(np.average(after[rows], weights=w))
            assert table.loc[(code, kind), "after_minutes"] == pytest.approx(expect, rel=1e-12)
