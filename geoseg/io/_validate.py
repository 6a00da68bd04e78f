"""Shared validation helpers for geoseg's loaders.

These helpers never raise on their own (except :func:`require_projected_crs`): they return
problem sentences or masks so that a loader can collect every problem of an input and report
them all at once in one :class:`geoseg.errors.ValidationError`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geoseg.errors import CRSError, InputError, format_codes

__all__ = [
    "MISSING_MARKERS",
    "as_text_codes",
    "check_file",
    "closest",
    "duplicated_values",
    "missing_columns_problem",
    "parse_numbers",
    "require_projected_crs",
    "row_numbers",
]

#: Cell texts that mean "no value" in registers (SCB prints ``..`` for missing values).
MISSING_MARKERS = frozenset({"", ".", "..", "...", "-", "–", "NA", "N/A", "NaN", "nan", "null"})

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def check_file(path: str | Path, what: str) -> Path:
    """Return ``path`` as a :class:`~pathlib.Path`, refusing a missing file or a folder.

    Parameters
    ----------
    path
        The file to read.
    what
        Short description for the message, e.g. ``"boundary file"``.
    """
    p = Path(path)
    if not p.exists():
        msg = f"{p}: {what} not found; check the path (relative paths start at {Path.cwd()})."
        raise InputError(msg)
    if p.is_dir() and p.suffix.lower() not in {".gdb"}:
        msg = f"{p}: {what} is a folder, not a file; give the path of the file itself."
        raise InputError(msg)
    return p


def closest(name: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    hits = difflib.get_close_matches(name, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{hits[0]}'?)" if hits else ""


def missing_columns_problem(
    available: Sequence[object], required: Iterable[str], *, role: str = "column"
) -> str | None:
    """Return one sentence naming every required column that is absent, or ``None``.

    The sentence lists the columns that *are* available so that a typo is easy to spot.
    """
    have = [str(c) for c in available]
    missing = [c for c in dict.fromkeys(required) if c not in have]
    if not missing:
        return None
    hints = "".join(closest(c, have) for c in missing[:3])
    noun = role if len(missing) == 1 else f"{role}s"
    return (
        f"missing {noun} {', '.join(repr(c) for c in missing)}{hints}; "
        f"available columns: {', '.join(repr(c) for c in have) or 'none'}"
    )


def as_text_codes(values: pd.Series) -> tuple[pd.Series, bool]:
    """Turn a column of area codes into text, keeping missing values as ``None``.

    Returns the codes (object dtype, stripped text, ``None`` where missing) and whether any code
    was stored as a number in the file (so that leading zeros may already be lost). Whole-number
    floats such as ``114.0`` become ``"114"``.
    """
    out: list[str | None] = []
    numeric = False
    for v in values.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            out.append(None)
        elif isinstance(v, bool | np.bool_):
            numeric = True
            out.append(str(v))
        elif isinstance(v, int | np.integer):
            numeric = True
            out.append(str(int(v)))
        elif isinstance(v, float | np.floating):
            numeric = True
            fv = float(v)
            out.append(str(int(fv)) if math.isfinite(fv) and fv.is_integer() else repr(fv))
        else:
            s = str(v).strip()
            out.append(s if s else None)
    return pd.Series(out, index=values.index, dtype=object, name=values.name), numeric


def duplicated_values(codes: pd.Series) -> list[str]:
    """Return the distinct values that occur more than once (missing values ignored)."""
    present = codes.dropna()
    dup = present[present.duplicated(keep=False)]
    return [str(c) for c in dict.fromkeys(dup.tolist())]


def row_numbers(mask: np.ndarray | pd.Series, *, offset: int = 2, limit: int = 10) -> str:
    """Describe the rows selected by ``mask`` as file row numbers (the header is row 1)."""
    pos = np.flatnonzero(np.asarray(mask, dtype=bool)) + offset
    return format_codes(pos.tolist(), limit=limit)


def parse_numbers(values: pd.Series, *, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    """Convert a column of numbers written as text or stored as numbers into float64.

    Parameters
    ----------
    values
        The column; numbers, text or a mix (Excel).
    decimal_comma
        Whether ``,`` is the decimal mark (Swedish exports: ``12,5``). Thousands separators
        written as spaces (also no-break spaces) are always removed; with a decimal comma, dots
        in a value that also has a comma are taken as thousands separators.

    Returns
    -------
    numbers, bad
        The float64 values (NaN where missing or unreadable) and a boolean mask of cells that
        hold text which is not a number (missing markers such as ``..`` are not "bad").
    """
    out = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values.tolist()):
        if v is None or v is pd.NA:
            continue
        if isinstance(v, bool | np.bool_):
            bad[i] = True
            continue
        if isinstance(v, int | float | np.integer | np.floating):
            fv = float(v)
            if math.isnan(fv):
                continue
            if math.isinf(fv):
                bad[i] = True
                continue
            out[i] = fv
            continue
        s = _SPACES.sub("", str(v))
        if s in MISSING_MARKERS:
            continue
        if decimal_comma and "," in s:
            s = s.replace(".", "").replace(",", ".")
        if _NUMBER.fullmatch(s) and math.isfinite(value := float(s)):
            out[i] = value
        else:  # not a number, or beyond float range (1e400 would read as infinity)
            bad[i] = True
    return pd.Series(out, index=values.index, name=values.name), pd.Series(bad, index=values.index)


def require_projected_crs(crs: str | int | CRS | None, *, what: str) -> CRS:
    """Parse ``crs`` and refuse anything that is not a projected, metric CRS.

    Raises
    ------
    CRSError
        When ``crs`` cannot be parsed or is geographic (degrees).
    """
    try:
        parsed = CRS.from_user_input(crs)
    except (PyprojCRSError, TypeError, ValueError) as exc:
        msg = f"{what}: cannot understand the CRS {crs!r} ({exc}); use e.g. 'EPSG:3006'."
        raise CRSError(msg) from exc
    if not parsed.is_projected:
        msg = (
            f"{what}: the analysis CRS {crs!r} is geographic (degrees); analysis needs a projected "
            "CRS in metres such as 'EPSG:3006' (SWEREF 99 TM)."
        )
        raise CRSError(msg)
    unit = parsed.axis_info[0].unit_name if parsed.axis_info else "metre"
    if unit not in {"metre", "meter"}:
        msg = (
            f"{what}: the CRS {crs!r} has units '{unit}'; use a CRS in metres such as 'EPSG:3006'."
        )
        raise CRSError(msg)
    return parsed
