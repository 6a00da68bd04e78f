"""Tests of geoseg.io.config and geoseg.io.project (read_config, load_project, validate)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoseg.errors import ConfigError, GeoSegError, NetworkError, ValidationError
from geoseg.io import load_project, read_config, validate_project
from geoseg.io.config import Project
from geoseg.settings import DEFAULT_SEED, WALK_SPEED_KMH

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
X0, Y0 = 319_000.0, 6_401_000.0
OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
<node id="1" lat="57.70" lon="11.95"/><node id="2" lat="57.70" lon="11.96"/>
<node id="3" lat="57.705" lon="11.96"/>
<way id="9"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>
"""

MINIMAL = """
[areas]
path = "areas.gpkg"
id = "code"

[registers]
path = "reg.csv"
id = "area_code"
"""


def make_project(folder: Path, extra: str = "", *, register: str | None = None) -> Path:
    """Write a tiny complete project (3 areas, register, services, network, grid)."""
    boxes = [shapely.box(X0 + i * 200, Y0 - 200, X0 + (i + 1) * 200, Y0) for i in range(3)]
    gpd.GeoDataFrame(
        {"code": ["01", "02", "03"], "name": ["Å", "B", "C"], "district_code": ["1", "1", "2"]},
        geometry=boxes,
        crs="EPSG:3006",
    ).to_file(folder / "areas.gpkg", layer="areas")
    text = register or (
        "area_code;year;pop_total;foreign_born;age_0_5;age_6_15;income\n"
        "01;2022;100;10;5;8;250,5\n02;2022;200;50;9;20;210\n03;2022;50;40;3;4;190\n"
        "01;2023;110;12;6;9;255\n02;2023;210;55;9;21;211\n099;2023;5;1;0;0;100\n"
    )
    (folder / "reg.csv").write_bytes(text.encode("utf-8-sig"))
    (folder / "services.csv").write_text(
        "service_id;kind;name;capacity;x;y\n"
        f"s1;library;Bibliotek;;{X0 + 100};{Y0 - 100}\n"
        f"s2;family_centre;Familjecentral;30;{X0 + 500};{Y0 - 100}\n"
    )
    (folder / "streets.osm").write_text(OSM)
    with rasterio.open(
        folder / "pop.tif",
        "w",
        driver="GTiff",
        height=2,
        width=6,
        count=1,
        dtype="float32",
        crs="EPSG:3006",
        transform=Affine(100, 0.0, X0, 0.0, -100, Y0),
        nodata=0,
    ) as dst:
        dst.write(np.arange(12, dtype="float32").reshape(2, 6), 1)
    toml = f"""
[project]
name = "Testby"
fictional = true

[areas]
path = "areas.gpkg"
layer = "areas"
id = "code"
name = "name"
district = "district_code"

[registers]
path = "reg.csv"
id = "area_code"
total = "pop_total"
groups = ["foreign_born"]
amounts = ["income"]
income = "income"

[services]
path = "services.csv"

[network]
path = "streets.osm"
clip = false

[population]
grid = "pop.tif"
{extra}
"""
    path = folder / "geoseg.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def test_read_config_defaults_and_paths(tmp_path):
    path = make_project(tmp_path)
    proj = read_config(path)
    assert isinstance(proj, Project)
    assert proj.project.name == "Testby" and proj.project.fictional is True
    assert proj.crs == "EPSG:3006" and proj.project.lang == "sv"
    assert proj.areas.path == tmp_path.resolve() / "areas.gpkg"
    assert proj.output == tmp_path.resolve() / "output"
    assert proj.registers.year == "year"
    assert proj.access.speed_kmh == WALK_SPEED_KMH
    assert proj.hotspots.seed == DEFAULT_SEED and proj.hotspots.weights == "queen"
    assert proj.services.kinds["family_centre"] == "age_0_5"
    assert proj.disclosure.threshold == 5
    assert proj.registers.count_columns(["age_0_5"]) == ["pop_total", "foreign_born", "age_0_5"]


def test_minimal_config(tmp_path):
    (tmp_path / "areas.gpkg").write_bytes(b"")
    (tmp_path / "reg.csv").write_bytes(b"")
    (tmp_path / "p.toml").write_text(MINIMAL)
    proj = read_config(tmp_path / "p.toml")
    assert proj.services.path is None and proj.network.path is None
    assert proj.population.grid is None


def test_config_problems_all_at_once(tmp_path):
    (tmp_path / "p.toml").write_text(
        """
[projekt]
name = "x"

[project]
crs = "EPSG:4326"
lang = "fi"

[areas]
path = "nope.gpkg"
idd = "code"

[registers]
path = "reg.csv"
id = 5

[access]
speed_kmh = "fast"
minutes = -1

[hotspots]
weights = "knn"
alpha = 2
rates = ["a/b"]
"""
    )
    with pytest.raises(ConfigError) as info:
        read_config(tmp_path / "p.toml")
    text = str(info.value)
    assert str(tmp_path / "p.toml") in text
    for part in [
        "unknown section [projekt] (did you mean 'project'?)",
        "geographic",
        "lang must be one of sv, en",
        "unknown key 'idd' (did you mean 'id'?)",
        "[areas] needs 'id'",
        "[registers] id must be a text, got 5",
        "[access] speed_kmh must be a number",
        "[access] minutes must be > 0",
        "weights must be queen",
        "alpha must lie between 0 and 1",
        "NUMERATOR:DENOMINATOR",
        "reg.csv not found",
    ]:
        assert part in text, part
    assert len(info.value.problems) >= 12


def test_every_problem_of_an_indicator_at_once(tmp_path):
    project = make_project(
        tmp_path,
        """
[indicators.fb]
numerator = "foreign_born"
denominatr = "pop_total"
kind = "percent"
worse = "high"
target_area = "living_env"

[indicators.rent]
kind = "share"
""",
    )
    with pytest.raises(ConfigError) as info:
        read_config(project)
    text = str(info.value)
    for part in [
        "[indicators.fb] unknown key(s) 'denominatr'",
        "[indicators.fb] kind must be one of share, rate, amount, got 'percent'",
        "[indicators.fb] worse must be one of higher, lower, none, got 'high'",
        "[indicators.fb] target_area must be one of start, work, living, participation, "
        "got 'living_env'",
        '[indicators.rent] needs numerator = "COLUMN"',
        '[indicators.rent] a share needs denominator = "COLUMN"',
    ]:
        assert part in text, part


def test_missing_sections_and_bad_files(tmp_path):
    (tmp_path / "p.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"\[areas\] needs 'path', 'id'.*section is missing"):
        read_config(tmp_path / "p.toml")
    with pytest.raises(ConfigError, match="not found"):
        read_config(tmp_path / "absent.toml")
    (tmp_path / "bad.toml").write_text("[areas\npath = ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config(tmp_path / "bad.toml")


def test_load_project(tmp_path):
    path = make_project(tmp_path)
    data = load_project(path)
    assert data.areas.index.tolist() == ["01", "02", "03"]
    assert data.register["area_code"].tolist()[-1] == "099"
    assert data.register["income"].iloc[0] == 250.5
    assert data.services.index.tolist() == ["s1", "s2"]
    assert data.grid["population"].sum() == sum(range(12))
    joined = "\n".join(data.warnings)
    assert "099" in joined and "no polygon" in joined
    assert "year 2023" in joined and "03" in joined
    # the network is read lazily: a file spoilt after loading only fails when it is needed
    (tmp_path / "streets.osm").rename(tmp_path / "streets.osm.good")
    (tmp_path / "streets.osm").write_text("<osm><node", encoding="utf-8")
    with pytest.raises(NetworkError):
        data.network(cache_dir=tmp_path / "spoilt")
    (tmp_path / "streets.osm").unlink()
    (tmp_path / "streets.osm.good").rename(tmp_path / "streets.osm")
    net = data.network(cache_dir=tmp_path / "cache")
    # one street 1-2-3: node 2 only shapes the line, so one edge between OSM nodes 1 and 3
    assert net.n_edges == 1 and data.network() is net
    assert sorted(net.node_ids.tolist()) == [1, 3]
    lines = validate_project(path, cache_dir=tmp_path / "cache")
    assert any(line.startswith("areas: 3 polygons") for line in lines)
    assert any("years 2022-2023" in line for line in lines)
    assert any(line.startswith("street network: 2 nodes, 1 edge,") for line in lines)
    assert "street network: 1 connected part; the largest holds 100.0% of the nodes" in lines
    assert any(line.startswith("warning:") and "099" in line for line in lines)


def test_load_project_cross_checks_all_at_once(tmp_path):
    register = "area_code;year;pop_total;foreign_born\n01;2022;10;20\n"
    path = make_project(
        tmp_path,
        '\n[hotspots]\nvariables = ["missing_var"]\n',
        register=register,
    )
    text = path.read_text().replace('district = "district_code"', 'district = "stadsdel"')
    path.write_text(text)
    (tmp_path / "services.csv").write_text("service_id;kind;x;y\na;pool;319000;6400900\n")
    with pytest.raises(ValidationError) as info:
        load_project(path)
    msg = str(info.value)
    assert "larger than the total" in msg  # register
    assert "'age_0_5'" in msg  # service demand column absent from the register
    assert "'pool'" in msg  # unknown service kind
    assert "'stadsdel'" in msg  # district column absent from the boundaries
    assert "'missing_var'" in msg  # hotspot variable
    assert "'income'" in msg  # [registers] amounts / income column missing


def test_project_without_network(tmp_path):
    path = make_project(tmp_path)
    path.write_text(path.read_text().replace('[network]\npath = "streets.osm"\nclip = false\n', ""))
    data = load_project(path)
    assert not data.has_network
    with pytest.raises(NetworkError, match="no street network"):
        data.network()


KEYS = st.sampled_from(
    [
        "path",
        "id",
        "name",
        "crs",
        "lang",
        "speed_kmh",
        "weights",
        "alpha",
        "threshold",
        "bogus",
        "groups",
        "kinds",
        "year",
    ]
)
VALUES = st.one_of(
    st.integers(-5, 5),
    st.floats(-1, 3, allow_nan=False),
    st.booleans(),
    st.text(alphabet="abcEPSG:0123456789./_", max_size=12),
    st.lists(st.text(alphabet="abc:", max_size=4), max_size=3),
)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return '"' + v + '"'


@SETTINGS
@given(
    doc=st.dictionaries(
        st.sampled_from(
            ["project", "areas", "registers", "access", "hotspots", "disclosure", "nonsense"]
        ),
        st.dictionaries(KEYS, VALUES, max_size=4),
        max_size=5,
    )
)
def test_property_config_documents(tmp_path_factory, doc):
    folder = tmp_path_factory.mktemp("cfg")
    path = folder / "geoseg.toml"
    text = "\n".join(
        f"[{section}]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in keys.items())
        for section, keys in doc.items()
    )
    path.write_text(text + "\n", encoding="utf-8")
    before = path.read_bytes()
    try:
        read_config(path)
    except ConfigError as exc:
        assert str(path) in str(exc)
    else:  # only possible when both data files exist, which they never do here
        pytest.fail("a project without existing area/register files was accepted")
    assert path.read_bytes() == before


@SETTINGS
@given(data=st.binary(max_size=300))
def test_property_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("rb") / "geoseg.toml"
    path.write_bytes(data)
    with pytest.raises(GeoSegError) as info:
        read_config(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == data


def _example_project(example_data: Path) -> Path:
    path = example_data / "geoseg.toml"
    assert path.is_file(), f"{path}: the shipped example city has no project file"
    return path


def test_example_city_project(example_data):
    data = load_project(_example_project(example_data))
    assert data.project.project.fictional is True
    assert len(data.areas) > 0 and all(isinstance(c, str) for c in data.areas.index)
    assert set(data.register["area_code"]) == set(data.areas.index)
    assert data.warnings == []
    assert set(data.services["kind"]) <= set(data.project.services.kinds)
    assert data.grid is not None and (data.grid["population"] > 0).all()


@pytest.mark.slow
def test_example_city_network(example_data, tmp_path):
    data = load_project(_example_project(example_data))
    net = data.network(cache_dir=tmp_path)
    assert net.n_edges > 1000
    assert (net.edge_length > 0).all()
    assert net.info["clipped"] and net.info["ways_cut"] == 0


def _write_buildings(folder: Path) -> Path:
    """Two footprints inside area 01 and one far outside every area, with dwellings."""
    path = folder / "buildings.gpkg"
    gpd.GeoDataFrame(
        {"dwellings": [4.0, 12.0, 3.0]},
        geometry=[
            shapely.box(X0 + 20, Y0 - 60, X0 + 40, Y0 - 40),
            shapely.box(X0 + 120, Y0 - 160, X0 + 150, Y0 - 130),
            shapely.box(X0 + 5000, Y0 - 60, X0 + 5020, Y0 - 40),
        ],
        crs="EPSG:3006",
    ).to_file(path, layer="hus")
    return path


def test_population_buildings_keys(tmp_path):
    _write_buildings(tmp_path)
    extra = (
        'buildings = "buildings.gpkg"\nbuildings_layer = "hus"\nbuildings_weight = "dwellings"\n'
    )
    path = make_project(tmp_path, extra)
    proj = read_config(path)
    assert proj.population.buildings == tmp_path.resolve() / "buildings.gpkg"
    assert proj.population.buildings_layer == "hus"
    assert proj.population.buildings_weight == "dwellings"
    assert proj.population.grid == tmp_path.resolve() / "pop.tif"
    data = load_project(path)
    assert data.buildings is not None and data.buildings["weight"].tolist() == [4.0, 12.0, 3.0]
    assert data.buildings.crs.to_epsg() == 3006
    outside = [w for w in data.warnings if "buildings.gpkg" in w]
    assert len(outside) == 1 and "1 of 3 buildings (33.3%) lie outside every area" in outside[0]
    lines = validate_project(path, network=False)
    expected = (
        f"buildings: 3 footprints from {proj.population.buildings} (weight column 'dwellings')"
    )
    assert expected in lines


def test_population_buildings_default_none(tmp_path):
    data = load_project(make_project(tmp_path))
    assert data.project.population.buildings is None
    assert data.project.population.buildings_weight is None
    assert data.buildings is None
    assert not any(line.startswith("buildings:") for line in validate_project(data.project.path))


def test_population_buildings_missing_file_and_wrong_types(tmp_path):
    path = make_project(tmp_path, 'buildings = "hus.gpkg"\nbuildings_weight = 5\n')
    with pytest.raises(ConfigError) as info:
        read_config(path)
    problems = info.value.problems
    assert f"[population] buildings: file {tmp_path.resolve() / 'hus.gpkg'} not found" in problems
    assert "[population] buildings_weight must be a text, got 5" in problems
    assert len(problems) == 2
    path = make_project(tmp_path, "buildings = 3\nbuildings_layer = 'hus'\nbuildngs = 'x'\n")
    with pytest.raises(ConfigError) as info:
        read_config(path)
    problems = info.value.problems
    assert "[population] buildings must be a path (text), got 3" in problems
    assert "[population] buildings_layer is set but buildings (the file) is not" in problems
    assert any("unknown key 'buildngs' (did you mean 'buildings'?)" in p for p in problems)


def test_population_buildings_problems_reach_load_project(tmp_path):
    _write_buildings(tmp_path)
    path = make_project(tmp_path, 'buildings = "buildings.gpkg"\nbuildings_weight = "dwelings"\n')
    with pytest.raises(ValidationError) as info:
        load_project(path)
    text = str(info.value)
    assert "buildings.gpkg" in text and "did you mean 'dwellings'" in text
