"""Exact expectations of the dissimilarity and Gini indices under the simulation-based nulls.

The bias-corrected dissimilarity and the Carrington-Troske modified indices subtract the mean
of an index over tables drawn at random. These functions compute that mean directly from the
probability distributions, so the indices become deterministic and free of Monte-Carlo error.

All sums over a count's support are truncated at ``mean +- _half_width(variance)``, where
Bernstein's inequality for sums of independent Bernoulli variables,
``P(|S - ES| >= h) <= 2 exp(-h^2 / (2 (Var S + h / 3)))``, bounds the neglected probability
by ``2e-12`` (about ``7.4`` standard deviations for large counts, wider for small skewed
ones). Every function takes many tables at once (the replicate tables of a randomization
test): the resampled dissimilarity handles the areas of all tables in blocks of one array,
and the null means of the modified indices evaluate their conditional means once for all the
tables' shares (the Gini's through a Chebyshev interpolant that agrees with direct evaluation
to about ``1e-10``, relative).

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

from functools import lru_cache
from typing import Any

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

#: ``-log`` of the probability neglected in each tail of a truncated support.
_TAIL = 12.0 * np.log(10.0)
#: Largest number of possible group totals of a drawn table that are all enumerated.
_ENUMERATE = 200
#: Gauss-Hermite nodes of the mean over the drawn group total in larger cities.
_NODES = 5
#: Points of the truncated supports handled in one block (bounded memory, cache-sized arrays).
_POINTS = 1 << 16
#: Largest Chebyshev interpolant of a conditional mean, and the tolerance of its last coefficients.
_CHEB_MAX = 64
_CHEB_TOL = 1e-10
#: Up to this many points a conditional mean is evaluated at each one.
_CHEB_DIRECT = 24


def _half_width(var: npt.ArrayLike, step: npt.ArrayLike = 1.0) -> np.ndarray:
    """``h`` with ``2 exp(-h^2 / (2 (var + step h / 3))) = 2 exp(-_TAIL)`` (Bernstein).

    For a sum of independent variables each within ``step`` of its mean, with variance
    ``var``: the probability of a deviation of ``h`` or more on either side is below
    ``exp(-_TAIL)``. Zero for a constant (``var == 0``).
    """
    var = np.asarray(var, dtype=float)
    c = _TAIL * np.asarray(step, dtype=float) / 3.0
    with np.errstate(invalid="ignore"):
        return np.where(var > 0, c + np.sqrt(c * c + 2.0 * _TAIL * var), 0.0)


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


@lru_cache(maxsize=8)
def _gauss_rule(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``nodes``-point Gauss-Hermite rule for a standard normal: points and weights (sum 1)."""
    z, gw = np.polynomial.hermite_e.hermegauss(nodes)
    z.setflags(write=False)
    w = gw / gw.sum()
    w.setflags(write=False)
    return z, w


def _total_nodes(
    T: int, P: float, *, nodes: int = _NODES, integer: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Group totals ``m`` of a drawn table and their weights, ``m ~ Binomial(T, P)``, ``0<m<T``.

    Every value (in small cities), or every value within ``_half_width`` of
    the mean, when there are at most ``_ENUMERATE``; otherwise a ``nodes``-point
    Gauss-Hermite rule (the functions averaged are smooth at the scale of the standard
    deviation, which is then about 12 persons or more), whose real nodes are either kept
    (``integer=False``) or shared linearly between the two neighbouring integers.
    """
    sd = float(np.sqrt(T * P * (1.0 - P)))
    half = float(_half_width(sd * sd))
    lo = max(1, int(np.floor(T * P - half - 1)))
    hi = min(T - 1, int(np.ceil(T * P + half + 1)))
    if T - 1 <= _ENUMERATE:
        lo, hi = 1, T - 1
    if hi < lo:
        return np.empty(0, dtype=np.int64), np.empty(0)
    if hi - lo + 1 <= _ENUMERATE:
        m = np.arange(lo, hi + 1, dtype=np.int64)
        w = binomial_pmf(m, T, P)
        total = w.sum()
        return m, (w / total if total > 0 else w)
    z, gw = _gauss_rule(nodes)
    node = T * P + z * sd
    if not integer:
        return node, gw
    m0 = np.floor(node).astype(np.int64)
    frac = node - m0
    return np.concatenate([m0, m0 + 1]), np.concatenate([gw * (1.0 - frac), gw * frac])


def _nodes_of(T: int, P: np.ndarray, **kw: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """:func:`_total_nodes` for every share in ``P`` (empty where ``P`` is outside ``(0, 1)``).

    Replicate tables share few distinct city shares (a group total over ``T``): each distinct
    share is computed once and its arrays are shared by the tables that have it.
    """
    shares, inverse = np.unique(np.asarray(P, dtype=float), return_inverse=True)
    empty = (np.empty(0), np.empty(0))
    rules = [_total_nodes(T, float(p), **kw) if T >= 2 and 0.0 < p < 1.0 else empty for p in shares]
    nodes = [rules[i][0] for i in inverse.ravel()]
    weights = [rules[i][1] for i in inverse.ravel()]
    return nodes, weights


def _node_means(
    values: np.ndarray, inverse: np.ndarray, nodes: list[np.ndarray], weights: list[np.ndarray]
) -> np.ndarray:
    """``sum_m w(m) value(m)`` per share, from the values at the distinct nodes."""
    out = np.full(len(nodes), np.nan)
    start = 0
    for r, (m, w) in enumerate(zip(nodes, weights, strict=True)):
        if m.size:
            out[r] = values[inverse[start : start + m.size]] @ w
        start += m.size
    return out


def expected_null_dissimilarity(t: np.ndarray, P: npt.ArrayLike) -> Any:
    """Mean dissimilarity of tables with ``x_i ~ Binomial(t_i, P)`` independent.

    ``t`` holds whole-person totals. Each table's dissimilarity uses its own city share; given
    the table's group total ``m``, the counts are hypergeometric, so
    ``E[D | m] = sum_i E|x_i - t_i m/T| / (2 m (T - m) / T)`` in closed form; the mean over
    ``m`` (tables with ``m = 0`` or ``m = T``, where the index is undefined, left out) follows.
    ``P`` may be an array of shares (the replicate tables of a randomization test, which share
    ``t``): ``E[D | m]`` is then computed once for every distinct ``m`` any share needs.
    Returns a float for a scalar ``P``, else an array; NaN where undefined.
    """
    t = np.asarray(t, dtype=np.int64)
    t = t[t > 0]
    T = int(t.sum())
    Ps = np.atleast_1d(np.asarray(P, dtype=float))
    nodes, weights = _nodes_of(T, Ps)
    all_m = np.concatenate([np.empty(0, dtype=np.int64), *nodes]).astype(np.int64)
    um, inverse = np.unique(all_m, return_inverse=True)
    uniq, counts = np.unique(t, return_counts=True)
    cond = np.empty(um.size)
    step = max(1, _POINTS * 16 // max(uniq.size, 1))
    for lo in range(0, um.size, step):
        m = um[lo : lo + step]
        mad = hypergeometric_mad(T, m[:, None], uniq[None, :]) @ counts.astype(float)
        cond[lo : lo + step] = mad / (2.0 * m * (T - m) / T)
    out = _node_means(cond, inverse, nodes, weights)
    return float(out[0]) if np.ndim(P) == 0 else out


def _ranges(low: np.ndarray, high: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, ...]:
    """Ragged integer ranges ``low..high`` (rounded outwards) clipped to ``0..upper``, flattened.

    Returns ``(owner, value, start, count)``: for every point its row and integer value, and
    for every row the offset of its first point and the number of points (at least one).
    """
    upper = np.asarray(upper, dtype=np.int64)
    lo = np.clip(np.floor(low), 0, upper).astype(np.int64)
    hi = np.clip(np.ceil(high), lo, upper).astype(np.int64)
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
    cheaper than a log-gamma per point. Each range is scaled to sum to one: the log-gamma
    differences of large ``n`` lose digits (``1e-9`` near a million), the ratios do not, and
    the neglected tails hold less than ``2e-12``.
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
    pmf = np.exp(first[owner] + acc - acc[start][owner])
    return pmf / np.add.reduceat(pmf, start)[owner]


def expected_resampled_dissimilarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean dissimilarity when both groups are redistributed by multinomial draws.

    ``x`` and ``y`` are the two groups' counts per area, ``(n,)`` or ``(n, k)`` for ``k``
    tables at once (one value per column); the group totals ``X``, ``Y`` (rounded to whole
    persons) are placed over the areas with probabilities ``x_i / sum x`` and ``y_i / sum y``.
    With the totals fixed, ``D = 1/2 sum_i |A_i / X - B_i / Y|`` where ``A_i ~ Binomial(X, a_i)``
    and ``B_i ~ Binomial(Y, b_i)`` are independent (marginals of the two multinomials), so the
    mean is a sum over areas of ``E|A Y - B X| / (2 X Y) = sum_a P(A = a) X E|B - a Y / X| /
    (2 X Y)``, with the inner mean absolute deviation about an arbitrary point in closed form
    (De Moivre's partial sum). Areas whose two shares differ by more than Bernstein's
    half-width of ``A_i / X - B_i / Y`` (a sum of independent steps of at most ``1 / min(X, Y)``)
    contribute ``|a_i - b_i| / 2`` (the sign of the difference changes with probability below
    ``1e-12``).
    The areas of all columns are handled together (:func:`_near_terms`); a column whose
    ``X`` or ``Y`` rounds to zero gives NaN.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    one = x.ndim == 1
    if one:
        x, y = x[:, None], y[:, None]
    X, Y = x.sum(axis=0), y.sum(axis=0)
    nX, nY = np.rint(X), np.rint(Y)
    ok = (nX > 0) & (nY > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = x / X, y / Y
        d = np.abs(a - b)
        sd_a = np.sqrt(nX * a * (1.0 - a))
        sd_b = np.sqrt(nY * b * (1.0 - b))
        sigma = np.sqrt((sd_a / nX) ** 2 + (sd_b / nY) ** 2)
        step = 1.0 / np.minimum(nX, nY)
    near = (d <= _half_width(sigma * sigma, step)) & ok
    total = np.where(near | ~ok, 0.0, d).sum(axis=0)
    i, j = np.nonzero(near)
    if i.size:
        terms = _near_terms(a[i, j], b[i, j], nX[j], nY[j])
        total += np.bincount(j, weights=terms, minlength=x.shape[1])
    out = np.where(ok, total / 2.0, np.nan)
    return out[0] if one else out


def _support(mean: np.ndarray, var: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, ...]:
    """First value (float) and number of values of ``mean +- _half_width(var)`` in ``0..upper``."""
    half = _half_width(var)
    lo = np.clip(np.floor(mean - half), 0, upper)
    hi = np.clip(np.ceil(mean + half), lo, upper)
    return lo, (hi - lo + 1.0).astype(np.int64)


def _padded_pmf(
    n: np.ndarray, p: np.ndarray, lo: np.ndarray, count: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """``P(K = lo + c)``, ``K ~ Binomial(n, p)``, for ``c < count`` (zero beyond), one row each.

    Returns the ``(rows, width)`` probabilities and values. One log-gamma evaluation per row;
    along a row the logarithms of the ratios ``P(k + 1) / P(k) = (n - k) p / ((k + 1) (1 - p))``
    are accumulated, several times cheaper than a log-gamma per point. Each row is scaled to
    sum to one (as in :func:`_ragged_pmf`).
    """
    col = np.arange(width, dtype=float)
    k = lo[:, None] + col
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        acc = np.empty_like(k)
        acc[:, 0] = _log_choose(n, lo) + xlogy(lo, p) + xlog1py(n - lo, -p)
        acc[:, 1:] = np.log((n[:, None] - k[:, :-1]) / (k[:, :-1] + 1.0))
        acc[:, 1:] += (np.log(p) - np.log1p(-p))[:, None]
        np.cumsum(acc, axis=1, out=acc)
        pmf = np.exp(acc, out=acc)
    pmf[col[None, :] >= count[:, None]] = 0.0  # beyond the support (may hold NaN)
    pmf /= pmf.sum(axis=1, keepdims=True)
    return pmf, k


def _near_terms(a: np.ndarray, b: np.ndarray, nX: np.ndarray, nY: np.ndarray) -> np.ndarray:
    """``E|A / nX - B / nY|`` per row, ``A ~ Binomial(nX, a)``, ``B ~ Binomial(nY, b)``.

    The rows (areas of any table) are sorted by the size of their truncated supports and
    handled in blocks of at most ``_POINTS`` points, each block as ``(rows, width)`` arrays.
    """
    mu_a, mu_b = nX * a, nY * b
    lo_a, cnt_a = _support(mu_a, mu_a * (1.0 - a), nX)
    lo_b, cnt_b = _support(mu_b, mu_b * (1.0 - b), nY)
    order = np.argsort(cnt_a + cnt_b, kind="stable")
    size = (cnt_a + cnt_b)[order]
    out = np.empty(a.size)
    start = 0
    while start < a.size:
        # sorted by size: a block's last row is its widest
        count = min(a.size - start, max(1, _POINTS // int(size[start])))
        while count > 1 and count * size[start + count - 1] > _POINTS:
            count = max(1, _POINTS // int(size[start + count - 1]))
        rows = order[start : start + count]
        out[rows] = _near_block(
            a[rows], b[rows], nX[rows], nY[rows], lo_a[rows], cnt_a[rows], lo_b[rows], cnt_b[rows]
        )
        start += count
    return out


def _near_block(
    a: np.ndarray,
    b: np.ndarray,
    nX: np.ndarray,
    nY: np.ndarray,
    lo_a: np.ndarray,
    cnt_a: np.ndarray,
    lo_b: np.ndarray,
    cnt_b: np.ndarray,
) -> np.ndarray:
    """:func:`_near_terms` on one block of rows by summing over the support of ``A``.

    For each value ``a`` of ``A`` the inner mean ``E|B - c|`` about ``c = a nY / nX`` is
    ``(c - mu) (2 F(j) - 1) + 2 (j + 1) (1 - b) P(B = j + 1)`` with ``j = floor(c)``,
    ``mu = nY b`` and ``F`` the distribution function of ``B`` (De Moivre's partial sum).
    """
    pmf_b, _ = _padded_pmf(nY, b, lo_b, cnt_b, int(cnt_b.max()))
    cdf = np.cumsum(pmf_b, axis=1)
    pa, c = _padded_pmf(nX, a, lo_a, cnt_a, int(cnt_a.max()))
    c *= (nY / nX)[:, None]
    j = np.floor(c)
    rel = (j - lo_b[:, None]).astype(np.int64)
    last = (cnt_b - 1)[:, None]
    F = np.take_along_axis(cdf, np.clip(rel, 0, last), axis=1)
    F[rel < 0] = 0.0
    F[rel > last] = 1.0
    rel += 1
    b1 = np.take_along_axis(pmf_b, np.clip(rel, 0, last), axis=1)  # P(B = j + 1)
    b1[(rel < 0) | (rel > last)] = 0.0
    c -= (nY * b)[:, None]
    inner = c * (2.0 * F - 1.0) + 2.0 * (j + 1.0) * (1.0 - b)[:, None] * b1
    return (pa * inner).sum(axis=1) / nY


def _gini_numerators(
    t: np.ndarray, shares: np.ndarray, span: tuple[float, float] | None = None
) -> np.ndarray:
    """``E sum_{i != j} t_i t_j |p_i - p_j|`` with ``x_i ~ Binomial(t_i, s)`` for each share ``s``.

    With ``A(z) = sum_i t_i F_i(z)`` (``F_i`` the distribution function of ``x_i / t_i``) the
    mean is ``int 2 A (T - A) dz - sum_i t_i^2 int 2 F_i (1 - F_i) dz``; ``A`` is a step
    function whose steps (at ``k / t_i``) are merged in one sort shared by all shares. The
    supports cover ``span`` (default: the range of ``shares``), so that calls with the same
    span truncate the same way.
    """
    uniq, counts = np.unique(t, return_counts=True)
    n = uniq.astype(float)
    T = float((n * counts).sum())
    lo_s, hi_s = span or (float(shares.min()), float(shares.max()))
    lo = n * lo_s - _half_width(n * lo_s * (1 - lo_s))
    hi = n * hi_s + _half_width(n * hi_s * (1 - hi_s))
    own, k, start, count = _ranges(lo, hi, uniq)
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


def _gini_conditional(
    t: np.ndarray, shares: np.ndarray, span: tuple[float, float] | None = None
) -> np.ndarray:
    """``E[G | m]`` at ``m / T = shares`` (see :func:`expected_null_gini`)."""
    T = float(t.sum())
    return _gini_numerators(t, shares, span) / (2.0 * T * T * shares * (1.0 - shares))


def _chebyshev(f: Any, s: np.ndarray) -> np.ndarray:
    """``f(s)`` through a Chebyshev interpolant of ``f`` on ``[min s, max s]``, or directly.

    ``f`` is evaluated at the ``N + 1`` Chebyshev points of the second kind (``N = 8``, then
    16, 32, 64: each set contains the previous one) and its interpolant's Chebyshev
    coefficients are computed. It is accepted as soon as its last three coefficients are below
    ``_CHEB_TOL`` times the largest ``|f|``: the error of a Chebyshev interpolant is at most
    twice the sum of the coefficients it leaves out, and these decay geometrically for a
    function analytic near the interval (Trefethen, L. N. (2013). Approximation Theory and
    Approximation Practice. SIAM, chapters 4 and 8). When that never happens, or when there
    are at most ``_CHEB_DIRECT`` points, ``f`` is evaluated at every point.
    """
    lo, hi = float(s.min()), float(s.max())
    if s.size <= _CHEB_DIRECT or not hi > lo:
        return f(s)
    mid, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    cheb = np.polynomial.chebyshev
    fx = np.empty(0)
    N = 8
    while N <= _CHEB_MAX:
        u = np.cos(np.pi * np.arange(N + 1) / N)
        values = np.empty(N + 1)
        if fx.size:
            values[::2] = fx
            values[1::2] = f(mid + half * u[1::2])
        else:
            values[:] = f(mid + half * u)
        fx = values
        coef = cheb.chebfit(u, fx, N)
        if np.abs(coef[-3:]).max() <= _CHEB_TOL * np.abs(fx).max():
            return cheb.chebval((s - mid) / half, coef)
        N *= 2
    return f(s)


def expected_null_gini(t: np.ndarray, P: npt.ArrayLike) -> Any:
    """Mean Gini index of tables with ``x_i ~ Binomial(t_i, P)`` independent.

    Each table's Gini uses its own city share ``m / T`` (``m`` the table's group total).
    Given ``m`` the pairwise differences of shares have the same variances as under
    independent ``Binomial(t_i, m / T)`` counts (the finite-population reduction of each
    variance is offset by the negative covariance), so ``E[G | m]`` is taken as the Gini
    numerator's exact mean under ``Binomial(t_i, m / T)`` (:func:`_gini_numerators`) over
    ``2 T^2 (m / T) (1 - m / T)``; the mean over ``m`` uses every value when few are possible
    and a 3-point Gauss-Hermite rule otherwise.

    ``P`` may be an array of shares (the replicate tables of a randomization test, which share
    ``t``). ``E[G | m]`` is a smooth function of ``m / T``; when the shares need more distinct
    values of it than a Chebyshev interpolant would, it is interpolated on their range
    (:func:`_chebyshev`; it agrees with direct evaluation to about ``1e-10``, relative, the
    direct evaluation's own rounding being about ``1e-11``). Returns a float for a scalar
    ``P``, else an array; NaN where undefined.
    """
    t = np.asarray(t, dtype=np.int64)
    t = t[t > 0]
    T = int(t.sum())
    Ps = np.atleast_1d(np.asarray(P, dtype=float))
    nodes, weights = _nodes_of(T, Ps, nodes=3, integer=False)
    all_m = np.concatenate([np.empty(0), *nodes]).astype(float)
    um, inverse = np.unique(all_m, return_inverse=True)
    shares = um / T
    span = (float(shares.min()), float(shares.max())) if um.size else None
    cond = _chebyshev(lambda s: _gini_conditional(t, s, span), shares) if um.size else um
    out = _node_means(cond, inverse, nodes, weights)
    return float(out[0]) if np.ndim(P) == 0 else out
