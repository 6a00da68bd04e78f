"""The year of a table: the one rule every stage uses to pick "the latest year", or a given one."""

from __future__ import annotations

from typing import Any

import pandas as pd

from geoseg.errors import InputError

__all__ = ["latest_year", "select_year"]


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


def select_year(
    table: pd.DataFrame,
    year: int | None = None,
    *,
    year_column: str | None = "year",
    source: object = "register",
) -> tuple[pd.DataFrame, int | None]:
    """The rows of one year of ``table``: ``year`` when given, else the latest.

    Parameters
    ----------
    table
        A table with one row per area and year.
    year
        The year wanted; ``None`` picks the latest (:func:`latest_year`).
    year_column
        Column holding the year; ``None`` or a column the table lacks make the whole table one
        period, and then ``year`` must be ``None``.
    source
        What the table is (its file), named in the messages.

    Returns
    -------
    rows : pandas.DataFrame
        The rows of that year (the input is not modified; the index is kept).
    year : int or None
        The year chosen, ``None`` when the table has no years.

    Raises
    ------
    InputError
        ``year`` is not among the table's years, or the table has no year column.
    """
    if year_column is None or year_column not in table.columns:
        if year is not None:
            msg = (
                f"{source}: year {year} given but the register has no column '{year_column}'; "
                "name its year column or leave out the year."
            )
            raise InputError(msg)
        return table, None
    if year is None:
        rows, latest = latest_year(table, year_column=year_column)
        return rows, None if latest is None else int(latest)
    numbers = pd.to_numeric(table[year_column], errors="coerce")
    years = sorted(int(y) for y in numbers.dropna().unique())
    if int(year) not in years:
        msg = (
            f"{source}: year {year} is not in column '{year_column}' "
            f"(years: {', '.join(map(str, years))})."
        )
        raise InputError(msg)
    return table[numbers == int(year)], int(year)
