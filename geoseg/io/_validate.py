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
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from geoseg.errors import CRSError, InputError, format_codes

__all__ = [
    "MISSING_MARKERS",
    "as_text_codes",
    "check_file",
    "closest",
    "crs_fix_problem",
    "describe_crs",
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


#: How far (degrees) a layer may reach beyond its CRS's area of use before its CRS is called wrong.
_USE_MARGIN_DEG = 5.0
#: How closely coordinates must fit a CRS's area of use for geoseg to suggest that CRS.
_GUESS_MARGIN_DEG = 0.5
_WORLD = (-180.0, -90.0, 180.0, 90.0)


def describe_crs(crs: CRS) -> str:
    """Name a CRS for a message: ``"EPSG:4326 (WGS 84, degrees)"``."""
    auth = crs.to_authority(min_confidence=70)
    code = f"{auth[0]}:{auth[1]}" if auth else "a CRS without an EPSG code"
    unit = crs.axis_info[0].unit_name if crs.axis_info else "unknown unit"
    unit = {"degree": "degrees", "metre": "metres", "meter": "metres"}.get(unit, unit)
    return f"{code} ({crs.name}, {unit})"


def _extent(bounds: Sequence[float]) -> str:
    """``"x 296402 to 336057, y 6378113 to 6417634"`` (degrees keep four decimals)."""

    def fmt(v: float) -> str:
        return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4f}"

    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return f"x {fmt(minx)} to {fmt(maxx)}, y {fmt(miny)} to {fmt(maxy)}"


def _lonlat(crs: CRS, bounds: Sequence[float]) -> tuple[float, float, float, float] | None:
    """``bounds`` (in ``crs``) as longitude/latitude, or ``None`` where they cannot be placed."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    if crs.is_geographic:
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            return None
        return minx, miny, maxx, maxy
    try:
        to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        out = to_lonlat.transform_bounds(minx, miny, maxx, maxy)
    except Exception:  # PROJ raises several types for coordinates it cannot place
        return None
    return out if all(math.isfinite(v) for v in out) else None


def _inside(
    lonlat: tuple[float, float, float, float] | None,
    area: tuple[float, float, float, float],
    margin: float,
) -> bool:
    """Whether a longitude/latitude box lies within ``area`` widened by ``margin`` degrees."""
    if lonlat is None:
        return False
    west, south, east, north = area
    if west > east:  # areas of use across the antimeridian: nothing to compare with
        return True
    lon0, lat0, lon1, lat1 = lonlat
    return (
        lon0 >= west - margin
        and lon1 <= east + margin
        and lat0 >= south - margin
        and lat1 <= north + margin
    )


def _area_of_use(crs: CRS) -> tuple[float, float, float, float]:
    aou = crs.area_of_use
    return tuple(aou.bounds) if aou is not None else _WORLD  # type: ignore[return-value]


def _degrees_in_metres(bounds: Sequence[float]) -> bool:
    """Whether projected coordinates are longitude/latitude: inside +-180/+-90 and the whole
    layer under 5 units across (no city is 5 metres wide; every city is under 5 degrees)."""
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    inside = -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
    return inside and maxx - minx < 5 and maxy - miny < 5 and (maxx - minx) * (maxy - miny) > 0


def _looks_like(bounds: Sequence[float], target: CRS) -> CRS | None:
    """The CRS the coordinates ``bounds`` most plausibly are in, or ``None``.

    Candidates: the analysis CRS (within its area of use), longitude/latitude (EPSG:4326), and
    for a Swedish analysis CRS the older national grid RT90 2.5 gon V (EPSG:3021) within Sweden.
    """
    home = _area_of_use(target)
    candidates: list[tuple[CRS, tuple[float, float, float, float]]] = [
        (target, home),
        (CRS.from_epsg(4326), _WORLD),
    ]
    if target.to_epsg() == 3006:
        candidates.append((CRS.from_epsg(3021), home))
    for cand, area in candidates:
        if _inside(_lonlat(cand, bounds), area, _GUESS_MARGIN_DEG):
            return cand
    return None


def crs_fix_problem(
    crs: CRS | None, bounds: Sequence[float], *, target: CRS, path: Path, key: bool = True
) -> str | None:
    """Say what is wrong with a layer's CRS and how to fix it, or return ``None`` when it is fine.

    A layer without a CRS is refused (geoseg never guesses one); a layer whose coordinates do not
    fit its own CRS (metres labelled as degrees, coordinates far outside the CRS's area of use,
    longitude/latitude labelled with a projected CRS) is refused as mislabelled. Any other CRS,
    geographic ones included, is fine: the loader reprojects it to ``target``.

    Parameters
    ----------
    crs
        The layer's CRS as read from the file (``None`` when it has none).
    bounds
        The layer's ``(minx, miny, maxx, maxy)`` in its own coordinates.
    target
        The analysis CRS; suggested when the coordinates fit it.
    path
        The file, named in the fix.
    key
        Whether the project file can declare the CRS (``crs = ...`` in the table naming the file).

    Returns
    -------
    str or None
        One sentence naming the CRS found, the coordinates and the fix (without the file name,
        which the caller prefixes).
    """
    if len(bounds) != 4 or not all(math.isfinite(float(b)) for b in bounds):
        return None
    if crs is not None and crs.is_projected and _degrees_in_metres(bounds):
        return (
            f"the file says its CRS is {describe_crs(crs)}, but its coordinates "
            f"({_extent(bounds)}) look like longitude/latitude in degrees (EPSG:4326): read as "
            "projected, the whole layer would be a few metres across, so the CRS written in "
            "the file is wrong. Assign the right CRS without moving the coordinates: "
            f"ogr2ogr -a_srs EPSG:4326 fixed{path.suffix or '.gpkg'} {path.name} (QGIS: "
            "'Assign projection'); geoseg then reprojects it"
        )
    if crs is not None and (
        crs == target or _inside(_lonlat(crs, bounds), _area_of_use(crs), _USE_MARGIN_DEG)
    ):
        return None
    guess = _looks_like(bounds, target)
    code = guess.to_string() if guess is not None else target.to_string()
    assign = f"ogr2ogr -a_srs {code} fixed{path.suffix or '.gpkg'} {path.name}"
    seen = f"its coordinates ({_extent(bounds)})"
    like = (
        f"they look like {describe_crs(guess)}"
        if guess is not None
        else f"they fit neither {describe_crs(target)} nor longitude/latitude"
    )
    if crs is None:
        declare = (
            f'declare it in the project file (crs = "{code}" in the table that names this file, '
            "e.g. [areas]) or write it into the file: "
            if key
            else "write it into the file: "
        )
        usual = "" if guess is not None else "; Swedish data is usually in EPSG:3006"
        return (
            f"the layer has no CRS, so {seen} cannot be placed; {like}. geoseg never guesses a "
            f"CRS: {declare}{assign} (QGIS: 'Assign projection'){usual}"
        )
    return (
        f"the file says its CRS is {describe_crs(crs)}, but {seen} do not lie where that CRS is "
        f"used, so the CRS written in the file is wrong; {like}. Assign the right CRS without "
        f"moving the coordinates: {assign} (QGIS: 'Assign projection'), then run again"
    )
