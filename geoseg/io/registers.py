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
from geoseg.io.scb import read_scb_source

__all__ = ["YEAR_RANGE", "read_register"]

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


#: Distance from a whole number below which a count is taken as whole (a number written by a
#: spreadsheet as 12.000000000001).
_WHOLE_TOLERANCE = 1e-6


def _where(mask: pd.Series, codes: pd.Series, years: pd.Series | None, limit: int = 8) -> str:
    """Describe flagged rows as ``code (year, row N)`` for an error message."""
    items = []
    for pos in np.flatnonzero(mask.to_numpy(dtype=bool)):
        code = codes.iloc[pos]
        label = "no code" if code is None else str(code)
        when = f"{years.iloc[pos]}, " if years is not None and years.iloc[pos] is not None else ""
        items.append(f"{label} ({when}row {pos + 2})")
    return format_codes(items, limit=limit)


def _read_table(
    table: RegisterTable,
    id_column: str,
    year_column: str | None,
    plain_sheet: str | int | None,
    sources: list[str],
) -> pd.DataFrame:
    """Read one register file as delivered (no reshaping yet)."""
    if table.path is None:
        msg = "a register table needs path (a file) or source (such as scb:TAB638)"
        raise InputError(msg)
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
    return raw


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
    whole_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a register table and validate it.

    Parameters
    ----------
    path
        CSV / text table, Excel ``.xlsx`` workbook or PxWeb JSON-stat 2.0 ``.json`` file.
        A table with ``source = "scb:TABLE_ID"`` (in ``tables``) is fetched from SCB's
        database instead (:func:`geoseg.io.scb.read_scb_source`).
    id_column
        Column with the area code; read as text, leading zeros kept. In a JSON-stat file the
        region dimension becomes this column.
    year_column
        Column with the year (``Tid`` in JSON-stat). ``None`` for a single-year table. When the
        default ``"year"`` is absent the table is taken as single-year, with a warning.
    count_columns
        Columns of person or dwelling counts: numeric, >= 0, whole numbers, not missing,
        <= ``total_column``.
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
    whole_columns
        Other columns that count persons (the numerators and denominators of indicators): where
        they hold a number it must be a whole one, as in a count column.

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
        columns, negative, fractional or missing counts, counts above the total, missing or
        duplicate (code, year) rows.

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
        if table.source:
            sources.append(table.source)
            try:
                raw, table = read_scb_source(table, id_column=id_column, year_column=year_column)
            except ValidationError as exc:
                problems.extend(f"{exc.source}: {x}" for x in exc.problems)
                continue
        else:
            raw = _read_table(table, id_column, year_column, plain_sheet, sources)
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

    for col in dict.fromkeys([*counts, *(whole_columns or [])]):
        if col in amounts or col not in columns:
            continue
        v = numbers.get(col)
        if v is None:
            v = parse_numbers(frame[col], decimal_comma=decimal_comma)[0]
        part = v.notna() & ((v - np.round(v)).abs() > _WHOLE_TOLERANCE)
        if part.any():
            examples = ", ".join(format(x, "g") for x in list(dict.fromkeys(v[part]))[:3])
            what = (
                f"count column {col!r}"
                if col in counts
                else f"column {col!r}, which an indicator reads as a count of persons,"
            )
            problems.append(
                f"{what} has fractions of persons ({examples}) in "
                f"{_where(part, codes, years)}; a count of persons must be a whole number: "
                "give the counts as delivered (not estimated or averaged) or rounded to whole "
                "persons; for counts divided between the areas of another system, give the "
                "register at its own areas and link them with [levels] (link = "
                '"interpolation"); a column that does not count persons belongs in '
                "[registers] amounts"
            )

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
        if years is not None:  # rows without a valid year are reported as such, not as twins
            dup &= years.notna()
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
