"""The national project file: municipality projects run together, and the national measures.

A national project file (``national.toml``, see ``docs/config.md``) lists one ordinary
project file per municipality and declares the inputs of the national measures::

    [national]
    name = "Exempelland (fiktivt)"
    seed = 2026                      # each municipality's seed derives from it and its code
    lang = "sv"                      # language of the index page
    output = "output"

    [national.municipalities]        # municipality code -> its project file
    "9901" = "9901/geoseg.toml"      # or: municipalities = "*/geoseg.toml" (code = folder)

    [national.index]                 # the socio-economic index and the area types
    indicators = ["low_economic_standard", "employment", "low_education"]
    cuts = [-1.5, -1.0, 0.0, 1.0]

    [national.income]                # inequality and segregation index
    groups = ["income_q1", "income_q2", "income_q3", "income_q4", "income_q5"]
    low = "income_q1"
    high = "income_q5"

    [indicators.low_economic_standard]   # as in a municipality's project file
    numerator = "low_economic_standard"
    ...
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geoseg.errors import ConfigError
from geoseg.io.indicators import Indicator, parse_indicators

__all__ = ["NationalProject", "is_national", "read_national"]

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
_KEYS = {"name", "fictional", "seed", "lang", "output", "municipalities", "index", "income"}
_LANGS = ("sv", "en")


@dataclass(frozen=True)
class NationalProject:
    """A parsed national project file.

    Attributes
    ----------
    path, folder
        The file and the folder relative paths are resolved against.
    name, fictional, seed, output
        As in ``[national]``; ``seed`` is the root of every task's seed (``None``: each
        municipality keeps the seeds of its own project file).
    lang
        Language of the national index page (``"sv"`` or ``"en"``).
    municipalities
        Municipality code -> its project file, in the file's order.
    indicators
        The socio-economic index's indicators (``[national.index] indicators`` looked up in
        ``[indicators]``); empty means the Swedish defaults.
    cuts
        Area type cut points (``[national.index] cuts``), or ``None`` for the defaults.
    income_groups, income_low, income_high
        Register columns of the income groups (``[national.income]``); empty when not given.
    """

    path: Path
    folder: Path
    name: str = "geoseg national project"
    fictional: bool = False
    seed: int | None = None
    lang: str = "sv"
    output: Path = Path("output")
    municipalities: dict[str, Path] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    cuts: tuple[float, ...] | None = None
    income_groups: tuple[str, ...] = ()
    income_low: str | None = None
    income_high: str | None = None


def is_national(path: str | Path) -> bool:
    """Whether ``path`` is a national project file (it has a ``[national]`` table)."""
    try:
        with Path(path).open("rb") as fh:
            return "national" in tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _municipalities(value: Any, folder: Path, problems: list[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    if isinstance(value, str):
        files = sorted(folder.glob(value))
        if not files:
            problems.append(
                f"[national] municipalities = {value!r} matches no project file under {folder}"
            )
        items = [(f.parent.name, f) for f in files]
    elif isinstance(value, dict):
        items = []
        for code, rel in value.items():
            if not isinstance(rel, str):
                problems.append(f"[national.municipalities] {code!r} must be a path, got {rel!r}")
                continue
            items.append((code, folder / rel))
    else:
        problems.append(
            "[national] municipalities must be a table (code = path) or a glob such as "
            '"*/geoseg.toml"'
        )
        return out
    bad = [code for code, _ in items if not _CODE.match(str(code))]
    if bad:
        problems.append(
            f"municipality code(s) {', '.join(map(repr, bad[:8]))} are not plain codes "
            "(letters, digits, '-' or '_'); give codes such as \"0114\""
        )
    for code, path in items:
        if _CODE.match(str(code)):
            out[str(code)] = path
    if not out and not problems:
        problems.append("[national] lists no municipality")
    return out


def read_national(path: str | Path) -> NationalProject:
    """Read and check a national project file; report every problem at once.

    Parameters
    ----------
    path
        The national project file.

    Returns
    -------
    NationalProject

    Raises
    ------
    geoseg.errors.ConfigError
        Unreadable TOML, unknown keys, bad types or references (all problems in one message,
        naming the file). Missing municipality project files are not checked here: each is
        reported by its own task, so the others still run.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        msg = f"{p}: cannot read the national project file ({exc.strerror})"
        raise ConfigError(msg) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"{p}: not valid TOML ({exc}); fix the file's syntax"
        raise ConfigError(msg) from exc
    folder = p.resolve().parent
    problems: list[str] = []
    nat = data.get("national")
    if not isinstance(nat, dict):
        msg = f"{p}: a national project file needs a [national] table"
        raise ConfigError(msg)
    unknown = sorted(set(nat) - _KEYS)
    if unknown:
        problems.append(
            f"[national] unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}"
        )
    seed = nat.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        problems.append(f"[national] seed must be a whole number >= 0, got {seed!r}")
        seed = None
    lang = nat.get("lang", "sv")
    if lang not in _LANGS:
        problems.append(f"[national] lang must be one of {', '.join(_LANGS)}, got {lang!r}")
    munis = _municipalities(nat.get("municipalities"), folder, problems)
    declared = parse_indicators(data.get("indicators", {}), problems)
    index = nat.get("index", {})
    chosen: dict[str, Indicator] = {}
    cuts: tuple[float, ...] | None = None
    if isinstance(index, dict):
        names = index.get("indicators", [])
        if not isinstance(names, list):
            problems.append("[national.index] indicators must be a list of indicator names")
            names = []
        for name in names:
            if name not in declared:
                problems.append(
                    f"[national.index] indicator {name!r} is not declared; add "
                    f"[indicators.{name}] with numerator, denominator and worse"
                )
            else:
                chosen[name] = declared[name]
        raw = index.get("cuts")
        if raw is not None:
            if (
                not isinstance(raw, list)
                or len(raw) != 4
                or not all(isinstance(v, int | float) for v in raw)
            ):
                problems.append(f"[national.index] cuts must be four numbers, got {raw!r}")
            else:
                cuts = tuple(float(v) for v in raw)
    else:
        problems.append("[national.index] must be a table")
    income = nat.get("income", {})
    groups: tuple[str, ...] = ()
    low = high = None
    if isinstance(income, dict):
        g = income.get("groups", [])
        if not isinstance(g, list) or not all(isinstance(v, str) for v in g):
            problems.append("[national.income] groups must be a list of register columns")
        else:
            groups = tuple(g)
        low, high = income.get("low"), income.get("high")
        for key, val in (("low", low), ("high", high)):
            if val is not None and (not isinstance(val, str) or val not in groups):
                problems.append(f"[national.income] {key} must be one of groups, got {val!r}")
    else:
        problems.append("[national.income] must be a table")
    if problems:
        msg = f"{p}: " + "; ".join(problems) + "."
        raise ConfigError(msg)
    return NationalProject(
        path=p.resolve(),
        folder=folder,
        name=str(nat.get("name", "geoseg national project")),
        fictional=bool(nat.get("fictional", False)),
        seed=None if seed is None else int(seed),
        lang=str(lang),
        output=folder / str(nat.get("output", "output")),
        municipalities=munis,
        indicators=chosen,
        cuts=cuts,
        income_groups=groups,
        income_low=low,
        income_high=high,
    )
