"""Aspatial local segregation indices: one value per area (and group).

Each function takes a table with one row per area and group count columns and returns a Series
or DataFrame indexed like the input. Areas with no population get NaN (their composition is
undefined). Missing or negative counts are refused naming the areas. Per-area significance is
:func:`geoseg.segregation.inference.local_test`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import xlogy

from geoseg.errors import ValidationError, format_codes
from geoseg.segregation._tables import multi_counts
from geoseg.segregation.registry import register

__all__ = [
    "local_diversity",
    "local_entropy",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
    "location_quotient",
]

_THEIL = (
    "Theil, H. (1972). Statistical decomposition analysis; with applications in the social and "
    "administrative sciences. North-Holland."
)


def _shares(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    ti = X.sum(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ti > 0, X / np.where(ti > 0, ti, 1.0), np.nan)


@register(
    "location_quotient",
    formula="LQᵢₘ = (xᵢₘ/tᵢ) / (Xₘ/T)",
    kind="local",
    source=(
        "Isard, W. (1960). Methods of regional analysis. MIT Press; Sakoda, J. M. (1981). "
        "A generalized index of dissimilarity. Demography 18(2), 245-250."
    ),
)
def location_quotient_core(X: np.ndarray, *, city_shares: np.ndarray | None = None) -> np.ndarray:
    """``LQ_im = (x_im / t_i) / (X_m / T)``, shape ``(k, n, g)``.

    ``city_shares`` (``(g,)``) fixes the city's composition, as permutation tests need.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        X = X[None]
    pim = _shares(X)
    if city_shares is None:
        tot = X.sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            Pm = X.sum(axis=1) / tot[:, None]
    else:
        Pm = np.broadcast_to(np.asarray(city_shares, dtype=float), (X.shape[0], X.shape[2]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return pim / Pm[:, None, :]


@register("local_diversity", formula="Eᵢ = −Σₘ pᵢₘ ln pᵢₘ", kind="local", source=_THEIL)
def local_diversity_core(X: np.ndarray) -> np.ndarray:
    """``-sum_m p_im ln p_im`` per area, shape ``(k, n)``."""
    pim = _shares(X)
    return -xlogy(pim, pim).sum(axis=2)


@register("local_entropy", formula="Eᵢ / ln K, Eᵢ = −Σₘ pᵢₘ ln pᵢₘ", kind="local", source=_THEIL)
def local_entropy_core(X: np.ndarray) -> np.ndarray:
    """Local diversity divided by its maximum ``ln K``, shape ``(k, n)``."""
    pim = _shares(X)
    return -xlogy(pim, pim).sum(axis=2) / np.log(pim.shape[2])


@register(
    "local_simpsons_concentration",
    formula="λᵢ = Σₘ pᵢₘ²",
    kind="local",
    source="Simpson, E. H. (1949). Measurement of diversity. Nature 163, 688.",
)
def local_simpsons_concentration_core(X: np.ndarray) -> np.ndarray:
    """``sum_m p_im^2`` per area, shape ``(k, n)``."""
    pim = _shares(X)
    return (pim * pim).sum(axis=2)


@register(
    "local_simpsons_interaction",
    formula="Iᵢ = Σₘ pᵢₘ (1 − pᵢₘ)",
    kind="local",
    source=(
        "Reardon, S. F. and Firebaugh, G. (2002). Measures of multigroup segregation. "
        "Sociological Methodology 32(1), 33-67 (equation 1, per area)."
    ),
)
def local_simpsons_interaction_core(X: np.ndarray) -> np.ndarray:
    """``sum_m p_im (1 - p_im)`` per area, shape ``(k, n)``."""
    pim = _shares(X)
    return (pim * (1.0 - pim)).sum(axis=2)


def local_table(
    data: pd.DataFrame, groups: Sequence[str], total: str | None
) -> tuple[np.ndarray, list[str]]:
    """Counts ``(n, g)`` for the local indices; with ``total`` a rest-of-population column is added.

    Zero-population areas are kept (they get NaN).
    """
    groups = list(groups)
    cols = groups if total is None else [*groups, total]
    if total is None:
        X, _ = multi_counts(data, groups, drop_empty=False)
        return X, groups
    from geoseg.segregation._tables import _missing_columns, _numeric

    _missing_columns(data, cols, "count table")
    arr = _numeric(data, cols, "count table")
    rest = arr[:, -1] - arr[:, :-1].sum(axis=1)
    over = rest < -1e-9 * np.maximum(arr[:, -1], 1.0)
    if over.any():
        msg = (
            f"groups {', '.join(groups)} add up to more than total {total!r} in areas "
            f"{format_codes(data.index[over])}; check the total column"
        )
        source = "count table"
        raise ValidationError(source, [msg])
    return np.column_stack([arr[:, :-1], np.clip(rest, 0.0, None)]), [*groups, "_rest"]


def location_quotient(
    data: pd.DataFrame, *, groups: Sequence[str], total: str | None = None
) -> pd.DataFrame:
    """Location quotient of each group in each area.

    Parameters
    ----------
    data
        One row per area.
    groups
        Group count columns. Without ``total`` they must be exhaustive (an area's population is
        their sum), as in pysal/segregation.
    total
        Optional total population column; groups need not then be exhaustive.

    Returns
    -------
    pandas.DataFrame
        One column per group, indexed like ``data``; 1 means the group's share of the area
        equals its share of the city, NaN for areas with no population.

    Notes
    -----
    ``LQ_im = (x_im / t_i) / (X_m / T)`` (Isard 1960, "Methods of regional analysis"; used as a
    local segregation measure in Sakoda 1981 and pysal/segregation).
    """
    X, _cols = local_table(data, groups, total)
    values = location_quotient_core(X[None])[0][:, : len(list(groups))]
    return pd.DataFrame(values, index=data.index, columns=list(groups))


def _local_series(core: Any, data: pd.DataFrame, groups: Sequence[str], name: str) -> pd.Series:
    X, _ = local_table(data, groups, None)
    return pd.Series(core(X[None])[0], index=data.index, name=name)


def local_diversity(data: pd.DataFrame, *, groups: Sequence[str]) -> pd.Series:
    """Diversity (Shannon entropy) of each area's composition.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    pandas.Series
        ``-sum_m p_im ln p_im`` per area, indexed like ``data``.

    Notes
    -----
    Theil 1972, "Statistical decomposition analysis".
    """
    return _local_series(local_diversity_core, data, groups, "local_diversity")


def local_entropy(data: pd.DataFrame, *, groups: Sequence[str]) -> pd.Series:
    """Normalised entropy of each area's composition, in [0, 1].

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    pandas.Series
        ``-sum_m p_im ln p_im / ln K`` per area, indexed like ``data``.

    Notes
    -----
    Theil 1972; 1 means all ``K`` groups are equally present.
    """
    return _local_series(local_entropy_core, data, groups, "local_entropy")


def local_simpsons_concentration(data: pd.DataFrame, *, groups: Sequence[str]) -> pd.Series:
    """Simpson's concentration of each area's composition.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    pandas.Series
        ``sum_m p_im^2``: probability that two random residents of the area share a group.

    Notes
    -----
    Simpson 1949, "Measurement of diversity", Nature 163.
    """
    return _local_series(
        local_simpsons_concentration_core, data, groups, "local_simpsons_concentration"
    )


def local_simpsons_interaction(data: pd.DataFrame, *, groups: Sequence[str]) -> pd.Series:
    """Simpson's interaction of each area's composition.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    pandas.Series
        ``sum_m p_im (1 - p_im)``: probability that two random residents of the area belong to
        different groups.

    Notes
    -----
    Reardon & Firebaugh 2002, "Measures of multigroup segregation", equation 1 per area.
    """
    return _local_series(
        local_simpsons_interaction_core, data, groups, "local_simpsons_interaction"
    )
