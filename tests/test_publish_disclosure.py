import logging

import numpy as np
import pandas as pd
import pytest

from geoseg.errors import InputError
from geoseg.publish.disclosure import (
    Disclosure,
    gate_access,
    gate_hotspots,
    gate_indicators,
    gate_plan,
    suppress_counts,
    suppressed_label,
)


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "pop": [0, 3, 5, 120, np.nan],
            "kids": [0, 1, 7, 40, 2],
            "share": [0.0, 0.33, 0.5, 0.1, 0.2],
        },
        index=pd.Index(["01", "02", "03", "04", "05"], name="code"),
    )


def test_counts_below_threshold_are_removed_and_marked(table, caplog):
    before = table.copy()
    with caplog.at_level(logging.INFO, logger="geoseg.publish"):
        out, mask = suppress_counts(table, ["pop", "kids"], threshold=5)
    pd.testing.assert_frame_equal(table, before)  # input untouched
    assert mask.index.equals(table.index)
    assert mask["pop"].tolist() == [True, True, False, False, False]
    assert mask["kids"].tolist() == [True, True, False, False, True]
    assert out["pop"].isna().tolist() == [True, True, False, False, True]
    assert out.loc["03", "pop"] == 5 and out.loc["04", "kids"] == 40
    # no value below the threshold is left anywhere
    assert not ((out[["pop", "kids"]] < 5).to_numpy()).any()
    assert "suppressed 5 value(s)" in caplog.text


def test_dependent_columns_follow_the_rows(table):
    out, mask = suppress_counts(table, ["kids"], dependent=["share"])
    assert mask["share"].tolist() == [True, True, False, False, True]
    assert out["share"].isna().tolist() == [True, True, False, False, True]


def test_keep_zeros_and_threshold_are_configurable(table):
    _, mask = suppress_counts(table, ["kids"], keep_zeros=True)
    assert mask["kids"].tolist() == [False, True, False, False, True]
    _, mask = suppress_counts(table, ["kids"], threshold=10)
    assert mask["kids"].tolist() == [True, True, True, False, True]


def test_threshold_zero_is_not_silent(table, caplog):
    with caplog.at_level(logging.WARNING, logger="geoseg.publish"):
        out, mask = suppress_counts(table, ["kids"], threshold=0)
    assert not mask.to_numpy().any()
    pd.testing.assert_frame_equal(out, table)
    assert "suppression is off" in caplog.text


def test_bad_columns_are_all_reported(table):
    with pytest.raises(InputError, match="nope, nada"):
        suppress_counts(table, ["nope", "kids"], dependent=["nada"])
    with pytest.raises(InputError, match="threshold"):
        suppress_counts(table, ["kids"], threshold=-1)


def test_label():
    assert suppressed_label() == "<5, suppressed"
    assert suppressed_label(10, lang="sv") == "<10, dold"


# --------------------------------------------------------------------------- the gate


def test_disclosure_threshold_below_three_needs_permission():
    with pytest.raises(InputError, match="allow_small_counts"):
        Disclosure(threshold=2)
    with pytest.raises(InputError, match=">= 0"):
        Disclosure(threshold=-1, allow_small_counts=True)
    low = Disclosure(threshold=2, allow_small_counts=True)
    meta = low.metadata()
    assert meta["disclosure_threshold"] == 2 and meta["small_counts_allowed"] is True
    assert meta["notice"] == "Counts below 2 are suppressed (below 3, explicitly allowed)"
    assert low.metadata("sv")["notice"] == (
        "Antal under 2 döljs (lägre gräns än 3, uttryckligen tillåten)"
    )
    assert Disclosure().metadata()["for_publication"] is True
    assert "notice" not in Disclosure().metadata()
    raw = Disclosure(unsuppressed=True).metadata()
    assert raw["for_publication"] is False and "NOT FOR PUBLICATION" in raw["notice"]


def test_gate_access_hides_residents_with_their_shares():
    acc = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "kind": "library",
            "residents": [2.0, 3.0, 5.0, 0.0],
            "mean_minutes": [4.0, 6.0, 8.0, np.nan],
            "share_within": [1.0, 0.5, 0.8, np.nan],
            "share_unreachable": [0.0, 0.5, 0.0, np.nan],
            "fca_ratio": [0.1, 0.2, 0.3, np.nan],
        }
    )
    out = gate_access(acc, Disclosure())
    assert out["suppressed"].tolist() == [True, True, False, True]
    assert out["residents"].isna().tolist() == [True, True, False, True]
    for col in ("share_within", "share_unreachable", "fca_ratio"):
        assert out[col].isna().tolist() == [True, True, False, True]
    assert out["mean_minutes"].tolist()[:3] == [4.0, 6.0, 8.0]  # minutes stay
    raw = gate_access(acc, Disclosure(unsuppressed=True))
    pd.testing.assert_frame_equal(raw, acc)


def test_gate_hotspots_hides_areas_with_few_residents_and_small_rate_counts():
    hot = pd.DataFrame(
        {
            "variable": "income",
            "year": [2022, 2023, 2023, 2023],
            "id": ["01", "01", "02", "03"],
            "value": [310.0, 320.0, 250.0, 0.25],
            "I": [0.3, 0.4, -0.1, 0.2],
            "quadrant": [1, 1, 3, 2],
            "label": ["HH", "HH", "LL", "LH"],
            "significant": [True, True, False, False],
            "events": [np.nan, np.nan, np.nan, 4.0],
            "base": [np.nan, np.nan, np.nan, 200.0],
        }
    )
    pop = pd.Series(
        [3, 100, 100, 200],
        index=pd.MultiIndex.from_tuples([("01", 2022), ("01", 2023), ("02", 2023), ("03", 2023)]),
    )
    out = gate_hotspots(hot, Disclosure(), population=pop)
    # 01 in 2022 has 3 residents; 03 has a rate resting on 4 events
    assert out["suppressed"].tolist() == [True, False, False, True]
    for col in ("value", "I", "quadrant", "label", "significant"):
        assert out[col].isna().tolist() == [True, False, False, True], col
    assert out["events"].isna().all() and out.loc[3, "base"] == 200.0
    assert out.loc[1, "value"] == 320.0


def test_gate_indicators_hides_shares_of_small_counts_and_small_areas():
    table = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d"],
            "indicator": ["foreign_born", "foreign_born", "dwellings_rental", "median_income"],
            "value": [30.0, 0.4, 50.0, 300.0],
            "count": [300.0, 4.0, 2.0, np.nan],
            "base": [1000.0, 1000.0, 4.0, 3.0],
            "persons": [True, True, False, True],
            "population": [1000.0, 1000.0, 900.0, 3.0],
        }
    )
    out = gate_indicators(table, Disclosure())
    assert out["suppressed"].tolist() == [False, True, True, True]
    assert out["value"].isna().tolist() == [False, True, True, True]


def test_gate_plan_keeps_zero_counts_of_the_city():
    areas = pd.DataFrame(
        {
            "id": ["a", "b"],
            "residents_before": [3.0, 50.0],
            "residents_after": [3.0, 50.0],
            "before_share": [1.0, 0.5],
            "after_share": [1.0, 0.6],
        }
    )
    groups = pd.DataFrame({"kind": ["library"], "residents": [500.0], "gain": [3.0], "lose": [0.0]})
    a, g = gate_plan(areas, groups, Disclosure())
    assert a["before_share"].isna().tolist() == [True, False]
    assert np.isnan(g["gain"].iloc[0]) and g["lose"].iloc[0] == 0 and g["residents"].iloc[0] == 500


def test_log_names_the_columns_checked(table, caplog):
    with caplog.at_level("INFO", logger="geoseg.publish"):
        suppress_counts(table, [])  # nothing to check: nothing said
    assert caplog.text == ""
    with caplog.at_level("INFO", logger="geoseg.publish"):
        suppress_counts(table.iloc[2:4], ["pop", "kids"])
    assert "no counts below the disclosure threshold 5 in pop, kids" in caplog.text
