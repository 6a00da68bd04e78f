"""Moving a register's counts and amounts from one area system to another through link tables,
and measuring the result against known totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geoseg.errors import InputError

__all__ = ["MovedRegister", "TotalsCheck", "compare_totals", "move_counts"]


@dataclass
class MovedRegister:
    """A register moved to another area system.

    Attributes
    ----------
    register
        One row per (target area, year) with the id column, the year column (when given), the
        moved counts (floats: a share of an area's people is a fraction) and the amounts;
        followed by the rows whose code has no link, kept as they are (so aspatial indices and
        city totals keep them, while spatial analysis at the new level leaves them out).
    unlinked
        Codes of the register without a link (no polygon, or overlapping no target area).
    kept_share
        Per count column, the share of the register's sum that reached a target area (1 when
        every linked code is moved whole).
    """

    register: pd.DataFrame
    unlinked: list[str] = field(default_factory=list)
    kept_share: dict[str, float] = field(default_factory=dict)


def move_counts(
    register: pd.DataFrame,
    links: pd.DataFrame,
    *,
    id_column: str,
    counts: Sequence[str],
    year_column: str | None = None,
    amounts: Sequence[str] = (),
    amount_weight: str | None = None,
) -> MovedRegister:
    """Move counts and amounts of a register through a link table.

    Parameters
    ----------
    register
        Tidy table, one row per (area, year).
    links
        ``source``, ``target``, ``weight`` (from :mod:`geoseg.areas.links`).
    id_column
        The register's area code column (its values are the links' sources).
    counts
        Extensive columns (persons, dwellings): moved as weighted sums.
    year_column
        Year column, or ``None`` for a single-year table.
    amounts
        Intensive columns (mean income, a share): moved as means weighted by the link weight
        times ``amount_weight`` (the persons they rest on; equal weights without it).
    amount_weight
        A count column, typically the register's total.

    Returns
    -------
    MovedRegister
        Input rows are not modified.

    Notes
    -----
    Counts: :math:`c_j = \\sum_i w_{ij} c_i`. Amounts: :math:`a_j = \\sum_i w_{ij} t_i a_i /
    \\sum_i w_{ij} t_i` with :math:`t` the ``amount_weight`` (missing amounts are left out of
    both sums); for a mean this is the exact mean of the merged population when links are
    whole areas, for a median it is an approximation.
    """
    missing = [
        c
        for c in [id_column, *counts, *amounts, *([amount_weight] if amount_weight else [])]
        if c not in register.columns
    ]
    if year_column is not None and year_column not in register.columns:
        missing.append(year_column)
    if missing:
        msg = f"move_counts: register columns {', '.join(map(repr, missing))} not found"
        raise InputError(msg)
    counts = [c for c in dict.fromkeys(counts) if c not in amounts]
    codes = register[id_column].astype(str)
    linked = codes.isin(set(links["source"]))
    rows = register.loc[linked]
    keys = [year_column] if year_column else []
    merged = (
        rows.assign(**{id_column: codes[linked]})
        .merge(links, left_on=id_column, right_on="source", how="inner")
        .reset_index(drop=True)
    )
    w = merged["weight"].to_numpy(dtype=float)
    frame = pd.DataFrame({"target": merged["target"].to_numpy()})
    for k in keys:
        frame[k] = merged[k].to_numpy()
    for c in counts:
        frame[c] = pd.to_numeric(merged[c], errors="coerce").to_numpy(dtype=float) * w
    t = (
        pd.to_numeric(merged[amount_weight], errors="coerce").to_numpy(dtype=float)
        if amount_weight
        else np.ones(len(merged))
    )
    for c in amounts:
        a = pd.to_numeric(merged[c], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(a) & np.isfinite(t)
        frame[f"__num_{c}"] = np.where(ok, a * w * t, 0.0)
        frame[f"__den_{c}"] = np.where(ok, w * t, 0.0)
    by = ["target", *keys]
    grouped = frame.groupby(by, sort=True, dropna=False).sum(min_count=1).reset_index()
    for c in amounts:
        den = grouped.pop(f"__den_{c}")
        num = grouped.pop(f"__num_{c}")
        grouped[c] = np.where(den > 0, num / den.where(den > 0, 1.0), np.nan)
    grouped = grouped.rename(columns={"target": id_column})
    grouped[id_column] = grouped[id_column].astype(str)
    columns = [id_column, *keys, *counts, *amounts]
    rest = register.loc[~linked, [c for c in columns if c in register.columns]].copy()
    rest[id_column] = rest[id_column].astype(str)
    out = pd.concat([grouped[columns], rest], ignore_index=True)
    for c in counts:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    kept: dict[str, float] = {}
    for c in counts:
        before = float(pd.to_numeric(rows[c], errors="coerce").sum())
        after = float(grouped[c].sum())
        kept[c] = after / before if before else 1.0
    unlinked = sorted(set(codes[~linked]))
    return MovedRegister(register=out, unlinked=unlinked, kept_share=kept)


@dataclass
class TotalsCheck:
    """Estimated counts per area against known totals of the same areas.

    Attributes
    ----------
    table
        Per area: ``estimate``, ``known``, ``difference`` (estimate - known) and ``relative``
        (difference / known).
    estimate_sum, known_sum
        Sums over the areas present in both.
    absolute_error_share
        :math:`\\sum |e_j - k_j| / \\sum k_j`: the share of people placed in the wrong area
        (counting each misplaced person twice when the totals agree).
    largest
        Code of the area with the largest absolute difference.
    missing_known, missing_estimate
        Areas with an estimate but no known total, and the reverse.
    """

    table: pd.DataFrame
    estimate_sum: float
    known_sum: float
    absolute_error_share: float
    largest: str | None
    missing_known: list[str] = field(default_factory=list)
    missing_estimate: list[str] = field(default_factory=list)

    @property
    def total_error(self) -> float:
        """Relative error of the sum: ``estimate_sum / known_sum - 1``."""
        return self.estimate_sum / self.known_sum - 1 if self.known_sum else float("nan")

    @property
    def median_relative_error(self) -> float:
        """Median over the areas of ``|relative|``."""
        rel = self.table["relative"].abs().dropna()
        return float(rel.median()) if len(rel) else float("nan")


def compare_totals(estimate: pd.Series, known: pd.Series) -> TotalsCheck:
    """Compare moved counts per area with totals the target system publishes itself.

    Parameters
    ----------
    estimate, known
        Counts indexed by area code.

    Returns
    -------
    TotalsCheck
    """
    est = estimate.copy()
    kn = known.copy()
    est.index = est.index.astype(str)
    kn.index = kn.index.astype(str)
    common = est.index.intersection(kn.index)
    e = est.loc[common].astype(float)
    k = kn.loc[common].astype(float)
    diff = e - k
    rel = diff / k.where(k != 0)
    table = pd.DataFrame({"estimate": e, "known": k, "difference": diff, "relative": rel})
    ksum = float(k.sum())
    share = float(diff.abs().sum() / ksum) if ksum else float("nan")
    largest = str(diff.abs().idxmax()) if diff.notna().any() else None
    return TotalsCheck(
        table=table,
        estimate_sum=float(e.sum()),
        known_sum=ksum,
        absolute_error_share=share,
        largest=largest,
        missing_known=sorted(set(est.index) - set(kn.index)),
        missing_estimate=sorted(set(kn.index) - set(est.index)),
    )
