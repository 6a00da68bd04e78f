"""The reviewer's verdict page and the CLI table of ``geoseg check-plan`` on the example plans."""

from __future__ import annotations

import json
import re

import pytest
from _browser import browser, open_offline  # noqa: F401  (fixture)
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.plans import default_rules
from geoseg.publish.verdict import protects_text

PLANS = {"close_meeting_place": "fail", "new_family_centre": "pass"}


@pytest.fixture(scope="module")
def checked(example_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("verdict")
    out = {}
    for name in PLANS:
        target = folder / f"{name}.json"
        res = CliRunner().invoke(
            main,
            [
                "-q",
                "check-plan",
                str(example_data / "plans" / f"{name}.geojson"),
                "-o",
                str(target),
                "--format",
                "json",
            ],
        )
        table = CliRunner().invoke(
            main,
            [
                "-q",
                "check-plan",
                str(example_data / "plans" / f"{name}.geojson"),
                "-o",
                str(folder / f"{name}.txt"),
            ],
        )
        out[name] = (res, target, table)
    return out


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PLANS))
def test_verdict_page_shows_the_verdict_rules_and_persons(
    browser,  # noqa: F811
    checked,
    name,
    tmp_path_factory,
):
    res, target, _ = checked[name]
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["verdict"] == PLANS[name], res.output
    page_path = target.with_suffix(".html")
    page, log = open_offline(browser, page_path)
    shots = tmp_path_factory.mktemp("verdict-shots")
    try:
        lang = page.locator("html").get_attribute("lang")
        verdict = page.locator(".verdict").inner_text()
        broken = len({v["rule"] for v in doc["violations"]})
        if broken:
            expected = f"bryter mot {broken} av 4" if lang == "sv" else f"breaks {broken} of 4"
        else:
            expected = "klarar alla 4" if lang == "sv" else "passes all 4"
        assert expected in verdict
        assert page.title().startswith(verdict)
        # the verdict is the first thing below the title
        first = page.locator("h1 + p").inner_text()
        assert first == verdict
        body = page.locator("body").inner_text()
        d = default_rules()
        for key in ("max_minutes_increase", "family_centre_share", "equity_gap", "meeting_place"):
            # what the rule protects, in the page's language
            assert protects_text(key, getattr(d, key), lang) in body
        cells = page.locator("table").nth(1).locator("td").all_inner_texts() if broken else []
        for text in cells:  # whole persons: no decimal mark in any count cell
            if re.fullmatch(r"[\d\s\u202f]+", text):
                assert "," not in text and "." not in text
        for group in doc["groups"]:
            if round(group["lose"]) >= 5 and group["kind"] == "meeting_place":
                shown = f"{round(group['lose']):,d}"
                if lang == "sv":
                    shown = shown.replace(",", "\u202f")
                assert shown in body
        assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", body.split("\n", 1)[1])
        assert page.locator("iframe").count() == 1
        assert log.page_errors == [] and log.network == []
        for w, h in ((1400, 900), (390, 844)):
            page.set_viewport_size({"width": w, "height": h})
            page.screenshot(path=str(shots / f"verdict_{name}_{w}.png"))
    finally:
        page.close()


@pytest.mark.parametrize("name", list(PLANS))
def test_cli_table_is_plain_and_fits_100_columns(checked, name):
    _, target, table = checked[name]
    text = target.with_name(f"{name}.txt").read_text(encoding="utf-8")
    assert table.exit_code == (1 if PLANS[name] == "fail" else 0), table.output
    assert text.startswith("VERDICT: " + PLANS[name].upper())
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not re.search(r"\de[+-]\d", text)  # no scientific notation
    assert "pop_total" not in text and "age_0_5" not in text
    gains = text.split("Residents who gain and who lose (whole persons):\n", 1)[1].split("\n\n")[0]
    for line in gains.splitlines()[1:]:
        for cell in line.split()[-5:]:
            assert re.fullmatch(r"[\d,]+|<\d+", cell), line


def test_page_never_replaces_a_file_geoseg_did_not_write(example_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "output" / "plan_housing.html"
    mine.parent.mkdir()
    mine.write_text("my notes", encoding="utf-8")
    plan = str(example_data / "plans" / "housing.geojson")
    res = CliRunner().invoke(main, ["-q", "check-plan", plan])
    assert res.exit_code == 2 and "plan_housing.html" in res.output
    assert mine.read_text(encoding="utf-8") == "my notes"
    mine.unlink()
    for _ in range(2):  # a page geoseg wrote is replaced by the next check
        res = CliRunner().invoke(main, ["-q", "check-plan", plan])
        assert res.exit_code == 0, res.output
    assert "<html" in mine.read_text(encoding="utf-8")
    assert (tmp_path / "output" / "plan_housing_map.html").is_file()


def test_plan_map_marks_added_and_removed_services_apart(checked):
    from geoseg.i18n import action_label

    html = {
        name: checked[name][1].with_name(f"{name}_map.html").read_text(encoding="utf-8")
        for name in PLANS
    }
    lang = "sv" if 'lang="sv"' in html["new_family_centre"] else "en"
    added, removed = action_label("add_service", lang), action_label("remove_service", lang)
    assert added != removed
    assert json.dumps(added, ensure_ascii=False) in html["new_family_centre"]
    assert json.dumps(removed, ensure_ascii=False) in html["close_meeting_place"]
    # the removed service is a hollow disc with a dashed border, the added one a filled disc
    assert re.search(r'"dashArray":\s*"4 3"', html["close_meeting_place"])
    assert '"dashArray"' not in html["new_family_centre"]


def _street_lines_drawn(html):
    """Lines of the chained street layers (major and minor) of a map page."""
    decoder = json.JSONDecoder()
    count = 0
    for m in re.finditer(r'\{"type":\s*"FeatureCollection"', html):
        obj, _ = decoder.raw_decode(html, m.start())
        if obj.get("chain"):
            count += sum(len(f["geometry"]["coordinates"]) for f in obj["features"])
    return count


@pytest.fixture(scope="module")
def street_count(example_data):
    from geoseg.io import load_project
    from geoseg.publish.maps import street_lines

    project = load_project(example_data / "geoseg.toml")
    return len(street_lines(project.network(), areas=project.areas))


def test_plan_map_has_streets_water_and_area_names(checked, street_count):
    for name in PLANS:
        html = checked[name][1].with_name(f"{name}_map.html").read_text(encoding="utf-8")
        assert '"geoseg-streets"' in html and '"geoseg-streets-minor"' in html
        assert _street_lines_drawn(html) == street_count  # every street of the network
        assert '"geoseg-water"' in html and "geoseg.labels(" in html


def test_suggest_sites_map_has_streets_water_and_area_names(example_data, tmp_path, street_count):
    out = tmp_path / "fc.json"
    res = CliRunner().invoke(
        main, ["-q", "suggest-sites", "--count", "1", "--format", "json", "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    pages = [p for p in tmp_path.glob("*.html")]
    assert pages, sorted(p.name for p in tmp_path.iterdir())
    html = pages[0].read_text(encoding="utf-8")
    assert '"geoseg-streets"' in html and _street_lines_drawn(html) == street_count
    assert '"geoseg-water"' in html and "geoseg.labels(" in html
