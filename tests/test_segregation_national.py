"""National measures: socio-economic index, area types, inequality and segregation indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoseg.errors import InputError
from geoseg.io.indicators import Indicator
from geoseg.segregation import (
    area_type_shares,
    area_types,
    default_socioeconomic_indicators,
    inequality_index,
    segregation_index,
    socioeconomic_index,
)


def _register() -> pd.DataFrame:
    # shares of low economic standard 10, 20, 30 %; employment 90, 80, 70 %
    return pd.DataFrame(
        {
            "code": ["0101A", "0101B", "0102A"],
            "year": [2020, 2020, 2020],
            "pop": [100, 200, 100],
            "low": [10, 40, 30],
            "work_age": [50, 100, 50],
            "employed": [45, 80, 35],
        }
    )


INDS = {
    "les": Indicator(name="les", numerator="low", denominator="pop", worse="higher"),
    "emp": Indicator(name="emp", numerator="employed", denominator="work_age", worse="lower"),
}


def test_socioeconomic_index_hand_computed() -> None:
    out = socioeconomic_index(_register(), INDS, id_column="code", year_column="year")
    # les = 10, 20, 30: mean 20, population sd sqrt(200/3); oriented z = +1.2247, 0, -1.2247
    sd = np.sqrt(200 / 3)
    np.testing.assert_allclose(out["les"], [10.0, 20.0, 30.0])
    np.testing.assert_allclose(out["z_les"], [10 / sd, 0.0, -10 / sd])
    # emp = 90, 80, 70: same spread, higher is better
    np.testing.assert_allclose(out["z_emp"], [10 / sd, 0.0, -10 / sd])
    np.testing.assert_allclose(out["socioeconomic_index"], [10 / sd, 0.0, -10 / sd])
    assert list(out.index) == list(_register().index)


def test_socioeconomic_index_standardises_within_each_year() -> None:
    reg = pd.concat([_register(), _register().assign(year=2021, low=[20, 80, 60])])
    reg = reg.reset_index(drop=True)
    out = socioeconomic_index(reg, INDS, id_column="code", year_column="year")
    # doubling every share in 2021 leaves the standard scores unchanged
    np.testing.assert_allclose(out["z_les"].iloc[:3], out["z_les"].iloc[3:])


def test_socioeconomic_index_refuses_direction_less_and_missing_columns() -> None:
    bad = {
        "x": Indicator(name="x", numerator="low", denominator="pop", worse="none"),
        "y": Indicator(name="y", numerator="nope", denominator="pop", worse="higher"),
    }
    with pytest.raises(InputError) as err:
        socioeconomic_index(_register(), bad, id_column="code", year_column="year")
    assert "worse='none'" in str(err.value) and "'nope'" in str(err.value)


def test_default_indicators_read_register_columns() -> None:
    inds = default_socioeconomic_indicators(
        low_economic_standard="low", population="pop", employed="employed",
        working_age="work_age", low_education="low", education_base="pop",
    )  # fmt: skip
    out = socioeconomic_index(_register(), inds, id_column="code", year_column="year")
    sd = np.sqrt(200 / 3)
    np.testing.assert_allclose(out["socioeconomic_index"], [10 / sd, 0.0, -10 / sd])


def test_area_types_cut_standardised_index() -> None:
    index = pd.Series([-3.0, -1.2, -0.5, 0.5, 3.0, np.nan, 0.0])
    # mean 0 over the non-missing values; sd computed by hand
    vals = np.array([-3.0, -1.2, -0.5, 0.5, 3.0, 0.0])
    z = vals / vals.std()
    expected = [1 + int(np.searchsorted([-1.5, -1.0, 0.0, 1.0], v, side="right")) for v in z]
    got = area_types(index)
    assert got.dropna().tolist() == expected
    assert pd.isna(got.iloc[5])
    # z = -1.66, -0.66, -0.28, 0.28, 1.66, 0: types 1, 3, 3, 4, 5, 4
    assert expected == [1, 3, 3, 4, 5, 4]


def test_area_types_refuses_bad_cuts() -> None:
    with pytest.raises(InputError, match="four increasing"):
        area_types(pd.Series([1.0, 2.0]), cuts=(0.0, -1.0, 1.0, 2.0))


def test_segregation_index_hand_computed_and_equals_pysal() -> None:
    import segregation as seg

    table = pd.DataFrame(
        {
            "muni": ["A", "A", "A", "B", "B"],
            "low": [30, 10, 0, 5, 5],
            "high": [0, 10, 30, 5, 5],
        }
    )
    d = segregation_index(table, low="low", high="high", by="muni")
    # A: low shares .75 .25 0, high shares 0 .25 .75 -> (.75 + 0 + .75) / 2 = .75
    assert d["A"] == pytest.approx(0.75)
    assert d["B"] == pytest.approx(0.0)
    a = table[table.muni == "A"].assign(total=lambda t: t.low + t.high)
    oracle = seg.singlegroup.Dissim(a, group_pop_var="low", total_pop_var="total").statistic
    # pysal's D compares the group with everyone else, here the high-income group
    assert d["A"] == pytest.approx(oracle)


def test_inequality_index_equals_pysal_multigroup_dissimilarity() -> None:
    import segregation as seg

    rng = np.random.default_rng(3)
    groups = ["q1", "q2", "q3", "q4", "q5"]
    table = pd.DataFrame(rng.integers(0, 400, size=(14, 5)), columns=groups)
    table["muni"] = ["0101"] * 8 + ["0102"] * 6
    got = inequality_index(table, groups=groups, by="muni")
    for muni in ("0101", "0102"):
        part = table[table.muni == muni]
        oracle = seg.multigroup.MultiDissim(part, groups).statistic
        assert got[muni] == pytest.approx(oracle)


def test_inequality_index_two_groups_equals_segregation_index() -> None:
    table = pd.DataFrame({"m": ["x"] * 3, "low": [30, 10, 0], "high": [0, 10, 30]})
    assert inequality_index(table, groups=["low", "high"], by="m")["x"] == pytest.approx(0.75)


def test_area_type_shares_hand_computed() -> None:
    table = pd.DataFrame(
        {
            "muni": ["A", "A", "A", "B"],
            "year": [2020] * 4,
            "pop": [100, 300, 600, 50],
            "area_type": pd.array([1, 3, 3, 5], dtype="Int64"),
        }
    )
    shares = area_type_shares(table, population="pop", by=["muni", "year"])
    assert shares.loc[("A", 2020)].tolist() == pytest.approx([0.1, 0.0, 0.9, 0.0, 0.0])
    assert shares.loc[("B", 2020)].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
