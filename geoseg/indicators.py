"""Indicator values per area and year, computed from a register and the declared definitions.

The definitions (:class:`geoseg.io.indicators.Indicator`) come from the project file; this
module only computes. A share is ``100 * numerator / denominator`` (per cent), a rate
``1000 * numerator / denominator`` (per 1,000) and an amount is the numerator column as it is.
A denominator may be a sum of columns written ``"a + b + c"`` (all dwellings as the sum of the
tenure columns, say).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.io.indicators import Indicator

__all__ = ["indicator_for", "indicator_label", "indicator_values"]

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
