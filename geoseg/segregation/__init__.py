"""Segregation indices: single-group, multigroup, spatial and local, with inference.

Every index registers a vectorised array core in :mod:`geoseg.segregation.registry` (where a
new index is added); the public functions here are thin wrappers taking a table with one row per
area. Batch computation (:func:`compute_indices`) returns a tidy table of many indices, years,
groups and area levels; :mod:`geoseg.segregation.inference` adds randomization tests, bootstrap
intervals, change tests and local significance; :mod:`geoseg.segregation.decomposition` splits a
change into spatial and compositional parts.
"""

from __future__ import annotations

from geoseg.segregation.batch import available_indices, compute_indices, index_source
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
from geoseg.segregation.national import (
    AREA_TYPE_CUTS,
    AREA_TYPES,
    area_type_shares,
    area_types,
    default_socioeconomic_indicators,
    inequality_index,
    segregation_index,
    socioeconomic_index,
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
from geoseg.segregation.spatial import (
    absolute_centralization,
    absolute_clustering,
    absolute_concentration,
    boundary_spatial_dissimilarity,
    delta,
    distance_decay_interaction,
    distance_decay_isolation,
    minmax,
    perimeter_area_ratio_dissimilarity,
    relative_centralization,
    relative_clustering,
    relative_concentration,
    spatial_dissimilarity,
    spatial_prox_profile,
    spatial_proximity,
)
from geoseg.segregation.spatial_local import local_distortion, local_relative_centralization

__all__ = [
    "AREA_TYPES",
    "AREA_TYPE_CUTS",
    "ChangeTest",
    "Decomposition",
    "SegregationTest",
    "absolute_centralization",
    "absolute_clustering",
    "absolute_concentration",
    "area_type_shares",
    "area_types",
    "atkinson",
    "available_indices",
    "bias_corrected_dissimilarity",
    "bootstrap_ci",
    "boundary_spatial_dissimilarity",
    "compare_years",
    "compute_indices",
    "con_prof",
    "correlation_ratio",
    "decompose_change",
    "default_socioeconomic_indicators",
    "delta",
    "density_corrected_dissimilarity",
    "dissimilarity",
    "distance_decay_interaction",
    "distance_decay_isolation",
    "entropy",
    "gini",
    "index_source",
    "inequality_index",
    "interaction",
    "isolation",
    "local_distortion",
    "local_diversity",
    "local_entropy",
    "local_relative_centralization",
    "local_simpsons_concentration",
    "local_simpsons_interaction",
    "local_test",
    "location_quotient",
    "minmax",
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
    "perimeter_area_ratio_dissimilarity",
    "relative_centralization",
    "relative_clustering",
    "relative_concentration",
    "segregation_index",
    "segregation_test",
    "simpsons_concentration",
    "simpsons_interaction",
    "socioeconomic_index",
    "spatial_dissimilarity",
    "spatial_prox_profile",
    "spatial_proximity",
]
