"""The one rule for "the latest year" of a table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoseg.years import latest_year


def test_rows_of_the_largest_year_keep_their_index():
    table = pd.DataFrame(
        {"code": ["a", "b", "a", "b", "c"], "year": [2021, 2021, 2023, 2023, np.nan]},
        index=[10, 11, 12, 13, 14],
    )
    before = table.copy()
    rows, year = latest_year(table)
    assert year == 2023
    assert rows.index.tolist() == [12, 13]
    pd.testing.assert_frame_equal(table, before)


def test_a_table_without_years_is_one_period():
    table = pd.DataFrame({"code": ["a", "b"], "year": [np.nan, np.nan], "ar": [2020, 2022]})
    for column in (None, "absent", "year"):
        rows, year = latest_year(table, year_column=column)
        assert year is None and rows.equals(table)
    rows, year = latest_year(table, year_column="ar")
    assert year == 2022 and rows["code"].tolist() == ["b"]
