"""Published maps, index and report opened in headless Debian Chromium, offline, from file://."""

from __future__ import annotations

import contextlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _browser import browser, hover_area, open_offline  # noqa: F401  (fixture)
from _mapdata import INJECTED, grid_areas

from geoseg.publish import (
    MapStyle,
    access_map,
    choropleth_map,
    lisa_map,
    local_index_map,
    plan_map,
    save_map,
    write_index,
    write_report,
)

pytestmark = pytest.mark.browser

N_AREAS = 12


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    maps = out / "maps"
    areas = grid_areas()
    codes = list(areas.index)
    rng = np.random.default_rng(5)
    tidy = pd.DataFrame(
        {
            "code": codes * 2,
            "year": [2022] * 12 + [2023] * 12,
            "value": rng.uniform(0, 50, 24),
            "pop": [3] + [40] * 23,
        }
    )
    c = areas.geometry.centroid
    services = gpd.GeoDataFrame(
        {"service_id": ["s1"], "kind": ["library"], "name": [INJECTED], "capacity": [5.0]},
        geometry=[c.iloc[4]],
        crs=areas.crs,
    )
    iso = gpd.GeoDataFrame(
        {"service_id": ["s1"], "kind": ["library"], "minutes": [10]},
        geometry=[c.iloc[4].buffer(400)],
        crs=areas.crs,
    )
    acc = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "residents": [2.0] + [50.0] * 11,
            "mean_minutes": np.linspace(3, 30, 12),
            "median_minutes": 4.0,
            "share_within": 0.5,
            "fca_ratio": 0.3,
        }
    )
    hs = pd.DataFrame(
        {
            "value": np.arange(12.0),
            "I": 0.4,
            "quadrant": [1, 2, 3, 4] * 3,
            "p_value": 0.01,
            "p_adjusted": [0.01, 0.2] * 6,
        },
        index=codes,
    )
    plan = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "before_minutes": 20.0,
            "after_minutes": np.linspace(10, 30, 12),
            "change_minutes": np.linspace(-10, 10, 12),
        }
    )
    water = gpd.GeoDataFrame(
        {"kind": ["river"]},
        geometry=[areas.union_all().buffer(300).difference(areas.union_all())],
        crs=areas.crs,
    )
    common = {"style": MapStyle(fictional=True, water=water), "title": INJECTED}
    files = {
        "indicator.html": choropleth_map(
            areas, tidy, count_columns=["pop"], label=INJECTED, **common
        ),
        "local.html": local_index_map(areas, hs, columns=["value", "I"], **common),
        "lisa.html": lisa_map(
            areas, hs, **(common | {"style": MapStyle(lang="sv", fictional=True, water=water)})
        ),
        "access.html": access_map(
            areas, acc, services=services, isochrones=iso, show_isochrones=True, **common
        ),
        "plan.html": plan_map(areas, plan, **common),
    }
    for name, m in files.items():
        save_map(m, maps / name)
    write_index(maps, [(n, f"{INJECTED} {n}") for n in files], fictional=True)
    seg = pd.DataFrame(
        {
            "year": [2020, 2021, 2022],
            "level": "a",
            "group": INJECTED,
            "index": "dissimilarity",
            "value": [0.3, 0.31, 0.33],
        }
    )
    write_report(
        out / "report.html",
        title=INJECTED,
        fictional=True,
        segregation=seg,
        hotspots=hs,
        access=acc,
        areas=areas,
        maps=[("maps/index.html", "Maps")],
    )
    centre = areas.geometry.representative_point().to_crs(4326)
    return {"dir": out, "maps": list(files), "centre": centre}


@contextlib.contextmanager
def offline_page(browser, path):  # noqa: F811
    """Open ``path`` offline; after the test's checks, require a clean page; always close it."""
    page, log = open_offline(browser, path)
    try:
        yield page
        assert log.console_errors == [] and log.page_errors == []
        assert log.dialogs == []  # no alert() ran
        assert log.network == []  # nothing asked for the network
        assert page.locator('img[src="x"]').count() == 0
    finally:
        page.close()


def tooltip_of_0101(page, published):
    """Hover area 0101 and return its tooltip's text (a tooltip of an area the pointer crossed
    on its way may still be closing: wait for the one naming 0101)."""
    pt = published["centre"].loc["0101"]
    hover_area(page, pt.y, pt.x)
    tip = page.locator(".leaflet-tooltip", has_text="0101")
    tip.wait_for(state="visible", timeout=5000)
    return tip.inner_text()


@pytest.mark.parametrize(
    "name", ["indicator.html", "local.html", "lisa.html", "access.html", "plan.html"]
)
def test_map_works_offline_and_shows_tooltips(browser, published, name):  # noqa: F811
    with offline_page(browser, published["dir"] / "maps" / name) as page:
        page.wait_for_selector("path.geoseg-area")
        assert page.locator("path.geoseg-area").count() == N_AREAS
        # a switch only where there is something to switch (years, indices, services)
        switches = 0 if name in ("lisa.html", "plan.html") else 1
        assert page.locator(".leaflet-control-layers").count() == switches
        note = page.locator(".geoseg-fictional").inner_text()
        assert ("Fiktiv exempelstad" if name == "lisa.html" else "Fictional example city") in note
        text = tooltip_of_0101(page, published)
        assert INJECTED in text and "0101" in text
        if name == "indicator.html":
            assert "2023" in text and "<5" not in text  # the small count is in 2022 only
            # the injected layer name is shown as text in the layer control
            assert INJECTED in page.locator(".leaflet-control-layers").inner_text()
        if name == "access.html":
            assert page.locator("path.geoseg-service").count() == 1
            assert page.locator("path.geoseg-isochrone").count() == 1
        # the injected title and layer names are text too
        assert INJECTED in page.locator(".geoseg-title").inner_text()
        page.mouse.move(1, 1)
        page.wait_for_timeout(100)


def test_year_switch_keeps_one_layer_of_areas(browser, published):  # noqa: F811
    with offline_page(browser, published["dir"] / "maps" / "indicator.html") as page:
        page.wait_for_selector("path.geoseg-area")
        page.locator(".leaflet-control-layers label", has_text="2022").click()
        page.wait_for_timeout(200)
        assert page.locator("path.geoseg-area").count() == N_AREAS
        text = tooltip_of_0101(page, published)
        assert "2022" in text and "<5, suppressed" in text


def test_index_and_report_open_offline(browser, published):  # noqa: F811
    with offline_page(browser, published["dir"] / "maps" / "index.html") as page:
        assert page.locator("a").count() == len(published["maps"])
        assert INJECTED in page.locator("a").first.inner_text()
    with offline_page(browser, published["dir"] / "report.html") as page:
        assert INJECTED in page.locator("h1").inner_text()
        assert page.locator("svg.chart polyline").count() == 1
        assert "Fictional example city" in page.locator(".fictional").inner_text()


def test_plan_map_switches_between_kinds(browser, tmp_path):  # noqa: F811
    areas = grid_areas()
    codes = list(areas.index)
    centre = areas.geometry.representative_point().to_crs(4326)
    plan = pd.DataFrame(
        {
            "id": codes * 2,
            "kind": ["library"] * N_AREAS + ["meeting_place"] * N_AREAS,
            "before_minutes": 20.0,
            "after_minutes": 20.0,
            "change_minutes": list(np.linspace(-10, 10, N_AREAS)) + [2.0] * N_AREAS,
        }
    )
    feats = gpd.GeoDataFrame(
        {"action": ["add"], "name": [INJECTED]},
        geometry=[areas.geometry.centroid.iloc[5]],
        crs=areas.crs,
    )
    path = save_map(
        plan_map(areas, plan, features=feats, style=MapStyle(fictional=True)), tmp_path / "p.html"
    )

    def tooltip_of_0101_shows(page, service):
        """Hover area 0101 until a tooltip naming ``service`` is visible (polls: robust under
        load, and never confused by the tooltip of an earlier hover)."""
        pt = centre.loc["0101"]
        page.mouse.move(1, 1)
        hover_area(page, pt.y, pt.x)
        tip = page.locator(".leaflet-tooltip", has_text=service)
        tip.wait_for(state="visible", timeout=15000)  # raises when it never shows

    def last_path_class(page):
        return page.evaluate(
            "() => { const p = document.querySelectorAll('.leaflet-overlay-pane path');"
            " return p[p.length - 1].getAttribute('class'); }"
        )

    with offline_page(browser, path) as page:
        page.wait_for_selector("path.geoseg-area")
        radios = page.locator(".leaflet-control-layers-base input[type=radio]")
        assert radios.count() == 2 and radios.nth(0).is_checked()
        assert page.locator("path.geoseg-area").count() == N_AREAS
        tooltip_of_0101_shows(page, "Library")
        page.locator(".leaflet-control-layers-base label", has_text="meeting place").click()
        page.wait_for_timeout(200)
        assert radios.nth(1).is_checked() and not radios.nth(0).is_checked()
        assert page.locator("path.geoseg-area").count() == N_AREAS  # one kind at a time
        # the plan's features stay on top of the kind just chosen (checked before any hover,
        # which brings the hovered area to the front)
        assert page.locator("path.geoseg-plan").count() == 1
        assert "geoseg-plan" in last_path_class(page)
        tooltip_of_0101_shows(page, "Meeting place")
