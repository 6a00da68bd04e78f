"""`access`, `check-plan` and `suggest-sites` follow `[project] level` (or --level), as run does."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from _fixtures import write_features
from _smallcity import make_city
from click.testing import CliRunner
from shapely.geometry import Point

from geoseg.cli import main
from geoseg.io import read_config


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """The example city with its districts declared as the default level."""
    config = make_city(tmp_path_factory.mktemp("levels") / "city", areas=12)
    text = config.read_text(encoding="utf-8")
    text = text.replace('lang = "sv"\n', 'lang = "sv"\nlevel = "district"\n', 1)
    text += (
        '\n[levels.area]\nlabel_en = "Area"\nparent = "district"\nparent_id = "district_code"\n'
        '\n[levels.district]\nlabel_en = "District"\npath = "boundaries/example_districts.gpkg"\n'
        'layer = "districts"\nid = "district_code"\n'
    )
    config.write_text(text, encoding="utf-8")
    return config


def _codes(city: Path) -> tuple[set[str], set[str]]:
    project = read_config(city)
    areas = gpd.read_file(project.areas.path, layer=project.areas.layer)
    return set(areas[project.areas.id].astype(str)), set(areas["district_code"].astype(str))


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_access_follows_the_project_level(city):
    areas, districts = _codes(city)
    res = invoke("-q", "access", city, "--format", "json")
    assert res.exit_code == 0, res.output
    assert {r["id"] for r in json.loads(res.stdout)} == districts
    res = invoke("-q", "access", city, "--level", "area", "--format", "json")
    assert res.exit_code == 0, res.output
    assert {r["id"] for r in json.loads(res.stdout)} == areas


def test_check_plan_follows_the_project_level(city, tmp_path):
    areas, districts = _codes(city)
    project = read_config(city)
    services = pd.read_csv(project.services.path, sep=";")
    first = services.iloc[0]
    plan = write_features(
        tmp_path / "plan.gpkg",
        [
            {
                "action": "add_service",
                "kind": str(first["kind"]),
                "name": "new",
                "capacity": 100,
                "geometry": Point(float(first["x"]) + 30.0, float(first["y"])),
            }
        ],
    )
    for level, expected in ((None, districts), ("area", areas)):
        out = tmp_path / f"check-{level}.json"
        extra = ("--level", level) if level else ()
        res = invoke("-q", "check-plan", plan, "--config", city, *extra, "-o", out)
        assert res.exit_code in (0, 1), res.output
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert {str(a["id"]) for a in doc["areas"]} == expected


def test_suggest_sites_follows_the_project_level(city, tmp_path):
    _, districts = _codes(city)
    within = ",".join(sorted(districts)[:2])
    args = (
        "-q",
        "suggest-sites",
        "--config",
        city,
        "--count",
        "1",
        "--within",
        within,
        "--format",
        "json",
    )
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    # the districts' codes are not codes of the [areas] level
    res = invoke(*args, "--level", "area")
    assert res.exit_code == 2
    assert f"area codes {within.replace(',', ', ')} are not among" in res.output
