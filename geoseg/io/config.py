"""The project file (``geoseg.toml``): its reader and the dataclasses of its sections.

:func:`read_config` checks the whole file at once: unknown sections and keys (with a "did you
mean"), values of the wrong type or out of range, and input files that do not exist; every
problem is listed in one :class:`geoseg.errors.ConfigError`. Paths are resolved against the
folder of the project file.

The sections' dataclasses (mirroring ``docs/config.md``) live in
:mod:`geoseg.io._config_sections`, the building of each TOML table in
:mod:`geoseg.io._config_tables` and the checks of ranges and choices in
:mod:`geoseg.io._config_checks`; this module exports them all.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from geoseg.errors import ConfigError
from geoseg.io import _config_sections
from geoseg.io._config_checks import check_sections
from geoseg.io._config_sections import (
    AccessConfig,
    AreasConfig,
    DisclosureConfig,
    HotspotsConfig,
    IndicesConfig,
    NetworkConfig,
    PopulationConfig,
    Project,
    ProjectSection,
    RegistersConfig,
    SeriesConfig,
    ServicesConfig,
    TrendsConfig,
)
from geoseg.io._config_tables import build_section
from geoseg.io._validate import closest
from geoseg.io.indicators import default_indicators, parse_indicators
from geoseg.io.levels import parse_levels
from geoseg.settings import project_setting

__all__ = [*_config_sections.__all__, "project_setting", "read_config"]

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
        section = build_section(name, cls, data.get(name, {}), folder, problems, name in data)
        if section is None and name not in ("areas", "registers"):
            section = cls()
        built[name] = section
    if built["project"] is not None:
        check_sections(built, problems)
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
