"""Segregation indices: single-group, multigroup, spatial and local, with inference.

Every index registers a vectorised array core in :mod:`geoseg.segregation._registry`; the
public functions here are thin wrappers taking a table with one row per area. Batch
computation (:func:`compute_indices`) returns a tidy table of many indices, years, groups and
area levels; :mod:`geoseg.segregation.inference` adds randomization tests, bootstrap intervals,
change tests and local significance; :mod:`geoseg.segregation.decomposition` splits a change
into spatial and compositional parts.
"""

from __future__ import annotations

from geoseg.segregation._registry import INDICES, IndexSpec, get_index, register
from geoseg.segregation.batch import available_indices, compute_indices
from geoseg.segregation.decomposition import Decomposition, decompose_change
from geoseg.segregation.inference import (
    ChangeTest,
    SegregationTest,
    bootstrap_ci,
    compare_years,
    local_test,
    segregation_test,
)
from geoseg.segregation.local import (
    local_diversity,
    local_entropy,
    local_simpsons_concentration,
    local_simpsons_interaction,
    location_quotient,
)
from geoseg.segregation.multigroup import (
    multigroup_dissimilarity,
    multigroup_divergence,
    multigroup_diversity,
    multigroup_gini,
    multigroup_information_theory,
    multigroup_normalized_exposure,
    multigroup_relative_diversity,
    multigroup_squared_coefficient_of_variation,
    simpsons_concentration,
    simpsons_interaction,
)
from geoseg.segregation.singlegroup import (
    atkinson,
    bias_corrected_dissimilarity,
    con_prof,
    correlation_ratio,
    density_corrected_dissimilarity,
    dissimilarity,
    entropy,
    gini,
    interaction,
    isolation,
    modified_dissimilarity,
    modified_gini,
)

__all__ = [
    "INDICES",
    "ChangeTest",
    "Decomposition",
    "IndexSpec",
    "SegregationTest",
    "atkinson",
    "available_indices",
    "bias_corrected_dissimilarity",
    "bootstrap_ci",
    "compare_years",
    "compute_indices",
    "con_prof",
    "correlation_ratio",
    "decompose_change",
    "density_corrected_dissimilarity",
    "dissimilarity",
    "entropy",
    "get_index",
    "gini",
    "interaction",
    "isolation",
    "local_diversity",
    "local_entropy",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
    "local_test",
    "location_quotient",
    "modified_dissimilarity",
    "modified_gini",
    "multigroup_dissimilarity",
    "multigroup_divergence",
    "multigroup_diversity",
    "multigroup_gini",
    "multigroup_information_theory",
    "multigroup_normalized_exposure",
    "multigroup_relative_diversity",
    "multigroup_squared_coefficient_of_variation",
    "register",
    "segregation_test",
    "simpsons_concentration",
    "simpsons_interaction",
]
