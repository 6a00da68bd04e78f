"""The index page, the wording of the report and the verdict page in the page's language."""

from __future__ import annotations

import dataclasses
import re
from html import escape

import numpy as np
import pandas as pd
import pytest
from _mapdata import INJECTED, grid_areas

from geoseg.errors import InputError
from geoseg.i18n import series_note_text, tr
from geoseg.io.indicators import Indicator
from geoseg.plans import default_rules
from geoseg.publish import write_index, write_report
from geoseg.publish.index import GROUPS, page_group
from geoseg.publish.report import trend_svg
from geoseg.publish.verdict import protects_text

DEFINITIONS = {
    "children_0_5": Indicator(
        "children_0_5", "age_0_5", "pop_total", label_sv="Barn 0–5 år", target_area="start"
    ),
    "employment": Indicator(
        "employment",
        "employed_20_64",
        "age_20_64",
        label_sv="Förvärvsarbetande",
        worse="lower",
        target_area="work",
    ),
    "unplaced": Indicator("unplaced", "x", "pop_total", label_sv=INJECTED),
}


def _sections(html: str) -> dict[str, list[str]]:
    """The links of each ``<section id=...>`` of the index page."""
    out = {}
    for sid, body in re.findall(r'<section id="(\w+)">(.*?)</section>', html, flags=re.S):
        out[sid] = re.findall(r'<a href="([^"]+)"', body)
    return out


def test_index_groups_pages_by_target_area_with_descriptions(tmp_path):
    files = [
        "indicator_children_0_5.html",
        "trend_employment.html",
        "indicator_employment.html",
        "indicator_unplaced.html",
        "hotspots_x.html",
        "emerging_hotspots_x.html",
        "segregation_location_quotient.html",
        "access_library.html",
        "report.html",
    ]
    for f in files:
        (tmp_path / f).write_text("<html></html>", encoding="utf-8")
    out = write_index(
        tmp_path,
        [{"file": f, "title": f"{INJECTED} {f}"} for f in files],
        lang="sv",
        definitions=DEFINITIONS,
    )
    html = out.read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "<title>Kartor</title>" in html
    assert INJECTED not in html  # every title is escaped
    sections = _sections(html)
    assert list(sections) == [
        "start",
        "work",
        "living",
        "participation",
        "segregation",
        "access",
        "report",
        "other",
    ]
    assert sections["start"] == ["indicator_children_0_5.html"]
    # the indicator's map first, then its trend map, in the definitions' order
    assert sections["work"] == ["indicator_employment.html", "trend_employment.html"]
    assert sections["living"] == sections["participation"] == []  # said in words
    assert html.count(tr("idx_no_map", "sv")) == 2
    assert sections["segregation"] == [
        "hotspots_x.html",
        "emerging_hotspots_x.html",
        "segregation_location_quotient.html",
    ]
    assert sections["other"] == ["indicator_unplaced.html"]  # no target area declared
    for area in ("start", "work", "living", "participation"):
        assert f"<h2>{tr(f'area_{area}', 'sv')}</h2>" in html
    # one description per link, in Swedish, with the indicator's label and direction
    assert html.count('<p class="desc">') == len(files)
    assert "Förvärvsarbetande i varje område (procent av basbefolkningen; ett lägre värde" in html
    assert tr("idx_desc_report", "sv") in html


def test_index_group_of_an_entry_and_bad_entries(tmp_path):
    (tmp_path / "a.html").write_text("x", encoding="utf-8")
    out = write_index(
        tmp_path, [{"file": "a.html", "title": "A", "group": "plan", "description": "mine"}]
    )
    assert _sections(out.read_text(encoding="utf-8"))["plan"] == ["a.html"]
    assert '<p class="desc">mine</p>' in out.read_text(encoding="utf-8")
    with pytest.raises(InputError, match=r"'nowhere'.*missing\.html") as err:
        write_index(
            tmp_path,
            [{"file": "a.html", "group": "nowhere"}, {"file": "missing.html"}],
        )
    assert "does not exist" in str(err.value)
    assert page_group("access_library.html") == ("access", "access", None)
    assert page_group("trend_children_0_5.html", definitions=DEFINITIONS)[0] == "start"
    assert set(GROUPS) >= {"start", "work", "living", "participation", "report"}


def test_series_notes_read_in_swedish_keeping_the_projects_words():
    note = "series break in 2021 (nya gränser; DeSO 2025): trend from 2021 on"
    assert (
        series_note_text(note, "sv") == "seriebrott 2021 (nya gränser; DeSO 2025): trend från 2021"
    )
    assert series_note_text(note, "en") == note
    two = "series break in 2020 bridged by crosswalk nyckel.csv: trend across it; " + (
        "fewer than three comparable years"
    )
    assert series_note_text(two, "sv") == (
        "seriebrott 2020 överbryggat med omräkningsnyckel nyckel.csv: trend över brottet; "
        "färre än tre jämförbara år"
    )
    nested = "fewer than three years (series break in 2022: trend from 2022 on)"
    assert series_note_text(nested, "sv") == "färre än tre år (seriebrott 2022: trend från 2022)"
    assert series_note_text(INJECTED, "sv") == INJECTED  # anything else as written
    assert series_note_text("", "sv") == ""


def test_rule_purpose_in_the_page_language_unless_the_reviewer_wrote_it():
    rules = default_rules()
    for key in ("max_minutes_increase", "family_centre_share", "equity_gap", "meeting_place"):
        rule = getattr(rules, key)
        assert protects_text(key, rule, "en") == rule.protects  # the table's English is geoseg's
        swedish = protects_text(key, rule, "sv")
        assert swedish == tr(f"protects_{key}", "sv") and swedish != rule.protects
    own = dataclasses.replace(rules.meeting_place, protects="Mötesplatser i varje by")
    assert protects_text("meeting_place", own, "en") == "Mötesplatser i varje by"


def test_a_single_line_chart_has_no_legend_and_several_lines_do():
    one = {"Barn 0–5 år": pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.0, 2.0, 3.0]})}
    svg = trend_svg(one, title="Titel", lang="sv")
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    assert not any("Barn" in t for t in texts)  # the title names the one line
    assert svg.count("<polyline") == 1
    two = {
        "Alpha": one["Barn 0–5 år"],
        "Beta": one["Barn 0–5 år"].assign(value=[2.0, 2.5, 2.0]),
    }
    svg = trend_svg(two, title="Titel", lang="sv")
    texts = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))
    assert "Alpha" in texts and "Beta" in texts


def test_swedish_report_methods_and_series_notes_are_swedish(tmp_path):
    areas = grid_areas()
    codes = list(areas.index)
    hs = pd.DataFrame(
        {"value": np.arange(12.0), "quadrant": [1, 3] * 6, "p_adjusted": 0.01}, index=codes
    )
    acc = pd.DataFrame(
        {
            "id": codes,
            "kind": "library",
            "residents": 100.0,
            "mean_minutes": np.linspace(50, 5, 12),
            "median_minutes": 5.0,
            "share_within": 0.5,
            "fca_ratio": 1.0,
        }
    )
    trend = pd.DataFrame(
        {
            "index": ["dissimilarity"],
            "group": ["born_sweden"],
            "year_first": [2019],
            "year_last": [2023],
            "value_first": [0.30],
            "value_last": [0.34],
            "change": [0.04],
            "p_value_increase": [0.02],
            "series_note": ["series break in 2021 (nya gränser): trend from 2021 on"],
        }
    )
    seg = pd.DataFrame(
        {
            "year": [2019, 2023],
            "level": "a",
            "group": "born_sweden",
            "index": "dissimilarity",
            "value": [0.30, 0.34],
        }
    )

    @dataclasses.dataclass
    class FollowUp:  # the shape of geoseg.trends.ProjectTrends the report reads
        gaps: pd.DataFrame
        gap_series: pd.DataFrame
        areas: pd.DataFrame
        emerging: pd.DataFrame
        notes: list

    empty = pd.DataFrame()
    out = write_report(
        tmp_path / "r.html",
        title="Rapport",
        lang="sv",
        segregation=seg,
        trend=trend,
        hotspots=hs,
        access=acc,
        areas=areas,
        follow_up=FollowUp(empty, empty, empty, empty, []),
        methods={"Mann-Kendall": "English text from a caller", "Egen metod": "egen text"},
    )
    html = out.read_text(encoding="utf-8")
    for key in ("mx_local_moran", "mx_fdr", "mx_walking_time", "mx_fca", "mx_suppression"):
        assert escape(tr(key, "sv"), quote=False) in html, key
        assert escape(tr(key, "en"), quote=False) not in html, key
    for key in ("m_emerging", "m_mann_kendall", "m_theil_sen", "mx_theil_sen"):
        assert tr(key, "sv") in html, key
    assert "English text from a caller" not in html  # the report names Mann-Kendall itself
    assert "egen text" in html  # a caller's own method is kept
    assert "seriebrott 2021 (nya gränser): trend från 2021" in html
    assert "trend from" not in html
    # every table scrolls in a region the keyboard reaches, named for screen readers
    assert html.count("<table>") == html.count('role="region" tabindex="0" aria-label="')


def test_accessibility_check_fails_when_axe_core_is_missing(monkeypatch, tmp_path):
    """Without axe-core the browser tests fail (they never skip the check)."""
    import _browser

    monkeypatch.setattr(_browser, "AXE_SCRIPT", tmp_path / "axe.min.js")
    with pytest.raises(pytest.fail.Exception, match=r"npm ci --prefix tests/js"):
        _browser.axe_violations(None)


def _about_block(html: str) -> dict[str, str]:
    """The index page's ``<dl class="about">`` as heading -> text (HTML unescaped)."""
    from html import unescape

    block = re.search(r'<dl class="about">(.*?)</dl>', html, flags=re.S)
    assert block, "the index page does not say what it shows"
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1), flags=re.S)
    return {unescape(k): unescape(v) for k, v in pairs}


@pytest.mark.parametrize(
    ("lang", "level", "years", "data"),
    [
        (
            "sv",
            "Primärområde (96 områden)",
            "Registerår",
            "Källa: SCB. Register: SCB, Statistikdatabasen, tabell TAB638, tenure.csv. "
            "Områdesgränser: primaromraden.gpkg",
        ),
        (
            "en",
            "Primary area (96 areas)",
            "Register years",
            "Källa: SCB. Registers: Statistics Sweden (SCB), Statistical Database, table "
            "TAB638, tenure.csv. Area boundaries: primaromraden.gpkg",
        ),
    ],
)
def test_index_says_level_years_and_data(tmp_path, lang, level, years, data):
    from geoseg.publish.index import about_run

    settings = {
        "level": "primaromrade",  # no label declared: the translation table's
        "levels": {"primaromrade": {"label_sv": None, "label_en": None}},
        "sources": {
            "boundaries": "regso.gpkg",
            "level_boundaries": "primaromraden.gpkg",
            "register": "cache.csv",
            "register_origins": ["scb:TAB638", "tenure.csv"],
            "years": "2020–2023",
            "attribution": "Källa: SCB",
        },
    }
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    about = about_run(settings, lang=lang, areas=96)
    page = write_index(tmp_path, [("report.html", "Report")], lang=lang, about=about)
    shown = _about_block(page.read_text(encoding="utf-8"))
    assert list(shown.values()) == [level, "2020–2023", data]
    assert years in shown


def test_index_about_uses_declared_labels_and_escapes(tmp_path):
    from geoseg.publish.index import about_run

    settings = {
        "level": "quarter",
        "levels": {"quarter": {"label_sv": f"Kvarter {INJECTED}", "label_en": "Quarter"}},
        "sources": {
            "boundaries": f"{INJECTED}.gpkg",
            "register": "reg.csv",
            "years": "",  # a single-year register
            "attribution": INJECTED,
        },
    }
    (tmp_path / "report.html").write_text("<html></html>", encoding="utf-8")
    page = write_index(
        tmp_path, [("report.html", "R")], lang="sv", about=about_run(settings, lang="sv", areas=4)
    )
    html = page.read_text(encoding="utf-8")
    assert INJECTED not in html and escape(INJECTED) in html
    shown = _about_block(html)
    assert shown["Områdesnivå"] == f"Kvarter {INJECTED} (4 områden)"
    assert shown["Registerår"] == "Ett år (registret har ingen årskolumn)"
    assert shown["Data"] == f"{INJECTED}. Register: reg.csv. Områdesgränser: {INJECTED}.gpkg"
    # a project without [levels]: the areas of the boundary file
    plain = about_run({"sources": {"boundaries": "areas.gpkg", "years": "2018–2023"}}, lang="en")
    assert plain[0] == ("Area level", "The areas of areas.gpkg")
