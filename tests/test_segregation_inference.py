"""Inference: null models, p-values, bootstrap intervals, change tests and local significance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import geoseg.segregation as seg
from geoseg.errors import CRSError, InputError


def _table(seed=0, n=60, segregated=True):
    rng = np.random.default_rng(seed)
    t = rng.integers(50, 400, n).astype(float)
    share = np.where(np.arange(n) < n // 3, 0.7, 0.1) if segregated else np.full(n, 0.3)
    x = rng.binomial(t.astype(int), share).astype(float)
    return pd.DataFrame({"grp": x, "tot": t, "other": t - x}, index=[f"{i:03d}" for i in range(n)])


def _pysal_null(df, index, null, iterations=200):
    """pysal/segregation's simulated values of one index under a null model."""
    import geopandas as gpd
    from segregation.inference import SingleValueTest
    from segregation.multigroup import MultiDissim
    from segregation.singlegroup import Dissim

    gdf = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(range(len(df)), range(len(df))), crs=3006
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(3)
        fitted = (
            Dissim(gdf, "grp", "tot")
            if index == "dissimilarity"
            else MultiDissim(gdf, ["grp", "other"])
        )
        return SingleValueTest(
            fitted, iterations_under_null=iterations, null_approach=null, n_jobs=1
        ).est_sim


@pytest.mark.parametrize("null", ["evenness", "systematic"])
@pytest.mark.parametrize("index", ["dissimilarity", "multigroup_dissimilarity"])
def test_null_distributions_agree_with_pysal(index, null):
    df = _table(segregated=False, n=40)
    kw = {"group": "grp", "total": "tot"} if index == "dissimilarity" else {}
    kw = kw or {"groups": ["grp", "other"]}
    ours = seg.segregation_test(df, index=index, null=null, permutations=2000, seed=3, **kw)
    ref = _pysal_null(df, index, null)
    se = np.std(ref) / np.sqrt(len(ref)) + np.std(ours.simulated) / np.sqrt(2000)
    assert abs(ours.expected - np.mean(ref)) < 4 * se
    assert np.std(ours.simulated) == pytest.approx(np.std(ref), rel=0.25)


def test_evenness_null_mean_equals_the_exact_carrington_troske_expectation():
    # under the evenness null x_i ~ Binomial(t_i, P); the modified dissimilarity's exact
    # D* is the mean dissimilarity of exactly these tables: (D - D*) / (1 - D*) = M
    df = _table(seed=2, n=50)
    D = seg.dissimilarity(df, group="grp", total="tot")
    M = seg.modified_dissimilarity(df, group="grp", total="tot")
    star = (D - M) / (1 - M)
    test = seg.segregation_test(
        df, index="dissimilarity", group="grp", total="tot", null="evenness", permutations=8000
    )
    se = np.std(test.simulated) / np.sqrt(8000)
    assert abs(test.expected - star) < 4 * se
    assert se < 0.05 * star  # the comparison is sharp


def test_p_values_and_determinism():
    df = _table()
    a = seg.segregation_test(df, index="gini", group="grp", total="tot", permutations=199, seed=7)
    b = seg.segregation_test(df, index="gini", group="grp", total="tot", permutations=199, seed=7)
    assert a.p_value == b.p_value and np.array_equal(a.simulated, b.simulated)
    assert a.p_value == pytest.approx(1 / 200)  # strongly segregated: beyond every replicate
    even = df.assign(grp=df["tot"] * 0.3)  # exactly even: D = 0, nothing can be lower
    c = seg.segregation_test(
        even, index="dissimilarity", group="grp", total="tot", permutations=99, seed=1
    )
    assert c.statistic == pytest.approx(0.0, abs=1e-12) and c.p_value == 1.0
    m = seg.segregation_test(
        df,
        index="multigroup_dissimilarity",
        groups=["grp", "other"],
        null="systematic",
        permutations=99,
        seed=1,
    )
    assert m.statistic == pytest.approx(seg.dissimilarity(df, group="grp", total="tot"))
    assert m.p_value == pytest.approx(1 / 100)


def test_bootstrap_interval_covers_and_shrinks_with_population():
    df = _table(n=30)
    est = seg.isolation(df, group="grp", total="tot")
    low, high = seg.bootstrap_ci(
        df, index="isolation", group="grp", total="tot", replicates=400, seed=2
    )
    assert low < est < high
    big = df * 100
    low2, high2 = seg.bootstrap_ci(
        big, index="isolation", group="grp", total="tot", replicates=400, seed=2
    )
    assert (high2 - low2) < (high - low) / 3
    la, ha = seg.bootstrap_ci(
        df, index="isolation", group="grp", total="tot", replicates=400, seed=2, method="areas"
    )
    assert la < est < ha


def test_compare_years_detects_more_segregation():
    a = _table(seed=1, segregated=False)
    b = _table(seed=2, segregated=True)
    res = seg.compare_years(
        a, b, index="dissimilarity", group="grp", total="tot", permutations=199, seed=0
    )
    assert res.difference == pytest.approx(
        seg.dissimilarity(b, group="grp", total="tot")
        - seg.dissimilarity(a, group="grp", total="tot")
    )
    assert res.p_value == pytest.approx(1 / 200)
    back = seg.compare_years(
        b, a, index="dissimilarity", group="grp", total="tot", permutations=199, seed=0
    )
    assert back.p_value > 0.9
    paired = seg.compare_years(
        a,
        b,
        index="multigroup_gini",
        groups=["grp", "other"],
        permutations=199,
        seed=0,
        method="paired",
    )
    assert paired.p_value < 0.05
    same = seg.compare_years(
        a, a, index="gini", group="grp", total="tot", permutations=199, seed=0, method="paired"
    )
    assert same.difference == 0 and same.p_value == 1.0


def test_local_test_matches_binomial_tail():
    df = _table(n=20)
    res = seg.local_test(
        df,
        index="location_quotient",
        groups=["grp"],
        total="tot",
        permutations=4999,
        alternative="greater",
        seed=5,
    )
    P = df["grp"].sum() / df["tot"].sum()
    exact = stats.binom.sf(df["grp"] - 1, df["tot"].astype(int), P)
    got = res[("grp", "p_value")].to_numpy()
    np.testing.assert_allclose(got, exact, atol=0.02)
    lq = seg.location_quotient(df, groups=["grp"], total="tot")
    np.testing.assert_allclose(res[("grp", "value")], lq["grp"])
    ent = seg.local_test(
        df, index="local_entropy", groups=["grp", "other"], permutations=199, seed=5
    )
    assert list(ent.columns) == ["value", "p_value", "p_adjusted"] and ent.index.equals(df.index)
    pd.testing.assert_series_equal(
        ent["value"], seg.local_entropy(df, groups=["grp", "other"]), check_names=False
    )


def test_simulation_indices_are_seeded():
    df = _table()
    kw = dict(group="grp", total="tot", method="simulation", iterations=50)
    v1 = seg.modified_gini(df, seed=4, **kw)
    v2 = seg.modified_gini(df, seed=4, **kw)
    v3 = seg.modified_gini(df, seed=5, **kw)
    assert v1 == v2 and v1 != v3
    exact = [seg.modified_gini(df, group="grp", total="tot", seed=s) for s in (4, 5)]
    assert exact[0] == exact[1]  # the exact method draws nothing


def _grid(seed=0, side=5):
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(seed)
    n = side * side
    t = rng.integers(50, 300, n).astype(float)
    x = rng.binomial(t.astype(int), np.linspace(0.05, 0.7, n)).astype(float)
    y = rng.binomial((t - x).astype(int), 0.4).astype(float)
    geoms = [box(i % side, i // side, i % side + 1, i // side + 1) for i in range(n)]
    return gpd.GeoDataFrame(
        {"grp": x, "tot": t, "mid": y, "rest": t - x - y},
        geometry=geoms,
        crs="EPSG:3006",
        index=[f"{i:03d}" for i in range(n)],
    )


def test_local_test_spatial_local_indices_match_a_loop_over_the_public_functions():
    gdf = _grid()
    k = 39
    res = seg.local_test(
        gdf,
        index="local_relative_centralization",
        groups=["grp"],
        total="tot",
        permutations=k,
        correction="none",
        seed=3,
    )
    direct = seg.local_relative_centralization(gdf, group="grp", total="tot")
    np.testing.assert_allclose(res["value"], direct)
    # the same conditional null drawn by hand, each table scored by the public function
    rng = np.random.default_rng(3)
    t = gdf["tot"].to_numpy().astype(np.int64)
    P = np.array([gdf["grp"].sum(), (gdf["tot"] - gdf["grp"]).sum()]) / gdf["tot"].sum()
    sims = rng.multinomial(t, P, size=(k, len(t)))
    ge = np.zeros(len(gdf))
    le = np.zeros(len(gdf))
    for table in sims:
        sim = gdf.assign(grp=table[:, 0].astype(float))
        vals = seg.local_relative_centralization(sim, group="grp", total="tot").to_numpy()
        ge += vals >= direct.to_numpy() - 1e-12
        le += vals <= direct.to_numpy() + 1e-12
    expected = np.minimum(1.0, 2.0 * np.minimum(1 + ge, 1 + le) / (k + 1))
    np.testing.assert_allclose(res["p_value"], expected)
    dist = seg.local_test(
        gdf, index="local_distortion", groups=["grp", "mid", "rest"], permutations=19, seed=1
    )
    np.testing.assert_allclose(
        dist["value"], seg.local_distortion(gdf, groups=["grp", "mid", "rest"])
    )
    assert dist["p_value"].between(0, 1).all()
    with pytest.raises(CRSError):
        seg.local_test(
            gdf.to_crs("EPSG:4326"), index="local_distortion", groups=["grp", "mid", "rest"]
        )
    with pytest.raises(InputError, match="one group"):
        seg.local_test(gdf, index="local_relative_centralization", groups=["grp", "mid"])


def test_local_test_adjusts_p_values_for_multiple_testing():
    from geoseg.stats import adjust_pvalues

    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan])
    # Benjamini-Hochberg by hand: sorted 0.01, 0.03, 0.04, 0.2 times 4/rank, made monotone
    bh = np.array([0.04, 0.16 / 3, 0.16 / 3, 0.2, np.nan])
    np.testing.assert_allclose(adjust_pvalues(p, correction="fdr"), bh)
    np.testing.assert_allclose(
        adjust_pvalues(p, correction="bonferroni"), [0.04, 0.16, 0.12, 0.8, np.nan]
    )
    np.testing.assert_allclose(adjust_pvalues(p, correction="none"), p)
    df = _table(n=30)
    df.loc[df.index[4], ["grp", "tot", "other"]] = 0.0  # an empty area: NaN, not in the family
    kw = dict(index="location_quotient", groups=["grp"], total="tot", permutations=99, seed=2)
    fdr = seg.local_test(df, **kw)
    bonf = seg.local_test(df, correction="bonferroni", **kw)
    none = seg.local_test(df, correction="none", **kw)
    raw = fdr[("grp", "p_value")].to_numpy()
    assert np.isnan(raw[4]) and np.isfinite(np.delete(raw, 4)).all()
    np.testing.assert_allclose(fdr[("grp", "p_adjusted")], adjust_pvalues(raw, correction="fdr"))
    np.testing.assert_allclose(bonf[("grp", "p_adjusted")], np.minimum(raw * 29, 1.0))
    np.testing.assert_allclose(none[("grp", "p_adjusted")], raw)
    assert (np.delete(fdr[("grp", "p_adjusted")].to_numpy(), 4) >= np.delete(raw, 4)).all()
    with pytest.raises(InputError, match="correction"):
        seg.local_test(df, correction="holm", **kw)


def test_simulated_indices_do_not_depend_on_the_other_indices_of_a_call():
    reg = _table(n=40).assign(year=2020, code=[f"{i:03d}" for i in range(40)])
    sim = {"method": "simulation"}
    opts = {"modified_dissimilarity": sim, "modified_gini": sim}
    kw = dict(groups=["grp"], total="tot", id_column="code", seed=11, options=opts)
    both = seg.compute_indices(reg, index=["modified_dissimilarity", "modified_gini"], **kw)
    alone_d = seg.compute_indices(reg, index="modified_dissimilarity", **kw)
    alone_g = seg.compute_indices(reg, index="modified_gini", **kw)
    assert both.value.iloc[0] == alone_d.value.iloc[0]
    assert both.value.iloc[1] == alone_g.value.iloc[0]
