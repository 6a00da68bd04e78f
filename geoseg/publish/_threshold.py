"""The threshold rule of the disclosure gate: which counts of persons may be published.

:class:`Disclosure` is the rule of one output, :func:`suppress_counts` the cell-level rule,
:func:`gate_table` the row-level rule that every table gate of :mod:`geoseg.publish.disclosure`
builds on. Public through :mod:`geoseg.publish.disclosure`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError
from geoseg.i18n import tr
from geoseg.settings import SUPPRESSION_THRESHOLD

__all__ = [
    "MIN_THRESHOLD",
    "Disclosure",
    "blank_rows",
    "gate_table",
    "suppress_counts",
    "suppressed_label",
]

#: Lowest threshold accepted without ``allow_small_counts = true``.
MIN_THRESHOLD = 3

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
    elif columns:
        logger.info(
            "no counts below the disclosure threshold %g in %s", threshold, ", ".join(columns)
        )
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


@dataclass(frozen=True)
class Disclosure:
    """How one published output treats small counts.

    Parameters
    ----------
    threshold
        Counts of persons strictly below it are suppressed (default 5).
    allow_small_counts
        Must be true for a threshold below :data:`MIN_THRESHOLD` (3); the threshold is then
        printed in the output's metadata like any other.
    unsuppressed
        Publish raw numbers: nothing is suppressed and every output says it is not for
        publication. Only an explicit ``--unsuppressed`` on the command line sets it.

    Raises
    ------
    InputError
        A negative or non-finite threshold, or one below 3 without ``allow_small_counts``.
    """

    threshold: float = SUPPRESSION_THRESHOLD
    allow_small_counts: bool = False
    unsuppressed: bool = False

    def __post_init__(self) -> None:
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, int | float) or not np.isfinite(t) or t < 0:
            msg = f"[disclosure] threshold must be a number >= 0, got {t!r}."
            raise InputError(msg)
        if t < MIN_THRESHOLD and not self.allow_small_counts:
            msg = (
                f"[disclosure] threshold {t:g} is below {MIN_THRESHOLD}: published output would "
                "disclose very small counts. Raise it, or add `allow_small_counts = true` to "
                "[disclosure] if your statistical office permits it."
            )
            raise InputError(msg)

    @classmethod
    def of(cls, project: Any, *, unsuppressed: bool = False) -> Disclosure:
        """The rule of a project (:class:`geoseg.io.Project` or its ``[disclosure]`` section)."""
        section = getattr(project, "disclosure", project)
        return cls(
            threshold=getattr(section, "threshold", SUPPRESSION_THRESHOLD),
            allow_small_counts=bool(getattr(section, "allow_small_counts", False)),
            unsuppressed=unsuppressed,
        )

    @property
    def effective(self) -> float:
        """The threshold applied: 0 when suppression is switched off."""
        return 0.0 if self.unsuppressed else float(self.threshold)

    @property
    def for_publication(self) -> bool:
        """Whether the output may be published (suppression was applied)."""
        return not self.unsuppressed

    def metadata(self, lang: str = "en") -> dict[str, Any]:
        """Key-value pairs every output carries: threshold, exception, publication status.

        The ``notice`` (when there is one) is in ``lang``.
        """
        t = self.threshold
        meta: dict[str, Any] = {
            "disclosure_threshold": int(t) if float(t).is_integer() else t,
            "small_counts_allowed": self.allow_small_counts,
            "suppression": "off" if self.unsuppressed else "on",
            "for_publication": self.for_publication,
        }
        note = self.notice(lang)
        if note:
            meta["notice"] = note
        return meta

    def notice(self, lang: str = "en") -> str | None:
        """A warning to show on the output (in ``lang``), or ``None`` under the default rule."""
        if self.unsuppressed:
            return tr("disclosure_unsuppressed", lang)
        if self.threshold < MIN_THRESHOLD:
            return tr(
                "disclosure_low_threshold", lang, t=f"{self.threshold:g}", minimum=MIN_THRESHOLD
            )
        return None


def blank_rows(out: pd.DataFrame, column: str, rows: np.ndarray) -> None:
    """Set ``column`` missing on ``rows`` whatever its type (numbers become float)."""
    if not rows.any():
        return
    col = out[column]
    if pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col):
        out[column] = col.astype("Int64").mask(rows)  # whole numbers stay whole
    elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        out[column] = col.astype(float).mask(rows)
    else:
        out[column] = out[column].astype(object).mask(rows, None)


def gate_table(
    df: pd.DataFrame,
    disclosure: Disclosure,
    *,
    counts: Sequence[str] = (),
    dependent: Sequence[str] = (),
    base: pd.Series | np.ndarray | None = None,
    mark: str | None = "suppressed",
) -> pd.DataFrame:
    """Return a copy of ``df`` fit for publication under ``disclosure``.

    Parameters
    ----------
    df
        Any table; columns named in ``counts`` or ``dependent`` that it lacks are ignored.
    counts
        Person-count columns: a value below the threshold is suppressed (zero included).
    dependent
        Columns derived from the counts of the same row (shares, rates, an area's value):
        suppressed on every row where a count is, whatever their type.
    base
        Optional number of persons behind each row (e.g. the area's population that year): rows
        where it is below the threshold are suppressed entirely (counts and dependent columns).
    mark
        Name of a boolean column added to say which rows were suppressed (``None``: none).

    Returns
    -------
    DataFrame
        The published table; with ``disclosure.unsuppressed`` an unchanged copy (a warning is
        logged).
    """
    out = df.copy()
    counts = [c for c in counts if c in out.columns]
    dependent = [c for c in dependent if c in out.columns and c not in counts]
    if disclosure.unsuppressed:
        logger.warning("suppression of small counts is off: this output is not for publication")
        return out
    t = disclosure.effective
    rows = np.zeros(len(out), dtype=bool)
    for c in counts:
        values = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        small = (values < t) & ~np.isnan(values)
        rows |= small
        blank_rows(out, c, small)
    if base is not None:
        b = np.asarray(pd.to_numeric(pd.Series(np.asarray(base)), errors="coerce"), dtype=float)
        if len(b) != len(out):
            msg = f"gate_table: base has {len(b)} values for {len(out)} rows"
            raise InputError(msg)
        few = (b < t) & ~np.isnan(b)
        rows |= few
        for c in counts:
            blank_rows(out, c, few)
    for c in dependent:
        blank_rows(out, c, rows)
    if mark is not None:
        out[mark] = rows
    if rows.any():
        logger.info(
            "suppressed %d row(s) below the disclosure threshold %g (columns: %s)",
            int(rows.sum()),
            t,
            ", ".join([*counts, *dependent]),
        )
    return out
