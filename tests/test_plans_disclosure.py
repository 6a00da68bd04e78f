"""check-plan publishes no share resting on fewer residents than the disclosure threshold.

The oracle is the same plan checked under the default threshold (5) of the small example city,
where the rule violations quote their shares, against a threshold above the whole city's
population (every area and district is then "small"): each published form of the verdict (JSON,
CSV, the command-line table, the verdict page, the plan map, and the Python publishing
functions) must then quote none of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from _smallcity import make_city, tooltips
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.io import load_project
from geoseg.plans import check_plan, compute_baseline, default_rules, read_plan
from geoseg.publish.disclosure import Disclosure, gate_plan_check
from geoseg.publish.verdict import rule_findings, write_verdict_page

HIGH = 100_000  # above the small city's population: every area and district is below it
MARK_EN = f"<{HIGH}, suppressed"
MARK_SV = f"<{HIGH}, dold"
#: A share of the data, as the violations quote them ("68% -> 0%", "6.21% -> 0.00%", "100.0%").
SHARE_CHANGE = re.compile(r"\d+(?:\.\d+)?% -> \d+(?:\.\d+)?%")

PLAN = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"action": "remove_service", "service_id": sid, "name": sid},
            "geometry": None,
        }
        for sid in ("MP001", "MP002", "FC001")
    ],
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan-disclosure")
    config = make_city(folder / "city")
    text = config.read_text(encoding="utf-8")
    assert "\nthreshold = 5\n" in text
    high = folder / "city" / "geoseg_high.toml"
    high.write_text(text.replace("\nthreshold = 5\n", f"\nthreshold = {HIGH}\n"), "utf-8")
    plan = folder / "close.geojson"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    return config, high, plan, folder


def _run(config: Path, plan: Path, out: Path, fmt: str) -> tuple[int, str]:
    res = CliRunner().invoke(
        main,
        ["-q", "check-plan", str(plan), "--config", str(config), "--format", fmt, "-o", str(out)],
    )
    assert res.exit_code in (0, 1), res.output
    return res.exit_code, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def outputs(city):
    config, high, plan, folder = city
    out = {}
    code, text = _run(config, plan, folder / "default" / "r.json", "json")
    out["default"] = json.loads(text)
    for fmt in ("json", "csv", "table"):
        code, text = _run(high, plan, folder / "high" / f"r_{fmt}.{fmt}", fmt)
        assert code == 1  # the verdict itself is not hidden
        out[fmt] = text
    out["page"] = (folder / "high" / "r_json.html").read_text(encoding="utf-8")
    out["map"] = (folder / "high" / "r_json_map.html").read_text(encoding="utf-8")
    return out


def _share_rules(doc):
    return [
        v
        for v in doc["violations"]
        if v["rule"] in ("family_centre_share", "meeting_place")
        or "can no longer reach" in v["detail"]
    ]


def test_default_threshold_quotes_the_shares(outputs):
    """The oracle: with the default threshold the same violations quote their shares."""
    quoted = _share_rules(outputs["default"])
    assert {v["rule"] for v in quoted} >= {"family_centre_share", "meeting_place"}
    assert all(SHARE_CHANGE.search(v["detail"]) or "% of residents" in v["detail"] for v in quoted)


def test_json_violation_details_hide_shares_of_small_counts(outputs):
    doc = json.loads(outputs["json"])
    default = outputs["default"]
    assert len(doc["violations"]) == len(default["violations"])
    hidden = _share_rules(doc)
    assert len(hidden) == len(_share_rules(default))
    for v in hidden:
        assert v["detail"].endswith(f"({MARK_EN})"), v
        assert not SHARE_CHANGE.search(v["detail"]), v
        assert "% of residents" not in v["detail"], v
    # minutes are not counts: those details are kept word for word
    minutes = [v["detail"] for v in doc["violations"] if v["detail"].startswith("mean walk")]
    assert minutes == [v["detail"] for v in default["violations"] if "mean walk" in v["detail"]]
    assert set(doc["violations"][0]) == {"rule", "area", "kind", "detail"}
    # the per-area shares and the headline counts of who loses are hidden too
    assert all(a["before_share"] is None and a["after_share"] is None for a in doc["areas"])
    assert all(v in (None, 0) for v in doc["summary"]["lose"].values())
    assert any(v > 0 for v in default["summary"]["lose"].values())
    assert doc["disclosure"]["disclosure_threshold"] == HIGH


def test_json_is_strict_json(outputs):
    """No NaN literal (an unreachable kind's gap change is null)."""
    json.loads(outputs["json"], parse_constant=lambda c: pytest.fail(f"JSON constant {c}"))


def test_csv_and_table_hide_shares(outputs):
    csv_lines = outputs["csv"].splitlines()
    head = csv_lines[0].split(",")
    share_cols = [head.index(c) for c in ("before_share", "after_share", "residents_before")]
    for line in csv_lines[1:]:
        cells = line.split(",")
        assert all(cells[i] == "" for i in share_cols), line
    table = outputs["table"]
    assert "VERDICT: FAIL" in table
    assert not re.search(r"\d+ %", table)  # no "Within before/after" share
    assert table.count(MARK_EN) > 10
    family = table[table.index("Family centres near young children") :].split("[")[0]
    assert MARK_EN in family and not re.search(r"\d%\s*;|\d+ ?% \(", family)


def test_verdict_page_and_map_hide_shares(outputs):
    page = outputs["page"]
    cells = re.findall(r'data-label="Uppmätt">([^<]*)<', page)
    assert len(cells) == 4
    family = cells[1]
    assert MARK_SV.replace("<", "&lt;") in family and "%" not in family, family
    meeting = cells[3]
    assert "%" not in meeting
    layers = tooltips(outputs["map"])
    rows = [row for layer in layers for _, (_, rs) in layer.items() for row in rs]
    shares = [r for r in rows if r[0].startswith("Andel inom")]
    assert shares and all(r[1] == MARK_SV for r in shares), shares[:3]


def test_python_publishing_functions_gate_a_raw_check(city, tmp_path):
    """write_verdict_page and rule_findings gate a raw PlanCheck from the Python API."""
    config, _, plan, _ = city
    data = load_project(config)
    baseline = compute_baseline(data)
    raw = check_plan(baseline, read_plan(plan, baseline=baseline))
    # the API keeps the raw numbers
    assert any(SHARE_CHANGE.search(d) for d in raw.violations["detail"])
    rules = default_rules()
    gated = gate_plan_check(raw, Disclosure(threshold=HIGH))
    assert not any(SHARE_CHANGE.search(d) for d in gated.violations["detail"])
    assert raw.violations["detail"].str.contains("->").any()  # the input is not modified
    found = rule_findings(raw, rules, names={}, lang="en", disclosure=Disclosure(threshold=HIGH))
    assert "%" not in found[1]["measured"] and MARK_EN in found[1]["measured"]
    unsafe = rule_findings(raw, rules, names={}, lang="en", disclosure=Disclosure())
    assert re.search(r"\d%", unsafe[1]["measured"])
    page = write_verdict_page(tmp_path / "v.html", raw, rules, title="t", threshold=HIGH)
    text = page.read_text(encoding="utf-8")
    measured = re.findall(r'data-label="Measured">([^<]*)<', text)
    assert MARK_EN.replace("<", "&lt;") in measured[1] and "%" not in measured[1]
