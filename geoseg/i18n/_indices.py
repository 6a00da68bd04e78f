"""Entries of the translation table, one group of it.

Readable names of the segregation indices, keyed by registry name.

Part of :mod:`geoseg.i18n` (read by :func:`geoseg.i18n.index_label`); name -> (English, Swedish).
"""

from __future__ import annotations

__all__ = ["INDEX_LABELS"]

INDEX_LABELS: dict[str, tuple[str, str]] = {
    "dissimilarity": ("Dissimilarity index (D)", "Olikhetsindex (D)"),
    "isolation": ("Isolation index (xPx)", "Isoleringsindex (xPx)"),
    "interaction": ("Interaction index (xPy)", "Interaktionsindex (xPy)"),
    "entropy": ("Entropy index (H)", "Entropiindex (H)"),
    "gini": ("Gini index of segregation", "Gini-index för segregation"),
    "atkinson": ("Atkinson index", "Atkinsons index"),
    "correlation_ratio": ("Correlation ratio (eta²)", "Korrelationskvot (eta²)"),
    "absolute_centralization": ("Absolute centralisation", "Absolut centralisering"),
    "absolute_clustering": ("Absolute clustering", "Absolut klustring"),
    "absolute_concentration": ("Absolute concentration", "Absolut koncentration"),
    "bias_corrected_dissimilarity": (
        "Bias-corrected dissimilarity",
        "Biaskorrigerat olikhetsindex",
    ),
    "boundary_spatial_dissimilarity": (
        "Boundary spatial dissimilarity",
        "Rumsligt olikhetsindex (gränser)",
    ),
    "con_prof": ("Concentration profile", "Koncentrationsprofil"),
    "delta": ("Delta (concentration)", "Delta (koncentration)"),
    "density_corrected_dissimilarity": (
        "Density-corrected dissimilarity",
        "Täthetskorrigerat olikhetsindex",
    ),
    "distance_decay_interaction": (
        "Distance-decay interaction",
        "Interaktion med avståndsavtagande",
    ),
    "distance_decay_isolation": ("Distance-decay isolation", "Isolering med avståndsavtagande"),
    "minmax": ("MinMax index", "MinMax-index"),
    "modified_dissimilarity": ("Modified dissimilarity", "Modifierat olikhetsindex"),
    "modified_gini": ("Modified Gini", "Modifierat Gini-index"),
    "multigroup_dissimilarity": ("Multigroup dissimilarity", "Olikhetsindex, flera grupper"),
    "multigroup_divergence": ("Multigroup divergence", "Divergens, flera grupper"),
    "multigroup_diversity": ("Multigroup diversity", "Mångfald, flera grupper"),
    "multigroup_gini": ("Multigroup Gini", "Gini-index, flera grupper"),
    "multigroup_information_theory": (
        "Multigroup information theory index",
        "Informationsteoretiskt index, flera grupper",
    ),
    "multigroup_normalized_exposure": (
        "Multigroup normalised exposure",
        "Normerad exponering, flera grupper",
    ),
    "multigroup_relative_diversity": (
        "Multigroup relative diversity",
        "Relativ mångfald, flera grupper",
    ),
    "multigroup_squared_coefficient_of_variation": (
        "Multigroup squared coefficient of variation",
        "Kvadrerad variationskoefficient, flera grupper",
    ),
    "perimeter_area_ratio_dissimilarity": (
        "Perimeter-area dissimilarity",
        "Olikhetsindex med omkrets och yta",
    ),
    "relative_centralization": ("Relative centralisation", "Relativ centralisering"),
    "relative_clustering": ("Relative clustering", "Relativ klustring"),
    "relative_concentration": ("Relative concentration", "Relativ koncentration"),
    "simpsons_concentration": ("Simpson's concentration", "Simpsons koncentration"),
    "simpsons_interaction": ("Simpson's interaction", "Simpsons interaktion"),
    "spatial_dissimilarity": ("Spatial dissimilarity", "Rumsligt olikhetsindex"),
    "spatial_prox_profile": ("Spatial proximity profile", "Rumslig närhetsprofil"),
    "spatial_proximity": ("Spatial proximity", "Rumslig närhet"),
    "location_quotient": ("Location quotient", "Lokaliseringskvot"),
    "local_diversity": ("Local diversity", "Lokal mångfald"),
    "local_entropy": ("Local entropy", "Lokal entropi"),
    "local_simpsons_concentration": (
        "Local Simpson's concentration",
        "Lokal Simpsons koncentration",
    ),
    "local_simpsons_interaction": ("Local Simpson's interaction", "Lokal Simpsons interaktion"),
    "local_relative_centralization": (
        "Local relative centralisation",
        "Lokal relativ centralisering",
    ),
    "local_distortion": ("Local distortion", "Lokal förvrängning"),
}
