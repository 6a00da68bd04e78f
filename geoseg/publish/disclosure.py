"""Small-count suppression for published output (maps, tooltips, report tables).

Counts of persons below a threshold (default :data:`geoseg.settings.SUPPRESSION_THRESHOLD`, 5)
must not be published. :func:`suppress_counts` replaces them by missing values, returns a mask
saying which cells were suppressed so that the output can mark them (for example "<5,
suppressed"), and logs how many cells it suppressed. It is applied to published output only,
never inside an analysis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = ["suppress_counts", "suppressed_label"]

logger = logging.getLogger(__name__)


def suppress_counts(
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    threshold: float = SUPPRESSION_THRESHOLD,
    keep_zeros: bool = False,
    dependent: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace counts below ``threshold`` by missing values and return which cells were replaced.

    Parameters
    ----------
    df
        Table holding count columns (any index; it is kept).
    columns
        Names of the count columns to check.
    threshold
        Counts strictly below this value are suppressed. ``0`` turns suppression off (a warning is
        logged, because published output then may disclose small counts).
    keep_zeros
        If true, a count of exactly zero is published (some statistical offices allow this);
        by default zero is suppressed like any other count below the threshold, because "nobody
        in this area belongs to the group" is itself a disclosure.
    dependent
        Columns derived from the counts (shares, rates, ratios) that are suppressed on every row
        where any of ``columns`` is suppressed, so that a small count cannot be recovered from
        a share.

    Returns
    -------
    (DataFrame, DataFrame)
        A copy of ``df`` with suppressed cells set to ``NaN`` (their columns become float), and a
        boolean mask with the same index and the columns ``columns + dependent``, true where a
        cell was suppressed. Missing counts stay missing and are not marked.

    Notes
    -----
    Threshold rule for frequency tables as in the Swedish statistical offices' practice of not
    publishing cells under a minimum count; see Hundepool et al., *Statistical Disclosure
    Control* (Wiley, 2012), ch. 5 (threshold rule).
    """
    columns = list(columns)
    dependent = [c for c in dependent if c not in columns]
    missing = [c for c in [*columns, *dependent] if c not in df.columns]
    if missing:
        known = ", ".join(map(str, df.columns))
        msg = (
            f"suppress_counts: column(s) {', '.join(missing)} not found in the table "
            f"(columns: {known}); pass the names of existing count columns."
        )
        raise InputError(msg)
    if threshold < 0 or not np.isfinite(threshold):
        msg = f"suppress_counts: threshold must be a number >= 0, got {threshold!r}."
        raise InputError(msg)
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        msg = (
            f"suppress_counts: count column(s) {', '.join(bad)} are not numeric; convert them "
            "to numbers before publishing."
        )
        raise InputError(msg)

    out = df.copy()
    mask = pd.DataFrame(False, index=df.index, columns=[*columns, *dependent])
    if threshold == 0:
        logger.warning(
            "small-count suppression is off (threshold 0): published output may disclose "
            "small counts in %s",
            ", ".join(columns),
        )
        return out, mask
    for c in columns:
        values = df[c].to_numpy(dtype=float, na_value=np.nan)
        small = (values < threshold) & ~np.isnan(values)
        if keep_zeros:
            small &= values != 0
        mask[c] = small
    row_hit = mask[columns].to_numpy().any(axis=1) if columns else np.zeros(len(df), bool)
    for c in dependent:
        notna = df[c].notna().to_numpy()
        mask[c] = row_hit & notna
    for c in mask.columns:
        if mask[c].any():
            out[c] = out[c].astype(float).mask(mask[c])
    n_cells = int(mask.to_numpy().sum())
    if n_cells:
        logger.info(
            "suppressed %d value(s) below the disclosure threshold %g in %d row(s) (columns: %s)",
            n_cells,
            threshold,
            int(row_hit.sum()),
            ", ".join(c for c in mask.columns if mask[c].any()),
        )
    else:
        logger.info("no counts below the disclosure threshold %g in %s", threshold, columns)
    return out, mask


def suppressed_label(threshold: float = SUPPRESSION_THRESHOLD, *, lang: str = "en") -> str:
    """Return the mark shown in place of a suppressed value, e.g. ``"<5, suppressed"``.

    Examples
    --------
    >>> suppressed_label(5, lang="sv")
    '<5, dold'
    """
    word = tr("suppressed", lang)
    limit = int(threshold) if float(threshold).is_integer() else threshold
    return f"<{limit}, {word}"
