"""Equity of access against hand-computed values and textbook formulas."""

from __future__ import annotations

import numpy as np
import pytest

from geoseg.access import access_gini, concentration_index, palma, quintile_gap
from geoseg.access.summary import weighted_median


def test_gini_hand_and_mean_difference():
    # |xi - xj| over ordered pairs of 1,2,3,4 sums to 20; G = 20 / (2 * 16 * 2.5)
    assert access_gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert access_gini([5, 5, 5]) == pytest.approx(0.0)
    rng = np.random.default_rng(0)
    x = rng.gamma(2.0, 3.0, 40)
    w = rng.integers(1, 6, 40).astype(float)
    diff = np.abs(x[:, None] - x[None, :])
    expect = (w[:, None] * w[None, :] * diff).sum() / (2 * w.sum() ** 2 * np.average(x, weights=w))
    assert access_gini(x, w) == pytest.approx(expect, rel=1e-12)
    # integer weights are repeated people
    assert access_gini(np.repeat(x, w.astype(int))) == pytest.approx(expect, rel=1e-12)


def test_palma_hand():
    # nine people with 1 and one with 11: top 10 % hold 11, bottom 40 % hold 4
    assert palma([1] * 9 + [11]) == pytest.approx(11 / 4)
    # two people (1 and 3): the bottom 40 % are 0.8 of the first (0.8 of 4 = 0.2),
    # the top 10 % are 0.2 of the second (0.6 of 4 = 0.15)
    assert palma([1, 3]) == pytest.approx(0.15 / 0.2)
    assert palma([3, 1], [1, 1]) == pytest.approx(0.75)


def test_concentration_index_hand_and_regression():
    # R = 1/6, 1/2, 5/6; mean 2; cov = 2/9; C = 2 * (2/9) / 2
    assert concentration_index([1, 2, 3], [10, 20, 30]) == pytest.approx(2 / 9)
    assert concentration_index([3, 2, 1], [10, 20, 30]) == pytest.approx(-2 / 9)
    # convenient regression (Kakwani et al. 1997): 2 var(R) h / mu = a + C R, on repeated people
    rng = np.random.default_rng(3)
    h = rng.gamma(3.0, 2.0, 30)
    y = rng.normal(300, 50, 30).round(0)
    w = rng.integers(1, 4, 30)
    hh, yy = np.repeat(h, w), np.repeat(y, w)
    order = np.argsort(yy, kind="stable")
    n = len(yy)
    r = np.empty(n)
    r[order] = (np.arange(n) + 0.5) / n
    for val in np.unique(yy):  # tied incomes share their mean rank
        r[yy == val] = r[yy == val].mean()
    slope = np.polyfit(r, 2 * r.var() * hh / hh.mean(), 1)[0]
    assert concentration_index(h, y, weights=w) == pytest.approx(slope, rel=1e-9)


def test_quintile_gap_hand():
    values = np.array([10, 12, 5, 6, 7, 8, 9, 11, 20, 30], dtype=float)
    indicator = np.arange(1, 11)  # area 10 has the most low-income residents
    weights = np.array([1, 3, 1, 1, 1, 1, 1, 1, 1, 3], dtype=float)
    got = quintile_gap(values, indicator, weights=weights)
    best = (10 * 1 + 12 * 3) / 4
    worst = (20 * 1 + 30 * 3) / 4
    assert got["best"] == pytest.approx(best)
    assert got["worst"] == pytest.approx(worst)
    assert got["gap"] == pytest.approx(worst - best)
    assert got["n_best"] == 2 and got["n_worst"] == 2


def test_weighted_median_with_unreachable():
    assert weighted_median([5, 1, 3], [1, 1, 1]) == 3
    assert weighted_median([1, 10], [3, 1]) == 1
    assert weighted_median([1, np.inf, np.inf], [1, 1, 1]) == np.inf
