"""Reading plan files and rules files: every problem reported at once."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from _fixtures import write_features

from geoseg.errors import InputError, PlanError
from geoseg.io import load_project, read_plan, read_rules, write_plan
from geoseg.io.rules import default_rules
from geoseg.plans import compute_baseline


@pytest.fixture(scope="module")
def baseline(example_data):
    return compute_baseline(load_project(example_data / "geoseg.toml"))


def test_every_problem_is_reported_at_once(baseline, tmp_path):
    far = shapely.Point(330000, 6420000)
    rows = [
        {"action": "build_tower", "geometry": shapely.Point(321000, 6402000)},
        {
            "action": "add_service",
            "kind": "family_centre",
            "capacity": None,
            "geometry": shapely.Point(321000, 6402000),
        },
        {
            "action": "add_service",
            "kind": "",
            "capacity": 10.0,
            "geometry": shapely.LineString([(321000, 6402000), (321100, 6402000)]),
        },
        {
            "action": "add_service",
            "kind": "swimming_pool",
            "capacity": 10.0,
            "geometry": shapely.Point(321000, 6402000),
        },
        {"action": "remove_service", "service_id": "XX999", "geometry": None},
        {"action": "remove_service", "name": "Ingen sådan plats", "geometry": None},
        {
            "action": "add_path",
            "name": "bro",
            "geometry": shapely.LineString([(321000, 6402000), (far.x, far.y)]),
        },
        {"action": "close_path", "geometry": shapely.Point(321000, 6402000)},
        {"action": "add_housing", "residents": -5.0, "geometry": shapely.Point(321000, 6402000)},
        {
            "action": "add_housing",
            "residents": 100.0,
            "age_0_5": 80.0,
            "age_65_plus": 40.0,
            "geometry": shapely.Point(321000, 6402000),
        },
        {"action": "add_housing", "residents": 100.0, "geometry": far},
    ]
    with pytest.raises(PlanError) as info:
        read_plan(write_features(tmp_path / "bad.gpkg", rows), baseline=baseline)
    text = str(info.value)
    assert "11 problems" in text or "12 problems" in text or "13 problems" in text
    for needle in [
        "feature 1",
        "unknown action 'build_tower'",
        "feature 2",
        "'capacity' must be a positive number",
        "feature 3",
        "missing 'kind'",
        "needs a Point",
        "feature 4",
        "'swimming_pool' is not among",
        "feature 5",
        "no service with service_id 'XX999'",
        "feature 6",
        "no service named 'Ingen sådan plats'",
        "feature 7",
        "from any open street",
        "feature 8",
        "needs a LineString or MultiLineString or Polygon",
        "feature 9",
        "'residents' must be a positive number",
        "feature 10",
        "age bands add up to 120",
        "feature 11",
        "outside every area",
    ]:
        assert needle in text, needle


def test_crossing_polygon_and_missing_numbers_are_named(baseline, tmp_path):
    # a bow-tie: its edges cross at (321100, 6402100), so it is not a valid polygon
    bowtie = shapely.Polygon(
        [(321000, 6402000), (321200, 6402200), (321200, 6402000), (321000, 6402200)]
    )
    assert not bowtie.is_valid
    square = shapely.box(321000, 6402000, 321200, 6402200)
    rows = [
        {"action": "add_housing", "residents": 100.0, "capacity": 1.0, "geometry": bowtie},
        {"action": "close_path", "residents": None, "capacity": None, "geometry": bowtie},
        {"action": "add_service", "kind": "library", "capacity": None, "geometry": square.centroid},
        {"action": "add_housing", "residents": None, "capacity": None, "geometry": square},
    ]
    with pytest.raises(PlanError) as info:
        read_plan(write_features(tmp_path / "bad.gpkg", rows), baseline=baseline)
    lines = str(info.value).splitlines()[1:]
    crossing = [s for s in lines if "Polygon is not valid (Self-intersection" in s]
    assert [s.split(" (")[0].strip(" -") for s in crossing] == ["feature 1", "feature 2"]
    missing = [s for s in lines if "must be a positive number, but the feature has none" in s]
    assert [s.split(" (")[0].strip(" -") for s in missing] == ["feature 3", "feature 4"]
    assert "'capacity'" in missing[0] and "'residents'" in missing[1]
    assert len(lines) == 4  # the valid square is not reported
    # the same square, drawn the right way, is read
    ok = write_features(tmp_path / "ok.gpkg", [{**rows[3], "residents": 100.0}])
    assert read_plan(ok, baseline=baseline).features.geometry.iloc[0].equals(square)


def test_unreadable_plan_names_the_file_without_gdal_driver_advice(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        read_plan(path)
    text = str(info.value)
    assert text.startswith(f"{path}: cannot read the plan (")
    assert text.endswith("save it as GeoJSON or GeoPackage.")
    assert "DRIVER" not in text and "It might help" not in text


def test_geojson_in_longitude_latitude_is_reprojected(baseline, tmp_path):
    p = shapely.Point(321950, 6402050)
    path = tmp_path / "plan.geojson"
    gpd.GeoDataFrame(
        {"action": ["add_service"], "kind": ["library"], "capacity": [3]},
        geometry=[p],
        crs="EPSG:3006",
    ).to_crs(4326).to_file(path, driver="GeoJSON")
    plan = read_plan(path, baseline=baseline)
    assert plan.features.crs.equals("EPSG:3006")
    assert plan.features.geometry.iloc[0].distance(p) < 0.01


def test_missing_file_and_missing_action(tmp_path):
    with pytest.raises(PlanError, match="not found"):
        read_plan(tmp_path / "nope.geojson")
    path = write_features(tmp_path / "x.gpkg", [{"kind": "a", "geometry": shapely.Point(0, 0)}])
    with pytest.raises(PlanError, match="no 'action' property"):
        read_plan(path)


def test_remove_by_ambiguous_or_repeated_name(baseline, tmp_path):
    name = str(baseline.services.loc["MP007", "name"])
    rows = [
        {"action": "remove_service", "name": name, "geometry": None},
        {"action": "remove_service", "service_id": "MP007", "geometry": None},
    ]
    with pytest.raises(PlanError, match="already closed by feature 1"):
        read_plan(write_features(tmp_path / "dup.gpkg", rows), baseline=baseline)


def test_rules_defaults_and_overrides(tmp_path):
    assert read_rules(None) == default_rules()
    path = tmp_path / "r.toml"
    path.write_text("[max_minutes_increase]\nminutes = 2.5\n[meeting_place]\nenabled = false\n")
    rules = read_rules(path)
    assert rules.max_minutes_increase.minutes == 2.5
    assert not rules.meeting_place.enabled
    assert rules.equity_gap == default_rules().equity_gap
    for r in (rules.max_minutes_increase, rules.family_centre_share, rules.equity_gap):
        assert r.protects  # each rule names what it protects


def test_rules_problems_all_at_once(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(
        "[max_minutes_increase]\nminutes = 'five'\ntypo = 1\n"
        "[family_centre_share]\nmin_share = 1.5\n[no_such_rule]\nx = 1\n"
    )
    with pytest.raises(PlanError) as info:
        read_rules(path)
    text = str(info.value)
    assert "4 problems" in text
    assert "must be a number" in text and "unknown key 'typo'" in text
    assert "between 0 and 1" in text and "unknown section [no_such_rule]" in text


def test_shipped_rules_file_equals_the_defaults(example_data):
    rules = read_rules(example_data / "plans" / "rules.toml")
    d = default_rules()
    assert (
        rules.max_minutes_increase,
        rules.family_centre_share,
        rules.equity_gap,
        rules.meeting_place,
    ) == (d.max_minutes_increase, d.family_centre_share, d.equity_gap, d.meeting_place)


def test_a_closure_takes_the_location_of_the_service_it_closes(baseline, tmp_path, caplog):
    """A closure is drawn where the service is: its own point (2 km off) is replaced, with a
    warning, and a closure without geometry (as suggest-sites writes) gets one."""
    services = baseline.services
    meeting = [s for s in services.index if str(services.loc[s, "kind"]) == "meeting_place"]
    far, bare = meeting[0], meeting[1]
    spot = services.geometry.loc[far]
    rows = [
        {
            "action": "remove_service",
            "service_id": far,
            "geometry": shapely.Point(spot.x + 2000.0, spot.y),
        },
        {"action": "remove_service", "service_id": bare, "geometry": None},
    ]
    with caplog.at_level("WARNING"):
        plan = read_plan(write_features(tmp_path / "close.gpkg", rows), baseline=baseline)
    got = plan.of("remove_service")
    assert shapely.equals(got.geometry.iloc[0], spot)
    assert shapely.equals(got.geometry.iloc[1], services.geometry.loc[bare])
    assert f"2000 m from service {far}" in caplog.text
    assert str(bare) not in caplog.text  # no geometry of its own: nothing to warn about


def test_written_plan_reads_back_and_keeps_user_files(tmp_path):
    rows = [
        {
            "action": "add_service",
            "kind": "library",
            "capacity": 3.0,
            "name": "Ny",
            "geometry": shapely.Point(319_500.0, 6_399_800.0),
        },
        {
            "action": "add_path",
            "name": "Bro",
            "geometry": shapely.LineString([(319_000.0, 6_399_000.0), (319_100.0, 6_399_050.0)]),
        },
    ]
    features = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r["geometry"] for r in rows],
        crs="EPSG:3006",
    )
    path = tmp_path / "suggestion.geojson"
    assert write_plan(features, path) == path
    raw = gpd.read_file(path)
    assert raw.crs.to_epsg() == 4326  # RFC 7946: longitude/latitude
    plan = read_plan(path, crs="EPSG:3006")
    assert list(plan.features["action"]) == ["add_service", "add_path"]
    assert list(plan.features["name"]) == ["Ny", "Bro"]
    assert plan.features["capacity"].iloc[0] == 3.0
    for got, want in zip(plan.features.geometry, features.geometry, strict=True):
        assert shapely.equals_exact(got, want, tolerance=1e-3)
    before = path.read_bytes()
    with pytest.raises(InputError, match="exists; pass --overwrite"):
        write_plan(features.iloc[:1], path)
    assert path.read_bytes() == before
    with pytest.raises(InputError, match="is an input file"):
        write_plan(features, path, overwrite=True, inputs=[path])
    with pytest.raises(PlanError, match=r"plan\.gpkg: a plan is written as GeoJSON"):
        write_plan(features, tmp_path / "plan.gpkg")
