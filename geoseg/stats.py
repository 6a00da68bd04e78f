"""Statistical helpers shared by the analysis packages: multiple testing and trend tests.

One adjustment of p-values serves every family of per-area tests in geoseg: the local
Moran's I and Gi* hotspots of :mod:`geoseg.hotspots` and the local segregation indices of
:mod:`geoseg.segregation`. One Mann-Kendall trend test serves the emerging hotspots of
:mod:`geoseg.hotspots` and the area trends of :mod:`geoseg.trends`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from geoseg.errors import InputError

__all__ = ["CORRECTIONS", "MannKendall", "adjust_pvalues", "mann_kendall"]

#: Multiple-testing corrections accepted wherever a ``correction`` option appears.
CORRECTIONS = ("fdr", "bonferroni", "none")


def adjust_pvalues(p_values: ArrayLike, *, correction: str = "fdr") -> np.ndarray:
    """Adjust one family of p-values for multiple testing.

    Parameters
    ----------
    p_values
        One p-value per test (per area); NaN is ignored (not counted) and stays NaN.
    correction
        ``"fdr"`` (Benjamini-Hochberg, the default), ``"bonferroni"`` or ``"none"``.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, capped at 1.

    Raises
    ------
    InputError
        When ``correction`` is not one of :data:`CORRECTIONS`.

    Notes
    -----
    Benjamini & Hochberg (1995), "Controlling the false discovery rate", J. R. Stat. Soc. B
    57(1): with m tests and sorted p-values p_(1) <= ... <= p_(m), the adjusted value of p_(i)
    is min over j >= i of m p_(j) / j (computed by :func:`scipy.stats.false_discovery_control`).
    Rejecting where it is <= alpha controls the false discovery rate at alpha. Bonferroni:
    min(1, m p). ``m`` counts the non-missing p-values only.
    """
    if correction not in CORRECTIONS:
        msg = (
            f"unknown multiple-testing correction {correction!r}; "
            f"use one of {', '.join(CORRECTIONS)}."
        )
        raise InputError(msg)
    p = np.asarray(p_values, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    if correction == "none" or not ok.any():
        return out
    if correction == "bonferroni":
        out[ok] = np.minimum(p[ok] * ok.sum(), 1.0)
    else:
        out[ok] = np.minimum(stats.false_discovery_control(p[ok], method="bh"), 1.0)
    return out


@dataclass(frozen=True)
class MannKendall:
    """Mann-Kendall trend test of one or several series (one value per series).

    Attributes
    ----------
    s
        The statistic S = sum over pairs i < j of sign(x_j - x_i).
    var_s
        Its variance under the null hypothesis of no trend, corrected for ties.
    z
        The continuity-corrected normal score.
    p_value
        Two-sided p-value of the normal approximation.
    tau
        Kendall's tau-a, S / (n (n - 1) / 2).
    n
        The number of values in the series.
    """

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    tau: np.ndarray
    n: int


def mann_kendall(series: ArrayLike) -> MannKendall:
    """Mann-Kendall test for a monotonic trend in each row of ``series``.

    Parameters
    ----------
    series
        A 1-D series (one test) or a 2-D array with one series per row, in time order and
        evenly spaced. Every value must be finite.

    Returns
    -------
    MannKendall
        Arrays with one value per row (0-d arrays for a 1-D input).

    Raises
    ------
    InputError
        When a series has fewer than three values or a value is not finite.

    Notes
    -----
    Mann (1945), "Nonparametric tests against trend", Econometrica 13(3); Kendall (1975),
    *Rank Correlation Methods*; variance with ties as in Hipel & McLeod (1994), *Time Series
    Modelling of Water Resources and Environmental Systems*, ch. 23:
    S = sum_{i<j} sign(x_j - x_i); Var(S) = (n (n-1) (2n+5) - sum_t t (t-1) (2t+5)) / 18
    over the groups of t tied values; Z = (S - 1) / sqrt(Var S) for S > 0, (S + 1) /
    sqrt(Var S) for S < 0 and 0 for S = 0; p = 2 (1 - Phi(|Z|)); tau = S / (n (n - 1) / 2).
    """
    x = np.asarray(series, dtype=float)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    n = x.shape[1]
    if n < 3:
        msg = f"Mann-Kendall test: {n} value(s) per series; a trend needs at least three."
        raise InputError(msg)
    if not np.isfinite(x).all():
        msg = "Mann-Kendall test: a series has a missing or infinite value; fill or drop it."
        raise InputError(msg)
    upper = np.triu_indices(n, k=1)
    diffs = x[:, None, :] - x[:, :, None]  # diffs[r, i, j] = x[r, j] - x[r, i]
    s = np.sign(diffs[:, upper[0], upper[1]]).sum(axis=1)
    var = np.full(len(x), n * (n - 1) * (2 * n + 5), dtype=float)
    ordered = np.sort(x, axis=1)
    tied_rows = np.flatnonzero((np.diff(ordered, axis=1) == 0).any(axis=1))
    for r in tied_rows:
        _, t = np.unique(ordered[r], return_counts=True)
        var[r] -= float((t * (t - 1) * (2 * t + 5)).sum())
    var /= 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(s > 0, (s - 1) / np.sqrt(var), np.where(s < 0, (s + 1) / np.sqrt(var), 0.0))
    z = np.where(var > 0, z, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    tau = s / (n * (n - 1) / 2.0)
    if single:
        s, var, z, p, tau = (np.asarray(a[0]) for a in (s, var, z, p, tau))
    return MannKendall(s=s, var_s=var, z=z, p_value=p, tau=tau, n=n)
