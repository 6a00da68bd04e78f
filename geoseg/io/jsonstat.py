"""JSON-stat 2.0 datasets as tidy long tables: one row per cell, one column per dimension.

PxWeb (SCB's statistical database, API v1 and v2) answers queries with JSON-stat 2.0 documents.
:func:`jsonstat_long` turns one such document (already decoded from JSON) into a long table
whose dimension columns hold the category *codes* and whose ``value`` column holds the cell
values; :func:`jsonstat_dimensions` lists the dimensions with their codes, labels and roles.
The checks of a dataset's shape, category codes and cells are shared with the reader of saved
PxWeb files (:func:`geoseg.io.read_register`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import InputError, ValidationError

__all__ = ["Dimension", "jsonstat_dimensions", "jsonstat_long"]

#: Name of the value column of :func:`jsonstat_long`.
VALUE = "value"


@dataclass(frozen=True)
class Dimension:
    """One dimension (variable) of a statistical table.

    Attributes
    ----------
    code
        The dimension's id (``Region``, ``Tid``, ``ContentsCode``).
    label
        Its text (``region``, ``år``).
    values
        Category codes in the table's order.
    texts
        Category labels, in the same order.
    role
        ``"geo"``, ``"time"``, ``"metric"`` or ``None``.
    elimination
        Whether the dimension may be left out of a query (the database then sums over it).
    """

    code: str
    label: str
    values: tuple[str, ...]
    texts: tuple[str, ...]
    role: str | None = None
    elimination: bool = False


def _roles(data: dict[str, Any]) -> dict[str, str]:
    role = data.get("role")
    out: dict[str, str] = {}
    if isinstance(role, dict):
        for key in ("geo", "time", "metric"):
            ids = role.get(key)
            if isinstance(ids, list):
                out |= {str(d): key for d in ids}
    return out


def _categories(dim_id: str, dim: Any, size: int, problems: list[str]) -> list[str]:
    """Return the ordered category codes of one dimension."""
    cat = dim.get("category") if isinstance(dim, dict) else None
    if not isinstance(cat, dict):
        problems.append(f"dimension {dim_id!r} has no 'category' object")
        return []
    index = cat.get("index")
    if isinstance(index, dict):
        try:
            codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: int(kv[1]))]
        except (TypeError, ValueError):
            problems.append(f"dimension {dim_id!r} has a category index that is not numbers")
            return []
    elif isinstance(index, list):
        codes = [str(c) for c in index]
    elif index is None and isinstance(cat.get("label"), dict) and len(cat["label"]) == 1:
        codes = [str(next(iter(cat["label"])))]
    else:
        problems.append(f"dimension {dim_id!r} has no usable category index")
        return []
    if len(set(codes)) != len(codes):
        problems.append(f"dimension {dim_id!r} lists a category code twice")
    if len(codes) != size:
        problems.append(
            f"dimension {dim_id!r} lists {len(codes)} categories but 'size' says {size}"
        )
    return codes


def _values(data: dict[str, Any], n: int, problems: list[str]) -> np.ndarray:
    """Return the ``n`` cell values as float64 (NaN for null / missing)."""
    out = np.full(n, np.nan)
    raw = data.get("value")
    items: list[tuple[int, Any]]
    if isinstance(raw, list):
        if len(raw) != n:
            problems.append(f"'value' holds {len(raw)} cells but the dimensions make {n}")
            return out
        items = list(enumerate(raw))
    elif isinstance(raw, dict):
        try:
            items = [(int(k), v) for k, v in raw.items()]
        except ValueError:
            problems.append("'value' is an object whose keys are not cell positions")
            return out
    else:
        problems.append("the dataset has no 'value' array")
        return out
    bad = 0
    for pos, v in items:
        if not 0 <= pos < n:
            bad += 1
        elif v is None:
            continue
        elif isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            out[pos] = float(v)
        else:
            try:
                out[pos] = float(str(v).replace(",", "."))
            except ValueError:
                bad += 1
    if bad:
        problems.append(f"{bad} cell value(s) are not numbers or lie outside the cube")
    return out


def _check_dataset(
    data: Any, source: str, *, not_dataset: str | None = None
) -> tuple[list[str], list[int], dict[str, Any]]:
    """The dimension ids (as text), their sizes and descriptions of a JSON-stat 2.0 dataset.

    ``not_dataset`` is the message when ``data`` is not a dataset at all (by default one for
    an answer of the database). Raises :class:`InputError` when ``id``, ``size`` and
    ``dimension`` do not make a cube.
    """
    if not isinstance(data, dict) or data.get("class") != "dataset":
        msg = not_dataset or (
            f'{source}: the answer is not a JSON-stat 2.0 dataset (no "class": "dataset").'
        )
        raise InputError(msg)
    ids, sizes, dims = data.get("id"), data.get("size"), data.get("dimension")
    if (
        not isinstance(ids, list)
        or not isinstance(sizes, list)
        or not isinstance(dims, dict)
        or len(ids) != len(sizes)
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)
    ):
        msg = f"{source}: the JSON-stat dataset needs 'id', 'size' (same length) and 'dimension'."
        raise InputError(msg)
    return [str(d) for d in ids], list(sizes), dims


def _listed_codes(cat: dict[str, Any]) -> list[str]:
    """Category codes as listed, without checking them against ``size``."""
    index, label = cat.get("index"), cat.get("label")
    if isinstance(index, dict):
        return [str(c) for c, _ in sorted(index.items(), key=lambda kv: int(kv[1]))]
    if isinstance(index, list):
        return [str(c) for c in index]
    return [str(c) for c in label] if isinstance(label, dict) else []


def jsonstat_dimensions(data: Any, *, source: str, sized: bool = True) -> list[Dimension]:
    """The dimensions of a JSON-stat 2.0 dataset (or of a PxWeb v2 metadata answer).

    Parameters
    ----------
    data
        The decoded JSON document.
    source
        What the document is (a URL or file), for messages.
    sized
        Check each dimension's category count against ``size`` (PxWeb v2 metadata documents
        may describe a dimension without listing its categories; pass ``False`` for them).

    Raises
    ------
    InputError
        The document is not a JSON-stat 2.0 dataset.
    ValidationError
        Inconsistent dimensions (all problems at once).
    """
    ids, sizes, dims = _check_dataset(data, source)
    roles = _roles(data)
    problems: list[str] = []
    out = []
    for d, size in zip(ids, sizes, strict=True):
        dim = dims.get(d)
        if not isinstance(dim, dict):
            problems.append(f"dimension {d!r} is listed in 'id' but not described")
            continue
        cat: dict[str, Any] = dim["category"] if isinstance(dim.get("category"), dict) else {}
        codes = _categories(d, dim, size, problems) if sized else _listed_codes(cat)
        labels: dict[str, Any] = cat["label"] if isinstance(cat.get("label"), dict) else {}
        ext: dict[str, Any] = dim["extension"] if isinstance(dim.get("extension"), dict) else {}
        out.append(
            Dimension(
                code=d,
                label=str(dim.get("label") or d),
                values=tuple(codes),
                texts=tuple(str(labels.get(c, c)) for c in codes),
                role=roles.get(d),
                elimination=bool(ext.get("elimination", False)),
            )
        )
    if problems:
        raise ValidationError(source, problems)
    return out


def jsonstat_long(data: Any, *, source: str) -> pd.DataFrame:
    """A JSON-stat 2.0 dataset as a long table: a column of codes per dimension, and ``value``.

    Cells are listed in the dataset's row-major order (the last dimension varies fastest).
    Null cells (SCB's ``..`` and ``.``) are NaN.

    Parameters
    ----------
    data
        The decoded JSON document.
    source
        What the document is (a URL or file), for messages.

    Returns
    -------
    DataFrame
        One text column per dimension (named by the dimension id, holding category codes) and
        the float column ``value``.

    Raises
    ------
    InputError, ValidationError
        The document is not a consistent JSON-stat 2.0 dataset.

    Notes
    -----
    The cell of category positions :math:`(i_1, \\dots, i_k)` in dimensions of sizes
    :math:`(n_1, \\dots, n_k)` is ``value[i_1 n_2 \\cdots n_k + \\dots + i_k]`` (JSON-stat 2.0,
    https://json-stat.org/full/#value).
    """
    dims = jsonstat_dimensions(data, source=source)
    n = math.prod(len(d.values) for d in dims) if dims else 0
    problems: list[str] = []
    values = _values(data, n, problems)
    if problems:
        raise ValidationError(source, problems)
    index = pd.MultiIndex.from_product([list(d.values) for d in dims], names=[d.code for d in dims])
    frame = index.to_frame(index=False).astype(object)
    frame[VALUE] = values
    return frame
