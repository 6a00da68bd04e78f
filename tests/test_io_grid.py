"""Tests of geoseg.io.grid."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from _fixtures import expect_error
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geoseg.errors import CRSError, InputError, ValidationError
from geoseg.io import read_population_grid

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
X0, Y0, RES = 319_000.0, 6_401_000.0, 100.0


def write_tif(path, data, *, crs="EPSG:3006", transform=None, nodata=0.0):
    profile = {
        "driver": "GTiff",
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": "float32",
        "transform": transform or Affine(RES, 0.0, X0, 0.0, -RES, Y0),
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data.astype("float32"), 1)
    return path


def test_cell_centres_and_population(tmp_path):
    data = np.array([[0, 5, 0], [2.5, 0, 0], [0, 0, 7]])
    path = write_tif(tmp_path / "pop.tif", data)
    gdf = read_population_grid(path)
    assert gdf.crs.to_epsg() == 3006
    assert gdf["population"].tolist() == [5.0, 2.5, 7.0]
    assert gdf["population"].sum() == data.sum()
    # hand-computed centres: x = X0 + (col + 0.5) * RES, y = Y0 - (row + 0.5) * RES
    assert gdf.geometry.x.tolist() == [X0 + 150, X0 + 50, X0 + 250]
    assert gdf.geometry.y.tolist() == [Y0 - 50, Y0 - 150, Y0 - 250]
    assert gdf[["row", "col"]].values.tolist() == [[0, 1], [1, 0], [2, 2]]


def test_nodata_value_is_skipped(tmp_path):
    data = np.array([[-9999, 3], [1, -9999]])
    gdf = read_population_grid(write_tif(tmp_path / "p.tif", data, nodata=-9999))
    assert gdf["population"].tolist() == [3.0, 1.0]


def test_negative_population_reported(tmp_path):
    path = write_tif(tmp_path / "neg.tif", np.array([[1, -2], [3, -4]]))
    err = expect_error(read_population_grid, path)
    assert isinstance(err, ValidationError) and "2 cells hold negative" in str(err)


def test_geographic_raster_reprojected(tmp_path):
    data = np.array([[4.0]])
    transform = Affine(0.001, 0.0, 11.95, 0.0, -0.001, 57.71)
    gdf = read_population_grid(
        write_tif(tmp_path / "geo.tif", data, crs="EPSG:4326", transform=transform)
    )
    x, y = Transformer.from_crs(4326, 3006, always_xy=True).transform(11.9505, 57.7095)
    assert gdf.crs.to_epsg() == 3006
    assert gdf.geometry.x.iloc[0] == pytest.approx(x) and gdf.geometry.y.iloc[0] == pytest.approx(y)
    with pytest.raises(CRSError):
        read_population_grid(tmp_path / "geo.tif", crs="EPSG:4326")


def test_raster_without_crs(tmp_path):
    path = write_tif(tmp_path / "nocrs.tif", np.ones((2, 2)), crs=None)
    assert isinstance(expect_error(read_population_grid, path), CRSError)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_population_grid(tmp_path / "none.tif")


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".tif", ".asc", ".png"]))
def test_property_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("g") / f"pop{suffix}"
    path.write_bytes(data)
    expect_error(read_population_grid, path)


@SETTINGS
@given(cells=st.lists(st.floats(-5, 50, allow_nan=False), min_size=1, max_size=12))
def test_property_values(tmp_path_factory, cells):
    data = np.array(cells, dtype="float32").reshape(1, -1)
    path = write_tif(tmp_path_factory.mktemp("v") / "pop.tif", data, nodata=None)
    if (data < 0).any():
        expect_error(read_population_grid, path)
    else:
        gdf = read_population_grid(path)
        assert gdf["population"].sum() == pytest.approx(float(data[data > 0].sum()))
        assert len(gdf) == int((data > 0).sum())
