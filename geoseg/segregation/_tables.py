"""Turn count tables into the arrays the index cores take, refusing unusable input clearly.

Rules shared by every public index function and by :func:`geoseg.segregation.compute_indices`:

- counts may be int or float; they are used as float64;
- a missing count (NaN) is refused with the area codes that lack it (fill or drop them first);
- negative counts, and a group larger than the total, are refused with the area codes;
- areas with zero population contribute nothing to any aspatial index; the public functions
  leave them out of the computation (``compute_indices`` logs how many it dropped). Spatial
  indices keep them (``drop_empty=False``): they still hold land and neighbours. Local
  indices give NaN for them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geoseg.errors import DataError, InputError, ValidationError, format_codes

__all__ = [
    "check_share",
    "multi_counts",
    "single_counts",
]

logger = logging.getLogger(__name__)


def _missing_columns(data: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns))
        msg = (
            f"{source}: column(s) {', '.join(map(repr, missing))} not found; "
            f"available columns: {have}"
        )
        raise InputError(msg)


def _numeric(
    data: pd.DataFrame, columns: Sequence[str], source: str, problems: list[str] | None = None
) -> np.ndarray:
    """Counts as float, listing every problem; raises unless ``problems`` collects them."""
    collect = problems is not None
    problems = [] if problems is None else problems
    out = np.empty((len(data), len(columns)), dtype=float)
    for j, col in enumerate(columns):
        values = pd.to_numeric(data[col], errors="coerce")
        bad_text = values.isna() & data[col].notna()
        if bad_text.any():
            problems.append(
                f"column {col!r} has non-numeric values in areas "
                f"{format_codes(data.index[bad_text.to_numpy()])}; give counts as numbers"
            )
        missing = data[col].isna()
        if missing.any():
            problems.append(
                f"column {col!r} has missing counts in areas "
                f"{format_codes(data.index[missing.to_numpy()])}; fill them or drop these areas"
            )
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        neg = arr < 0
        if neg.any():
            problems.append(
                f"column {col!r} has negative counts in areas "
                f"{format_codes(data.index[neg])}; counts must be zero or more"
            )
        out[:, j] = arr
    if problems and not collect:
        raise ValidationError(source, problems)
    return out


def single_counts(
    data: pd.DataFrame,
    group: str,
    total: str,
    *,
    source: str = "count table",
    drop_empty: bool = True,
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Return ``(x, t, index)`` for one group against a total, validated.

    Areas whose total is zero are dropped when ``drop_empty`` (they carry no information).
    """
    _missing_columns(data, [group, total], source)
    problems: list[str] = []
    arr = _numeric(data, [group, total], source, problems)
    x, t = arr[:, 0], arr[:, 1]
    over = x > t * (1 + 1e-12) + 1e-9
    if over.any():
        problems.append(
            f"group {group!r} exceeds total {total!r} in areas "
            f"{format_codes(data.index[over])}; check that {total!r} is the total population"
        )
    if problems:
        raise ValidationError(source, problems)
    index = data.index
    if drop_empty:
        keep = t > 0
        if not keep.all():
            x, t, index = x[keep], t[keep], index[keep]
    return x, t, index


def multi_counts(
    data: pd.DataFrame,
    groups: Sequence[str],
    *,
    source: str = "count table",
    drop_empty: bool = True,
) -> tuple[np.ndarray, pd.Index]:
    """Return ``(X, index)`` with ``X`` of shape ``(n, g)`` for exhaustive groups, validated."""
    groups = list(groups)
    if len(groups) < 2:
        msg = f"{source}: multigroup indices need at least two group columns, got {groups}"
        raise InputError(msg)
    _missing_columns(data, groups, source)
    X = _numeric(data, groups, source)
    index = data.index
    if drop_empty:
        keep = X.sum(axis=1) > 0
        if not keep.all():
            X, index = X[keep], index[keep]
    return X, index


def check_share(x: np.ndarray, t: np.ndarray, group: str, total: str) -> None:
    """Refuse a group with no members, or one that is the whole population."""
    X, T = float(x.sum()), float(t.sum())
    if T <= 0:
        msg = f"total {total!r} is zero in every area; there is nobody to measure"
        raise DataError(msg)
    if X <= 0 or X >= T:
        what = "no members" if X <= 0 else "the whole population"
        msg = (
            f"group {group!r} has {what} (share {X / T:.3g} of {total!r}); segregation of a "
            "group is undefined unless it is a part of the population"
        )
        raise DataError(msg)
