"""Stages in a second process give the run's results unchanged; the maps' street layer cache."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geoseg.errors import GeoSegError, InputError
from geoseg.io.line_cache import cached_lines, line_cache_path
from geoseg.pipeline import run_project

ANALYSIS = ("segregation", "hotspots", "trends", "access")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    runs = {}
    for workers in (1, 2):
        out = tmp_path_factory.mktemp(f"w{workers}")
        runs[workers] = run_project(
            None,
            output=out / "output",
            maps=out / "maps",
            stages=ANALYSIS,
            cache_dir=out / "cache",
            workers=workers,
        )
    return runs


@pytest.mark.parametrize(
    "name", ["indices", "trend", "hotspots", "hotspot_counts", "hotspot_changes", "access"]
)
def test_second_process_gives_the_same_tables(both, name):
    one, two = getattr(both[1], name), getattr(both[2], name)
    assert one is not None and len(one)
    pd.testing.assert_frame_equal(one, two)


def test_second_process_gives_the_same_follow_up_isochrones_and_warnings(both):
    one, two = both[1], both[2]
    pd.testing.assert_frame_equal(one.follow_up.areas, two.follow_up.areas)
    pd.testing.assert_frame_equal(one.follow_up.emerging, two.follow_up.emerging)
    assert one.isochrones["geometry"].geom_equals_exact(two.isochrones["geometry"], 0).all()
    assert one.warnings == two.warnings
    assert one.access_note == two.access_note
    # every stage is timed, in the order the stages are listed, in both processes
    assert list(one.timings) == list(two.timings)
    assert set(two.cpu_timings) >= {"hotspots", "trends", "access", "isochrones"}


def test_second_process_writes_the_same_files(both):
    for name in ("segregation_indices.csv", "hotspots.csv", "access_areas.csv"):
        a = (both[1].output / name).read_bytes()
        b = (both[2].output / name).read_bytes()
        assert a == b, name


def test_bad_worker_setting_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("GEOSEG_WORKERS", "two")
    with pytest.raises(InputError, match="GEOSEG_WORKERS"):
        run_project(None, output=tmp_path / "o", maps=tmp_path / "m", stages=("segregation",))


def _lines(n: int = 5) -> gpd.GeoSeries:
    rng = np.random.default_rng(3)
    return gpd.GeoSeries(
        [shapely.LineString(rng.random((k + 2, 2)) * 1000) for k in range(n)], crs="EPSG:3006"
    )


def test_line_cache_reads_back_the_same_lines(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return _lines()

    first = cached_lines(
        compute, parts=[b"net", "opts"], name="streets", crs="EPSG:3006", cache_dir=tmp_path
    )
    again = cached_lines(
        compute, parts=[b"net", "opts"], name="streets", crs="EPSG:3006", cache_dir=tmp_path
    )
    assert len(calls) == 1
    assert again.crs == first.crs
    assert len(again) == len(first)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))
    # anything the layer depends on names another file
    cached_lines(
        compute, parts=[b"net2", "opts"], name="streets", crs="EPSG:3006", cache_dir=tmp_path
    )
    assert len(calls) == 2


def test_line_cache_prepares_an_unreadable_file_again(tmp_path, caplog):
    path = line_cache_path([b"x"], name="streets", cache_dir=tmp_path)
    path.write_bytes(b"not a cache")
    with caplog.at_level(logging.WARNING):
        got = cached_lines(
            _lines, parts=[b"x"], name="streets", crs="EPSG:3006", cache_dir=tmp_path
        )
    assert len(got) == 5
    assert "unreadable streets cache" in caplog.text
    # and the file is replaced by a good one
    again = cached_lines(
        lambda: _lines(1), parts=[b"x"], name="streets", crs="EPSG:3006", cache_dir=tmp_path
    )
    assert len(again) == 5


def test_line_cache_of_no_lines(tmp_path):
    def empty():
        return gpd.GeoSeries([], crs="EPSG:3006")

    cached_lines(empty, parts=[b"e"], name="streets", crs="EPSG:3006", cache_dir=tmp_path)
    got = cached_lines(_lines, parts=[b"e"], name="streets", crs="EPSG:3006", cache_dir=tmp_path)
    assert len(got) == 0


def test_an_error_in_the_second_process_is_the_same_error(tmp_path):
    from click.testing import CliRunner

    from geoseg.cli import main

    city = tmp_path / "city"
    res = CliRunner().invoke(main, ["-q", "example-city", "--areas", "12", "--out", str(city)])
    assert res.exit_code == 0, res.output
    (city / "network" / "example_streets.osm.pbf").write_bytes(b"\x00\x00\x01\x00not osm" * 50)
    errors = {}
    for workers in (1, 2):
        with pytest.raises(GeoSegError) as info:
            run_project(
                city / "geoseg.toml",
                output=tmp_path / f"o{workers}",
                maps=tmp_path / f"m{workers}",
                stages=ANALYSIS,
                cache_dir=tmp_path / "cache",
                workers=workers,
            )
        errors[workers] = (type(info.value), str(info.value))
    assert errors[1] == errors[2]
    assert "example_streets.osm.pbf" in errors[2][1]
