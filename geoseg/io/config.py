"""The project file (``geoseg.toml``): dataclasses mirroring ``docs/config.md`` and its reader.

:func:`read_config` checks the whole file at once: unknown sections and keys (with a "did you
mean"), values of the wrong type or out of range, and input files that do not exist; every
problem is listed in one :class:`geoseg.errors.ConfigError`. Paths are resolved against the
folder of the project file.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geoseg.errors import ConfigError, GeoSegError
from geoseg.io._validate import closest, require_projected_crs
from geoseg.io.indicators import Indicator, default_indicators, parse_indicators
from geoseg.io.levels import LevelConfig, parse_levels
from geoseg.io.reshape import RegisterTable, parse_formula
from geoseg.io.scb import parse_source
from geoseg.settings import (
    ANALYSIS_CRS,
    DEFAULT_MINUTES,
    DEFAULT_SEED,
    SERVICE_KINDS,
    SUPPRESSION_THRESHOLD,
    WALK_SPEED_KMH,
)

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
    "project_setting",
    "read_config",
]

_LANGS = ("sv", "en")
_CORRECTIONS = ("fdr", "bonferroni", "none")
_FALLBACKS = ("none", "straight_line")
_NETWORK_TYPES = ("walk", "bike", "drive", "drive_service", "all", "all_public")
_WEIGHTS = re.compile(r"queen|rook|knn:[1-9]\d*|(distance|kernel):\d+(\.\d+)?")
_RATE = re.compile(r"[^:\s]+:[^:\s]+")
#: Keys holding input files that must exist (``cache_folder`` and ``output`` are created).
_INPUT_FILES = frozenset({"path", "grid", "water", "buildings"})


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
    """``[areas]``: the boundary file and its columns."""

    path: Path
    id: str
    layer: str | None = None
    name: str | None = None
    district: str | None = None
    district_name: str | None = None
    water: Path | None = None


@dataclass
class RegistersConfig:
    """``[registers]``: the register table and the roles of its columns.

    ``year = ""`` marks a single-year table.
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


_SECTIONS: dict[str, type] = {
    "project": ProjectSection,
    "areas": AreasConfig,
    "registers": RegistersConfig,
    "services": ServicesConfig,
    "network": NetworkConfig,
    "population": PopulationConfig,
    "indices": IndicesConfig,
    "hotspots": HotspotsConfig,
    "access": AccessConfig,
    "disclosure": DisclosureConfig,
    "series": SeriesConfig,
    "trends": TrendsConfig,
}
_BREAK_KEYS = ("year", "reason", "indicators", "crosswalk")


def _type_name(hint: Any) -> str:
    """Human name of a type hint for messages."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return _type_name(args[0])
    if origin is list:
        return "a list of texts"
    if origin is dict:
        value_hint = typing.get_args(hint)[1]
        if typing.get_origin(value_hint) is list:
            return "a table of lists of texts"
        return "a table of texts"
    return {
        str: "a text",
        bool: "true or false",
        int: "a whole number",
        float: "a number",
        Path: "a path (text)",
    }.get(hint, str(hint))


def _convert(value: Any, hint: Any, folder: Path) -> tuple[bool, Any]:
    """Check ``value`` against ``hint``; return ``(ok, converted)``."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(value, inner[0], folder)
    if origin is list:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return ok, list(value) if ok else value
    if origin is dict:
        if typing.get_origin(typing.get_args(hint)[1]) is list:
            ok = isinstance(value, dict) and all(
                isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()
            )
            return ok, {k: list(v) for k, v in value.items()} if ok else value
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        return ok, dict(value) if ok else value
    if hint is bool:
        return isinstance(value, bool), value
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if hint is str:
        return isinstance(value, str), value
    if hint is Path:
        ok = isinstance(value, str) and value.strip() != ""
        return ok, (folder / value) if ok else value
    return False, value  # pragma: no cover - every field type is handled above


def _build(
    name: str, cls: type, table: Any, folder: Path, problems: list[str], present: bool
) -> Any:
    """Build one section's dataclass from its TOML table, collecting problems."""
    if not isinstance(table, dict):
        problems.append(f"[{name}] must be a table (a section), not {type(table).__name__}")
        table = {}
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            problems.append(
                f"[{name}] unknown key {key!r}{closest(key, fields)}; known keys: "
                f"{', '.join(fields)}"
            )
            continue
        if name == "registers" and key == "year" and value == "":
            values[key] = None
            continue
        if name == "series" and key == "breaks":
            values[key] = _series_breaks(value, folder, problems)
            continue
        if name == "registers" and key == "tables":
            values[key] = _build_tables(value, folder, problems)
            continue
        if name.startswith("registers") and key == "years" and isinstance(value, list):
            value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        ok, converted = _convert(value, hints[key], folder)
        if ok:
            values[key] = converted
            if key in _INPUT_FILES and not converted.exists():
                problems.append(f"[{name}] {key}: file {converted} not found")
        else:
            problems.append(f"[{name}] {key} must be {_type_name(hints[key])}, got {value!r}")
    required = [
        f.name
        for f in fields.values()
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    if name == "registers" and values.get("tables"):  # path comes from the tables
        values.setdefault("path", values["tables"][0].path)
    if name.startswith("registers") and values.get("source"):  # fetched, not read from a file
        values.setdefault("path", None)
    if name.startswith("registers"):
        _check_source(name, values, "path" in table, problems)
    absent = [k for k in required if k not in values]
    if absent:
        if present or name in ("areas", "registers"):
            problems.append(
                f"[{name}] needs {', '.join(repr(k) for k in absent)}"
                + ("" if present else f" (the [{name}] section is missing)")
            )
        return None
    for key, spec in fields.items():  # defaults that are paths are relative to the folder too
        if key not in values and isinstance(spec.default, Path):
            values[key] = folder / spec.default
    return cls(**values)


def _check_source(name: str, values: dict[str, Any], has_path: bool, problems: list[str]) -> None:
    """``source = "scb:TABLE_ID"`` and its selection (``regions``, ``years``, ``select``)."""
    source = values.get("source")
    if source is None:
        used = [k for k in ("regions", "years", "select") if values.get(k)]
        if used:
            problems.append(
                f"[{name}] {', '.join(used)} select what is fetched from source = "
                '"scb:TABLE_ID"; set source, or remove them'
            )
        return
    try:
        parse_source(source)
    except GeoSegError as exc:
        problems.append(f"[{name}] {exc}")
    if has_path:
        problems.append(f"[{name}] give either path (a file) or source (a fetch), not both")
    if not values.get("regions"):
        problems.append(
            f'[{name}] source = "{source}" needs regions = [...] (region codes such as '
            '"1480" or patterns such as "1480R*")'
        )


def _series_breaks(value: Any, folder: Path, problems: list[str]) -> list[SeriesBreakConfig]:
    """Parse ``[[series.breaks]]`` (an array of tables), collecting problems."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(
            "[series] breaks must be written as [[series.breaks]] tables with year, reason and "
            "indicators"
        )
        return []
    out = []
    for number, entry in enumerate(value, start=1):
        where = f"[[series.breaks]] #{number}"
        bad = False
        for key in entry:
            if key not in _BREAK_KEYS:
                problems.append(
                    f"{where}: unknown key {key!r}{closest(key, _BREAK_KEYS)}; known keys: "
                    f"{', '.join(_BREAK_KEYS)}"
                )
                bad = True
        year = entry.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            problems.append(
                f"{where}: year must be a whole number (the first year of the new "
                f"series), got {year!r}"
            )
            bad = True
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"{where}: reason must say why the series breaks, got {reason!r}")
            bad = True
        indicators = entry.get("indicators", "all")
        if indicators != "all" and not (
            isinstance(indicators, list)
            and indicators
            and all(isinstance(i, str) and i for i in indicators)
        ):
            problems.append(
                f'{where}: indicators must be "all" or a list of indicator names, '
                f"got {indicators!r}"
            )
            bad = True
        crosswalk = entry.get("crosswalk")
        path = None
        if crosswalk is not None:
            if not isinstance(crosswalk, str) or not crosswalk.strip():
                problems.append(f"{where}: crosswalk must be a path (text), got {crosswalk!r}")
                bad = True
            else:
                path = folder / crosswalk
                if not path.exists():
                    problems.append(f"{where}: crosswalk: file {path} not found")
                    bad = True
        if not bad:
            out.append(
                SeriesBreakConfig(
                    year=year,  # type: ignore[arg-type]
                    reason=str(reason),
                    indicators=indicators if indicators == "all" else list(indicators),
                    crosswalk=path,
                )
            )
    return out


def _build_tables(value: Any, folder: Path, problems: list[str]) -> list[RegisterTable]:
    """Build ``[[registers.tables]]``: a list of tables, each with a path."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append(
            "[registers] tables must be a list of tables, written [[registers.tables]] with a "
            "path each"
        )
        return []
    out = []
    for i, table in enumerate(value, start=1):
        built = _build(f"registers.tables {i}", RegisterTable, table, folder, problems, True)
        if built is not None:
            out.append(built)
    return out


def _check_values(project: dict[str, Any], problems: list[str]) -> None:
    """Check ranges and choices of the built sections (all problems appended)."""
    proj: ProjectSection = project["project"]
    try:
        require_projected_crs(proj.crs, what="[project] crs")
    except GeoSegError as exc:
        problems.append(str(exc))
    if proj.lang not in _LANGS:
        problems.append(f"[project] lang must be one of {', '.join(_LANGS)}, got {proj.lang!r}")
    reg: RegistersConfig | None = project["registers"]
    if reg is not None and reg.sep is not None and len(reg.sep) != 1:
        problems.append(f"[registers] sep must be one character, got {reg.sep!r}")
    if reg is not None:
        for name, formula in reg.derive.items():
            try:
                parse_formula(formula)
            except GeoSegError as exc:
                problems.append(f"[registers] derive {name!r}: {exc}")
        areas: AreasConfig | None = project["areas"]
        labelled = any(t.label for t in reg.table_specs())
        if labelled and areas is not None and areas.name is None:
            problems.append(
                "[registers] label matches region labels to the areas' names: set [areas] name"
            )
    srv: ServicesConfig = project["services"]
    if srv.crs is not None:
        from pyproj import CRS

        try:
            CRS.from_user_input(srv.crs)
        except Exception as exc:  # pyproj raises its own error type for unknown CRSs
            problems.append(f"[services] crs {srv.crs!r} is not a known CRS ({exc})")
    net: NetworkConfig = project["network"]
    if srv.osm:
        _check_osm_services(srv, net, problems)
    if net.path is not None and net.place is not None:
        problems.append("[network] give either path or place, not both")
    if net.network_type not in _NETWORK_TYPES:
        problems.append(
            f"[network] network_type must be one of {', '.join(_NETWORK_TYPES)}, "
            f"got {net.network_type!r}"
        )
    if net.buffer_m is not None and not net.buffer_m >= 0:
        problems.append(f"[network] buffer_m must be >= 0, got {net.buffer_m}")
    pop: PopulationConfig = project["population"]
    if pop.buildings is None:
        for key in ("buildings_layer", "buildings_weight"):
            if getattr(pop, key) is not None:
                problems.append(f"[population] {key} is set but buildings (the file) is not")
    ind: IndicesConfig = project["indices"]
    hot: HotspotsConfig = project["hotspots"]
    for label, value in (
        ("[indices] permutations", ind.permutations),
        ("[hotspots] permutations", hot.permutations),
        ("[indices] seed", ind.seed),
        ("[hotspots] seed", hot.seed),
        ("[disclosure] threshold", project["disclosure"].threshold),
    ):
        if value < 0:
            problems.append(f"{label} must be >= 0, got {value}")
    disc: DisclosureConfig = project["disclosure"]
    if 0 <= disc.threshold < 3 and not disc.allow_small_counts:
        problems.append(
            f"[disclosure] threshold {disc.threshold} is below 3: published output would disclose "
            "very small counts; raise it, or add allow_small_counts = true if your statistical "
            "office permits it"
        )
    if not 0 < hot.alpha < 1:
        problems.append(f"[hotspots] alpha must lie between 0 and 1, got {hot.alpha}")
    if hot.correction not in _CORRECTIONS:
        problems.append(
            f"[hotspots] correction must be one of {', '.join(_CORRECTIONS)}, "
            f"got {hot.correction!r}"
        )
    if not _WEIGHTS.fullmatch(hot.weights):
        problems.append(
            f"[hotspots] weights must be queen, rook, knn:K, distance:METRES or kernel:METRES, "
            f"got {hot.weights!r}"
        )
    bad_rates = [r for r in hot.rates if not _RATE.fullmatch(r)]
    if bad_rates:
        problems.append(
            f"[hotspots] rates must be written NUMERATOR:DENOMINATOR, got {', '.join(bad_rates)}"
        )
    trends: TrendsConfig = project["trends"]
    if trends.method not in ("theil_sen", "ols"):
        problems.append(f"[trends] method must be theil_sen or ols, got {trends.method!r}")
    if not 0 < trends.confidence < 1:
        problems.append(f"[trends] confidence must lie between 0 and 1, got {trends.confidence}")
    if trends.time_window < 0:
        problems.append(f"[trends] time_window must be >= 0 years, got {trends.time_window}")
    acc: AccessConfig = project["access"]
    for label, value in (
        ("speed_kmh", acc.speed_kmh),
        ("minutes", acc.minutes),
        ("max_snap_m", acc.max_snap_m),
    ):
        if not value > 0:
            problems.append(f"[access] {label} must be > 0, got {value}")
    if acc.fallback not in _FALLBACKS:
        problems.append(
            f"[access] fallback must be one of {', '.join(_FALLBACKS)}, got {acc.fallback!r}"
        )
    if not 1 <= acc.detour <= 5:
        problems.append(
            f"[access] detour must lie between 1 and 5 (walking distance / straight-line "
            f"distance; 1.2-1.4 in cities), got {acc.detour:g}"
        )


def _check_osm_services(srv: ServicesConfig, net: NetworkConfig, problems: list[str]) -> None:
    """``[services.osm]``: known kinds, valid tag filters, an OSM extract to read them from."""
    from geoseg.io.osm_services import expand_service_tags

    for kind in srv.osm:
        if kind not in srv.kinds:
            problems.append(
                f"[services.osm] {kind}: not a kind of [services.kinds]; add "
                f'{kind} = "<register column of its demand group>" to [services.kinds]'
            )
    try:
        expand_service_tags(srv.osm)
    except ValueError as exc:
        problems.extend(f"[services.osm] {line}" for line in str(exc).splitlines())
    name = "" if net.path is None else net.path.name.lower()
    if not name.endswith((".pbf", ".osm", ".xml", ".bz2", ".gz")):
        problems.append(
            "[services.osm] reads services from the OSM extract of [network] path; name an "
            ".osm.pbf / .osm / .osm.bz2 / .osm.gz file there"
        )


def read_config(path: str | Path) -> Project:
    """Read and check a project file.

    Parameters
    ----------
    path
        The TOML project file (``geoseg.toml``).

    Returns
    -------
    Project
        Every section as a dataclass, defaults filled in, paths absolute (resolved against the
        project file's folder).

    Raises
    ------
    ConfigError
        The file is missing or not TOML, or it has problems (all listed at once): unknown
        sections or keys, values of the wrong type or out of range, missing required keys,
        input files that do not exist.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{p}: project file not found; give the path of a geoseg.toml (see docs/config.md)."
        raise ConfigError(msg)
    try:
        data = tomllib.loads(p.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        msg = f"{p}: the project file must be UTF-8 text ({exc})."
        raise ConfigError(msg) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: is not valid TOML ({exc}); check quotes, brackets and '=' signs."
        raise ConfigError(msg) from exc
    folder = p.resolve().parent
    problems: list[str] = []
    for key in data:
        if key not in _SECTIONS and key not in ("indicators", "levels"):
            problems.append(
                f"unknown section [{key}]{closest(key, _SECTIONS)}; known sections: "
                f"{', '.join([*_SECTIONS, 'indicators', 'levels'])}"
            )
    built: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        section = _build(name, cls, data.get(name, {}), folder, problems, name in data)
        if section is None and name not in ("areas", "registers"):
            section = cls()
        built[name] = section
    if built["project"] is not None:
        _check_values(built, problems)
    indicators = parse_indicators(data.get("indicators", {}), problems)
    default_level = built["project"].level if built["project"] is not None else None
    levels = parse_levels(
        data.get("levels", {}), folder=folder, problems=problems, default=default_level
    )
    reg = built["registers"]
    if "indicators" not in data and reg is not None:
        indicators = default_indicators(groups=reg.groups, total=reg.total, amounts=reg.amounts)
    if problems:
        n = len(problems)
        msg = f"{p}: {n} problem{'s' if n != 1 else ''} found:\n  - " + "\n  - ".join(problems)
        err = ConfigError(msg)
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return Project(path=p.resolve(), folder=folder, indicators=indicators, levels=levels, **built)


def project_setting(source: Any, *path: str, default: Any = None) -> Any:
    """A nested project setting, read from a :class:`Project`, a mapping or any object.

    Parameters
    ----------
    source
        A :class:`Project`, a loaded project (its ``project`` attribute), a mapping (a parsed
        TOML table) or a plain namespace holding the same names.
    *path
        Names to follow, such as ``("registers", "year")``.
    default
        Returned when a name along the path is absent or its value is ``None``.

    Returns
    -------
    object
        The value found, else ``default``.
    """
    cur = source
    for name in path:
        if cur is None:
            return default
        cur = cur.get(name) if isinstance(cur, Mapping) else getattr(cur, name, None)
    return default if cur is None else cur
