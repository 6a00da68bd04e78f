"""Tests of geoseg.io.buildings."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _fixtures import expect_error, write_features
from pyproj import Transformer

from geoseg.errors import CRSError, ValidationError
from geoseg.io.buildings import read_buildings

X0, Y0 = 319_000.0, 6_401_000.0


def _footprints(n: int = 6, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` square footprints at seeded random places, with dwellings and ids."""
    rng = np.random.default_rng(seed)
    xs = X0 + rng.uniform(0, 1000, n)
    ys = Y0 - rng.uniform(0, 1000, n)
    sides = rng.uniform(8, 30, n)
    return gpd.GeoDataFrame(
        {
            "building_id": [f"b{i}" for i in range(n)],
            "dwellings": rng.integers(0, 40, n).astype(float),
        },
        geometry=[shapely.box(x, y, x + s, y + s) for x, y, s in zip(xs, ys, sides, strict=True)],
        crs="EPSG:3006",
    )


def test_geopackage_with_weight(tmp_path):
    src = _footprints()
    path = tmp_path / "buildings.gpkg"
    src.to_file(path, layer="buildings")
    before = path.read_bytes()
    out = read_buildings(path, weight="dwellings", id_column="building_id")
    assert path.read_bytes() == before
    assert out.crs.to_epsg() == 3006
    assert out["weight"].dtype == np.float64
    assert out["weight"].tolist() == src["dwellings"].tolist()
    assert out.index.tolist() == src["building_id"].tolist()
    assert out.geometry.geom_equals_exact(src.geometry.set_axis(out.index), 1e-6).all()
    assert list(out.columns) == ["building_id", "weight", "geometry"]


def test_geojson_without_weight(tmp_path):
    src = _footprints(4, seed=3).drop(columns=["dwellings"])
    src.loc[1, "geometry"] = shapely.Point(X0 + 5, Y0 - 5)  # a building point is accepted
    path = tmp_path / "buildings.geojson"
    src.to_file(path, driver="GeoJSON")
    out = read_buildings(path)
    assert out.crs.to_epsg() == 3006
    assert list(out.columns) == ["geometry"]
    assert len(out) == 4 and out.index.tolist() == [0, 1, 2, 3]
    assert out.geometry.geom_type.tolist() == ["Polygon", "Point", "Polygon", "Polygon"]
    assert out.geometry.area.iloc[0] == pytest.approx(src.geometry.area.iloc[0])


def test_reprojected_from_wgs84(tmp_path):
    lons, lats = [11.95, 11.97], [57.70, 57.71]
    pts = [shapely.Point(x, y) for x, y in zip(lons, lats, strict=True)]
    path = write_features(
        tmp_path / "b.gpkg",
        [{"dwellings": 4, "geometry": pts[0]}, {"dwellings": "12,5", "geometry": pts[1]}],
        crs="EPSG:4326",
    )
    out = read_buildings(path, weight="dwellings")
    xs, ys = Transformer.from_crs(4326, 3006, always_xy=True).transform(lons, lats)
    assert out.crs.to_epsg() == 3006
    np.testing.assert_allclose(out.geometry.x, xs)
    np.testing.assert_allclose(out.geometry.y, ys)
    assert out["weight"].tolist() == [4.0, 12.5]  # text with a decimal comma is a number
    with pytest.raises(CRSError, match="geographic"):
        read_buildings(path, crs="EPSG:4326")


def test_several_problems_in_one_error(tmp_path):
    square = shapely.box(X0, Y0, X0 + 10, Y0 + 10)
    path = write_features(
        tmp_path / "bad.gpkg",
        [
            {"id": "ok", "dwellings": "3", "geometry": square},
            {
                "id": "line",
                "dwellings": "2",
                "geometry": shapely.LineString([(X0, Y0), (X0 + 9, Y0)]),
            },
            {"id": "hole", "dwellings": "1", "geometry": shapely.Polygon()},
            {"id": "minus", "dwellings": "-4", "geometry": square},
            {"id": "text", "dwellings": "many", "geometry": square},
            {"id": "blank", "dwellings": None, "geometry": square},
        ],
    )
    err = expect_error(read_buildings, path, weight="dwellings", id_column="id")
    assert isinstance(err, ValidationError)
    assert err.source == str(path)
    assert len(err.problems) == 5
    text = str(err)
    assert "line (LineString)" in text and "neither polygons nor points" in text
    assert "buildings hole have an empty or missing geometry" in text
    assert "negative for buildings minus" in text
    assert "not a number for buildings text" in text
    assert "empty for buildings blank" in text
    assert "buildings ok" not in text and ", ok" not in text  # the valid building is not named


def test_rows_named_by_feature_number_without_ids(tmp_path):
    path = write_features(
        tmp_path / "b.gpkg",
        [
            {"floor_area": 100.0, "geometry": shapely.box(X0, Y0, X0 + 5, Y0 + 5)},
            {"floor_area": -1.0, "geometry": shapely.box(X0, Y0, X0 + 5, Y0 + 5)},
        ],
    )
    err = expect_error(read_buildings, path, weight="floor_area")
    assert "negative for buildings feature 2" in str(err)


def test_missing_weight_column_suggests_close_name(tmp_path):
    src = _footprints(3)
    path = tmp_path / "b.gpkg"
    src.to_file(path)
    err = expect_error(read_buildings, path, weight="dwelings")
    assert isinstance(err, ValidationError)
    assert "missing column 'dwelings' (did you mean 'dwellings'?)" in str(err)


def test_missing_crs_and_missing_file(tmp_path):
    with warnings.catch_warnings():  # the writer warns that the file will have no CRS
        warnings.simplefilter("ignore", UserWarning)
        path = write_features(
            tmp_path / "nocrs.gpkg", [{"geometry": shapely.box(0, 0, 1, 1)}], crs=None
        )
    err = expect_error(read_buildings, path)
    assert isinstance(err, ValidationError) and "no CRS" in str(err)
    with pytest.raises(ValidationError, match="buildings file not found") as info:
        read_buildings(tmp_path / "absent.gpkg")
    assert str(tmp_path / "absent.gpkg") in str(info.value)
