"""Vectorised array cores of the aspatial single-group indices, registered in the registry.

Every core takes ``x`` (group counts, shape ``(n, k)``: ``n`` areas, ``k`` replicate tables) and
``t`` (totals, ``(n,)`` or ``(n, k)``) and returns one value per replicate, shape ``(k,)``.
Areas with ``t == 0`` contribute nothing. A group with no members (or the whole population)
gives NaN; the public wrappers refuse such input before calling a core.
"""

from __future__ import annotations

import numpy as np

from geoseg.errors import InputError
from geoseg.segregation import _expectations as expect
from geoseg.segregation.registry import register
from geoseg.settings import random_generator

__all__ = [
    "atkinson_core",
    "bias_corrected_dissimilarity_bounds",
    "bias_corrected_dissimilarity_core",
    "con_prof_core",
    "correlation_ratio_core",
    "density_corrected_dissimilarity_core",
    "dissimilarity_core",
    "entropy_core",
    "gini_core",
    "interaction_core",
    "isolation_core",
    "modified_dissimilarity_core",
    "modified_gini_core",
    "pairwise_abs_sum",
]

#: Upper bound on the elements of one simulated block (memory of the simulation cores).
_BLOCK = 20_000_000

MD1988 = (
    "Massey, D. S. and Denton, N. A. (1988). The dimensions of residential segregation. "
    "Social Forces 67(2), 281-315."
)
#: Where each classic index was first proposed, cited before Massey & Denton's review.
DD1955 = "Duncan, O. D. and Duncan, B. (1955). American Sociological Review 20(2), 210-217; "
BELL1954 = "Bell, W. (1954). Social Forces 32(4), 357-364; "


def _prep(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    t = np.asarray(t, dtype=float)
    if t.ndim == 1:
        t = t[:, None]
    t = np.broadcast_to(t, x.shape)
    T = t.sum(axis=0)
    X = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        P = X / T
        s = np.where(t > 0, x / np.where(t > 0, t, 1.0), 0.0)
    return x, t, X, T, P, s


def pairwise_abs_sum(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``sum_{i<j} w_i w_j |s_i - s_j|`` per column, in O(n log n) by sorting on ``s``.

    Each column is sorted once (rows of the transposed, contiguous array, which NumPy sorts
    far faster than strided columns); tied shares contribute zero whatever their order.
    """
    s = np.asarray(s, dtype=float)
    w = np.asarray(w, dtype=float)
    rows = np.ascontiguousarray(s.T)  # (k, n)
    order = np.argsort(rows, axis=1)
    ss = np.take_along_axis(rows, order, axis=1)
    if w.ndim == 1 or w.shape[-1] == 1:
        ws = w.reshape(-1)[order]
    else:
        ws = np.take_along_axis(np.broadcast_to(w, s.shape).T, order, axis=1)
    wss = ws * ss
    before_w = np.cumsum(ws, axis=1)
    before_w -= ws
    before_ws = np.cumsum(wss, axis=1)
    before_ws -= wss
    return (ws * (ss * before_w - before_ws)).sum(axis=1)


@register(
    "dissimilarity",
    formula="D = Σᵢ tᵢ |pᵢ − P| / (2 T P (1 − P))",
    kind="single",
    source=DD1955 + MD1988,
)
def dissimilarity_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Dissimilarity ``D = sum t_i |p_i - P| / (2 T P (1 - P))``."""
    x, t, _X, T, P, s = _prep(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (t * np.abs(s - P)).sum(axis=0) / (2.0 * T * P * (1.0 - P))


@register(
    "gini",
    formula="G = Σᵢ Σⱼ tᵢ tⱼ |pᵢ − pⱼ| / (2 T² P (1 − P))",
    kind="single",
    source=DD1955 + MD1988,
)
def gini_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Gini ``G = sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2 P (1 - P))``."""
    x, t, _X, T, P, s = _prep(x, t)
    num = 2.0 * pairwise_abs_sum(s, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / (2.0 * T * T * P * (1.0 - P))


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    q = 1.0 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(p * np.log(np.where(p > 0, p, 1.0)) + q * np.log(np.where(q > 0, q, 1.0)))


@register(
    "entropy",
    formula="H = Σᵢ tᵢ (E − Eᵢ) / (E T), E = P ln(1/P) + (1 − P) ln(1/(1 − P))",
    kind="single",
    source=MD1988,
)
def entropy_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Theil's entropy index ``H = sum t_i (E - E_i) / (E T)``."""
    x, t, _X, T, P, s = _prep(x, t)
    E = _binary_entropy(P)
    Ei = _binary_entropy(np.clip(s, 0.0, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (t * (E - Ei)).sum(axis=0) / (E * T)


@register("isolation", formula="xPx = Σᵢ (xᵢ/X) (xᵢ/tᵢ)", kind="single", source=BELL1954 + MD1988)
def isolation_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Isolation ``xPx = sum (x_i / X) (x_i / t_i)``."""
    x, t, X, _T, _P, s = _prep(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x * s).sum(axis=0) / X


@register("interaction", formula="xPy = Σᵢ (xᵢ/X) (yᵢ/tᵢ)", kind="single", source=BELL1954 + MD1988)
def interaction_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Interaction ``xPy = sum (x_i / X) (y_i / t_i)`` with ``y = t - x``."""
    x, t, X, _T, _P, s = _prep(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x * np.where(t > 0, 1.0 - s, 0.0)).sum(axis=0) / X


@register(
    "atkinson",
    formula="A = 1 − P/(1 − P) · |Σᵢ (1 − pᵢ)^(1−b) pᵢ^b tᵢ / (P T)|^(1/(1−b)), b = ½",
    kind="single",
    source=MD1988,
    b=0.5,
)
def atkinson_core(x: np.ndarray, t: np.ndarray, *, b: float = 0.5) -> np.ndarray:
    """Atkinson ``A = 1 - P/(1-P) |sum (1-p_i)^(1-b) p_i^b t_i / (P T)|^(1/(1-b))``."""
    x, t, _X, T, P, s = _prep(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = ((1.0 - s) ** (1.0 - b) * s**b * t).sum(axis=0) / (P * T)
        return 1.0 - (P / (1.0 - P)) * np.abs(inner) ** (1.0 / (1.0 - b))


@register("correlation_ratio", formula="V = (xPx − P) / (1 − P)", kind="single", source=MD1988)
def correlation_ratio_core(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Correlation ratio ``V = (xPx - P) / (1 - P)``."""
    x, t, X, _T, P, s = _prep(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        xpx = (x * s).sum(axis=0) / X
        return (xpx - P) / (1.0 - P)


@register(
    "con_prof",
    formula="R = (P − (Σ_{s<P} v(s) − Σ_{s≥P} v(s)) / m) / (1 − P), v(s) = Σ_{pᵢ≥s} xᵢ / X",
    kind="single",
    source=(
        "Hong, S.-Y. and Sadahiro, Y. (2014). Measuring geographic segregation: a graph-based "
        "approach. Journal of Geographical Systems 16(2), 211-231."
    ),
    m=1000,
)
def con_prof_core(x: np.ndarray, t: np.ndarray, *, m: int = 1000) -> np.ndarray:
    """Concentration-profile index on a grid of ``m`` thresholds in [0, 1].

    ``v(th)`` is the share of the group living in areas whose group share is at least ``th``;
    ``R = (P - (sum_{th<P} v(th) - sum_{th>=P} v(th)) / m) / (1 - P)``. The sums over the grid
    are counted per area with a binary search instead of evaluating ``v`` on every threshold.
    """
    x, t, X, _T, P, _s = _prep(x, t)
    grid = np.linspace(0.0, 1.0, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(t > 0, x / np.where(t > 0, t, 1.0), -1.0)
    below_s = np.searchsorted(grid, s, side="right")  # thresholds th <= s_i
    below_p = np.searchsorted(grid, P, side="left")  # thresholds th < P
    low = (x * np.minimum(below_s, below_p)).sum(axis=0)
    high = (x * np.maximum(below_s - below_p, 0)).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (P - (low - high) / (X * m)) / (1.0 - P)


#: Standardised difference above which the reference implementation's search stalls at 0.
_UNDERFLOW_THETA = 38.33


def _folded_normal_mode(theta: np.ndarray) -> np.ndarray:
    """Mode of ``|Z|`` with ``Z ~ N(theta, 1)``.

    It is 0 when ``theta <= 1``, else the positive root of ``x = theta tanh(theta x)``.
    """
    theta = np.asarray(theta, dtype=float)
    out = np.zeros_like(theta)
    big = theta > 1.0
    th = theta[big]
    xk = th.copy()  # start from theta: the root lies in (0, theta]
    for _ in range(100):
        tanh = np.tanh(th * xk)
        f = xk - th * tanh
        df = 1.0 - th * th * (1.0 - tanh * tanh)
        step = f / df
        xk = np.clip(xk - step, 1e-12, th)
        if np.all(np.abs(step) < 1e-14 * np.maximum(1.0, th)):
            break
    out[big] = xk
    return out


@register(
    "density_corrected_dissimilarity",
    formula="Ddc = ½ Σᵢ σᵢ θ*ᵢ, θ*ᵢ = θᵢ tanh(θᵢ θ*ᵢ)",
    kind="single",
    source=(
        "Allen, R., Burgess, S., Davidson, R. and Windmeijer, F. (2015). More reliable inference "
        "for the dissimilarity index of segregation. The Econometrics Journal 18(1), 40-66."
    ),
)
def density_corrected_dissimilarity_core(
    x: np.ndarray, t: np.ndarray, *, reference_cutoff: bool = True
) -> np.ndarray:
    """Density-corrected dissimilarity ``Ddc = 1/2 sum sigma_j theta*_j``.

    ``sigma_j`` is the standard error of the difference of the two groups' shares of area ``j``
    and ``theta*_j`` the mode of the folded normal distribution centred on the standardised
    difference ``theta_j``. With ``reference_cutoff`` (the default) areas with
    ``theta_j > 38.33`` get ``theta*_j = 0``, as in pysal/segregation, whose numerical search
    for the mode starts at 0 and stalls there once the normal density underflows; without it
    the exact mode is used for every area.
    """
    x, t, X, T, _P, _s = _prep(x, t)
    y = t - x
    Y = T - X
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = x / X
        p1 = y / Y
        sigma = np.sqrt(p1 * (1.0 - p1) / Y + p0 * (1.0 - p0) / X)
        theta = np.abs(p1 - p0) / sigma
    theta = np.nan_to_num(theta, nan=0.0)
    mode = _folded_normal_mode(theta)
    if reference_cutoff:
        mode = np.where(theta > _UNDERFLOW_THETA, 0.0, mode)
    return np.where(sigma > 0, sigma * mode, 0.0).sum(axis=0) / 2.0


#: How the simulation-based indices compute the mean over random tables.
METHODS = ("exact", "simulation")


def _check_method(method: str) -> None:
    if method not in METHODS:
        msg = f"method must be 'exact' or 'simulation', got {method!r}"
        raise InputError(msg)


def _chunks(k: int, per_replicate: int) -> list[slice]:
    size = max(1, _BLOCK // max(per_replicate, 1))
    return [slice(i, min(i + size, k)) for i in range(0, k, size)]


def bias_corrected_dissimilarity_bounds(
    x: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bounds ``low <= Dbc <= high`` of the exact bias-corrected dissimilarity, per column.

    With ``Z_i = A_i / X - B_i / Y`` (see :func:`bias_corrected_dissimilarity_core`),
    ``|E Z_i| <= E|Z_i| <= sqrt(E Z_i^2)`` (Jensen), ``E Z_i = a_i - b_i`` and
    ``Var Z_i = a_i (1 - a_i) / X + b_i (1 - b_i) / Y``; since ``D = 1/2 sum_i |a_i - b_i|``,
    ``2 D - 1/2 sum_i sqrt((a_i - b_i)^2 + Var Z_i) <= Dbc <= D``. NaN where ``X`` or ``Y``
    rounds to zero.
    """
    x, t, X, T, _P, _s = _prep(x, t)
    y = t - x
    nX, nY = np.rint(X), np.rint(T - X)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = x / X, y / (T - X)
        d = a - b
        var = a * (1.0 - a) / nX + b * (1.0 - b) / nY
        D = np.abs(d).sum(axis=0) / 2.0
        low = 2.0 * D - np.sqrt(d * d + var).sum(axis=0) / 2.0
    ok = (nX > 0) & (nY > 0)
    return np.where(ok, low, np.nan), np.where(ok, D, np.nan)


@register(
    "bias_corrected_dissimilarity",
    formula="Dbc = 2 D − E[D_b], D_b = ½ Σᵢ |Aᵢ/X − Bᵢ/Y|, A ~ Mult(X, xᵢ/X), B ~ Mult(Y, yᵢ/Y)",
    kind="single",
    bounds=bias_corrected_dissimilarity_bounds,
    source=(
        "Allen, R., Burgess, S., Davidson, R. and Windmeijer, F. (2015). More reliable inference "
        "for the dissimilarity index of segregation. The Econometrics Journal 18(1), 40-66."
    ),
    random=True,
    iterations=500,
    method="exact",
)
def bias_corrected_dissimilarity_core(
    x: np.ndarray,
    t: np.ndarray,
    *,
    method: str = "exact",
    iterations: int = 500,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Bias-corrected dissimilarity ``Dbc = 2 D - E[D_b]``.

    ``D_b`` is the dissimilarity of a table where each group's members are redistributed over
    the areas by a multinomial draw with the group's observed area shares. ``method="exact"``
    computes ``E[D_b]`` from the distributions
    (:func:`~geoseg.segregation._expectations.expected_resampled_dissimilarity`);
    ``"simulation"`` averages ``iterations`` drawn tables.
    """
    _check_method(method)
    x, t, X, T, _P, _s = _prep(x, t)
    D = dissimilarity_core(x, t)
    y = t - x
    n, k = x.shape
    Db = np.empty(k)
    if method == "exact":
        return 2.0 * D - expect.expected_resampled_dissimilarity(x, y)
    rng = random_generator(rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = (x / X).T
        p1 = (y / (T - X)).T
    n0 = np.rint(X).astype(np.int64)
    n1 = np.rint(T - X).astype(np.int64)
    for sl in _chunks(k, iterations * n):
        kc = sl.stop - sl.start
        s0 = rng.multinomial(n0[sl], p0[sl], size=(iterations, kc))  # (B, kc, n)
        s1 = rng.multinomial(n1[sl], p1[sl], size=(iterations, kc))
        g = s0.reshape(-1, n).T.astype(float)
        tot = g + s1.reshape(-1, n).T
        Db[sl] = dissimilarity_core(g, tot).reshape(iterations, kc).mean(axis=0)
    return 2.0 * D - Db


def _modified(
    stat: np.ndarray,
    x: np.ndarray,
    t: np.ndarray,
    core,
    exact,
    method: str,
    iterations: int,
    rng: np.random.Generator | None,
) -> np.ndarray:
    _check_method(method)
    n, k = x.shape
    t_int = np.rint(t).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_null = x.sum(axis=0) / t_int.sum(axis=0)
    star = np.empty(k)
    if method == "exact":
        # columns with the same totals (all of them under the evenness null) in one call
        first = np.all(t_int == t_int[:, :1], axis=0)
        if first.all():
            star[:] = exact(t_int[:, 0], p_null)
        else:
            for j in range(k):
                star[j] = exact(t_int[:, j], float(p_null[j]))
    else:
        rng = random_generator(rng)
        for sl in _chunks(k, iterations * n):
            kc = sl.stop - sl.start
            # (n, kc, iterations): the draws of one area are consecutive in memory
            g = rng.binomial(t_int[:, sl, None], p_null[None, sl, None], size=(n, kc, iterations))
            g = g.reshape(n, kc * iterations).astype(float)
            if kc == 1:
                tot = t_int[:, sl.start].astype(float)
            else:
                tot = np.repeat(t_int[:, sl], iterations, axis=1).astype(float)
            star[sl] = core(g, tot).reshape(kc, iterations).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(stat >= star, (stat - star) / (1.0 - star), (stat - star) / star)


_CT1997 = (
    "Carrington, W. J. and Troske, K. R. (1997). On measuring segregation in samples with small "
    "units. Journal of Business & Economic Statistics 15(4), 402-409."
)


@register(
    "modified_dissimilarity",
    formula=(
        "D_CT = (D − D*) / (1 − D*) (D ≥ D*), (D − D*) / D* (D < D*); D* = E[D], xᵢ ~ Bin(tᵢ, P)"
    ),
    kind="single",
    source=_CT1997,
    random=True,
    iterations=500,
    method="exact",
)
def modified_dissimilarity_core(
    x: np.ndarray,
    t: np.ndarray,
    *,
    method: str = "exact",
    iterations: int = 500,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Carrington-Troske modified dissimilarity against random allocation ``Binomial(t_i, P)``.

    ``method="exact"`` computes the mean dissimilarity of the random allocations from the
    distributions (:func:`~geoseg.segregation._expectations.expected_null_dissimilarity`);
    ``"simulation"`` averages ``iterations`` drawn tables.
    """
    x, t, *_ = _prep(x, t)
    return _modified(
        dissimilarity_core(x, t),
        x,
        t,
        dissimilarity_core,
        expect.expected_null_dissimilarity,
        method,
        iterations,
        rng,
    )


@register(
    "modified_gini",
    formula=(
        "G_CT = (G − G*) / (1 − G*) (G ≥ G*), (G − G*) / G* (G < G*); G* = E[G], xᵢ ~ Bin(tᵢ, P)"
    ),
    kind="single",
    source=_CT1997,
    random=True,
    iterations=500,
    method="exact",
)
def modified_gini_core(
    x: np.ndarray,
    t: np.ndarray,
    *,
    method: str = "exact",
    iterations: int = 500,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Carrington-Troske modified Gini against random allocation ``Binomial(t_i, P)``.

    ``method="exact"`` computes the mean Gini index of the random allocations from the
    distributions (:func:`~geoseg.segregation._expectations.expected_null_gini`);
    ``"simulation"`` averages ``iterations`` drawn tables.
    """
    x, t, *_ = _prep(x, t)
    return _modified(
        gini_core(x, t), x, t, gini_core, expect.expected_null_gini, method, iterations, rng
    )
