"""Register tables as statistics offices deliver them, reshaped into geoseg's tidy form.

SCB's and the city's exports rarely arrive as one row per (area, year) with one column per
count: years run across the columns (``Antal 2020``, ``Antal 2021``), categories run down the
rows (``födelseregion = Sverige / totalt``), areas are named by a label such as
``Göteborg (Angered centrum-Agnesberg)`` instead of a code, and quantities such as the
foreign-born are the difference of two columns. :func:`reshape_table` turns one such table into
the tidy form, :func:`merge_tables` joins several on (code, year) and :func:`add_derived` adds
columns computed by simple arithmetic, parsed with :mod:`ast` (never evaluated as Python).
"""

from __future__ import annotations

import ast
import logging
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError, ValidationError, format_codes
from geoseg.io._validate import closest, missing_columns_problem, parse_numbers

__all__ = [
    "RegisterTable",
    "add_derived",
    "label_codes",
    "merge_tables",
    "parse_formula",
    "reshape_table",
]

logger = logging.getLogger(__name__)

_YEAR = "{year}"
_CATEGORY = "{category}"
_VALUE = "\x00value"  # internal name of melted values (cannot clash with a real column)
_OPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass
class RegisterTable:
    """One register file and how to read it (``[[registers.tables]]`` in the project file).

    Attributes
    ----------
    path
        The file (CSV, Excel or JSON-stat).
    id
        Its area-code column (default: ``[registers] id``).
    label
        Column of region labels, matched to ``[areas] name`` when the table has no code column
        (``Göteborg (Angered centrum-Agnesberg)`` matches the area named
        ``Angered centrum-Agnesberg``).
    where
        Keep only rows whose column holds the given text (``{ "kön" = "totalt" }``).
    year_columns
        Pattern of the columns that hold one year each, with ``{year}`` (four digits) and
        optionally ``{category}``: ``"Antal {year}"``. Those columns are turned into rows.
    category
        Column whose values are categories (``födelseregion``); they become columns.
    categories
        Category value -> column name (``{ Sverige = "born_sweden", totalt = "pop_total" }``);
        categories not listed are dropped. Without it the category values are the names.
    value
        The column holding the numbers of a long table with ``category``; or, for
        ``year_columns`` without categories, the name given to the numbers.
    sheet, encoding, sep
        As in ``[registers]``.
    source
        ``"scb:TABLE_ID"``: fetch the table from SCB's database instead of reading ``path``
        (see :mod:`geoseg.io.scb`), with the selection in ``regions``, ``years`` and
        ``select`` (variable code -> value codes).
    """

    path: Path | None = None
    id: str | None = None
    label: str | None = None
    where: dict[str, str] = field(default_factory=dict)
    year_columns: str | None = None
    category: str | None = None
    categories: dict[str, str] = field(default_factory=dict)
    value: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    sep: str | None = None
    source: str | None = None
    regions: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    select: dict[str, list[str]] = field(default_factory=dict)

    @property
    def reshapes(self) -> bool:
        """Whether the table needs more than reading (labels, filters, pivots, a fetch)."""
        return bool(self.label or self.where or self.year_columns or self.category or self.source)

    @property
    def origin(self) -> str:
        """Where the table comes from: its path or its ``source``."""
        return str(self.source) if self.source else str(self.path)


def _norm(text: object) -> str:
    """Text compared for label matching: NFC, case-folded, inner spaces collapsed."""
    s = unicodedata.normalize("NFC", str(text)).casefold()
    return " ".join(s.split())


def _cell_text(values: pd.Series) -> pd.Series:
    return values.map(
        lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
    )


def label_codes(
    labels: pd.Series, names: Mapping[str, str], *, source: str, column: str
) -> pd.Series:
    """Area codes for region labels, matched to the areas' names.

    Parameters
    ----------
    labels
        Labels such as ``Göteborg (Angered centrum-Agnesberg)`` or plain names; the text in
        the last pair of brackets is the area's name when there is one (SCB's
        ``Kommun (RegSO)`` form), else the whole label. A label that equals a code is that code.
    names
        Area code -> area name (the boundaries' name column).
    source, column
        The file and column, for messages.

    Raises
    ------
    ValidationError
        Labels that match no name (with the closest names) or names shared by several areas.
    """
    by_name: dict[str, list[str]] = {}
    for code, name in names.items():
        by_name.setdefault(_norm(name), []).append(str(code))
    codes = {str(c) for c in names}
    out: list[str | None] = []
    unknown: list[str] = []
    ambiguous: list[str] = []
    for raw in labels.tolist():
        text = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        found = re.search(r"\(([^()]*)\)\s*$", text)
        name = found.group(1) if found else text
        hits = by_name.get(_norm(name)) or by_name.get(_norm(text))
        if hits is None and text.strip() in codes:
            hits = [text.strip()]
        if not hits:
            unknown.append(text)
            out.append(None)
        elif len(hits) > 1:
            ambiguous.append(text)
            out.append(None)
        else:
            out.append(hits[0])
    problems = []
    if unknown:
        distinct = list(dict.fromkeys(unknown))
        hint = closest(distinct[0], [str(n) for n in names.values()])
        problems.append(
            f"column {column!r}: {len(distinct)} label(s) match no area name: "
            f"{format_codes(distinct, limit=5)}{hint}; check [areas] name and the labels"
        )
    if ambiguous:
        problems.append(
            f"column {column!r}: labels {format_codes(list(dict.fromkeys(ambiguous)), limit=5)} "
            "match the names of several areas; give the table a code column instead"
        )
    if problems:
        raise ValidationError(source, problems)
    return pd.Series(out, index=labels.index, dtype=object)


def _year_pattern(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{year\}|\{category\})", pattern)
    regex = "".join(
        "(?P<year>\\d{4})"
        if p == _YEAR
        else "(?P<category>.+?)"
        if p == _CATEGORY
        else re.escape(p)
        for p in parts
    )
    return re.compile(regex)


def reshape_table(
    frame: pd.DataFrame,
    table: RegisterTable,
    *,
    id_column: str,
    year_column: str | None,
    area_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Turn one delivered table into the tidy form: one row per (code[, year]).

    Parameters
    ----------
    frame
        The table as read (cells as text or numbers).
    table
        How to read it (see :class:`RegisterTable`).
    id_column
        Name of the code column of the result (``[registers] id``).
    year_column
        Name of the year column of the result (``None``: a single-year table).
    area_names
        Area code -> name, for ``label``.

    Returns
    -------
    DataFrame
        The code column, the year column (when the table has years) and one column per count or
        amount, cells as delivered (text or numbers; parsed later by the register reader).

    Raises
    ------
    ValidationError
        Every problem of the table at once: missing columns, labels without an area,
        pattern matching no column, repeated (code, year, category) rows.
    """
    source = table.origin
    problems: list[str] = []
    columns = [str(c) for c in frame.columns]
    need = [*table.where, *([table.label] if table.label else [])]
    need += [table.category] if table.category else []
    if table.category and not table.year_columns:
        if table.value is None:
            problems.append(
                f"category {table.category!r} needs value = the column that holds the numbers"
            )
        else:
            need.append(table.value)
    own_id = table.id or id_column
    if not table.label:
        need.append(own_id)
    missing = missing_columns_problem(columns, need)
    if missing:
        raise ValidationError(source, [missing])
    out = frame.copy()
    for col, wanted in table.where.items():
        keep = _cell_text(out[col]) == str(wanted).strip()
        if not keep.any():
            seen = format_codes(list(dict.fromkeys(_cell_text(out[col]))), limit=6)
            problems.append(f"where {col} = {wanted!r} keeps no row; the column holds {seen}")
        out = out.loc[keep]
    if problems:
        raise ValidationError(source, problems)
    if table.label:
        if area_names is None:
            msg = f"{source}: label = {table.label!r} needs the boundaries' names ([areas] name)."
            raise InputError(msg)
        codes = label_codes(out[table.label], area_names, source=source, column=table.label)
        out = out.drop(columns=[c for c in (id_column,) if c in out.columns])
        out.insert(0, id_column, codes)
    elif own_id != id_column:
        out = out.rename(columns={own_id: id_column})
    keys = [id_column]
    category = table.category
    value = table.value
    if table.year_columns:
        regex = _year_pattern(table.year_columns)
        wide = {c: regex.fullmatch(str(c)) for c in out.columns}
        wide = {c: m for c, m in wide.items() if m is not None}
        if not wide:
            raise ValidationError(
                source,
                [
                    f"year_columns {table.year_columns!r} matches no column; columns: "
                    f"{', '.join(map(repr, out.columns))}"
                ],
            )
        if year_column is None:
            raise ValidationError(
                source, ["year_columns needs a year column name; do not set [registers] year = ''"]
            )
        ids = [id_column, *([category] if category else [])]
        long = out.melt(id_vars=ids, value_vars=list(wide), var_name="_col", value_name=_VALUE)
        matches = long["_col"].map(wide)
        long[year_column] = matches.map(lambda m: int(m.group("year")))
        if _CATEGORY in table.year_columns:
            if category:
                long[category] = (
                    long[category].astype(str) + " " + matches.map(lambda m: m.group("category"))
                )
            else:
                category = "_category"
                long[category] = matches.map(lambda m: m.group("category"))
        out = long.drop(columns="_col")
        keys.append(year_column)
        if category is None:
            name = value or Path(source).stem
            out = out.rename(columns={_VALUE: name})
            return out[[*keys, name]].reset_index(drop=True)
        value = _VALUE
    elif year_column is not None and year_column in out.columns:
        keys.append(year_column)
    if category is None:
        return out.reset_index(drop=True)
    assert value is not None
    cats = _cell_text(out[category])
    if table.categories:
        absent = [c for c in table.categories if c not in set(cats)]
        if absent:
            problems.append(
                f"categories {', '.join(map(repr, absent))} are not in column {category!r} "
                f"(it holds {format_codes(list(dict.fromkeys(cats)), limit=8)})"
            )
        keep = cats.isin(list(table.categories))
        out, cats = out.loc[keep], cats[keep].map(table.categories)
    out = out.assign(_cat=cats.to_numpy())
    dup = out.duplicated([*keys, "_cat"], keep=False)
    if dup.any():
        rows = out.loc[dup, [*keys, "_cat"]].astype(str).agg(" ".join, axis=1)
        problems.append(
            f"{int(dup.sum())} rows repeat the same code, year and category "
            f"({format_codes(list(dict.fromkeys(rows)), limit=4)}); add a where = {{...}} filter"
        )
    if problems:
        raise ValidationError(source, problems)
    wide_out = out.pivot(index=keys, columns="_cat", values=value)
    wide_out.columns = [str(c) for c in wide_out.columns]
    return wide_out.reset_index()


def merge_tables(
    frames: Sequence[pd.DataFrame],
    *,
    id_column: str,
    year_column: str | None,
    sources: Sequence[str],
) -> pd.DataFrame:
    """Join tidy tables on (code[, year]); a column delivered by two tables is an error."""
    keys = [id_column, *([year_column] if year_column else [])]
    merged = frames[0]
    seen = {c: sources[0] for c in merged.columns if c not in keys}
    problems = []
    for frame, source in zip(frames[1:], sources[1:], strict=True):
        clash = [c for c in frame.columns if c in seen]
        clash = [c for c in clash if c not in keys]
        for c in clash:
            problems.append(f"column {c!r} comes from both {seen[c]} and {source}")
        on = [k for k in keys if k in merged.columns and k in frame.columns]
        if not problems:
            merged = merged.merge(frame, on=on, how="outer", sort=False)
        seen |= {c: source for c in frame.columns if c not in keys}
    if problems:
        raise ValidationError("; ".join(sources), problems)
    return merged


def parse_formula(text: str) -> tuple[ast.Expression, list[str]]:
    """Parse ``a - b``, ``(a + b) / c * 100``: column names, numbers, + - * / and brackets.

    Returns
    -------
    tree, names
        The parsed expression (evaluated by :func:`add_derived`, never by Python) and the
        column names it reads.

    Raises
    ------
    InputError
        Anything else (calls, attributes, comparisons, other operators).
    """
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        msg = f"cannot read the formula {text!r} ({exc.msg}); write e.g. 'pop_total - born_sweden'"
        raise InputError(msg) from exc
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not (isinstance(node.value, bool))
        ):
            continue
        elif (
            not isinstance(
                node, ast.Expression | ast.BinOp | ast.UnaryOp | ast.Load | ast.USub | ast.UAdd
            )
            and type(node) not in _OPS
        ):
            msg = (
                f"the formula {text!r} may only use column names, numbers, + - * / and "
                f"brackets (found {type(node).__name__})"
            )
            raise InputError(msg)
    return tree, list(dict.fromkeys(names))


def _evaluate(node: ast.AST, values: Mapping[str, np.ndarray]) -> Any:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, values)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
    raise AssertionError(type(node).__name__)  # pragma: no cover - parse_formula refuses it


def add_derived(
    frame: pd.DataFrame,
    formulas: Mapping[str, str],
    *,
    source: str,
    decimal_comma: bool = False,
) -> pd.DataFrame:
    """Add columns computed from others (``foreign_born = "pop_total - born_sweden"``).

    Formulas are applied in order, so a later one may use an earlier one. Missing values stay
    missing; a division by zero gives a missing value.

    Raises
    ------
    ValidationError
        Formulas that cannot be read, name absent columns or read text that is not a number.
    """
    out = frame.copy()
    problems: list[str] = []
    for name, text in formulas.items():
        try:
            tree, names = parse_formula(text)
        except InputError as exc:
            problems.append(f"derived column {name!r}: {exc}")
            continue
        missing = missing_columns_problem(list(out.columns), names)
        if missing:
            problems.append(f"derived column {name!r} = {text!r}: {missing}")
            continue
        values: dict[str, np.ndarray] = {}
        for col in names:
            numbers, bad = parse_numbers(out[col], decimal_comma=decimal_comma)
            if bad.any():
                problems.append(
                    f"derived column {name!r} reads column {col!r}, which has text that is not "
                    "a number"
                )
            values[col] = numbers.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.asarray(_evaluate(tree, values), dtype=float) * np.ones(len(out))
        result[~np.isfinite(result)] = np.nan
        out[name] = result
    if problems:
        raise ValidationError(source, problems)
    return out
