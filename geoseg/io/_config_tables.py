"""Building the project file's sections from their TOML tables, every problem collected.

:func:`build_section` checks each key of a table against its dataclass (unknown keys with a
"did you mean", values of the wrong type, input files that do not exist, required keys) and
converts the values (paths resolved against the project file's folder); the register tables
(``[[registers.tables]]``), their ``source`` and the series breaks (``[[series.breaks]]``)
are built here too. Ranges and choices are checked afterwards (:mod:`geoseg.io._config_checks`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

from geoseg.errors import GeoSegError
from geoseg.io._config_sections import SeriesBreakConfig
from geoseg.io._validate import closest
from geoseg.io.reshape import RegisterTable
from geoseg.io.scb import parse_source

__all__ = ["build_section"]

#: Keys holding input files that must exist (``cache_folder`` and ``output`` are created).
_INPUT_FILES = frozenset({"path", "grid", "water", "buildings"})
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


def build_section(
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
        built = build_section(f"registers.tables {i}", RegisterTable, table, folder, problems, True)
        if built is not None:
            out.append(built)
    return out
