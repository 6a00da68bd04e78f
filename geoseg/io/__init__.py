"""Reading and validating geoseg's inputs; writing its outputs atomically.

Only this package touches files or the network. Every loader returns the shapes fixed in
``docs/data-model.md`` and reports all problems of an input at once as a
:class:`geoseg.errors.GeoSegError` subclass whose message names the file.

The loaders are imported on first use, so that reading a street network does not load the
libraries of rasters, spreadsheets or registers (and the other way round).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from geoseg.io._atomic import (
    atomic_path,
    check_not_input,
    check_targets,
    write_bytes,
    write_text,
    write_with,
)

if TYPE_CHECKING:
    from geoseg.io.boundaries import (
        read_boundaries,
        read_layer,
    )
    from geoseg.io.buildings import (
        read_buildings,
    )
    from geoseg.io.codes import (
        UNPLACED_RULE,
        check_register_against_areas,
        compare_codes,
        join_register,
    )
    from geoseg.io.config import (
        Project,
        read_config,
    )
    from geoseg.io.crosswalk import (
        read_crosswalk,
    )
    from geoseg.io.grid import (
        read_population_grid,
    )
    from geoseg.io.levels import (
        LevelConfig,
        LevelInput,
        read_levels,
    )
    from geoseg.io.network import (
        read_network,
        write_network,
    )
    from geoseg.io.network_cache import (
        load_network,
    )
    from geoseg.io.paths import (
        MAX_SLUG,
        inside,
        project_inputs,
        remove_stale_temporaries,
        slug,
        slugs,
        variable_slugs,
    )
    from geoseg.io.plans import (
        Plan,
        read_plan,
        write_plan,
    )
    from geoseg.io.project import (
        ProjectData,
        describe_project,
        load_project,
        validate_project,
    )
    from geoseg.io.registers import (
        read_register,
    )
    from geoseg.io.rules import (
        Rules,
        read_rules,
    )
    from geoseg.io.saved import (
        RESULTS_FORMAT,
        ResultsFolderError,
        SavedResults,
        read_results,
        write_results,
    )
    from geoseg.io.scb import (
        ScbClient,
        fetch_scb,
    )
    from geoseg.io.services import (
        read_services,
    )

__all__ = [
    "MAX_SLUG",
    "RESULTS_FORMAT",
    "UNPLACED_RULE",
    "LevelConfig",
    "LevelInput",
    "Plan",
    "Project",
    "ProjectData",
    "ResultsFolderError",
    "Rules",
    "SavedResults",
    "ScbClient",
    "atomic_path",
    "check_not_input",
    "check_register_against_areas",
    "check_targets",
    "compare_codes",
    "describe_project",
    "fetch_scb",
    "inside",
    "join_register",
    "load_network",
    "load_project",
    "project_inputs",
    "read_boundaries",
    "read_buildings",
    "read_config",
    "read_crosswalk",
    "read_layer",
    "read_levels",
    "read_network",
    "read_plan",
    "read_population_grid",
    "read_register",
    "read_results",
    "read_rules",
    "read_services",
    "remove_stale_temporaries",
    "slug",
    "slugs",
    "validate_project",
    "variable_slugs",
    "write_bytes",
    "write_network",
    "write_plan",
    "write_results",
    "write_text",
    "write_with",
]

_HOME = {
    "MAX_SLUG": "paths",
    "RESULTS_FORMAT": "saved",
    "ResultsFolderError": "saved",
    "SavedResults": "saved",
    "read_results": "saved",
    "write_results": "saved",
    "Project": "config",
    "ProjectData": "project",
    "ScbClient": "scb",
    "UNPLACED_RULE": "codes",
    "check_register_against_areas": "codes",
    "compare_codes": "codes",
    "describe_project": "project",
    "fetch_scb": "scb",
    "inside": "paths",
    "join_register": "codes",
    "load_network": "network_cache",
    "load_project": "project",
    "project_inputs": "paths",
    "read_boundaries": "boundaries",
    "read_buildings": "buildings",
    "read_config": "config",
    "read_crosswalk": "crosswalk",
    "read_levels": "levels",
    "LevelConfig": "levels",
    "LevelInput": "levels",
    "read_layer": "boundaries",
    "read_network": "network",
    "read_population_grid": "grid",
    "read_register": "registers",
    "read_services": "services",
    "remove_stale_temporaries": "paths",
    "slug": "paths",
    "slugs": "paths",
    "validate_project": "project",
    "variable_slugs": "paths",
    "write_network": "network",
    "Plan": "plans",
    "read_plan": "plans",
    "write_plan": "plans",
    "Rules": "rules",
    "read_rules": "rules",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        msg = f"module 'geoseg.io' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"geoseg.io.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
