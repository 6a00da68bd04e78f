"""Indicator values per area and year, computed from a register and the declared definitions.

The definitions (:class:`geoseg.io.indicators.Indicator`) come from the project file; this
module only computes. A share is ``100 * numerator / denominator`` (per cent), a rate
``1000 * numerator / denominator`` (per 1,000) and an amount is the numerator column as it is.
A denominator may be a sum of columns written ``"a + b + c"`` (all dwellings as the sum of the
tenure columns, say).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.io.indicators import Indicator

__all__ = [
    "change_interval",
    "city_values",
    "indicator_for",
    "indicator_label",
    "indicator_values",
]

_SCALE = {"share": 100.0, "rate": 1000.0}


def _column_sum(register: pd.DataFrame, expr: str) -> pd.Series:
    """The register column ``expr``, or the sum of the columns of ``"a + b + c"``."""
    names = [part.strip() for part in expr.split("+")]
    missing = [n for n in names if n not in register.columns]
    if missing:
        msg = (
            f"indicator column(s) {', '.join(missing)} are not in the register; "
            "correct the [indicators] section of the project file"
        )
        raise InputError(msg)
    return register[names].astype(float).sum(axis=1, min_count=len(names))


def indicator_values(
    register: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    *,
    id_column: str,
    year_column: str | None = None,
) -> pd.DataFrame:
    """Every declared indicator for every row (area and year) of a register.

    Parameters
    ----------
    register
        One row per area (and year), with the columns the indicators read.
    indicators
        Definitions by name, as :func:`geoseg.io.indicators.parse_indicators` returns them.
    id_column, year_column
        The area-code and year columns (``year_column=None`` for a single-year register).

    Returns
    -------
    pandas.DataFrame
        Long table with ``code``, ``year``, ``indicator``, ``value``, ``count`` (the persons
        counted, for shares and rates) and ``base`` (the persons the value rests on, for
        disclosure control); rows in register order, indicators in declaration order.

    Raises
    ------
    InputError
        When an indicator reads a column the register lacks.
    """
    codes = register[id_column].astype(str).to_numpy()
    years = (
        register[year_column].to_numpy()
        if year_column and year_column in register
        else np.full(len(register), np.nan)
    )
    frames = []
    for ind in indicators.values():
        num = _column_sum(register, ind.numerator)
        base = _column_sum(register, ind.denominator) if ind.denominator else None
        if ind.kind in _SCALE:
            if base is None:  # parse_indicators refuses this; guard direct callers
                msg = f"indicator {ind.name!r}: a {ind.kind} needs a denominator"
                raise InputError(msg)
            value = _SCALE[ind.kind] * num / base.where(base > 0)
            count = num
        else:
            value, count = num, pd.Series(np.nan, index=register.index)
        frames.append(
            pd.DataFrame(
                {
                    "code": codes,
                    "year": years,
                    "indicator": ind.name,
                    "value": value.to_numpy(dtype=float),
                    "count": count.to_numpy(dtype=float),
                    "base": (
                        base.to_numpy(dtype=float)
                        if base is not None
                        else np.full(len(codes), np.nan)
                    ),
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["code", "year", "indicator", "value", "count", "base"])
    return pd.concat(frames, ignore_index=True)


def indicator_for(variable: str, indicators: Mapping[str, Indicator]) -> Indicator | None:
    """The indicator a result variable stands for, or ``None``.

    A variable matches an indicator by name, or by its numerator (and denominator, for a rate
    written ``"a/b"``).
    """
    text = str(variable)
    if text in indicators:
        return indicators[text]
    num, _, den = text.partition("/")
    for ind in indicators.values():
        if ind.numerator == num and (not den or ind.denominator == den):
            return ind
    return None


def indicator_label(variable: str, indicators: Mapping[str, Indicator], lang: str) -> str:
    """The readable name of an indicator, a register column or a ``NUMERATOR/DENOMINATOR`` rate.

    A variable matches an indicator as in :func:`indicator_for`; anything else is shown as
    written.
    """
    ind = indicator_for(variable, indicators)
    return ind.label(lang) if ind is not None else str(variable)


def city_values(values: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """The city-wide value of one indicator per year.

    Parameters
    ----------
    values
        Rows of :func:`indicator_values` for this indicator (``year``, ``value``, ``count``,
        ``base``).
    ind
        The indicator's definition.

    Returns
    -------
    DataFrame
        ``year``, ``value``, ``n`` (persons the value rests on), sorted by year.

    Notes
    -----
    A share (rate) is the city's count over the city's base, times 100 (1,000); an amount is
    the base-weighted mean of the areas' values (unweighted without a base).
    """
    rows = []
    for year, part in values.groupby("year", sort=True, dropna=False):
        base = part["base"].to_numpy(dtype=float)
        if ind.kind in ("share", "rate"):
            ok = np.isfinite(base) & (base > 0)
            n = float(base[ok].sum())
            scale = 100.0 if ind.kind == "share" else 1000.0
            value = (
                scale * float(part["count"].to_numpy(dtype=float)[ok].sum()) / n if n else np.nan
            )
        else:
            v = part["value"].to_numpy(dtype=float)
            w = (
                np.where(np.isfinite(base), base, 0.0)
                if np.isfinite(base).any()
                else np.ones_like(v)
            )
            ok = np.isfinite(v) & (w > 0)
            n = float(w[ok].sum())
            value = float(np.average(v[ok], weights=w[ok])) if ok.any() else np.nan
        known = not pd.isna(year)  # type: ignore[arg-type]
        rows.append({"year": int(float(str(year))) if known else None, "value": value, "n": n})
    out = pd.DataFrame(rows, columns=["year", "value", "n"])
    return out.astype({"value": float, "n": float})


def change_interval(values: pd.DataFrame, ind: Indicator, y0: int, y1: int) -> tuple[float, float]:
    """95 % interval of the change of an indicator's city value from year ``y0`` to ``y1``.

    Parameters
    ----------
    values
        Rows of :func:`indicator_values` for this indicator, as for :func:`city_values`.
    ind
        The indicator's definition.
    y0, y1
        The first and the last year compared (both among the rows' years).

    Returns
    -------
    low, high : float
        The interval around the change of :func:`city_values` from ``y0`` to ``y1``; NaN
        when a year rests on no persons or (amounts) fewer than three areas have both years.

    Notes
    -----
    Shares and rates: normal approximation for a difference of two proportions (Newcombe
    1998, "Interval estimation for the difference between independent proportions", Stat.
    Med. 17, method 1, Wald). Amounts: the base-weighted mean of the areas' paired changes with
    its standard error, areas as units.
    """
    city = city_values(values, ind)
    value = dict(zip(city["year"].tolist(), city["value"].tolist(), strict=True))
    persons = dict(zip(city["year"].tolist(), city["n"].tolist(), strict=True))
    change = float(value[y1] - value[y0])
    if ind.kind in ("share", "rate"):
        scale = 100.0 if ind.kind == "share" else 1000.0
        p0, p1 = value[y0] / scale, value[y1] / scale
        n0, n1 = persons[y0], persons[y1]
        if not (n0 > 0 and n1 > 0):
            return math.nan, math.nan
        se = scale * math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1)
        return change - 1.96 * se, change + 1.96 * se
    a = values[values["year"] == y0].set_index("code")
    b = values[values["year"] == y1].set_index("code")
    both = a.index.intersection(b.index)
    d = (b.loc[both, "value"] - a.loc[both, "value"]).to_numpy(dtype=float)
    w = b.loc[both, "base"].to_numpy(dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0) if np.isfinite(w).any() else np.ones_like(d)
    ok = np.isfinite(d) & (w > 0)
    if ok.sum() < 3:
        return math.nan, math.nan
    d, w = d[ok], w[ok] / w[ok].sum()
    mean = float((w * d).sum())
    se = math.sqrt(float((w**2 * (d - mean) ** 2).sum()) * ok.sum() / (ok.sum() - 1))
    return change - 1.96 * se, change + 1.96 * se
