import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _mapdata import (
    INJECTED,
    area_shapes,
    grid_areas,
    layer_infos,
    layer_names,
    row,
    voronoi_areas,
)

from geoseg.errors import InputError
from geoseg.publish.maps import MapStyle, choropleth_map, local_index_map, map_html, save_map


@pytest.fixture
def areas():
    return grid_areas()


@pytest.fixture
def tidy(areas):
    rng = np.random.default_rng(1)
    codes = list(areas.index)
    return pd.DataFrame(
        {
            "code": codes * 2,
            "year": [2022] * len(codes) + [2023] * len(codes),
            "value": rng.uniform(0, 100, 2 * len(codes)).round(3),
            "pop": [50] * (2 * len(codes)),
        }
    )


def test_one_layer_per_year_with_pooled_quantile_classes(areas, tidy):
    m = choropleth_map(areas, tidy, label="Share", k=4)
    assert layer_names(m) == ["Share 2023", "Share 2022"]
    infos = layer_infos(m)
    bins = np.quantile(tidy["value"], [0.25, 0.5, 0.75, 1.0])  # independent oracle
    colours = sorted({info[c][0]["fillColor"] for info in infos for c in info})
    assert len(colours) == 4
    # areas in the same quantile class share a colour, across years
    for info, year in zip(infos, [2023, 2022], strict=True):
        part = tidy[tidy["year"] == year].set_index("code")["value"]
        for code, v in part.items():
            cls = int(np.searchsorted(bins, v, side="left"))
            same = [c for c, w in part.items() if int(np.searchsorted(bins, w, side="left")) == cls]
            assert {info[c][0]["fillColor"] for c in same} == {info[code][0]["fillColor"]}
            assert row(info, code, "Year") == str(year)
            assert row(info, code, "Code") == code


def test_small_counts_never_reach_the_map(areas, tidy):
    data = tidy.copy()
    data.loc[0, "pop"] = 3
    data.loc[0, "value"] = 77.777
    m = choropleth_map(areas, data, count_columns=["pop"], tooltip_columns={"pop": "Pop"})
    info = layer_infos(m)[1]  # 2022 layer
    code = data.loc[0, "code"]
    assert row(info, code, "value") == "<5, suppressed"
    assert row(info, code, "Pop") == "<5, suppressed"
    html = map_html(m)
    assert "77.8" not in html and "77,8" not in html
    assert "\\u003c5, suppressed" in html


def test_injected_name_is_escaped_everywhere(areas, tidy):
    m = choropleth_map(areas, tidy, label=INJECTED, title=INJECTED, style=MapStyle(fictional=True))
    html = map_html(m)
    assert INJECTED not in html
    assert "<img" not in html
    # the layer-control name is HTML-escaped, then JSON-escaped inside the script
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html


def test_offline_page_has_no_cdn_and_inlines_leaflet(areas, tidy, tmp_path):
    m = choropleth_map(areas, tidy)
    path = save_map(m, tmp_path / "sub" / "map.html")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r'<link[^>]+href="(https?:)?//', html)
    assert "Leaflet 1.9" in html and "Content-Security-Policy" in html
    assert "tile.openstreetmap" not in html
    assert [p.name for p in path.parent.iterdir()] == ["map.html"]  # no temp file left


def test_swedish_labels_and_fictional_note(areas, tidy):
    m = choropleth_map(areas, tidy, style=MapStyle(lang="sv", fictional=True), year=2023)
    info = layer_infos(m)[0]
    assert row(info, "0102", "Område") == "Område 0-1 åäö"
    html = map_html(m)
    assert "Fiktiv exempelstad" in html
    with pytest.raises(InputError, match="'de'"):
        choropleth_map(areas, tidy, style=MapStyle(lang="de"))


def test_errors_name_columns_years_and_codes(areas, tidy):
    with pytest.raises(InputError, match="'rate'"):
        choropleth_map(areas, tidy, column="rate")
    with pytest.raises(InputError, match="2019"):
        choropleth_map(areas, tidy, year=2019)
    dup = pd.concat([tidy, tidy.iloc[:1]])
    with pytest.raises(InputError, match="0101"):
        choropleth_map(areas, dup)


def test_coordinates_roundtrip_within_rounding(areas, tidy):
    m = choropleth_map(areas, tidy, style=MapStyle(tolerance=None), year=2023)
    shapes = area_shapes(m)
    assert sorted(shapes) == sorted(areas.index)
    expected = areas.to_crs(4326).geometry
    for code in areas.index:
        decoded = shapely.get_coordinates(shapes[code].exterior)
        np.testing.assert_allclose(
            decoded, shapely.get_coordinates(expected[code].exterior), atol=1.1e-6
        )


def test_coverage_simplification_keeps_shared_edges():
    # zig-zag boundaries: 3,000 small cells dissolved into 150 areas
    fine = voronoi_areas(3000, seed=2)
    seeds = voronoi_areas(150, seed=3).geometry.representative_point()
    nearest = seeds.sindex.nearest(fine.geometry.representative_point(), return_all=False)[1]
    cells = fine.assign(group=nearest).dissolve("group")
    cells.index = pd.Index([f"{i:03d}" for i in cells.index], name="code")
    data = pd.Series(np.arange(len(cells), dtype=float), index=cells.index, name="value")
    m = choropleth_map(cells, data, style=MapStyle(tolerance=50.0, labels=False))
    shapes = area_shapes(m)
    assert sorted(shapes) == sorted(cells.index)
    simple = gpd.GeoSeries(list(shapes.values()), crs=4326)
    n_before = shapely.get_num_coordinates(cells.geometry.to_numpy()).sum()
    assert shapely.get_num_coordinates(simple.to_numpy()).sum() < 0.5 * n_before
    # still a coverage: neither overlaps nor gaps between neighbours, up to the page's rounding
    # to 6 decimals (about 0.1 m) over 1,200 km of boundaries; simplifying each area on its
    # own leaves about 1,000,000 m² of overlaps and as much of gaps on these cells
    back = simple.to_crs(3006).to_numpy()
    union = shapely.union_all(back)
    assert shapely.area(back).sum() - union.area < 1_000.0
    assert abs(union.area - shapely.union_all(cells.geometry.to_numpy()).area) < 1e-3 * union.area
    holes = shapely.polygons(shapely.get_rings(union)[1:])
    assert shapely.area(holes).sum() < 1_000.0


@pytest.mark.slow
def test_thousand_areas_fit_in_two_megabytes(tmp_path):
    cells = voronoi_areas(1000)
    data = pd.Series(np.arange(len(cells), dtype=float), index=cells.index, name="value")
    m = choropleth_map(cells, data, scheme="natural_breaks", title="1,000 areas")
    size = save_map(m, tmp_path / "big.html").stat().st_size
    assert size <= 2_000_000, size
    assert len(layer_infos(m)[0]) == 1000


@pytest.mark.real
def test_real_basomraden_fit_in_two_megabytes(real_data, tmp_path):
    import geopandas as gpd

    bas = gpd.read_file(real_data / "gbg_omraden" / "basomraden.gpkg")
    bas = bas.set_index("omrade_kod").rename(columns={"omrade_namn": "name"})
    data = pd.DataFrame({"value": bas["area_km2"]})
    m = choropleth_map(bas, data, label="km²")
    size = save_map(m, tmp_path / "bas.html").stat().st_size
    assert len(bas) == 1025 and size <= 2_000_000, size


def test_local_index_map_has_a_legend_per_index(areas):
    rng = np.random.default_rng(3)
    data = pd.DataFrame(
        {"lq": rng.uniform(0.2, 2.5, len(areas)), "entropy": rng.uniform(0, 1, len(areas))},
        index=areas.index,
    )
    m = local_index_map(
        areas, data, columns={"lq": "Location quotient", "entropy": "Entropy"}, centers={"lq": 1.0}
    )
    assert layer_names(m) == ["Location quotient", "Entropy"]
    lq_info = layer_infos(m)[0]
    # diverging around 1: areas below and above 1 never share a colour
    below = {lq_info[c][0]["fillColor"] for c in data.index[data["lq"] < 0.9]}
    above = {lq_info[c][0]["fillColor"] for c in data.index[data["lq"] > 1.1]}
    assert below and above and not below & above


def test_local_index_map_draws_the_latest_year_unless_one_is_given(areas):
    codes = list(areas.index)
    data = pd.DataFrame(
        {
            "code": codes * 2,
            "year": [2021] * len(codes) + [2023] * len(codes),
            "lq": [0.5] * len(codes) + [2.0] * len(codes),
        }
    )
    shown = {
        year: {row(layer_infos(m)[0], c, "Location quotient") for c in codes}
        for year, m in [
            (None, local_index_map(areas, data, columns={"lq": "Location quotient"})),
            (2021, local_index_map(areas, data, columns={"lq": "Location quotient"}, year=2021)),
        ]
    }
    assert shown == {None: {"2.00"}, 2021: {"0.50"}}
    no_years = data.assign(year=np.nan)
    with pytest.raises(InputError, match="no rows for year"):
        local_index_map(areas, no_years, columns=["lq"])


def test_layers_drawn_on_every_map_are_shared_only_between_equal_areas(areas, tidy):
    # a run draws the same areas on many maps: their geometry is encoded once and reused, so
    # a second map is identical, and a map of other geometry (or codes) gets its own
    first = map_html(choropleth_map(areas, tidy, label="Share"))
    assert map_html(choropleth_map(areas, tidy, label="Share")) == first
    moved = areas.copy()
    moved.geometry = moved.geometry.translate(500.0, 0.0)
    shifted = map_html(choropleth_map(moved, tidy, label="Share"))
    fresh = map_html(choropleth_map(areas.copy(), tidy, label="Share"))
    assert fresh == first and shifted != first


@pytest.mark.parametrize("k", [3, 5, 7])
def test_quantile_classes_are_mapclassifys(areas, tidy, k):
    import mapclassify

    one = tidy[tidy["year"] == 2023]
    m = choropleth_map(areas, one, label="Share", k=k)
    (info,) = layer_infos(m)
    ours = {}
    for code, (style, _rows) in info.items():
        ours.setdefault(style["fillColor"], set()).add(code)
    theirs = {}
    yb = mapclassify.Quantiles(one["value"].to_numpy(), k=k).yb
    for code, cls in zip(one["code"], yb, strict=True):
        theirs.setdefault(int(cls), set()).add(code)
    assert sorted(map(sorted, ours.values())) == sorted(map(sorted, theirs.values()))
