"""Per-area and per-group summaries of walking access, weighted by residents."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoseg.errors import DataError

__all__ = ["SUMMARY_COLUMNS", "area_summary", "weighted_median"]

#: Columns of :func:`area_summary`, in order.
SUMMARY_COLUMNS = [
    "id",
    "kind",
    "group",
    "residents",
    "mean_minutes",
    "median_minutes",
    "share_within",
    "share_unreachable",
    "fca_ratio",
]


def weighted_median(values: ArrayLike, weights: ArrayLike) -> float:
    """The smallest value at which the cumulative weight reaches half the total.

    Values may be ``inf`` (unreachable); the median is then ``inf`` when at least half the
    weight is unreachable. NaN when the total weight is zero.
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = ~np.isnan(x) & (w > 0)
    x, w = x[ok], w[ok]
    if not len(x):
        return float("nan")
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, cum[-1] / 2.0 * (1 - 1e-12), side="left"))
    return float(x[order][k])


def area_summary(
    residents: pd.DataFrame,
    minutes: pd.DataFrame,
    *,
    groups: Sequence[str],
    within: float,
    fca: pd.DataFrame | None = None,
    by: str = "area",
) -> pd.DataFrame:
    """Population-weighted walking time per area, service kind and group.

    Parameters
    ----------
    residents
        Resident points (:mod:`geoseg.access.residents`): column ``by`` and one column of
        persons per group.
    minutes
        Minutes to the nearest service, one column per kind, index aligned with ``residents``
        (``inf`` when unreachable).
    groups
        Group columns of ``residents`` to summarise (e.g. ``pop_total``, ``age_0_5``).
    within
        Threshold in minutes for ``share_within``.
    fca
        Optional 2SFCA access per resident point and kind (same shape as ``minutes``).
    by
        Column of ``residents`` holding the area code.

    Returns
    -------
    DataFrame
        One row per (area, kind, group), columns :data:`SUMMARY_COLUMNS`: ``residents``
        (persons of the group), ``mean_minutes`` (over those who can reach a service),
        ``median_minutes`` (weighted, see :func:`weighted_median`), ``share_within`` (share of
        the group within ``within`` minutes), ``share_unreachable`` and ``fca_ratio``
        (population-weighted mean 2SFCA access: supply per person of demand).
    """
    missing = [g for g in [by, *groups] if g not in residents.columns]
    if missing:
        msg = f"resident points: columns {', '.join(missing)} are missing"
        raise DataError(msg)
    if not minutes.index.equals(residents.index):
        msg = "minutes and resident points must share the same index"
        raise DataError(msg)
    area = residents[by].astype(str).to_numpy()
    codes, inv = np.unique(area, return_inverse=True)
    rows: list[pd.DataFrame] = []
    for kind in minutes.columns:
        t = minutes[kind].to_numpy(dtype=float)
        reach = np.isfinite(t)
        f = None if fca is None else fca[kind].to_numpy(dtype=float)
        for group in groups:
            w = residents[group].to_numpy(dtype=float)
            w = np.where(np.isfinite(w), w, 0.0)
            tot = np.bincount(inv, weights=w, minlength=len(codes))
            wr = np.where(reach, w, 0.0)
            tot_r = np.bincount(inv, weights=wr, minlength=len(codes))
            sum_t = np.bincount(inv, weights=w * np.where(reach, t, 0.0), minlength=len(codes))
            inside = np.bincount(inv, weights=np.where(t <= within, w, 0.0), minlength=len(codes))
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(tot_r > 0, sum_t / tot_r, np.nan)
                share = np.where(tot > 0, inside / tot, np.nan)
                unreach = np.where(tot > 0, 1.0 - tot_r / tot, np.nan)
                if f is None:
                    fr = np.full(len(codes), np.nan)
                else:
                    sf = np.bincount(inv, weights=w * np.nan_to_num(f), minlength=len(codes))
                    fr = np.where(tot > 0, sf / tot, np.nan)
            order = np.argsort(inv, kind="stable")
            bounds = np.searchsorted(inv[order], np.arange(len(codes) + 1))
            med = np.array(
                [
                    weighted_median(
                        t[order[bounds[i] : bounds[i + 1]]], w[order[bounds[i] : bounds[i + 1]]]
                    )
                    for i in range(len(codes))
                ]
            )
            rows.append(
                pd.DataFrame(
                    {
                        "id": codes,
                        "kind": kind,
                        "group": group,
                        "residents": tot,
                        "mean_minutes": mean,
                        "median_minutes": med,
                        "share_within": share,
                        "share_unreachable": np.clip(unreach, 0.0, 1.0),
                        "fca_ratio": fr,
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(rows, ignore_index=True)[SUMMARY_COLUMNS]
