"""``geoseg check-plan`` on the example plans: verdicts, exit codes, JSON contract, map."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from geoseg.cli import main

EXPECTED = {
    "new_family_centre": "pass",
    "close_meeting_place": "fail",
    "footbridge": "pass",
    "housing": "pass",
}


@pytest.fixture(scope="module")
def runs(example_data, tmp_path_factory):
    out = {}
    folder = tmp_path_factory.mktemp("plans")
    runner = CliRunner()
    for name in EXPECTED:
        target = folder / f"{name}.json"
        res = runner.invoke(
            main,
            [
                "-q",
                "check-plan",
                str(example_data / "plans" / f"{name}.geojson"),
                "--format",
                "json",
                "-o",
                str(target),
            ],
        )
        out[name] = (res, target)
    return out


@pytest.mark.parametrize("name", list(EXPECTED))
def test_example_plan_verdict_and_exit_code(runs, name):
    res, target = runs[name]
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["verdict"] == EXPECTED[name], res.output
    assert res.exit_code == (0 if EXPECTED[name] == "pass" else 1)
    assert set(doc) >= {"verdict", "violations", "areas", "summary"}
    for v in doc["violations"]:
        assert set(v) == {"rule", "area", "kind", "detail"}
    keys = {
        "id",
        "kind",
        "before_minutes",
        "after_minutes",
        "change_minutes",
        "before_share",
        "after_share",
    }
    assert doc["areas"] and all(set(a) == keys for a in doc["areas"])
    assert (doc["verdict"] == "fail") == bool(doc["violations"])
    for html in (target.with_suffix(".html"), target.with_name(f"{target.stem}_map.html")):
        assert html.is_file() and "<html" in html.read_text(encoding="utf-8").lower()


def test_new_family_centre_narrows_the_gap(runs):
    doc = json.loads(runs["new_family_centre"][1].read_text(encoding="utf-8"))
    assert doc["summary"]["gap_change"]["family_centre"] < 0
    assert doc["summary"]["gain"]["family_centre"] > 0
    assert doc["summary"]["lose"]["family_centre"] == 0
    for a in doc["areas"]:
        if a["kind"] == "family_centre" and a["change_minutes"] is not None:
            assert a["change_minutes"] <= 1e-9  # a new service never lengthens a walk


def test_closing_a_meeting_place_breaks_the_meeting_place_rule(runs):
    doc = json.loads(runs["close_meeting_place"][1].read_text(encoding="utf-8"))
    rules = {v["rule"] for v in doc["violations"]}
    assert "meeting_place" in rules
    assert all(v["kind"] == "meeting_place" for v in doc["violations"])


def test_footbridge_and_housing_change_what_they_should(runs):
    bridge = json.loads(runs["footbridge"][1].read_text(encoding="utf-8"))
    assert bridge["summary"]["new_paths"] == 1
    assert sum(bridge["summary"]["gain"].values()) > 0
    assert sum(bridge["summary"]["lose"].values()) == 0  # a new path only shortens walks
    housing = json.loads(runs["housing"][1].read_text(encoding="utf-8"))
    assert housing["summary"]["new_residents"] == pytest.approx(1200.0)


def test_bad_plan_exits_2_with_all_problems(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"action": "demolish"},'
        ' "geometry": {"type": "Point", "coordinates": [12.0, 57.7]}},'
        '{"type": "Feature", "properties": {"action": "remove_service", "service_id": "NOPE"},'
        ' "geometry": null}]}',
        encoding="utf-8",
    )
    res = CliRunner().invoke(main, ["-q", "check-plan", str(path)])
    assert res.exit_code == 2
    assert "unknown action 'demolish'" in res.output and "'NOPE'" in res.output


def test_table_output_and_rules_option(example_data, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the verdict page goes to ./output for the example city
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[meeting_place]\nenabled = false\n[max_minutes_increase]\nenabled = false\n"
        "[equity_gap]\nenabled = false\n"
    )
    res = CliRunner().invoke(
        main,
        [
            "-q",
            "check-plan",
            str(example_data / "plans" / "close_meeting_place.geojson"),
            "--rules",
            str(rules),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "VERDICT: PASS" in res.output and "Residents who gain and who lose" in res.output
    assert (tmp_path / "output" / "plan_close_meeting_place.html").is_file()
    bad = tmp_path / "bad.toml"
    bad.write_text("[meeting_place]\nminutes = -1\n")
    res = CliRunner().invoke(
        main,
        ["-q", "check-plan", str(example_data / "plans" / "housing.geojson"), "--rules", str(bad)],
    )
    assert res.exit_code == 2 and "must not be negative" in res.output


def _section(text: str, heading: str) -> list[str]:
    """The lines of a table section of the text output, below ``heading`` up to a blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading)) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_table_shows_only_the_kinds_the_plan_changes(example_data, runs, tmp_path, monkeypatch):
    from geoseg.i18n import kind_label

    monkeypatch.chdir(tmp_path)
    plan = example_data / "plans" / "new_family_centre.geojson"
    res = CliRunner().invoke(main, ["-q", "check-plan", str(plan)])
    assert res.exit_code == 0, res.output
    doc = json.loads(runs["new_family_centre"][1].read_text(encoding="utf-8"))
    counts = ("gain", "lose", "newly_within", "no_longer_within", "new_residents", "new_within")
    moved = {g["kind"] for g in doc["groups"] if any(g[c] for c in counts)}
    every = {g["kind"] for g in doc["groups"]}
    assert moved == {"family_centre"} and len(every) > 1  # JSON keeps every kind
    gains = _section(res.stdout, "Residents who gain and who lose")
    labels = {kind_label(k, "en") for k in every}
    shown = {lab for line in gains[1:] for lab in labels if line.strip().startswith(lab)}
    assert shown == {kind_label("family_centre", "en")}
    assert len(gains) - 1 == sum(1 for g in doc["groups"] if g["kind"] in moved)
    unchanged = ", ".join(kind_label(k, "en") for k in sorted(every - moved))
    assert f"unchanged: {unchanged}" in res.stdout.replace("\n", " ")


def _map_layers(html: str) -> tuple[list[str], list[str], list[str]]:
    """Base layer names, overlay names and the names of the layers shown at first of a map."""
    import re

    control = re.search(r"base_layers\s*:\s*\{(.*?)\},\s*overlays\s*:\s*\{(.*?)\}", html, re.S)
    assert control is not None
    pairs = [re.findall(r'("(?:[^"\\]|\\.)*") : (\w+)', part) for part in control.groups()]
    shown = {v for v in re.findall(r"(geoseg_layer_\w+)\.addTo\(", html)}
    names = [[json.loads(k) for k, _ in p] for p in pairs]
    first = [json.loads(k) for p in pairs for k, v in p if v in shown]
    return names[0], names[1], first


def test_map_shows_every_kind_the_plan_changes(runs):
    from geoseg.i18n import kind_label, tr

    def expected(name):
        doc = json.loads(runs[name][1].read_text(encoding="utf-8"))
        target = runs[name][1]
        html = target.with_name(f"{target.stem}_map.html").read_text(encoding="utf-8")
        lang = "sv" if "Fiktiv exempelstad" in html else "en"
        total: dict[str, float] = {}
        peak: dict[str, float] = {}
        for a in doc["areas"]:
            v = abs(a["change_minutes"] or 0.0)
            total[a["kind"]] = total.get(a["kind"], 0.0) + v
            peak[a["kind"]] = max(peak.get(a["kind"], 0.0), v)
        kinds = sorted((k for k in total if peak[k] >= 0.5), key=lambda k: -total[k])
        label = [tr("plan_change", lang, kind=kind_label(k, lang).lower()) for k in kinds]
        return kinds, label, html, lang

    # the footbridge shortens walks to meeting places and to the library (two kinds)
    kinds, label, html, lang = expected("footbridge")
    assert kinds == ["meeting_place", "library"]
    base, overlays, shown = _map_layers(html)
    assert base == label  # one radio layer per changed kind, the largest change first
    assert overlays == [tr("plan_features", lang)]  # the plan's features once
    assert shown == [label[0], tr("plan_features", lang)]  # the second kind starts hidden
    # a new family centre changes one kind only: one layer, as before
    kinds, label, html, lang = expected("new_family_centre")
    assert kinds == ["family_centre"]
    assert _map_layers(html)[0] == label


def test_plan_map_draws_a_closure_at_its_service(example_data, tmp_path, monkeypatch):
    """A closure without geometry (as suggest-sites writes it) is drawn where the service is."""
    import re

    import pandas as pd
    from pyproj import Transformer

    from geoseg.io import read_config

    project = read_config(example_data / "geoseg.toml")
    services = pd.read_csv(project.services.path, sep=";", dtype=str).set_index("service_id")
    sid = services.index[services["kind"] == "meeting_place"][0]
    x, y = float(services.at[sid, "x"]), float(services.at[sid, "y"])
    lon, lat = Transformer.from_crs(project.services.crs, "EPSG:4326", always_xy=True).transform(
        x, y
    )
    plan = tmp_path / "bare.geojson"
    plan.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"action": "remove_service", "service_id": sid},
                        "geometry": None,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "bare.json"
    res = CliRunner().invoke(
        main, ["-q", "check-plan", str(plan), "--format", "json", "-o", str(target)]
    )
    assert res.exit_code in (0, 1), res.output
    html = target.with_name("bare_map.html").read_text(encoding="utf-8")
    layer = re.search(
        r"geoseg\.decode\((\{[^;]*?\})\);\s*var \w+ = geoseg\.layer\([^;]*?geoseg-plan", html
    )
    assert layer is not None, "the plan's features are drawn"
    points = re.findall(r'"coordinates":\[(-?[\d.]+),(-?[\d.]+)\]', layer.group(1))
    assert [(float(a), float(b)) for a, b in points] == [
        (pytest.approx(lon, abs=2e-6), pytest.approx(lat, abs=2e-6))
    ]
    assert services.at[sid, "name"] in html
