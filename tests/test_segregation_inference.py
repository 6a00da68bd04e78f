"""Inference: null models, p-values, bootstrap intervals, change tests and local significance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import geoseg.segregation as seg
from geoseg.errors import CRSError, InputError
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
    sims = _engine.multi_null(X, "systematic")(rng, 50)[0]
    assert np.all(sims.sum(axis=1) == X.sum(axis=0))
    sims = _engine.multi_null(X, "evenness")(rng, 50)[0]
    assert np.all(sims.sum(axis=2) == X.sum(axis=1))


def test_poissonized_multinomial_is_exactly_multinomial():
    from geoseg.segregation._sampling import multinomial_columns

    p = np.array([0.5, 0.0, 0.2, 0.3])
    k = 40_000
    draws = multinomial_columns(100, p, k, np.random.default_rng(3))
    assert draws.shape == (4, k) and np.all(draws.sum(axis=0) == 100) and np.all(draws[1] == 0)
    # each margin is Binomial(N, p_i): chi-square goodness of fit against scipy's pmf
    for i in (0, 2, 3):
        values = np.arange(101)
        observed = np.bincount(draws[i], minlength=101)
        expected = stats.binom.pmf(values, 100, p[i]) * k
        keep = expected > 5
        obs, exp = observed[keep], expected[keep]
        obs = np.append(obs, k - obs.sum())
        exp = np.append(exp, k - exp.sum())
        assert stats.chisquare(obs, exp).pvalue > 1e-3
    # covariances -N p_i p_j
    cov = np.cov(draws[[0, 2, 3]])
    assert cov[0, 1] == pytest.approx(-100 * 0.5 * 0.2, rel=0.05)
    assert cov[1, 2] == pytest.approx(-100 * 0.2 * 0.3, rel=0.05)


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
    kw = dict(index="location_quotient", groups=["grp"], total="tot", permutations=99, seed=2)
    fdr = seg.local_test(df, **kw)
    bonf = seg.local_test(df, correction="bonferroni", **kw)
    raw = fdr[("grp", "p_value")].to_numpy()
    np.testing.assert_allclose(fdr[("grp", "p_adjusted")], adjust_pvalues(raw, correction="fdr"))
    np.testing.assert_allclose(bonf[("grp", "p_adjusted")], np.minimum(raw * 30, 1.0))
    assert (fdr[("grp", "p_adjusted")] >= raw - 1e-15).all()
    with pytest.raises(InputError, match="correction"):
        seg.local_test(df, correction="holm", **kw)


def test_carrington_troske_tables_are_shared_without_changing_values():
    from geoseg.segregation._sampling import binomial_columns

    t = np.array([[10, 20], [30, 5], [7, 9]])
    p = np.array([0.3, 0.6])
    first, second = np.random.default_rng(8), np.random.default_rng(8)
    a = binomial_columns(first, t, p, 50)
    b = binomial_columns(second, t, p, 50)  # served from the memo
    c = binomial_columns(np.random.default_rng(8), t, p, 50)  # memo emptied: drawn again
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert first.random() == second.random()  # both generators left in the same state
    assert a.shape == (3, 100) and abs(a[0, :50].mean() - 3.0) < 1.5
    reg = _table(n=40).assign(year=2020, code=[f"{i:03d}" for i in range(40)])
    sim = {"method": "simulation"}
    opts = {"modified_dissimilarity": sim, "modified_gini": sim}
    kw = dict(groups=["grp"], total="tot", id_column="code", seed=11, options=opts)
    both = seg.compute_indices(reg, index=["modified_dissimilarity", "modified_gini"], **kw)
    alone_d = seg.compute_indices(reg, index="modified_dissimilarity", **kw)
    alone_g = seg.compute_indices(reg, index="modified_gini", **kw)
    assert both.value.iloc[0] == alone_d.value.iloc[0]
    assert both.value.iloc[1] == alone_g.value.iloc[0]


def test_simulations_do_not_depend_on_the_number_of_processors(monkeypatch):
    from geoseg.segregation import _parallel, _sampling

    # large enough to be drawn in two halves (on two threads where there are two processors)
    df = _table(seed=4, n=300)
    assert 999 * 2 * len(df) >= _sampling._SPLIT_CELLS
    kw = {"group": "grp", "total": "tot", "permutations": 999, "seed": 5}

    def run() -> list[np.ndarray]:
        return [
            seg.segregation_test(df, index="dissimilarity", null="systematic", **kw).simulated,
            seg.segregation_test(df, index="gini", null="evenness", **kw).simulated,
            seg.segregation_test(
                df, index="multigroup_gini", groups=["grp", "other"], null="systematic", seed=2
            ).simulated,
            np.array(seg.bootstrap_ci(df, index="isolation", group="grp", total="tot", seed=6)),
        ]

    two = run()
    monkeypatch.setattr(_parallel.os, "cpu_count", lambda: 1)
    one = run()
    for a, b in zip(two, one, strict=True):
        np.testing.assert_array_equal(a, b)
    # the two halves come from different generators: no repeated replicates
    sims = two[0]
    assert len(np.unique(sims)) > 0.5 * len(sims)


def test_systematic_null_of_halves_keeps_group_sizes():
    df = _table(seed=4, n=300)
    x, t = df["grp"].to_numpy(), df["tot"].to_numpy()
    xs, ts = _engine.null_single(x, t, 1001, "systematic", np.random.default_rng(0))
    assert xs.shape == ts.shape == (300, 1001)
    assert np.all(xs.sum(axis=0) == x.sum()) and np.all(ts.sum(axis=0) == t.sum())
    # each area's count is Binomial(X, t_i / T): mean and variance over the replicates
    p = t / t.sum()
    z = (xs.mean(axis=1) - x.sum() * p) / np.sqrt(x.sum() * p * (1 - p) / 1001)
    assert abs(z.mean()) < 0.2 and 0.8 < z.std() < 1.2


def test_poisson_tables_equal_scipy_and_draws_follow_them(monkeypatch):
    from geoseg.segregation import _poisson
    from geoseg.segregation._poisson import PoissonRows

    mu = np.array([0.0, 0.3, 2.5, 17.0, 340.0, 5000.0])
    rows = PoissonRows(mu)
    # the tables: exact probabilities, tails beyond them below 1e-17
    pmf = np.diff(rows.cdf, prepend=0.0)
    first = np.concatenate(([0], rows.last[:-1] + 1))
    pmf[first] = rows.cdf[first]
    owner = np.repeat(np.arange(len(mu)), rows.last - first + 1)
    np.testing.assert_allclose(pmf, stats.poisson.pmf(rows.value, mu[owner]), rtol=0, atol=1e-12)
    assert np.all(stats.poisson.sf(rows.value[rows.last], mu) < 1e-17)
    assert np.all(stats.poisson.cdf(rows.value[first] - 1, mu) < 1e-17)
    # the draws: inversion of the tables (same uniforms as a per-row search), then a
    # chi-square test of each row against scipy's Poisson distribution
    k = 100_000
    draws = rows.draw(k, np.random.default_rng(4))
    u = np.random.default_rng(4).random((len(mu), k))
    for i in range(len(mu)):
        seg_ = slice(first[i], rows.last[i] + 1)
        ref = rows.value[seg_][np.searchsorted(rows.cdf[seg_], u[i], side="right")]
        np.testing.assert_array_equal(draws[i], ref)
    assert np.all(draws[0] == 0)
    for i in range(1, len(mu)):
        values = np.arange(draws[i].max() + 1)
        expected = stats.poisson.pmf(values, mu[i]) * k
        keep = expected > 5
        obs = np.bincount(draws[i], minlength=values.size)[keep]
        exp = expected[keep]
        assert (
            stats.chisquare(np.append(obs, k - obs.sum()), np.append(exp, k - exp.sum())).pvalue
            > 1e-3
        )
    # every draw settled by bisection gives the same values
    monkeypatch.setattr(_poisson, "_LINEAR_STEPS", 0)
    np.testing.assert_array_equal(rows.draw(k, np.random.default_rng(4)), draws)


@pytest.mark.parametrize("trials", [6_000, 40_000, 1_000_003])
def test_compiled_multinomial_draws_equal_the_numpy_draws(monkeypatch, trials):
    from geoseg.segregation import _sampling

    if _sampling._draws is None:
        pytest.skip("compiled kernel not built")
    rng = np.random.default_rng(9)
    p = rng.integers(0, 2000, 300).astype(float)
    p[[0, 7, 299]] = 0.0  # empty areas get no one
    sampler = _sampling.Multinomial(trials, p)
    assert not sampler.small
    tables, after = [], []
    for flag in (True, False):
        monkeypatch.setattr(_sampling, "USE_COMPILED", flag)
        gen = np.random.default_rng(21)
        tables.append(sampler.draw(257, gen))
        after.append(gen.random())  # the generator is left in the same state
    np.testing.assert_array_equal(tables[0], tables[1])
    assert after[0] == after[1]
    assert np.all(tables[0].sum(axis=0) == trials) and np.all(tables[0][[0, 7, 299]] == 0)


def test_samplers_are_reused_for_the_same_counts_and_bounded(monkeypatch):
    from geoseg.segregation import _sampling

    monkeypatch.setattr(_sampling, "_samplers", type(_sampling._samplers)())
    p = np.random.default_rng(1).integers(1, 500, 400).astype(float)
    a, b = _sampling.multinomials([30_000, 90_000], p)
    again = _sampling.multinomials([90_000, 30_000], p)
    assert again[0] is b and again[1] is a  # built once, found by (trials, shares)
    other = _sampling.multinomials([30_000], p * 2.0)[0]
    assert other is not a  # other shares (as bytes): another sampler
    # a reused sampler draws exactly what a new one draws from the same generator state
    np.testing.assert_array_equal(
        a.draw(50, np.random.default_rng(3)),
        _sampling.Multinomial(30_000, p).draw(50, np.random.default_rng(3)),
    )
    # the memory bound evicts the oldest samplers first
    monkeypatch.setattr(_sampling, "_SAMPLER_BYTES", a.nbytes + b.nbytes)
    newest = _sampling.multinomials([50_000], p)[0]
    kept = list(_sampling._samplers.values())
    assert kept[-1] is newest and all(m is not b for m in kept)  # b was the oldest
    assert sum(m.nbytes for m in kept) <= a.nbytes + b.nbytes
