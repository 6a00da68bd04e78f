"""Plan rules read the project's indicator definitions (label, unit, direction), on the example
city: the equity rule ranks areas by a declared indicator, in the direction it declares."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from _fixtures import write_features
from click.testing import CliRunner

from geoseg.cli import main
from geoseg.errors import PlanError
from geoseg.io import load_project
from geoseg.plans import check_plan, compute_baseline, read_plan, read_rules
from geoseg.publish.verdict import rule_findings


@pytest.fixture(scope="module")
def baseline(example_data):
    return compute_baseline(load_project(example_data / "geoseg.toml"))


@pytest.fixture(scope="module")
def closing(example_data, baseline):
    return read_plan(example_data / "plans" / "close_meeting_place.geojson", baseline=baseline)


def _rules(tmp_path: Path, indicator: str):
    path = tmp_path / f"rules_{indicator}.toml"
    path.write_text(f'[equity_gap]\nindicator = "{indicator}"\n', encoding="utf-8")
    return read_rules(path)


def test_amount_indicator_with_lower_worse_ranks_low_values_as_disadvantaged(baseline):
    values, ranked = baseline.disadvantage("median_income")
    income = baseline.counts["median_income_tkr"].astype(float)
    np.testing.assert_allclose(values.to_numpy(), -income.to_numpy())
    assert ranked == {"label": "Medianinkomst", "unit": "tkr", "worse": "lower"}


def test_share_indicator_uses_its_declared_denominator(baseline):
    values, ranked = baseline.disadvantage("employment_20_64")
    c = baseline.counts
    share = 100.0 * c["employed_20_64"].astype(float) / c["age_20_64"].astype(float)
    np.testing.assert_allclose(values.to_numpy(), -share.to_numpy())
    assert ranked["label"] == "Förvärvsarbetande 20–64 år" and ranked["worse"] == "lower"


def test_indicator_without_direction_is_refused(baseline):
    with pytest.raises(PlanError, match=r"'foreign_born' \(Utrikes födda\) has worse = 'none'"):
        baseline.disadvantage("foreign_born")


def test_equity_gap_by_median_income_equals_the_hand_computed_gap(baseline, closing, tmp_path):
    result = check_plan(baseline, closing, rules=_rules(tmp_path, "median_income"))
    income = baseline.counts["median_income_tkr"].astype(float)
    for kind, row in result.equity.set_index("kind").iterrows():
        a = result.areas[result.areas["kind"] == kind].set_index("id")
        a = a[np.isfinite(a["before_minutes"]) & np.isfinite(a["after_minutes"])]
        a = a.assign(income=income.reindex(a.index).to_numpy())
        # richest first; equal incomes keep the areas' order (the ranking's documented ties)
        a = a[(a["residents_before"] > 0) & a["income"].notna()]
        a = a.sort_values("income", ascending=False, kind="stable")
        n = len(a)
        richest = a.iloc[: math.ceil(n / 5)]
        poorest = a.iloc[math.ceil(4 * n / 5) :]  # the disadvantaged fifth: lowest incomes
        want = np.average(poorest["before_minutes"], weights=poorest["residents_before"]) - (
            np.average(richest["before_minutes"], weights=richest["residents_before"])
        )
        assert row["gap_before"] == pytest.approx(want, rel=1e-12), kind
    assert result.summary["equity_ranked_by"] == {
        "label": "Medianinkomst",
        "unit": "tkr",
        "worse": "lower",
    }
    # the baseline speaks Swedish, so does the reworded rule
    assert "områdena med lägst Medianinkomst" in result.summary["equity_gap_protects"]
    broken = result.violations[result.violations["rule"] == "equity_gap"]
    for row in broken.itertuples():
        assert "(ranked by Medianinkomst (tkr), lower is worse)" in row.detail
        assert "lägst Medianinkomst" in row.protects


def test_default_rule_ranks_by_the_declared_low_economic_standard(baseline, closing):
    result = check_plan(baseline, closing)
    ranked = result.summary["equity_ranked_by"]
    assert ranked == {"label": "Låg ekonomisk standard", "unit": "%", "worse": "higher"}
    broken = result.violations[result.violations["rule"] == "equity_gap"]
    assert len(broken) >= 1
    assert all("ranked by Låg ekonomisk standard (%), higher is worse" in d for d in broken.detail)
    # the declared share (per cent) ranks areas exactly as the share of the column did
    c = baseline.counts
    share = c["low_economic_standard"].astype(float) / c["pop_total"].astype(float)
    values, _ = baseline.disadvantage("low_economic_standard")
    np.testing.assert_allclose(values.to_numpy(), 100.0 * share.to_numpy())
    rows = rule_findings(result, read_rules(None), names={}, lang="sv")
    equity = next(r for r in rows if r["rule"] == "Jämlik tillgång")
    assert "rangordnade efter Låg ekonomisk standard (%); högre är sämre" in equity["threshold"]
    english = next(
        r
        for r in rule_findings(result, read_rules(None), names={}, lang="en")
        if r["rule"] == "Equal access"
    )
    assert "areas ranked by Låg ekonomisk standard (%); higher is worse" in english["threshold"]


def test_rule_details_name_groups_by_their_labels(baseline, tmp_path):
    centres = baseline.services.index[baseline.services["kind"] == "family_centre"]
    rows = [{"action": "remove_service", "service_id": str(s), "geometry": None} for s in centres]
    plan = read_plan(write_features(tmp_path / "no_centres.gpkg", rows), baseline=baseline)
    result = check_plan(baseline, plan)
    v = result.violations
    family = v[v["rule"] == "family_centre_share"]
    assert len(family) >= 1
    # the group is named by the declared indicator whose numerator it is (children_0_5)
    assert all(": Barn 0–5 år within 10 min" in d for d in family["detail"])
    walks = v[v["rule"] == "max_minutes_increase"]
    assert len(walks) >= 1 and all("of residents" in d for d in walks["detail"])
    details = " ".join(v["detail"])
    assert "age_0_5" not in details and "pop_total" not in details


def test_verdict_page_names_the_ranking_and_the_children(example_data, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[equity_gap]\nindicator = "median_income"\n\n[family_centre_share]\ngroup = "age_6_15"\n',
        encoding="utf-8",
    )
    out = tmp_path / "check.json"
    res = CliRunner().invoke(
        main,
        [
            "-q", "check-plan", str(example_data / "plans" / "close_meeting_place.geojson"),
            "--config", str(example_data / "geoseg.toml"), "--rules", str(rules),
            "--no-map", "--format", "json", "-o", str(out),
        ],
    )  # fmt: skip
    assert res.exit_code == 1, res.output  # the plan breaks rules
    page = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    assert "områdena rangordnade efter Medianinkomst (tkr); lägre är sämre" in page
    assert "områdena med lägst Medianinkomst" in page  # the rule reworded in Swedish
    assert "av Barn 6–15 år inom 10 min" in page and "de små barnen" not in page
