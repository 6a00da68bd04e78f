"""The results folder: `geoseg run` saves it, `geoseg maps` redraws maps and report from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _smallcity import make_city, snapshot
from click.testing import CliRunner

import geoseg
import geoseg.pipeline
import geoseg.stages
from geoseg.cli import main
from geoseg.io import RESULTS_FORMAT, ResultsFolderError, read_results
from geoseg.publish import redraw

THRESHOLD = 5


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def pages(folder: Path) -> dict[str, bytes]:
    """Every published file but the PDF (Chromium prints it; compared by presence)."""
    return {k: v for k, v in snapshot(folder).items() if not k.endswith(".pdf")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The 12-area example city run once in Swedish (its language) and once in English."""
    root = tmp_path_factory.mktemp("results")
    config = make_city(root / "city")
    out: dict[str, Path] = {"config": config}
    for lang in ("sv", "en"):
        folder = root / f"out_{lang}"
        geoseg.run_project(config, output=folder, maps=folder / "maps", lang=lang)
        out[lang] = folder
    return out


@pytest.fixture
def sv_copy(runs, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(runs["sv"], folder)
    return folder


def test_redraw_gives_the_runs_maps_and_report(runs, sv_copy):
    before = snapshot(runs["sv"] / "maps")
    assert "report.html" in before and "index.html" in before
    assert len([k for k in before if k.startswith("indicator_")]) >= 3
    shutil.rmtree(sv_copy / "maps")
    res = invoke("-q", "maps", sv_copy)
    assert res.exit_code == 0, res.output
    after = snapshot(sv_copy / "maps")
    assert sorted(after) == sorted(before)
    assert pages(sv_copy / "maps") == pages(runs["sv"] / "maps")


def test_redraw_in_english_equals_an_english_run(runs, tmp_path):
    # the results do not depend on the language of the pages: both runs saved the same tables
    sv, en = runs["sv"], runs["en"]
    saved = [n for n in snapshot(sv) if "/" not in n and n != "geoseg-run.json"]
    assert "run_settings.json" in saved and "indicator_values.csv" in saved
    for name in saved:
        assert (sv / name).read_bytes() == (en / name).read_bytes(), name
    written = redraw(sv, maps_dir=tmp_path / "maps", lang="en")
    assert tmp_path / "maps" / "report.html" in written
    assert pages(tmp_path / "maps") == pages(en / "maps")
    report = (tmp_path / "maps" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in report and "Walking time" in report
    index = (tmp_path / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Report" in index and "Rapport" not in index
    swedish = (sv / "maps" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in swedish and "Gångtid" in swedish


def test_redraw_computes_nothing(runs, sv_copy, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("redraw must not compute or load the project")

    for name in (
        "indicator_stage",
        "segregation_stage",
        "hotspot_stage",
        "trends_stage",
        "access_stage",
        "isochrone_stage",
    ):
        monkeypatch.setattr(geoseg.stages, name, refuse)
        monkeypatch.setattr(geoseg.pipeline, name, refuse)
    monkeypatch.setattr(geoseg.pipeline, "run_project", refuse)
    monkeypatch.setattr(geoseg.io, "load_project", refuse)
    shutil.rmtree(sv_copy / "maps")
    redraw(sv_copy)
    assert pages(sv_copy / "maps") == pages(runs["sv"] / "maps")


def test_results_folder_is_versioned_and_documented(runs):
    manifest = json.loads((runs["sv"] / "geoseg-run.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == RESULTS_FORMAT and manifest["kind"] == "results"
    settings = json.loads((runs["sv"] / "run_settings.json").read_text(encoding="utf-8"))
    assert settings["format_version"] == RESULTS_FORMAT
    run = settings["settings"]
    assert run["disclosure"]["threshold"] == THRESHOLD and run["lang"] == "sv"
    assert run["segregation"]["permutations"] == 19 and run["segregation"]["seed"] is not None
    assert run["indicators"]["employment_20_64"]["label_en"] == "In employment, aged 20–64"
    doc = (Path(__file__).parents[1] / "docs" / "results.md").read_text(encoding="utf-8")
    for name in manifest["files"]:
        assert f"`{name}`" in doc, name
    assert f'`"format_version": {RESULTS_FORMAT}`' in doc


def test_saved_results_hold_no_count_below_the_threshold(runs):
    saved = read_results(runs["sv"])
    register = pd.read_csv(
        runs["config"].parent / "registers" / "example_registers.csv",
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={"area_code": str},
    )
    latest = register[register["year"] == register["year"].max()].set_index("area_code")
    small = sorted(latest.index[latest["pop_total"] < THRESHOLD])
    assert small, "the example city has an area with fewer than 5 residents"
    lq = saved.location_quotients.set_index("code")
    assert lq.loc[small, "suppressed"].all()
    assert lq.loc[small].drop(columns="suppressed").isna().all().all()
    # a quotient rests on the area's total and on each group's count
    groups = ["pop_total", "born_sweden", "born_nordic", "born_europe", "born_outside_europe"]
    few = (latest[groups] < THRESHOLD).any(axis=1)
    assert lq["suppressed"].to_dict() == few.reindex(lq.index).to_dict()
    acc = saved.access
    assert acc.loc[acc["id"].isin(small), "residents"].isna().all()
    assert (acc["residents"].dropna() >= THRESHOLD).all()
    ind = saved.indicators
    for col in ("count", "base", "population"):
        assert (ind[col].dropna() >= THRESHOLD).all(), col
    # the redrawn access map marks the small area as suppressed, as the run's does
    page = next((runs["sv"] / "maps").glob("access_*.html")).read_text(encoding="utf-8")
    assert "\\u003c5, dold" in page


def test_read_results_keeps_types(runs):
    saved = read_results(runs["sv"])
    assert saved.areas.index.map(type).unique().tolist() == [str]
    assert saved.areas.index[0].startswith("0")  # leading zeros kept
    assert saved.hotspots["id"].map(type).eq(str).all()
    assert saved.indicators["suppressed"].dtype == bool
    assert saved.indices["year"].dtype.kind in "if"
    assert saved.areas.crs == saved.isochrones.crs


def _expect_exit_2(folder: Path, words: str, tmp_path: Path) -> None:
    res = invoke("maps", folder, "--out", tmp_path / "maps")
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
    assert not (tmp_path / "maps").exists()


def test_a_folder_not_written_by_geoseg_is_refused(tmp_path):
    folder = tmp_path / "stuff"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    _expect_exit_2(folder, "not a results folder written by geoseg", tmp_path)
    _expect_exit_2(tmp_path / "missing", "no such folder", tmp_path)


@pytest.mark.parametrize(
    ("version", "words"),
    [(None, "written by an older geoseg"), (0, "results format 0"), (99, "upgrade geoseg")],
)
def test_another_format_version_is_refused(sv_copy, tmp_path, version, words):
    path = sv_copy / "geoseg-run.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("format_version")
    manifest.pop("kind")
    if version is not None:
        manifest["format_version"] = version
    path.write_text(json.dumps(manifest), encoding="utf-8")
    _expect_exit_2(sv_copy, words, tmp_path)
    with pytest.raises(ResultsFolderError, match=words):
        read_results(sv_copy)


def test_a_maps_folder_or_project_file_is_refused_with_a_hint(runs, tmp_path):
    _expect_exit_2(runs["sv"] / "maps", "maps folder", tmp_path)
    _expect_exit_2(runs["config"], "not a project file", tmp_path)


def test_a_missing_table_is_named(sv_copy, tmp_path):
    (sv_copy / "hotspots.csv").unlink()
    _expect_exit_2(sv_copy, "hotspots.csv", tmp_path)


def test_redraw_never_writes_into_the_results_folder(sv_copy):
    with pytest.raises(ResultsFolderError, match="results folder itself"):
        redraw(sv_copy, maps_dir=sv_copy)


@pytest.mark.parametrize("recorded", ["elsewhere", "../elsewhere"])
def test_a_recorded_maps_folder_outside_the_results_is_not_followed(sv_copy, tmp_path, recorded):
    path = sv_copy / "run_settings.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    target = tmp_path / "elsewhere"
    doc["settings"]["maps"] = str(target) if recorded == "elsewhere" else recorded
    path.write_text(json.dumps(doc), encoding="utf-8")
    shutil.rmtree(sv_copy / "maps")
    redraw(sv_copy)
    assert (sv_copy / "maps" / "index.html").is_file()
    assert not target.exists()


def test_tables_and_layers_read_back_as_written(tmp_path):
    from shapely.geometry import MultiPolygon, Point, Polygon

    from geoseg.io import SavedResults, write_results

    square = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    islands = MultiPolygon(
        [Polygon([(200, 0), (300, 0), (300, 90)]), Polygon([(400, 0), (500, 0), (500, 80)])]
    )
    areas = gpd.GeoDataFrame(
        {"name": ["Norr", None]},
        geometry=[square, islands],
        index=pd.Index(["0101", "NA"], name="area_code"),
        crs="EPSG:3006",
    )
    indices = pd.DataFrame(
        {
            "year": [None, None],
            "group": ["foreign_born", "a+b"],
            "value": [0.1 + 0.2, float("nan")],
            "n": pd.array([3, None], dtype="Int64"),
            "whole": [1, 2],
            "flag": [True, False],
            "maybe": [True, float("nan")],
            "note": ["", "break 2021"],
        }
    )
    services = gpd.GeoDataFrame(
        {"kind": ["library"], "name": ["Stadsbiblioteket"]},
        geometry=[Point(50, 50)],
        crs="EPSG:3006",
    )
    saved = SavedResults(
        settings={"title": "Test"}, areas=areas, services=services, indices=indices
    )
    written = write_results(tmp_path / "out", saved, project=tmp_path / "geoseg.toml")
    assert {p.name for p in written} >= {"segregation_indices.csv", "results.gpkg"}
    back = read_results(tmp_path / "out")
    pd.testing.assert_frame_equal(back.indices, indices)
    assert back.indices["year"].tolist() == [None, None]
    assert back.indices["maybe"].iloc[0] is True and np.isnan(back.indices["maybe"].iloc[1])
    assert back.areas.index.tolist() == ["0101", "NA"] and back.areas.index.name == "area_code"
    assert back.areas.geom_type.tolist() == ["Polygon", "MultiPolygon"]
    assert back.areas.geometry.geom_equals_exact(areas.geometry, tolerance=0).all()
    pd.testing.assert_series_equal(back.areas["name"], areas["name"])
    assert back.services["name"].tolist() == ["Stadsbiblioteket"] and back.water is None
    assert back.settings == {"title": "Test"} and back.hotspots is None


def test_redraw_in_another_language_keeps_the_runs_pages(sv_copy, tmp_path):
    """`geoseg maps OUT --lang en` never replaces the Swedish pages without --overwrite."""
    swedish = snapshot(sv_copy / "maps")
    res = invoke("-q", "maps", sv_copy, "--lang", "en")
    assert res.exit_code == 0, res.output
    assert snapshot(sv_copy / "maps") == swedish
    english = (sv_copy / "maps_en" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english
    # naming the Swedish folder is refused, with the way out
    res = invoke("maps", sv_copy, "--lang", "en", "--out", sv_copy / "maps")
    assert res.exit_code == 2
    assert "--overwrite" in res.output and "--out" in res.output
    assert snapshot(sv_copy / "maps") == swedish
    # the same language redraws in place; --overwrite replaces the Swedish pages
    res = invoke("-q", "maps", sv_copy)
    assert res.exit_code == 0, res.output
    assert pages(sv_copy / "maps") == pages_of(swedish)
    res = invoke("-q", "maps", sv_copy, "--lang", "en", "--overwrite")
    assert res.exit_code == 0, res.output
    report = (sv_copy / "maps" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in report


def pages_of(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if not k.endswith(".pdf")}
