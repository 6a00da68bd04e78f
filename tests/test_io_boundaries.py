"""Tests of geoseg.io.boundaries: codes as text, repair, CRS handling, problems at once."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _fixtures import expect_error
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geoseg.errors import CRSError, InputError, ValidationError
from geoseg.io import read_boundaries, read_layer

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BOWTIE = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])


def write(tmp_path, codes, geoms, *, crs="EPSG:3006", name="areas.gpkg", **cols):
    gdf = gpd.GeoDataFrame({"code": codes, **cols}, geometry=geoms, crs=crs)
    path = tmp_path / name
    gdf.to_file(path)
    return path


def boxes(n, size=100.0):
    x0, y0 = 320_000.0, 6_400_000.0
    return [shapely.box(x0 + i * size, y0, x0 + (i + 1) * size, y0 + size) for i in range(n)]


def test_text_codes_index_and_columns(tmp_path):
    path = write(tmp_path, ["0114", "0115"], boxes(2), name_="x")
    gdf = read_boundaries(path, id_column="code")
    assert gdf.index.tolist() == ["0114", "0115"]
    assert gdf.index.name == "code"
    assert gdf["code"].tolist() == ["0114", "0115"]
    assert gdf.crs.to_epsg() == 3006
    assert "name_" in gdf.columns


def test_numeric_codes_warn(tmp_path, caplog):
    path = write(tmp_path, [114, 115], boxes(2))
    with caplog.at_level(logging.WARNING):
        gdf = read_boundaries(path, id_column="code")
    assert gdf.index.tolist() == ["114", "115"]
    assert "numbers" in caplog.text and "leading zeros" in caplog.text


def test_invalid_polygon_repaired_with_make_valid(tmp_path, caplog):
    path = write(tmp_path, ["01", "02"], [BOWTIE, boxes(1)[0]])
    with caplog.at_level(logging.WARNING):
        gdf = read_boundaries(path, id_column="code")
    assert gdf.geometry.is_valid.all()
    # oracle: the bow-tie is two triangles of area 25 each
    assert gdf.loc["01"].geometry.area == pytest.approx(50.0)
    assert gdf.loc["01"].geometry.equals(shapely.make_valid(BOWTIE))
    assert "01" in caplog.text and "make_valid" in caplog.text


def test_all_problems_at_once(tmp_path):
    geoms = [*boxes(3), shapely.Polygon(), shapely.LineString([(0, 0), (1, 1)])]
    path = write(tmp_path, ["01", "01", None, "04", "05"], geoms, name="bad.geojson")
    err = expect_error(read_boundaries, path, id_column="code", name_column="namn")
    assert isinstance(err, ValidationError)
    text = str(err)
    assert "'namn'" in text and "available columns" in text
    assert "duplicate codes 01" in text
    assert "empty for features 3" in text
    assert "04" in text and "empty" in text
    assert "05 (LineString)" in text
    assert len(err.problems) == 5


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_refused_with_the_fix(tmp_path):
    path = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"code": ["01"]}, geometry=boxes(1)).to_file(path)
    err = expect_error(read_boundaries, path, id_column="code")
    assert isinstance(err, CRSError)
    text = str(err)
    assert "no CRS" in text
    # the coordinates are SWEREF 99 TM's: the message says so and gives both ways to declare it
    assert "look like EPSG:3006" in text
    assert 'crs = "EPSG:3006"' in text and "[areas]" in text
    assert "ogr2ogr -a_srs EPSG:3006 fixed.gpkg nocrs.gpkg" in text


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_missing_crs_of_lonlat_coordinates_suggests_wgs84(tmp_path):
    path = tmp_path / "lonlat.gpkg"
    gpd.GeoDataFrame({"code": ["01"]}, geometry=[shapely.box(11.9, 57.7, 11.91, 57.71)]).to_file(
        path
    )
    text = str(expect_error(read_boundaries, path, id_column="code"))
    assert "look like EPSG:4326" in text and "ogr2ogr -a_srs EPSG:4326" in text


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_declared_crs_reads_a_file_without_one(tmp_path, caplog):
    path = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"code": ["01", "02"]}, geometry=boxes(2)).to_file(path)
    with caplog.at_level(logging.INFO, logger="geoseg"):
        gdf = read_boundaries(path, id_column="code", source_crs="EPSG:3006")
    assert gdf.crs.to_epsg() == 3006
    assert gdf.geometry.iloc[1].equals_exact(boxes(2)[1], 1e-6)
    assert "declared EPSG:3006" in caplog.text
    # a declared lon/lat CRS is reprojected like a file's own
    lonlat = shapely.box(11.9, 57.7, 11.91, 57.71)
    path2 = tmp_path / "nocrs_lonlat.gpkg"
    gpd.GeoDataFrame({"code": ["01"]}, geometry=[lonlat]).to_file(path2)
    gdf2 = read_boundaries(path2, id_column="code", source_crs="EPSG:4326")
    tr = Transformer.from_crs(4326, 3006, always_xy=True)
    expected = shapely.transform(lonlat, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    assert gdf2.geometry.iloc[0].normalize().equals_exact(expected.normalize(), 0.01)


def test_declared_crs_does_not_override_the_files(tmp_path, caplog):
    path = write(tmp_path, ["01"], boxes(1))
    with caplog.at_level(logging.WARNING, logger="geoseg"):
        gdf = read_boundaries(path, id_column="code", source_crs="EPSG:3021")
    assert gdf.geometry.iloc[0].equals_exact(boxes(1)[0], 1e-6)
    assert "EPSG:3021" in caplog.text and "own CRS" in caplog.text


def test_unknown_declared_crs_refused(tmp_path):
    path = write(tmp_path, ["01"], boxes(1))
    err = expect_error(read_boundaries, path, id_column="code", source_crs="EPSG:999999")
    assert isinstance(err, CRSError) and "EPSG:999999" in str(err)


@pytest.mark.parametrize(
    ("label", "found"),
    [
        ("EPSG:4326", "EPSG:4326 (WGS 84, degrees)"),
        ("EPSG:3021", "EPSG:3021 (RT90 2.5 gon V, metres)"),
        ("EPSG:2249", "EPSG:2249 (NAD83 / Massachusetts Mainland (ftUS), US survey foot)"),
    ],
)
def test_mislabelled_crs_refused_with_the_fix(tmp_path, label, found):
    # SWEREF 99 TM coordinates in Gothenburg, but the file says another CRS
    path = write(tmp_path, ["01", "02"], boxes(2), crs=label)
    err = expect_error(read_boundaries, path, id_column="code")
    assert isinstance(err, CRSError)
    text = str(err)
    assert f"the file says its CRS is {found}" in text
    assert "x 320000 to 320200, y 6400000 to 6400100" in text
    assert "look like EPSG:3006" in text
    assert "ogr2ogr -a_srs EPSG:3006 fixed.gpkg areas.gpkg" in text


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_rt90_without_crs_is_recognised(tmp_path):
    tr = Transformer.from_crs(3006, 3021, always_xy=True)
    rt90 = [
        shapely.transform(b, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
        for b in boxes(2)
    ]
    path = tmp_path / "rt90.gpkg"
    gpd.GeoDataFrame({"code": ["01", "02"]}, geometry=rt90).to_file(path)
    text = str(expect_error(read_boundaries, path, id_column="code"))
    assert "look like EPSG:3021 (RT90 2.5 gon V, metres)" in text
    assert 'crs = "EPSG:3021"' in text


def test_crs_problem_is_reported_with_the_others(tmp_path):
    path = write(tmp_path, ["01", "01"], boxes(2), crs="EPSG:4326")
    err = expect_error(read_boundaries, path, id_column="code")
    assert isinstance(err, ValidationError)
    assert len(err.problems) == 2
    assert "duplicate codes 01" in err.problems[0]
    assert "EPSG:4326" in err.problems[1] and "ogr2ogr -a_srs EPSG:3006" in err.problems[1]


def test_projected_crs_in_feet_is_reprojected(tmp_path, caplog):
    # a place in Massachusetts, written in feet, read into the analysis CRS of that state
    feet = shapely.box(700_000, 2_900_000, 701_000, 2_901_000)
    path = write(tmp_path, ["01"], [feet], crs="EPSG:2249")
    with caplog.at_level(logging.INFO, logger="geoseg"):
        gdf = read_boundaries(path, id_column="code", crs="EPSG:26986")
    back = Transformer.from_crs(2249, 26986, always_xy=True)
    expected = shapely.transform(feet, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
    assert gdf.geometry.iloc[0].normalize().equals_exact(expected.normalize(), 0.01)
    assert abs(gdf.area.iloc[0] - 1e6 * 0.3048006**2) < 1.0
    assert (
        "EPSG:2249" in caplog.text and "reprojected to the analysis CRS EPSG:26986" in caplog.text
    )


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_read_layer_missing_crs_gives_the_fix(tmp_path):
    path = tmp_path / "water.gpkg"
    gpd.GeoDataFrame({"code": ["w"]}, geometry=boxes(1)).to_file(path)
    err = expect_error(read_layer, path)
    assert isinstance(err, CRSError)
    assert "no CRS" in str(err) and "ogr2ogr -a_srs EPSG:3006 fixed.gpkg water.gpkg" in str(err)


def test_geographic_target_refused(tmp_path):
    path = write(tmp_path, ["01"], boxes(1))
    with pytest.raises(CRSError, match="geographic"):
        read_boundaries(path, id_column="code", crs="EPSG:4326")


def test_reprojected_from_geographic(tmp_path, caplog):
    lonlat = shapely.box(11.9, 57.7, 11.91, 57.71)
    path = write(tmp_path, ["01"], [lonlat], crs="EPSG:4326", name="a.geojson")
    with caplog.at_level(logging.INFO, logger="geoseg"):
        gdf = read_boundaries(path, id_column="code")
    assert "EPSG:4326 (WGS 84, degrees) is geographic; reprojected to the analysis" in caplog.text
    assert gdf.crs.to_epsg() == 3006
    tr = Transformer.from_crs(4326, 3006, always_xy=True)
    expected = shapely.transform(lonlat, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    assert gdf.geometry.iloc[0].normalize().equals_exact(expected.normalize(), 0.01)


def test_layers(tmp_path):
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"code": ["01"]}, geometry=boxes(1), crs=3006).to_file(path, layer="a")
    gpd.GeoDataFrame({"code": ["02"]}, geometry=boxes(1), crs=3006).to_file(path, layer="b")
    with pytest.raises(InputError, match=r"several layers.*a, b"):
        read_boundaries(path, id_column="code")
    assert read_boundaries(path, id_column="code", layer="b").index.tolist() == ["02"]
    with pytest.raises(InputError, match="no layer 'c'"):
        read_boundaries(path, id_column="code", layer="c")


def test_read_layer_reprojects(tmp_path):
    path = write(tmp_path, ["x"], boxes(1), crs="EPSG:3007")
    gdf = read_layer(path)
    assert gdf.crs.to_epsg() == 3006
    tr = Transformer.from_crs(3007, 3006, always_xy=True)
    box = boxes(1)[0]
    expected = shapely.transform(box, lambda c: np.column_stack(tr.transform(c[:, 0], c[:, 1])))
    assert gdf.geometry.iloc[0].normalize().equals_exact(expected.normalize(), 0.01)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_boundaries(tmp_path / "none.gpkg", id_column="code")


# --- property-based --------------------------------------------------------------------------


@st.composite
def layers(draw):
    n = draw(st.integers(1, 6))
    codes = draw(
        st.lists(st.sampled_from(["01", "02", "003", "0114", "", "7"]), min_size=n, max_size=n)
    )
    kinds = draw(
        st.lists(st.sampled_from(["box", "bowtie", "empty", "line"]), min_size=n, max_size=n)
    )
    return codes, kinds


@SETTINGS
@given(layer=layers(), fmt=st.sampled_from(["gpkg", "geojson"]))
def test_property_layers(tmp_path_factory, layer, fmt):
    codes, kinds = layer
    base = boxes(len(codes))
    geoms = []
    for b, k in zip(base, kinds, strict=True):
        if k == "box":
            geoms.append(b)
        elif k == "bowtie":
            x, y = b.bounds[:2]
            geoms.append(shapely.affinity.translate(BOWTIE, x, y))
        elif k == "empty":
            geoms.append(shapely.Polygon())
        else:
            geoms.append(shapely.LineString(b.exterior.coords[:2]))
    folder = tmp_path_factory.mktemp("b")
    path = write(folder, [c or None for c in codes], geoms, name=f"areas.{fmt}")
    present = [c for c in codes if c]
    bad = (
        len(present) < len(codes)
        or len(set(present)) < len(present)
        or any(k in ("empty", "line") for k in kinds)
    )
    if bad:
        expect_error(read_boundaries, path, id_column="code")
    else:
        before = path.read_bytes()
        gdf = read_boundaries(path, id_column="code")
        assert path.read_bytes() == before
        assert gdf.index.tolist() == codes
        assert gdf.geometry.is_valid.all()
        expected = [shapely.make_valid(g).area for g in geoms]
        assert np.allclose(gdf.area.to_numpy(), expected)


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".gpkg", ".geojson", ".shp", ".x"]))
def test_property_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("rb") / f"areas{suffix}"
    path.write_bytes(data)
    expect_error(read_boundaries, path, id_column="code")


def test_geojson_without_features(tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    expect_error(read_boundaries, path, id_column="code")
    df = pd.DataFrame({"a": [1]})
    csv = tmp_path / "table.csv"
    df.to_csv(csv, index=False)
    expect_error(read_boundaries, csv, id_column="code")


def test_lonlat_labelled_as_metres_refused(tmp_path):
    lonlat = [shapely.box(11.9, 57.7, 11.91, 57.71), shapely.box(11.91, 57.7, 11.92, 57.71)]
    path = write(tmp_path, ["01", "02"], lonlat, crs="EPSG:3006")
    err = expect_error(read_boundaries, path, id_column="code")
    assert isinstance(err, CRSError)
    text = str(err)
    assert "the file says its CRS is EPSG:3006 (SWEREF99 TM, metres)" in text
    assert "longitude/latitude" in text
    assert "ogr2ogr -a_srs EPSG:4326 fixed.gpkg areas.gpkg" in text
