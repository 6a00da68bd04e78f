"""Exact expectations behind the simulation-based indices, against brute force and simulation.

The expectations are read through the public indices: the modified dissimilarity and Gini
``M = (I - I*) / (1 - I*)`` (or ``(I - I*) / I*`` below the null) give the null means ``I*``,
and the bias-corrected dissimilarity ``Dbc = 2 D - E[D_b]`` the resampled mean ``E[D_b]``.
The oracles are written here independently of geoseg: complete enumeration of every possible
table on tiny cities (weights from scipy.stats), and long NumPy simulations on larger ones.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import geoseg.segregation as seg
from geoseg.errors import InputError


def _dissim(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Dissimilarity of tables ``x`` (..., n) with totals ``t`` (n,), by the textbook formula."""
    P = x.sum(axis=-1, keepdims=True) / t.sum()
    return (np.abs(x - t * P)).sum(axis=-1) / (2 * t.sum() * P[..., 0] * (1 - P[..., 0]))


def _gini(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    p = x / t
    P = x.sum(axis=-1) / t.sum()
    diff = np.abs(p[..., :, None] - p[..., None, :]) * t[:, None] * t[None, :]
    return diff.sum(axis=(-1, -2)) / (2 * t.sum() ** 2 * P * (1 - P))


def _all_tables(t):
    return np.array(list(itertools.product(*[range(ti + 1) for ti in t])), dtype=float)


def _frame(x, t) -> pd.DataFrame:
    x, t = np.asarray(x, dtype=float), np.asarray(t, dtype=float)
    return pd.DataFrame({"grp": x, "tot": t}, index=[f"a{i:03d}" for i in range(len(t))])


def _null_mean(df: pd.DataFrame, index: str) -> float:
    """``I*`` of the modified dissimilarity (``index="dissimilarity"``) or Gini."""
    kw = {"group": "grp", "total": "tot"}
    value = getattr(seg, index)(df, **kw)
    modified = getattr(seg, f"modified_{index}")(df, **kw)
    if modified >= 0:
        return (value - modified) / (1.0 - modified)
    return value / (1.0 + modified)


def _resampled_mean(df: pd.DataFrame) -> float:
    """``E[D_b]`` of the bias-corrected dissimilarity."""
    kw = {"group": "grp", "total": "tot"}
    return 2.0 * seg.dissimilarity(df, **kw) - seg.bias_corrected_dissimilarity(df, **kw)


@pytest.mark.parametrize(
    ("t", "x"), [((3, 5, 4), (1, 3, 0)), ((2, 6, 1, 3), (2, 4, 1, 0)), ((7, 7), (0, 2))]
)
def test_null_dissimilarity_equals_full_enumeration(t, x):
    t, x = np.array(t), np.array(x)
    P = x.sum() / t.sum()
    xs = _all_tables(t)
    m = xs.sum(axis=1)
    keep = (m > 0) & (m < t.sum())  # the index is undefined on the other two tables
    w = stats.binom.pmf(xs[keep], t, P).prod(axis=1)
    brute = (w * _dissim(xs[keep], t)).sum() / w.sum()
    assert _null_mean(_frame(x, t), "dissimilarity") == pytest.approx(brute, rel=1e-11)


def test_resampled_dissimilarity_equals_full_enumeration():
    x = np.array([2.0, 1.0, 3.0])
    y = np.array([1.0, 4.0, 2.0])
    X, Y = 6, 7
    total = 0.0
    for a in itertools.product(range(X + 1), repeat=3):
        if sum(a) != X:
            continue
        pa = stats.multinomial.pmf(a, X, x / X)
        for b in itertools.product(range(Y + 1), repeat=3):
            if sum(b) == Y:
                pb = stats.multinomial.pmf(b, Y, y / Y)
                total += pa * pb * 0.5 * np.abs(np.array(a) / X - np.array(b) / Y).sum()
    assert _resampled_mean(_frame(x, x + y)) == pytest.approx(total, rel=1e-11)


def test_resampled_dissimilarity_equals_pairwise_sums_on_a_larger_city():
    # every area's E|A/X - B/Y| summed over the two full binomial supports (scipy's pmf)
    rng = np.random.default_rng(3)
    t = rng.integers(20, 300, 30)
    x = rng.binomial(t, rng.uniform(0.05, 0.6, 30)).astype(float)
    x[:2] = 0.0  # areas without the group
    y = t - x
    y[-1] = 0.0  # and without the rest
    X, Y = int(x.sum()), int(y.sum())
    A, B = np.arange(X + 1), np.arange(Y + 1)
    total = 0.0
    for a, b in zip(x / X, y / Y, strict=True):
        pa, pb = stats.binom.pmf(A, X, a), stats.binom.pmf(B, Y, b)
        total += pa @ np.abs(A[:, None] / X - B[None, :] / Y) @ pb
    assert _resampled_mean(_frame(x, x + y)) == pytest.approx(total / 2, rel=1e-8)


def _long_run(t, x, k, seed):
    rng = np.random.default_rng(seed)
    t = np.asarray(t)
    P = x.sum() / t.sum()
    null = rng.binomial(t, P, size=(k, t.size)).astype(float)
    y = t - x
    X, Y = int(x.sum()), int(y.sum())
    a = rng.multinomial(X, x / X, size=k)
    b = rng.multinomial(Y, y / Y, size=k)
    resampled = 0.5 * np.abs(a / X - b / Y).sum(axis=1)
    return _dissim(null, t), _gini(null, t), resampled


@pytest.mark.parametrize(("n", "lo", "hi", "P"), [(40, 20, 200, 0.2), (30, 50, 400, 0.06)])
def test_exact_means_agree_with_a_long_simulation(n, lo, hi, P):
    rng = np.random.default_rng(n)
    t = rng.integers(lo, hi, n)
    x = rng.binomial(t, np.linspace(0.02, 3 * P, n)).astype(float)
    df = _frame(x, t)
    k = 40_000
    d, g, r = _long_run(t, x, k, seed=3)
    for sims, exact in (
        (d, _null_mean(df, "dissimilarity")),
        (g, _null_mean(df, "gini")),
        (r, _resampled_mean(df)),
    ):
        se = sims.std() / np.sqrt(k)
        assert abs(sims.mean() - exact) < 4 * se


def test_null_gini_error_in_a_tiny_city_is_bounded_as_documented():
    # 12 residents: the one approximate step (the drawn share in the denominator) shows, and
    # stays within 10% of the enumerated mean; with thousands of residents it vanishes (above)
    t = np.array([3, 5, 4])
    x = np.array([2, 1, 1])
    P = x.sum() / t.sum()
    xs = _all_tables(t)
    m = xs.sum(axis=1)
    keep = (m > 0) & (m < t.sum())
    w = stats.binom.pmf(xs[keep], t, P).prod(axis=1)
    brute = (w * _gini(xs[keep], t)).sum() / w.sum()
    assert _null_mean(_frame(x, t), "gini") == pytest.approx(brute, rel=0.1)


def _table(n=60, seed=2):
    rng = np.random.default_rng(seed)
    t = rng.integers(100, 900, n)
    grp = rng.binomial(t, np.linspace(0.05, 0.5, n))
    return pd.DataFrame({"grp": grp, "tot": t}, index=[f"a{i:02d}" for i in range(n)])


@pytest.mark.parametrize(
    "func", [seg.bias_corrected_dissimilarity, seg.modified_dissimilarity, seg.modified_gini]
)
def test_public_exact_default_is_deterministic_and_close_to_simulation(func):
    df = _table()
    kw = dict(group="grp", total="tot")
    exact = func(df, **kw)
    assert exact == func(df, **kw, seed=99) == func(df, **kw, method="exact")
    sims = [func(df, **kw, method="simulation", iterations=500, seed=s) for s in range(4)]
    assert abs(np.mean(sims) - exact) < 1.5e-3
    with pytest.raises(InputError, match="method must be"):
        func(df, **kw, method="montecarlo")


def test_inference_uses_the_exact_method_for_replicates():
    df = _table()
    res = seg.segregation_test(
        df, index="modified_dissimilarity", group="grp", total="tot", permutations=19, seed=1
    )
    again = seg.segregation_test(
        df, index="modified_dissimilarity", group="grp", total="tot", permutations=19, seed=1
    )
    assert res.statistic == pytest.approx(seg.modified_dissimilarity(df, group="grp", total="tot"))
    np.testing.assert_array_equal(res.simulated, again.simulated)
    assert np.isfinite(res.simulated).all() and 0.0 <= res.p_value <= 1.0
