"""Tests of the example city generator (geoseg.example) and its CLI command."""

from __future__ import annotations

import bz2
import hashlib
import re
import time
import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from libpysal.weights import Queen

from geoseg.errors import InputError
from geoseg.example import CITY_FILES, example_config, generate_city

REPO = Path(__file__).resolve().parent.parent
REGISTER_COLUMNS = [
    "area_code", "year", "pop_total", "born_sweden", "foreign_born", "born_nordic",
    "born_europe", "born_outside_europe", "age_0_5", "age_6_15", "age_16_19", "age_20_64",
    "age_65_plus", "employed_20_64", "low_economic_standard", "median_income_tkr",
    "dwellings_rental", "dwellings_tenant_owned", "dwellings_owner_occupied", "voter_turnout",
]  # fmt: skip
SMALL = 12

pytestmark = pytest.mark.filterwarnings("ignore:The weights matrix is not fully connected")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _content(path: Path) -> object:
    """What a generated file holds, read back with the reader of its format (not its bytes).

    GeoPackages: every layer's columns, values, geometries (WKB) and CRS; the GeoTIFF: its
    bands, transform, CRS and nodata; the OSM files: their decompressed XML, and every node's
    location and every way's nodes and tags; CSV and TOML: their parsed rows and tables.
    """
    name = path.name
    if name.endswith(".gpkg"):
        layers = {}
        for layer, _ in pyogrio.list_layers(path):
            gdf = gpd.read_file(path, layer=layer)
            attrs = pd.DataFrame(gdf.drop(columns="geometry"))
            layers[layer] = (
                gdf.crs.to_wkt() if gdf.crs is not None else None,
                attrs.to_dict("list"),
                shapely.to_wkb(gdf.geometry.to_numpy(), hex=True).tolist(),
            )
        return layers
    if name.endswith(".tif"):
        with rasterio.open(path) as src:
            return (src.read().tolist(), tuple(src.transform), src.crs.to_wkt(), src.nodata)
    if name.endswith(".osm.bz2"):
        return bz2.decompress(path.read_bytes()).decode("utf-8")
    if name.endswith(".osm.pbf"):
        nodes, ways = [], []
        for obj in osmium.FileProcessor(str(path)):
            tags = sorted((t.k, t.v) for t in obj.tags)
            if obj.is_node():
                nodes.append((obj.id, obj.location.lon, obj.location.lat, tags))
            elif obj.is_way():
                ways.append((obj.id, [n.ref for n in obj.nodes], tags))
        return nodes, ways
    if name.endswith(".csv"):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return frame.to_dict("list")
    if name.endswith(".toml"):
        return tomllib.loads(path.read_text(encoding="utf-8"))
    raise AssertionError(f"{path}: no content reader for this file type")


def _registers(folder: Path) -> pd.DataFrame:
    return pd.read_csv(
        folder / "registers/example_registers.csv",
        sep=";",
        decimal=",",
        encoding="utf-8-sig",
        dtype={"area_code": str},
    )


def _areas(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / "boundaries/example_areas.gpkg", layer="areas")


def _water(folder: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(folder / "boundaries/example_water.gpkg", layer="water")


def _graph(folder: Path) -> nx.MultiDiGraph:
    G = ox.graph_from_xml(
        folder / "network/example_streets.osm.bz2", simplify=True, retain_all=True
    )
    return ox.project_graph(G, to_crs="EPSG:3006")


def _island_positions(areas: gpd.GeoDataFrame) -> set[int]:
    """Areas that touch no other area (shapely oracle, independent of libpysal)."""
    geoms = areas.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    touching = {int(i) for i, j in zip(left, right, strict=True) if i != j}
    return set(range(len(areas))) - touching


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("city")
    generate_city(out, areas=SMALL, seed=7)
    return out


@pytest.fixture(scope="module")
def graph(city: Path) -> nx.MultiDiGraph:
    return _graph(city)


# --- files, determinism, folder handling ---------------------------------------------------


def test_writes_exactly_the_project_files(city: Path) -> None:
    assert sorted(_hashes(city)) == sorted(CITY_FILES)


def test_same_seed_gives_identical_bytes(city: Path, tmp_path: Path) -> None:
    generate_city(tmp_path / "again", areas=SMALL, seed=7)
    assert _hashes(tmp_path / "again") == _hashes(city)
    generate_city(tmp_path / "other", areas=SMALL, seed=8)
    other = _hashes(tmp_path / "other")
    assert (
        other["registers/example_registers.csv"] != _hashes(city)["registers/example_registers.csv"]
    )


def test_refuses_non_empty_folder_and_overwrites_only_own_files(tmp_path: Path) -> None:
    keep = tmp_path / "plans" / "mine.geojson"
    keep.parent.mkdir()
    keep.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        generate_city(tmp_path, areas=10, seed=1)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["mine.geojson"]
    generate_city(tmp_path, areas=10, seed=1, overwrite=True)
    first = _hashes(tmp_path)
    generate_city(tmp_path, areas=10, seed=1, overwrite=True)
    assert _hashes(tmp_path) == first
    assert keep.read_text(encoding="utf-8") == "{}"
    assert set(first) == {*CITY_FILES, "plans/mine.geojson"}


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"areas": 3}, "areas must be between"), ({"seed": -1}, "seed must be")],
)
def test_bad_arguments_are_input_errors(tmp_path: Path, kwargs: dict, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        generate_city(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()


# --- boundaries -----------------------------------------------------------------------------


def test_area_layers_follow_the_data_model(city: Path) -> None:
    for name, layer in [("areas", "areas"), ("districts", "districts"), ("water", "water")]:
        layers = pyogrio.list_layers(city / f"boundaries/example_{name}.gpkg")
        assert [row[0] for row in layers] == [layer]
    areas = _areas(city)
    assert list(areas.columns) == ["code", "name", "district_code", "district_name", "geometry"]
    assert areas.crs.to_epsg() == 3006
    assert len(areas) == SMALL
    assert areas["code"].map(type).eq(str).all() and areas["code"].is_unique
    assert areas["code"].str.startswith("0").any()
    assert areas["name"].is_unique
    assert sorted(areas["district_code"].unique()) == ["1", "2", "3", "4"]
    assert areas.groupby("district_code")["district_name"].nunique().eq(1).all()
    assert areas.is_valid.all() and (areas.geom_type == "Polygon").all()
    x, y = areas.union_all().centroid.coords[0]
    assert 250_000 < x < 400_000 and 6_300_000 < y < 6_500_000
    districts = gpd.read_file(city / "boundaries/example_districts.gpkg", layer="districts")
    assert list(districts.columns) == ["district_code", "district_name", "geometry"]
    assert districts["district_code"].tolist() == ["1", "2", "3", "4"]
    assert districts.area.sum() == pytest.approx(areas.area.sum(), rel=1e-6)


def test_areas_do_not_overlap_and_are_land_only(city: Path) -> None:
    areas = _areas(city)
    water = _water(city)
    assert sorted(water["kind"]) == ["river", "sea"]
    assert areas.union_all().area == pytest.approx(areas.area.sum(), rel=1e-7)
    wet = shapely.intersection(areas.union_all(), water.union_all()).area
    assert wet < 1e-6 * areas.area.sum()


def test_names_are_swedish_with_special_letters(example_data: Path) -> None:
    names = "".join(_areas(example_data)["name"])
    assert {"å", "ä", "ö"} <= set(names.lower())


def test_island_areas_have_no_queen_neighbours(city: Path, example_data: Path) -> None:
    for folder in (city, example_data):
        areas = _areas(folder)
        w = Queen.from_dataframe(areas, use_index=False)
        oracle = _island_positions(areas)
        assert set(w.islands) == oracle
        assert len(oracle) >= 3
        sea = _water(folder).query("kind == 'sea'").union_all()
        for i in oracle:  # surrounded by sea
            ring = areas.geometry.iloc[i].buffer(30.0).difference(areas.geometry.iloc[i])
            assert ring.difference(sea).area < 1e-3 * ring.area


def test_river_splits_the_mainland(city: Path) -> None:
    areas = _areas(city)
    river = _water(city).query("kind == 'river'").union_all()
    w = Queen.from_dataframe(areas, use_index=False)
    mainland = [c for c in set(w.component_labels) if (w.component_labels == c).sum() > 1]
    assert len(mainland) == 2
    for c in mainland:  # both banks border the river
        part = areas[w.component_labels == c].union_all()
        assert part.distance(river) < 1.0


# --- registers --------------------------------------------------------------------------------


def test_register_is_a_swedish_export(city: Path) -> None:
    raw = (city / "registers/example_registers.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(REGISTER_COLUMNS)
    assert re.search(r";\d+,\d;", text)  # decimal comma
    reg = _registers(city)
    assert list(reg.columns) == REGISTER_COLUMNS
    assert reg["area_code"].str.startswith("0").any()
    assert reg["median_income_tkr"].dtype == float


def test_register_covers_every_area_and_year(city: Path) -> None:
    reg = _registers(city)
    codes = set(_areas(city)["code"])
    assert set(reg["area_code"]) == codes
    assert sorted(reg["year"].unique()) == list(range(2018, 2024))
    assert len(reg) == len(codes) * 6
    assert not reg.duplicated(["area_code", "year"]).any()
    election = reg["year"].isin([2018, 2022])
    assert reg.loc[~election, "voter_turnout"].isna().all()
    assert reg.loc[election, "voter_turnout"].between(0, 100).all()
    assert reg.drop(columns="voter_turnout").notna().all().all()


def test_register_counts_are_consistent(city: Path, example_data: Path) -> None:
    for folder in (city, example_data):
        r = _registers(folder)
        ages = ["age_0_5", "age_6_15", "age_16_19", "age_20_64", "age_65_plus"]
        assert (r[ages].sum(axis=1) == r["pop_total"]).all()
        assert (r["born_sweden"] + r["foreign_born"] == r["pop_total"]).all()
        regions = r["born_nordic"] + r["born_europe"] + r["born_outside_europe"]
        assert (regions == r["foreign_born"]).all()
        assert (r["employed_20_64"] <= r["age_20_64"]).all()
        assert (r["low_economic_standard"] <= r["pop_total"]).all()
        counts = [
            c for c in REGISTER_COLUMNS[2:] if c not in ("median_income_tkr", "voter_turnout")
        ]
        assert (r[counts] >= 0).all().all()
        assert (r[counts] == r[counts].round()).all().all()


def test_register_has_small_counts_and_typical_sizes(example_data: Path) -> None:
    r = _registers(example_data)
    latest = r[r["year"] == 2023]
    assert (latest["pop_total"] < 5).sum() >= 1
    assert latest["pop_total"].between(500, 8000).mean() > 0.8


def _dissimilarity(x: np.ndarray, t: np.ndarray) -> float:
    """Duncan & Duncan (1955): D = 1/2 sum |x_i/X - (t_i - x_i)/(T - X)|."""
    return 0.5 * float(np.abs(x / x.sum() - (t - x) / (t - x).sum()).sum())


def test_segregation_is_clustered_and_rising(example_data: Path) -> None:
    import esda

    areas = _areas(example_data).set_index("code", drop=False)
    r = _registers(example_data)
    d = [
        _dissimilarity(g["foreign_born"].to_numpy(float), g["pop_total"].to_numpy(float))
        for _, g in r.groupby("year")
    ]
    assert np.all(np.diff(d) > 0) and d[-1] - d[0] > 0.02
    latest = r[r["year"] == 2023].set_index("area_code").loc[areas.index]
    share = latest["foreign_born"] / latest["pop_total"]
    w = Queen.from_dataframe(areas, use_index=False)
    moran = esda.Moran(share.to_numpy(), w, permutations=0)
    assert moran.I > 0.4 and moran.p_norm < 0.01
    by_district = (
        pd.DataFrame(
            {
                "fb": share.to_numpy(),
                "inc": latest["median_income_tkr"].to_numpy(),
                "rent": (latest["dwellings_rental"] / latest.filter(like="dwellings").sum(axis=1)),
                "district": areas["district_code"].to_numpy(),
            }
        )
        .groupby("district")[["fb", "inc", "rent"]]
        .mean()
    )
    assert by_district["fb"].idxmax() == "2"
    assert by_district["inc"].idxmin() == "2"
    assert by_district["rent"].idxmax() == "2"


# --- services ---------------------------------------------------------------------------------


def test_services_follow_the_data_model(city: Path, graph: nx.MultiDiGraph) -> None:
    s = pd.read_csv(city / "services/example_services.csv", sep=";", dtype={"service_id": str})
    assert list(s.columns) == ["service_id", "kind", "name", "capacity", "x", "y"]
    assert s["service_id"].is_unique
    assert set(s["kind"]) == {"family_centre", "meeting_place", "library", "youth_centre"}
    assert (s["capacity"] > 0).all()
    pts = gpd.GeoDataFrame(s, geometry=gpd.points_from_xy(s["x"], s["y"]), crs=3006)
    areas = _areas(city)
    inside = pts.sjoin(areas, predicate="within")
    assert len(inside) == len(pts)
    streets = ox.graph_to_gdfs(graph, nodes=False)
    nearest = streets.sindex.nearest(pts.geometry, return_distance=True)[1]
    assert nearest.max() < 30.0  # placed beside a street


def test_one_district_is_underserved_by_family_centres(example_data: Path) -> None:
    s = pd.read_csv(example_data / "services/example_services.csv", sep=";")
    pts = gpd.GeoDataFrame(s, geometry=gpd.points_from_xy(s["x"], s["y"]), crs=3006)
    areas = _areas(example_data)
    fc = pts[pts["kind"] == "family_centre"].sjoin(areas, predicate="within")
    r = _registers(example_data)
    kids = (
        r[r["year"] == 2023]
        .merge(areas[["code", "district_code"]], left_on="area_code", right_on="code")
        .groupby("district_code")["age_0_5"]
        .sum()
    )
    per_1000 = fc.groupby("district_code").size().reindex(kids.index, fill_value=0) / kids * 1000
    others = per_1000.drop("2")
    assert per_1000["2"] < 0.5 * others.min()


# --- street network ---------------------------------------------------------------------------


def test_network_is_osm_xml_that_osmnx_reads(city: Path, graph: nx.MultiDiGraph) -> None:
    text = (city / "network/example_streets.osm.bz2").read_bytes()
    assert text[:3] == b"BZh"
    assert graph.number_of_nodes() > 1000
    edges = ox.graph_to_gdfs(graph, nodes=False)
    kinds = set(edges["highway"].explode())
    assert {"residential", "tertiary", "footway"} <= kinds
    assert edges["name"].dropna().map(str).str.contains("[åäö]").any()
    degree = dict(graph.to_undirected().degree())
    assert sum(1 for v in degree.values() if v == 1) >= 5  # dead ends


def _is_bridge(value: object) -> bool:
    return value == "yes" or (isinstance(value, list) and "yes" in value)


def test_streets_cross_water_only_on_bridges(city: Path, graph: nx.MultiDiGraph) -> None:
    edges = ox.graph_to_gdfs(graph, nodes=False)
    water = _water(city).union_all()
    wet = edges[edges.intersects(water)]
    assert len(wet) > 0
    assert wet["bridge"].map(_is_bridge).all()


def test_river_is_crossable_only_on_bridges(city: Path, graph: nx.MultiDiGraph) -> None:
    areas = _areas(city)
    w = Queen.from_dataframe(areas, use_index=False)
    nodes = ox.graph_to_gdfs(graph, edges=False)
    piece = nodes.sjoin(areas.assign(piece=w.component_labels), predicate="within")["piece"]
    assert len(piece) == len(nodes)
    banks = [c for c in set(w.component_labels) if (w.component_labels == c).sum() > 1]
    U = nx.Graph(graph.to_undirected())
    bridges = [(u, v) for u, v, b in graph.edges(data="bridge") if _is_bridge(b)]
    assert len({frozenset(e) for e in bridges}) >= 3
    # with bridges: the largest street component reaches both banks
    giant = max(nx.connected_components(U), key=len)
    assert set(banks) <= set(piece.loc[list(giant)])
    # without bridges: no component spans two land pieces
    U.remove_edges_from(bridges)
    for comp in nx.connected_components(U):
        assert piece.loc[list(comp)].nunique() == 1


# --- population grid --------------------------------------------------------------------------


def test_population_grid_matches_registers(city: Path) -> None:
    with rasterio.open(city / "population/example_population.tif") as src:
        assert src.count == 1 and src.dtypes[0] == "float32"
        assert src.crs.to_epsg() == 3006 and src.res == (100.0, 100.0)
        assert src.nodata == 0
        band = src.read(1)
        rows, cols = np.indices(band.shape)
        xs, ys = rasterio.transform.xy(src.transform, rows.ravel(), cols.ravel())
    cells = gpd.GeoDataFrame(
        {"population": band.ravel().astype(float)}, geometry=gpd.points_from_xy(xs, ys), crs=3006
    )
    areas = _areas(city)
    joined = cells.sjoin(areas, predicate="within")
    per_area = joined.groupby("code")["population"].sum()
    r = _registers(city)
    latest = r[r["year"] == 2023].set_index("area_code")["pop_total"]
    assert np.allclose(per_area.reindex(latest.index).to_numpy(), latest.to_numpy(), atol=1e-3)
    outside = cells.drop(index=joined.index)
    assert (outside["population"] == 0).all()
    assert (band >= 0).all()


# --- project file -----------------------------------------------------------------------------


def _doc_config() -> dict:
    text = (REPO / "docs/config.md").read_text(encoding="utf-8")
    block = text.split("```toml", 1)[1].split("```", 1)[0]
    return tomllib.loads(block)


def test_project_file_follows_docs(city: Path) -> None:
    cfg = tomllib.loads((city / "geoseg.toml").read_text(encoding="utf-8"))
    doc = _doc_config()
    assert cfg["project"]["fictional"] is True
    assert cfg["project"]["name"] == "Exempelstad (fiktiv)"
    assert set(cfg) == set(doc)
    for section, values in doc.items():
        assert set(cfg[section]) == set(values), section
    for section in ("areas", "registers", "services", "network"):
        assert (city / cfg[section]["path"]).is_file()
    assert (city / cfg["population"]["grid"]).is_file()
    reg = _registers(city)
    assert set(cfg["registers"]["counts"]) <= set(reg.columns)
    assert set(cfg["registers"]["amounts"]) <= set(reg.columns)


def test_embedded_data_is_the_generated_default_city(example_data: Path, tmp_path: Path) -> None:
    assert example_config() == example_data / "geoseg.toml"
    generate_city(tmp_path, areas=100, seed=2026)
    assert sorted(_hashes(tmp_path)) == sorted(CITY_FILES)
    for name in CITY_FILES:  # compared by content: GDAL or zlib may store the same data apart
        assert _content(example_data / name) == _content(tmp_path / name), name
    size = sum(p.stat().st_size for p in example_data.rglob("*") if p.is_file())
    assert size < 15e6


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_generates_and_reports_errors(tmp_path: Path) -> None:
    from geoseg.cli import main

    runner = CliRunner()
    out = tmp_path / "c"
    res = runner.invoke(main, ["example-city", "--areas", "10", "--seed", "3", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(_hashes(out)) == sorted(CITY_FILES)
    res = runner.invoke(main, ["example-city", "--areas", "10", "--out", str(out)])
    assert res.exit_code == 2 and "not empty" in res.output
    res = runner.invoke(main, ["example-city", "--help"])
    assert res.exit_code == 0 and "geoseg example-city --out" in res.output


# --- size -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_thousand_areas_is_fast_and_large(tmp_path: Path) -> None:
    start = time.perf_counter()
    generate_city(tmp_path, areas=1000, seed=2026)
    assert time.perf_counter() - start < 120.0
    G = ox.graph_from_xml(
        tmp_path / "network/example_streets.osm.bz2", simplify=True, retain_all=True
    )
    assert G.number_of_nodes() >= 150_000
