"""Area trends, gap trends and series breaks against scipy, pymannkendall and hand cases."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geoseg.errors import InputError
from geoseg.stats import adjust_pvalues
from geoseg.trends import (
    SeriesBreak,
    apply_breaks,
    area_trends,
    gap_trends,
)

YEARS = list(range(2016, 2024))


def _table(values: dict[str, list[float]], years=YEARS, indicator="x") -> pd.DataFrame:
    rows = [
        {"code": code, "year": y, "indicator": indicator, "value": v}
        for code, series in values.items()
        for y, v in zip(years, series, strict=True)
    ]
    return pd.DataFrame(rows)


def _random_table(seed: int = 0, n: int = 30) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    trend = rng.normal(0, 1, size=n)
    values = 50 + trend[:, None] * np.arange(len(YEARS)) + rng.normal(0, 2, (n, len(YEARS)))
    codes = [f"A{i:02d}" for i in range(n)]
    return _table(dict(zip(codes, values.tolist(), strict=True))), values


@pytest.mark.parametrize("method", ["theil_sen", "ols"])
def test_area_slopes_and_intervals_equal_scipy(method):
    table, values = _random_table()
    res = area_trends(table, method=method).set_index("code")
    years = np.array(YEARS, dtype=float)
    for i, code in enumerate(res.index):
        if method == "theil_sen":
            ref = stats.theilslopes(values[i], years, alpha=0.95)
            expected = (ref.slope, ref.low_slope, ref.high_slope)
        else:
            reg = stats.linregress(years, values[i])
            half = stats.t.ppf(0.975, len(years) - 2) * reg.stderr
            expected = (reg.slope, reg.slope - half, reg.slope + half)
        got = res.loc[code, ["slope", "slope_low", "slope_high"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_theil_sen_with_tied_values_and_different_years_per_area_equals_scipy():
    # areas are trended together by set of years: tied values (the interval's tie correction
    # differs per area) and areas that lack some years must still match scipy area by area
    rng = np.random.default_rng(4)
    series = {f"B{i:02d}": np.round(rng.normal(10, 2, len(YEARS))).tolist() for i in range(40)}
    series["B00"] = [5.0] * len(YEARS)  # all tied
    table = _table(series)
    table = table[~((table["code"] < "B10") & (table["year"] == 2019))]  # a missing year
    table = table[~((table["code"] == "B20") & (table["year"] >= 2018))]  # too short
    res = area_trends(table).set_index("code")
    for code, part in table.groupby("code"):
        if len(part) < 3:
            assert np.isnan(res.loc[code, "slope"])
            continue
        ref = stats.theilslopes(part["value"].to_numpy(), part["year"].to_numpy(float))
        got = res.loc[code, ["slope", "slope_low", "slope_high"]].to_numpy(dtype=float)
        np.testing.assert_allclose(got, [ref.slope, ref.low_slope, ref.high_slope], rtol=1e-12)
        assert res.loc[code, "years"] == len(part)


def test_mann_kendall_p_equals_pymannkendall_and_is_adjusted_per_indicator():
    import pymannkendall as mk

    table, values = _random_table(seed=1)
    res = area_trends(table, correction="bonferroni").set_index("code")
    ref_p = np.array([mk.original_test(v).p for v in values])
    np.testing.assert_allclose(res["mk_p"].to_numpy(), ref_p, rtol=1e-10)
    np.testing.assert_allclose(
        res["mk_p_adjusted"].to_numpy(), np.minimum(ref_p * len(ref_p), 1.0), rtol=1e-10
    )
    assert (res["significant"] == (res["mk_p_adjusted"] <= 0.05)).all()
    rising = res["significant"] & (res["mk_tau"] > 0)
    assert (res.loc[rising, "direction"] == "increasing").all()
    assert (res.loc[~res["significant"], "direction"] == "no trend").all()


def test_exact_line_and_flat_series():
    table = _table({"up": [2.0 * y + 1 for y in range(8)], "flat": [5.0] * 8})
    res = area_trends(table).set_index("code")
    assert res.loc["up", "slope"] == pytest.approx(2.0)
    assert res.loc["up", "direction"] == "increasing"
    assert res.loc["flat", "slope"] == 0.0
    assert res.loc["flat", "direction"] == "no trend"
    assert res.loc["up", "value_first"] == 1.0 and res.loc["up", "value_last"] == 15.0


def test_gap_between_best_and_worst_areas():
    # 20 areas spread evenly around 50; the spread grows by 10 % a year: the gap grows
    spread = np.linspace(-1, 1, 20)
    growing = {f"G{i}": [50 + s * 10 * 1.1**t for t in range(8)] for i, s in enumerate(spread)}
    res = gap_trends(_table(growing))
    series = res.series[res.series["measure"] == "p90_p10"]
    first = np.array([v[0] for v in growing.values()])
    p10, p90 = np.percentile(first, [10, 90])
    assert series["gap"].iloc[0] == pytest.approx(p90 - p10)
    q = np.sort(first)
    quint = res.series[res.series["measure"] == "quintile_means"]
    assert quint["gap"].iloc[0] == pytest.approx(q[-4:].mean() - q[:4].mean())
    summary = res.summary.set_index("measure")
    assert (summary["verdict"] == "growing").all()
    gaps = series["gap"].to_numpy()
    ref = stats.theilslopes(gaps, np.array(YEARS, dtype=float))
    assert summary.loc["p90_p10", "slope"] == pytest.approx(ref.slope)
    assert summary.loc["p90_p10", "ols_p"] == pytest.approx(stats.linregress(YEARS, gaps).pvalue)

    shrinking = {
        k: [50 + (x - 50) * 0.9**t / 1.1**t for t, x in enumerate(v)] for k, v in growing.items()
    }
    assert (gap_trends(_table(shrinking)).summary["verdict"] == "shrinking").all()
    rng = np.random.default_rng(2)
    steady = {f"S{i}": list(50 + s * 10 + rng.normal(0, 0.01, 8)) for i, s in enumerate(spread)}
    steady_res = gap_trends(_table(steady), measures=["p90_p10"])
    assert steady_res.summary["verdict"].tolist() == ["no clear trend"]


# -------------------------------------------------------------------------------- breaks


def test_trend_does_not_run_across_a_break_without_crosswalk():
    table, values = _random_table(seed=3, n=5)
    brk = SeriesBreak(2020, ("x",), "new definition")
    res = area_trends(table, breaks=[brk]).set_index("code")
    years = np.array(YEARS, dtype=float)
    after = years >= 2020
    for i, code in enumerate(res.index):
        ref = stats.theilslopes(values[i][after], years[after])
        assert res.loc[code, "slope"] == pytest.approx(ref.slope)
    assert (res["first_year"] == 2020).all()
    assert res["series_note"].str.contains("series break in 2020 \\(new definition\\)").all()
    # a break for another indicator changes nothing
    other = area_trends(table, breaks=[SeriesBreak(2020, ("y",))])
    assert (other["first_year"] == 2016).all() and (other["series_note"] == "").all()
    # the gap series is cut into comparable segments and its trend uses the last one
    gaps = gap_trends(table, breaks=[brk])
    assert set(gaps.series["segment"]) == {2016, 2020}
    assert (gaps.summary["first_year"] == 2020).all()


def test_crosswalk_carries_old_areas_over_and_the_trend_says_so():
    # areas A and B merge into C from 2020; C's earlier values are the weighted mean of A and B
    years = [2017, 2018, 2019, 2020, 2021, 2022]
    rows = []
    for y in years[:3]:
        rows += [("A", y, 10.0 + y - 2017), ("B", y, 20.0 + y - 2017)]
    for y in years[3:]:
        rows.append(("C", y, 18.0 + y - 2020))
    table = pd.DataFrame(rows, columns=["code", "year", "value"]).assign(indicator="x")
    crosswalk = pd.DataFrame({"from_code": ["A", "B"], "to_code": ["C", "C"], "weight": [1, 3]})
    brk = SeriesBreak(2020, "all", "new boundaries", crosswalk, "crosswalk.csv")
    carried, note = apply_breaks(table, [brk], indicator="x")
    c = carried[carried["code"] == "C"].set_index("year")["value"]
    assert c[2017] == pytest.approx((10.0 * 1 + 20.0 * 3) / 4)
    assert "bridged by crosswalk crosswalk.csv" in note
    res = area_trends(table, breaks=[brk]).set_index("code")
    assert res.loc["C", "years"] == 6 and res.loc["C", "first_year"] == 2017
    assert "crosswalk" in res.loc["C", "series_note"]
    assert "A" not in res.index


# ----------------------------------------------------------------------------- bad input


def test_fewer_than_three_years_is_refused():
    with pytest.raises(InputError, match="at least three years"):
        area_trends(_table({"a": [1.0, 2.0]}, years=[2020, 2021]))
    with pytest.raises(InputError, match="at least three years"):
        gap_trends(_table({"a": [1.0, 2.0]}, years=[2020, 2021]))


def test_missing_year_and_appearing_areas_are_logged(caplog):
    table = _table(
        {"a": [1.0, 2.0, 4.0, 5.0], "b": [3.0, 2.0, 2.0, 1.0]}, years=[2018, 2019, 2021, 2022]
    )
    new = _table({"n": [7.0, 8.0, 9.0]}, years=[2019, 2021, 2022])
    short = _table({"s": [1.0, 2.0]}, years=[2021, 2022])
    with caplog.at_level(logging.WARNING, logger="geoseg.trends"):
        res = area_trends(pd.concat([table, new, short])).set_index("code")
    assert "2020" in caplog.text and "years present" in caplog.text
    assert "appear or disappear" in caplog.text and "n, s" in caplog.text
    ref = stats.theilslopes([1.0, 2.0, 4.0, 5.0], [2018, 2019, 2021, 2022])
    assert res.loc["a", "slope"] == pytest.approx(ref.slope)
    assert res.loc["n", "years"] == 3
    assert np.isnan(res.loc["s", "slope"]) and "fewer than three" in res.loc["s", "series_note"]


def test_repeated_rows_missing_columns_and_bad_options_are_named():
    table = _table({"a": [1.0, 2.0, 3.0]}, years=[2020, 2021, 2022])
    with pytest.raises(InputError, match="a"):
        area_trends(pd.concat([table, table.iloc[[0]]]))
    with pytest.raises(InputError, match="indicator"):
        area_trends(table.drop(columns="indicator"))
    with pytest.raises(InputError, match=r"method='median'.*confidence=2"):
        area_trends(table, method="median", confidence=2)
    with pytest.raises(InputError, match="measures"):
        gap_trends(table, measures=["range"])


def test_adjustment_is_the_shared_one():
    table, _ = _random_table(seed=4)
    res = area_trends(table)
    np.testing.assert_allclose(res["mk_p_adjusted"], adjust_pvalues(res["mk_p"]))


def test_comparable_from_cuts_at_the_last_break_and_names_bridges():
    from geoseg.trends import comparable_from

    cw = pd.DataFrame({"from_code": ["A"], "to_code": ["B"], "weight": [1.0]})
    breaks = [
        SeriesBreak(2019, ("foreign_born",), "new question"),
        SeriesBreak(2021, "all", "new boundaries", cw, "cw.csv"),
        SeriesBreak(2022, ("pop_total",), "new total"),
        SeriesBreak(2030, "all", "later"),
    ]
    cut, note = comparable_from(breaks, ["foreign_born"], YEARS)
    assert cut == 2019
    assert "2019 (new question): compared from 2019 on" in note
    assert "2021 (new boundaries) bridged by crosswalk cw.csv" in note
    assert "2030" not in note and "2022" not in note
    assert comparable_from(breaks, ["foreign_born", "pop_total"], YEARS)[0] == 2022
    assert comparable_from(breaks[1:2], ["x"], YEARS)[0] is None


def test_segregation_change_is_compared_from_the_break_on():
    from geoseg.segregation.trend import segregation_trend

    indices = pd.DataFrame(
        {
            "year": YEARS * 2,
            "level": "",
            "group": ["foreign_born"] * 8 + ["born_sweden"] * 8,
            "index": "dissimilarity",
            "value": [0.1 * i for i in range(8)] + [0.5] * 8,
        }
    )
    trend = segregation_trend(
        indices,
        pd.DataFrame(),
        areas=None,
        total="pop_total",
        id_column="code",
        year_column="year",
        permutations=0,
        seed=1,
        breaks=[SeriesBreak(2020, ("foreign_born",), "new definition")],
    ).set_index("group")
    assert trend.loc["foreign_born", "year_first"] == 2020
    assert trend.loc["foreign_born", "value_first"] == pytest.approx(0.4)
    assert trend.loc["foreign_born", "change"] == pytest.approx(0.3)
    assert "series break in 2020" in trend.loc["foreign_born", "series_note"]
    assert trend.loc["born_sweden", "year_first"] == 2016
    assert trend.loc["born_sweden", "series_note"] == ""
