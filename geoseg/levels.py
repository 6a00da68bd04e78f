"""A loaded project seen at one of its area levels.

:func:`project_at_level` moves the register from the ``[areas]`` level up the chain of
``[levels]`` parents (by code columns, crosswalks, spatial containment or areal interpolation,
see :mod:`geoseg.areas`) and returns the project as if its areas were that level's: indices,
hotspots, trends, access and maps then run unchanged. :func:`describe_levels` says, for
``geoseg validate``, what each level is, how it is reached, which areas are split between
parents and how far the moved counts are from the level's known totals.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoseg.areas import (
    MovedRegister,
    TotalsCheck,
    chain_links,
    code_links,
    compare_totals,
    containment_links,
    interpolation_links,
    move_counts,
)
from geoseg.errors import InputError, format_codes
from geoseg.io.levels import level_chain
from geoseg.years import latest_year

if TYPE_CHECKING:
    from geoseg.io import Project, ProjectData

__all__ = ["LevelStep", "LevelView", "describe_levels", "level_names", "project_at_level"]

logger = logging.getLogger(__name__)


@dataclass
class LevelStep:
    """One link of the chain: how counts go from ``child`` to ``parent``.

    Attributes
    ----------
    child, parent
        Level keys.
    link
        ``codes``, ``crosswalk``, ``containment`` or ``interpolation``.
    links
        The link table (``source``, ``target``, ``weight``).
    weighting
        For interpolation: ``"population grid"``, ``"buildings"`` or ``"area"``.
    split
        Containment: the child areas split between parents (``source``, ``target``, ``share``,
        ``parents``); interpolation: every child area divided between several parents.
    outside
        Child areas with no parent (overlapping none, or no parent code).
    unknown_parents
        Parent codes named by a code column or crosswalk that the parent level lacks.
    """

    child: str
    parent: str
    link: str
    links: pd.DataFrame
    weighting: str = ""
    split: pd.DataFrame = field(default_factory=pd.DataFrame)
    outside: list[str] = field(default_factory=list)
    unknown_parents: list[str] = field(default_factory=list)


@dataclass
class LevelView:
    """The project at a level.

    Attributes
    ----------
    level
        The level's key.
    data
        A :class:`geoseg.io.ProjectData` whose areas are the level's polygons and whose register
        holds the moved counts (the input is not modified).
    steps
        The links from the ``[areas]`` level (empty at that level).
    moved
        The moved register with the codes that could not be moved, or ``None`` at the
        ``[areas]`` level.
    totals
        The moved persons against the level's known totals (``totals`` in ``[levels.NAME]``).
    city_total
        ``(register, level)``: the persons of the totals' year in the register (every code) and
        at the level (placed plus unmoved codes): equal unless counts had nowhere to go.
    notes
        Sentences for the log, the validate report and the run's warnings.
    """

    level: str
    data: ProjectData
    steps: list[LevelStep] = field(default_factory=list)
    moved: MovedRegister | None = None
    totals: TotalsCheck | None = None
    city_total: tuple[float, float] | None = None
    notes: list[str] = field(default_factory=list)


def level_names(project: Project) -> list[str]:
    """The levels a project's analyses may run at, from its ``[areas]`` level up."""
    return level_chain(project.levels)


def _people(data: ProjectData, level: Any = None) -> tuple[gpd.GeoDataFrame | None, str]:
    """Where people live, as weighted points or polygons, and what it is.

    ``people_from`` of the level wins (the known persons of another level's areas, each placed
    at a point inside its area), then the population grid, then buildings; else ``None``.
    """
    source = getattr(level, "people_from", None)
    if source is not None and source in data.levels:
        inp = data.levels[source]
        areas = inp.areas
        weight = inp.totals.reindex(areas.index.astype(str)).fillna(0.0).to_numpy(dtype=float)
        points = areas.geometry.representative_point()
        people = gpd.GeoDataFrame({"weight": weight}, geometry=points.to_numpy(), crs=areas.crs)
        return people, f"the persons of {source} ({inp.config.totals.name})"
    if data.grid is not None and len(data.grid):
        return data.grid[["population", "geometry"]].rename(columns={"population": "weight"}), (
            "population grid"
        )
    if data.buildings is not None and len(data.buildings):
        b = data.buildings
        weight = b["weight"] if "weight" in b.columns else b.geometry.area
        return gpd.GeoDataFrame({"weight": weight}, geometry=b.geometry, crs=b.crs), "buildings"
    return None, "area"


def _step(data: ProjectData, child: str, parent: str) -> LevelStep:
    """The links from ``child`` to ``parent``."""
    inputs = data.levels
    lvl = inputs[child].config
    src, tgt = inputs[child].areas, inputs[parent].areas
    how = lvl.how
    step = LevelStep(child=child, parent=parent, link=how, links=pd.DataFrame())
    if how in ("codes", "crosswalk"):
        if how == "codes":
            column = src[lvl.parent_id]
            keep = column.notna() & (column.astype(str).str.strip() != "")
            step.outside = src.index[~keep].astype(str).tolist()
            links = code_links(column[keep].astype(str).str.strip())
        else:
            links = code_links(
                inputs[child].crosswalk,
                source_column=lvl.crosswalk_from,
                target_column=lvl.crosswalk_to,
                weight_column=lvl.crosswalk_weight,
            )
        known = set(tgt.index.astype(str))
        step.unknown_parents = sorted(set(links["target"]) - known)
        step.links = links
        divided = links.groupby("source")["target"].transform("size") > 1
        step.split = links[divided].rename(columns={"weight": "share"})
    elif how == "containment":
        found = containment_links(src, tgt)
        step.links, step.split, step.outside = found.links, found.split, found.outside
    else:
        people, what = _people(data, lvl)
        step.weighting = what
        step.links = interpolation_links(src, tgt, people=people, weight="weight")
        step.outside = sorted(set(src.index.astype(str)) - set(step.links["source"]))
        divided = step.links.groupby("source")["target"].transform("size") > 1
        step.split = step.links[divided].rename(columns={"weight": "share"})
    return step


def _columns(data: ProjectData, register: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(counts, amounts) of the register: amounts are averaged, everything numeric else summed."""
    reg = data.project.registers
    amounts = set(reg.amount_columns())
    amounts |= {i.numerator for i in data.project.indicators.values() if i.kind == "amount"}
    keys = {reg.id, *([reg.year] if reg.year else [])}
    numeric = [
        c for c in register.columns if c not in keys and pd.api.types.is_numeric_dtype(register[c])
    ]
    return [c for c in numeric if c not in amounts], [c for c in numeric if c in amounts]


def project_at_level(data: ProjectData, level: str | None = None) -> LevelView:
    """The project with its register moved to a declared area level.

    Parameters
    ----------
    data
        The loaded project (:func:`geoseg.io.load_project`).
    level
        A ``[levels]`` key; ``None`` takes ``[project] level`` or else the ``[areas]`` level.

    Returns
    -------
    LevelView
        At the ``[areas]`` level, ``data`` itself. At another level, the level's polygons
        (index: its codes) and the register moved there: counts summed (or divided by the
        interpolation weights, so they may be fractions), amounts averaged weighted by the
        register's total; register codes that cannot be moved (no polygon, no parent) are kept
        as they are, like codes without a polygon at the ``[areas]`` level.

    Raises
    ------
    InputError
        ``level`` is not a declared level reachable from the ``[areas]`` level.
    """
    project = data.project
    chain = level_chain(project.levels)
    wanted = level if level is not None else project.project.level
    if wanted is None or (chain and wanted == chain[0]):
        return LevelView(level=wanted or "", data=data)
    if wanted not in chain:
        declared = ", ".join(chain) if chain else "none (add [levels.NAME] tables)"
        msg = (
            f"{project.path}: level {wanted!r} is not a level of this project; declared levels "
            f"reachable from the register's areas: {declared}"
        )
        raise InputError(msg)
    upto = chain.index(wanted)
    steps = [_step(data, chain[i], chain[i + 1]) for i in range(upto)]
    links = chain_links(*(s.links for s in steps))
    reg = project.registers
    year = reg.year if reg.year and reg.year in data.register.columns else None
    counts, amounts = _columns(data, data.register)
    moved = move_counts(
        data.register,
        links,
        id_column=reg.id,
        year_column=year,
        counts=counts,
        amounts=amounts,
        amount_weight=reg.total if reg.total in counts else None,
    )
    target = data.levels[wanted]
    cfg = target.config
    areas_cfg = dataclasses.replace(
        project.areas,
        path=cfg.path,
        layer=cfg.layer,
        id=cfg.id,
        name=cfg.name,
        district=None,
        district_name=None,
    )
    view_project = dataclasses.replace(
        project,
        areas=areas_cfg,
        project=dataclasses.replace(project.project, level=wanted),
        register_areas=project.register_areas or project.areas.path,
    )
    view = LevelView(level=wanted, data=data, steps=steps, moved=moved)  # data set below
    view.notes = _notes(view, data, wanted)
    _check_totals(view, data, target)
    level_data = dataclasses.replace(
        data,
        project=view_project,
        areas=target.areas,
        register=moved.register,
        warnings=[*data.warnings, *view.notes],
    )
    view.data = level_data
    return view


def _persons_column(data: ProjectData) -> str | None:
    reg = data.project.registers
    return reg.total or next(iter(reg.count_columns()), None)


def _check_totals(view: LevelView, data: ProjectData, target: Any) -> None:
    """City total kept, and the level's known totals compared (notes appended)."""
    assert view.moved is not None
    reg = data.project.registers
    persons = _persons_column(data)
    if persons is None or persons not in view.moved.register.columns:
        return
    table = data.register
    moved = view.moved.register
    year = None
    if reg.year and reg.year in table.columns:
        year = target.config.totals_year or int(latest_year(table, year_column=reg.year)[1])
        table = table[pd.to_numeric(table[reg.year]) == year]
        moved = moved[pd.to_numeric(moved[reg.year]) == year]
    before = float(pd.to_numeric(table[persons]).sum())
    after = float(moved[persons].sum())
    view.city_total = (before, after)
    when = f" {year}" if year is not None else ""
    kept = after / before if before else 1.0
    view.notes.append(
        f"level {view.level}: {persons}{when}: {after:,.0f} of the register's {before:,.0f} "
        f"persons kept ({kept - 1:+.2%})"
    )
    if target.totals is None:
        return
    codes = target.areas.index.astype(str)
    at_level = moved[moved[reg.id].astype(str).isin(codes)].set_index(reg.id)[persons]
    check = compare_totals(at_level, target.totals.reindex(target.totals.index.intersection(codes)))
    view.totals = check
    largest = ""
    if check.largest is not None and check.table.loc[check.largest, "difference"] != 0:
        row = check.table.loc[check.largest]
        largest = (
            f"; largest difference {check.largest} ({row['estimate']:,.0f} against "
            f"{row['known']:,.0f}, {row['relative']:+.1%})"
        )
    view.notes.append(
        f"level {view.level}: {persons}{when} against the known totals of "
        f"{target.config.totals.name}: {check.estimate_sum:,.0f} against {check.known_sum:,.0f} "
        f"({check.total_error:+.2%}); absolute error {check.absolute_error_share:.2%} of the "
        f"known persons, median area error {check.median_relative_error:.2%}{largest}"
    )


def _notes(view: LevelView, data: ProjectData, level: str) -> list[str]:
    """What moving the register to ``level`` did, one sentence each."""
    notes = []
    for step in view.steps:
        if len(step.split) and step.link in ("containment", "codes", "crosswalk"):
            items = (
                [
                    f"{s} ({p})"
                    for s, p in zip(step.split["source"], step.split["parents"], strict=True)
                ]
                if "parents" in step.split
                else sorted(set(step.split["source"]))
            )
            notes.append(
                f"level {step.child} -> {step.parent}: {len(items)} area(s) split between "
                f"parents: {format_codes(items, limit=5)}"
                + (
                    "; each goes whole to the parent holding most of it (fix the boundaries or "
                    'use link = "interpolation")'
                    if step.link == "containment"
                    else ""
                )
            )
        if step.outside:
            notes.append(
                f"level {step.child} -> {step.parent}: areas {format_codes(step.outside)} have no "
                f"parent; their counts are not moved to {step.parent}"
            )
        if step.unknown_parents:
            notes.append(
                f"level {step.child} -> {step.parent}: parent codes "
                f"{format_codes(step.unknown_parents)} are not areas of {step.parent}"
            )
    assert view.moved is not None
    if view.moved.unlinked:
        notes.append(
            f"level {level}: register codes {format_codes(view.moved.unlinked)} cannot be moved "
            "(no polygon or no parent); they stay in aspatial indices and city totals and are "
            "left out of spatial analysis"
        )
    return notes


def describe_levels(data: ProjectData) -> list[str]:
    """Lines for ``geoseg validate``: each level, its link to its parent and what moving does.

    Every level is moved to exactly as ``geoseg run --level`` would, so the split areas and the
    totals errors reported are those of the run.
    """
    project = data.project
    chain = level_chain(project.levels)
    if not chain:
        return []
    lang = project.project.lang
    lines = []
    default = project.project.level or chain[0]
    for i, key in enumerate(chain):
        lvl = project.levels[key]
        inp = data.levels.get(key)
        n = len(inp.areas) if inp is not None else 0
        where = f"[areas] {project.areas.path}" if lvl.is_base else str(lvl.path)
        how = ""
        if i + 1 < len(chain):
            how = f"; counts reach {chain[i + 1]} by {lvl.how}"
            if lvl.how == "codes":
                how += f" (column {lvl.parent_id})"
            elif lvl.how == "crosswalk":
                how += f" ({lvl.crosswalk})"
            elif lvl.how == "interpolation":
                how += f" weighted by {_people(data, lvl)[1]}"
        mark = " (default)" if key == default else ""
        lines.append(f"level {key}{mark} ({lvl.label(lang)}): {n} areas from {where}{how}")
    for key in dict.fromkeys(v.people_from for v in project.levels.values() if v.people_from):
        inp = data.levels.get(key)
        if inp is None or key in chain or inp.totals is None:
            continue
        placed = float(inp.totals.reindex(inp.areas.index.astype(str)).fillna(0).sum())
        lost = float(inp.totals.sum()) - placed
        lines.append(
            f"level {key} ({project.levels[key].label(lang)}): {len(inp.areas)} areas from "
            f"{inp.config.path}; {placed:,.0f} persons of {inp.config.totals.name} weight the "
            "interpolation"
            + (f" ({lost:,.0f} persons of codes without a polygon left out)" if lost else "")
        )
    notes: list[str] = []
    for key in chain[1:]:
        notes.extend(project_at_level(data, key).notes)
    lines.extend(f"  {note}" for note in dict.fromkeys(notes))
    return lines
