"""LISA, access and plan maps and the index page."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _mapdata import INJECTED, grid_areas, layer_infos, layer_names, legends, row

from geoseg.errors import InputError
from geoseg.publish import (
    MapStyle,
    access_map,
    lisa_map,
    map_html,
    plan_map,
    save_map,
    write_index,
)


@pytest.fixture
def areas():
    return grid_areas()


def test_lisa_colours_follow_quadrant_and_significance(areas):
    codes = list(areas.index)
    quad = [1, 2, 3, 4] * 3
    p = [0.01, 0.02, 0.5, 0.04, 0.2, 0.001, 0.03, 0.9, 0.01, 0.01, 0.01, 0.01]
    hs = pd.DataFrame(
        {
            "id": codes,
            "value": np.arange(12.0),
            "I": np.linspace(-1, 1, 12),
            "quadrant": quad,
            "p_value": p,
            "p_adjusted": p,
        },
        index=codes,
    )
    m = lisa_map(areas, hs, alpha=0.05, label="Low income", worse="higher", share=True)
    info = layer_infos(m)[0]
    words = {
        1: "Cluster of high share of low income (unfavourable)",
        2: "Low share of low income among high (favourable)",
        3: "Cluster of low share of low income (favourable)",
        4: "High share of low income among low (unfavourable)",
        0: "Not significant",
    }
    # the legend gives each of the five classes its own colour; each area has its class's
    ((legend,),) = legends(m)
    colours = {e["label"]: e["color"] for e in legend["entries"]}
    assert set(colours) == set(words.values()) and len(set(colours.values())) == 5
    for code, q, pv in zip(codes, quad, p, strict=True):
        label = words[q] if pv <= 0.05 else words[0]
        assert row(info, code, "Cluster") == label
        assert info[code][0]["fillColor"] == colours[label]
    assert row(info, codes[2], "Cluster") == "Not significant"
    assert row(info, codes[0], "Cluster") == "Cluster of high share of low income (unfavourable)"
    assert row(info, codes[3], "Cluster") == "High share of low income among low (unfavourable)"
    # where low values are the unfavourable end, the low-low cluster takes the red of HH above
    low = layer_infos(lisa_map(areas, hs, alpha=0.05, label="Median income", worse="lower"))[0]
    high_high, low_low = colours[words[1]], colours[words[3]]
    assert low[codes[10]][0]["fillColor"] == high_high  # quadrant 3, p = 0.01
    assert low[codes[0]][0]["fillColor"] == low_low
    assert row(low, codes[10], "Cluster") == "Cluster of low values: Median income (unfavourable)"
    sv = layer_infos(
        lisa_map(
            areas,
            hs,
            alpha=0.05,
            label="Låg inkomst",
            worse="higher",
            share=True,
            style=MapStyle(lang="sv"),
        )
    )[0]
    assert row(sv, codes[0], "Kluster") == "Kluster med hög andel låg inkomst (ogynnsamt)"
    # the analysis's own decision wins when given
    hs["significant"] = False
    info = layer_infos(lisa_map(areas, hs, style=MapStyle(lang="sv")))[0]
    assert {v[0]["fillColor"] for v in info.values()} == {colours[words[0]]}
    assert row(info, codes[0], "Kluster") == "Inte signifikant"
    with pytest.raises(InputError, match="quadrant"):
        lisa_map(areas, hs.drop(columns="quadrant"))


def _access(areas):
    codes = list(areas.index)
    return pd.DataFrame(
        {
            "id": codes * 2,
            "kind": ["library"] * 12 + ["family_centre"] * 12,
            "residents": [3.0] + [100.0] * 11 + [200.0] * 12,
            "mean_minutes": [2.0, 7, 12, 17, 25, 40, np.inf, 4, 6, 8, 9, 11] + [5.0] * 12,
            "median_minutes": [2.0] * 24,
            "share_within": [0.9871] + [0.5] * 23,
            "fca_ratio": [0.2] * 24,
        }
    )


def test_access_map_colours_services_isochrones_and_suppression(areas):
    acc = _access(areas)
    c = areas.geometry.centroid
    services = gpd.GeoDataFrame(
        {
            "service_id": ["s1", "s2"],
            "kind": ["library", "youth_centre"],
            "name": [INJECTED, "Fritids"],
            "capacity": [10.0, np.nan],
        },
        geometry=[c.iloc[0], c.iloc[5]],
        crs=areas.crs,
    )
    iso = gpd.GeoDataFrame(
        {"service_id": ["s1", "s1"], "kind": ["library"] * 2, "minutes": [5, 10]},
        geometry=[c.iloc[0].buffer(300), c.iloc[0].buffer(600)],
        crs=areas.crs,
    )
    m = access_map(areas, acc, kind="library", services=services, isochrones=iso)
    names = layer_names(m)
    assert names[0] == "Walking time to library"
    assert names[1:3] == ["Within 5 min walk", "Within 10 min walk"]
    assert names[3] == "Services: Library"
    infos = layer_infos(m)
    area_info, service_info = infos[0], infos[3]
    assert len(service_info) == 1  # only the library
    assert row(service_info, "0", "Service") == INJECTED  # shown as text by the page
    assert row(area_info, "0101", "Residents") == "<5, suppressed"
    assert row(area_info, "0101", "Share within 15 min") == "<5, suppressed"
    assert "98.7" not in map_html(m) and "99 %" not in map_html(m)
    assert row(area_info, "0203", "Mean walking time (min)") == "Not reachable"
    # classes by the fixed minute breaks: 2 and 4 minutes share the first class
    assert area_info["0101"][0]["fillColor"] == area_info["0204"][0]["fillColor"]  # 2 and 4 min
    assert area_info["0101"][0]["fillColor"] != area_info["0102"][0]["fillColor"]
    with pytest.raises(InputError, match=r"library, family_centre|family_centre, library"):
        access_map(areas, acc)


def test_plan_map_diverges_around_zero(areas):
    codes = list(areas.index)
    change = [-10, -3, 0, 0.2, 3, 10, 0, 0, 0, 0, 0, -10]
    plan = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "before_minutes": 20.0,
            "after_minutes": [20.0 + v for v in change],
            "change_minutes": change,
            "before_share": 0.5,
            "after_share": 0.6,
        }
    )
    feats = gpd.GeoDataFrame(
        {"action": ["add"], "name": ["Nytt bibliotek"]},
        geometry=[shapely.Point(areas.geometry.centroid.iloc[3].coords[0])],
        crs=areas.crs,
    )
    m = plan_map(areas, plan, features=feats, style=MapStyle(lang="sv"))
    info = layer_infos(m)[0]
    fill = {c: info[c][0]["fillColor"] for c in codes}
    assert fill["0103"] == fill["0104"]  # 0 and 0.2 are both "no change"
    assert fill["0101"] == fill["0304"] != fill["0202"]  # -10 vs +10
    assert len({fill["0101"], fill["0102"], fill["0103"], fill["0201"], fill["0202"]}) == 5
    assert row(info, "0202", "Förändring (min)") == "+10,0"
    assert layer_names(m)[1] == "Plan"


def test_index_links_every_map_and_escapes(tmp_path, areas):
    data = pd.Series(np.arange(12.0), index=areas.index, name="value")
    from geoseg.publish.maps import choropleth_map

    save_map(choropleth_map(areas, data), tmp_path / "a.html")
    out = write_index(tmp_path, [("a.html", INJECTED, "desc <b>")], fictional=True, lang="sv")
    html = out.read_text(encoding="utf-8")
    assert 'href="a.html"' in html and "<img" not in html and "Fiktiv exempelstad" in html
    with pytest.raises(InputError, match=r"missing\.html.*javascript:alert"):
        write_index(tmp_path, [("missing.html", "x"), ("javascript:alert(1)", "y")])


def _two_kind_change(codes):
    """Library changes up to 20 minutes, meeting places up to 8: one scheme must cover both."""
    lib = [-20, -3, 0, 3, 8, 20, 0, 0, 0, 0, 0, 0]
    meet = [3, -3, 0.2, 8, 0, 0, 0, 0, 0, 0, 0, -8]
    return pd.DataFrame(
        {
            "id": codes * 2,
            "kind": ["meeting_place"] * 12 + ["library"] * 12,  # smaller change listed first
            "before_minutes": 20.0,
            "after_minutes": [20.0 + v for v in meet + lib],
            "change_minutes": meet + lib,
            "before_share": 0.5,
            "after_share": 0.6,
            "residents": ([3.0] + [50.0] * 11) * 2,  # area 0101 is small in both kinds
        }
    )


def test_plan_map_draws_every_kind_as_radio_layers_with_one_scheme(areas):
    import re

    codes = list(areas.index)
    plan = _two_kind_change(codes)
    before = plan.copy()
    feats = gpd.GeoDataFrame(
        {"action": ["add"], "name": [INJECTED]},
        geometry=[shapely.Point(areas.geometry.centroid.iloc[3].coords[0])],
        crs=areas.crs,
    )
    m = plan_map(areas, plan, features=feats)
    pd.testing.assert_frame_equal(plan, before)  # the input is not modified
    lib_name = "Plan: change in walking time to library"
    meet_name = "Plan: change in walking time to meeting place"
    assert layer_names(m) == [lib_name, meet_name, "Plan"]  # largest total change first
    lib, meet = layer_infos(m)[:2]
    assert row(lib, "0102", "Service") == "Library" and row(meet, "0102", "Service") != "Library"

    def fill(info, code):
        return info[code][0]["fillColor"]

    # the same change has the same colour in both layers (one scheme: edges from the 20 min span)
    assert fill(lib, "0102") == fill(meet, "0102")  # -3 and -3
    assert fill(lib, "0104") == fill(meet, "0101")  # +3 and +3
    assert fill(lib, "0201") == fill(meet, "0104") == fill(lib, "0104")  # 8, 8, 3: one class
    assert fill(lib, "0202") != fill(meet, "0104")  # +20 is darker than +8
    assert (
        fill(meet, "0304") == fill(lib, "0102") != fill(lib, "0101")
    )  # -8 is in the -3 class, not the darkest
    assert fill(meet, "0103") == fill(lib, "0103")  # 0.2 and 0 are "no change"
    # small counts are suppressed in each kind's layer
    for info in (lib, meet):
        assert row(info, "0101", "Share within, after") == "<5, suppressed"
    # one legend for both kinds, spanning the larger change
    (legend,) = legends(m)
    assert "10.2 – 20.0 (longer)" in [e["label"] for block in legend for e in block["entries"]]
    html = map_html(m)
    assert INJECTED not in html
    control = re.search(r"base_layers\s*:\s*\{(.*?)\},\s*overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert control is not None
    assert [n in control.group(1) for n in (lib_name, meet_name, '"Plan"')] == [True, True, False]
    assert '"Plan"' in control.group(2)  # the plan features are an overlay, drawn once
    assert html.count("geoseg-plan") == 1
    variables = dict(re.findall(r'"([^"]+)" : (geoseg_layer_\w+)', control.group(1)))
    assert f"{variables[lib_name]}.addTo(" in html  # the first kind is shown
    assert f"{variables[meet_name]}.addTo(" not in html  # the other waits for the radio button
    assert '.on("baselayerchange"' in html  # the plan features come back on top after a switch


def test_plan_map_kinds_in_given_order_and_unknown_kind_refused(areas):
    codes = list(areas.index)
    plan = _two_kind_change(codes)
    m = plan_map(areas, plan, kind=["meeting_place", "library"], style=MapStyle(lang="sv"))
    assert layer_names(m) == [
        "Plan: ändrad gångtid till mötesplats",
        "Plan: ändrad gångtid till bibliotek",
    ]
    # a one-kind sequence draws the same single layer as kind="..."
    one = plan_map(areas, plan, kind=["library"])
    single = plan_map(areas, plan, kind="library")
    assert layer_names(one) == layer_names(single) == ["Plan: change in walking time to library"]
    assert layer_infos(one) == layer_infos(single)
    assert '.on("baselayerchange"' not in map_html(single)
    with pytest.raises(InputError, match=r"'school'.*kinds: library, meeting_place"):
        plan_map(areas, plan, kind=["library", "school"])
    with pytest.raises(InputError, match="empty"):
        plan_map(areas, plan, kind=[])
