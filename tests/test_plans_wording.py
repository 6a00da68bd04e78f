"""The equity rule's words agree with its numbers, on hand cases and on the example plans."""

from __future__ import annotations

import re

import pytest

from geoseg.io import load_project
from geoseg.plans import check_plan, compute_baseline, equity_gap_sentence, read_plan

PLANS = ("new_family_centre", "close_meeting_place", "footbridge", "housing")


@pytest.mark.parametrize(
    ("before", "after", "distance", "effect"),
    [
        (-7.08, -4.74, "narrows", "lose"),  # the disadvantaged areas' lead shrinks
        (2.0, 3.0, "widens", "lose"),
        (3.0, 2.0, "narrows", "gain"),
        (-1.0, -2.0, "widens", "gain"),
    ],
)
def test_equity_sentence_hand_cases(before, after, distance, effect):
    text = equity_gap_sentence(before, after, tolerance=0.05)
    assert f"the difference {distance}" in text
    assert f"disadvantaged areas {effect} {abs(after - before):.1f} min" in text
    word_before = "more" if before > 0 else "less"
    word_after = "more" if after > 0 else "less"
    assert f"walks {abs(before):.1f} min {word_before} than" in text
    assert f"before the plan and {abs(after):.1f} min {word_after} after" in text


@pytest.fixture(scope="module")
def checks(example_data):
    data = load_project(example_data / "geoseg.toml")
    baseline = compute_baseline(data)
    return {
        name: check_plan(
            baseline, read_plan(example_data / "plans" / f"{name}.geojson", baseline=baseline)
        )
        for name in PLANS
    }


@pytest.mark.parametrize("name", PLANS)
def test_equity_violation_words_match_the_gap_on_example_plans(checks, name):
    result = checks[name]
    eq = result.equity.set_index("kind")
    v = result.violations
    broken = v[v["rule"] == "equity_gap"]
    for row in broken.itertuples():
        before, after = eq.loc[row.kind, "gap_before"], eq.loc[row.kind, "gap_after"]
        assert after - before > 0.05  # the rule breaks only when the gap rises
        text = row.detail
        assert "widening" not in text
        narrows = abs(after) < abs(before)
        assert ("the difference narrows" in text) == narrows, text
        assert ("the difference widens" in text) == (abs(after) > abs(before)), text
        assert re.search(r"disadvantaged areas lose \d+\.\d min", text), text
    for kind, row in eq.iterrows():  # a falling gap never breaks the rule
        if row["gap_after"] <= row["gap_before"]:
            assert not ((broken["kind"] == kind).any())
