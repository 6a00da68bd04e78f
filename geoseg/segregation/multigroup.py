"""Aspatial multigroup segregation indices: several exhaustive groups at once.

Each function takes a table with one row per area and the names of the group count columns,
which together must make up the whole population (the total of an area is the sum of its
groups), and returns one number for the whole city. Missing or negative counts are refused
naming the areas; areas with no population are left out (they contribute nothing).

The formulas are computed by the registered array cores (``geoseg.segregation._cores_multi``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from geoseg.errors import DataError
from geoseg.segregation import _cores_multi as cores
from geoseg.segregation._tables import multi_counts

__all__ = [
    "multigroup_dissimilarity",
    "multigroup_divergence",
    "multigroup_diversity",
    "multigroup_gini",
    "multigroup_information_theory",
    "multigroup_normalized_exposure",
    "multigroup_relative_diversity",
    "multigroup_squared_coefficient_of_variation",
    "simpsons_concentration",
    "simpsons_interaction",
]


def _value(core: Any, data: pd.DataFrame, groups: Sequence[str], **options: Any) -> float:
    X, _ = multi_counts(data, groups)
    if X.sum() <= 0:
        msg = f"groups {', '.join(groups)} are zero in every area; there is nobody to measure"
        raise DataError(msg)
    return float(core(X[None], **options)[0])


def multigroup_dissimilarity(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Multigroup dissimilarity index (Sakoda's generalised D).

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``D`` in [0, 1].

    Notes
    -----
    ``D = sum_i sum_m t_i |p_im - P_m| / (2 T I)`` with ``I = sum_m P_m (1 - P_m)`` (Sakoda
    1981, "A generalized index of dissimilarity", Demography 18(2); Reardon & Firebaugh 2002,
    "Measures of multigroup segregation", Sociological Methodology 32(1)).
    """
    return _value(cores.multigroup_dissimilarity_core, data, groups)


def multigroup_gini(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Multigroup Gini index.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``G`` in [0, 1].

    Notes
    -----
    ``G = sum_m sum_i sum_j t_i t_j |p_im - p_jm| / (2 T^2 I)`` (Reardon & Firebaugh 2002).
    """
    return _value(cores.multigroup_gini_core, data, groups)


def multigroup_normalized_exposure(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Multigroup normalised exposure index.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``P`` in [0, 1].

    Notes
    -----
    ``P = sum_m sum_i t_i (p_im - P_m)^2 / (T (1 - P_m))`` (Reardon & Firebaugh 2002).
    """
    return _value(cores.multigroup_normalized_exposure_core, data, groups)


def multigroup_information_theory(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Multigroup information theory index (Theil's H).

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``H`` in [0, 1].

    Notes
    -----
    ``H = sum_i sum_m t_i p_im ln(p_im / P_m) / (T E)`` with ``E = -sum_m P_m ln P_m``
    (Reardon & Firebaugh 2002; Theil 1972).
    """
    return _value(cores.multigroup_information_theory_core, data, groups)


def multigroup_relative_diversity(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Multigroup relative diversity index.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``R`` in [0, 1].

    Notes
    -----
    ``R = sum_i sum_m t_i (p_im - P_m)^2 / (T I)`` (Reardon 1998, "Measures of racial diversity
    and segregation in multigroup and hierarchically structured populations"; Reardon &
    Firebaugh 2002).
    """
    return _value(cores.multigroup_relative_diversity_core, data, groups)


def multigroup_squared_coefficient_of_variation(
    data: pd.DataFrame, *, groups: Sequence[str]
) -> float:
    """Multigroup squared coefficient of variation.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``C``.

    Notes
    -----
    ``C = sum_m sum_i t_i (p_im - P_m)^2 / (T (K - 1) P_m)`` (Reardon & Firebaugh 2002).
    """
    return _value(cores.multigroup_squared_coefficient_of_variation_core, data, groups)


def multigroup_diversity(
    data: pd.DataFrame, *, groups: Sequence[str], normalized: bool = False
) -> float:
    """Diversity (entropy) of the city's population composition.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.
    normalized
        Divide by the maximum ``ln K`` so the index lies in [0, 1].

    Returns
    -------
    float
        ``E = -sum_m P_m ln P_m``; higher means more diverse (not more segregated).

    Notes
    -----
    Reardon & Firebaugh 2002, equation 2; Theil 1972, "Statistical decomposition analysis".
    """
    return _value(cores.multigroup_diversity_core, data, groups, normalized=bool(normalized))


def multigroup_divergence(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Divergence index (Kullback-Leibler divergence of areas from the city).

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``D = sum_i (t_i / T) sum_m p_im ln(p_im / P_m)``, 0 when every area looks like the
        city.

    Notes
    -----
    Roberto 2015, "The divergence index: a decomposable measure of segregation and
    inequality", arXiv:1508.01167.
    """
    return _value(cores.multigroup_divergence_core, data, groups)


def simpsons_concentration(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Simpson's concentration index.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``sum_m P_m^2``: probability that two random residents belong to the same group.

    Notes
    -----
    Simpson 1949, "Measurement of diversity", Nature 163. Concentration + interaction = 1.
    """
    return _value(cores.simpsons_concentration_core, data, groups)


def simpsons_interaction(data: pd.DataFrame, *, groups: Sequence[str]) -> float:
    """Simpson's interaction index.

    Parameters
    ----------
    data
        One row per area.
    groups
        Columns with the counts of exhaustive groups.

    Returns
    -------
    float
        ``sum_m P_m (1 - P_m)``: probability that two random residents belong to different
        groups.

    Notes
    -----
    Reardon & Firebaugh 2002, equation 1.
    """
    return _value(cores.simpsons_interaction_core, data, groups)
