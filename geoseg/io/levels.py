"""Area levels of a project: the ``[levels.NAME]`` tables of the project file and their files.

A project may describe its areas at several levels (Gothenburg: basområde, primärområde,
mellanområde, stadsområde; SCB: DeSO, RegSO, kommun). Each level names its boundaries, its
parent (the next coarser level) and how counts get there::

    [levels.regso]                 # no path: the [areas] boundaries (the register's level)
    label_sv = "RegSO"
    label_en = "RegSO"
    parent = "primaromrade"
    link = "interpolation"         # the two systems do not nest

    [levels.primaromrade]
    label_sv = "Primärområde"
    label_en = "Primary area"
    path = "primaromraden.gpkg"
    id = "omrade_kod"
    name = "omrade_namn"
    parent = "stadsomrade"
    parent_id = "stadsomrade_kod"  # a column of these boundaries: link = "codes"

    [levels.stadsomrade]
    path = "stadsomraden.gpkg"
    id = "omrade_kod"
    name = "omrade_namn"

This module parses those tables (:func:`parse_levels`, called by
:func:`geoseg.io.read_config`) and reads each level's boundaries, crosswalk and known totals
(:func:`read_levels`). What the counts become at a level is computed by :mod:`geoseg.areas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoseg.errors import GeoSegError, ValidationError
from geoseg.io._config_tables import build_section
from geoseg.io._csv import read_text_table
from geoseg.io._validate import closest

if TYPE_CHECKING:
    from geoseg.io.config import Project

__all__ = [
    "LINKS",
    "LevelConfig",
    "LevelInput",
    "level_chain",
    "parse_levels",
    "read_levels",
]

#: How a level's counts reach its parent: a code column of the level's boundaries, a crosswalk
#: file, spatial containment (nested boundaries) or areal interpolation (systems that do not
#: nest).
LINKS = ("codes", "crosswalk", "containment", "interpolation")


@dataclass
class LevelConfig:
    """One ``[levels.NAME]`` table.

    ``path = None`` marks the level of ``[areas]`` (the register's own areas); ``level`` is
    the table's key.
    """

    level: str = ""
    label_sv: str | None = None
    label_en: str | None = None
    path: Path | None = None
    layer: str | None = None
    id: str | None = None
    name: str | None = None
    crs: str | None = None
    parent: str | None = None
    link: str | None = None
    parent_id: str | None = None
    crosswalk: Path | None = None
    crosswalk_from: str = "from_code"
    crosswalk_to: str = "to_code"
    crosswalk_weight: str | None = None
    people_from: str | None = None
    totals: Path | None = None
    totals_id: str | None = None
    totals_column: str | None = None
    totals_where: dict[str, str] = field(default_factory=dict)
    totals_year: int | None = None

    @property
    def is_base(self) -> bool:
        """Whether this is the ``[areas]`` level (no boundary file of its own)."""
        return self.path is None

    @property
    def how(self) -> str | None:
        """The link to the parent: declared, or implied by ``parent_id`` / ``crosswalk``."""
        if self.parent is None:
            return None
        if self.link is not None:
            return self.link
        if self.parent_id is not None:
            return "codes"
        if self.crosswalk is not None:
            return "crosswalk"
        return "containment"

    def label(self, lang: str) -> str:
        """What people read: the Swedish or English label, else the level's key."""
        text = self.label_sv if lang == "sv" else self.label_en
        return text or self.label_en or self.label_sv or self.level


_FILES = ("path", "crosswalk", "totals")


def parse_levels(
    raw: Any, *, folder: Path, problems: list[str], default: str | None = None
) -> dict[str, LevelConfig]:
    """Parse the ``[levels]`` tables, collecting every problem in ``problems``.

    Parameters
    ----------
    raw
        The ``levels`` value of the TOML document (a table of tables).
    folder
        The project file's folder (paths are relative to it).
    problems
        Problems are appended here.
    default
        ``[project] level``: must name a declared level.

    Returns
    -------
    dict
        Level key -> :class:`LevelConfig`, in the file's order.
    """
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        problems.append(
            "[levels] must hold one table per level, written [levels.NAME] with path, id, "
            "name, parent and how to reach it (see docs/config.md)"
        )
        return {}
    out: dict[str, LevelConfig] = {}
    for key, table in raw.items():
        where = f"levels.{key}"
        if "level" in table:
            problems.append(f"[{where}] unknown key 'level'; the level's name is its table key")
            continue
        before = len(problems)
        built = build_section(where, LevelConfig, table, folder, problems, True)
        if built is None or len(problems) > before:
            continue
        built.level = str(key)
        for attr in _FILES[1:]:
            value = getattr(built, attr)
            if value is not None and not Path(value).exists():
                problems.append(f"[{where}] {attr}: file {value} not found")
        _check_level(built, where, problems)
        out[str(key)] = built
    for key, lvl in out.items():
        src = lvl.people_from
        if src is None:
            continue
        if lvl.how != "interpolation":
            problems.append(
                f'[levels.{key}] people_from weights link = "interpolation" only; remove it or '
                'set link = "interpolation"'
            )
        if src not in out:
            problems.append(
                f"[levels.{key}] people_from {src!r} is not a declared level"
                f"{closest(src, out)}; declared: {', '.join(out)}"
            )
        elif out[src].totals is None or out[src].is_base:
            problems.append(
                f"[levels.{key}] people_from {src!r} needs a level with its own path and totals "
                "(the persons of each of its areas)"
            )
    bases = [k for k, v in out.items() if v.is_base]
    if len(bases) > 1:
        problems.append(
            f"[levels] {', '.join(bases)} have no path; only the [areas] level may leave it out "
            "(give the others their boundary file)"
        )
    for key, lvl in out.items():
        if lvl.parent is not None and lvl.parent not in out:
            problems.append(
                f"[levels.{key}] parent {lvl.parent!r} is not a declared level"
                f"{closest(lvl.parent, out)}; declared: {', '.join(out)}"
            )
    if out and not problems:
        chain = level_chain(out)
        weights = {v.people_from for v in out.values()}
        unreachable = [k for k in out if k not in chain and k not in weights]
        if unreachable:
            problems.append(
                f"[levels] {', '.join(unreachable)} cannot be reached from the register's areas "
                f"(the chain is {' -> '.join(chain)}); each level names one parent, so link "
                "them in one chain from the [areas] level (the level without path)"
            )
    if default is not None and default not in out:
        problems.append(
            f"[project] level {default!r} is not a declared level{closest(default, out)}"
            + (f"; declared: {', '.join(out)}" if out else "; declare it as [levels.NAME]")
        )
    return out


def _check_level(lvl: LevelConfig, where: str, problems: list[str]) -> None:
    """Checks of one level on its own."""
    if lvl.path is not None and lvl.id is None:
        problems.append(f"[{where}] needs 'id' (the area code column of {lvl.path.name})")
    if lvl.path is None:
        for key in ("layer", "id", "name"):
            if getattr(lvl, key) is not None:
                problems.append(
                    f"[{where}] {key} is set without path; a level without path is the [areas] "
                    "level and takes its columns from [areas]"
                )
    if lvl.link is not None and lvl.link not in LINKS:
        problems.append(f"[{where}] link must be one of {', '.join(LINKS)}, got {lvl.link!r}")
    if lvl.parent is None:
        for key in ("link", "parent_id", "crosswalk"):
            if getattr(lvl, key) is not None:
                problems.append(f"[{where}] {key} is set but parent is not")
    if lvl.parent_id is not None and lvl.crosswalk is not None:
        problems.append(f"[{where}] give either parent_id or crosswalk, not both")
    how = lvl.how
    if how == "codes" and lvl.parent_id is None:
        problems.append(
            f'[{where}] link = "codes" needs parent_id: the column of this level\'s boundaries '
            "holding the parent's code"
        )
    if how == "crosswalk" and lvl.crosswalk is None:
        problems.append(f'[{where}] link = "crosswalk" needs crosswalk (a CSV file)')
    if how in ("containment", "interpolation") and (
        lvl.parent_id is not None or lvl.crosswalk is not None
    ):
        problems.append(f'[{where}] link = "{how}" is spatial: remove parent_id / crosswalk')
    if lvl.parent is not None and lvl.parent == lvl.level:
        problems.append(f"[{where}] parent is the level itself")
    if lvl.totals is not None and (lvl.totals_id is None or lvl.totals_column is None):
        problems.append(
            f"[{where}] totals needs totals_id (its area code column) and totals_column (the "
            "persons)"
        )


def level_chain(levels: dict[str, LevelConfig]) -> list[str]:
    """The levels from the ``[areas]`` level up its parents (empty without an ``[areas]`` level).

    A cycle of parents stops the chain where it would repeat.
    """
    base = next((k for k, v in levels.items() if v.is_base), None)
    chain: list[str] = []
    current = base
    while current is not None and current not in chain and current in levels:
        chain.append(current)
        current = levels[current].parent
    return chain


@dataclass
class LevelInput:
    """A level's files as read.

    Attributes
    ----------
    config
        Its ``[levels.NAME]`` table.
    areas
        Its polygons (index: code); for the ``[areas]`` level, the project's areas.
    crosswalk
        The crosswalk table (``link = "crosswalk"``), or ``None``.
    totals
        Known persons per area of this level (``totals``), or ``None``.
    """

    config: LevelConfig
    areas: gpd.GeoDataFrame
    crosswalk: pd.DataFrame | None = None
    totals: pd.Series | None = None


def _read_table(path: Path, columns: list[str], where: str, problems: list[str]) -> Any:
    try:
        frame = read_text_table(path).frame
    except GeoSegError as exc:
        problems.append(str(exc))
        return None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(
            f"{path}: [{where}] names column(s) {', '.join(map(repr, missing))}, which the file "
            f"does not have; columns: {', '.join(map(repr, frame.columns))}"
        )
        return None
    return frame


def _read_totals(lvl: LevelConfig, problems: list[str]) -> pd.Series | None:
    """Known persons per area of a level, from its ``totals`` table."""
    where = f"levels.{lvl.level}"
    cols = [lvl.totals_id, lvl.totals_column, *lvl.totals_where]
    frame = _read_table(lvl.totals, [c for c in cols if c], where, problems)  # type: ignore[arg-type]
    if frame is None:
        return None
    for col, value in lvl.totals_where.items():
        frame = frame[frame[col].astype(str) == value]
    text = frame[lvl.totals_column].astype(str).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.str.replace(" ", "", regex=False), errors="coerce")
    bad = frame[lvl.totals_id][values.isna()].astype(str).tolist()
    if bad:
        problems.append(
            f"{lvl.totals}: column {lvl.totals_column!r} is not a number for areas "
            f"{', '.join(bad[:10])}"
        )
        return None
    codes = frame[lvl.totals_id].astype(str).str.strip()
    if codes.duplicated().any():
        problems.append(
            f"{lvl.totals}: codes {', '.join(codes[codes.duplicated()].unique()[:10])} appear "
            "more than once; narrow the rows with totals_where"
        )
        return None
    return pd.Series(values.to_numpy(dtype=float), index=pd.Index(codes, dtype=object))


def read_levels(project: Project, *, areas: gpd.GeoDataFrame | None) -> dict[str, LevelInput]:
    """Read the boundaries, crosswalks and known totals of every level of a project.

    Parameters
    ----------
    project
        A :class:`geoseg.io.config.Project`.
    areas
        The project's ``[areas]`` polygons (the level without path).

    Returns
    -------
    dict
        Level key -> :class:`LevelInput`, along the chain from the ``[areas]`` level.

    Raises
    ------
    ValidationError
        Every problem of every level's files at once (missing columns, unreadable files).
    """
    from geoseg.io.boundaries import read_boundaries

    levels: dict[str, LevelConfig] = project.levels
    problems: list[str] = []
    out: dict[str, LevelInput] = {}
    chain = level_chain(levels)
    weights = [lvl.people_from for lvl in levels.values() if lvl.people_from is not None]
    for key in dict.fromkeys([*chain, *weights]):
        lvl = levels[key]
        where = f"levels.{key}"
        if lvl.is_base:
            if areas is None:
                continue
            gdf = areas
        else:
            try:
                gdf = read_boundaries(
                    lvl.path,  # type: ignore[arg-type]
                    id_column=lvl.id,  # type: ignore[arg-type]
                    layer=lvl.layer,
                    name_column=lvl.name,
                    crs=project.crs,
                    source_crs=lvl.crs,
                )
            except GeoSegError as exc:
                problems.append(str(exc))
                continue
        if lvl.how == "codes" and lvl.parent_id not in gdf.columns:
            source = project.areas.path if lvl.is_base else lvl.path
            problems.append(
                f"{source}: [{where}] parent_id names column {lvl.parent_id!r}, which the "
                f"boundaries do not have; columns: "
                f"{', '.join(repr(c) for c in gdf.columns if c != 'geometry')}"
            )
        crosswalk = None
        if lvl.how == "crosswalk":
            cols = [lvl.crosswalk_from, lvl.crosswalk_to]
            if lvl.crosswalk_weight:
                cols.append(lvl.crosswalk_weight)
            crosswalk = _read_table(lvl.crosswalk, cols, where, problems)  # type: ignore[arg-type]
        totals = _read_totals(lvl, problems) if lvl.totals is not None else None
        out[key] = LevelInput(config=lvl, areas=gdf, crosswalk=crosswalk, totals=totals)
    if problems:
        raise ValidationError(str(project.path), problems)
    return out
