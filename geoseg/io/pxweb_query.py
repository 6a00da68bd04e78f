"""Queries of PxWeb tables: the table's variables, the codes asked for, and their split.

:func:`resolve_selection` checks regions, years and other variables' codes against a table's
metadata (all unknown codes reported at once) and :func:`plan_batches` splits the selection so
that no request asks for more cells than the API allows. Used by :mod:`geoseg.io.scb`.
"""

from __future__ import annotations

import fnmatch
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geoseg.errors import FetchError, ValidationError, format_codes
from geoseg.io._validate import closest
from geoseg.io.jsonstat import Dimension

__all__ = ["TableMetadata", "plan_batches", "resolve_selection", "split_order", "v1_metadata"]

logger = logging.getLogger(__name__)

_TIME_NAMES = ("tid", "time", "år", "year")
_GEO_NAMES = ("region",)


@dataclass(frozen=True)
class TableMetadata:
    """What a table holds: its API (``v2`` or ``v1``), title and dimensions."""

    table_id: str
    api: str
    title: str
    dimensions: tuple[Dimension, ...]
    url: str = ""

    def find(self, role: str) -> Dimension | None:
        """The dimension playing ``role`` (``geo`` / ``time``), by role and then by name."""
        for d in self.dimensions:
            if d.role == role:
                return d
        names = _GEO_NAMES if role == "geo" else _TIME_NAMES
        for d in self.dimensions:
            if d.code.lower() in names:
                return d
        return None


def v1_metadata(doc: Any, table_id: str, url: str) -> TableMetadata:
    variables = doc.get("variables") if isinstance(doc, dict) else None
    if not isinstance(variables, list):
        msg = (
            f"{url}: not the metadata of a table (no 'variables'); {table_id!r} may be a folder: "
            "give the path of a table inside it."
        )
        raise FetchError(msg)
    dims = []
    for var in variables:
        values = [str(v) for v in var.get("values", [])]
        texts = [str(t) for t in var.get("valueTexts", values)]
        code = str(var.get("code"))
        role = "time" if var.get("time") else ("metric" if code == "ContentsCode" else None)
        dims.append(
            Dimension(
                code=code,
                label=str(var.get("text") or code),
                values=tuple(values),
                texts=tuple(texts) if len(texts) == len(values) else tuple(values),
                role=role,
                elimination=bool(var.get("elimination", False)),
            )
        )
    return TableMetadata(table_id, "v1", str(doc.get("title") or table_id), tuple(dims), url)


def split_order(meta: TableMetadata, selection: Mapping[str, Sequence[str]]) -> list[str]:
    """Dimensions in the order they are split: regions, then years, then the others."""
    first = [d.code for d in (meta.find("geo"), meta.find("time")) if d is not None]
    return [d for d in first if d in selection] + [d for d in selection if d not in first]


def plan_batches(
    selection: Mapping[str, Sequence[str]], *, order: Sequence[str], max_cells: int
) -> list[dict[str, list[str]]]:
    """Split a selection into selections of at most ``max_cells`` cells each.

    Dimensions are split in ``order`` (regions first, then years, then the rest), each into
    chunks of near-equal length, only as far as needed.

    Returns
    -------
    list of dict
        The selections, in row-major order of the chunks; together they hold every cell of
        ``selection`` exactly once.
    """
    sizes = {d: len(v) for d, v in selection.items()}
    chunk = dict(sizes)
    for d in order:
        if math.prod(chunk.values()) <= max_cells:
            break
        others = math.prod(chunk.values()) // max(chunk[d], 1)
        chunk[d] = max(1, max_cells // max(others, 1))
    pieces: dict[str, list[list[str]]] = {}
    for d, values in selection.items():
        n = sizes[d]
        parts = max(1, math.ceil(n / max(chunk[d], 1)))
        step = math.ceil(n / parts) if n else 1
        pieces[d] = [list(values[i : i + step]) for i in range(0, n, step)] or [[]]
    batches: list[dict[str, list[str]]] = [{}]
    for d in selection:
        batches = [{**b, d: p} for b in batches for p in pieces[d]]
    return batches


def _match(
    dim: Dimension, wanted: Sequence[str], problems: list[str], what: str, *, prefix: bool = False
) -> list[str]:
    """Codes of ``dim`` named by ``wanted`` (codes, ``*``/``?`` patterns or, for years,
    prefixes such as ``2020`` for ``2020M01``), in the table's order."""
    chosen: set[str] = set()
    unknown = []
    for w in wanted:
        w = str(w).strip()
        if any(ch in w for ch in "*?["):
            hits = fnmatch.filter(dim.values, w)
        elif w in dim.values:
            hits = [w]
        else:
            by_text = [c for c, t in zip(dim.values, dim.texts, strict=True) if t == w]
            hits = by_text or ([c for c in dim.values if c.startswith(w)] if prefix else [])
        if not hits:
            unknown.append(w)
        chosen.update(hits)
    if unknown:
        sample = format_codes(dim.values, limit=8)
        problems.append(
            f"{what} {format_codes(unknown, limit=6)} not in variable {dim.code!r} "
            f"({dim.label}){closest(unknown[0], dim.values)}; it holds {sample}"
        )
    return [c for c in dim.values if c in chosen]


def resolve_selection(
    meta: TableMetadata,
    *,
    regions: Sequence[str],
    years: Sequence[str] | None = None,
    select: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, list[str]]:
    """Codes per dimension for a query; every unknown code is reported at once.

    Dimensions not named are left out when the database may eliminate (sum over) them, and
    taken whole otherwise.

    Raises
    ------
    ValidationError
        Unknown variables, region codes, years or values.
    """
    problems: list[str] = []
    geo, tid = meta.find("geo"), meta.find("time")
    codes = {d.code: d for d in meta.dimensions}
    out: dict[str, list[str]] = {}
    select = dict(select or {})
    for key in select:
        if key not in codes:
            problems.append(
                f"variable {key!r} is not in the table{closest(key, list(codes))}; its "
                f"variables: {', '.join(codes)}"
            )
    if geo is None:
        problems.append(
            f"the table has no region variable (variables: {', '.join(codes)}); choose a table "
            "by region"
        )
    elif not regions:
        problems.append("give the region codes to fetch (--region / regions = [...])")
    else:
        out[geo.code] = _match(geo, regions, problems, "region codes")
    if tid is not None:
        out[tid.code] = (
            list(tid.values) if not years else _match(tid, years, problems, "years", prefix=True)
        )
    for d in meta.dimensions:
        if d.code in out:
            continue
        if d.code in select:
            out[d.code] = _match(d, select[d.code], problems, "values")
        elif not d.elimination:
            out[d.code] = list(d.values)
            logger.info("%s: %s not selected; fetching all its values", meta.table_id, d.code)
    if problems:
        msg = f"SCB table {meta.table_id}"
        raise ValidationError(msg, problems)
    return {d.code: out[d.code] for d in meta.dimensions if d.code in out}
