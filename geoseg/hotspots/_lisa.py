"""Numerical core of geoseg's hotspot statistics (private).

Everything here works on NumPy arrays and a SciPy CSR weights matrix; :mod:`geoseg.hotspots`
turns data frames into arrays and the results back into frames. Conditional permutation
inference is vectorised across permutations and areas with NumPy (no compiled kernels, so no
compile step on the first call).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = [
    "conditional_permutation",
    "draw_neighbour_ids",
    "empirical_bayes_rates",
    "getis_ord_arrays",
    "global_moran_arrays",
    "offdiagonal",
    "pseudo_p",
    "quadrants",
]

# Upper bound on the number of simulated values held in memory at once (areas x draws x k).
_CHUNK_ELEMENTS = 4_000_000


def offdiagonal(W: sp.csr_array) -> tuple[sp.csr_array, np.ndarray]:
    """Split a weights matrix into its off-diagonal part (CSR) and its diagonal."""
    W = sp.csr_array(W, dtype=float, copy=True)
    diag = W.diagonal().astype(float)
    W.setdiag(0)
    W.eliminate_zeros()
    return W, diag


def draw_neighbour_ids(rng: np.random.Generator, n: int, k: int, permutations: int) -> np.ndarray:
    """Draw, for each permutation, ``k`` distinct positions among the ``n - 1`` other areas.

    Returns a ``(permutations, k)`` integer array with values in ``[0, n - 1)``; position ``p``
    means the ``p``-th area once area ``i`` itself is removed, so the same draws serve every
    area (the scheme of esda's conditional randomisation). Each row is an ordered sample
    without replacement: the areas holding the ``k`` smallest of ``n - 1`` uniform keys, in the
    order of their keys.
    """
    n_other = n - 1
    k = max(min(k, n_other), 1)
    out = np.empty((permutations, k), dtype=np.int64)
    step = max(1, _CHUNK_ELEMENTS // max(n_other, 1))
    for start in range(0, permutations, step):
        m = min(step, permutations - start)
        keys = rng.random((m, n_other))
        if k < n_other:
            part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(n_other), (m, n_other))
        order = np.argsort(np.take_along_axis(keys, part, axis=1), axis=1, kind="stable")
        out[start : start + m] = np.take_along_axis(part, order, axis=1)
    return out


def pseudo_p(observed: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Folded pseudo p-value per row: (min(#{sim >= obs}, #{sim <= obs}) + 1) / (R + 1).

    The tail on the side of the observed value is counted, the convention of esda's
    ``Moran_Local.p_sim`` and ``G_Local.p_sim`` (Anselin, 1995; Hope, 1968). A simulated value
    within 1e-12 (relative) of the observed one is a tie and counts in both tails: a random
    draw of exactly the observed neighbours (frequent for areas with one or two neighbours) is
    as extreme as the observation, whatever the rounding of the sums. Without ties the value is
    identical to esda's, which counts #{sim >= obs} and folds it to R - #{sim >= obs}.
    """
    R = sims.shape[1]
    tol = 1e-12 * np.maximum(np.abs(observed), 1e-300)[:, None]
    upper = (sims >= observed[:, None] - tol).sum(axis=1)
    lower = (sims <= observed[:, None] + tol).sum(axis=1)
    return (np.minimum(upper, lower) + 1.0) / (R + 1.0)


@dataclass(frozen=True)
class Permutation:
    """Summary of a conditional permutation run, one value per area."""

    p_value: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def conditional_permutation(
    observed: np.ndarray,
    permuted: np.ndarray,
    W_off: sp.csr_array,
    ids: np.ndarray,
    finish: Callable[[np.ndarray, slice], np.ndarray],
) -> Permutation:
    """Conditional randomisation of a local statistic, vectorised with NumPy.

    Parameters
    ----------
    observed
        The observed local statistic, shape ``(n,)``.
    permuted
        The values that are shuffled among the neighbours, shape ``(n,)``.
    W_off
        Off-diagonal weights (CSR); the neighbours of area ``i`` are row ``i`` in CSR order.
    ids
        ``(R, k)`` draws from :func:`draw_neighbour_ids` with ``k`` >= the largest number of
        neighbours.
    finish
        Maps the simulated spatial lags of a block of areas, shape ``(c, R)``, and the block's
        slice to the simulated statistics.

    Notes
    -----
    For area ``i`` with neighbours weighted w_i1..w_ik (CSR order), draw ``r`` assigns the
    value of the ``ids[r, j]``-th other area to the ``j``-th weight, holding area ``i`` fixed
    (Anselin, 1995, "Local indicators of spatial association: LISA", Geogr. Anal. 27(2)).
    """
    n = len(observed)
    R = ids.shape[0]
    card = np.diff(W_off.indptr)
    k = max(int(card.max()) if n else 0, 1)
    if ids.shape[1] < k:
        msg = "permutation draws have fewer columns than the largest number of neighbours"
        raise ValueError(msg)
    rows = np.repeat(np.arange(n), card)
    cols = np.arange(W_off.nnz) - W_off.indptr[rows]
    padded = np.zeros((n, k))
    padded[rows, cols] = W_off.data
    draws = ids[:, :k]
    p = np.empty(n)
    mean = np.empty(n)
    std = np.empty(n)
    block = max(1, _CHUNK_ELEMENTS // (R * k))
    for start in range(0, n, block):
        sl = slice(start, min(start + block, n))
        own = np.arange(sl.start, sl.stop)[:, None, None]
        positions = draws[None, :, :] + (draws[None, :, :] >= own)
        lags = np.einsum("crk,ck->cr", permuted[positions], padded[sl])
        sims = finish(lags, sl)
        p[sl] = pseudo_p(observed[sl], sims)
        mean[sl] = sims.mean(axis=1)
        std[sl] = sims.std(axis=1)
    return Permutation(p_value=p, mean=mean, std=std)


@dataclass(frozen=True)
class GiArrays:
    """Getis-Ord statistics of every area (or space-time bin), before any adjustment."""

    G: np.ndarray
    expected: np.ndarray
    z: np.ndarray
    n_neighbors: np.ndarray
    permutation: Permutation


def getis_ord_arrays(
    y: np.ndarray,
    W: sp.csr_array,
    *,
    star: bool,
    rng: np.random.Generator,
    permutations: int,
    draws: np.ndarray | None = None,
) -> GiArrays:
    """Gi* (or Gi) of ``y`` for row-standardised weights ``W``, with conditional permutation.

    Notes
    -----
    Getis & Ord (1992), Geogr. Anal. 24(3); Ord & Getis (1995), Geogr. Anal. 27(4). For Gi*
    the area gets a self-weight equal to the largest weight of its row (1 for a row without
    neighbours) before row standardisation, so G*_i = sum_j w*_ij y_j / sum_j y_j. The z-score
    is (sum_j w*_ij y_j - W*_i ybar) / (s sqrt((n S*_1i - W*_i^2) / (n - 1))) with
    W*_i = sum_j w*_ij, S*_1i = sum_j w*_ij^2 and s the population sd; for Gi the sums and
    moments exclude area i and n becomes n - 1. The permutation draws the neighbours' values
    from the other areas and holds the area's own value fixed (:func:`conditional_permutation`).
    """
    n = len(y)
    W_off, _ = offdiagonal(W)
    card = np.diff(W_off.indptr)
    if star:
        row_max = np.zeros(n)
        nonempty = card > 0
        row_max[nonempty] = np.maximum.reduceat(W_off.data, W_off.indptr[:-1][nonempty])
        row_max[~nonempty] = 1.0
        W_star = sp.csr_array(W_off + sp.diags_array(row_max))
        row_sum = np.asarray(W_star.sum(axis=1)).ravel()
        W_use = sp.csr_array(sp.diags_array(1.0 / row_sum) @ W_star)
    else:
        W_use = W_off
    W_use_off, self_w = offdiagonal(W_use)
    total = y.sum()
    if star:
        denominator = np.full(n, total)
        own_out = np.zeros(n)
    else:
        denominator = total - y
        own_out = np.ones(n)
    G = (W_use @ y) / denominator
    # Ord & Getis moments over the n (Gi*) or n - 1 (Gi) values that enter the sum.
    m = n - own_out
    mean = (total - own_out * y) / m
    var = ((y * y).sum() - own_out * y * y) / m - mean**2
    w_sum = np.asarray(W_use.sum(axis=1)).ravel()
    w_sq = np.asarray(W_use.multiply(W_use).sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (W_use @ y - w_sum * mean) / np.sqrt(var * (m * w_sq - w_sum**2) / (m - 1))
    k = max(int(card.max()), 1)
    ids = draw_neighbour_ids(rng, n, k, permutations) if draws is None else draws
    perm = conditional_permutation(
        G,
        y,
        W_use_off,
        ids,
        lambda lags, sl: (lags + (self_w[sl] * y[sl])[:, None]) / denominator[sl, None],
    )
    return GiArrays(G=G, expected=w_sum / m, z=z, n_neighbors=card, permutation=perm)


def quadrants(x: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Moran scatterplot quadrant: 1 HH, 2 LH, 3 LL, 4 HL (zero counts as low, as in esda)."""
    high, lag_high = x > 0, lag > 0
    return np.select(
        [high & lag_high, ~high & lag_high, ~high & ~lag_high], [1, 2, 3], default=4
    ).astype(np.int64)


def empirical_bayes_rates(events: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Empirical Bayes standardised rates.

    Notes
    -----
    Assunção & Reis (1999), "A new proposal to adjust Moran's I for population density",
    Statistics in Medicine 18: with raw rates p_i = e_i / n_i, global rate b = sum e / sum n,
    s^2 = sum n_i (p_i - b)^2 / sum n and a = s^2 - b / (sum n / N), the standardised rate is
    z_i = (p_i - b) / sqrt(v_i) with v_i = a + b / n_i, or v_i = b / n_i when that is negative.
    """
    rate = events / base
    b = events.sum() / base.sum()
    s2 = (base * (rate - b) ** 2).sum() / base.sum()
    a = s2 - b / (base.sum() / len(events))
    v = a + b / base
    v = np.where(v < 0, b / base, v)
    return (rate - b) / np.sqrt(v)


@dataclass(frozen=True)
class GlobalMoran:
    """Global Moran's I with analytical and permutation inference."""

    I: float
    expected: float
    variance_normal: float
    variance_random: float
    z_normal: float
    p_normal: float
    z_random: float
    p_random: float
    permutations: int
    p_value: float
    mean_sim: float
    std_sim: float
    z_sim: float


def global_moran_arrays(
    y: np.ndarray, W: sp.csr_array, rng: np.random.Generator, permutations: int
) -> GlobalMoran:
    """Global Moran's I of ``y`` for weights ``W`` (any transformation).

    Notes
    -----
    I = (n / S0) sum_ij w_ij z_i z_j / sum_i z_i^2 with z = y - mean(y). Moments under
    normality and randomisation from Cliff & Ord (1981), *Spatial Processes*, eqs. 1.35-1.36:
    E[I] = -1/(n-1); V_N = (n^2 S1 - n S2 + 3 S0^2) / ((n^2 - 1) S0^2) - E[I]^2;
    V_R = (n((n^2-3n+3)S1 - n S2 + 3 S0^2) - b2((n^2-n)S1 - 2n S2 + 6 S0^2))
    / ((n-1)(n-2)(n-3) S0^2) - E[I]^2, with b2 the kurtosis m4/m2^2. Two-sided normal
    p-values; the permutation p-value is the folded pseudo p-value of :func:`pseudo_p` over
    random permutations of all values.
    """
    n = len(y)
    z = y - y.mean()
    W = sp.csr_array(W, dtype=float)
    s0 = W.sum()
    sym = W + W.T
    s1 = 0.5 * (sym.multiply(sym)).sum()
    s2 = float(((np.asarray(W.sum(axis=1)) + np.asarray(W.sum(axis=0))) ** 2).sum())
    z2 = (z * z).sum()
    value = n / s0 * (z * (W @ z)).sum() / z2
    ei = -1.0 / (n - 1)
    vn = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - ei * ei
    b2 = ((z**4).sum() / n) / (z2 / n) ** 2
    a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    vr = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - ei * ei
    zn = (value - ei) / np.sqrt(vn)
    zr = (value - ei) / np.sqrt(vr)
    sims = np.empty(permutations)
    step = max(1, _CHUNK_ELEMENTS // max(n, 1))
    for start in range(0, permutations, step):
        m = min(step, permutations - start)
        shuffled = z[np.argsort(rng.random((m, n)), axis=1)]  # (m, n), one permutation per row
        lags = (W @ shuffled.T).T
        sims[start : start + m] = n / s0 * (shuffled * lags).sum(axis=1) / z2
    p_sim = float(pseudo_p(np.array([value]), sims[None, :])[0]) if permutations else np.nan
    mean, std = (float(sims.mean()), float(sims.std())) if permutations else (np.nan, np.nan)
    return GlobalMoran(
        I=float(value),
        expected=ei,
        variance_normal=float(vn),
        variance_random=float(vr),
        z_normal=float(zn),
        p_normal=math.erfc(abs(zn) / math.sqrt(2)),
        z_random=float(zr),
        p_random=math.erfc(abs(zr) / math.sqrt(2)),
        permutations=permutations,
        p_value=p_sim,
        mean_sim=mean,
        std_sim=std,
        z_sim=float((value - mean) / std) if permutations and std > 0 else np.nan,
    )
