"""Resident points, per-area summaries and the whole access stage on a tiny project."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from geoseg.access.pipeline import JSON_KEYS, access_for_project
from geoseg.access.residents import (
    residents_from_buildings,
    residents_from_centroids,
    residents_from_grid,
)
from geoseg.access.summary import area_summary

CRS = "EPSG:3006"


def _areas() -> gpd.GeoDataFrame:
    codes = ["01", "02", "03"]
    geoms = [shapely.box(1000 * i, 0, 1000 * (i + 1), 1000) for i in range(3)]
    return gpd.GeoDataFrame(
        {"code": codes}, geometry=geoms, crs=CRS, index=pd.Index(codes, name="code")
    )


def _counts() -> pd.DataFrame:
    return pd.DataFrame(
        {"pop_total": [1000.0, 600.0, 90.0], "age_0_5": [100.0, 30.0, 9.0]},
        index=pd.Index(["01", "02", "03"]),
    )


def _grid() -> gpd.GeoDataFrame:
    xs, ys = np.meshgrid(np.arange(50, 2000, 100.0), np.arange(50, 1000, 100.0))
    pop = np.where(xs < 1000, 2.0, 1.0) * (ys < 500)  # nobody in the northern half
    return gpd.GeoDataFrame(
        {"population": pop.ravel()}, geometry=gpd.points_from_xy(xs.ravel(), ys.ravel()), crs=CRS
    )


def test_grid_residents_add_up_and_fall_back_to_centroids(caplog):
    with caplog.at_level("WARNING", logger="geoseg.access"):
        people = residents_from_grid(_grid(), _areas(), _counts())
    assert "03" in caplog.text
    sums = people.groupby("area")[["pop_total", "age_0_5"]].sum()
    pd.testing.assert_frame_equal(sums, _counts().rename_axis("area"), check_exact=False)
    assert set(people.loc[people["area"] == "03", "method"]) == {"centroid"}
    assert set(people.loc[people["area"] != "03", "method"]) == {"grid"}
    # 50 populated cells of equal weight in area 01: 20 persons each
    assert np.allclose(people.loc[people["area"] == "01", "pop_total"], 20.0)


def test_building_and_centroid_residents():
    b = gpd.GeoDataFrame(
        {"dwellings": [3.0, 1.0]},
        geometry=[shapely.box(100, 100, 120, 120), shapely.box(500, 500, 540, 540)],
        crs=CRS,
    )
    people = residents_from_buildings(b, _areas(), _counts(), weight="dwellings")
    one = people[people["area"] == "01"]
    np.testing.assert_allclose(one["pop_total"], [750.0, 250.0])
    by_area = residents_from_buildings(b, _areas(), _counts())
    np.testing.assert_allclose(by_area.loc[by_area["area"] == "01", "pop_total"], [200.0, 800.0])
    cent = residents_from_centroids(_areas(), _counts())
    assert list(cent["method"]) == ["centroid"] * 3
    np.testing.assert_allclose(cent["pop_total"], [1000, 600, 90])


def test_area_summary_hand():
    people = pd.DataFrame(
        {"area": ["a", "a", "a", "b"], "pop_total": [10.0, 30.0, 10.0, 5.0]},
        index=["r0", "r1", "r2", "r3"],
    )
    mins = pd.DataFrame({"library": [4.0, 12.0, np.inf, 20.0]}, index=people.index)
    fca = pd.DataFrame({"library": [0.1, 0.2, 0.0, 0.05]}, index=people.index)
    out = area_summary(people, mins, groups=["pop_total"], within=10.0, fca=fca).set_index("id")
    a = out.loc["a"]
    assert a["residents"] == 50
    assert a["mean_minutes"] == pytest.approx((10 * 4 + 30 * 12) / 40)  # over those who reach
    assert a["median_minutes"] == 12.0
    assert a["share_within"] == pytest.approx(10 / 50)
    assert a["share_unreachable"] == pytest.approx(10 / 50)
    assert a["fca_ratio"] == pytest.approx((10 * 0.1 + 30 * 0.2) / 50)
    assert out.loc["b", "mean_minutes"] == 20.0


def _street_grid() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(crs=CRS)
    nx_, ny_ = 31, 11
    for i in range(nx_):
        for j in range(ny_):
            g.add_node(i * ny_ + j, x=100.0 * i, y=100.0 * j)
    for i in range(nx_):
        for j in range(ny_):
            a = i * ny_ + j
            for b in ([a + ny_] if i + 1 < nx_ else []) + ([a + 1] if j + 1 < ny_ else []):
                g.add_edge(a, b, length=100.0)
                g.add_edge(b, a, length=100.0)
    return g


def _project() -> dict:
    reg = pd.DataFrame(
        {
            "area_code": ["01", "02", "03"] * 2,
            "year": [2022] * 3 + [2023] * 3,
            "pop_total": [900.0, 500.0, 80.0, 1000.0, 600.0, 90.0],
            "age_0_5": [90.0, 20.0, 8.0, 100.0, 30.0, 9.0],
            "low_economic_standard": [50.0, 100.0, 40.0, 60.0, 120.0, 45.0],
            "median_income_tkr": [300.0, 250.0, 200.0, 310.0, 255.0, 205.0],
        }
    )
    services = gpd.GeoDataFrame(
        {
            "kind": ["family_centre", "library", "library"],
            "capacity": [40.0, 1.0, np.nan],
        },
        geometry=[shapely.Point(500, 240), shapely.Point(2500, 500), shapely.Point(9000, 500)],
        crs=CRS,
        index=pd.Index(["fc1", "lib1", "lib_far"], name="service_id"),
    )
    return {
        "areas": _areas(),
        "registers": reg,
        "services": services,
        "network": _street_grid(),
        "population": _grid(),
        "config": {"registers": {"id": "area_code", "year": "year", "total": "pop_total"}},
    }


def test_access_for_project_end_to_end():
    res = access_for_project(_project(), minutes=10.0, speed_kmh=6.0)
    assert list(res.rejected.index) == ["lib_far"]
    assert res.rejected.loc["lib_far", "reason"] == "too_far"
    rec = res.records()
    assert list(rec.columns) == JSON_KEYS
    assert set(rec["kind"]) == {"family_centre", "library"}
    # residents per area are the latest year's register
    tot = rec[rec["kind"] == "library"].set_index("id")["residents"]
    np.testing.assert_allclose(tot.loc[["01", "02", "03"]], [1000, 600, 90])
    # area 03 is one centroid point at (2500, 500): the library is on it
    lib03 = rec[(rec["kind"] == "library") & (rec["id"] == "03")].iloc[0]
    assert lib03["mean_minutes"] == pytest.approx(0.0)
    assert lib03["share_within"] == 1.0
    # family-centre demand is age_0_5; its 2SFCA ratio is capacity per child within reach
    fc = res.residents["fca_family_centre"].to_numpy()
    near = res.residents["minutes_family_centre"].to_numpy() <= 10.0
    children = res.residents["age_0_5"].to_numpy()[near].sum()
    assert fc[near] == pytest.approx(np.full(near.sum(), 40.0 / children))
    assert set(res.equity["kind"]) == {"family_centre", "library"}
    assert {"gini", "palma", "concentration_index"} <= set(res.equity.columns)
    groups = set(res.summary["group"])
    assert {"pop_total", "age_0_5"} <= groups


def test_network_given_or_refused_as_a_file(tmp_path):
    from geoseg.access import build_network
    from geoseg.errors import ConfigError

    data = _project()
    graph = data.pop("network")
    given = access_for_project(data, minutes=10.0, speed_kmh=6.0, network=build_network(graph))
    own = access_for_project({**data, "network": graph}, minutes=10.0, speed_kmh=6.0)
    pd.testing.assert_frame_equal(given.summary, own.summary)
    path = tmp_path / "streets.osm.pbf"
    with pytest.raises(ConfigError, match=r"streets\.osm\.pbf is a file; read it first with "):
        access_for_project({**data, "network": path}, minutes=10.0)
    with pytest.raises(ConfigError, match="no street network"):
        access_for_project(data, minutes=10.0)


def _buildings_file(tmp_path, *, weights: bool):
    """Write buildings: equal footprints of weights 1 and 9 in area 01, random ones elsewhere."""
    rng = np.random.default_rng(20240611)
    geoms = [shapely.box(100, 100, 120, 120), shapely.box(600, 600, 620, 620)]
    dwellings = [1.0, 9.0]
    for left in (1000, 2000):
        for _ in range(4):
            x, y = rng.uniform(left + 50, left + 900), rng.uniform(50, 900)
            side = rng.uniform(10, 40)
            geoms.append(shapely.box(x, y, x + side, y + side))
            dwellings.append(float(rng.integers(1, 30)))
    cols = {"dwellings": dwellings} if weights else {}
    path = tmp_path / ("weighted.gpkg" if weights else "plain.gpkg")
    gpd.GeoDataFrame(cols, geometry=geoms, crs=CRS).to_file(path)
    return path


def _buildings_project(tmp_path, *, weights: bool) -> dict:
    from geoseg.io.buildings import read_buildings

    data = _project()
    del data["population"]  # no grid: residents come from the buildings
    path = _buildings_file(tmp_path, weights=weights)
    data["buildings"] = read_buildings(path, weight="dwellings" if weights else None)
    return data


def _in_box(people: gpd.GeoDataFrame, box: shapely.Polygon) -> gpd.GeoDataFrame:
    return people[people.geometry.within(box)]


def test_access_from_buildings_without_grid(tmp_path, caplog):
    data = _buildings_project(tmp_path, weights=True)
    with caplog.at_level("INFO", logger="geoseg.access"):
        res = access_for_project(data, minutes=10.0, speed_kmh=6.0)
    assert "resident points from 10 buildings" in caplog.text
    people = res.residents
    assert len(people) == 10
    assert set(people["method"]) == {"buildings"}
    # every area's resident points add up to the latest year's register
    latest = data["registers"].query("year == 2023").set_index("area_code")
    sums = people.groupby("area")[["pop_total", "age_0_5"]].sum()
    np.testing.assert_allclose(sums.loc[["01", "02", "03"], "pop_total"], latest["pop_total"])
    np.testing.assert_allclose(sums.loc[["01", "02", "03"], "age_0_5"], latest["age_0_5"])
    light = _in_box(people, shapely.box(100, 100, 120, 120))
    heavy = _in_box(people, shapely.box(600, 600, 620, 620))
    assert len(light) == len(heavy) == 1
    # area 01: 1000 persons over weights 1 and 9
    assert light["pop_total"].iloc[0] == pytest.approx(100.0)
    assert heavy["pop_total"].iloc[0] == pytest.approx(900.0)


def test_building_weight_shifts_residents(tmp_path):
    weighted = access_for_project(_buildings_project(tmp_path, weights=True), minutes=10.0)
    plain = access_for_project(_buildings_project(tmp_path, weights=False), minutes=10.0)
    heavy_box = shapely.box(600, 600, 620, 620)
    heavy_w = _in_box(weighted.residents, heavy_box)["pop_total"].iloc[0]
    heavy_p = _in_box(plain.residents, heavy_box)["pop_total"].iloc[0]
    # equal footprints share area 01 equally by area; the dwellings move residents to the heavy
    assert heavy_p == pytest.approx(500.0)
    assert heavy_w == pytest.approx(900.0)
    for res in (weighted, plain):
        totals = res.residents.groupby("area")["pop_total"].sum()
        np.testing.assert_allclose(totals.loc[["01", "02", "03"]], [1000.0, 600.0, 90.0])
