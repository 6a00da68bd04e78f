"""Statistical helpers shared by the analysis packages: multiple-testing adjustment.

One adjustment of p-values serves every family of per-area tests in geoseg: the local
Moran's I and Gi* hotspots of :mod:`geoseg.hotspots` and the local segregation indices of
:mod:`geoseg.segregation`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from geoseg.errors import InputError

__all__ = ["CORRECTIONS", "adjust_pvalues"]

#: Multiple-testing corrections accepted wherever a ``correction`` option appears.
CORRECTIONS = ("fdr", "bonferroni", "none")


def adjust_pvalues(p_values: Any, *, correction: str = "fdr") -> np.ndarray:
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
