"""Saving tables without pickle: DataFrames (and the dicts and lists holding them) as one file.

A national run keeps each year task's results (a DataFrame of indices and, per variable and
year, a DataFrame of local hotspot statistics) so that a rerun can skip the task. Pickle would
run code when the file is loaded; this format cannot. :func:`tables_to_bytes` writes a ZIP
archive (readable as a NumPy ``.npz``) of

* ``meta.json``: the nested structure (dicts with their keys' types, lists, tuples, scalars),
  each table's index, column labels, dtypes and ``attrs``, and the text columns' values;
* ``<n>.npy``: every numeric, boolean or date column, mask and category codes as a NumPy array,
  written and read with ``allow_pickle=False``.

:func:`tables_from_bytes` reads it back with the same dtypes, index (a ``RangeIndex`` stays
one), column labels and ``attrs``. The bytes depend on the content only (fixed archive
timestamps), so the same results give the same file and the same digest.

Supported columns: NumPy numbers, booleans, dates and durations; pandas' text (``str``,
``string``), nullable integer, float and boolean, and categorical dtypes; and ``object``
columns of ``None``, ``bool``, ``int``, ``float`` and ``str``. Anything else raises
:class:`TypeError` when written rather than being saved inexactly.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMAT", "TableFileError", "tables_from_bytes", "tables_to_bytes"]

#: Name and version of the format, recorded in ``meta.json``.
FORMAT = ("geoseg-tables", 1)
_META = "meta.json"
_DATE = (1980, 1, 1, 0, 0, 0)
_SCALARS = (type(None), bool, int, float, str)
_MASKED: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "i": pd.arrays.IntegerArray,
    "u": pd.arrays.IntegerArray,
    "f": pd.arrays.FloatingArray,
    "b": pd.arrays.BooleanArray,
}


class TableFileError(ValueError):
    """The bytes are not a table file this version of geoseg wrote."""


class _Writer:
    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def array(self, values: np.ndarray) -> int:
        if values.dtype.kind not in "biufcmM":
            msg = f"cannot save an array of dtype {values.dtype} without pickle"
            raise TypeError(msg)
        self.arrays.append(np.ascontiguousarray(values))
        return len(self.arrays) - 1

    def node(self, value: Any) -> Any:
        """A JSON node for ``value``: a scalar, a table, or a dict, list or tuple of nodes."""
        if isinstance(value, pd.DataFrame):
            if type(value) is not pd.DataFrame:
                msg = f"cannot save a {type(value).__name__}; convert it to a plain DataFrame"
                raise TypeError(msg)
            return {"table": self.table(value)}
        if isinstance(value, dict):
            return {"dict": [[self.node(k), self.node(v)] for k, v in value.items()]}
        if isinstance(value, list | tuple) and type(value) in (list, tuple):
            kind = "list" if isinstance(value, list) else "tuple"
            return {kind: [self.node(v) for v in value]}
        if type(value) in _SCALARS:
            return {"value": _json_scalar(value)}
        msg = (
            f"cannot save a value of type {type(value).__name__} ({value!r:.60}); only "
            "DataFrames, dicts, lists, tuples and None, bool, int, float and str are saved"
        )
        raise TypeError(msg)

    def table(self, df: pd.DataFrame) -> dict[str, Any]:
        return {
            "index": self.index(df.index),
            "columns": self.index(df.columns),
            "data": [self.column(df.iloc[:, i].array) for i in range(df.shape[1])],
            "attrs": self.node(dict(df.attrs)),
        }

    def index(self, index: pd.Index) -> dict[str, Any]:
        if isinstance(index, pd.RangeIndex):
            return {
                "kind": "range",
                "start": index.start,
                "stop": index.stop,
                "step": index.step,
                "name": self.node(index.name),
            }
        if isinstance(index, pd.MultiIndex):
            return {
                "kind": "multi",
                "levels": [self.index(level) for level in index.levels],
                "codes": [self.array(np.asarray(c)) for c in index.codes],
                "names": [self.node(n) for n in index.names],
            }
        return {"kind": "index", "name": self.node(index.name), "values": self.column(index.array)}

    def column(self, values: Any) -> dict[str, Any]:
        dtype: Any = values.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return {
                "kind": "category",
                "codes": self.array(np.asarray(values.codes)),
                "categories": self.index(dtype.categories),
                "ordered": bool(dtype.ordered),
            }
        if isinstance(dtype, pd.StringDtype):
            na = "nan" if _is_nan(dtype.na_value) else "NA"
            return {
                "kind": "string",
                "storage": dtype.storage,
                "na": na,
                "values": [None if pd.isna(v) else str(v) for v in values],
            }
        if isinstance(
            values, pd.arrays.IntegerArray | pd.arrays.FloatingArray | pd.arrays.BooleanArray
        ):
            mask = np.asarray(values.isna())
            data = values.to_numpy(dtype=dtype.numpy_dtype, na_value=dtype.numpy_dtype.type(0))
            return {
                "kind": "masked",
                "dtype": str(dtype),
                "values": self.array(data),
                "mask": self.array(mask),
            }
        if isinstance(values, pd.arrays.NumpyExtensionArray):
            dtype = np.asarray(values).dtype
        if isinstance(dtype, np.dtype):
            data = np.asarray(values)
            if dtype.kind == "O":
                items = data.tolist()
                for item in items:
                    if type(item) not in _SCALARS:
                        msg = (
                            f"cannot save an object column holding {type(item).__name__} "
                            f"({item!r:.60}); only None, bool, int, float and str"
                        )
                        raise TypeError(msg)
                return {"kind": "object", "values": [_json_scalar(v) for v in items]}
            return {"kind": "numpy", "values": self.array(data)}
        msg = f"cannot save a column of dtype {dtype} without pickle"
        raise TypeError(msg)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _json_scalar(value: Any) -> Any:
    """A float that JSON cannot hold exactly (NaN, infinities) as a tagged string."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"float": repr(value)}
    return value


def _from_json_scalar(value: Any) -> Any:
    if isinstance(value, dict):
        return float(value["float"])
    return value


def tables_to_bytes(value: Any) -> bytes:
    """The file of ``value``: DataFrames, possibly inside dicts, lists and tuples.

    Parameters
    ----------
    value
        A DataFrame, a scalar (``None``, ``bool``, ``int``, ``float``, ``str``), or a dict,
        list or tuple of such values (dict keys too may be any of them).

    Returns
    -------
    bytes
        A ZIP archive of ``meta.json`` and one ``.npy`` per array; the same value always gives
        the same bytes.

    Raises
    ------
    TypeError
        A value, column dtype or ``attrs`` entry this format cannot hold exactly.
    """
    writer = _Writer()
    meta = {"format": FORMAT[0], "version": FORMAT[1], "root": writer.node(value)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(_META, date_time=_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        text = json.dumps(meta, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        zf.writestr(info, text.encode("utf-8"))
        for i, array in enumerate(writer.arrays):
            out = io.BytesIO()
            np.lib.format.write_array(out, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{i}.npy", date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, out.getvalue())
    return buffer.getvalue()


class _Reader:
    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf

    def array(self, n: int) -> np.ndarray:
        with self.zf.open(f"{int(n)}.npy") as fh:
            return np.lib.format.read_array(io.BytesIO(fh.read()), allow_pickle=False)

    def node(self, node: dict[str, Any]) -> Any:
        if "value" in node:
            return _from_json_scalar(node["value"])
        if "table" in node:
            return self.table(node["table"])
        if "dict" in node:
            return {self.node(k): self.node(v) for k, v in node["dict"]}
        if "list" in node:
            return [self.node(v) for v in node["list"]]
        if "tuple" in node:
            return tuple(self.node(v) for v in node["tuple"])
        msg = f"unknown node {sorted(node)!r}"
        raise TableFileError(msg)

    def table(self, spec: dict[str, Any]) -> pd.DataFrame:
        index = self.index(spec["index"])
        columns = self.index(spec["columns"])
        # each column keeps its dtype (an object column of text is not read as str)
        data = {}
        for i, c in enumerate(spec["data"]):
            values = self.column(c)
            data[i] = pd.Series(values, dtype=values.dtype, copy=False)
        df = pd.DataFrame(data) if data else pd.DataFrame(index=pd.RangeIndex(len(index)))
        df.index = index
        df.columns = columns
        df.attrs = self.node(spec["attrs"])
        return df

    def index(self, spec: dict[str, Any]) -> pd.Index:
        if spec["kind"] == "range":
            return pd.RangeIndex(
                spec["start"], spec["stop"], spec["step"], name=self.node(spec["name"])
            )
        if spec["kind"] == "multi":
            levels: list[Any] = [self.index(level) for level in spec["levels"]]
            codes: list[Any] = [self.array(c) for c in spec["codes"]]
            return pd.MultiIndex(
                levels=levels,
                codes=codes,
                names=[self.node(n) for n in spec["names"]],
                verify_integrity=False,
            )
        values = self.column(spec["values"])
        return pd.Index(values, dtype=values.dtype, name=self.node(spec["name"]), copy=False)

    def column(self, spec: dict[str, Any]) -> Any:
        kind = spec["kind"]
        if kind == "numpy":
            return self.array(spec["values"])
        if kind == "object":
            items = [_from_json_scalar(v) for v in spec["values"]]
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out
        if kind == "string":
            na = np.nan if spec["na"] == "nan" else pd.NA
            text = pd.StringDtype(storage=spec["storage"], na_value=na)
            return pd.array(spec["values"], dtype=text)
        if kind == "masked":
            values = self.array(spec["values"])
            mask = self.array(spec["mask"]).astype(bool)
            array = _MASKED[values.dtype.kind](values, mask)
            if str(array.dtype) != spec["dtype"]:
                msg = f"masked column of dtype {spec['dtype']} read as {array.dtype}"
                raise TableFileError(msg)
            return array
        if kind == "category":
            categories = self.index(spec["categories"])
            categorical: Any = pd.CategoricalDtype(categories, ordered=bool(spec["ordered"]))
            return pd.Categorical.from_codes(self.array(spec["codes"]), dtype=categorical)
        msg = f"unknown column kind {kind!r}"
        raise TableFileError(msg)


def tables_from_bytes(blob: bytes) -> Any:
    """The value :func:`tables_to_bytes` wrote, with its tables' dtypes, index and ``attrs``.

    Parameters
    ----------
    blob
        The file's bytes.

    Returns
    -------
    Any
        The saved value. Nothing in the file is executed: arrays are read with
        ``allow_pickle=False`` and everything else is JSON.

    Raises
    ------
    TableFileError
        Not such a file, another format version, or a damaged one.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            meta = json.loads(zf.read(_META).decode("utf-8"))
            if not isinstance(meta, dict) or (meta.get("format"), meta.get("version")) != FORMAT:
                msg = f"not a {FORMAT[0]} file of version {FORMAT[1]}"
                raise TableFileError(msg)
            return _Reader(zf).node(meta["root"])
    except TableFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        msg = f"not a readable {FORMAT[0]} file ({type(exc).__name__}: {exc})"
        raise TableFileError(msg) from exc
