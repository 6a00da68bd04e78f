"""The latest year of a table: the one rule every stage uses to pick "the latest year"."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["latest_year"]


def latest_year(
    table: pd.DataFrame, *, year_column: str | None = "year"
) -> tuple[pd.DataFrame, Any]:
    """The rows of the latest year of ``table``, and that year.

    Parameters
    ----------
    table
        A table with one row per area and year (a register, indicator values, hotspots...).
    year_column
        Column holding the year. ``None``, a column the table lacks, or a column without any
        year (a single-year register) make the whole table one period.

    Returns
    -------
    rows : pandas.DataFrame
        The rows whose year is the largest (rows without a year are left out), or the whole
        table when it has no years. The input is not modified; the index is kept.
    year
        The latest year as stored in the table, or ``None`` when the table has no years.
    """
    if year_column is None or year_column not in table.columns:
        return table, None
    years = table[year_column]
    if not years.notna().any():
        return table, None
    year = years.max()
    return table[years == year], year
