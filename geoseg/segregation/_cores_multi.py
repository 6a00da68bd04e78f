"""Vectorised array cores of the aspatial multigroup indices, registered in the registry.

Every core takes ``X`` of shape ``(k, n, g)`` (``k`` replicate tables, ``n`` areas, ``g``
exhaustive groups) and returns one value per replicate, shape ``(k,)``. Areas with no
population contribute nothing; a group with no members anywhere contributes nothing to the
entropy-based indices (its ``P_m ln P_m`` is taken as 0).
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from geoseg.segregation._cores_single import pairwise_abs_sum
from geoseg.segregation.registry import register

__all__ = [
    "multigroup_dissimilarity_core",
    "multigroup_divergence_core",
    "multigroup_diversity_core",
    "multigroup_gini_core",
    "multigroup_information_theory_core",
    "multigroup_normalized_exposure_core",
    "multigroup_relative_diversity_core",
    "multigroup_squared_coefficient_of_variation_core",
    "simpsons_concentration_core",
    "simpsons_interaction_core",
]

RF2002 = (
    "Reardon, S. F. and Firebaugh, G. (2002). Measures of multigroup segregation. "
    "Sociological Methodology 32(1), 33-67."
)


def _prep(X: np.ndarray) -> tuple[np.ndarray, ...]:
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    ti = X.sum(axis=2)  # (k, n)
    T = ti.sum(axis=1)  # (k,)
    with np.errstate(divide="ignore", invalid="ignore"):
        Pm = X.sum(axis=1) / T[:, None]  # (k, g)
        pim = np.where(ti[..., None] > 0, X / np.where(ti > 0, ti, 1.0)[..., None], 0.0)
    return X, ti, T, Pm, pim


def _interaction(Pm: np.ndarray) -> np.ndarray:
    return (Pm * (1.0 - Pm)).sum(axis=1)


def _entropy(Pm: np.ndarray) -> np.ndarray:
    return -xlogy(Pm, Pm).sum(axis=1)


@register(
    "multigroup_dissimilarity",
    formula="D = Σᵢ Σₘ tᵢ |pᵢₘ − Pₘ| / (2 T I), I = Σₘ Pₘ (1 − Pₘ)",
    kind="multi",
    source=(
        "Sakoda, J. M. (1981). A generalized index of dissimilarity. Demography 18(2), 245-250; "
        + RF2002
    ),
)
def multigroup_dissimilarity_core(X: np.ndarray) -> np.ndarray:
    """``D = sum_i sum_m t_i |p_im - P_m| / (2 T I)`` with ``I = sum P_m (1 - P_m)``."""
    X, ti, T, Pm, pim = _prep(X)
    num = (ti[..., None] * np.abs(pim - Pm[:, None, :])).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / (2.0 * T * _interaction(Pm))


@register(
    "multigroup_gini",
    formula="G = Σₘ Σᵢ Σⱼ tᵢ tⱼ |pᵢₘ − pⱼₘ| / (2 T² I), I = Σₘ Pₘ (1 − Pₘ)",
    kind="multi",
    source=RF2002,
)
def multigroup_gini_core(X: np.ndarray) -> np.ndarray:
    """``G = sum_m sum_i sum_j t_i t_j |p_im - p_jm| / (2 T^2 I)``."""
    X, ti, T, Pm, pim = _prep(X)
    k, n, g = X.shape
    s = np.moveaxis(pim, 1, 0).reshape(n, k * g)
    w = np.repeat(ti.T, g, axis=1)
    num = 2.0 * pairwise_abs_sum(s, w).reshape(k, g).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / (2.0 * T * T * _interaction(Pm))


@register(
    "multigroup_normalized_exposure",
    formula="NE = Σₘ Σᵢ tᵢ (pᵢₘ − Pₘ)² / (T (1 − Pₘ))",
    kind="multi",
    source=RF2002,
)
def multigroup_normalized_exposure_core(X: np.ndarray) -> np.ndarray:
    """``P = sum_i sum_m t_i (p_im - P_m)^2 / (T (1 - P_m))``."""
    X, ti, T, Pm, pim = _prep(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = ti[..., None] * (pim - Pm[:, None, :]) ** 2 / (1.0 - Pm[:, None, :])
        return terms.sum(axis=(1, 2)) / T


def _divergence_sum(X: np.ndarray) -> tuple[np.ndarray, ...]:
    X, ti, T, Pm, pim = _prep(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pim > 0, pim / Pm[:, None, :], 1.0)
    total = (ti[..., None] * xlogy(pim, ratio)).sum(axis=(1, 2))
    return total, T, Pm


@register(
    "multigroup_information_theory",
    formula="H = Σᵢ Σₘ tᵢ pᵢₘ ln(pᵢₘ/Pₘ) / (T E), E = −Σₘ Pₘ ln Pₘ",
    kind="multi",
    source=RF2002,
)
def multigroup_information_theory_core(X: np.ndarray) -> np.ndarray:
    """Theil's information theory index ``H = sum_i sum_m t_i p_im ln(p_im / P_m) / (T E)``."""
    total, T, Pm = _divergence_sum(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / (T * _entropy(Pm))


@register(
    "multigroup_divergence",
    formula="DI = Σᵢ (tᵢ/T) Σₘ pᵢₘ ln(pᵢₘ/Pₘ)",
    kind="multi",
    source=(
        "Roberto, E. (2015). The divergence index: a decomposable measure of segregation and "
        "inequality. arXiv:1508.01167."
    ),
)
def multigroup_divergence_core(X: np.ndarray) -> np.ndarray:
    """Divergence ``D = sum_i (t_i / T) sum_m p_im ln(p_im / P_m)``."""
    total, T, _Pm = _divergence_sum(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / T


@register(
    "multigroup_relative_diversity",
    formula="R = Σᵢ Σₘ tᵢ (pᵢₘ − Pₘ)² / (T I), I = Σₘ Pₘ (1 − Pₘ)",
    kind="multi",
    source=(
        "Reardon, S. F. (1998). Measures of racial diversity and segregation in multigroup and "
        "hierarchically structured populations. Annual meeting of the Eastern Sociological "
        "Society; " + RF2002
    ),
)
def multigroup_relative_diversity_core(X: np.ndarray) -> np.ndarray:
    """``R = sum_i sum_m t_i (p_im - P_m)^2 / (T I)``."""
    X, ti, T, Pm, pim = _prep(X)
    num = (ti[..., None] * (pim - Pm[:, None, :]) ** 2).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / (T * _interaction(Pm))


@register(
    "multigroup_squared_coefficient_of_variation",
    formula="C = Σₘ Σᵢ tᵢ (pᵢₘ − Pₘ)² / (T (K − 1) Pₘ)",
    kind="multi",
    source=RF2002,
)
def multigroup_squared_coefficient_of_variation_core(X: np.ndarray) -> np.ndarray:
    """``C = sum_i sum_m t_i (p_im - P_m)^2 / (T (K - 1) P_m)``."""
    X, ti, T, Pm, pim = _prep(X)
    K = X.shape[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = ti[..., None] * (pim - Pm[:, None, :]) ** 2 / ((K - 1) * Pm[:, None, :])
        return terms.sum(axis=(1, 2)) / T


@register(
    "multigroup_diversity",
    formula="E = −Σₘ Pₘ ln Pₘ",
    kind="multi",
    source=(
        RF2002 + " (equation 2); Theil, H. (1972). Statistical decomposition analysis. "
        "North-Holland."
    ),
    normalized=False,
)
def multigroup_diversity_core(X: np.ndarray, *, normalized: bool = False) -> np.ndarray:
    """Entropy of the city's composition ``E = -sum P_m ln P_m`` (``/ ln K`` if normalized)."""
    X, _ti, _T, Pm, _pim = _prep(X)
    E = _entropy(Pm)
    return E / np.log(X.shape[2]) if normalized else E


@register(
    "simpsons_concentration",
    formula="λ = Σₘ Pₘ²",
    kind="multi",
    source="Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.",
)
def simpsons_concentration_core(X: np.ndarray) -> np.ndarray:
    """Probability that two random residents belong to the same group, ``sum P_m^2``."""
    _X, _ti, _T, Pm, _pim = _prep(X)
    return (Pm * Pm).sum(axis=1)


@register(
    "simpsons_interaction",
    formula="I = Σₘ Pₘ (1 − Pₘ)",
    kind="multi",
    source=RF2002 + " (equation 1)",
)
def simpsons_interaction_core(X: np.ndarray) -> np.ndarray:
    """Probability that two random residents belong to different groups, ``sum P_m (1-P_m)``."""
    _X, _ti, _T, Pm, _pim = _prep(X)
    return _interaction(Pm)
