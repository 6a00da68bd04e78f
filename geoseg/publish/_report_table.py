"""Number formatting and escaped HTML tables of the report.

Numbers follow the report's language (:func:`geoseg.publish._html.format_number`: decimal comma
and thin-space thousands in Swedish); cells that disclosure control suppressed show the
suppression mark instead of their value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from geoseg.publish._html import escape, format_number
from geoseg.publish.disclosure import suppressed_label
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["fmt_value", "html_table", "weighted_mean"]


def fmt_value(value: object, lang: str, digits: int = 2) -> str:
    """``value`` formatted for ``lang``: whole numbers with thousands separators, floats with
    ``digits`` decimals and the language's decimal sign, missing values as ``""``."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return format_number(int(value), lang=lang)
    if isinstance(value, (float, np.floating)):
        return format_number(float(value), lang=lang, digits=digits)
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _cells(column: pd.Series) -> Any:
    """The column's values as ``.iloc`` gives them, indexable by position."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "biufO":
        return column.to_numpy()
    return column.iloc


def html_table(
    df: pd.DataFrame,
    lang: str,
    *,
    mask: pd.DataFrame | None = None,
    threshold: float = SUPPRESSION_THRESHOLD,
    digits: int = 2,
    labels: Mapping[str, str] | None = None,
    index: bool = False,
    caption: str | None = None,
    counts: Iterable[str] | None = None,
) -> str:
    """An escaped HTML table; cells true in ``mask`` show the suppression mark.

    Columns of counts (``counts``, default those in ``mask``) are shown as whole numbers;
    ``year`` as is. The table sits in a focusable region named ``caption`` (default: its first
    column headers).
    """
    labels = labels or {}
    default = set(mask.columns) if mask is not None else set()
    whole = set(counts) if counts is not None else default
    cols = list(df.columns)
    head = "".join(f"<th>{escape(labels.get(str(c), c))}</th>" for c in cols)
    if index:
        head = f"<th>{escape(df.index.name or '')}</th>" + head
    body = []
    mark = escape(suppressed_label(threshold, lang=lang))
    # NumPy-backed columns as arrays (the same scalars as .iloc, without a lookup per cell)
    column = {c: _cells(df[c]) for c in cols}
    hidden = {
        c: mask[c].to_numpy(dtype=bool) for c in cols if mask is not None and c in mask.columns
    }
    for r in range(len(df)):
        cells = [f"<th>{escape(df.index[r])}</th>"] if index else []
        for c in cols:
            if c in hidden and hidden[c][r]:
                cells.append(f'<td class="supp">{mark}</td>')
            else:
                v = column[c][r]
                cls = ' class="num"' if isinstance(v, (int, float, np.number)) else ""
                if c == "year" and pd.notna(v):
                    text = str(int(v)) if isinstance(v, (int, float, np.number)) else str(v)
                elif c in whole and isinstance(v, (float, np.floating)) and float(v).is_integer():
                    text = fmt_value(int(v), lang, digits)
                else:
                    text = fmt_value(v, lang, digits)
                cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    # a table wider than a phone scrolls inside its own region, which the keyboard can reach
    names = caption or ", ".join(str(labels.get(str(c), c)) for c in cols[:3])
    return (
        f'<div class="table" role="region" tabindex="0" aria-label="{escape(names)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def weighted_mean(values: pd.Series, weights: pd.Series) -> float:
    """Mean of ``values`` weighted by ``weights`` over the rows where both are finite."""
    v = values.to_numpy(dtype=float, na_value=np.nan)
    w = weights.to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(v) & np.isfinite(w)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else math.nan
