"""The maps and report that ``geoseg run`` publishes for the example city, in headless Chromium.

Each page is opened from ``file://`` with the network cut: it must draw every area of the city,
show a tooltip with the area's name and code on hover, carry the fictional-data note, log no
console error and request nothing from the network.
"""

from __future__ import annotations

import re

import pytest
from _browser import browser, hover_area, open_offline  # noqa: F401  (fixture)

from geoseg.io import load_project
from geoseg.pipeline import run_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a whole geoseg run, every page browsed


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("published-run")
    return run_project(None, output=out / "output", maps=out / "maps", lang="sv")


@pytest.fixture(scope="module")
def areas():
    from geoseg.example import example_config

    return load_project(example_config()).areas


def _published(maps_dir):
    pages = [*maps_dir.glob("*.html"), *maps_dir.glob("*.pdf")]
    return sorted(p.name for p in pages if p.name != "index.html")


def test_every_published_map_draws_the_city_offline(browser, run, areas):  # noqa: F811
    maps = [n for n in _published(run.maps) if n.endswith(".html") and n != "report.html"]
    assert len(maps) >= 10
    centre = areas.to_crs("EPSG:4326").geometry.representative_point()
    code = areas.index[len(areas) // 2]
    for name in maps:
        page, log = open_offline(browser, run.maps / name)
        try:
            page.wait_for_selector("path.geoseg-area")
            assert page.locator("path.geoseg-area").count() == len(areas), name
            assert page.title().strip(), name
            assert page.locator("html").get_attribute("lang") == "sv", name
            assert page.locator("a.geoseg-back").get_attribute("href") == "index.html", name
            assert "Fiktiv exempelstad" in page.locator(".geoseg-fictional").inner_text()
            pt = centre.loc[code]
            hover_area(page, pt.y, pt.x)
            # a service marker may sit on the same spot: read the area's own tooltip
            tip = page.locator(".leaflet-tooltip", has_text=code)
            tip.wait_for(state="visible", timeout=5000)
            text = tip.inner_text()
            assert code in text and str(areas.loc[code, "name"]) in text, (name, text)
            assert log.console_errors == [] and log.page_errors == [], (name, log)
            assert log.network == [], (name, log.network)
        finally:
            page.close()


def test_index_links_every_map_and_report_opens(browser, run):  # noqa: F811
    page, log = open_offline(browser, run.maps / "index.html")
    try:
        hrefs = page.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert sorted(hrefs) == _published(run.maps)
        assert log.console_errors == [] and log.network == []
    finally:
        page.close()
    page, log = open_offline(browser, run.maps / "report.html")
    try:
        assert page.locator("svg.chart").count() >= 5  # trend charts of the indices
        assert "fiktiv" in page.locator("body").inner_text().lower()
        assert log.console_errors == [] and log.page_errors == [] and log.network == []
    finally:
        page.close()


_RAW = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def _identifiers(text):
    """Words with underscores that are not file names (data sources list their files)."""
    return sorted(
        {
            w
            for w in _RAW.findall(text)
            if not re.search(re.escape(w) + r"\.(gpkg|csv|tif|pbf|osm|xml|graphml)", text)
        }
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_text_has_no_raw_identifier(browser, run, tmp_path_factory, lang):  # noqa: F811
    from geoseg.i18n import group_label, tr
    from geoseg.segregation import available_indices

    maps = run.maps
    if lang == "en":
        out = tmp_path_factory.mktemp("published-en")
        maps = run_project(None, output=out / "output", maps=out / "maps", lang="en").maps
    page, _ = open_offline(browser, maps / "report.html")
    shots = tmp_path_factory.mktemp("screenshots")
    try:
        text = page.locator("body").inner_text()
        assert _identifiers(text) == []
        for name in available_indices():  # no index registry name either
            if "_" in name:  # one-word names are ordinary words ("Gini", bibliographic titles)
                assert name not in text, name
        assert group_label("born_sweden", lang) in text  # register groups in words
        for area in ("start", "work", "living", "participation"):
            assert tr(f"area_{area}", lang) in text
        assert " 2 018" not in text and "\u202f018" not in text
        for size in ((1400, 900), (390, 844)):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.screenshot(path=str(shots / f"report_{lang}_{size[0]}.png"), full_page=False)
    finally:
        page.close()
