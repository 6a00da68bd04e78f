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
def test_missing_crs_refused(tmp_path):
    path = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"code": ["01"]}, geometry=boxes(1)).to_file(path)
    err = expect_error(read_boundaries, path, id_column="code")
    assert isinstance(err, CRSError)
    assert "no CRS" in str(err) and "set" in str(err)


def test_geographic_target_refused(tmp_path):
    path = write(tmp_path, ["01"], boxes(1))
    with pytest.raises(CRSError, match="geographic"):
        read_boundaries(path, id_column="code", crs="EPSG:4326")


def test_reprojected_from_geographic(tmp_path):
    lonlat = shapely.box(11.9, 57.7, 11.91, 57.71)
    path = write(tmp_path, ["01"], [lonlat], crs="EPSG:4326", name="a.geojson")
    gdf = read_boundaries(path, id_column="code")
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
