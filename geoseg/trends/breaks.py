"""Series breaks: values from a year on that are not comparable with earlier ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SeriesBreak", "apply_breaks", "comparable_from"]


@dataclass(frozen=True)
class SeriesBreak:
    """A break in a series: values from ``year`` on are not comparable with earlier ones.

    Attributes
    ----------
    year
        The first year of the new series.
    indicators
        The indicators (or register columns) concerned, or ``"all"``.
    reason
        Why (shown in results and the report), e.g. "employment counted for ages 20-64".
    crosswalk
        Optional table with columns ``from_code``, ``to_code`` and ``weight`` that carries the
        values of the years before the break over to the codes used from ``year`` on (each new
        value is the ``weight``-weighted mean of the old values mapped to it; codes absent from
        the crosswalk keep their values). With a crosswalk the trend runs across the break.
    crosswalk_name
        Where the crosswalk came from (a file name), for the results.
    """

    year: int
    indicators: str | tuple[str, ...] = "all"
    reason: str = ""
    crosswalk: pd.DataFrame | None = field(default=None, compare=False)
    crosswalk_name: str = ""

    def applies_to(self, indicator: str) -> bool:
        """Whether the break concerns ``indicator``."""
        return self.indicators == "all" or str(indicator) in self.indicators


def apply_breaks(
    table: pd.DataFrame,
    breaks: Iterable[SeriesBreak] = (),
    *,
    indicator: str | None = None,
    id_column: str = "code",
) -> tuple[pd.DataFrame, str]:
    """The part of one indicator's series that a trend may use, and a note saying which.

    Parameters
    ----------
    table
        Rows of one indicator with ``id_column``, ``year`` and ``value``.
    breaks
        The project's series breaks; those that do not apply to ``indicator`` are ignored.
    indicator
        The indicator's name (matched against :attr:`SeriesBreak.indicators`); ``None``
        applies every break given.

    Returns
    -------
    (rows, note)
        The rows from the last break without a crosswalk on (earlier rows dropped), with the
        rows before a break with a crosswalk carried over to the new codes; ``note`` says what
        was done ("" when no break applies).
    """
    applying = sorted(
        (b for b in breaks if indicator is None or b.applies_to(str(indicator))),
        key=lambda b: b.year,
        reverse=True,
    )
    notes: list[str] = []
    rows = table
    for brk in applying:
        if rows.empty or brk.year <= rows["year"].min() or brk.year > rows["year"].max():
            continue
        why = f" ({brk.reason})" if brk.reason else ""
        if brk.crosswalk is None:
            before = rows["year"] < brk.year
            if before.any():
                rows = rows[~before]
            notes.append(f"series break in {brk.year}{why}: trend from {brk.year} on")
            break
        rows = _crosswalk(rows, brk, id_column)
        source = f" {brk.crosswalk_name}" if brk.crosswalk_name else ""
        notes.append(
            f"series break in {brk.year}{why} bridged by crosswalk{source}: trend across it"
        )
    return rows, "; ".join(notes)


def _crosswalk(rows: pd.DataFrame, brk: SeriesBreak, id_column: str) -> pd.DataFrame:
    cw = brk.crosswalk
    if cw is None:  # pragma: no cover - called only for breaks with a crosswalk
        return rows
    old = rows[rows["year"] < brk.year]
    if old.empty:
        return rows
    mapping = cw.assign(from_code=cw["from_code"].astype(str), to_code=cw["to_code"].astype(str))
    mapped = old.merge(mapping, left_on=id_column, right_on="from_code", how="left")
    mapped["to_code"] = mapped["to_code"].fillna(mapped[id_column])
    mapped["weight"] = mapped["weight"].fillna(1.0).astype(float)
    mapped = mapped[mapped["value"].notna()]
    mapped["wv"] = mapped["weight"] * mapped["value"]
    keys = ["to_code", "year"]
    grouped = mapped.groupby(keys, sort=False)[["wv", "weight"]].sum()
    carried = (grouped["wv"] / grouped["weight"]).rename("value").reset_index()
    carried = carried.rename(columns={"to_code": id_column})
    for c in rows.columns:
        if c not in carried.columns:
            found = old[c].dropna().unique()
            carried[c] = found[0] if len(found) == 1 else np.nan
    return pd.concat([carried[rows.columns], rows[rows["year"] >= brk.year]], ignore_index=True)


def comparable_from(
    breaks: Iterable[SeriesBreak], names: Iterable[str], years: Iterable[int]
) -> tuple[int | None, str]:
    """The first year of the last comparable stretch of a series built from ``names``.

    Parameters
    ----------
    breaks
        Series breaks; a break applies when it concerns any of ``names`` (or is ``"all"``) and
        falls after the first and not after the last of ``years``.
    names
        The indicators or register columns the series is built from (a segregation index of
        ``foreign_born`` of ``pop_total``, say).
    years
        The years of the series.

    Returns
    -------
    (year, note)
        The year of the last applying break without a crosswalk (``None`` when there is none:
        the whole series is comparable) and a note naming the breaks; a break with a crosswalk
        is named as bridged and does not cut the series.
    """
    found = sorted({int(y) for y in years})
    if not found:
        return None, ""
    wanted = {str(n) for n in names}
    applying = sorted(
        (
            b
            for b in breaks
            if (b.indicators == "all" or wanted & set(b.indicators))
            and found[0] < b.year <= found[-1]
        ),
        key=lambda b: b.year,
    )
    cuts = [b for b in applying if b.crosswalk is None]
    notes = []
    for brk in applying:
        why = f" ({brk.reason})" if brk.reason else ""
        if brk.crosswalk is None:
            if brk is cuts[-1]:
                notes.append(f"series break in {brk.year}{why}: compared from {brk.year} on")
        else:
            source = f" {brk.crosswalk_name}" if brk.crosswalk_name else ""
            notes.append(f"series break in {brk.year}{why} bridged by crosswalk{source}")
    return (cuts[-1].year if cuts else None), "; ".join(notes)
