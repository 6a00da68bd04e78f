"""The CLI frame: every command has help with an example, bad input exits 2 without traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from geoseg.cli import COMMANDS, main


@pytest.fixture
def runner():
    return CliRunner()


def test_every_command_is_registered_and_has_an_example(runner):
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    for name in COMMANDS:
        assert name in listed.output, f"command {name} missing from --help"
        res = runner.invoke(main, [name, "--help"])
        assert res.exit_code == 0, res.output
        assert "Example" in res.output, f"{name} --help shows no example"


def test_unknown_command_is_usage_error(runner):
    res = runner.invoke(main, ["no-such-command"])
    assert res.exit_code == 2


def test_missing_config_is_one_line_exit_2(runner, tmp_path):
    res = runner.invoke(main, ["validate", str(tmp_path / "missing.toml")])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "missing.toml" in res.output


def test_broken_config_reports_without_traceback(runner, tmp_path):
    cfg = tmp_path / "geoseg.toml"
    cfg.write_text("[areas\npath = 'x'", encoding="utf-8")
    res = runner.invoke(main, ["validate", str(cfg)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert "geoseg.toml" in res.output


def test_verbose_shows_traceback(runner, tmp_path):
    cfg = tmp_path / "geoseg.toml"
    cfg.write_text("[areas\npath = 'x'", encoding="utf-8")
    res = runner.invoke(main, ["-v", "validate", str(cfg)])
    assert res.exit_code == 2
    assert "Traceback" in res.output


def test_cli_leaves_logging_as_it_found_it(runner, tmp_path, caplog):
    import logging

    logger = logging.getLogger("geoseg")
    before = (list(logger.handlers), logger.level, logger.propagate)
    runner.invoke(main, ["-v", "validate", str(tmp_path / "missing.toml")])
    assert (list(logger.handlers), logger.level, logger.propagate) == before
    with caplog.at_level(logging.WARNING, logger="geoseg"):
        logging.getLogger("geoseg.io").warning("still captured")
    assert "still captured" in caplog.text


@pytest.fixture(scope="module")
def small_city(tmp_path_factory):
    from _smallcity import make_city

    return make_city(tmp_path_factory.mktemp("city") / "small").parent


def _city_areas(small_city, tmp_path):
    """A copy of the small city; its project file and boundary file (with the layer name)."""
    import shutil
    import tomllib

    folder = shutil.copytree(small_city, tmp_path / "city")
    config = folder / "geoseg.toml"
    areas = tomllib.loads(config.read_text(encoding="utf-8"))["areas"]
    return config, config.parent / areas["path"], areas["layer"]


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_boundaries_in_a_wrong_crs_exit_2_with_the_fix(runner, small_city, tmp_path):
    import geopandas as gpd

    config, path, layer = _city_areas(small_city, tmp_path)
    good = gpd.read_file(path, layer=layer)
    # metres labelled as degrees: refused, naming the file, the CRS found and the command
    good.set_crs("EPSG:4326", allow_override=True).to_file(path, layer=layer)
    for command in (["validate", str(config)], ["run", str(config)]):
        res = runner.invoke(main, command)
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output
        assert str(path) in res.output
        assert "EPSG:4326 (WGS 84, degrees)" in res.output
        assert f"ogr2ogr -a_srs EPSG:3006 fixed.gpkg {path.name}" in res.output
    # no CRS at all: refused, and both ways to declare it are named
    good.set_crs(None, allow_override=True).to_file(path, layer=layer)
    for command in (["validate", str(config)], ["run", str(config)]):
        res = runner.invoke(main, command)
        assert res.exit_code == 2, res.output
        assert "Traceback" not in res.output
        assert "no CRS" in res.output and 'crs = "EPSG:3006"' in res.output
        assert "[areas]" in res.output
    # declared in the project file: accepted
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[areas]\n", '[areas]\ncrs = "EPSG:3006"\n', 1), "utf-8")
    res = runner.invoke(main, ["validate", str(config)])
    assert res.exit_code == 0, res.output


def test_boundaries_in_lonlat_are_reprojected(runner, small_city, tmp_path):
    import geopandas as gpd

    config, path, layer = _city_areas(small_city, tmp_path)
    good = gpd.read_file(path, layer=layer)
    good.to_crs("EPSG:4326").to_file(path, layer=layer)
    res = runner.invoke(main, ["-v", "validate", str(config)])
    assert res.exit_code == 0, res.output
    assert "is geographic; reprojected to the analysis CRS EPSG:3006" in res.output
    assert f"areas: {len(good)} polygons" in res.output


def test_unknown_areas_crs_key_is_a_config_problem(runner, small_city, tmp_path):
    config, _, _ = _city_areas(small_city, tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[areas]\n", '[areas]\ncrs = "EPSG:999999"\n', 1), "utf-8")
    res = runner.invoke(main, ["validate", str(config)])
    assert res.exit_code == 2
    assert "[areas] crs 'EPSG:999999' is not a known CRS" in res.output


def test_no_project_file_runs_the_folder_project_else_the_example(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(main, ["validate"])  # no project file here: the example, quietly
    assert res.exit_code == 0, res.output
    assert "example_areas.gpkg" in res.stdout
    assert "using ./" not in res.stderr
    # a national file the command cannot run is named, not silently replaced by the example
    (tmp_path / "national.toml").write_text("[national]\n", encoding="utf-8")
    res = runner.invoke(main, ["validate"])
    assert res.exit_code == 0, res.output
    assert "./national.toml in this folder is not read" in res.stderr
    # the folder's own geoseg.toml is the project: here a broken one, refused with exit 2
    (tmp_path / "geoseg.toml").write_text("[areas\npath = 'x'", encoding="utf-8")
    for command in (["validate"], ["run"], ["trends"]):
        res = runner.invoke(main, command)
        assert res.exit_code == 2, (command, res.output)
        assert f"geoseg {command[0]}: no project file given; using ./geoseg.toml" in res.stderr
        assert "geoseg.toml" in res.output and "example_areas.gpkg" not in res.stdout
    assert not (tmp_path / "output").exists()
