"""``geoseg run`` end to end on the embedded example city."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from geoseg.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    res = CliRunner().invoke(
        main, ["-q", "run", "--output", str(out / "output"), "--maps", str(out / "maps")]
    )
    assert res.exit_code == 0, res.output
    return out


def test_run_writes_every_stage(run_dir):
    out = run_dir / "output"
    for name in (
        "segregation_indices.csv",
        "segregation_trend.csv",
        "hotspots.csv",
        "hotspot_counts.csv",
        "access_areas.csv",
        "access_equity.csv",
        "results.gpkg",
    ):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "geoseg-run.json").read_text(encoding="utf-8"))
    assert "results.gpkg" in manifest["files"]


def test_run_segregation_grows_in_the_example_city(run_dir):
    trend = pd.read_csv(run_dir / "output" / "segregation_trend.csv")
    d = trend[(trend["index"] == "dissimilarity") & (trend["group"] == "foreign_born")]
    assert len(d) == 1
    assert d["change"].iloc[0] > 0
    assert d["p_value_increase"].iloc[0] < 0.05


def test_run_access_covers_every_kind(run_dir):
    acc = pd.read_csv(run_dir / "output" / "access_areas.csv", dtype={"id": str})
    assert set(acc["kind"]) == {"family_centre", "meeting_place", "library", "youth_centre"}
    # small counts never reach a published table
    assert not ((acc["residents"] > 0) & (acc["residents"] < 5)).any()


def test_run_publishes_maps_and_report(run_dir):
    maps = run_dir / "maps"
    index = (maps / "index.html").read_text(encoding="utf-8")
    assert (maps / "report.html").is_file()
    linked = [p.name for p in maps.glob("*.html") if p.name != "index.html"]
    assert len(linked) >= 8
    for name in linked:
        assert name in index


def test_rerun_replaces_own_files_but_not_foreign_ones(run_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    out.mkdir()
    precious = out / "hotspots.csv"
    precious.write_text("mine", encoding="utf-8")
    res = runner.invoke(
        main, ["-q", "run", "--stage", "hotspots", "--output", str(out), "--maps", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "--overwrite" in res.output
    assert "Traceback" not in res.output
    assert precious.read_text(encoding="utf-8") == "mine"


def test_results_geopackage_has_isochrones_per_kind(run_dir):
    import geopandas as gpd

    iso = gpd.read_file(run_dir / "output" / "results.gpkg", layer="isochrones")
    assert set(iso["kind"]) == {"family_centre", "meeting_place", "library", "youth_centre"}
    assert sorted(iso["minutes"].unique()) == [5.0, 10.0, 15.0]
    # a longer walk reaches at least as far
    for _, part in iso.groupby("kind"):
        areas = part.sort_values("minutes").geometry.area.to_numpy()
        assert (areas[1:] >= areas[:-1]).all()


# runs last: it rewrites the run's folders with fewer stages
def test_rerun_into_the_same_folders_replaces_its_own_files(run_dir):
    before = (run_dir / "maps" / "index.html").stat().st_mtime_ns
    res = CliRunner().invoke(
        main,
        [
            "-q",
            "run",
            "--stage",
            "hotspots",
            "--stage",
            "maps",
            "--output",
            str(run_dir / "output"),
            "--maps",
            str(run_dir / "maps"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (run_dir / "maps" / "index.html").stat().st_mtime_ns > before
