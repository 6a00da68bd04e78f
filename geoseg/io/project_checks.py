"""Checks of a project's loaded inputs against each other and of its output folder.

:func:`geoseg.io.load_project` runs them; :mod:`geoseg.io.project` exports them too.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geoseg.errors import ValidationError, format_codes
from geoseg.io.codes import check_register_against_areas
from geoseg.io.config import Project
from geoseg.io.indicators import indicator_problems

__all__ = [
    "OVERLAP_LIMIT",
    "cross_check",
    "output_problems",
    "overlap_findings",
    "project_inputs",
]

logger = logging.getLogger(__name__)


def cross_check(data: dict[str, Any], project: Project, problems: list[str]) -> list[str]:
    """Check the loaded inputs against each other; return warnings, append fatal problems."""
    warnings: list[str] = []
    areas, register = data["areas"], data["register"]
    a_cfg, r_cfg = project.areas, project.registers
    if areas is not None:
        for key in ("district", "district_name"):
            col = getattr(a_cfg, key)
            if col is not None and col not in areas.columns:
                problems.append(
                    f"{a_cfg.path}: [areas] {key} names column {col!r}, which the boundaries "
                    f"do not have; columns: {', '.join(map(repr, areas.columns))}"
                )
    if register is not None:
        problems.extend(
            indicator_problems(
                project.indicators, register.columns, source="; ".join(r_cfg.origins())
            )
        )
    if areas is not None and register is not None:
        persons = r_cfg.total or next(iter(r_cfg.count_columns()), None)
        try:
            warnings.extend(
                check_register_against_areas(
                    register,
                    areas,
                    id_column=r_cfg.id,
                    source="; ".join(r_cfg.origins()),
                    year_column=r_cfg.year if r_cfg.year in register.columns else None,
                    persons=persons,
                    areas_source=str(a_cfg.path),
                    log=False,
                )
            )
        except ValidationError as exc:
            problems.extend(f"{exc.source}: {p}" for p in exc.problems)
    services = data["services"]
    if areas is not None and services is not None and len(services):
        reach = areas.geometry.union_all().buffer(project.access.max_snap_m)
        outside = ~services.geometry.within(reach)
        if outside.any():
            warnings.append(
                f"{project.services.path}: services {format_codes(services.index[outside])} lie "
                f"more than {project.access.max_snap_m:g} m outside the areas"
            )
    if services is not None and project.services.kinds:
        present = set(services["kind"].astype(str))
        absent = [k for k in project.services.kinds if k not in present]
        if absent:
            warnings.append(
                f"{project.services.path}: no services of kind {', '.join(absent)} "
                "([services.kinds]); walking access to them is not computed"
            )
    grid = data["grid"]
    if grid is not None and not len(grid):
        fallback = "buildings" if data["buildings"] is not None else "area centroids"
        warnings.append(
            f"{project.population.grid}: the population grid has no inhabited cell; residents "
            f"are placed with {fallback} instead"
        )
    if areas is not None:
        problem, note = overlap_findings(areas, source=str(a_cfg.path))
        if problem:
            problems.append(problem)
        if note:
            warnings.append(note)
    problems.extend(output_problems(project, project.output))
    if areas is not None and grid is not None and len(grid):
        union = areas.geometry.union_all()
        shapely.prepare(union)
        xy = shapely.get_coordinates(grid.geometry.to_numpy())
        inside = shapely.contains_xy(union, xy[:, 0], xy[:, 1])
        lost = float(grid["population"].to_numpy()[~inside].sum())
        if lost > 0:
            share = lost / float(grid["population"].sum())
            warnings.append(
                f"{project.population.grid}: {int(np.count_nonzero(~inside))} inhabited cells "
                f"({share:.1%} of the grid's population) have their centre outside every area"
            )
    buildings = data["buildings"]
    if areas is not None and buildings is not None and len(buildings):
        union = areas.geometry.union_all()
        shapely.prepare(union)
        # the point a building's residents are placed at (as in residents_from_buildings)
        points = buildings.geometry.representative_point().to_numpy()
        outside = ~shapely.intersects(union, points)
        n_out = int(np.count_nonzero(outside))
        if n_out:
            warnings.append(
                f"{project.population.buildings}: {n_out} of {len(buildings)} buildings "
                f"({n_out / len(buildings):.1%}) lie outside every area; nobody is placed in them"
            )
    return warnings


#: Overlap between two areas, as a share of the smaller one, above which the boundaries are
#: refused (below it the overlap is a digitising sliver and only reported).
OVERLAP_LIMIT = 0.01


def overlap_findings(areas: gpd.GeoDataFrame, *, source: str) -> tuple[str | None, str | None]:
    """Find areas that overlap each other.

    Returns
    -------
    problem, warning
        A sentence refusing overlaps above :data:`OVERLAP_LIMIT` of the smaller area (a
        resident or service there would belong to two areas), and a sentence reporting
        smaller slivers; ``None`` where there is nothing to say.
    """
    geoms = areas.geometry.to_numpy()
    left, right = areas.sindex.query(geoms, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if not len(left):
        return None, None
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, shared / smaller, 0.0)
    codes = areas.index.astype(str)
    big = share > OVERLAP_LIMIT
    small = (shared > 1.0) & ~big  # below a square metre is floating-point noise
    problem = warning = None
    if big.any():
        items = [
            f"{codes[i]} and {codes[j]} ({s:.0%} of the smaller)"
            for i, j, s in zip(left[big], right[big], share[big], strict=True)
        ]
        problem = (
            f"{source}: {int(big.sum())} pair(s) of areas overlap: {format_codes(items, limit=5)}; "
            "each place must belong to one area (fix the boundaries, e.g. with a GIS's "
            "topology check)"
        )
    if small.any():
        warning = (
            f"{source}: {int(small.sum())} pair(s) of areas overlap by slivers (largest "
            f"{float(shared[small].max()):.0f} m²); residents there are counted in one of them"
        )
    return problem, warning


def output_problems(project: Project, output: Path) -> list[str]:
    """Refuse an output folder that is an input file of the project or any other file."""
    out = Path(output).resolve()
    inputs = {Path(p).resolve(): what for what, p in project_inputs(project).items()}
    for path, what in inputs.items():
        if out == path:
            return [
                f"[project] output {output} is the project's {what}; geoseg never writes over "
                'an input: choose a folder such as output = "output"'
            ]
    if out.exists() and not out.is_dir():
        return [f"[project] output {output} is a file, not a folder; choose a folder"]
    return []


def project_inputs(project: Project) -> dict[str, Path]:
    """Every file the project reads, by what it is."""
    found: dict[str, Path] = {"project file": project.path, "boundary file": project.areas.path}
    for i, path in enumerate(project.registers.paths(), start=1):
        found["register" if i == 1 else f"register table {i}"] = path
    extra = {
        "services file": project.services.path,
        "street network": project.network.path,
        "population grid": project.population.grid,
        "buildings file": project.population.buildings,
        "water file": project.areas.water,
    }
    found |= {k: v for k, v in extra.items() if v is not None}
    for key, lvl in project.levels.items():
        for what in ("path", "crosswalk", "totals"):
            if getattr(lvl, what) is not None:
                found[f"level {key} {what}"] = getattr(lvl, what)
    if project.register_areas is not None:
        found["boundary file of the register's areas"] = project.register_areas
    return found
