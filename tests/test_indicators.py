"""Indicator values from declared definitions, against hand-computed shares and rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geoseg.errors import InputError
from geoseg.indicators import change_interval, city_values, indicator_label, indicator_values
from geoseg.io.indicators import Indicator, default_indicators


@pytest.fixture
def register():
    return pd.DataFrame(
        {
            "code": ["0101", "0102", "0101", "0102"],
            "year": [2022, 2022, 2023, 2023],
            "pop": [200, 0, 250, 40],
            "abroad": [50, 0, 100, 10],
            "rent": [30, 0, 40, 5],
            "own": [10, 0, 10, 15],
            "income": [250.0, np.nan, 260.0, 300.0],
        }
    )


def test_shares_rates_and_amounts_are_computed_as_declared(register):
    defs = {
        "abroad": Indicator("abroad", "abroad", "pop", "share"),
        "abroad_rate": Indicator("abroad_rate", "abroad", "pop", "rate"),
        "rented": Indicator("rented", "rent", "rent + own", "share"),
        "income": Indicator("income", "income", "pop", "amount", unit="tkr"),
    }
    out = indicator_values(register, defs, id_column="code", year_column="year")
    assert list(out["indicator"].unique()) == list(defs)
    share = out[out["indicator"] == "abroad"]["value"].to_numpy()
    np.testing.assert_allclose(share, [25.0, np.nan, 40.0, 25.0])  # an empty area has no share
    rate = out[out["indicator"] == "abroad_rate"]["value"].to_numpy()
    np.testing.assert_allclose(rate, [250.0, np.nan, 400.0, 250.0])
    rented = out[out["indicator"] == "rented"]
    np.testing.assert_allclose(rented["value"], [75.0, np.nan, 80.0, 25.0])
    np.testing.assert_allclose(rented["base"], [40, 0, 50, 20])
    income = out[out["indicator"] == "income"]
    np.testing.assert_allclose(income["value"], register["income"])
    np.testing.assert_allclose(income["base"], register["pop"])
    assert income["count"].isna().all()
    assert list(out["code"][:4]) == ["0101", "0102", "0101", "0102"]


def test_a_missing_column_names_the_column(register):
    defs = {"x": Indicator("x", "abroad", "nobody", "share")}
    with pytest.raises(InputError, match="nobody"):
        indicator_values(register, defs, id_column="code", year_column="year")


def test_labels_follow_the_definitions_never_the_column_names():
    defs = {
        "low": Indicator("low", "low_es", "pop", "share", label_sv="Låg standard", label_en="Low")
    }
    assert indicator_label("low", defs, "sv") == "Låg standard"
    assert indicator_label("low_es/pop", defs, "en") == "Low"
    assert indicator_label("low_es", defs, "en") == "Low"
    assert indicator_label("other", defs, "en") == "other"


def test_defaults_share_every_group_of_the_total():
    defs = default_indicators(groups=["a", "b"], total="pop", amounts=["inc"])
    assert [(d.name, d.kind, d.denominator) for d in defs.values()] == [
        ("a", "share", "pop"),
        ("b", "share", "pop"),
        ("inc", "amount", "pop"),
    ]


def test_city_value_and_change_interval_of_a_share_are_the_hand_computed_ones(register):
    share = Indicator(
        name="abroad",
        numerator="abroad",
        denominator="pop",
        kind="share",
        label_sv="Utrikes",
        label_en="Abroad",
        worse="higher",
    )
    values = indicator_values(register, {"abroad": share}, id_column="code", year_column="year")
    city = city_values(values, share).set_index("year")
    # the area without residents in 2022 rests on no one and counts for nothing
    p0, p1 = 50 / 200, 110 / 290
    assert city.loc[2022, "value"] == pytest.approx(100 * p0)
    assert city.loc[2023, "value"] == pytest.approx(100 * p1)
    assert list(city["n"]) == [200.0, 290.0]
    se = 100 * math.sqrt(p0 * (1 - p0) / 200 + p1 * (1 - p1) / 290)
    low, high = change_interval(values, share, 2022, 2023)
    assert (low, high) == pytest.approx((100 * (p1 - p0) - 1.96 * se, 100 * (p1 - p0) + 1.96 * se))
