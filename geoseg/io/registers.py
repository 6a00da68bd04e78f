"""Reading and validating register tables (counts and amounts per area code and year).

Registers come as CSV (``;``, ``,`` or tab separated; UTF-8, UTF-8 with BOM or cp1252; decimal
point or decimal comma), Excel workbooks (``.xlsx``) or PxWeb JSON-stat 2.0 files (``.json``).
Whatever the format, :func:`read_register` returns the same tidy table (see
``docs/data-model.md``): the id column as text, ``year`` as integers, count and amount columns as
float64.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geoseg.errors import InputError, ValidationError, format_codes
from geoseg.io._csv import detect_decimal_comma, read_text_table
from geoseg.io._pxweb import read_jsonstat
from geoseg.io._validate import (
    as_text_codes,
    check_file,
    missing_columns_problem,
    parse_numbers,
)
from geoseg.io.reshape import RegisterTable, add_derived, merge_tables, reshape_table

__all__ = [
    "UNPLACED_RULE",
    "check_register_against_areas",
    "compare_codes",
    "join_register",
    "read_register",
]

logger = logging.getLogger(__name__)

_TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DEFAULT_YEAR = "year"
#: Years a register may hold (anything else is a typo such as ``18`` or an unreadable number).
YEAR_RANGE = (1800, 2200)
_LEADING_ZERO = re.compile(r"[+-]?0\d")


def _read_excel(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """Read one sheet of an .xlsx workbook, cells as stored (numbers stay numbers)."""
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        msg = f"{path}: cannot be opened as an Excel .xlsx workbook ({type(exc).__name__}: {exc})."
        raise InputError(msg) from exc
    with book:
        names = [str(s) for s in book.sheet_names]
        if sheet is None:
            chosen: str | int = 0
            if len(names) > 1:
                logger.warning(
                    "%s: workbook has sheets %s; reading the first, %r (pass sheet= to choose)",
                    path,
                    names,
                    names[0],
                )
        elif isinstance(sheet, str) and sheet not in names:
            msg = f"{path}: no sheet {sheet!r}; the workbook has sheets {', '.join(names)}."
            raise InputError(msg)
        elif isinstance(sheet, int) and not 0 <= sheet < len(names):
            msg = f"{path}: no sheet number {sheet}; the workbook has {len(names)} sheet(s)."
            raise InputError(msg)
        else:
            chosen = sheet
        try:
            frame = pd.read_excel(book, sheet_name=chosen, dtype=object)
        except Exception as exc:  # a damaged sheet can fail in many ways inside openpyxl
            msg = f"{path}: cannot read sheet {chosen!r} ({type(exc).__name__}: {exc})."
            raise InputError(msg) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    filled = np.flatnonzero(frame.notna().any(axis=1).to_numpy())
    frame = frame.iloc[: (filled[-1] + 1) if len(filled) else 0]
    return frame.reset_index(drop=True)


def _read_any(
    path: Path,
    *,
    id_column: str,
    year_column: str | None,
    sheet: str | int | None,
    encoding: str | None,
    sep: str | None,
) -> pd.DataFrame:
    """Read the file into a raw frame (text cells for CSV, stored values otherwise)."""
    suffix = path.suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix == ".xls":
        msg = f"{path}: the old Excel .xls format is not supported; save the sheet as .xlsx or CSV."
        raise InputError(msg)
    if suffix == ".json":
        return read_jsonstat(path, id_column=id_column, year_column=year_column)
    if suffix not in _TEXT_SUFFIXES:
        logger.info("%s: unknown suffix %r, reading it as a delimited text table", path, suffix)
    return read_text_table(path, encoding=encoding, sep=sep).frame


def _has_leading_zero(values: pd.Series) -> bool:
    """Whether a column holds texts such as ``0114`` (codes, to be kept as text)."""
    return bool(values.map(lambda v: isinstance(v, str) and bool(_LEADING_ZERO.match(v))).any())


def _where(mask: pd.Series, codes: pd.Series, years: pd.Series | None, limit: int = 8) -> str:
    """Describe flagged rows as ``code (year, row N)`` for an error message."""
    items = []
    for pos in np.flatnonzero(mask.to_numpy(dtype=bool)):
        code = codes.iloc[pos]
        label = "no code" if code is None else str(code)
        when = f"{years.iloc[pos]}, " if years is not None and years.iloc[pos] is not None else ""
        items.append(f"{label} ({when}row {pos + 2})")
    return format_codes(items, limit=limit)


def read_register(
    path: str | Path | None,
    *,
    id_column: str,
    year_column: str | None = "year",
    count_columns: Sequence[str] | None = None,
    amount_columns: Sequence[str] | None = None,
    total_column: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    allow_missing: bool = False,
    tables: Sequence[RegisterTable] | None = None,
    where: Mapping[str, str] | None = None,
    derive: Mapping[str, str] | None = None,
    area_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a register table and validate it.

    Parameters
    ----------
    path
        CSV / text table, Excel ``.xlsx`` workbook or PxWeb JSON-stat 2.0 ``.json`` file.
    id_column
        Column with the area code; read as text, leading zeros kept. In a JSON-stat file the
        region dimension becomes this column.
    year_column
        Column with the year (``Tid`` in JSON-stat). ``None`` for a single-year table. When the
        default ``"year"`` is absent the table is taken as single-year, with a warning.
    count_columns
        Columns of person or dwelling counts: numeric, >= 0, not missing, <= ``total_column``.
    amount_columns
        Columns of amounts (income, per cent): numeric, may be missing or negative.
    total_column
        The total count that every count column must not exceed (validated as a count).
    sheet
        Excel sheet name or number (default: the first).
    encoding, sep
        Text encoding and separator of a CSV; detected when ``None``.
    allow_missing
        Accept empty count cells (kept as NaN, with a warning) instead of reporting them.
    tables
        Several delivered tables (wide by year, categories in rows, region labels: see
        :class:`geoseg.io.reshape.RegisterTable`), reshaped and joined on (code, year);
        ``path`` is then ignored (it may be ``None``).
    where
        Keep only rows whose column holds the given text (``{"niva": "primaromrade"}``).
    derive
        Columns computed from others, applied in order (``{"foreign_born":
        "pop_total - born_sweden"}``; see :func:`geoseg.io.reshape.add_derived`).
    area_names
        Area code -> name, for tables whose ``label`` names regions instead of codes.

    Returns
    -------
    pandas.DataFrame
        One row per (code, year) in file order: the id column (text), the year column (int64),
        count and amount columns (float64); other columns are float64 when every value is a
        number, text otherwise.

    Raises
    ------
    InputError
        The file is missing, empty or not a table.
    ValidationError
        Every problem found at once: missing columns (with the available ones), text in numeric
        columns, negative or missing counts, counts above the total, missing or duplicate
        (code, year) rows.

    Notes
    -----
    Rows are named by their spreadsheet row number (the header is row 1) so that a problem can
    be found in Excel or a text editor.
    """
    if not tables:
        if path is None:
            msg = "read_register: give the path of the register or its tables."
            raise InputError(msg)
        tables = [
            RegisterTable(
                path=Path(path),
                where=dict(where or {}),
                sheet=sheet if isinstance(sheet, str) else None,
                encoding=encoding,
                sep=sep,
            )
        ]
        plain_sheet: str | int | None = sheet
    else:
        plain_sheet = None
    frames: list[pd.DataFrame] = []
    sources: list[str] = []
    problems: list[str] = []
    for table in tables:
        p = check_file(table.path, "register file")
        sources.append(str(p))
        raw = _read_any(
            p,
            id_column=table.id or id_column,
            year_column=year_column,
            sheet=table.sheet if plain_sheet is None else plain_sheet,
            encoding=table.encoding,
            sep=table.sep,
        )
        if raw.shape[0] == 0:
            cols = ", ".join(repr(c) for c in raw.columns) or "none"
            msg = f"{p}: the table has no data rows (columns: {cols}); it needs one row per area."
            raise InputError(msg)
        if not table.reshapes and (table.id or id_column) == id_column:
            frames.append(raw)
            continue
        try:
            frames.append(
                reshape_table(
                    raw, table, id_column=id_column, year_column=year_column, area_names=area_names
                )
            )
        except ValidationError as exc:
            problems.extend(f"{exc.source}: {x}" for x in exc.problems)
    if problems:
        raise ValidationError("; ".join(sources), problems)
    p = Path(sources[0])
    source = "; ".join(sources)
    frame = (
        frames[0]
        if len(frames) == 1
        else merge_tables(frames, id_column=id_column, year_column=year_column, sources=sources)
    )
    if derive:
        text = frame[[c for c in frame.columns if c != id_column]]
        comma = detect_decimal_comma(text.map(lambda v: v if isinstance(v, str) else ""), set())
        frame = add_derived(frame, derive, source=source, decimal_comma=comma)

    columns = list(frame.columns)
    if year_column is not None and year_column not in columns and year_column == _DEFAULT_YEAR:
        logger.warning(
            "%s: no %r column; read as a single-year table (pass year_column=None to say so)",
            p,
            year_column,
        )
        year_column = None
    counts = list(
        dict.fromkeys([*(count_columns or []), *([total_column] if total_column else [])])
    )
    amounts = [c for c in dict.fromkeys(amount_columns or []) if c not in counts]
    required = [id_column, *([year_column] if year_column else []), *counts, *amounts]
    missing = missing_columns_problem(columns, required)
    if missing:
        problems.append(missing)

    out = frame.copy()
    codes: pd.Series = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if id_column in columns:
        codes, numeric = as_text_codes(frame[id_column])
        if numeric:
            logger.warning(
                "%s: column %r stores area codes as numbers; leading zeros may already be lost. "
                "Store codes as text in the source.",
                p,
                id_column,
            )
        out[id_column] = codes
        nocode = codes.isna()
        if nocode.any():
            problems.append(
                f"column {id_column!r} is empty in rows "
                f"{format_codes((np.flatnonzero(nocode) + 2).tolist())}; give every row its code"
            )

    years: pd.Series | None = None
    if year_column is not None and year_column in columns:
        yv, ybad = parse_numbers(frame[year_column])
        notint = ybad | (yv.notna() & (yv != np.floor(yv.fillna(0))))
        if notint.any() or yv.isna().any():
            flagged = notint | yv.isna()
            problems.append(
                f"column {year_column!r} must hold a whole year in every row; check "
                f"{_where(flagged, codes, None)}"
            )
        lo, hi = YEAR_RANGE
        odd = yv.notna() & ~notint & ((yv < lo) | (yv > hi))
        if odd.any():
            seen = format_codes(list(dict.fromkeys(frame[year_column][odd].astype(str))), limit=5)
            problems.append(
                f"column {year_column!r} has years outside {lo}-{hi} ({seen}) in "
                f"{_where(odd, codes, None)}; write years in full, such as 2018"
            )
        years = pd.Series(
            [None if np.isnan(v) or not lo <= v <= hi else int(v) for v in yv.to_numpy()],
            index=frame.index,
            dtype=object,
        )
        if not (notint.any() or yv.isna().any() or odd.any()):
            out[year_column] = yv.astype("int64")

    skip = {id_column, *([year_column] if year_column else [])}
    decimal_comma = detect_decimal_comma(
        frame[[c for c in columns if c not in skip]].map(lambda v: v if isinstance(v, str) else ""),
        set(),
    )
    if decimal_comma:
        logger.info("%s: decimal comma detected (numbers such as 12,5)", p)

    numbers: dict[str, pd.Series] = {}
    for col in [c for c in columns if c not in skip]:
        values, bad = parse_numbers(frame[col], decimal_comma=decimal_comma)
        declared = col in counts or col in amounts
        if declared:
            if bad.any():
                examples = ", ".join(repr(v) for v in frame[col][bad].astype(str).unique()[:3])
                problems.append(
                    f"column {col!r} has text that is not a number ({examples}) in "
                    f"{_where(bad, codes, years)}; use numbers only (empty or '..' for missing)"
                )
            numbers[col] = values
            out[col] = values.astype("float64")
        elif not bad.any() and values.notna().any() and not _has_leading_zero(frame[col]):
            out[col] = values.astype("float64")

    for col in counts:
        if col not in numbers:
            continue
        v = numbers[col]
        neg = v < 0
        if neg.any():
            problems.append(
                f"count column {col!r} has negative counts in {_where(neg, codes, years)}; "
                "counts must be >= 0"
            )
        empty = v.isna() & ~parse_numbers(frame[col], decimal_comma=decimal_comma)[1]
        if empty.any():
            if allow_missing:
                logger.warning(
                    "%s: count column %r is empty in %s; kept as missing (NaN)",
                    p,
                    col,
                    _where(empty, codes, years),
                )
            else:
                problems.append(
                    f"count column {col!r} is empty in {_where(empty, codes, years)}; fill in the "
                    "counts (0 if none) or pass allow_missing=True to keep them as missing"
                )
        if total_column and col != total_column and total_column in numbers:
            t = numbers[total_column]
            over = v > t + 1e-9 * np.maximum(1.0, t.abs())
            if over.any():
                problems.append(
                    f"count column {col!r} is larger than the total {total_column!r} in "
                    f"{_where(over, codes, years)}; a group cannot exceed the total"
                )

    if id_column in columns:
        keys = pd.DataFrame({"code": codes, "year": years if years is not None else 0})
        dup = keys.duplicated(keep=False) & codes.notna()
        if dup.any():
            what = "(code, year)" if years is not None else "code"
            problems.append(
                f"duplicate {what} rows: {_where(dup, codes, years)}; keep one row per area"
                + (" and year" if years is not None else "")
            )

    if problems:
        raise ValidationError(source, problems)
    out = out.reset_index(drop=True)
    logger.info(
        "%s: register with %d rows, %d areas%s",
        p,
        len(out),
        codes.nunique(),
        f", years {sorted(set(years.tolist()))}" if years is not None else "",
    )
    return out


def compare_codes(
    register: pd.DataFrame, areas: pd.DataFrame, *, id_column: str
) -> tuple[list[str], list[str]]:
    """Return the register codes without a polygon and the polygon codes without a register row.

    Parameters
    ----------
    register
        Table with the code column ``id_column``.
    areas
        Table whose index holds the polygon codes.
    id_column
        The register's code column.

    Returns
    -------
    no_polygon, no_data
        Sorted register codes absent from ``areas.index``; polygon codes (in the areas' order)
        absent from the register.
    """
    reg_set = set(as_text_codes(register[id_column])[0].dropna())
    area_codes = [str(c) for c in areas.index]
    area_set = set(area_codes)
    return sorted(reg_set - area_set), [c for c in area_codes if c not in reg_set]


#: Text of the rule for register codes without a polygon (printed by validate and run).
UNPLACED_RULE = (
    "kept in the aspatial indices and city totals, left out of spatial indices, hotspots, "
    "walking access and maps"
)


def _persons(
    register: pd.DataFrame,
    codes: Sequence[str],
    *,
    id_column: str,
    persons: str | None,
    year_column: str | None,
) -> tuple[str, float]:
    """Describe ``codes`` with their persons in the latest year, and the persons' sum."""
    if persons is None or persons not in register.columns:
        return format_codes(codes), float("nan")
    table = register
    when = ""
    if year_column is not None and year_column in register.columns and len(register):
        latest = register[year_column].max()
        table = register[register[year_column] == latest]
        when = f" in {latest}"
    ids = as_text_codes(table[id_column])[0]
    values = pd.to_numeric(table[persons], errors="coerce").groupby(ids.to_numpy()).sum()
    items = [f"{c} ({values.get(c, 0.0):,.0f} persons{when})" for c in codes]
    return format_codes(items), float(values.reindex(list(codes)).fillna(0.0).sum())


def check_register_against_areas(
    register: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    id_column: str,
    source: str = "register",
    year_column: str | None = None,
    strict: bool = False,
    persons: str | None = None,
    areas_source: str = "the boundaries",
    log: bool = True,
) -> list[str]:
    """Compare a register's area codes with the polygons' codes.

    Parameters
    ----------
    register
        Table from :func:`read_register`.
    areas
        GeoDataFrame from :func:`geoseg.io.read_boundaries` (its index holds the codes).
    id_column
        The register's code column.
    source
        Name of the register in the messages (e.g. its file path).
    year_column
        When given, also report polygons that lack a row in some year.
    strict
        Raise instead of warning.
    persons
        Count column (the total) whose values are reported for codes without a polygon.
    areas_source
        Name of the boundaries in the messages.
    log
        Log the warnings (``False`` when the caller logs them).

    Returns
    -------
    list of str
        One sentence per mismatch (also logged as warnings); empty when codes match.

    Raises
    ------
    ValidationError
        When ``id_column`` is absent; when the register's codes match fewer than half of the
        polygons (a register of another area system or year), naming samples of both codes;
        when codes without a polygon hold more persons than the codes with one (a table that
        mixes area levels); with ``strict=True`` when there is any mismatch.

    Notes
    -----
    Codes without a polygon (for example Gothenburg's 199, persons not allocated to an area)
    follow one rule everywhere (:data:`UNPLACED_RULE`): they stay in the aspatial indices and
    the city totals and are left out of everything that needs a place.
    """
    if id_column not in register.columns:
        problem = missing_columns_problem(list(register.columns), [id_column])
        raise ValidationError(source, [problem or f"missing column {id_column!r}"])
    no_polygon, no_data = compare_codes(register, areas, id_column=id_column)
    reg_set = set(as_text_codes(register[id_column])[0].dropna())
    area_codes = [str(c) for c in areas.index]
    area_set = set(area_codes)
    matched = len(area_set & reg_set)
    if area_codes and matched < len(area_set) / 2:
        reg_sample = format_codes((no_polygon or sorted(reg_set))[:5], limit=5)
        area_sample = format_codes(sorted(no_data or area_codes)[:5], limit=5)
        raise ValidationError(
            source,
            [
                f"the register's codes (column {id_column!r}) match only {matched} of the "
                f"{len(area_set)} polygons of {areas_source}: register codes such as "
                f"{reg_sample} have no polygon; polygon codes such as {area_sample} have no "
                "register row. Check that [registers] id "
                "and [areas] id name the code columns and that both use the same area system "
                "(and boundary year)"
            ],
        )
    warnings: list[str] = []
    if no_polygon:
        stripped = {c.lstrip("0") for c in area_set}
        hint = ""
        if any(c in stripped for c in no_polygon):
            hint = " (some match polygon codes without their leading zeros: store codes as text)"
        described, unplaced = _persons(
            register, no_polygon, id_column=id_column, persons=persons, year_column=year_column
        )
        placed_codes = sorted(reg_set & area_set)
        _, placed = _persons(
            register, placed_codes, id_column=id_column, persons=persons, year_column=year_column
        )
        if unplaced > placed:
            raise ValidationError(
                source,
                [
                    f"{len(no_polygon)} area code(s) in column {id_column!r} have no polygon in "
                    f"{areas_source} and hold more persons ({unplaced:,.0f}) than the codes that "
                    f"have one ({placed:,.0f}): {described}{hint}. The table seems to mix area "
                    "levels or totals; keep the rows of one level with [registers] where, e.g. "
                    'where = { niva = "primaromrade" }'
                ],
            )
        warnings.append(
            f"{source}: {len(no_polygon)} area code(s) in column {id_column!r} have no polygon: "
            f"{described}{hint}; {UNPLACED_RULE}"
        )
    if no_data:
        warnings.append(
            f"{source}: {len(no_data)} polygon(s) have no row in the register: "
            f"{format_codes(no_data)}; they are shown as 'no data'"
        )
    if year_column is not None and year_column in register.columns:
        for year, part in register.groupby(year_column, sort=True):
            have = set(as_text_codes(part[id_column])[0].dropna())
            lacking = [c for c in area_codes if c not in have and c in reg_set]
            if lacking:
                warnings.append(
                    f"{source}: year {year}: {len(lacking)} polygon(s) have no row: "
                    f"{format_codes(lacking)}"
                )
    if log:
        for w in warnings:
            logger.warning("%s", w)
    if strict and warnings:
        raise ValidationError(source, warnings)
    return warnings


def join_register(
    areas: pd.DataFrame, rows: pd.DataFrame, *, id_column: str, how: str = "inner"
) -> pd.DataFrame:
    """Join register rows onto the areas by code; register columns win over boundary columns.

    Parameters
    ----------
    areas
        Areas indexed by code (a GeoDataFrame from :func:`geoseg.io.read_boundaries`).
    rows
        Register rows with one row per code (one year), the code in ``id_column``.
    id_column
        The register's code column.
    how
        ``"inner"`` (areas with a row only) or ``"left"`` (every area).

    Returns
    -------
    DataFrame
        The areas' geometry and columns with the register's columns; a boundary column with
        the same name as a register column (``regsonamn`` in both SCB's boundaries and its
        tables, say) is renamed ``<name>_areas`` so that the register's value is the one read.
    """
    values = rows.copy()
    values.index = pd.Index(as_text_codes(values[id_column])[0].to_numpy(), name=areas.index.name)
    values = values.drop(columns=[id_column])
    geometry = getattr(areas, "geometry", None)
    geom_name = geometry.name if geometry is not None else None
    clash = [c for c in values.columns if c in areas.columns and c != geom_name]
    left = areas.rename(columns={c: f"{c}_areas" for c in clash})
    if geom_name is not None and geom_name in values.columns:
        values = values.drop(columns=[geom_name])
    left.index = pd.Index(left.index.astype(str), name=areas.index.name)
    return left.join(values, how=how)  # type: ignore[arg-type]
