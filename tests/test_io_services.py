"""Tests of geoseg.io.services."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _fixtures import expect_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geoseg.errors import CRSError, ValidationError
from geoseg.io import read_services

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
KINDS = ["family_centre", "meeting_place", "library", "youth_centre"]


def test_csv_semicolon_decimal_comma(tmp_path):
    path = tmp_path / "services.csv"
    text = (
        "service_id;kind;name;capacity;x;y\n"
        "001;library;Stadsbibliotek;;319500,5;6399000\n"
        "002;family_centre;Familjecentral Ö;40;320000;6400000,25\n"
    )
    path.write_bytes(text.encode("utf-8-sig"))
    gdf = read_services(path, kinds=KINDS)
    assert gdf.index.tolist() == ["001", "002"] and gdf.index.name == "service_id"
    assert gdf["service_id"].tolist() == ["001", "002"]
    assert np.isnan(gdf["capacity"].iloc[0]) and gdf["capacity"].iloc[1] == 40.0
    assert gdf.geometry.x.tolist() == [319500.5, 320000.0]
    assert gdf.geometry.y.tolist() == [6399000.0, 6400000.25]
    assert gdf.crs.to_epsg() == 3006
    assert gdf["name"].iloc[1] == "Familjecentral Ö"


def test_csv_in_wgs84_reprojected(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,typ,lon,lat\na,library,11.97,57.70\n")
    gdf = read_services(
        path,
        id_column="id",
        kind_column="typ",
        x_column="lon",
        y_column="lat",
        source_crs="EPSG:4326",
    )
    x, y = Transformer.from_crs(4326, 3006, always_xy=True).transform(11.97, 57.70)
    assert gdf.geometry.x.iloc[0] == pytest.approx(x) and gdf.geometry.y.iloc[0] == pytest.approx(y)
    assert gdf["name"].tolist() == ["a"]  # no name column: the id is used


def test_degrees_in_projected_crs_reported(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("service_id,kind,x,y\na,library,11.97,57.70\n")
    err = expect_error(read_services, path)
    assert "longitude/latitude" in str(err) and "EPSG:4326" in str(err)


def test_problems_at_once(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "service_id;kind;capacity;x;y\n"
        "a;library;-3;1;6400000\n"
        "a;libary;ten;320000;6400000\n"
        ";library;1;;6400000\n"
    )
    err = expect_error(read_services, path, kinds=KINDS)
    assert isinstance(err, ValidationError)
    text = str(err)
    assert "duplicate ids a" in text
    assert "'libary'" in text and "did you mean 'library'" in text
    assert "not a number" in text and "negative" in text
    assert "empty in rows 4" in text
    assert "coordinates" in text


def test_vector_file_points(tmp_path):
    path = tmp_path / "s.gpkg"
    gpd.GeoDataFrame(
        {"sid": [1, 2], "kind": ["library", "youth_centre"], "cap": [3.0, None]},
        geometry=[shapely.Point(320000, 6400000), shapely.MultiPoint([(320100, 6400100)])],
        crs="EPSG:3006",
    ).to_file(path)
    gdf = read_services(path, id_column="sid", capacity_column="cap", kinds=KINDS)
    assert gdf.index.tolist() == ["1", "2"]
    assert (gdf.geom_type == "Point").all()
    assert gdf.geometry.x.tolist() == [320000.0, 320100.0]


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_vector_without_crs_and_polygons(tmp_path):
    path = tmp_path / "s.gpkg"
    gpd.GeoDataFrame(
        {"service_id": ["a"], "kind": ["library"]}, geometry=[shapely.Point(1, 2)]
    ).to_file(path)
    assert isinstance(expect_error(read_services, path), CRSError)
    assert read_services(path, source_crs="EPSG:3006").geometry.x.iloc[0] == 1.0
    poly = tmp_path / "p.gpkg"
    gpd.GeoDataFrame(
        {"service_id": ["a"], "kind": ["library"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3006
    ).to_file(poly)
    assert "not single points" in str(expect_error(read_services, poly))


@st.composite
def service_tables(draw):
    n = draw(st.integers(1, 6))
    ids = draw(
        st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", ""]), min_size=n, max_size=n)
    )
    kinds = draw(st.lists(st.sampled_from([*KINDS, "pool"]), min_size=n, max_size=n))
    caps = draw(st.lists(st.sampled_from(["", "0", "12", "-1", "x"]), min_size=n, max_size=n))
    xs = draw(st.lists(st.sampled_from(["320000", "321000.5", "", "abc"]), min_size=n, max_size=n))
    return list(zip(ids, kinds, caps, xs, strict=True))


@SETTINGS
@given(rows=service_tables(), enc=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_property_service_tables(tmp_path_factory, rows, enc):
    path = tmp_path_factory.mktemp("s") / "services.csv"
    lines = ["service_id;kind;capacity;x;y"] + [f"{i};{k};{c};{x};6400000" for i, k, c, x in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(enc))
    ids = [r[0] for r in rows]
    bad = (
        "" in ids
        or len(set(ids)) < len(ids)
        or any(r[1] == "pool" for r in rows)
        or any(r[2] in ("-1", "x") for r in rows)
        or any(r[3] in ("", "abc") for r in rows)
    )
    if bad:
        expect_error(read_services, path, kinds=KINDS)
    else:
        gdf = read_services(path, kinds=KINDS)
        assert gdf.index.tolist() == ids
        assert gdf.geometry.x.tolist() == [float(r[3]) for r in rows]
        assert gdf["capacity"].fillna(-99).tolist() == [float(r[2]) if r[2] else -99 for r in rows]


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".gpkg", ".geojson"]))
def test_property_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("rb") / f"services{suffix}"
    path.write_bytes(data)
    expect_error(read_services, path)
