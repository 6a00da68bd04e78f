"""The sections of the project file (``geoseg.toml``) as dataclasses mirroring ``docs/config.md``.

Each dataclass is one ``[section]`` of the file with its defaults; :class:`Project` holds them
all. They are read and checked by :func:`geoseg.io.config.read_config`, which exports them.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from geoseg.io.indicators import Indicator
from geoseg.io.reshape import RegisterTable
from geoseg.settings import (
    ANALYSIS_CRS,
    DEFAULT_MINUTES,
    DEFAULT_SEED,
    SERVICE_KINDS,
    SUPPRESSION_THRESHOLD,
    WALK_SPEED_KMH,
)

if TYPE_CHECKING:
    from geoseg.io.levels import LevelConfig

__all__ = [
    "AccessConfig",
    "AreasConfig",
    "DisclosureConfig",
    "HotspotsConfig",
    "IndicesConfig",
    "NetworkConfig",
    "PopulationConfig",
    "Project",
    "ProjectSection",
    "RegistersConfig",
    "SeriesBreakConfig",
    "SeriesConfig",
    "ServicesConfig",
    "TrendsConfig",
]


def _default_kinds() -> dict[str, str]:
    return {kind: spec["demand"] for kind, spec in SERVICE_KINDS.items()}


@dataclass
class ProjectSection:
    """``[project]``: name, fictional flag, analysis CRS, output folder, language, and the
    area level analyses run at by default (a ``[levels]`` key; default the ``[areas]`` level)."""

    name: str = "geoseg project"
    fictional: bool = False
    crs: str = ANALYSIS_CRS
    output: Path = Path("output")
    lang: str = "sv"
    level: str | None = None


@dataclass
class AreasConfig:
    """``[areas]``: the boundary file and its columns; ``crs`` declares the CRS of a boundary
    file that has none."""

    path: Path
    id: str
    layer: str | None = None
    name: str | None = None
    district: str | None = None
    district_name: str | None = None
    water: Path | None = None
    crs: str | None = None


@dataclass
class RegistersConfig:
    """``[registers]``: the register table and the roles of its columns.

    ``year = ""`` marks a single-year table; ``attribution`` is the credit line of the data
    (e.g. "Källa: SCB"), shown on the published pages.
    """

    path: Path | None
    id: str
    year: str | None = "year"
    total: str | None = None
    groups: list[str] = field(default_factory=list)
    multigroup: list[str] = field(default_factory=list)
    counts: list[str] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    income: str | None = None
    disadvantage: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    sep: str | None = None
    allow_missing: bool = False
    where: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    year_columns: str | None = None
    category: str | None = None
    categories: dict[str, str] = field(default_factory=dict)
    value: str | None = None
    derive: dict[str, str] = field(default_factory=dict)
    tables: list[RegisterTable] = field(default_factory=list)
    source: str | None = None
    attribution: str | None = None
    regions: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    select: dict[str, list[str]] = field(default_factory=dict)

    def table_specs(self) -> list[RegisterTable]:
        """The delivered tables to reshape (empty for one tidy table read as it is)."""
        if self.tables:
            return list(self.tables)
        one = RegisterTable(
            path=self.path,  # type: ignore[arg-type]
            label=self.label,
            where=dict(self.where),
            year_columns=self.year_columns,
            category=self.category,
            categories=dict(self.categories),
            value=self.value,
            sheet=self.sheet,
            encoding=self.encoding,
            sep=self.sep,
            source=self.source,
            regions=list(self.regions),
            years=list(self.years),
            select=dict(self.select),
        )
        return [one] if one.reshapes else []

    def paths(self) -> list[Path]:
        """Every register file the project reads (tables fetched from ``source`` have none)."""
        if self.tables:
            return [t.path for t in self.tables if t.path is not None and not t.source]
        return [self.path] if self.path is not None and not self.source else []

    def origins(self) -> list[str]:
        """Where every register table comes from: its path or its ``source``."""
        if self.tables:
            return [t.origin for t in self.tables]
        return [self.source] if self.source else [str(self.path)]

    def count_columns(self, extra: typing.Iterable[str] = ()) -> list[str]:
        """All columns validated as counts: ``counts``, ``total``, groups, disadvantage, extra."""
        cols = [
            *self.counts,
            *([self.total] if self.total else []),
            *self.groups,
            *self.multigroup,
            *([self.disadvantage] if self.disadvantage else []),
            *extra,
        ]
        return [c for c in dict.fromkeys(cols) if c not in self.amounts]

    def amount_columns(self) -> list[str]:
        """All columns validated as amounts: ``amounts`` and ``income``."""
        return list(dict.fromkeys([*self.amounts, *([self.income] if self.income else [])]))


@dataclass
class ServicesConfig:
    """``[services]``: service points, ``[services.kinds]`` (kind -> demand column) and
    ``[services.osm]`` (kind -> OSM tag filters read from the ``[network]`` extract)."""

    path: Path | None = None
    id: str = "service_id"
    kind: str = "kind"
    name: str = "name"
    capacity: str = "capacity"
    x: str = "x"
    y: str = "y"
    crs: str | None = None
    layer: str | None = None
    kinds: dict[str, str] = field(default_factory=_default_kinds)
    osm: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class NetworkConfig:
    """``[network]``: an OSM extract, GraphML or saved arrays, or a place to download.

    ``clip`` keeps only the streets within ``buffer_m`` metres of the areas (default: the
    distance walked in the longest time threshold), so that a regional extract can be used.
    """

    path: Path | None = None
    place: str | None = None
    network_type: str = "walk"
    cache_folder: Path | None = None
    clip: bool = True
    buffer_m: float | None = None


@dataclass
class PopulationConfig:
    """``[population]``: where residents live: a population grid and/or residential buildings.

    The grid wins when both are given; ``buildings_weight`` names the buildings' weight column
    (dwellings, floor area); without it buildings are weighted by their footprint area.
    """

    grid: Path | None = None
    buildings: Path | None = None
    buildings_layer: str | None = None
    buildings_weight: str | None = None


@dataclass
class IndicesConfig:
    """``[indices]``: which segregation indices, permutations and seed."""

    names: list[str] = field(default_factory=list)
    permutations: int = 99
    seed: int = DEFAULT_SEED


@dataclass
class HotspotsConfig:
    """``[hotspots]``: variables, rates, weights and inference options."""

    variables: list[str] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)
    weights: str = "queen"
    permutations: int = 999
    alpha: float = 0.05
    correction: str = "fdr"
    seed: int = DEFAULT_SEED


@dataclass
class AccessConfig:
    """``[access]``: walking speed, time threshold, maximum snapping distance, and what to do
    without a street network (``fallback = "none"`` skips walking access with a warning;
    ``"straight_line"`` uses straight-line distance times ``detour``)."""

    speed_kmh: float = WALK_SPEED_KMH
    minutes: float = DEFAULT_MINUTES
    max_snap_m: float = 500.0
    fallback: str = "none"
    detour: float = 1.3


@dataclass
class DisclosureConfig:
    """``[disclosure]``: counts below ``threshold`` are suppressed in published output.

    A threshold below 3 is refused unless ``allow_small_counts`` is true; it is then printed in
    every output's metadata.
    """

    threshold: int = SUPPRESSION_THRESHOLD
    allow_small_counts: bool = False


@dataclass
class SeriesBreakConfig:
    """One ``[[series.breaks]]`` entry: values from ``year`` on are not comparable with earlier.

    ``indicators`` is ``"all"`` or a list of indicator (register column) names; ``crosswalk``
    an optional CSV (``from_code``, ``to_code``, optional ``weight``) carrying earlier values
    over to the new codes.
    """

    year: int
    reason: str
    indicators: str | list[str] = "all"
    crosswalk: Path | None = None


@dataclass
class SeriesConfig:
    """``[series]``: breaks in the registers' series (``[[series.breaks]]``)."""

    breaks: list[SeriesBreakConfig] = field(default_factory=list)


@dataclass
class TrendsConfig:
    """``[trends]``: slope estimator, its interval, and the emerging hotspots' time window."""

    method: str = "theil_sen"
    confidence: float = 0.95
    time_window: int = 1


@dataclass
class Project:
    """A whole project file, every section filled with its defaults where absent."""

    path: Path
    folder: Path
    project: ProjectSection
    areas: AreasConfig
    registers: RegistersConfig
    services: ServicesConfig = field(default_factory=ServicesConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    indices: IndicesConfig = field(default_factory=IndicesConfig)
    hotspots: HotspotsConfig = field(default_factory=HotspotsConfig)
    access: AccessConfig = field(default_factory=AccessConfig)
    disclosure: DisclosureConfig = field(default_factory=DisclosureConfig)
    #: ``[indicators]``: what maps and the report show (defaults from the register's roles).
    indicators: dict[str, Indicator] = field(default_factory=dict)
    series: SeriesConfig = field(default_factory=SeriesConfig)
    trends: TrendsConfig = field(default_factory=TrendsConfig)
    #: ``[levels.NAME]``: area levels and how counts reach each (see :mod:`geoseg.io.levels`).
    levels: dict[str, LevelConfig] = field(default_factory=dict)
    #: The register's own boundary file when ``areas`` describes another level (a project seen
    #: at a level, :func:`geoseg.levels.project_at_level`); still an input of the project.
    register_areas: Path | None = None

    @property
    def crs(self) -> str:
        """The analysis CRS."""
        return self.project.crs

    @property
    def output(self) -> Path:
        """The results folder (absolute)."""
        return self.project.output
