"""Property tests: geoseg's aspatial indices equal pysal/segregation's on random tables.

Tables have int or float counts and may contain zero-population areas: geoseg leaves those out
(they contribute nothing), pysal/segregation keeps them; both must give the same value.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from segregation import local as pl
from segregation import multigroup as pm
from segregation import singlegroup as ps

import geoseg.segregation as seg

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SINGLE = [
    (seg.dissimilarity, ps.Dissim, 1e-10),
    (seg.gini, ps.Gini, 1e-10),
    (seg.entropy, ps.Entropy, 1e-10),
    (seg.isolation, ps.Isolation, 1e-10),
    (seg.interaction, ps.Interaction, 1e-10),
    (seg.atkinson, ps.Atkinson, 1e-10),
    (seg.correlation_ratio, ps.CorrelationR, 1e-10),
    (seg.con_prof, ps.ConProf, 1e-10),
]
MULTI = [
    (seg.multigroup_dissimilarity, pm.MultiDissim),
    (seg.multigroup_gini, pm.MultiGini),
    (seg.multigroup_normalized_exposure, pm.MultiNormExposure),
    (seg.multigroup_information_theory, pm.MultiInfoTheory),
    (seg.multigroup_relative_diversity, pm.MultiRelativeDiversity),
    (seg.multigroup_squared_coefficient_of_variation, pm.MultiSquaredCoefVar),
    (seg.multigroup_diversity, pm.MultiDiversity),
    (seg.multigroup_divergence, pm.MultiDivergence),
    (seg.simpsons_concentration, pm.SimpsonsConcentration),
    (seg.simpsons_interaction, pm.SimpsonsInteraction),
]
LOCAL = [
    (seg.local_diversity, pl.MultiLocalDiversity),
    (seg.local_entropy, pl.MultiLocalEntropy),
    (seg.local_simpsons_concentration, pl.MultiLocalSimpsonConcentration),
    (seg.local_simpsons_interaction, pl.MultiLocalSimpsonInteraction),
]


@st.composite
def single_tables(draw):
    n = draw(st.integers(3, 40))
    seed = draw(st.integers(0, 2**31))
    as_float = draw(st.booleans())
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 300, n).astype(float)
    t[rng.random(n) < 0.1] = 0.0
    x = np.floor(t * rng.beta(0.7, 1.5, n))
    if as_float:
        scale = rng.uniform(0.3, 3.0)
        t, x = t * scale, x * scale
    if not 0 < x.sum() < t.sum():
        x[np.argmax(t)] = t.max() / 2
    if not 0 < x.sum() < t.sum():
        t[0], x[0] = 10.0, 5.0
    return pd.DataFrame({"grp": x, "tot": t}, index=[f"{i:04d}" for i in range(n)])


@st.composite
def multi_tables(draw):
    n = draw(st.integers(3, 40))
    g = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**31))
    as_float = draw(st.booleans())
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 200, (n, g)).astype(float) * (rng.random((n, g)) < 0.8)
    X[rng.random(n) < 0.1] = 0.0
    X[0] = np.maximum(X[0], 1.0)  # every group has a member somewhere
    if as_float:
        X = X * rng.uniform(0.3, 3.0)
    cols = [f"g{j}" for j in range(g)]
    return pd.DataFrame(X, columns=cols, index=[f"{i:04d}" for i in range(n)]), cols


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)


@SETTINGS
@given(single_tables())
def test_single_group_indices_match_pysal(df):
    for ours, theirs, tol in SINGLE:
        expected = _quiet(theirs, df, "grp", "tot").statistic
        assert ours(df, group="grp", total="tot") == pytest.approx(expected, abs=tol), ours
    # pysal gives NaN when an area is empty; geoseg leaves such areas out.
    populated = df[df["tot"] > 0]
    expected = _quiet(ps.DensityCorrectedDissim, populated, "grp", "tot").statistic
    ours = seg.density_corrected_dissimilarity(df, group="grp", total="tot")
    assert ours == pytest.approx(expected, abs=1e-4)


@SETTINGS
@given(multi_tables())
def test_multigroup_indices_match_pysal(table):
    df, cols = table
    for ours, theirs in MULTI:
        expected = _quiet(theirs, df, cols).statistic
        assert ours(df, groups=cols) == pytest.approx(expected, abs=1e-10), ours
    normalized = _quiet(pm.MultiDiversity, df, cols, normalized=True).statistic
    assert seg.multigroup_diversity(df, groups=cols, normalized=True) == pytest.approx(normalized)


@SETTINGS
@given(multi_tables())
def test_local_indices_match_pysal_on_populated_areas(table):
    df, cols = table
    populated = df.sum(axis=1).to_numpy() > 0
    for ours, theirs in LOCAL:
        expected = _quiet(theirs, df, cols).statistics
        got = ours(df, groups=cols)
        assert got.index.equals(df.index)
        np.testing.assert_allclose(got.to_numpy()[populated], expected[populated], atol=1e-12)
        assert got[~populated].isna().all()
    lq = seg.location_quotient(df, groups=cols)
    expected = _quiet(pl.MultiLocationQuotient, df, cols).statistics
    np.testing.assert_allclose(lq.to_numpy()[populated], expected[populated], atol=1e-12)


def test_zero_population_areas_do_not_change_the_value():
    df = pd.DataFrame({"grp": [10.0, 0, 5, 0], "tot": [20.0, 30, 50, 0]}, index=list("abcd"))
    assert seg.dissimilarity(df, group="grp", total="tot") == pytest.approx(
        seg.dissimilarity(df.iloc[:3], group="grp", total="tot")
    )
    # hand-computed: P = 15/100; D = sum t|p - P| / (2 T P (1 - P))
    expected = (20 * 0.35 + 30 * 0.15 + 50 * 0.05) / (2 * 100 * 0.15 * 0.85)
    assert seg.dissimilarity(df, group="grp", total="tot") == pytest.approx(expected)


def test_inputs_are_not_mutated_and_bad_input_is_refused():
    from geoseg.errors import DataError, ValidationError

    df = pd.DataFrame({"grp": [1.0, np.nan, 12], "tot": [5.0, 5, 10]}, index=["01", "02", "03"])
    before = df.copy()
    with pytest.raises(ValidationError) as err:
        seg.dissimilarity(df, group="grp", total="tot")
    assert "02" in str(err.value) and "03" in str(err.value)  # missing and group > total
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(DataError):
        seg.gini(df.assign(grp=0.0), group="grp", total="tot")
