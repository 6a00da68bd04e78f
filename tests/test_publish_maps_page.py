"""Every map as a page people read: one style object, one colour logic, the data table, streets,
area names, the year comparison; in headless Chromium where the page's behaviour is tested."""

from __future__ import annotations

import itertools
import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _browser import browser, open_offline  # noqa: F401  (fixture)
from _mapdata import INJECTED, grid_areas, layer_infos, legends, row

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.publish import (
    MapStyle,
    access_map,
    choropleth_map,
    emerging_map,
    lisa_map,
    map_html,
    plan_map,
    save_map,
)
from geoseg.publish.disclosure import suppressed_label
from geoseg.publish.maps import street_lines

_RAW = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


@pytest.fixture(scope="module")
def areas():
    return grid_areas()


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _red(colour: str) -> bool:
    r, g, b = _hex(colour)
    return r > b + 40 and r > g + 40


def _lightness(colour: str) -> float:
    return sum(_hex(colour)) / 3


def _tidy(areas):
    codes = list(areas.index)
    return pd.DataFrame(
        {
            "code": codes * 2,
            "year": [2022] * 12 + [2023] * 12,
            "value": np.r_[np.arange(12.0), np.arange(12.0) + 2],
            "pop": ([3.0] + [100.0] * 11) * 2,  # the first area has too few residents
        }
    )


def _streets(areas):
    """A street grid over the areas: lines every 250 m both ways, each made of 50 m edges."""
    x0, y0, x1, y1 = areas.total_bounds
    lines = []
    for x in np.arange(x0, x1 + 1, 250.0):
        ys = np.arange(y0, y1 + 1, 50.0)
        lines += [shapely.LineString([(x, a), (x, b)]) for a, b in itertools.pairwise(ys)]
    for y in np.arange(y0, y1 + 1, 250.0):
        xs = np.arange(x0, x1 + 1, 50.0)
        lines += [shapely.LineString([(a, y), (b, y)]) for a, b in itertools.pairwise(xs)]
    return gpd.GeoSeries(lines, crs=areas.crs)


def test_map_style_is_one_checked_object(areas):
    style = MapStyle(lang="sv", threshold=10)
    assert style.replace(lang="en").lang == "en" and style.lang == "sv"
    with pytest.raises(InputError, match="language"):
        MapStyle(lang="de")
    with pytest.raises(InputError, match="opacity"):
        MapStyle(opacity=1.5)
    with pytest.raises(InputError, match="MapStyle"):
        choropleth_map(areas, _tidy(areas), style={"lang": "sv"})  # type: ignore[arg-type]
    # the threshold of the style suppresses: 3 residents < 10 and 100 >= 10
    m = choropleth_map(areas, _tidy(areas), count_columns=["pop"], year=2022, style=style)
    info = layer_infos(m)[0]
    assert row(info, areas.index[0], "value") == suppressed_label(10, lang="sv")
    assert row(info, areas.index[1], "value") == "1,0"


def test_the_unfavourable_end_is_dark_red_whichever_end_it_is(areas):
    tidy = _tidy(areas)
    high = layer_infos(choropleth_map(areas, tidy, worse="higher", year=2023))[0]
    low = layer_infos(choropleth_map(areas, tidy, worse="lower", year=2023))[0]
    none = layer_infos(choropleth_map(areas, tidy, worse="none", year=2023))[0]
    top, bottom = areas.index[-1], areas.index[0]  # the highest and lowest value
    assert _red(high[top][0]["fillColor"]) and _red(low[bottom][0]["fillColor"])
    assert _lightness(high[top][0]["fillColor"]) < _lightness(high[bottom][0]["fillColor"])
    assert _lightness(low[bottom][0]["fillColor"]) < _lightness(low[top][0]["fillColor"])
    assert not any(_red(v[0]["fillColor"]) for v in none.values())  # no unfavourable end
    # a change around zero: rising is red when higher is worse, falling red when lower is
    trend = pd.DataFrame({"code": list(areas.index), "slope": np.linspace(-1, 1, 12)})
    up = layer_infos(choropleth_map(areas, trend, column="slope", diverging_center=0.0,
                                    worse="higher"))[0]  # fmt: skip
    down = layer_infos(choropleth_map(areas, trend, column="slope", diverging_center=0.0,
                                      worse="lower"))[0]  # fmt: skip
    assert _red(up[top][0]["fillColor"]) and not _red(up[bottom][0]["fillColor"])
    assert _red(down[bottom][0]["fillColor"]) and not _red(down[top][0]["fillColor"])
    with pytest.raises(InputError, match="worse"):
        choropleth_map(areas, tidy, worse="bad")


def _plan(areas):
    codes = list(areas.index)
    change = np.linspace(-6, 6, 12)
    change[5] = 0.1  # no change
    return pd.DataFrame(
        {
            "id": codes[:-1],  # the last area has no result: no data
            "kind": "library",
            "before_minutes": 20.0,
            "after_minutes": 20.0 + change[:-1],
            "change_minutes": change[:-1],
            "before_share": 0.5,
            "after_share": 0.6,
            "residents": [2.0] + [80.0] * 10,  # the first area: suppressed shares
        }
    )


def _legend_entries(m):
    return [e for block in legends(m)[0] for e in block["entries"]]


def test_no_data_no_change_and_suppressed_differ_from_every_class(areas):
    water = gpd.GeoDataFrame(
        geometry=[areas.union_all().buffer(200).difference(areas.union_all())], crs=areas.crs
    )
    m = plan_map(areas, _plan(areas), style=MapStyle(lang="sv", water=water))
    entries = _legend_entries(m)
    by_label = {e["label"]: e for e in entries}
    no_data = by_label[tr("no_data", "sv")]["color"]
    no_change = by_label[tr("no_change", "sv")]["color"]
    water_c = by_label[tr("water", "sv")]["color"]
    colours = [e["color"] for e in entries if not e.get("hatch")]
    assert len(set(colours)) == len(colours)  # every class, no data, water: each its own
    assert no_data != no_change
    info = next(i for i in layer_infos(m) if i)  # the areas' layer (water has no info)
    assert info[areas.index[-1]][0]["fillColor"] == no_data
    assert info[areas.index[5]][0]["fillColor"] == no_change
    # suppressed cells carry the mark; the hatch is the legend's own entry
    assert row(info, areas.index[0], tr("after_share", "sv")) == suppressed_label(5, lang="sv")
    # water is in no other map's classes either
    for mm in (
        choropleth_map(areas, _tidy(areas), worse="higher", style=MapStyle(water=water)),
        lisa_map(areas, _lisa(areas), worse="lower", style=MapStyle(water=water)),
    ):
        cs = [e["color"] for e in _legend_entries(mm)]
        assert cs.count(water_c) == 1


def _lisa(areas):
    return pd.DataFrame(
        {
            "value": np.arange(12.0),
            "I": 0.5,
            "quadrant": [1, 2, 3, 4] * 3,
            "p_value": 0.01,
            "p_adjusted": 0.01,
            "suppressed": [False] * 11 + [True],
        },
        index=list(areas.index),
    )


def _access(areas):
    codes = list(areas.index)
    rows = []
    for group, n in (("pop_total", 500.0), ("age_0_5", 40.0)):
        for i, c in enumerate(codes):
            rows.append(
                {
                    "id": c,
                    "kind": "family_centre",
                    "group": group,
                    "residents": 3.0 if (group == "age_0_5" and i == 0) else n,
                    "mean_minutes": 5.0 + i + (10 if group == "age_0_5" else 0),
                    "median_minutes": 5.0,
                    "share_within": 0.5,
                    "fca_ratio": 0.2,
                }
            )
    return pd.DataFrame(rows)


def test_family_centre_access_shows_children_0_5(areas):
    acc = _access(areas)
    info = layer_infos(access_map(areas, acc, kind="family_centre"))[0]
    label = f"{tr('residents', 'en')}: {tr('grp_age_0_5', 'en').lower()}"
    assert row(info, areas.index[1], label) == "40"
    assert row(info, areas.index[1], tr("mean_minutes", "en")) == "16.0"  # the children's walk
    assert row(info, areas.index[0], label) == suppressed_label(5, lang="en")
    everyone = layer_infos(access_map(areas, acc, kind="family_centre", group="pop_total"))[0]
    assert row(everyone, areas.index[1], tr("mean_minutes", "en")) == "6.0"
    with pytest.raises(InputError, match="group"):
        access_map(areas, acc, kind="family_centre", group="age_65_plus")


def test_street_lines_keep_the_streets_within_the_budget(areas):
    streets = _streets(areas)
    full = street_lines(streets, max_vertices=10**6)
    # merging 50 m edges into whole streets keeps every metre and drops the inner vertices
    assert full.length.sum() == pytest.approx(streets.length.sum(), rel=1e-9)
    assert shapely.get_num_coordinates(full.to_numpy()).sum() < len(streets) * 2 / 4
    thin = street_lines(streets, max_vertices=20)
    assert shapely.get_num_coordinates(thin.to_numpy()).sum() <= 20
    assert thin.length.min() >= full.length.median()  # the longest streets are kept
    with pytest.raises(InputError, match="project"):
        street_lines(streets.to_crs("EPSG:4326"))


def test_street_lines_run_each_street_through_its_crossings(areas):
    """A street crossed by others every 250 m is drawn as one line from end to end: the grid's
    straight lines come back whole (two vertices each), and a turn sharper than the stroke
    rule's limit ends a line."""
    streets = _streets(areas)
    x0, y0, x1, y1 = areas.total_bounds
    columns = len(np.arange(x0, x1 + 1, 250.0))
    rows = len(np.arange(y0, y1 + 1, 250.0))
    lines = street_lines(streets, max_vertices=10**6)
    # one line per inner street of the grid, two vertices each; the frame's four sides meet
    # only each other at its corners and make one closed line
    assert len(lines) == columns + rows - 3
    n = shapely.get_num_coordinates(lines.to_numpy())
    assert (n == 2).sum() == columns + rows - 4
    width = np.arange(x0, x1 + 1, 50.0)[-1] - x0
    height = np.arange(y0, y1 + 1, 50.0)[-1] - y0
    frame = lines[n != 2]
    assert len(frame) == 1 and frame.iloc[0].is_ring
    assert frame.length.iloc[0] == pytest.approx(2 * (width + height))
    inner = lines[n == 2].length.round(6)
    assert sorted(inner.unique()) == sorted({round(width, 6), round(height, 6)})
    assert lines.length.sum() == pytest.approx(streets.length.sum(), rel=1e-9)
    assert list(lines.length) == sorted(lines.length, reverse=True)  # longest first
    # an L: two pieces meeting at a right angle stay two lines; a gentle bend joins them
    corner = gpd.GeoSeries(
        [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (100, 100)])],
        crs=areas.crs,
    )
    assert len(street_lines(corner)) == 1  # only two pieces meet: always one line
    cross = gpd.GeoSeries(
        [
            shapely.LineString([(0, 0), (100, 0)]),
            shapely.LineString([(100, 0), (200, 10)]),  # bends by under 6 degrees
            shapely.LineString([(100, 0), (100, 100)]),  # turns by 90 degrees
        ],
        crs=areas.crs,
    )
    got = street_lines(cross, tolerance=0.1)
    assert len(got) == 2
    assert got.length.iloc[0] == pytest.approx(100 + np.hypot(100, 10))


def test_every_page_has_a_title_language_back_link_and_table(areas):
    m = lisa_map(
        areas,
        _lisa(areas),
        label="Låg inkomst",
        worse="higher",
        share=True,
        suppressed="suppressed",
        title=INJECTED,
        style=MapStyle(lang="sv"),
    )
    html = map_html(m, back="index.html")
    assert INJECTED not in html
    assert '<html lang="sv">' in html
    assert f"<title>{'&lt;img src=x onerror=alert(1)&gt;'}</title>" in html
    assert '<a class="geoseg-back" href="index.html">' in html
    table = html[html.index('<section id="geoseg-data"') :]
    body = re.findall(r"<tr><th scope=\"row\">(.*?)</th>", table)
    assert len(body) == len(areas)
    assert f"<td>{areas.index[5]}</td>" in table
    assert "Kluster med hög andel låg inkomst (ogynnsamt)" in table
    assert '<td class="geoseg-num geoseg-suppressed">&lt;5, dold</td>' in table


# --- in the browser --------------------------------------------------------------------------


def _pages(areas, folder):
    water = gpd.GeoDataFrame(
        geometry=[areas.union_all().buffer(400).difference(areas.union_all())], crs=areas.crs
    )
    style = MapStyle(lang="sv", fictional=True, water=water, streets=street_lines(_streets(areas)))
    tidy = _tidy(areas).assign(value=lambda d: d["value"] * 3.7)
    emerging = pd.DataFrame(
        {
            "id": list(areas.index)[:-1],
            "category": ["new_hot", "persistent_hot", "no_pattern", "new_cold"] * 2
            + ["no_pattern"] * 3,
            "years": 6,
            "first_year": 2018,
            "last_year": 2023,
            "years_hot": 2,
            "years_cold": 0,
            "trend_p": 0.01,
        }
    )
    services = gpd.GeoDataFrame(
        {"kind": ["family_centre"], "name": ["Familjecentralen"], "capacity": [40]},
        geometry=[areas.geometry.iloc[5].centroid],
        crs=areas.crs,
    )
    maps = {
        "indicator": choropleth_map(
            areas,
            tidy,
            label="Låg ekonomisk standard",
            worse="higher",
            count_columns=["pop"],
            title="Låg ekonomisk standard",
            style=style,
        ),
        "hotspots": lisa_map(
            areas,
            _lisa(areas),
            label="Låg ekonomisk standard",
            worse="higher",
            share=True,
            suppressed="suppressed",
            title="Kluster: låg ekonomisk standard",
            style=style,
        ),
        "emerging": emerging_map(
            areas, emerging, label="Medianinkomst", worse="lower", title="Mönster", style=style
        ),
        "access": access_map(
            areas,
            _access(areas),
            kind="family_centre",
            services=services,
            title="Gångtid: familjecentral",
            style=style,
        ),
        "plan": plan_map(areas, _plan(areas), title="Planens effekt", style=style),
    }
    return {k: save_map(m, folder / f"{k}.html", back="index.html") for k, m in maps.items()}


@pytest.fixture(scope="module")
def pages(areas, tmp_path_factory):
    return _pages(areas, tmp_path_factory.mktemp("map-pages"))


def _shots(tmp_path_factory):
    folder = os.environ.get("GEOSEG_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        from pathlib import Path

        return Path(folder)
    return tmp_path_factory.mktemp("map-screenshots")


def _wait_map(page):
    page.wait_for_selector("path.geoseg-area")
    page.wait_for_function(
        """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
        return !!m && !m._animatingZoom; }"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["indicator", "hotspots", "emerging", "access", "plan"])
def test_map_page_reads_without_help(browser, areas, pages, kind, tmp_path_factory):  # noqa: F811
    page, log = open_offline(browser, pages[kind])
    try:
        _wait_map(page)
        assert page.title().strip()
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.locator("header a.geoseg-back").get_attribute("href") == "index.html"
        text = page.locator("body").inner_text()
        assert [w for w in _RAW.findall(text)] == []  # no raw identifier in what people read
        assert INJECTED in text  # the markup-like area name is shown as text
        # the table of the map lists every area by name once (the table shown: the chosen year)
        table = page.locator(".geoseg-table:visible")
        assert table.count() == 1
        names = table.locator("tbody th").all_inner_texts()
        assert sorted(names) == sorted(areas["name"])
        if kind in ("indicator", "hotspots", "access", "plan"):
            marks = table.locator("td.geoseg-suppressed").all_inner_texts()
            assert marks and set(marks) == {"<5, dold"}
        # keyboard: back link, the link to the table, then the table itself takes focus
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "geoseg-back"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "geoseg-skip"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#geoseg-data"
        assert log.console_errors == [] and log.page_errors == [] and log.network == []
        shots = _shots(tmp_path_factory)
        for w, h in ((1400, 900), (390, 844)):
            page.set_viewport_size({"width": w, "height": h})
            page.goto(pages[kind].as_uri())  # as opened on that screen: fitted to it
            _wait_map(page)
            inside = page.evaluate(
                """() => { const d = document.querySelector('.folium-map');
                const m = window[d.id]; const b = m.getBounds();
                let all = null;
                m.eachLayer(l => { if (l.getBounds && l.options && l.options.pane !==
                    'geoseg-streets' && l.getLayers && l.getLayers().some(x =>
                    x.feature && x.feature.properties.k && x.feature.properties.k.length === 4)) {
                    all = l.getBounds(); } });
                return all && b.contains(all); }"""
            )
            assert inside, (kind, w)  # the whole city is in view when the page opens
            page.wait_for_timeout(200)
            page.screenshot(path=str(shots / f"map_{kind}_{w}.png"))
    finally:
        page.close()


@pytest.mark.browser
def test_map_fills_the_window_with_the_city_and_refits_when_resized(browser, pages):  # noqa: F811
    """The city fills the map (at least 85 % of its width or height) when the page opens and
    after the window changes size; once the reader has zoomed, a resize keeps their view."""
    page, log = open_offline(browser, pages["indicator"])
    fill = """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
        let all = null;
        m.eachLayer(l => { if (l.getLayers && l.getLayers().some(x => x.feature &&
            x.feature.properties.k && x.feature.properties.k.length === 4)) {
            all = l.getBounds(); } });
        const sw = m.latLngToContainerPoint(all.getSouthWest());
        const ne = m.latLngToContainerPoint(all.getNorthEast());
        const size = m.getSize();
        return [m.getBounds().contains(all), (ne.x - sw.x) / size.x, (sw.y - ne.y) / size.y,
                m.getZoom()]; }"""
    try:
        _wait_map(page)
        for w, h in ((1400, 900), (390, 844), (1280, 800)):
            page.set_viewport_size({"width": w, "height": h})
            page.wait_for_timeout(300)
            inside, across, down, _ = page.evaluate(fill)
            assert inside and max(across, down) >= 0.85, (w, h, across, down)
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(400)
        zoom = page.evaluate(fill)[3]
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(300)
        assert page.evaluate(fill)[3] == zoom  # the reader's zoom is kept
        assert log.console_errors == [] and log.page_errors == []
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})
        page.close()


@pytest.mark.browser
def test_year_switch_shows_its_table_and_two_years_compare_side_by_side(
    browser,  # noqa: F811
    pages,
    tmp_path_factory,
):
    page, log = open_offline(browser, pages["indicator"])
    try:
        _wait_map(page)
        caption = page.locator(".geoseg-table:visible caption")
        assert caption.inner_text().endswith("2023")
        page.locator(".leaflet-control-layers-base label", has_text="2022").click()
        assert caption.inner_text().endswith("2022")
        # 2022: the first area had 3 residents, its value is hidden
        assert page.locator(".geoseg-table:visible td.geoseg-suppressed").count() == 1
        button = page.get_by_role("button", name="Jämför två år")
        button.click()
        assert button.get_attribute("aria-pressed") == "true"
        page.wait_for_selector(".geoseg-map2 path.geoseg-area")
        assert page.locator(".geoseg-map2 path.geoseg-area").count() == 12
        # both halves show the whole city when the comparison opens
        fits = page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            const o = window.geoseg_compare(); let all = null;
            m.eachLayer(l => { if (l.getLayers && l.getLayers().some(x => x.feature &&
                x.feature.properties.k && x.feature.properties.k.length === 4)) {
                all = l.getBounds(); } });
            return [m.getBounds().contains(all), o.getBounds().contains(all)]; }"""
        )
        assert fits == [True, True]
        select = page.locator(".geoseg-map2 select")
        assert select.input_value() == "0"  # the first year, beside the chosen one
        centres = page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            m.setView([m.getCenter().lat + 0.002, m.getCenter().lng + 0.003], m.getZoom() + 1,
                      {animate: false});
            const o = window.geoseg_compare();
            return [m.getCenter().lat, m.getCenter().lng, m.getZoom(),
                    o.getCenter().lat, o.getCenter().lng, o.getZoom()]; }"""
        )
        assert centres[:3] == pytest.approx(centres[3:], abs=1e-9)
        # two maps side by side on a wide screen, one above the other on a phone
        boxes = page.evaluate(
            """() => ['.folium-map', '.geoseg-map2'].map(s => {
                const r = document.querySelector(s).getBoundingClientRect();
                return [r.left, r.top, r.width]; })"""
        )
        assert boxes[1][0] > boxes[0][0] and boxes[1][1] == boxes[0][1]
        shots = _shots(tmp_path_factory)
        page.screenshot(path=str(shots / "map_compare_1400.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        boxes = page.evaluate(
            """() => ['.folium-map', '.geoseg-map2'].map(s => {
                const r = document.querySelector(s).getBoundingClientRect();
                return [r.left, r.top, r.width]; })"""
        )
        assert boxes[1][1] > boxes[0][1] and boxes[1][0] == boxes[0][0]
        page.screenshot(path=str(shots / "map_compare_390.png"))
        assert log.console_errors == [] and log.page_errors == [] and log.network == []
    finally:
        page.set_viewport_size({"width": 1200, "height": 900})
        page.close()


@pytest.mark.browser
def test_streets_and_names_appear_where_they_help(browser, areas, pages, tmp_path_factory):  # noqa: F811
    page, log = open_offline(browser, pages["access"])
    try:
        _wait_map(page)
        state = """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            const p = m.getPane('geoseg-streets');
            return [m.getZoom(), p ? p.style.display : 'absent',
                    p ? p.querySelectorAll('path').length : 0,
                    document.querySelectorAll('.geoseg-label').length]; }"""
        minor = """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            const p = m.getPane('geoseg-streets-minor'); return p ? p.style.display : 'absent'; }"""
        zoom, display, paths, _ = page.evaluate(state)
        assert zoom < 12 or display == ""  # the major streets at the city's zoom
        page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            m.setZoom(11, {animate: false}); }"""
        )
        _, display, paths, few = page.evaluate(state)
        assert display == "none" and paths >= 1
        page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            m.setZoom(12.5, {animate: false}); }"""
        )
        assert page.evaluate(state)[1] == ""
        assert page.evaluate(minor) == "none"  # the short streets wait for a closer zoom
        page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            m.setZoom(15, {animate: false}); }"""
        )
        zoom, display, _, many = page.evaluate(state)
        assert zoom == 15 and display == "" and page.evaluate(minor) == ""
        # the streets drawn are the prepared street lines, vertex for vertex (to 1e-5 degrees)
        drawn = page.evaluate(
            """() => { const d = document.querySelector('.folium-map'); const m = window[d.id];
            const out = [];
            m.eachLayer(l => { if (l.options && l.options.pane &&
                                   l.options.pane.startsWith('geoseg-streets') && l.getLatLngs) {
                l.getLatLngs().flat(2).forEach(p => out.push([p.lng, p.lat])); } });
            return out; }"""
        )
        lines = street_lines(_streets(areas)).to_crs("EPSG:4326")
        expected = shapely.get_coordinates(lines.to_numpy())
        assert len(drawn) == len(expected)
        # in two layers (major and minor streets): compare the vertices in one order
        drawn = np.array(drawn)[np.lexsort(np.array(drawn).T)]
        expected = np.round(expected, 5)[np.lexsort(np.round(expected, 5).T)]
        assert np.abs(drawn - expected).max() < 1e-5
        # names appear when their area is wide enough for them, never overlapping
        assert many > few
        labels = page.locator(".geoseg-label").all_inner_texts()
        assert set(labels) <= set(areas["name"])
        shots = _shots(tmp_path_factory)
        page.screenshot(path=str(shots / "map_access_zoomed_1200.png"))
        assert log.console_errors == [] and log.page_errors == []
    finally:
        page.close()
