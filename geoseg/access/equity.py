"""Inequality of access: Gini, Palma, the gap between quintiles of areas, concentration index."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoseg.errors import DataError

__all__ = ["access_gini", "concentration_index", "lorenz", "palma", "quintile_gap"]


def _prepare(values: ArrayLike, weights: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape:
        msg = f"weights have {w.shape} values for {x.shape} values"
        raise DataError(msg)
    ok = np.isfinite(x) & np.isfinite(w) & (w > 0)
    x, w = x[ok], w[ok]
    if np.any(x < 0):
        msg = "inequality measures need non-negative values (times, counts, access scores)"
        raise DataError(msg)
    return x, w


def lorenz(values: ArrayLike, weights: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz curve points ``(p, L)``: cumulative population share and value share, from 0.

    Parameters
    ----------
    values
        Non-negative values (walking minutes, counts, access scores), one per resident or area.
    weights
        Persons per value (default 1 each).

    Returns
    -------
    p, L : numpy.ndarray
        Cumulative shares of the weights and of the weighted values, both starting at 0 and
        ending at 1 (left unscaled when the total is zero).

    Raises
    ------
    geoseg.errors.DataError
        Negative values, or weights of another shape than the values.

    Notes
    -----
    Lorenz (1905), "Methods of measuring the concentration of wealth", Publ. Am. Stat. Assoc.
    9(70): values sorted ascending, ``p_k = sum_{i<=k} w_i / W`` and
    ``L_k = sum_{i<=k} w_i x_i / sum_i w_i x_i``. Non-finite values and zero weights are left
    out.
    """
    x, w = _prepare(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    p = np.concatenate([[0.0], np.cumsum(w)])
    lv = np.concatenate([[0.0], np.cumsum(w * x)])
    if p[-1] <= 0 or lv[-1] <= 0:
        return p, lv
    return p / p[-1], lv / lv[-1]


def access_gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Gini coefficient of a (weighted) distribution of access values, such as walking minutes.

    Not the segregation index of the same name (:func:`geoseg.segregation.gini`, which
    measures how unevenly a group is spread over areas): this is the income-inequality Gini
    applied to one value per resident or area.

    Parameters
    ----------
    values, weights
        As in :func:`lorenz`.

    Returns
    -------
    float
        The Gini coefficient in ``[0, 1)``; NaN when the total is zero or nothing is left.

    Notes
    -----
    Gini (1912), *Variabilità e mutabilità*: ``G = sum_i sum_j w_i w_j |x_i - x_j| /
    (2 W^2 mu)`` (the mean difference over twice the mean). Computed in O(n log n) as one
    minus twice the area under the Lorenz curve, with trapezoids between the sorted values
    (Brown 1994, "Using Gini-style indices to evaluate the spatial patterns of health
    practitioners", Soc. Sci. Med. 38(9)): ``G = 1 - sum_k (p_k - p_{k-1}) (L_k + L_{k-1})``.
    """
    p, lv = lorenz(values, weights)
    if len(p) < 2 or lv[-1] <= 0:
        return float("nan")
    return float(1.0 - np.sum(np.diff(p) * (lv[1:] + lv[:-1])))


def palma(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Palma ratio: the share held by the top 10 % over the share held by the bottom 40 %.

    Parameters
    ----------
    values, weights
        As in :func:`lorenz`.

    Returns
    -------
    float
        The ratio; ``inf`` when the bottom 40 % hold nothing, NaN when the total is zero.

    Notes
    -----
    Palma (2011), Cobham & Sumner (2013). Population shares are read off the Lorenz curve by
    linear interpolation, so a person-weighted value straddling the 40 % or 90 % line is split:
    ``Palma = (1 - L(0.9)) / L(0.4)``. ``inf`` when the bottom 40 % hold nothing.
    """
    p, lv = lorenz(values, weights)
    if len(p) < 2 or lv[-1] <= 0:
        return float("nan")
    low = float(np.interp(0.4, p, lv))
    top = 1.0 - float(np.interp(0.9, p, lv))
    return float("inf") if low == 0 else top / low


def quintile_gap(
    values: ArrayLike,
    indicator: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    groups: int = 5,
) -> pd.Series:
    """Mean access in the areas with the worst conditions minus the areas with the best.

    Parameters
    ----------
    values
        Access per area (e.g. mean minutes), a Series or array.
    indicator
        Disadvantage per area, higher is worse (e.g. share with low economic standard).
    weights
        Residents per area for population-weighted means (default 1).
    groups
        Number of groups (5: quintiles).

    Returns
    -------
    Series
        ``best`` (mean in the lowest-indicator group), ``worst`` (highest group), ``gap``
        (``worst - best``) and ``ratio`` (``worst / best``), plus ``n_best``, ``n_worst`` areas.

    Notes
    -----
    Areas are ranked by the indicator (ties in input order) and cut into ``groups`` groups of
    equal numbers of areas, as in quintile comparisons of area deprivation.
    """
    v = np.asarray(values, dtype=float)
    ind = np.asarray(indicator, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(ind) & np.isfinite(w) & (w > 0)
    v, ind, w = v[ok], ind[ok], w[ok]
    if len(v) < groups:
        msg = f"quintile_gap: {len(v)} usable areas for {groups} groups; need at least {groups}"
        raise DataError(msg)
    rank = np.empty(len(v), dtype=np.int64)
    rank[np.argsort(ind, kind="stable")] = np.arange(len(v))
    group = rank * groups // len(v)
    best, worst = group == 0, group == groups - 1
    b = float(np.average(v[best], weights=w[best]))
    t = float(np.average(v[worst], weights=w[worst]))
    return pd.Series(
        {
            "best": b,
            "worst": t,
            "gap": t - b,
            "ratio": t / b if b else float("nan"),
            "n_best": int(best.sum()),
            "n_worst": int(worst.sum()),
        }
    )


def concentration_index(
    values: ArrayLike, income: ArrayLike, *, weights: ArrayLike | None = None
) -> float:
    """Concentration index of access against income.

    Negative: access (or a larger value) concentrated among the poor; positive: among the rich.

    Parameters
    ----------
    values
        The value per area or resident (e.g. mean walking minutes).
    income
        Income per area or resident, the ranking variable.
    weights
        Persons per value (default 1 each).

    Returns
    -------
    float
        The index in ``[-1, 1]``; NaN with fewer than two usable values or a zero mean.

    Notes
    -----
    Kakwani, Wagstaff & van Doorslaer (1997); Wagstaff, van Doorslaer & Watanabe (1991):
    ``C = 2 cov_w(h, R) / mu_h`` with ``R_i`` the weighted fractional rank in income,
    ``R_i = (sum_{j ranked below i} w_j + w_i / 2) / W``; tied incomes share their mean rank.
    """
    h = np.asarray(values, dtype=float)
    y = np.asarray(income, dtype=float)
    w = np.ones_like(h) if weights is None else np.asarray(weights, dtype=float)
    ok = np.isfinite(h) & np.isfinite(y) & np.isfinite(w) & (w > 0)
    h, y, w = h[ok], y[ok], w[ok]
    if len(h) < 2:
        return float("nan")
    order = np.argsort(y, kind="stable")
    ws = w[order]
    below = np.concatenate([[0.0], np.cumsum(ws)[:-1]])
    rank_sorted = (below + ws / 2) / ws.sum()
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    # tied incomes: the weighted mean of their ranks
    r = pd.Series(rank * w).groupby(y).transform("sum") / pd.Series(w).groupby(y).transform("sum")
    rank = r.to_numpy()
    mu = np.average(h, weights=w)
    if mu == 0:
        return float("nan")
    rbar = np.average(rank, weights=w)
    cov = np.average((h - mu) * (rank - rbar), weights=w)
    return float(2.0 * cov / mu)
