"""geoseg: geospatial segregation and living-environment analysis.

Segregation indices, local hotspots, walking access over real street networks and plan checks
for cities that follow an equality programme area by area and year by year.

The verbs an analyst needs are available here; each is a plain function documented where it
lives::

    import geoseg

    data = geoseg.load_project(geoseg.example_project())   # the embedded example city
    indices = geoseg.compute_indices(data.register, groups=["foreign_born"], total="pop_total")

Loading a project and the analyses are imported on first use, so ``import geoseg`` stays fast
and pulls in no mapping or plotting library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geoseg.errors import GeoSegError

if TYPE_CHECKING:
    from geoseg.access import access_for_project
    from geoseg.example import example_config as example_project
    from geoseg.hotspots import build_weights, emerging_hotspots, getis_ord, local_moran
    from geoseg.io import load_project, read_plan
    from geoseg.pipeline import run_project
    from geoseg.plans import check_plan, compute_baseline, suggest_sites
    from geoseg.publish import access_map, choropleth_map, lisa_map, plan_map, write_report
    from geoseg.segregation import compute_indices, segregation_test
    from geoseg.trends import area_trends

__version__ = "0.1.0"

#: Public name -> (module, attribute) it is loaded from on first use.
_VERBS: dict[str, tuple[str, str]] = {
    "example_project": ("geoseg.example", "example_config"),
    "load_project": ("geoseg.io", "load_project"),
    "run_project": ("geoseg.pipeline", "run_project"),
    "compute_indices": ("geoseg.segregation", "compute_indices"),
    "segregation_test": ("geoseg.segregation", "segregation_test"),
    "build_weights": ("geoseg.hotspots", "build_weights"),
    "local_moran": ("geoseg.hotspots", "local_moran"),
    "getis_ord": ("geoseg.hotspots", "getis_ord"),
    "emerging_hotspots": ("geoseg.hotspots", "emerging_hotspots"),
    "area_trends": ("geoseg.trends", "area_trends"),
    "access_for_project": ("geoseg.access", "access_for_project"),
    "compute_baseline": ("geoseg.plans", "compute_baseline"),
    "read_plan": ("geoseg.io", "read_plan"),
    "check_plan": ("geoseg.plans", "check_plan"),
    "suggest_sites": ("geoseg.plans", "suggest_sites"),
    "choropleth_map": ("geoseg.publish", "choropleth_map"),
    "lisa_map": ("geoseg.publish", "lisa_map"),
    "access_map": ("geoseg.publish", "access_map"),
    "plan_map": ("geoseg.publish", "plan_map"),
    "write_report": ("geoseg.publish", "write_report"),
}

__all__ = [
    "GeoSegError",
    "__version__",
    "access_for_project",
    "access_map",
    "area_trends",
    "build_weights",
    "check_plan",
    "choropleth_map",
    "compute_baseline",
    "compute_indices",
    "emerging_hotspots",
    "example_project",
    "getis_ord",
    "lisa_map",
    "load_project",
    "local_moran",
    "plan_map",
    "read_plan",
    "run_project",
    "segregation_test",
    "suggest_sites",
    "write_report",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _VERBS[name]
    except KeyError:
        msg = f"module 'geoseg' has no attribute {name!r}"
        raise AttributeError(msg) from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
