"""The simulation-based indices on many replicate tables at once, as permutation tests use them.

A registered core takes ``k`` tables as the columns of one array. For the bias-corrected
dissimilarity and the modified dissimilarity and Gini, whose exact expectations are computed
for all columns together, every column must equal the same core on that table alone (the
computation the per-table oracles of test_segregation_expectations.py check), and the
resampled expectation must equal an independent sum over scipy's binomial probabilities.
The bounds that let the batch p-values skip most replicate tables must hold, and must leave
every p-value unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import geoseg.segregation as seg
from geoseg.segregation.registry import INDICES, get_index


def _city(n: int, lo: int, hi: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(lo, hi, n)
    x = rng.binomial(t, np.linspace(0.03, 0.6, n))
    return x.astype(float), t.astype(float)


def _null_tables(x: np.ndarray, t: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.binomial(t.astype(int)[:, None], x.sum() / t.sum(), (t.size, k)).astype(float)


def _column_by_column(name: str, xs: np.ndarray, t: np.ndarray) -> np.ndarray:
    core = get_index(name).core
    cols = range(xs.shape[1])
    if t.ndim == 1:
        return np.array([core(xs[:, [j]], t)[0] for j in cols])
    return np.array([core(xs[:, [j]], t[:, [j]])[0] for j in cols])


def _resampled_by_scipy(x: np.ndarray, y: np.ndarray) -> float:
    """``E[D_b]``: every area's ``E|A/X - B/Y|`` over scipy's binomial pmf (12 sd + 30 each side,
    where the neglected tails are below 1e-25)."""
    X, Y = int(x.sum()), int(y.sum())
    total = 0.0
    for a, b in zip(x / X, y / Y, strict=True):
        ranges = []
        for n, p in ((X, a), (Y, b)):
            sd = np.sqrt(n * p * (1 - p))
            ranges.append(np.arange(max(0, int(n * p - 12 * sd - 30)), int(n * p + 12 * sd + 31)))
        A, B = (r[r <= n] for r, n in zip(ranges, (X, Y), strict=True))
        pa, pb = stats.binom.pmf(A, X, a), stats.binom.pmf(B, Y, b)
        total += pa @ np.abs(A[:, None] / X - B[None, :] / Y) @ pb
    return total / 2.0


@pytest.mark.parametrize(("n", "lo", "hi"), [(4, 2, 12), (30, 20, 300), (60, 800, 4000)])
def test_bias_corrected_on_many_tables_equals_each_table_and_scipy(n, lo, hi):
    x, t = _city(n, lo, hi, seed=n)
    xs = np.column_stack([x, _null_tables(x, t, 24, seed=1)])
    xs[:, 1] = 0.0  # a table without the group: undefined
    together = get_index("bias_corrected_dissimilarity").core(xs, t)
    alone = _column_by_column("bias_corrected_dissimilarity", xs, t)
    np.testing.assert_allclose(together, alone, rtol=1e-13, atol=1e-15)
    assert np.isnan(together[1]) and np.isfinite(np.delete(together, 1)).all()
    # the resampled mean E[D_b] = 2 D - Dbc against scipy, on the observed and two null tables
    D = get_index("dissimilarity").core(xs, t)
    for j in (0, 2, 3):
        oracle = _resampled_by_scipy(xs[:, j], t - xs[:, j])
        assert 2 * D[j] - together[j] == pytest.approx(oracle, rel=1e-11)


def test_resampled_mean_of_a_skewed_tiny_table_is_exact():
    # areas (25 of 27) and (1 of 1): the 26 members are redrawn over shares 25/26 and 1/26,
    # the 2 others all stay in the first area, so E|A1/26 - 1| = E|A2/26 - 0| = E[A2]/26 = 1/26
    # and E[D_b] = 1/26; with D = 1/26 as well, Dbc = 2/26 - 1/26. Poisson-like tails: a
    # support cut at 7 standard deviations missed 3e-6 of this value.
    df = pd.DataFrame({"grp": [25.0, 1.0], "tot": [27.0, 1.0]}, index=["a", "b"])
    value = seg.bias_corrected_dissimilarity(df, group="grp", total="tot")
    assert value == pytest.approx(1 / 26, rel=1e-12)


@pytest.mark.parametrize(
    ("n", "lo", "hi", "k"),
    [(5, 2, 12, 40), (12, 3, 40, 99), (60, 100, 900, 99), (200, 1500, 6000, 40)],
)
def test_modified_indices_on_many_tables_equal_each_table_alone(n, lo, hi, k):
    # the null tables share the area totals, so the null means are computed once for all
    # their shares (the Gini's conditional mean through a Chebyshev interpolant when the
    # shares need many values of it): equal to the table-by-table computation
    x, t = _city(n, lo, hi, seed=n + 1)
    xs = _null_tables(x, t, k, seed=2)
    # (the Gini's null mean I* agrees to 1e-10 relative; M = (I - I*) / (1 - I*) moves by
    # about as much as I*, below 1e-11 for these I* < 0.1)
    for name, rtol, atol in (
        ("modified_dissimilarity", 1e-12, 1e-14),
        ("modified_gini", 1e-10, 1e-11),
    ):
        together = get_index(name).core(xs, t)
        alone = _column_by_column(name, xs, t)
        np.testing.assert_allclose(together, alone, rtol=rtol, atol=atol, err_msg=name)
    # tables with their own totals (the systematic null) go table by table
    ts = t[:, None] + np.arange(k)[None, :] % 3
    for name in ("modified_dissimilarity", "modified_gini"):
        np.testing.assert_allclose(
            get_index(name).core(xs, ts),
            _column_by_column(name, xs, ts),
            rtol=1e-13,
            atol=1e-14,
            err_msg=name,
        )


@pytest.mark.parametrize(("n", "lo", "hi"), [(2, 1, 30), (3, 1, 30), (8, 1, 60), (80, 50, 900)])
def test_bounds_of_the_bias_corrected_dissimilarity_hold(n, lo, hi):
    rng = np.random.default_rng(n)
    t = rng.integers(lo, hi, (n, 300)).astype(float)
    x = rng.binomial(t.astype(int), rng.uniform(0, 1, (n, 300))).astype(float)
    spec = get_index("bias_corrected_dissimilarity")
    low, high = spec.bounds(x, t)
    value = spec.core(x, t)
    undefined = np.isnan(value)
    np.testing.assert_array_equal(np.isnan(low), undefined)
    assert (low[~undefined] <= value[~undefined] + 1e-12).all()
    assert (value[~undefined] <= high[~undefined] + 1e-12).all()
    assert (high[~undefined] - low[~undefined] > 0).any()


def _register() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for year in (2020, 2021, 2022):
        t = rng.integers(200, 2000, 80)
        # segregated, barely segregated and even groups: replicates far from the observed
        # value (settled by the bounds) and near it (evaluated)
        seg_ = rng.binomial(t, np.linspace(0.05, 0.6, 80))
        weak = rng.binomial(t, np.linspace(0.28, 0.32, 80))
        even = rng.binomial(t, 0.3)
        rows.append(
            pd.DataFrame(
                {"code": [f"{i:03d}" for i in range(80)], "year": year, "tot": t}
                | {"seg": seg_, "weak": weak, "even": even}
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_batch_p_values_with_bounds_equal_those_from_every_value(monkeypatch):
    reg = _register()
    kw = dict(
        groups=["seg", "weak", "even"],
        total="tot",
        id_column="code",
        index=["bias_corrected_dissimilarity", "dissimilarity"],
        permutations=99,
        seed=5,
    )
    fast = seg.compute_indices(reg, **kw)
    name = "bias_corrected_dissimilarity"
    monkeypatch.setitem(INDICES, name, dataclasses.replace(INDICES[name], bounds=None))
    full = seg.compute_indices(reg, **kw)
    pd.testing.assert_frame_equal(fast, full)
    p = fast.loc[fast["index"] == name].set_index(["group", "year"])["p_value"]
    assert (p.loc["seg"] == 0.02).all()  # far above every replicate: 2 / (99 + 1)
    assert (p.loc["even"] > 0.05).all()  # inside the null distribution
