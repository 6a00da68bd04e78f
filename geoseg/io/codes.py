"""Register codes against polygon codes: matching, the rule for codes without a polygon, joins.

Codes without a polygon (Gothenburg's ``199``, persons not allocated to an area) follow one rule
everywhere (:data:`UNPLACED_RULE`); a register of another area system is refused; register and
boundary columns never collide in a join.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd

from geoseg.errors import ValidationError, format_codes
from geoseg.io._validate import as_text_codes, missing_columns_problem
from geoseg.years import latest_year

__all__ = ["UNPLACED_RULE", "check_register_against_areas", "compare_codes", "join_register"]

logger = logging.getLogger(__name__)


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
    table, latest = latest_year(register, year_column=year_column)
    when = "" if latest is None else f" in {latest}"
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
        unzeroed = {c.lstrip("0"): c for c in no_data if c.lstrip("0") != c}
        lost = [c for c in no_polygon if c in unzeroed]
        if lost:
            pairs = format_codes([f"{c} -> {unzeroed[c]}" for c in lost], limit=3)
            advice = (
                f". {len(lost)} register codes are polygon codes without their leading zeros "
                f"({pairs}): the file lost them (as when it is saved from Excel with the codes "
                "as numbers); export the code column as text again"
            )
        else:
            advice = (
                ". Check that the code columns are the right ones ([registers] id and [areas] "
                "id, or --register-id and --id) and that both files use the same area system "
                "(and boundary year)"
            )
        raise ValidationError(
            source,
            [
                f"the register's codes (column {id_column!r}) match only {matched} of the "
                f"{len(area_set)} polygons of {areas_source}: register codes such as "
                f"{reg_sample} have no polygon; polygon codes such as {area_sample} have no "
                f"register row{advice}"
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
