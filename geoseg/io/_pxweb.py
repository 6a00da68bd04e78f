"""Reading PxWeb (SCB Statistikdatabasen) tables saved as JSON-stat 2.0 datasets.

A JSON-stat 2.0 dataset is a dense cube: ``id`` lists the dimensions, ``size`` their lengths,
``dimension[d].category.index`` the order of each dimension's category codes and ``value`` the
cells in row-major order (the last dimension varies fastest), or a sparse ``{"position": value}``
object. This module turns the cube into a tidy table: the region dimension becomes the id column,
the time dimension (``Tid``) the year column, and every combination of the remaining dimensions'
category codes one value column.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from geoseg.errors import InputError, ValidationError
from geoseg.io.jsonstat import _categories, _check_dataset, _values

__all__ = ["read_jsonstat"]

logger = logging.getLogger(__name__)


def _find_dim(ids: list[str], role: dict[str, Any], key: str, names: tuple[str, ...]) -> str | None:
    """Find the dimension playing ``key`` (``geo`` / ``time``) by role, then by name."""
    by_role = role.get(key) if isinstance(role, dict) else None
    if isinstance(by_role, list):
        for d in by_role:
            if d in ids:
                return str(d)
    lowered = {d.lower(): d for d in ids}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def read_jsonstat(path: Path, *, id_column: str, year_column: str | None) -> pd.DataFrame:
    """Read a JSON-stat 2.0 dataset into a tidy DataFrame (id column, year column, values).

    Raises
    ------
    InputError
        When the file is not JSON or not a JSON-stat 2.0 dataset.
    ValidationError
        When the cube is inconsistent (sizes, categories, values) or has no region dimension.
    """
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        msg = f"{path}: is not a JSON file ({exc}); save the PxWeb table as JSON-stat2."
        raise InputError(msg) from exc
    if isinstance(data, dict) and "dataset" in data and "class" not in data:
        msg = (
            f"{path}: looks like a JSON-stat 1.x bundle; request the table from PxWeb as "
            "JSON-stat 2.0 (format 'json-stat2')."
        )
        raise InputError(msg)
    not_dataset = (
        f'{path}: is not a JSON-stat 2.0 dataset (no "class": "dataset"); save the PxWeb '
        "table as JSON-stat2, or export it as CSV."
    )
    ids, sizes, dims = _check_dataset(data, str(path), not_dataset=not_dataset)
    problems: list[str] = []
    if len(set(ids)) != len(ids):
        problems.append("a dimension id is listed twice in 'id'")
    cats: list[list[str]] = []
    for d, size in zip(ids, sizes, strict=True):
        if d not in dims:
            problems.append(f"dimension {d!r} is listed in 'id' but not described in 'dimension'")
            cats.append([])
        else:
            cats.append(_categories(d, dims[d], size, problems))
    n = math.prod(sizes) if sizes else 0
    if n > 50_000_000:
        problems.append(f"the cube has {n} cells, too many for a register table")
    role = data.get("role", {})
    region = _find_dim(ids, role, "geo", ("Region", id_column))
    time = _find_dim(ids, role, "time", ("Tid", "time", "year", year_column or "Tid"))
    if region is None:
        problems.append(
            f"no region dimension (role 'geo', 'Region' or {id_column!r}); dimensions: "
            f"{', '.join(repr(d) for d in ids)}"
        )
    if problems:
        raise ValidationError(str(path), problems)
    values = _values(data, n, problems)
    if problems:
        raise ValidationError(str(path), problems)
    index = pd.MultiIndex.from_product(cats, names=ids)
    long = pd.Series(values, index=index, name="value")
    keys = [d for d in (region, time) if d is not None]
    others = [d for d in ids if d not in keys]
    if others:
        named = [d for d, c in zip(ids, cats, strict=True) if d in others and len(c) > 1]
        wide = long.unstack(others)
        levels = [others.index(d) for d in named] if named else [len(others) - 1]
        cols = wide.columns.to_frame(index=False).astype(str)
        wide.columns = ["_".join(row[i] for i in levels) for row in cols.itertuples(index=False)]
        frame = wide.reset_index()
    else:
        frame = long.reset_index()
    rename = {region: id_column}
    if time is not None and year_column is not None:
        rename[time] = year_column
    frame = frame.rename(columns=rename)
    frame[id_column] = frame[id_column].astype(str).astype(object)
    if time is not None and year_column is not None:
        frame[year_column] = frame[year_column].astype(str).astype(object)
    logger.info(
        "%s: JSON-stat2 cube %s -> %d rows, columns %s",
        path,
        dict(zip(ids, sizes, strict=True)),
        len(frame),
        list(frame.columns),
    )
    return frame
