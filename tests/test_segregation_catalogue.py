"""The issue's catalogue: every index is importable from geoseg.segregation and registered."""

from __future__ import annotations

import pytest

import geoseg.segregation as seg
from geoseg.segregation.registry import INDICES

SINGLE = [
    "dissimilarity", "gini", "entropy", "isolation", "interaction", "atkinson",
    "correlation_ratio", "con_prof", "bias_corrected_dissimilarity",
    "density_corrected_dissimilarity", "modified_dissimilarity", "modified_gini", "delta",
    "absolute_centralization", "relative_centralization", "absolute_concentration",
    "relative_concentration", "absolute_clustering", "relative_clustering", "spatial_proximity",
    "spatial_prox_profile", "spatial_dissimilarity", "boundary_spatial_dissimilarity",
    "perimeter_area_ratio_dissimilarity", "distance_decay_isolation",
    "distance_decay_interaction", "minmax",
]  # fmt: skip
MULTI = [
    "multigroup_dissimilarity", "multigroup_gini", "multigroup_normalized_exposure",
    "multigroup_information_theory", "multigroup_relative_diversity",
    "multigroup_squared_coefficient_of_variation", "multigroup_diversity",
    "multigroup_divergence", "simpsons_concentration", "simpsons_interaction",
]  # fmt: skip
LOCAL = [
    "location_quotient", "local_entropy", "local_diversity", "local_simpsons_concentration",
    "local_simpsons_interaction", "local_relative_centralization", "local_distortion",
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kind"),
    [(n, "single") for n in SINGLE] + [(n, "multi") for n in MULTI] + [(n, "local") for n in LOCAL],
)
def test_catalogue_name_is_importable_and_registered(name, kind):
    module = __import__("geoseg.segregation", fromlist=[name])
    func = getattr(module, name)
    assert callable(func)
    assert name in seg.__all__
    spec = INDICES[name]
    assert spec.kind == kind
    assert spec.source, f"{name} has no cited source"
    assert spec.formula == seg.index_formula(name) and "=" in spec.formula, name
    assert (name in seg.available_indices()) == (kind != "local")


def test_all_lists_only_real_public_names():
    assert len(set(seg.__all__)) == len(seg.__all__)
    for name in seg.__all__:
        assert hasattr(seg, name), name
    public = {n for n in vars(seg) if not n.startswith("_")}
    functions = {n for n in public if callable(getattr(seg, n)) and n in INDICES}
    assert functions <= set(seg.__all__)


@pytest.mark.parametrize(
    "package",
    ["geoseg", "geoseg.segregation", "geoseg.hotspots", "geoseg.access", "geoseg.plans",
     "geoseg.trends", "geoseg.io", "geoseg.publish"],
)  # fmt: skip
def test_docstrings_are_written_literally(package):
    """Every public function's docstring is the one written in its source, unchanged at import."""
    import ast
    import importlib
    import inspect

    module = importlib.import_module(package)
    checked = 0
    for name in module.__all__:
        func = inspect.unwrap(getattr(module, name))
        if not inspect.isfunction(func):
            continue
        tree = ast.parse(inspect.getsource(inspect.getmodule(func)))
        first = func.__code__.co_firstlineno  # the first decorator's line, else the def's
        (node,) = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef)
            and n.name == func.__name__
            and min([n.lineno, *(d.lineno for d in n.decorator_list)]) == first
        ]
        assert ast.get_docstring(node) == inspect.cleandoc(func.__doc__ or ""), name
        checked += 1
    assert checked > 0
