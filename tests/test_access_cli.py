"""``geoseg access`` on a tiny project written to disk (OSM XML, GeoPackage, CSV, TOML)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from pyproj import Transformer

from geoseg.access.pipeline import JSON_KEYS

LATS = [57.700, 57.702, 57.704]
LONS = [11.960, 11.964, 11.968, 11.972]


def _osm() -> str:
    nodes, ways = [], []
    ids = {}
    k = 1
    for i, lat in enumerate(LATS):
        for j, lon in enumerate(LONS):
            ids[i, j] = k
            nodes.append(f'<node id="{k}" lat="{lat}" lon="{lon}" version="1"/>')
            k += 1
    w = 100
    for i in range(len(LATS)):
        refs = "".join(f'<nd ref="{ids[i, j]}"/>' for j in range(len(LONS)))
        ways.append(f'<way id="{w}" version="1">{refs}<tag k="highway" v="residential"/></way>')
        w += 1
    for j in range(len(LONS)):
        refs = "".join(f'<nd ref="{ids[i, j]}"/>' for i in range(len(LATS)))
        ways.append(f'<way id="{w}" version="1">{refs}<tag k="highway" v="footway"/></way>')
        w += 1
    body = "\n".join(nodes + ways)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n{body}\n</osm>\n'


@pytest.fixture
def project(tmp_path):
    to = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    x0, y0 = to.transform(LONS[0], LATS[0])
    x1, y1 = to.transform(LONS[-1], LATS[-1])
    xm = (x0 + x1) / 2
    areas = gpd.GeoDataFrame(
        {"code": ["0101", "0102"]},
        geometry=[
            shapely.box(x0 - 50, y0 - 50, xm, y1 + 50),
            shapely.box(xm, y0 - 50, x1 + 50, y1 + 50),
        ],
        crs="EPSG:3006",
    )
    areas.to_file(tmp_path / "areas.gpkg", layer="areas")
    (tmp_path / "streets.osm").write_text(_osm(), encoding="utf-8")
    (tmp_path / "reg.csv").write_text(
        "area_code;year;pop_total;age_0_5;age_6_15\n0101;2023;120;12;20\n0102;2023;80;4;10\n",
        encoding="utf-8",
    )
    (tmp_path / "services.csv").write_text(
        "service_id;kind;name;capacity;x;y\n"
        f"L1;library;Bibliotek;1;{x0 + 10:.1f};{y0 + 5:.1f}\n"
        f"F1;family_centre;Familjecentral;20;{x1 - 10:.1f};{y1 - 5:.1f}\n",
        encoding="utf-8",
    )
    (tmp_path / "geoseg.toml").write_text(
        """
[project]
name = "Test"
[areas]
path = "areas.gpkg"
id = "code"
[registers]
path = "reg.csv"
id = "area_code"
total = "pop_total"
counts = ["pop_total", "age_0_5", "age_6_15"]
[services]
path = "services.csv"
crs = "EPSG:3006"
[network]
path = "streets.osm"
""",
        encoding="utf-8",
    )
    return tmp_path / "geoseg.toml"


def test_cli_json_records(project, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOSEG_CACHE_DIR", str(tmp_path / "cache"))
    from geoseg.cli import main

    result = CliRunner().invoke(main, ["-q", "access", str(project), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert {tuple(sorted(r)) for r in records} == {tuple(sorted(JSON_KEYS))}
    assert {(r["id"], r["kind"]) for r in records} == {
        (a, k) for a in ("0101", "0102") for k in ("library", "family_centre")
    }
    lib = {r["id"]: r for r in records if r["kind"] == "library"}
    assert lib["0101"]["residents"] == pytest.approx(120)
    assert lib["0101"]["mean_minutes"] < lib["0102"]["mean_minutes"]
    assert 0 <= lib["0102"]["share_within"] <= 1
    # the network arrays were cached for the next run
    assert list((tmp_path / "cache").rglob("*.npz"))
    slow = CliRunner().invoke(
        main, ["-q", "access", str(project), "--format", "json", "--speed-kmh", "2.4"]
    )
    slow_lib = {r["id"]: r for r in json.loads(slow.stdout) if r["kind"] == "library"}
    assert slow_lib["0102"]["mean_minutes"] == pytest.approx(2 * lib["0102"]["mean_minutes"])
    bad = CliRunner().invoke(main, ["access", str(project), "--kind", "sauna"])
    assert bad.exit_code == 2 and "sauna" in bad.output
    assert np.isfinite(lib["0102"]["median_minutes"])
