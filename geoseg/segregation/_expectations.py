"""Exact expectations of the dissimilarity and Gini indices under the simulation-based nulls.

The bias-corrected dissimilarity and the Carrington-Troske modified indices subtract the mean
of an index over tables drawn at random. These functions compute that mean directly from the
probability distributions, so the indices become deterministic and free of Monte-Carlo error.

All sums over a count's support are truncated ``_WIDTH`` standard deviations either side of its
mean; the neglected probability is below ``1e-11``.

Sources of the identities used:

- De Moivre's mean absolute deviation of the binomial distribution, in its partial-sum form
  ``sum_{k<=j} (np - k) b(k) = (j + 1) (1 - p) b(j + 1)`` for every ``j`` (Diaconis, P. and
  Zabell, S. (1991). Closed form summation for classical distributions: variations on a theme
  of De Moivre. Statistical Science 6(3), 284-302);
- the same identity for the hypergeometric distribution (population ``N``, ``K`` marked,
  ``n`` drawn): ``sum_{k<=j} (nK/N - k) h(k) = (j + 1) (N - K - n + j + 1) h(j + 1) / N``
  (Diaconis & Zabell 1991, section 4);
- ``E|U - V| = int F_U (1 - F_V) + F_V (1 - F_U) dz`` for independent ``U``, ``V``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, xlog1py, xlogy

__all__ = [
    "binomial_pmf",
    "expected_null_dissimilarity",
    "expected_null_gini",
    "expected_resampled_dissimilarity",
    "hypergeometric_mad",
]

#: Half-width of the truncated supports, in standard deviations.
_WIDTH = 7.0
#: Largest number of possible group totals of a drawn table that are all enumerated.
_ENUMERATE = 200
#: Gauss-Hermite nodes of the mean over the drawn group total in larger cities.
_NODES = 5


def _log_choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def binomial_pmf(k: npt.ArrayLike, n: npt.ArrayLike, p: npt.ArrayLike) -> np.ndarray:
    """``P(K = k)`` for ``K ~ Binomial(n, p)`` (zero outside ``0..n``), broadcast."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.asarray(p, dtype=float)
    inside = (k >= 0) & (k <= n)
    kk = np.where(inside, k, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = _log_choose(n, kk) + xlogy(kk, p) + xlog1py(n - kk, -p)
    return np.where(inside, np.exp(logp), 0.0)


def hypergeometric_mad(N: npt.ArrayLike, K: npt.ArrayLike, n: npt.ArrayLike) -> np.ndarray:
    """``E|H - nK/N|`` for ``H`` hypergeometric (``n`` drawn from ``N`` with ``K`` marked).

    Integer arrays, broadcast; closed form ``2 (j + 1) (N - K - n + j + 1) h(j + 1) / N`` with
    ``j = floor(nK/N)``.
    """
    N, K, n = (np.asarray(a, dtype=np.int64) for a in (N, K, n))
    j1 = (n * K) // np.maximum(N, 1) + 1
    ok = (N > 0) & (j1 <= np.minimum(n, K)) & (n - j1 <= N - K)
    j1f = np.where(ok, j1, 0).astype(float)
    Nf, Kf, nf = N.astype(float), K.astype(float), n.astype(float)
    nf = np.where(ok, nf, 0.0)
    logh = _log_choose(Kf, j1f) + _log_choose(Nf - Kf, nf - j1f) - _log_choose(Nf, nf)
    with np.errstate(invalid="ignore", divide="ignore"):
        val = 2.0 * j1f * (Nf - Kf - nf + j1f) * np.exp(logh) / Nf
    return np.where(ok, val, 0.0)


def _total_nodes(
    T: int, P: float, *, nodes: int = _NODES, integer: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Group totals ``m`` of a drawn table and their weights, ``m ~ Binomial(T, P)``, ``0<m<T``.

    Every value (in small cities), or every value within ``_WIDTH`` standard deviations of
    the mean, when there are at most ``_ENUMERATE``; otherwise a ``nodes``-point
    Gauss-Hermite rule (the functions averaged are smooth at the scale of the standard
    deviation, which is then more than 14 persons), whose real nodes are either kept
    (``integer=False``) or shared linearly between the two neighbouring integers.
    """
    sd = float(np.sqrt(T * P * (1.0 - P)))
    lo = max(1, int(np.floor(T * P - _WIDTH * sd - 1)))
    hi = min(T - 1, int(np.ceil(T * P + _WIDTH * sd + 1)))
    if T - 1 <= _ENUMERATE:
        lo, hi = 1, T - 1
    if hi < lo:
        return np.empty(0, dtype=np.int64), np.empty(0)
    if hi - lo + 1 <= _ENUMERATE:
        m = np.arange(lo, hi + 1, dtype=np.int64)
        w = binomial_pmf(m, T, P)
        total = w.sum()
        return m, (w / total if total > 0 else w)
    z, gw = np.polynomial.hermite_e.hermegauss(nodes)
    node = T * P + z * sd
    gw = gw / gw.sum()
    if not integer:
        return node, gw
    m0 = np.floor(node).astype(np.int64)
    frac = node - m0
    return np.concatenate([m0, m0 + 1]), np.concatenate([gw * (1.0 - frac), gw * frac])


def expected_null_dissimilarity(t: np.ndarray, P: float) -> float:
    """Mean dissimilarity of tables with ``x_i ~ Binomial(t_i, P)`` independent.

    ``t`` holds whole-person totals. Each table's dissimilarity uses its own city share; given
    the table's group total ``m``, the counts are hypergeometric, so
    ``E[D | m] = sum_i E|x_i - t_i m/T| / (2 m (T - m) / T)`` in closed form; the mean over
    ``m`` (tables with ``m = 0`` or ``m = T``, where the index is undefined, left out) follows.
    """
    t = np.asarray(t, dtype=np.int64)
    t = t[t > 0]
    T = int(t.sum())
    if T < 2 or not 0.0 < P < 1.0:
        return float("nan")
    m, w = _total_nodes(T, P)
    if m.size == 0:
        return float("nan")
    uniq, counts = np.unique(t, return_counts=True)
    mad = hypergeometric_mad(T, m[:, None], uniq[None, :]) @ counts.astype(float)
    cond = mad / (2.0 * m * (T - m) / T)
    return float(cond @ w)


def _ranges(mean: np.ndarray, sd: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ragged integer ranges ``mean +- _WIDTH sd`` clipped to ``0..upper``, flattened.

    Returns ``(owner, value, start, count)``: for every point its row and integer value, and
    for every row the offset of its first point and the number of points (at least one).
    """
    upper = np.asarray(upper, dtype=np.int64)
    lo = np.clip(np.floor(mean - _WIDTH * sd), 0, upper).astype(np.int64)
    hi = np.clip(np.ceil(mean + _WIDTH * sd), lo, upper).astype(np.int64)
    count = hi - lo + 1
    start = np.cumsum(count) - count
    owner = np.repeat(np.arange(lo.size), count)
    value = np.arange(int(count.sum()), dtype=np.int64) - start[owner] + lo[owner]
    return owner, value, start, count


def _ragged_pmf(
    n: np.ndarray, p: np.ndarray, owner: np.ndarray, k: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """``P(K = k)`` with ``K ~ Binomial(n[owner], p[owner])`` on ragged consecutive ranges.

    One log-gamma evaluation per range; inside a range the logarithms of the ratios
    ``P(k + 1) / P(k) = (n - k) p / ((k + 1) (1 - p))`` are accumulated, several times
    cheaper than a log-gamma per point.
    """
    nf = np.asarray(n, dtype=float)
    pf = np.asarray(p, dtype=float)
    kf = k.astype(float)
    lo = kf[start]
    with np.errstate(divide="ignore", invalid="ignore"):
        first = _log_choose(nf, lo) + xlogy(lo, pf) + xlog1py(nf - lo, -pf)
        odds = np.log(pf) - np.log1p(-pf)
        step = np.log((nf[owner] - kf) / (kf + 1.0)) + odds[owner]
    last = np.append(start[1:], k.size) - 1
    step[last] = 0.0  # the step out of a range is never used (and may be infinite)
    acc = np.concatenate(([0.0], np.cumsum(step)[:-1]))
    return np.exp(first[owner] + acc - acc[start][owner])


def expected_resampled_dissimilarity(x: np.ndarray, y: np.ndarray) -> float:
    """Mean dissimilarity when both groups are redistributed by multinomial draws.

    ``x`` and ``y`` are the two groups' counts per area; the group totals ``X``, ``Y`` (rounded
    to whole persons) are placed over the areas with probabilities ``x_i / sum x`` and
    ``y_i / sum y``. With the totals fixed, ``D = 1/2 sum_i |A_i / X - B_i / Y|`` where
    ``A_i ~ Binomial(X, a_i)`` and ``B_i ~ Binomial(Y, b_i)`` are independent (marginals of
    the two multinomials), so the mean is a sum over areas of
    ``E|A Y - B X| / (2 X Y) = sum_a P(A = a) X E|B - a Y / X| / (2 X Y)``, with the inner
    mean absolute deviation about an arbitrary point in closed form (De Moivre's partial sum).
    Areas whose two shares differ by more than ``_WIDTH`` standard deviations contribute
    ``|a_i - b_i| / 2`` (the sign of the difference never changes).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    X, Y = x.sum(), y.sum()
    nX, nY = int(np.rint(X)), int(np.rint(Y))
    if nX <= 0 or nY <= 0:
        return float("nan")
    a, b = x / X, y / Y
    d = np.abs(a - b)
    sd_a = np.sqrt(nX * a * (1.0 - a))
    sd_b = np.sqrt(nY * b * (1.0 - b))
    sigma = np.sqrt((sd_a / nX) ** 2 + (sd_b / nY) ** 2)
    near = d <= _WIDTH * sigma
    total = d[~near].sum()
    if near.any():
        total += _near_sum(a[near], b[near], nX, nY)
    return float(total / 2.0)


def _near_sum(a: np.ndarray, b: np.ndarray, nX: int, nY: int) -> float:
    """``sum_i E|A_i / nX - B_i / nY|`` by summing over the support of ``A_i``.

    For each value ``a`` of ``A_i`` the inner mean ``E|B_i - c|`` about ``c = a nY / nX`` is
    ``(mu - c) + 2 ((c - mu) F(j) + (j + 1) (1 - b) P(B = j + 1))`` with ``j = floor(c)``,
    ``mu = nY b`` and ``F`` the distribution function of ``B_i`` (De Moivre's partial sum).
    All areas and all values are handled in one ragged array.
    """
    mu_a, mu_b = nX * a, nY * b
    # probabilities and distribution function of B_i over its truncated support
    own_b, val_b, start_b, count_b = _ranges(mu_b, np.sqrt(mu_b * (1.0 - b)), np.full(b.size, nY))
    pmf_b = _ragged_pmf(np.full(b.size, nY), b, own_b, val_b, start_b)
    cdf = np.cumsum(pmf_b)
    cdf -= np.concatenate(([0.0], cdf))[start_b][own_b]
    lo_b = val_b[start_b]
    # outer sum over the support of A_i
    own_a, val_a, start_a, _count = _ranges(mu_a, np.sqrt(mu_a * (1.0 - a)), np.full(a.size, nX))
    pa = _ragged_pmf(np.full(a.size, nX), a, own_a, val_a, start_a)
    c = val_a * (nY / nX)
    j = np.floor(c).astype(np.int64)
    rel = j - lo_b[own_a]
    size = count_b[own_a]
    idx = start_b[own_a] + np.clip(rel, 0, size - 1)
    F = np.where(rel < 0, 0.0, np.where(rel >= size, 1.0, cdf[idx]))
    idx1 = start_b[own_a] + np.clip(rel + 1, 0, size - 1)
    b1 = np.where((rel + 1 >= 0) & (rel + 1 < size), pmf_b[idx1], 0.0)  # P(B = j + 1)
    mu = mu_b[own_a]
    inner = (mu - c) + 2.0 * ((c - mu) * F + (j + 1) * (1.0 - b[own_a]) * b1)
    return float((pa * inner).sum() / nY)


def _gini_numerators(t: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``E sum_{i != j} t_i t_j |p_i - p_j|`` with ``x_i ~ Binomial(t_i, s)`` for each share ``s``.

    With ``A(z) = sum_i t_i F_i(z)`` (``F_i`` the distribution function of ``x_i / t_i``) the
    mean is ``int 2 A (T - A) dz - sum_i t_i^2 int 2 F_i (1 - F_i) dz``; ``A`` is a step
    function whose steps (at ``k / t_i``) are merged in one sort shared by all shares.
    """
    uniq, counts = np.unique(t, return_counts=True)
    n = uniq.astype(float)
    T = float((n * counts).sum())
    lo_s, hi_s = float(shares.min()), float(shares.max())
    lo = n * lo_s - _WIDTH * np.sqrt(n * lo_s * (1 - lo_s))
    hi = n * hi_s + _WIDTH * np.sqrt(n * hi_s * (1 - hi_s))
    own, k, start, count = _ranges((lo + hi) / 2.0, (hi - lo) / (2.0 * _WIDTH), uniq)
    last = start + count - 1
    weight = (counts * n)[own]  # sum of t_i over the areas sharing a total
    z = k / n[own]
    order = np.argsort(z, kind="stable")
    widths = np.diff(np.append(z[order], 1.0))
    out = np.empty(shares.size)
    for r, s in enumerate(shares):
        pmf = _ragged_pmf(n, np.full(n.size, s), own, k, start)
        cdf = np.cumsum(pmf)
        cdf -= np.concatenate(([0.0], cdf))[start][own]
        # the upper tail beyond the truncation goes on the last point: each F_i ends at 1
        pmf[last] += 1.0 - cdf[last]
        cdf[last] = 1.0
        A = np.cumsum((pmf * weight)[order])
        across = 2.0 * (A * (T - A) * widths).sum()
        within = 2.0 * (weight * cdf * (1.0 - cdf)).sum()
        out[r] = across - within
    return out


def expected_null_gini(t: np.ndarray, P: float) -> float:
    """Mean Gini index of tables with ``x_i ~ Binomial(t_i, P)`` independent.

    Each table's Gini uses its own city share ``m / T`` (``m`` the table's group total).
    Given ``m`` the pairwise differences of shares have the same variances as under
    independent ``Binomial(t_i, m / T)`` counts (the finite-population reduction of each
    variance is offset by the negative covariance), so ``E[G | m]`` is taken as the Gini
    numerator's exact mean under ``Binomial(t_i, m / T)`` (:func:`_gini_numerators`) over
    ``2 T^2 (m / T) (1 - m / T)``; the mean over ``m`` uses every value when few are possible
    and a 3-point Gauss-Hermite rule otherwise.
    """
    t = np.asarray(t, dtype=np.int64)
    t = t[t > 0]
    T = int(t.sum())
    if T < 2 or not 0.0 < P < 1.0:
        return float("nan")
    m, w = _total_nodes(T, P, nodes=3, integer=False)
    if m.size == 0:
        return float("nan")
    shares = m / T
    num = _gini_numerators(t, shares)
    return float((num / (2.0 * T * T * shares * (1.0 - shares))) @ w)
