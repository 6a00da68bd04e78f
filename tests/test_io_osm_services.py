"""Services from an OSM extract's tags ([services.osm]), alone and with the city's own list."""

from __future__ import annotations

import numpy as np
import osmium
import pytest
import shapely
from _osm import to_pbf
from pyproj import Transformer

from geoseg.errors import ConfigError, InputError
from geoseg.example import generate_city
from geoseg.io import load_project, read_config, validate_project
from geoseg.io.osm_services import OSM_SERVICE_TAGS, read_osm_services

TO_LONLAT = Transformer.from_crs(3006, 4326, always_xy=True)
X0, Y0 = 319_000.0, 6_400_000.0


def _lonlat(x, y):
    lon, lat = TO_LONLAT.transform(x, y)
    return float(lon), float(lat)


def _write(path, *, streets=None):
    """Amenities as nodes, closed ways and a multipolygon relation (and the given streets)."""
    node = osmium.osm.mutable.Node
    way = osmium.osm.mutable.Way
    objs_nodes, objs_ways = [], []
    if streets is not None:
        for obj in osmium.FileProcessor(str(streets)):
            tags = {t.k: t.v for t in obj.tags}
            if obj.is_node():
                loc = (obj.location.lon, obj.location.lat)
                objs_nodes.append(node(id=obj.id, version=1, location=loc, tags=tags))
            else:
                refs = [n.ref for n in obj.nodes]
                objs_ways.append(way(id=obj.id, version=1, nodes=refs, tags=tags))

    def at(i, dx, dy, **tags):
        objs_nodes.append(node(id=i, version=1, location=_lonlat(X0 + dx, Y0 + dy), tags=tags))

    at(9001, 0, 0, amenity="library", name="Stadsbiblioteket", capacity="120")
    at(9002, 100, 0, amenity="doctors", name="Vårdcentralen")
    at(9003, 200, 0, amenity="cafe", name="Not a service")
    at(9004, 300, 0, amenity="community_centre", **{"community_centre": "youth_centre"})
    at(9005, 400, 0, leisure="playground", capacity="many")
    # a closed way: a community centre's building
    square = [(500, 0), (560, 0), (560, 60), (500, 60)]
    for k, (dx, dy) in enumerate(square):
        at(9100 + k, dx, dy)
    objs_ways.append(
        way(
            id=9200,
            version=1,
            nodes=[9100, 9101, 9102, 9103, 9100],
            tags={"amenity": "community_centre", "name": "Folkets hus"},
        )
    )
    # a school drawn as a multipolygon relation of two open ways
    for k, (dx, dy) in enumerate([(700, 0), (800, 0), (800, 100), (700, 100)]):
        at(9300 + k, dx, dy)
    objs_ways.append(way(id=9400, version=1, nodes=[9300, 9301, 9302], tags={}))
    objs_ways.append(way(id=9401, version=1, nodes=[9302, 9303, 9300], tags={}))
    rel = osmium.osm.mutable.Relation(
        id=9500,
        version=1,
        members=[("w", 9400, "outer"), ("w", 9401, "outer")],
        tags={"type": "multipolygon", "amenity": "school", "name": "Skolan"},
    )
    objs_nodes.sort(key=lambda o: o.id)
    objs_ways.sort(key=lambda o: o.id)
    with osmium.SimpleWriter(str(path)) as writer:
        for obj in [*objs_nodes, *objs_ways, rel]:
            writer.add(obj)
    return path


ALL = {kind: ["default"] for kind in OSM_SERVICE_TAGS}


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_services_from_tags(tmp_path, suffix):
    path = _write(tmp_path / f"amenities{suffix}")
    got = read_osm_services(path, ALL)
    pairs = sorted(zip(got["service_id"], got["kind"], strict=True))
    assert pairs == [
        ("osm/node/9001", "library"),
        ("osm/node/9002", "health_centre"),
        ("osm/node/9004", "youth_centre"),
        ("osm/node/9005", "playground"),
        ("osm/relation/9500", "school"),
        ("osm/way/9200", "meeting_place"),
    ]
    assert (got["source"] == "osm").all() and got.crs.to_epsg() == 3006
    lib = got.loc["osm/node/9001"]
    assert lib["name"] == "Stadsbiblioteket" and lib["capacity"] == 120.0
    assert lib.geometry.distance(shapely.Point(X0, Y0)) < 0.05
    assert np.isnan(got.loc["osm/node/9005", "capacity"])  # "many" is no number
    assert got.loc["osm/node/9004", "name"] == "youth_centre osm/node/9004"
    hall = got.loc["osm/way/9200"].geometry
    assert shapely.box(X0 + 499, Y0 - 1, X0 + 561, Y0 + 61).contains(hall)
    school = got.loc["osm/relation/9500"].geometry
    assert shapely.box(X0 + 699, Y0 - 1, X0 + 801, Y0 + 101).contains(school)


def test_own_filters_and_clip(tmp_path):
    path = _write(tmp_path / "amenities.osm.pbf")
    got = read_osm_services(
        path,
        {"library": ["amenity=library", "amenity=cafe+name=*"], "meeting_place": ["default"]},
        clip=shapely.box(X0 - 10, Y0 - 10, X0 + 250, Y0 + 10),
        buffer_m=5.0,
    )
    assert sorted(got["service_id"]) == ["osm/node/9001", "osm/node/9003"]  # hall clipped away


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"family_centre": ["default"]}, "family_centre: has no default OSM tags"),
        ({"library": ["amenity"]}, "write conditions as key=value"),
        ({"library": ["amenity!=library"]}, "needs at least one key=value"),
    ],
)
def test_bad_filters(tmp_path, tags, expected):
    with pytest.raises(InputError, match=expected):
        read_osm_services(_write(tmp_path / "a.osm.pbf"), tags)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    generate_city(out, areas=12, seed=7)
    return out


def _project(city, tmp_path, extra):
    areas = city / "boundaries/example_areas.gpkg"
    import geopandas as gpd

    x, y = gpd.read_file(areas).union_all().representative_point().coords[0]
    global X0, Y0
    X0, Y0 = x, y
    _write(tmp_path / "city.osm", streets=city / "network/example_streets.osm.pbf")
    to_pbf(tmp_path / "city.osm", tmp_path / "city.osm.pbf")
    text = (city / "geoseg.toml").read_text(encoding="utf-8")
    text = text.replace('path = "network/example_streets.osm.pbf"', 'path = "city.osm.pbf"')
    for folder in ("boundaries", "registers", "services", "population"):
        text = text.replace(f'"{folder}/', f'"{city / folder}/')
    text = text.replace("[network]", extra + "\n[network]")
    path = tmp_path / "geoseg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_takes_osm_services_alongside_its_list(city, tmp_path):
    extra = (
        '[services.osm]\nlibrary = ["default"]\nmeeting_place = ["default", "amenity=doctors"]\n'
    )
    path = _project(city, tmp_path, extra)
    data = load_project(path)
    s = data.services
    listed = s[s["source"] == "example_services.csv"]
    osm = s[s["source"] == "osm"]
    assert len(listed) == len(
        __import__("pandas").read_csv(city / "services/example_services.csv", sep=";")
    )
    assert sorted(zip(osm.index, osm["kind"], strict=True)) == [
        ("osm/node/9001", "library"),
        ("osm/node/9002", "meeting_place"),
        ("osm/way/9200", "meeting_place"),
    ]
    lines = validate_project(path, cache_dir=tmp_path / "cache")
    assert any(
        line.startswith("services: 3 (library 1, meeting_place 2) from OSM tags") for line in lines
    )


def test_project_file_checks_osm_services(city, tmp_path):
    extra = '[services.osm]\nschool = ["default"]\nlibrary = ["amenity"]\n'
    path = _project(city, tmp_path, extra)
    with pytest.raises(ConfigError) as info:
        read_config(path)
    msg = str(info.value)
    assert "[services.osm] school: not a kind of [services.kinds]" in msg
    assert "[services.osm] library: tag filter 'amenity'" in msg
