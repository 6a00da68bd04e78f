"""Vectorised array cores of geoseg's spatial single-group indices.

Each core follows the registry convention (:mod:`geoseg.segregation.registry`):
``core(x, t, **ctx) -> ndarray (k,)`` with ``x`` the ``(n, k)`` group counts of ``k`` replicate
tables and ``t`` the ``(n,)`` or ``(n, k)`` totals, and ``ctx`` the geometry context that the
``prepare_*`` function of :mod:`geoseg.segregation._spatial_prepare` registered with the core
computes once per layer, so permutation inference only repeats the cheap array algebra.

Numerical conventions follow pysal/segregation 2.5 wherever its results are the published
reference values (see the public docstrings in :mod:`geoseg.segregation.spatial`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from geoseg.segregation._spatial_matrices import DecayProducts
from geoseg.segregation._spatial_pairs import group_pair_sums, prefix_pair_sums
from geoseg.segregation._spatial_prepare import (
    prepare_area,
    prepare_boundary,
    prepare_center,
    prepare_contiguity,
    prepare_decay,
    prepare_hops,
    prepare_kernel,
    prepare_perimeter_area,
)
from geoseg.segregation.registry import register

__all__ = [
    "absolute_centralization_core",
    "absolute_clustering_core",
    "absolute_concentration_core",
    "boundary_spatial_dissimilarity_core",
    "delta_core",
    "distance_decay_interaction_core",
    "distance_decay_isolation_core",
    "minmax_core",
    "perimeter_area_ratio_dissimilarity_core",
    "relative_centralization_core",
    "relative_clustering_core",
    "relative_concentration_core",
    "spatial_dissimilarity_core",
    "spatial_prox_profile_core",
    "spatial_proximity_core",
]

logger = logging.getLogger(__name__)

_MD88 = "Massey & Denton (1988), Social Forces 67(2)"


# --------------------------------------------------------------------------- array helpers
def _xt(x: Any, t: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return ``x`` as ``(n, k)`` floats and ``t`` as ``(n, 1)`` or ``(n, k)`` floats."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    t = np.asarray(t, dtype=float)
    if t.ndim == 1:
        t = t[:, None]
    return x, t


def _dissimilarity(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Duncan & Duncan's D per replicate, with p_i = 0 where t_i = 0."""
    tb = np.broadcast_to(t, x.shape)
    T = tb.sum(axis=0)
    P = x.sum(axis=0) / T
    p = np.where(tb > 0, x / np.where(tb > 0, tb, 1.0), 0.0)
    return (tb * np.abs(p - P)).sum(axis=0) / (2.0 * T * P * (1.0 - P))


def _shares(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    tb = np.broadcast_to(t, x.shape)
    return np.where(tb > 0, x / np.where(tb > 0, tb, 1.0), 0.0)


def _lorenz_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_i a_{i-1} b_i - a_i b_{i-1}`` along axis 0 (Duncan's centralization curve)."""
    return (a[:-1] * b[1:]).sum(axis=0) - (a[1:] * b[:-1]).sum(axis=0)


# --------------------------------------------------------------------------- cores
@register(
    "delta", formula="DEL = ½ Σᵢ |xᵢ/X − aᵢ/A|", kind="single", prepare=prepare_area, source=_MD88
)
def delta_core(x: Any, t: Any, *, area: np.ndarray, **_: Any) -> np.ndarray:
    """Delta: half the sum of |x_i/X - a_i/A| (Hoover's concentration index)."""
    x, _t = _xt(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * np.abs(x / x.sum(axis=0) - (area / area.sum())[:, None]).sum(axis=0)


@register(
    "absolute_centralization",
    formula="ACE = Σᵢ Xᵢ₋₁ Aᵢ − Σᵢ Xᵢ Aᵢ₋₁",
    kind="single",
    prepare=prepare_center,
    source=_MD88,
)
def absolute_centralization_core(
    x: Any, t: Any, *, order: np.ndarray, area: np.ndarray, **_: Any
) -> np.ndarray:
    """ACE from cumulative group and area shares ordered by distance to the centre."""
    x, _t = _xt(x, t)
    xs = x[order]
    a = np.cumsum(area[order]) / area.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return _lorenz_area(np.cumsum(xs, axis=0) / xs.sum(axis=0), a[:, None])


@register(
    "relative_centralization",
    formula="RCE = Σᵢ Xᵢ₋₁ Yᵢ − Σᵢ Xᵢ Yᵢ₋₁",
    kind="single",
    prepare=prepare_center,
    source=_MD88,
)
def relative_centralization_core(x: Any, t: Any, *, order: np.ndarray, **_: Any) -> np.ndarray:
    """RCE from cumulative group and complement shares ordered by distance to the centre."""
    x, t = _xt(x, t)
    xs = x[order]
    ys = (t - x)[order] if t.shape == x.shape else t[order] - xs
    with np.errstate(divide="ignore", invalid="ignore"):
        X = np.cumsum(xs, axis=0) / xs.sum(axis=0)
        Y = np.cumsum(ys, axis=0) / ys.sum(axis=0)
    return _lorenz_area(X, Y)


def _concentration_terms(
    x: np.ndarray, t: np.ndarray, area: np.ndarray, ascending: np.ndarray, descending: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (sum x a / X, sum over the n1 smallest t a / T1, sum over the largest t a / T2).

    The last is NaN where it equals the second (the index is then undefined).
    """
    n, k = x.shape
    tb = np.broadcast_to(t, x.shape)
    X = x.sum(axis=0)
    T = tb.sum(axis=0)
    share = X / T
    ta = tb[ascending]
    cum_t = np.cumsum(ta, axis=0)
    # n1: the fewest smallest areas that hold as many people as the group has
    n1 = (cum_t / T < share).sum(axis=0) + 1
    n2_aux = (np.cumsum(tb[descending], axis=0) / T < share).sum(axis=0) + 1
    n2 = n - n2_aux
    cols = np.arange(k)
    weighted = ta * area[ascending][:, None]
    cum_w = np.cumsum(weighted, axis=0)
    tail_t = np.cumsum(ta[::-1], axis=0)[::-1]
    tail_w = np.cumsum(weighted[::-1], axis=0)[::-1]
    small = cum_w[n1 - 1, cols] / cum_t[n1 - 1, cols]
    large = tail_w[n2, cols] / tail_t[n2, cols]
    group = (x * area[:, None]).sum(axis=0) / X
    # When the group is so large that the smallest and the largest areas needed to hold it are
    # the same areas, the two bounds coincide and the index is undefined (0 / 0): NaN, not the
    # +-inf or rounding noise of a division by a difference of equal sums.
    same = ~(np.abs(large - small) > 1e-9 * np.maximum(np.abs(large), np.abs(small)))
    large = np.where(same, np.nan, large)
    return group, small, large


@register(
    "absolute_concentration",
    formula="ACO = 1 − (Σᵢ xᵢaᵢ/X − Σ_{i≤n₁} tᵢaᵢ/T₁) / (Σ_{i≥n₂} tᵢaᵢ/T₂ − Σ_{i≤n₁} tᵢaᵢ/T₁)",
    kind="single",
    prepare=prepare_area,
    source=_MD88,
)
def absolute_concentration_core(
    x: Any,
    t: Any,
    *,
    area: np.ndarray,
    ascending: np.ndarray,
    descending: np.ndarray,
    **_: Any,
) -> np.ndarray:
    """ACO: the group's occupied area relative to the smallest and largest possible."""
    x, t = _xt(x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        group, small, large = _concentration_terms(x, t, area, ascending, descending)
        return 1.0 - (group - small) / (large - small)


@register(
    "relative_concentration",
    formula="RCO = ((Σᵢ xᵢaᵢ/X) / (Σᵢ yᵢaᵢ/Y) − 1) / ((Σ_{i≤n₁} tᵢaᵢ/T₁) / (Σ_{i≥n₂} tᵢaᵢ/T₂) − 1)",
    kind="single",
    prepare=prepare_area,
    source=_MD88,
)
def relative_concentration_core(
    x: Any,
    t: Any,
    *,
    area: np.ndarray,
    ascending: np.ndarray,
    descending: np.ndarray,
    **_: Any,
) -> np.ndarray:
    """RCO: the group's mean occupied area against the rest of the population's."""
    x, t = _xt(x, t)
    y = t - x
    with np.errstate(divide="ignore", invalid="ignore"):
        group, small, large = _concentration_terms(x, t, area, ascending, descending)
        other = (y * area[:, None]).sum(axis=0) / y.sum(axis=0)
        return (group / other - 1.0) / (small / large - 1.0)


@register(
    "absolute_clustering",
    formula=(
        "ACL = (Σᵢ (xᵢ/X) Σⱼ cᵢⱼ xⱼ − (X/n²) Σᵢ Σⱼ cᵢⱼ) / (Σᵢ (xᵢ/X) Σⱼ cᵢⱼ tⱼ − (X/n²) Σᵢ Σⱼ cᵢⱼ)"
    ),
    kind="single",
    prepare=prepare_decay,
    source=_MD88,
)
def absolute_clustering_core(
    x: Any, t: Any, *, c: np.ndarray, c_total: float, products: Any = None, **_: Any
) -> np.ndarray:
    """ACL: the group's mean proximity to itself against a uniform spread."""
    x, t = _xt(x, t)
    n = x.shape[0]
    X = x.sum(axis=0)
    prod = (products or DecayProducts()).get(c, x, t)
    ct = np.broadcast_to(prod["ct"], x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = X / n**2 * c_total
        num = (x / X * prod["cx"]).sum(axis=0) - base
        den = (x / X * ct).sum(axis=0) - base
        return num / den


@register(
    "relative_clustering",
    formula="RCL = Pxx / Pyy − 1, Pgg = Σᵢ Σⱼ gᵢ gⱼ cᵢⱼ / G²",
    kind="single",
    prepare=prepare_decay,
    source=_MD88,
)
def relative_clustering_core(x: Any, t: Any, *, c_colsum: np.ndarray, **_: Any) -> np.ndarray:
    """RCL: P_xx / P_yy - 1 in pysal/segregation's arithmetic (see the public docstring)."""
    x, t = _xt(x, t)
    y = t - x
    with np.errstate(divide="ignore", invalid="ignore"):
        pxx = (x**2 * c_colsum[:, None]).sum(axis=0) / x.sum(axis=0) ** 2
        pyy = (y**2 * c_colsum[:, None]).sum(axis=0) / y.sum(axis=0) ** 2
        return pxx / pyy - 1.0


@register(
    "spatial_proximity",
    formula="SP = (X Pxx + Y Pyy) / (T Ptt), Pgg = Σᵢ Σⱼ gᵢ gⱼ cᵢⱼ / G²",
    kind="single",
    prepare=prepare_decay,
    source="White (1983); " + _MD88,
)
def spatial_proximity_core(
    x: Any, t: Any, *, c: np.ndarray, products: Any = None, **_: Any
) -> np.ndarray:
    """SP = (X P_xx + Y P_yy) / (T P_tt) with P_gg = g' c g / G^2."""
    x, t = _xt(x, t)
    y = t - x
    tb = np.broadcast_to(t, x.shape)
    X, Y, T = x.sum(axis=0), y.sum(axis=0), tb.sum(axis=0)
    prod = (products or DecayProducts()).get(c, x, t)
    ct = np.broadcast_to(prod["ct"], x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        pxx = (x * prod["cx"]).sum(axis=0) / X**2
        pyy = (y * prod["cy"]).sum(axis=0) / Y**2
        ptt = (tb * ct).sum(axis=0) / T**2
        return (X * pxx + Y * pyy) / (T * ptt)


def _decay_exposure(x: np.ndarray, t: np.ndarray, c: np.ndarray, products: Any, key: str):
    prod = (products or DecayProducts()).get(c, x, t)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x / x.sum(axis=0) * prod[key]).sum(axis=0)


@register(
    "distance_decay_isolation",
    formula="DPxx = Σᵢ (xᵢ/X) Σⱼ Kᵢⱼ xⱼ/tⱼ, Kᵢⱼ = cᵢⱼ tⱼ / Σₗ cⱼₗ tₗ",
    kind="single",
    prepare=prepare_decay,
    source="Morgan (1983)",
)
def distance_decay_isolation_core(
    x: Any, t: Any, *, c: np.ndarray, products: Any = None, **_: Any
) -> np.ndarray:
    """DDxPx: distance-decay isolation (pysal/segregation's normalisation)."""
    x, t = _xt(x, t)
    return _decay_exposure(x, t, c, products, "cxr")


@register(
    "distance_decay_interaction",
    formula="DPxy = Σᵢ (xᵢ/X) Σⱼ Kᵢⱼ yⱼ/tⱼ, Kᵢⱼ = cᵢⱼ tⱼ / Σₗ cⱼₗ tₗ",
    kind="single",
    prepare=prepare_decay,
    source="Morgan (1983)",
)
def distance_decay_interaction_core(
    x: Any, t: Any, *, c: np.ndarray, products: Any = None, **_: Any
) -> np.ndarray:
    """DDxPy: distance-decay interaction (pysal/segregation's normalisation)."""
    x, t = _xt(x, t)
    return _decay_exposure(x, t, c, products, "cyr")


def _edge_dissimilarity(x: np.ndarray, t: np.ndarray, ctx: dict[str, Any]) -> np.ndarray:
    """D minus the weighted mean absolute difference of shares across the edges."""
    p = _shares(x, t)
    diff = np.abs(p[ctx["rows"]] - p[ctx["cols"]])
    with np.errstate(divide="ignore", invalid="ignore"):
        return _dissimilarity(x, t) - ctx["weight"] @ diff


@register(
    "spatial_dissimilarity",
    formula="D(adj) = D − Σᵢ Σⱼ wᵢⱼ |pᵢ − pⱼ| / Σᵢ Σⱼ wᵢⱼ",
    kind="single",
    prepare=prepare_contiguity,
    source="Morrill (1991)",
)
def spatial_dissimilarity_core(x: Any, t: Any, **ctx: Any) -> np.ndarray:
    """D(adj): D minus the mean share difference between queen neighbours."""
    x, t = _xt(x, t)
    return _edge_dissimilarity(x, t, ctx)


@register(
    "boundary_spatial_dissimilarity",
    formula="D(w) = D − Σᵢ Σⱼ wᵢⱼ |pᵢ − pⱼ| / Σᵢ Σⱼ wᵢⱼ",
    kind="single",
    prepare=prepare_boundary,
    source="Wong (1993), Urban Studies 30(3)",
)
def boundary_spatial_dissimilarity_core(x: Any, t: Any, **ctx: Any) -> np.ndarray:
    """D(w): D minus the share difference weighted by shared boundary length."""
    x, t = _xt(x, t)
    return _edge_dissimilarity(x, t, ctx)


@register(
    "perimeter_area_ratio_dissimilarity",
    formula="D(s) = D − Σᵢ Σⱼ wᵢⱼ |pᵢ − pⱼ| ((P/A)ᵢ + (P/A)ⱼ) / (2 max(P/A))",
    kind="single",
    prepare=prepare_perimeter_area,
    source="Wong (1993), Urban Studies 30(3)",
)
def perimeter_area_ratio_dissimilarity_core(x: Any, t: Any, **ctx: Any) -> np.ndarray:
    """D(s): boundary weights scaled by the perimeter/area ratios of both areas."""
    x, t = _xt(x, t)
    return _edge_dissimilarity(x, t, ctx)


@register(
    "spatial_prox_profile",
    formula="SPP = (P − (Σ_{s<P} η(s) − Σ_{s≥P} η(s)) / m) / (1 − P), η(s) = (k² − k) / Σᵢ Σⱼ dᵢⱼ",
    kind="single",
    prepare=prepare_hops,
    source="Hong & Sadahiro (2014); Hong, Choi & Sadahiro (2014)",
)
def spatial_prox_profile_core(
    x: Any, t: Any, *, steps: np.ndarray, component: np.ndarray, grid: np.ndarray, **_: Any
) -> np.ndarray:
    """SPP: area between the spatial proximity profile and its evenness baseline."""
    x, t = _xt(x, t)
    k = x.shape[1]
    m = len(grid)
    tb = np.broadcast_to(t, x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tb > 0, x / np.where(tb > 0, tb, 1.0), -1.0)  # no population: never counted
    passes = np.searchsorted(grid, p, side="right")  # thresholds each area's share reaches
    hist = np.bincount((passes + (m + 1) * np.arange(k)).ravel(), minlength=k * (m + 1))
    hist = hist.reshape(k, m + 1)
    sizes = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]  # (k, m) areas at or above grid_j
    order = np.argsort(-passes, axis=0, kind="stable")
    # columns with few distinct thresholds (replicate tables of a test) by matrix products
    distinct = 1 + (np.diff(np.take_along_axis(passes, order, axis=0), axis=0) != 0).sum(axis=0)
    few = distinct <= max(8, x.shape[0] // 16)
    prefix = np.empty((k, x.shape[0] + 1))
    if few.any():
        prefix[few] = group_pair_sums(steps, component, order[:, few], passes[:, few])
    if not few.all():
        prefix[~few] = prefix_pair_sums(steps, component, order[:, ~few])
    pair_sum = np.take_along_axis(prefix, sizes, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        curve = (sizes**2 - sizes) / pair_sum
    curve[~np.isfinite(curve)] = 0.0
    share = x.sum(axis=0) / tb.sum(axis=0)
    below = grid[None, :] < share[:, None]
    diff = (np.where(below, curve, 0.0).sum(axis=1) - np.where(below, 0.0, curve).sum(axis=1)) / m
    with np.errstate(divide="ignore", invalid="ignore"):
        return (share - diff) / (1.0 - share)


@register(
    "minmax",
    formula="MM = 1 − Σᵢ min(xᵢ/X, yᵢ/Y) / Σᵢ max(xᵢ/X, yᵢ/Y)",
    kind="single",
    prepare=prepare_kernel,
    source="O'Sullivan & Wong (2007)",
)
def minmax_core(x: Any, t: Any, *, kernel: Any = None, **_: Any) -> np.ndarray:
    """MinMax: 1 - overlap / union of the group and complement density surfaces."""
    x, t = _xt(x, t)
    y = t - x
    if kernel is not None:
        x = np.round(kernel @ x)
        y = np.round(kernel @ np.broadcast_to(y, x.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        d1 = x / x.sum(axis=0)
        d2 = y / y.sum(axis=0)
        return 1.0 - np.minimum(d1, d2).sum(axis=0) / np.maximum(d1, d2).sum(axis=0)
