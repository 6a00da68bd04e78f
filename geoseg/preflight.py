"""Checks made before a run computes anything, shared by ``geoseg validate`` and ``geoseg run``.

:func:`check_run` is the one function both commands call on the loaded project, so that
``validate`` refuses exactly what ``run`` would refuse, with the same message, and prints what
``run`` will do instead where the data can still be used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geoseg.io.levels import level_chain
from geoseg.io.paths import slug

if TYPE_CHECKING:
    from geoseg.io import Project, ProjectData

__all__ = ["access_note", "check_outputs", "check_run", "output_folders"]


def output_folders(
    project: Project,
    *,
    output: str | Path | None = None,
    maps: str | Path | None = None,
    example: bool = False,
    level: str | None = None,
) -> tuple[Path, Path]:
    """The results and maps folders of a run: the ones given, else the project's.

    Default results folder: ``[project] output`` (``./output`` for the embedded example city),
    with a sub-folder named after the level (``<output>/<level>``) when the run is at a declared
    level coarser than the ``[areas]`` level (``level``, else ``[project] level``); maps folder:
    ``<results>/maps`` (``./maps`` for the example city).
    """
    out = (
        Path(output)
        if output is not None
        else (Path("output") if example else Path(project.project.output))
    )
    wanted = level if level is not None else getattr(project.project, "level", None)
    chain = level_chain(getattr(project, "levels", None) or {})
    if output is None and not example and wanted and chain and wanted != chain[0]:
        out = out / slug(wanted)
    maps_dir = Path(maps) if maps is not None else (Path("maps") if example else out / "maps")
    return out, maps_dir


def check_outputs(
    project: Project,
    *,
    output: Path,
    maps: Path | None,
    stages: Sequence[str],
    overwrite: bool = False,
) -> None:
    """Everything a run would refuse about its output folders, found before any work.

    ``geoseg run`` calls this before reading the data, and ``geoseg validate -o`` calls it
    with the same arguments, so that validate refuses exactly what run would refuse, with the
    same message.

    Parameters
    ----------
    project
        The project (:func:`geoseg.io.read_config`).
    output, maps
        The results and maps folders (:func:`output_folders`).
    stages
        The stages that will run; the maps folder is checked only with ``"maps"``.
    overwrite
        Whether files that an earlier geoseg run did not write may be replaced.

    Raises
    ------
    ValidationError
        Every problem at once: a folder that is an input or a file, a file the run would write
        that is an input of the project or lies outside its folder, and files not written by
        geoseg that would be replaced without ``overwrite``
        (:func:`geoseg.io.results.check_output_folder`).
    """
    from geoseg.errors import InputError, ValidationError
    from geoseg.io import check_targets
    from geoseg.io.project import output_problems, project_inputs
    from geoseg.io.results import check_output_folder, planned_files

    problems: list[str] = []
    inputs = list(project_inputs(project).values())
    for folder, names in planned_files(output, maps, stages=stages).items():
        found = output_problems(project, folder)
        if found:
            problems.extend(found)
            continue
        for check in (
            lambda f=folder, n=names: check_targets(
                [f / x for x in n], root=f, inputs=inputs, overwrite=True
            ),
            lambda f=folder, n=names: check_output_folder(f, n, overwrite=overwrite),
        ):
            try:
                check()
            except InputError as exc:
                problems.append(str(exc))
    if problems:
        raise ValidationError(str(project.path), problems)


def check_run(
    data: ProjectData, *, stages: Sequence[str] | None = None, output: Path | None = None
) -> list[str]:
    """Everything :func:`run_project` would refuse or skip, found before any computation.

    ``geoseg validate`` and ``geoseg run`` both call this on the loaded project, so validate
    refuses exactly what run refuses, with the same message.

    Parameters
    ----------
    data
        The loaded project (:func:`geoseg.io.load_project`).
    stages
        The stages that will run (default: all).
    output
        The results folder when it differs from the project's ``[project] output``.

    Returns
    -------
    list of str
        What run will do differently from what the project asks (stages skipped, indices
        that will be NaN), one sentence each.

    Raises
    ------
    ValidationError
        Every problem at once: unknown or local index names, an output folder that is an
        input, count columns without a single person in any year.
    """
    from geoseg.errors import ValidationError
    from geoseg.io.project import output_problems
    from geoseg.segregation import available_indices

    project = data.project
    reg = project.registers
    problems: list[str] = []
    notes: list[str] = []
    if output is not None and Path(output).resolve() != Path(project.output).resolve():
        problems.extend(output_problems(project, Path(output)))
    known = available_indices()
    unknown = [n for n in project.indices.names if n not in known]
    if unknown:
        problems.append(
            f"[indices] names: {', '.join(map(repr, unknown))} are not city-wide segregation "
            f"indices (local indices such as location_quotient are drawn as maps, not listed "
            f"here); choose from {', '.join(known)}"
        )
    table = data.register
    chosen = set(stages) if stages is not None else {"segregation", "hotspots", "trends", "access"}
    if "trends" in chosen:
        n_years = table[reg.year].nunique() if reg.year and reg.year in table.columns else 1
        if n_years < 3:
            notes.append(
                f"{reg.path}: {n_years} year(s) of data; trends (emerging hotspots, area "
                "trends) need at least three years and are skipped"
            )
    if "segregation" in chosen:
        used = [*reg.groups, *reg.multigroup, *([reg.total] if reg.total else [])]
        for col in dict.fromkeys(used):
            if col not in table.columns:
                continue
            values = pd.to_numeric(table[col], errors="coerce")
            if not bool((values.fillna(0) > 0).any()):
                what = "total" if col == reg.total else "group"
                fix = (
                    "every index needs persons"
                    if col == reg.total
                    else "its indices would be undefined; remove it from [registers] groups"
                )
                problems.append(
                    f"{reg.path}: {what} column {col!r} is 0 in every area and year; {fix}"
                )
        if reg.year and reg.year in table.columns and reg.groups:
            for year, part in table.groupby(reg.year, sort=True):
                empty = [
                    g
                    for g in reg.groups
                    if g in part
                    and not bool((part[g].fillna(0) > 0).any())
                    and bool((table[g].fillna(0) > 0).any())
                ]
                if empty:
                    notes.append(
                        f"{reg.path}: year {year}: group(s) {', '.join(empty)} have nobody; "
                        "their indices for that year are left empty (NaN)"
                    )
    if "hotspots" in chosen and project.hotspots.variables:
        problems.extend(_flat_hotspot_variables(data))
    note = access_note(data)
    if "access" in chosen and note is not None:
        notes.append(note)
    unlabelled = [
        ind.name
        for ind in project.indicators.values()
        if not ({ind.label_sv, ind.label_en} - {"", ind.name, ind.numerator})
    ]
    if unlabelled:
        notes.append(
            f"{project.path}: indicator(s) {', '.join(unlabelled)} have no label_sv or "
            "label_en, so maps and the report name them by these column names; declare "
            "[indicators.NAME] tables with label_sv and label_en (docs/config.md, Indicators)"
        )
    from geoseg.i18n import group_label

    named = {i.numerator for i in project.indicators.values() if i.name not in unlabelled}
    bare = [
        g
        for g in dict.fromkeys([*reg.groups, *reg.multigroup])
        if g not in named and g not in unlabelled and not group_label(g, "en")
    ]
    if bare:
        notes.append(
            f"{project.path}: group(s) {', '.join(bare)} of [registers] have no labelled "
            "indicator, so the report's segregation section names them by their column names; "
            "declare an [indicators.NAME] with the group as numerator and label_sv and label_en"
        )
    if problems:
        raise ValidationError(str(project.path), problems)
    return notes


def _flat_hotspot_variables(data: ProjectData) -> list[str]:
    """[hotspots] variables with one value in every placed area of a year (nothing to map)."""
    reg = data.project.registers
    placed = data.placed_register
    problems = []
    for col in data.project.hotspots.variables:
        if col not in placed.columns:
            continue
        values = pd.to_numeric(placed[col], errors="coerce")
        by_year = (
            values.groupby(placed[reg.year], sort=True)
            if reg.year and reg.year in placed.columns
            else [("", values)]
        )
        flat = [
            (year, v.dropna().iloc[0])
            for year, v in by_year
            if v.notna().sum() >= 4 and v.dropna().nunique() == 1
        ]
        if flat:
            years = ", ".join(f"{y}" for y, _ in flat if y != "")
            when = f" in {years}" if years else ""
            problems.append(
                f"{reg.path}: [hotspots] variable {col!r} has the same value ({flat[0][1]:g}) "
                f"in every area{when}, so it has no hotspots; remove it from [hotspots] "
                "variables or check the column"
            )
    return problems


def access_note(data: ProjectData) -> str | None:
    """What happens to walking access when the project has services but no street network."""
    project = data.project
    if data.services is None or data.has_network:
        return None
    acc = project.access
    if acc.fallback == "straight_line":
        return (
            f"{project.path}: no street network; walking times are straight-line distances "
            f"x {acc.detour:g} (detour factor) at {acc.speed_kmh:g} km/h, labelled "
            f"'straight line x {acc.detour:g}' on every map and table"
        )
    return (
        f"{project.path}: no street network ([network] path or place); walking access is "
        'skipped (set [access] fallback = "straight_line" for straight-line distances times '
        "a detour factor)"
    )
