"""Emerging hotspots: categories on hand-built series, Mann-Kendall and space-time Gi* oracles."""

from __future__ import annotations

import logging
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from shapely.geometry import box

from geoseg.errors import InputError
from geoseg.hotspots import (
    CATEGORIES,
    build_weights,
    category_labels,
    classify_emerging,
    emerging_hotspots,
    getis_ord,
    space_time_weights,
)
from geoseg.stats import mann_kendall


def _grid(n: int = 8) -> gpd.GeoDataFrame:
    cells = [box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    codes = [f"{i:03d}" for i in range(n * n)]
    return gpd.GeoDataFrame({"code": codes}, geometry=cells, crs="EPSG:3006").set_index("code")


def _long(areas: gpd.GeoDataFrame, values: np.ndarray, years: list[int]) -> pd.DataFrame:
    """values: (areas, years) -> long table code, year, v."""
    return pd.DataFrame(
        {
            "code": np.repeat(areas.index.to_numpy(), len(years)),
            "year": np.tile(years, len(areas)),
            "v": values.ravel(),
        }
    )


# --------------------------------------------------------------- categories, hand-built series

H, C, N = 1, -1, 0  # a significant hot spot, a significant cold spot, neither, in one year


def _series(states: list[int], trend: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """z-scores and significance for a state sequence; ``trend`` shapes the z of hot/cold years.

    trend +1 makes z rise steadily (significant Mann-Kendall for 10 years), -1 fall, 0 wobble
    without a trend.
    """
    n = len(states)
    base = np.array([3.0 if s == H else -3.0 if s == C else 0.5 for s in states])
    if trend:
        base = base + trend * np.linspace(0, 2, n)
    else:
        base = base + 0.2 * np.array([(-1) ** i for i in range(n)])
    return base, np.array([s != N for s in states])


TEN_HOT = [H] * 10
CASES = {
    "new_hot": ([N, N, N, N, N, H], 0),
    "new_cold": ([N, N, N, N, N, C], 0),
    "consecutive_hot": ([N, N, N, H, H, H], 0),
    "consecutive_cold": ([N, N, N, N, C, C], 0),
    "intensifying_hot": (TEN_HOT, +1),
    "intensifying_cold": ([C] * 10, -1),
    "persistent_hot": (TEN_HOT, 0),
    "persistent_cold": ([C] * 10, 0),
    "diminishing_hot": (TEN_HOT, -1),
    "diminishing_cold": ([C] * 10, +1),
    "sporadic_hot": ([H, N, H, N, N, H], 0),
    "sporadic_cold": ([N, C, N, C, N, C], 0),
    "oscillating_hot": ([C, N, H, N, N, H], 0),
    "oscillating_cold": ([H, C, N, N, H, C], 0),
    "historical_hot": ([H] * 9 + [N], 0),
    "historical_cold": ([C] * 9 + [N], 0),
    "no_pattern": ([N, H, N, C, N, N], 0),
}


@pytest.mark.parametrize("category", list(CASES))
def test_every_category_from_a_hand_built_series(category):
    states, trend = CASES[category]
    z, sig = _series(states, trend)
    found, test = classify_emerging(z[None, :], sig[None, :], alpha=0.05)
    assert found.tolist() == [category]
    if category.startswith(("intensifying", "diminishing")):
        assert test.p_value[0] <= 0.05
    if category.startswith("persistent"):
        assert test.p_value[0] > 0.05


def test_cases_cover_every_category_and_labels_exist():
    assert set(CASES) == set(CATEGORIES)
    assert category_labels(["new_hot"], lang="sv").tolist() == ["Ny het punkt"]
    assert category_labels(["historical_cold"]).tolist() == ["Historical cold spot"]
    with pytest.raises(InputError, match="unknown emerging hotspot categories"):
        category_labels(["lukewarm"])


def test_rules_that_need_a_choice():
    # a first hot year after cold years is new (Esri's order), not oscillating
    z, sig = _series([C, C, N, N, N, H])
    assert classify_emerging(z[None], sig[None])[0].tolist() == ["new_hot"]
    # a hot run at the end after an earlier hot year is sporadic, not consecutive
    z, sig = _series([H, N, N, H, H, H])
    assert classify_emerging(z[None], sig[None])[0].tolist() == ["sporadic_hot"]
    # with six years "90 % of the years" means all six: five hot years are not persistent
    z, sig = _series([N, H, H, H, H, H])
    assert classify_emerging(z[None], sig[None])[0].tolist() == ["consecutive_hot"]


# ------------------------------------------------------------------ Mann-Kendall against oracles


def test_mann_kendall_equals_pymannkendall_on_random_series():
    import pymannkendall as mk

    rng = np.random.default_rng(7)
    series = np.vstack(
        [
            rng.normal(size=(20, 12)),
            rng.integers(0, 4, size=(20, 12)).astype(float),  # many ties
            np.cumsum(rng.normal(0.5, 1, size=(20, 12)), axis=1),  # trends
        ]
    )
    ours = mann_kendall(series)
    for r, x in enumerate(series):
        ref = mk.original_test(x)
        assert ours.s[r] == ref.s
        np.testing.assert_allclose(ours.var_s[r], ref.var_s, rtol=1e-12)
        np.testing.assert_allclose(ours.z[r], ref.z, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ours.p_value[r], ref.p, rtol=1e-10)
        np.testing.assert_allclose(ours.tau[r], ref.Tau, rtol=1e-12)


def test_mann_kendall_tau_equals_scipy_without_ties():
    rng = np.random.default_rng(3)
    for _ in range(20):
        x = rng.normal(size=9)
        ours = mann_kendall(x)
        ref = stats.kendalltau(np.arange(9), x)
        np.testing.assert_allclose(float(ours.tau), ref.statistic, rtol=1e-12)


def test_mann_kendall_refuses_short_or_missing_series():
    with pytest.raises(InputError, match="at least three"):
        mann_kendall([1.0, 2.0])
    with pytest.raises(InputError, match="missing"):
        mann_kendall([1.0, np.nan, 2.0])


# ------------------------------------------------------------------------- space-time Gi*


def test_single_year_gi_star_equals_esda():
    areas = _grid(7)
    w = build_weights(areas, "queen")
    y = np.random.default_rng(1).gamma(2.0, 10.0, size=len(areas))
    W = sp.csr_array(w.graph.transform("b").sparse)
    one_year = space_time_weights(W, 1, time_window=1)
    ours = getis_ord(pd.Series(y, index=areas.index), weights=one_year, permutations=9)
    ref = esda.G_Local(y, w.graph.transform("b"), transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours["z"].to_numpy(), ref.Zs, atol=1e-9)


def test_space_time_gi_star_equals_esda_on_the_stacked_cube():
    areas = _grid(6)
    w = build_weights(areas, "rook")
    years = [2018, 2019, 2020, 2021]
    n, T = len(areas), len(years)
    rng = np.random.default_rng(2)
    values = rng.gamma(2.0, 10.0, size=(n, T))
    res = emerging_hotspots(_long(areas, values, years), "v", weights=w, permutations=99)
    # the oracle's space-time neighbourhood, built independently: spatial neighbours in the
    # same year; the area itself and its neighbours in the previous year (binary weights)
    A = (sp.csr_array(w.graph.transform("b").sparse).toarray() > 0).astype(float)
    lag = np.eye(T, k=-1)
    block = np.kron(np.eye(T), A) + np.kron(lag, A + np.eye(n))
    cube = libpysal.weights.WSP(sp.csr_matrix(block)).to_W(silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(values.T.ravel(), cube, transform="B", star=True, permutations=0)
    bins = res.bins.set_index(["year", "id"]).loc[[(y, c) for y in years for c in areas.index]]
    np.testing.assert_allclose(bins["z"].to_numpy(), ref.Zs, atol=1e-9)
    np.testing.assert_allclose(bins["value"].to_numpy(), values.T.ravel())


def test_planted_emerging_and_persistent_clusters_are_found():
    areas = _grid(10)
    years = list(range(2016, 2024))
    xy = np.array([(i % 10, i // 10) for i in range(100)])
    rng = np.random.default_rng(5)
    values = rng.normal(10.0, 0.5, size=(100, len(years)))
    always = (xy[:, 0] < 3) & (xy[:, 1] < 3)
    late = (xy[:, 0] >= 7) & (xy[:, 1] >= 7)
    values[always] += 10.0
    values[late, -3:] += 10.0
    res = emerging_hotspots(
        _long(areas, values, years), "v", weights=build_weights(areas, "queen"), seed=1
    )
    cat = res.areas["category"]
    assert (cat[areas.index[always]] == "persistent_hot").mean() >= 0.75
    assert (cat[areas.index[late]] == "consecutive_hot").mean() >= 0.75
    assert (cat[areas.index[~always & ~late]].str.endswith("_hot")).mean() < 0.1
    again = emerging_hotspots(
        _long(areas, values, years), "v", weights=build_weights(areas, "queen"), seed=1
    )
    pd.testing.assert_frame_equal(res.bins, again.bins)
    assert res.bins.attrs["hotspots"]["time_window"] == 1


def test_significance_uses_the_adjusted_pvalues_of_all_bins():
    areas = _grid(6)
    years = [2020, 2021, 2022]
    values = np.random.default_rng(9).gamma(2.0, 5.0, size=(36, 3))
    for correction in ("fdr", "bonferroni", "none"):
        res = emerging_hotspots(
            _long(areas, values, years),
            "v",
            weights=build_weights(areas, "queen"),
            correction=correction,
            permutations=99,
        )
        b = res.bins
        from geoseg.stats import adjust_pvalues

        np.testing.assert_allclose(
            b["p_adjusted"], adjust_pvalues(b["p_value"], correction=correction)
        )
        assert (b["significant"] == (b["p_adjusted"] <= 0.05)).all()


# ------------------------------------------------------------------------------- bad input


def test_fewer_than_three_years_and_a_missing_year_are_refused():
    areas = _grid(4)
    w = build_weights(areas, "queen")
    values = np.ones((16, 2)) + np.arange(32).reshape(16, 2)
    with pytest.raises(InputError, match="at least three years"):
        emerging_hotspots(_long(areas, values, [2020, 2021]), "v", weights=w)
    values = np.arange(48, dtype=float).reshape(16, 3)
    with pytest.raises(InputError, match="2021 are missing between 2020 and 2023"):
        emerging_hotspots(_long(areas, values, [2020, 2022, 2023]), "v", weights=w)


def test_areas_that_appear_or_disappear_are_left_out_with_a_warning(caplog):
    areas = _grid(5)
    years = [2020, 2021, 2022, 2023]
    values = np.random.default_rng(4).gamma(2.0, 5.0, size=(25, 4))
    table = _long(areas, values, years)
    gone = (table["code"] == "003") & (table["year"] == 2023)  # disappears
    new = (table["code"] == "017") & (table["year"] == 2020)  # appears
    table = table[~gone & ~new]
    with caplog.at_level(logging.WARNING, logger="geoseg.hotspots.emerging"):
        res = emerging_hotspots(table, "v", weights=build_weights(areas, "queen"))
    assert "003" in caplog.text and "017" in caplog.text and "left out" in caplog.text
    assert len(res.areas) == 23
    assert {"003", "017"}.isdisjoint(res.areas.index)
    assert res.areas.attrs["hotspots"]["left_out"] == ["003", "017"]


def test_repeated_rows_and_missing_columns_are_named():
    areas = _grid(4)
    w = build_weights(areas, "queen")
    table = _long(areas, np.arange(48, dtype=float).reshape(16, 3), [2020, 2021, 2022])
    with pytest.raises(InputError, match="'income'"):
        emerging_hotspots(table, "income", weights=w)
    with pytest.raises(InputError, match="000"):
        emerging_hotspots(pd.concat([table, table.iloc[[0]]]), "v", weights=w)
    with pytest.raises(InputError, match="time_window"):
        emerging_hotspots(table, "v", weights=w, time_window=-1)
