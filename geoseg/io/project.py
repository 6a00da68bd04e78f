"""Loading every input of a project and checking them against each other.

The checks of the loaded inputs against each other and of the output folder are in
:mod:`geoseg.io.project_checks`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from geoseg.errors import GeoSegError, NetworkError, ValidationError, format_codes
from geoseg.io.boundaries import read_boundaries, read_layer
from geoseg.io.buildings import read_buildings
from geoseg.io.config import Project, read_config
from geoseg.io.grid import read_population_grid
from geoseg.io.levels import read_levels
from geoseg.io.network import read_network
from geoseg.io.network_cache import load_network
from geoseg.io.network_checks import check_network_covers, default_buffer_m, network_report
from geoseg.io.project_checks import (
    OVERLAP_LIMIT,
    cross_check,
    output_problems,
    overlap_findings,
    project_inputs,
)
from geoseg.io.registers import read_register
from geoseg.io.services import read_services

if TYPE_CHECKING:
    from geoseg.access import WalkNetwork

__all__ = [
    "OVERLAP_LIMIT",
    "ProjectData",
    "describe_project",
    "load_project",
    "output_problems",
    "overlap_findings",
    "project_inputs",
    "read_project_register",
    "register_columns",
    "validate_project",
]

logger = logging.getLogger(__name__)


def register_columns(project: Project) -> tuple[list[str], list[str]]:
    """The register's count and amount columns a project reads.

    Counts: the groups, the total and the demand groups of the service kinds (when the project
    has services). Amounts: the declared amounts and the hotspot variables and rate parts (which
    must exist and be numeric), less any column already read as a count.
    """
    r = project.registers
    s = project.services
    demand = [c for c in s.kinds.values() if c not in r.amount_columns()] if s.path else []
    counts = r.count_columns(demand)
    hot = [
        *project.hotspots.variables,
        *(p for rate in project.hotspots.rates for p in rate.split(":")),
    ]
    amounts = [c for c in dict.fromkeys([*r.amount_columns(), *hot]) if c not in counts]
    return counts, amounts


def read_project_register(
    project: Project,
    *,
    count_columns: Sequence[str] | None = None,
    amount_columns: Sequence[str] | None = None,
    area_names: Mapping[str, str] | None = None,
    whole_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a project's register with the options of its ``[registers]`` table.

    Parameters
    ----------
    project
        The project file's settings: the register's file or tables, code and year columns,
        total, sheet, encoding, separator, ``where`` and ``derive``.
    count_columns, amount_columns
        The columns to read as counts and amounts (default :func:`register_columns`).
    area_names, whole_columns
        As in :func:`geoseg.io.read_register`.

    Returns
    -------
    pandas.DataFrame
        The tidy register (:func:`geoseg.io.read_register`).
    """
    r = project.registers
    if count_columns is None or amount_columns is None:
        counts, amounts = register_columns(project)
        count_columns = counts if count_columns is None else count_columns
        amount_columns = amounts if amount_columns is None else amount_columns
    return read_register(
        r.path,
        id_column=r.id,
        year_column=r.year,
        count_columns=count_columns,
        amount_columns=amount_columns,
        total_column=r.total,
        sheet=r.sheet,
        encoding=r.encoding,
        sep=r.sep,
        allow_missing=r.allow_missing,
        tables=r.table_specs() or None,
        where=r.where or None,
        derive=r.derive or None,
        area_names=area_names,
        whole_columns=whole_columns,
    )


@dataclass
class ProjectData:
    """The loaded inputs of a project.

    Attributes
    ----------
    project
        The project file's settings.
    areas
        Area polygons (index: area code).
    register
        The tidy register table.
    services
        Service points, or ``None`` when the project has no ``[services]`` path.
    grid
        Population grid points, or ``None`` when the project has no grid.
    water
        Water polygons (``[areas] water``), or ``None``: drawn on maps, and services whose
        way to the nearest street crosses water are reported.
    buildings
        Residential buildings (``[population] buildings``), or ``None``: where residents live
        when there is no grid; a float ``weight`` column when ``buildings_weight`` is named.
    levels
        The ``[levels]`` as read (:class:`geoseg.io.levels.LevelInput` by level key).
    warnings
        Cross-check findings that do not stop the analysis (codes without polygons, ...).
    """

    @property
    def placed_register(self) -> pd.DataFrame:
        """The register rows whose code has a polygon (what spatial analysis and maps use).

        Codes without a polygon stay in :attr:`register` (aspatial indices, city totals); see
        :data:`geoseg.io.registers.UNPLACED_RULE`.
        """
        reg = self.register
        codes = reg[self.project.registers.id].astype(str)
        keep = codes.isin(self.areas.index.astype(str))
        return reg if bool(keep.all()) else reg.loc[keep].reset_index(drop=True)

    project: Project
    areas: gpd.GeoDataFrame
    register: pd.DataFrame
    services: gpd.GeoDataFrame | None = None
    grid: gpd.GeoDataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    water: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    _network: WalkNetwork | None = field(default=None, repr=False)
    levels: dict[str, Any] = field(default_factory=dict)

    @property
    def has_network(self) -> bool:
        """Whether the project names a street network (file or place)."""
        net = self.project.network
        return net.path is not None or net.place is not None

    def network_options(self) -> dict[str, Any]:
        """How the street network is read: network type, and the clipping area and buffer."""
        cfg = self.project.network
        options: dict[str, Any] = {"network_type": cfg.network_type}
        if cfg.clip and self.areas is not None and len(self.areas):
            options["clip"] = self.areas.geometry
            options["buffer_m"] = (
                cfg.buffer_m if cfg.buffer_m is not None else default_buffer_m(self.project)
            )
        return options

    def network(self, *, cache_dir: str | Path | None = None) -> WalkNetwork:
        """Read the street network on first use (it is the slowest input) and keep it.

        Files go through the array cache (:func:`geoseg.io.load_network`; ``cache_dir``
        is its folder), so an unchanged file is read in milliseconds on the next run.

        Returns
        -------
        geoseg.access.WalkNetwork

        Raises
        ------
        NetworkError
            The project names no network, it cannot be read, or it lies elsewhere than the
            areas.
        """
        if self._network is None:
            net = self.project.network
            if not self.has_network:
                msg = (
                    f"{self.project.path}: the project has no street network; add [network] "
                    "path (an .osm.pbf / .osm / .osm.bz2 / .graphml file) or place."
                )
                raise NetworkError(msg)
            options = self.network_options()
            if net.path is not None:
                network = load_network(
                    net.path, crs=self.project.crs, cache_dir=cache_dir, options=options
                )
            else:
                network = read_network(
                    place=net.place,
                    crs=self.project.crs,
                    cache_folder=net.cache_folder or (self.project.folder / "cache" / "osmnx"),
                    **options,
                )
            check_network_covers(
                network, self.areas, str(net.path or net.place), default_buffer_m(self.project)
            )
            self._network = network
        return self._network


def _merge_services(
    listed: gpd.GeoDataFrame | None,
    osm: gpd.GeoDataFrame | None,
    path: Path | None,
    problems: list[str],
) -> gpd.GeoDataFrame:
    """The city's own services and those from OSM tags, each labelled with its ``source``."""
    parts = []
    if listed is not None:
        parts.append(listed.assign(source=Path(str(path)).name))
    if osm is not None:
        parts.append(osm)
    merged = gpd.GeoDataFrame(pd.concat(parts), geometry="geometry", crs=parts[0].crs)
    dup = merged.index[merged.index.duplicated()].unique()
    if len(dup):
        problems.append(
            f"{path}: service ids {format_codes(dup)} are also ids of services from OSM tags; "
            "rename them (OSM ids look like osm/node/123)"
        )
    return merged


def _try(problems: list[str], func: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a loader; turn its GeoSegError into a collected problem."""
    try:
        return func(*args, **kwargs)
    except GeoSegError as exc:
        problems.append(str(exc))
        return None


def _area_names(areas: gpd.GeoDataFrame | None, column: str | None) -> dict[str, str] | None:
    """Area code -> name, for registers that name regions instead of giving codes."""
    if areas is None or column is None or column not in areas.columns:
        return None
    return {str(c): str(n) for c, n in areas[column].items()}


def load_project(project: Project | str | Path) -> ProjectData:
    """Read every input of a project and check them against each other.

    Parameters
    ----------
    project
        A :class:`~geoseg.io.config.Project` or the path of a project file.

    Returns
    -------
    ProjectData
        Areas, register, services, grid and buildings; the street network is read on first call of
        :meth:`ProjectData.network`. Mismatches that do not stop an analysis (register codes
        without polygons, polygons without data, services or buildings outside the areas) are in
        ``warnings`` and logged.

    Raises
    ------
    ValidationError
        The problems of every input at once (each loader's message, plus cross-checks such as a
        district column the boundaries lack or hotspot variables the register lacks).
    """
    proj = project if isinstance(project, Project) else read_config(project)
    crs = proj.crs
    problems: list[str] = []
    a, s = proj.areas, proj.services
    data: dict[str, Any] = {}
    data["areas"] = _try(
        problems,
        read_boundaries,
        a.path,
        id_column=a.id,
        layer=a.layer,
        name_column=a.name,
        crs=crs,
        source_crs=a.crs,
    )
    data["register"] = _try(
        problems,
        read_project_register,
        proj,
        area_names=_area_names(data["areas"], a.name),
        # the persons an indicator counts are whole numbers too (unless declared amounts)
        whole_columns=[c for ind in proj.indicators.values() for c in ind.count_columns],
    )
    data["services"] = None
    listed = osm = None
    if s.path is not None:
        listed = _try(
            problems,
            read_services,
            s.path,
            id_column=s.id,
            kind_column=s.kind,
            name_column=s.name,
            capacity_column=s.capacity,
            x_column=s.x,
            y_column=s.y,
            source_crs=s.crs or crs,
            crs=crs,
            kinds=list(s.kinds),
            layer=s.layer,
        )
    if s.osm and proj.network.path is not None:
        from geoseg.io.osm_services import read_osm_services

        clip = data["areas"] if proj.network.clip and data["areas"] is not None else None
        osm = _try(
            problems,
            read_osm_services,
            proj.network.path,
            s.osm,
            crs=crs,
            clip=clip,
            buffer_m=default_buffer_m(proj)
            if proj.network.buffer_m is None
            else proj.network.buffer_m,
        )
    if listed is not None or osm is not None:
        data["services"] = _merge_services(listed, osm, s.path, problems)
    data["grid"] = None
    if proj.population.grid is not None:
        data["grid"] = _try(problems, read_population_grid, proj.population.grid, crs=crs)
    data["buildings"] = None
    pop = proj.population
    if pop.buildings is not None:
        data["buildings"] = _try(
            problems,
            read_buildings,
            pop.buildings,
            layer=pop.buildings_layer,
            weight=pop.buildings_weight,
            crs=crs,
        )
        if pop.grid is not None:
            logger.info(
                "%s: both a population grid and buildings are given; residents are placed "
                "with the grid",
                proj.path,
            )
    data["water"] = None
    if a.water is not None:
        data["water"] = _try(problems, read_layer, a.water, crs=crs)
    data["levels"] = {}
    if proj.levels:
        data["levels"] = _try(problems, read_levels, proj, areas=data["areas"]) or {}
    warnings = cross_check(data, proj, problems)
    if problems:
        raise ValidationError(str(proj.path), problems)
    for w in warnings:
        logger.warning("%s", w)
    return ProjectData(
        project=proj,
        areas=data["areas"],
        register=data["register"],
        services=data["services"],
        grid=data["grid"],
        warnings=warnings,
        water=data["water"],
        buildings=data["buildings"],
        levels=data["levels"],
    )


def validate_project(
    path: str | Path, *, network: bool = True, cache_dir: str | Path | None = None
) -> list[str]:
    """Check a project file and all its inputs; return a readable report.

    Parameters
    ----------
    path
        The project file.
    network
        Also read the street network (the slowest input) and report its size, connected
        parts, ways cut at the extract's edge and points too far from a street.
    cache_dir
        Folder of the network array cache (default: geoseg's cache folder).

    Returns
    -------
    list of str
        One line per input (what was read) followed by the warnings.

    Raises
    ------
    ConfigError
        The project file itself has problems.
    ValidationError
        Any input has problems (all listed at once).
    """
    return describe_project(load_project(path), network=network, cache_dir=cache_dir)


def describe_project(
    data: ProjectData, *, network: bool = True, cache_dir: str | Path | None = None
) -> list[str]:
    """One line per loaded input (what was read) followed by the warnings.

    With ``network`` the street network is read (through the array cache in ``cache_dir``)
    and described by :func:`network_report`.

    Raises
    ------
    ValidationError
        With ``network``, when the street network cannot be read.
    """
    proj = data.project
    lines = [f"project file {proj.path}: OK ({proj.project.name}, CRS {proj.crs})"]
    lines.append(f"areas: {len(data.areas)} polygons from {proj.areas.path}")
    reg = data.register
    years = ""
    if proj.registers.year and proj.registers.year in reg.columns:
        ys = sorted(set(reg[proj.registers.year].tolist()))
        years = f", years {ys[0]}-{ys[-1]}" if ys else ""
    lines.append(
        f"register: {len(reg)} rows, {reg[proj.registers.id].nunique()} areas{years} "
        f"from {', '.join(proj.registers.origins())}"
    )
    if data.services is not None:
        for source, part in data.services.groupby("source", sort=False):
            kinds = part["kind"].value_counts().sort_index()
            where = (
                f"OSM tags in {proj.network.path}" if source == "osm" else str(proj.services.path)
            )
            lines.append(
                f"services: {len(part)} ("
                + ", ".join(f"{k} {n}" for k, n in kinds.items())
                + f") from {where}"
            )
    if data.grid is not None:
        lines.append(
            f"population grid: {len(data.grid)} inhabited cells, "
            f"{data.grid['population'].sum():.0f} persons from {proj.population.grid}"
        )
    if data.buildings is not None:
        weight = proj.population.buildings_weight
        lines.append(
            f"buildings: {len(data.buildings)} footprints from {proj.population.buildings}"
            + (f" (weight column {weight!r})" if weight else " (weighted by footprint area)")
        )
    if network and data.has_network:
        try:
            net = data.network(cache_dir=cache_dir)
        except GeoSegError as exc:
            raise ValidationError(str(proj.path), [str(exc)]) from exc
        src = proj.network.path or f"place {proj.network.place!r}"
        lines.extend(network_report(net, data, source=str(src)))
    lines.extend(f"warning: {w}" for w in data.warnings)
    return lines
