"""Saved tables round-trip exactly without pickle (geoseg.io.frames)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from geoseg.io.frames import TableFileError, tables_from_bytes, tables_to_bytes


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert type(got) is pd.DataFrame
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True)
    assert type(got.index) is type(want.index)
    assert got.dtypes.tolist() == want.dtypes.tolist()
    assert got.columns.dtype == want.columns.dtype
    assert got.index.names == want.index.names
    assert got.attrs == want.attrs


def _every_dtype() -> pd.DataFrame:
    n = 5
    df = pd.DataFrame(
        {
            "year": np.array([2018, 2019, 2020, 2021, 2022], dtype="int64"),
            "n_neighbors": np.array([1, 2, 0, 3, 1], dtype="int32"),
            "value": [0.1, np.nan, np.inf, -0.0, 1e-300],
            "significant": [True, False, True, False, False],
            "label": pd.array(["HH", None, "LL", "ns", "ej signifikant"], dtype="str"),
            "name": pd.array(["a", pd.NA, "c", "d", "é"], dtype="string"),
            "count": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "share": pd.array([0.5, None, 0.25, 1.0, 0.0], dtype="Float64"),
            "flag": pd.array([True, None, False, True, None], dtype="boolean"),
            "kind": pd.Categorical(["x", "y", "x", None, "z"], categories=["z", "y", "x"]),
            "when": pd.to_datetime(["2020-01-01", None, "2021-06-30", "2022-12-31", "2023-01-01"]),
            "level": np.array([None, None, "deso", 3, 2.5], dtype=object),
        }
    )
    df.index = pd.Index([f"9901010{i}" for i in range(n)], dtype="str", name="code")
    df.attrs = {"source": "register", "years": [2018, 2022], "seed": 7, "ratio": 0.5}
    return df


def test_every_supported_dtype_round_trips_exactly() -> None:
    df = _every_dtype()
    assert df["level"].dtype == object  # an object column stays one (not read back as str)
    _assert_same(tables_from_bytes(tables_to_bytes(df)), df)


def test_indexes_and_nested_structures_round_trip() -> None:
    ranged = pd.DataFrame({"a": [1.5, 2.5]}, index=pd.RangeIndex(3, 7, 2, name="row"))
    multi = pd.DataFrame(
        {"v": [1, 2, 3]},
        index=pd.MultiIndex.from_arrays(
            [pd.array(["9902", "9901", "9902"], dtype="str"), [2020, 2020, 2021]],
            names=["municipality", "year"],
        ),
    )
    dup = pd.DataFrame([[1, 2], [3, 4]], columns=["x", "x"], index=[0, 0])
    empty = _every_dtype().iloc[:0]
    no_columns = pd.DataFrame(index=pd.Index(["a", "b"], dtype="str"))
    value = {
        "indices": ranged,
        "hotspots": {"rate": {2020: multi, 2021: dup}, "none": {None: empty}},
        "columns": no_columns,
        "list": [1, 2.0, "3", None, True, (4, 5)],
        "nan": float("nan"),
    }
    got = tables_from_bytes(tables_to_bytes(value))
    assert list(got) == list(value)
    _assert_same(got["indices"], ranged)
    assert list(got["hotspots"]) == ["rate", "none"]
    assert list(got["hotspots"]["rate"]) == [2020, 2021]
    assert type(next(iter(got["hotspots"]["rate"]))) is int
    _assert_same(got["hotspots"]["rate"][2020], multi)
    _assert_same(got["hotspots"]["rate"][2021], dup)
    _assert_same(got["hotspots"]["none"][None], empty)
    _assert_same(got["columns"], no_columns)
    assert got["list"] == [1, 2.0, "3", None, True, (4, 5)]
    assert [type(v) for v in got["list"]] == [int, float, str, type(None), bool, tuple]
    assert np.isnan(got["nan"])


def test_the_same_tables_give_the_same_bytes_and_nothing_is_pickled() -> None:
    df = _every_dtype()
    blob = tables_to_bytes({"a": df})
    assert tables_to_bytes({"a": df.copy()}) == blob
    # an ordinary .npz: every array reads with pickle refused, the rest is JSON text
    with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
        arrays = [npz[name] for name in npz.files if name != "meta.json"]
    assert arrays and all(a.dtype.kind != "O" for a in arrays)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = zf.namelist()
        assert names[0] == "meta.json"
        assert all(n == "meta.json" or n.endswith(".npy") for n in names)
        assert b"\x80" not in zf.read("meta.json")[:2]  # no pickle protocol header


class _Thing:
    pass


@pytest.mark.parametrize(
    "value",
    [
        pd.DataFrame({"a": np.array([_Thing()], dtype=object)}),
        pd.DataFrame({"a": [1]}).set_axis(pd.Index([np.int64(1)], dtype=object)),
        pd.DataFrame({"t": pd.to_datetime(["2020-01-01"]).tz_localize("UTC")}),
        {"a": np.float64(1.0)},
        {"a": {1, 2}},
    ],
    ids=["object", "numpy-scalar-label", "tz-datetime", "numpy-scalar", "set"],
)
def test_what_cannot_be_saved_exactly_is_refused(value: object) -> None:
    with pytest.raises(TypeError, match="cannot save"):
        tables_to_bytes(value)


def test_attrs_that_json_cannot_hold_exactly_are_refused() -> None:
    df = pd.DataFrame({"a": [1]})
    df.attrs = {"when": pd.Timestamp("2020-01-01")}
    with pytest.raises(TypeError, match="Timestamp"):
        tables_to_bytes(df)


@pytest.mark.parametrize("blob", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_damaged_files_are_refused(blob: bytes) -> None:
    with pytest.raises(TableFileError, match="geoseg-tables"):
        tables_from_bytes(blob)


def test_another_format_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("meta.json", '{"format": "other", "version": 1, "root": {"value": 1}}')
    with pytest.raises(TableFileError, match="not a geoseg-tables file of version 1"):
        tables_from_bytes(buffer.getvalue())
