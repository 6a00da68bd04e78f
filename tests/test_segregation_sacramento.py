"""geoseg reproduces every aspatial value asserted by pysal/segregation's tests on Sacramento."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import geoseg.segregation as seg

pytestmark = pytest.mark.real

SINGLE = {
    "Dissim": seg.dissimilarity,
    "Gini": seg.gini,
    "Entropy": seg.entropy,
    "Isolation": seg.isolation,
    "Interaction": seg.interaction,
    "Atkinson": seg.atkinson,
    "ConProf": seg.con_prof,
    "CorrelationR": seg.correlation_ratio,
    "DensityCorrectedDissim": seg.density_corrected_dissimilarity,
}
SIMULATED = {
    "BiasCorrectedDissim": seg.bias_corrected_dissimilarity,
    "ModifiedDissim": seg.modified_dissimilarity,
    "ModifiedGini": seg.modified_gini,
}
MULTI = {
    "MultiDissim": seg.multigroup_dissimilarity,
    "MultiDivergence": seg.multigroup_divergence,
    "MultiDiversity": seg.multigroup_diversity,
    "MultiGini": seg.multigroup_gini,
    "MultiInfoTheory": seg.multigroup_information_theory,
    "MultiNormExposure": seg.multigroup_normalized_exposure,
    "MultiRelativeDiversity": seg.multigroup_relative_diversity,
    "SimpsonsConcentration": seg.simpsons_concentration,
    "SimpsonsInteraction": seg.simpsons_interaction,
    "MultiSquaredCoefVar": seg.multigroup_squared_coefficient_of_variation,
}
LOCAL = {
    "MultiLocalDiversity": seg.local_diversity,
    "MultiLocalEntropy": seg.local_entropy,
    "MultiLocalSimpsonConcentration": seg.local_simpsons_concentration,
    "MultiLocalSimpsonInteraction": seg.local_simpsons_interaction,
}
GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]


@pytest.fixture(scope="module")
def sac(real_data):
    import geopandas as gpd

    folder = real_data / "sacramento1"
    gdf = gpd.read_file(folder / "sacramento1.geojson")
    expected = json.loads((folder / "expected_values_pysal_segregation_tests.json").read_text())
    return gdf.drop(columns="geometry"), expected


def _cases(expected, section, names):
    return [e for e in expected[section] if e["index"].split("(")[0].strip() in names]


def test_single_group_deterministic(sac):
    df, expected = sac
    cases = _cases(expected, "single_group", SINGLE)
    assert len(cases) == len(SINGLE)
    for case in cases:
        func = SINGLE[case["index"]]
        value = func(df, group=case["group_col_in_geojson"], total=case["total_col"])
        assert abs(value - case["expected"]) < case["abs_tolerance"], case["index"]


def test_single_group_simulated_within_tolerance(sac):
    df, expected = sac
    cases = _cases(expected, "single_group", SIMULATED)
    assert len(cases) == len(SIMULATED)
    for case in cases:
        func = SIMULATED[case["index"].split("(")[0].strip()]
        value = func(df, group="HISP_", total="TOT_POP", seed=1234)
        assert abs(value - case["expected"]) < case["abs_tolerance"], case["index"]


def test_simulated_against_pysal_in_the_same_run(sac):
    from segregation.singlegroup import BiasCorrectedDissim, ModifiedDissim

    df, _ = sac
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.random.seed(99)
        ref_bc = BiasCorrectedDissim(df, "HISP_", "TOT_POP").statistic
        ref_md = ModifiedDissim(df, "HISP_", "TOT_POP", seed=99, n_jobs=1).statistic
    ours_bc = seg.bias_corrected_dissimilarity(df, group="HISP_", total="TOT_POP", seed=99)
    ours_md = seg.modified_dissimilarity(df, group="HISP_", total="TOT_POP", seed=99)
    assert abs(ours_bc - ref_bc) < 1.5e-3
    assert abs(ours_md - ref_md) < 1.5e-3


def test_multigroup(sac):
    df, expected = sac
    for case in expected["multi_group"]:
        name = case["index"]
        if name == "MultiDiversity(normalized=True)":
            value = seg.multigroup_diversity(df, groups=GROUPS, normalized=True)
        else:
            value = MULTI[name](df, groups=case["groups_in_geojson"])
        assert abs(value - case["expected"]) < case["abs_tolerance"], name


def test_local(sac):
    df, expected = sac
    for case in expected["local"]:
        name = case["index"]
        tol = 1.5 * 10 ** (-case["decimal"])
        if name in LOCAL:
            values = LOCAL[name](df, groups=GROUPS)
            assert values.index.equals(df.index)
            np.testing.assert_allclose(values.to_numpy()[:10], case["expected"], atol=tol)
        elif name == "MultiLocationQuotient":
            lq = seg.location_quotient(df, groups=GROUPS)
            np.testing.assert_allclose(lq.to_numpy()[:3, :3], case["expected"], atol=tol)


@pytest.mark.parametrize("approach", ["composition", "share", "dual_composition"])
def test_decomposition(sac, approach):
    df, expected = sac
    case = expected["decomposition"]
    tol = 1.5 * 10 ** (-case["decimal"])
    hisp = df[["HISP_", "TOT_POP"]].rename(columns={"HISP_": "x"})
    black = df[["BLACK_", "TOT_POP"]].rename(columns={"BLACK_": "x"})
    # pysal decomposes index1 (HISP) - index2 (BLACK); geoseg decomposes B - A.
    result = seg.decompose_change(black, hisp, group="x", total="TOT_POP", approach=approach)
    assert abs(result.attribute - case[approach]["c_a"]) < tol
    assert abs(result.spatial - case[approach]["c_s"]) < tol
    assert result.spatial + result.attribute == pytest.approx(result.difference)
    assert result.difference == pytest.approx(
        seg.dissimilarity(df, group="HISP_", total="TOT_POP")
        - seg.dissimilarity(df, group="BLACK_", total="TOT_POP")
    )
