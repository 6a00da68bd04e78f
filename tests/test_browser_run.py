"""The maps and report that ``geoseg run`` publishes for the example city, in headless Chromium.

Each page is opened from ``file://`` with the network cut: it must draw every area of the city,
show a tooltip with the area's name and code on hover, carry the fictional-data note, log no
console error and request nothing from the network.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from _browser import (  # noqa: F401  (fixture)
    VIEWPORTS,
    axe_violations,
    browser,
    hover_area,
    open_offline,
    screenshots,
)
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.i18n import tr
from geoseg.io import load_project
from geoseg.pipeline import run_project
from geoseg.publish.index import page_group

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a whole geoseg run, every page browsed


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("published-run")
    return run_project(None, output=out / "output", maps=out / "maps", lang="sv")


@pytest.fixture(scope="module")
def project():
    from geoseg.example import example_config

    return load_project(example_config())


@pytest.fixture(scope="module")
def areas(project):
    return project.areas


@pytest.fixture(scope="module")
def verdict(example_data, tmp_path_factory):
    """The reviewer's page and plan map of a plan that breaks rules (Swedish, as the project)."""
    folder = tmp_path_factory.mktemp("verdict-pages")
    target = folder / "close_meeting_place.json"
    plan = example_data / "plans" / "close_meeting_place.geojson"
    res = CliRunner().invoke(main, ["-q", "check-plan", str(plan), "-o", str(target)])
    assert res.exit_code == 1, res.output  # the plan breaks a rule
    return {"page": target.with_suffix(".html"), "map": folder / "close_meeting_place_map.html"}


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
    from geoseg.i18n import group_label, index_label, tr
    from geoseg.segregation import available_indices, index_formula
    from geoseg.segregation.registry import INDICES

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
        # the appendix: every index charted there (and the two headline measures) has a row
        # with its label in the report's language, its formula and its source
        appendix = page.locator("#methods")
        rows = {}
        for tr_ in appendix.locator("table").last.locator("tbody tr").all():
            cells = tr_.locator("td").all_inner_texts()
            rows[cells[0]] = cells
        titles = appendix.locator("svg.chart > title")
        charted = " ".join(titles.evaluate_all("els => els.map(e => e.textContent)"))
        listed = [
            n
            for n in INDICES
            if index_label(n, lang) in charted or n in ("dissimilarity", "isolation")
        ]
        assert len(listed) >= 10
        for name in listed:
            label = index_label(name, lang)
            assert label in rows, (name, label)
            assert rows[label][1] == index_formula(name) and rows[label][2], name
        for size in ((1400, 900), (390, 844)):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.screenshot(path=str(shots / f"report_{lang}_{size[0]}.png"), full_page=False)
    finally:
        page.close()


def _raw_words(text, project):
    """Register column names, indicator keys and index registry names found in ``text``."""
    from geoseg.segregation import available_indices

    words = {str(c) for c in project.register.columns}
    words |= set(project.project.indicators) | set(available_indices())
    # one plain word ("year", "gini") is an ordinary word in a sentence: look for codes only
    codes = {w for w in words if re.search(r"[_/+\d]", w)}
    return sorted(w for w in codes if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w.])", text))


# every kind of page published: (name, file or file prefix in the maps folder)
PAGE_TYPES = {
    "report": "report.html",
    "index": "index.html",
    "verdict": None,
    "map_indicator": "indicator_",
    "map_trend": "trend_",
    "map_hotspots": "hotspots_",
    "map_emerging": "emerging_hotspots_",
    "map_access": "access_",
    "map_location_quotient": "segregation_location_quotient",
    "map_plan": None,
}


def _page_path(kind, run, verdict):
    if kind == "verdict":
        return verdict["page"]
    if kind == "map_plan":
        return verdict["map"]
    prefix = PAGE_TYPES[kind]
    found = sorted(p for p in run.maps.iterdir() if p.name.startswith(prefix))
    assert found, f"no published page of kind {kind} ({prefix}*)"
    return found[0]


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_every_page_type_passes_axe_at_both_sizes(browser, run, verdict, kind):  # noqa: F811
    """axe-core's WCAG 2.1 A/AA rules on each kind of page, at desktop and phone size; the
    screenshots are saved as test artefacts."""
    path = _page_path(kind, run, verdict)
    page, log = open_offline(browser, path)
    found = {}
    try:
        if kind.startswith("map_"):
            page.wait_for_selector("path.geoseg-area")
        assert page.title().strip() and page.locator("html").get_attribute("lang") == "sv"
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(250)
            for v in axe_violations(page):
                found.setdefault(v["id"], []).extend(f"{width}px {n}" for n in v["nodes"])
        screenshots(page, kind)
        assert log.page_errors == [] and log.network == []
    finally:
        page.close()
    assert found == {}, found


def test_index_groups_every_map_by_target_area(browser, run, project):  # noqa: F811
    definitions = project.project.indicators
    page, log = open_offline(browser, run.maps / "index.html")
    try:
        assert page.title() == project.project.project.name
        assert page.locator("html").get_attribute("lang") == "sv"
        heads = page.locator("h2").all_inner_texts()
        areas = ["start", "work", "living", "participation"]
        # the four target areas first, in the programme's order, then the other groups
        assert heads[:4] == [tr(f"area_{a}", "sv") for a in areas]
        assert tr("idx_group_segregation", "sv") in heads
        assert tr("idx_group_access", "sv") in heads
        for section in page.locator("section").all():
            group = section.get_attribute("id")
            for link in section.locator("li").all():
                href = link.locator("a").get_attribute("href")
                assert page_group(href, definitions=definitions)[0] == group, href
                assert link.locator("p.desc").inner_text().strip(), href  # a description
        placed = {
            section.get_attribute("id"): section.locator("a").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"
            )
            for section in page.locator("section").all()
        }
        for ind in definitions.values():  # each indicator's map under its own target area
            maps = [h for h in placed.get(ind.target_area, []) if h.startswith("indicator_")]
            assert any(ind.label("sv") in page.locator(f'a[href="{h}"]').inner_text() for h in maps)
        assert "report.html" in placed["report"]
        assert log.console_errors == [] and log.network == []
    finally:
        page.close()


@pytest.mark.parametrize("name", ["index", "verdict", "report"])
def test_visible_text_names_no_column_or_code(browser, run, verdict, project, name):  # noqa: F811
    """The rendered text of the index, the verdict page and the report never shows a register
    column, an indicator key or an index registry name."""
    path = verdict["page"] if name == "verdict" else run.maps / f"{name}.html"
    page, _ = open_offline(browser, path)
    try:
        text = page.locator("body").inner_text()
    finally:
        page.close()
    # the plan's own file name heads the verdict page; file names are not identifiers
    text = re.sub(r"\S+\.(geojson|gpkg|csv|tif|pbf|osm|xml|graphml|json)\b", "", text)
    assert _raw_words(text, project) == []
    assert _identifiers(text) == []


def test_verdict_page_says_what_each_rule_protects_in_swedish(browser, verdict):  # noqa: F811
    from geoseg.plans import default_rules

    page, _ = open_offline(browser, verdict["page"])
    try:
        body = page.locator("body").inner_text()
    finally:
        page.close()
    for key in ("max_minutes_increase", "family_centre_share", "equity_gap", "meeting_place"):
        assert tr(f"protects_{key}", "sv") in body
        assert getattr(default_rules(), key).protects not in body  # not the English text


def test_report_pdf_has_a4_pages_with_every_section(browser, run):  # noqa: F811
    from pypdf import PdfReader

    page, _ = open_offline(browser, run.maps / "report.html")
    try:
        heads = page.locator("section > h2").all_inner_texts()
    finally:
        page.close()
    reader = PdfReader(run.maps / "report.pdf")
    assert len(reader.pages) >= 10  # the example city's report runs over many pages
    for p in reader.pages:
        assert float(p.mediabox.width) == pytest.approx(595.3, abs=1)  # A4 in points
        assert float(p.mediabox.height) == pytest.approx(841.9, abs=1)
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    text = re.sub(r"\s+", " ", text)
    at = 0
    contents = text.index(heads[-1]) + len(heads[-1])  # past the table of contents
    for head in heads:  # every section heading, in the report's order, after the contents
        at = text.index(re.sub(r"\s+", " ", head), max(at, contents))
    assert tr("area_participation", "sv") in text and tr("sources", "sv") in text
