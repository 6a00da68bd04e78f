"""Aspatial single-group segregation indices: one group against the total population.

Each function takes a table with one row per area, the name of the group's count column and of
the total population column, and returns one number for the whole city. Counts may be int or
float. Missing or negative counts, and a group larger than the total, are refused naming the
areas; areas with zero population are left out (they contribute nothing to any of these
indices). A group with no members, or one that is the whole population, is refused.

The formulas are computed by the registered array cores (``geoseg.segregation._cores_single``),
shared with batch computation and permutation inference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geoseg.segregation import _cores_single as cores
from geoseg.segregation._tables import check_share, single_counts
from geoseg.settings import DEFAULT_SEED, random_generator

__all__ = [
    "atkinson",
    "bias_corrected_dissimilarity",
    "con_prof",
    "correlation_ratio",
    "density_corrected_dissimilarity",
    "dissimilarity",
    "entropy",
    "gini",
    "interaction",
    "isolation",
    "modified_dissimilarity",
    "modified_gini",
]

Seed = int | np.random.Generator | None


def _value(core: Any, data: pd.DataFrame, group: str, total: str, **options: Any) -> float:
    x, t, _ = single_counts(data, group, total)
    check_share(x, t, group, total)
    return float(core(x[:, None], t, **options)[0])


def dissimilarity(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Index of dissimilarity (evenness).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Columns with the group's count and the total population of each area.

    Returns
    -------
    float
        ``D`` in [0, 1]: the share of the group that would have to move to be distributed like
        the total population.

    Notes
    -----
    ``D = sum_i t_i |p_i - P| / (2 T P (1 - P))`` with ``p_i = x_i / t_i`` and ``P = X / T``
    (Massey & Denton 1988, "The dimensions of residential segregation", Social Forces 67(2)).
    """
    return _value(cores.dissimilarity_core, data, group, total)


def gini(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Gini segregation index (evenness).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.

    Returns
    -------
    float
        ``G`` in [0, 1].

    Notes
    -----
    ``G = sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2 P (1 - P))`` (Massey & Denton 1988). geoseg
    evaluates the double sum in O(n log n) by sorting the areas on ``p_i``.
    """
    return _value(cores.gini_core, data, group, total)


def entropy(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Theil's entropy (information theory) index for two groups (evenness).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.

    Returns
    -------
    float
        ``H`` in [0, 1].

    Notes
    -----
    ``H = sum_i t_i (E - E_i) / (E T)`` where ``E = P ln(1/P) + (1-P) ln(1/(1-P))`` and ``E_i``
    the same for area ``i`` (``0 ln 0 = 0``) (Massey & Denton 1988).
    """
    return _value(cores.entropy_core, data, group, total)


def isolation(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Isolation index ``xPx`` (exposure).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.

    Returns
    -------
    float
        Probability that a random member of the group meets another member in their area.

    Notes
    -----
    ``xPx = sum_i (x_i / X)(x_i / t_i)`` (Massey & Denton 1988).
    """
    return _value(cores.isolation_core, data, group, total)


def interaction(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Interaction index ``xPy`` (exposure).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.

    Returns
    -------
    float
        Probability that a random member of the group meets a non-member in their area.

    Notes
    -----
    ``xPy = sum_i (x_i / X)(y_i / t_i)`` with ``y_i = t_i - x_i`` (Massey & Denton 1988).
    """
    return _value(cores.interaction_core, data, group, total)


def atkinson(data: pd.DataFrame, *, group: str, total: str, b: float = 0.5) -> float:
    """Atkinson index (evenness).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    b
        Shape parameter in [0, 1): how areas where the group is under- (``b`` near 0) or
        over-represented (``b`` near 1) are weighted.

    Returns
    -------
    float
        ``A`` in [0, 1].

    Notes
    -----
    ``A = 1 - P/(1-P) |sum_i (1-p_i)^(1-b) p_i^b t_i / (P T)|^(1/(1-b))`` (Massey & Denton
    1988; Atkinson 1970, "On the measurement of inequality", J. Economic Theory 2(3)).
    """
    from geoseg.errors import InputError

    if not 0.0 <= float(b) < 1.0:
        msg = f"atkinson: b must be in [0, 1), got {b}"
        raise InputError(msg)
    return _value(cores.atkinson_core, data, group, total, b=float(b))


def correlation_ratio(data: pd.DataFrame, *, group: str, total: str) -> float:
    """Correlation ratio ``eta^2`` (exposure, isolation adjusted for group size).

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.

    Returns
    -------
    float
        ``V = (xPx - P) / (1 - P)``.

    Notes
    -----
    Massey & Denton 1988; White 1986, "Segregation and diversity measures in population
    distribution", Population Index 52(2).
    """
    return _value(cores.correlation_ratio_core, data, group, total)


def con_prof(data: pd.DataFrame, *, group: str, total: str, m: int = 1000) -> float:
    """Concentration-profile index.

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    m
        Number of thresholds on [0, 1] at which the profile is evaluated (at least 2).

    Returns
    -------
    float
        ``R``: the normalised area between the group's concentration profile and the even one.

    Notes
    -----
    Hong & Sadahiro 2014, "Measuring geographic segregation: a graph-based approach", Journal of
    Geographical Systems 16(2). ``v(th)`` is the share of the group living in areas whose group
    share is at least ``th``; ``R = (P - (sum_{th<P} v - sum_{th>=P} v) / m) / (1 - P)``.
    """
    from geoseg.errors import InputError

    if int(m) != m or m < 2:
        msg = f"con_prof: m must be an integer of at least 2, got {m}"
        raise InputError(msg)
    return _value(cores.con_prof_core, data, group, total, m=int(m))


def density_corrected_dissimilarity(
    data: pd.DataFrame, *, group: str, total: str, reference_cutoff: bool = True
) -> float:
    """Density-corrected dissimilarity index, less biased in small areas.

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    reference_cutoff
        Keep pysal/segregation's behaviour for extremely large standardised differences (their
        areas contribute 0, see Notes). ``False`` uses the exact folded-normal mode everywhere.

    Returns
    -------
    float
        ``Ddc``.

    Notes
    -----
    Allen, Burgess, Davidson & Windmeijer 2015, "More reliable inference for the dissimilarity
    index of segregation", The Econometrics Journal 18(1). ``Ddc = 1/2 sum_j sigma_j theta*_j``
    with ``sigma_j`` the standard error of the difference of the two groups' shares of area ``j``
    and ``theta*_j`` the mode of the folded normal distribution at the standardised difference
    ``theta_j``: 0 for ``theta_j <= 1``, else the root of ``x = theta_j tanh(theta_j x)``
    (solved by Newton's method). With ``reference_cutoff`` areas with ``theta_j > 38.33`` count
    0, as in pysal/segregation, whose numerical search stalls where the density underflows.
    """
    return _value(
        cores.density_corrected_dissimilarity_core,
        data,
        group,
        total,
        reference_cutoff=reference_cutoff,
    )


def bias_corrected_dissimilarity(
    data: pd.DataFrame,
    *,
    group: str,
    total: str,
    method: str = "exact",
    iterations: int = 500,
    seed: Seed = DEFAULT_SEED,
) -> float:
    """Bias-corrected dissimilarity index.

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    method
        ``"exact"`` (default): the mean dissimilarity of the redistributed tables is computed
        from their probability distributions, so the value is deterministic and free of
        Monte-Carlo error. ``"simulation"``: it is averaged over ``iterations`` drawn tables,
        as in pysal/segregation.
    iterations
        Number of simulated tables (``method="simulation"`` only).
    seed
        Seed or NumPy Generator (``method="simulation"`` only); the same seed gives the same
        value.

    Returns
    -------
    float
        ``Dbc = 2 D - E[D_b]``.

    Notes
    -----
    Allen, Burgess, Davidson & Windmeijer 2015 (The Econometrics Journal 18(1)). ``D_b`` is the
    dissimilarity of a table where each group's members (counts rounded to whole persons) are
    redistributed over the areas by a multinomial draw with the group's observed area shares;
    ``D`` is upward biased by about ``E[D_b] - D``.

    The exact method is the same estimator with ``E[D_b]`` computed instead of estimated. With
    both group totals ``X`` and ``Y`` fixed, ``D_b = 1/2 sum_i |A_i / X - B_i / Y|`` where
    ``A_i ~ Binomial(X, x_i / X)`` and ``B_i ~ Binomial(Y, y_i / Y)`` are independent (the
    marginals of the two multinomials), and the mean of a sum is the sum of the means; each
    area's ``E|A_i Y - B_i X|`` is summed over the support of ``A_i`` with the inner mean
    absolute deviation of ``B_i`` in closed form (De Moivre's identity; Diaconis & Zabell 1991,
    Statistical Science 6(3)). Supports are truncated 7 standard deviations from the mean.
    """
    return _value(
        cores.bias_corrected_dissimilarity_core,
        data,
        group,
        total,
        method=method,
        iterations=int(iterations),
        rng=random_generator(seed),
    )


def modified_dissimilarity(
    data: pd.DataFrame,
    *,
    group: str,
    total: str,
    method: str = "exact",
    iterations: int = 500,
    seed: Seed = DEFAULT_SEED,
) -> float:
    """Carrington-Troske modified dissimilarity index.

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    method
        ``"exact"`` (default): ``D*`` is computed from the distribution of the random
        allocations, so the value is deterministic and free of Monte-Carlo error.
        ``"simulation"``: ``D*`` is averaged over ``iterations`` random allocations.
    iterations
        Number of random allocations (``method="simulation"`` only).
    seed
        Seed or NumPy Generator (``method="simulation"`` only).

    Returns
    -------
    float
        ``(D - D*) / (1 - D*)`` when ``D >= D*``, else ``(D - D*) / D*``.

    Notes
    -----
    Carrington & Troske 1997, "On measuring segregation in samples with small units", Journal
    of Business & Economic Statistics 15(4). ``D*`` is the mean dissimilarity when each area's
    group count is drawn from ``Binomial(t_i, P)`` (totals rounded to whole persons).

    The exact method is the same estimator with ``D*`` computed instead of estimated. Given
    the drawn group total ``m``, the counts are hypergeometric and the dissimilarity's
    numerator ``sum_i |x_i - t_i m / T|`` has the mean absolute deviation of each area in
    closed form (De Moivre's identity for the hypergeometric distribution; Diaconis & Zabell
    1991, Statistical Science 6(3)); the mean over ``m ~ Binomial(T, P)`` (``0 < m < T``) uses
    every possible ``m`` in small cities and a 5-point Gauss-Hermite rule otherwise.
    """
    return _value(
        cores.modified_dissimilarity_core,
        data,
        group,
        total,
        method=method,
        iterations=int(iterations),
        rng=random_generator(seed),
    )


def modified_gini(
    data: pd.DataFrame,
    *,
    group: str,
    total: str,
    method: str = "exact",
    iterations: int = 500,
    seed: Seed = DEFAULT_SEED,
) -> float:
    """Carrington-Troske modified Gini index.

    Parameters
    ----------
    data
        One row per area.
    group, total
        Count columns of the group and of the whole population.
    method
        ``"exact"`` (default): ``G*`` is computed from the distribution of the random
        allocations (deterministic). ``"simulation"``: ``G*`` is averaged over ``iterations``
        random allocations.
    iterations
        Number of random allocations (``method="simulation"`` only).
    seed
        Seed or NumPy Generator (``method="simulation"`` only).

    Returns
    -------
    float
        ``(G - G*) / (1 - G*)`` when ``G >= G*``, else ``(G - G*) / G*``.

    Notes
    -----
    Carrington & Troske 1997 (Journal of Business & Economic Statistics 15(4)); ``G*`` is the
    mean Gini index when each area's group count is drawn from ``Binomial(t_i, P)``.

    The exact method computes ``G*`` without drawing: the mean of the Gini numerator
    ``sum_{i != j} t_i t_j |p_i - p_j|`` under independent binomial counts is exact, from
    ``E|U - V| = int F_U (1 - F_V) + F_V (1 - F_U) dz`` summed over all pairs at once through the
    population-weighted distribution function of the shares. The drawn table's own city share
    in the denominator is handled by averaging over the drawn group total (a 3-point
    Gauss-Hermite rule, or every value in small cities) with the numerator's mean taken at that
    share; this last step is accurate to a relative error of order ``1 / (T P (1 - P))``
    squared rather than exact, far below the Monte-Carlo error of 500 simulations except in
    cities of a few hundred residents.
    """
    return _value(
        cores.modified_gini_core,
        data,
        group,
        total,
        method=method,
        iterations=int(iterations),
        rng=random_generator(seed),
    )
