import logging

import numpy as np
import pandas as pd
import pytest

from geoseg.errors import InputError
from geoseg.publish.disclosure import suppress_counts, suppressed_label


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
    with caplog.at_level(logging.INFO, logger="geoseg.publish.disclosure"):
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
    with caplog.at_level(logging.WARNING, logger="geoseg.publish.disclosure"):
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
