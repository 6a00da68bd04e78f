"""Inference: null models, p-values, bootstrap intervals, change tests and local significance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import geoseg.segregation as seg
from geoseg.segregation import _engine


def _table(seed=0, n=60, segregated=True):
    rng = np.random.default_rng(seed)
    t = rng.integers(50, 400, n).astype(float)
    share = np.where(np.arange(n) < n // 3, 0.7, 0.1) if segregated else np.full(n, 0.3)
    x = rng.binomial(t.astype(int), share).astype(float)
    return pd.DataFrame({"grp": x, "tot": t, "other": t - x}, index=[f"{i:03d}" for i in range(n)])


def test_null_models_preserve_what_they_should():
    df = _table()
    x, t = df["grp"].to_numpy(), df["tot"].to_numpy()
    rng = np.random.default_rng(1)
    xs, ts = _engine.null_single(x, t, 200, "evenness", rng)
    assert np.all(ts == t) and np.all(xs <= t[:, None])
    xs, ts = _engine.null_single(x, t, 200, "systematic", rng)
    assert np.all(xs.sum(axis=0) == x.sum())  # group size kept, totals vary
    assert np.all(ts.sum(axis=0) == t.sum()) and not np.all(ts == t[:, None])
    X = df[["grp", "other"]].to_numpy()
    sims = _engine.null_multi(X, 50, "systematic", rng)
    assert np.all(sims.sum(axis=1) == X.sum(axis=0))
    sims = _engine.null_multi(X, 50, "evenness", rng)
    assert np.all(sims.sum(axis=2) == X.sum(axis=1))


def test_evenness_null_distribution_agrees_with_pysal():
    from segregation.inference import SingleValueTest
    from segregation.singlegroup import Dissim

    df = _table(segregated=False, n=40)
    ours = seg.segregation_test(
        df,
        index="dissimilarity",
        group="grp",
        total="tot",
        null="evenness",
        permutations=2000,
        seed=3,
    )
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(range(40), range(40)), crs=3006)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(3)
        ref = SingleValueTest(
            Dissim(gdf, "grp", "tot"), iterations_under_null=200, null_approach="evenness", n_jobs=1
        )
    se = np.std(ref.est_sim) / np.sqrt(len(ref.est_sim)) + np.std(ours.simulated) / np.sqrt(2000)
    assert abs(ours.expected - np.mean(ref.est_sim)) < 4 * se
    assert np.std(ours.simulated) == pytest.approx(np.std(ref.est_sim), rel=0.25)


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
    assert list(ent.columns) == ["value", "p_value"] and ent.index.equals(df.index)
    pd.testing.assert_series_equal(
        ent["value"], seg.local_entropy(df, groups=["grp", "other"]), check_names=False
    )


def test_simulation_indices_are_seeded():
    df = _table()
    v1 = seg.modified_gini(df, group="grp", total="tot", seed=4, iterations=50)
    v2 = seg.modified_gini(df, group="grp", total="tot", seed=4, iterations=50)
    v3 = seg.modified_gini(df, group="grp", total="tot", seed=5, iterations=50)
    assert v1 == v2 and v1 != v3
