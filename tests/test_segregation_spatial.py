"""Tests of geoseg's spatial segregation indices (global and local).

Oracles: the values asserted by pysal/segregation's own tests on the Sacramento tracts, and
pysal/segregation itself on small random grids; plus a hand-computed case.
"""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geoseg.errors import CRSError, DataError, InputError, ValidationError
from geoseg.segregation import spatial, spatial_local
from geoseg.segregation.registry import INDICES, get_index

SPATIAL = [
    "delta",
    "absolute_centralization",
    "relative_centralization",
    "absolute_concentration",
    "relative_concentration",
    "absolute_clustering",
    "relative_clustering",
    "spatial_proximity",
    "spatial_prox_profile",
    "spatial_dissimilarity",
    "boundary_spatial_dissimilarity",
    "perimeter_area_ratio_dissimilarity",
    "distance_decay_isolation",
    "distance_decay_interaction",
    "minmax",
]

# pysal/segregation class name in the expected-values file -> geoseg name and extra options
PYSAL_NAMES = {
    "Delta": ("delta", {}),
    "AbsoluteCentralization": ("absolute_centralization", {}),
    "RelativeCentralization": ("relative_centralization", {}),
    "AbsoluteConcentration": ("absolute_concentration", {}),
    "RelativeConcentration": ("relative_concentration", {}),
    "AbsoluteClustering": ("absolute_clustering", {}),
    "RelativeClustering": ("relative_clustering", {}),
    "SpatialProximity": ("spatial_proximity", {}),
    "SpatialProxProf": ("spatial_prox_profile", {}),
    "SpatialDissim": ("spatial_dissimilarity", {}),
    "BoundarySpatialDissim": ("boundary_spatial_dissimilarity", {}),
    "PARDissim": ("perimeter_area_ratio_dissimilarity", {}),
    "DistanceDecayIsolation": ("distance_decay_isolation", {}),
    "DistanceDecayInteraction": ("distance_decay_interaction", {}),
    "MinMax(distance=2000, function='triangular')": (
        "minmax",
        {"distance": 2000, "function": "triangular"},
    ),
}
RENAME = {"WHITE": "WHITE_", "BLACK": "BLACK_", "ASIAN": "ASIAN_", "HISP": "HISP_"}


# --------------------------------------------------------------------------- fixtures
def grid(seed: int, nx: int = 6, ny: int = 5, crs: str = "EPSG:3006") -> gpd.GeoDataFrame:
    """A rectilinear grid with random column widths / row heights and random counts."""
    rng = np.random.default_rng(seed)
    xs = 300_000 + np.concatenate([[0.0], np.cumsum(rng.uniform(300, 1500, nx))])
    ys = 6_400_000 + np.concatenate([[0.0], np.cumsum(rng.uniform(300, 1500, ny))])
    cells = [box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for j in range(ny) for i in range(nx)]
    n = len(cells)
    total = rng.integers(20, 400, n)
    share = rng.beta(0.7, 1.5, n)
    share[rng.random(n) < 0.15] = 0.0  # some areas without the group
    group = np.floor(total * share).astype(int)
    other = total - group
    split = rng.random(n)
    return gpd.GeoDataFrame(
        {
            "code": [f"{i:04d}" for i in range(n)],
            "grp": group,
            "tot": total,
            "a": group,
            "b": np.floor(other * split).astype(int),
            "c": other - np.floor(other * split).astype(int),
        },
        geometry=cells,
        crs=crs,
    ).set_index("code", drop=False)


@pytest.fixture(scope="module")
def sacramento(real_data):
    path = real_data / "sacramento1"
    gdf = gpd.read_file(path / "sacramento1.geojson")
    expected = json.loads((path / "expected_values_pysal_segregation_tests.json").read_text())
    return gdf, gdf.to_crs(gdf.estimate_utm_crs()), expected


def _entry_layer(sacramento, entry):
    gdf, utm, _ = sacramento
    if entry["crs"].startswith("EPSG:4326"):
        return gdf
    assert entry["crs"].startswith("reprojected")
    return utm


# --------------------------------------------------------------------------- real data
@pytest.mark.real
def test_every_spatial_single_group_value_of_pysal_is_reproduced(sacramento):
    _, _, expected = sacramento
    checked = set()
    failures = []
    for entry in expected["single_group"]:
        if entry["index"] not in PYSAL_NAMES:
            continue
        name, options = PYSAL_NAMES[entry["index"]]
        layer = _entry_layer(sacramento, entry)
        value = getattr(spatial, name)(
            layer,
            group=entry["group_col_in_geojson"],
            total=entry["total_col"],
            allow_geographic=layer.crs.is_geographic,
            **options,
        )
        checked.add(name)
        if not abs(value - entry["expected"]) < entry["abs_tolerance"]:
            failures.append((name, value, entry["expected"], entry["abs_tolerance"]))
    assert not failures
    assert checked == set(SPATIAL)


@pytest.mark.real
def test_local_relative_centralization_matches_pysal_tests(sacramento):
    gdf, _, expected = sacramento
    entry = next(e for e in expected["local"] if e["index"] == "LocalRelativeCentralization")
    assert entry["crs"].startswith("EPSG:4326")
    result = spatial_local.local_relative_centralization(
        gdf,
        group=RENAME[entry["group_col_in_test"]],
        total=entry["total_col"],
        allow_geographic=True,
    )
    assert result.index.equals(gdf.index)
    np.testing.assert_almost_equal(result.to_numpy()[:10], entry["expected"], entry["decimal"])


@pytest.mark.real
def test_local_distortion_matches_pysal_tests(sacramento):
    _, utm, expected = sacramento
    entry = next(e for e in expected["local"] if e["index"] == "LocalDistortion")
    assert entry["crs"].startswith("reprojected")
    groups = [RENAME[g] for g in entry["groups_in_test"]]
    result = spatial_local.local_distortion(utm, groups=groups)
    assert len(result) == len(utm) == len(entry["expected"])
    np.testing.assert_almost_equal(result.to_numpy(), entry["expected"], entry["decimal"])


@pytest.mark.real
def test_geographic_sacramento_is_refused_without_the_switch(sacramento):
    gdf, _, _ = sacramento
    with pytest.raises(CRSError, match="geographic"):
        spatial.absolute_concentration(gdf, group="HISP_", total="TOT_POP")


# --------------------------------------------------------------------------- pysal on grids
def _pysal_single(name, gdf):
    import segregation.singlegroup as seg

    classes = {
        "delta": (seg.Delta, {}),
        "absolute_centralization": (seg.AbsoluteCentralization, {}),
        "relative_centralization": (seg.RelativeCentralization, {}),
        "absolute_concentration": (seg.AbsoluteConcentration, {}),
        "relative_concentration": (seg.RelativeConcentration, {}),
        "absolute_clustering": (seg.AbsoluteClustering, {}),
        "relative_clustering": (seg.RelativeClustering, {}),
        "spatial_proximity": (seg.SpatialProximity, {}),
        "spatial_prox_profile": (seg.SpatialProxProf, {}),
        "spatial_dissimilarity": (seg.SpatialDissim, {}),
        "boundary_spatial_dissimilarity": (seg.BoundarySpatialDissim, {}),
        "perimeter_area_ratio_dissimilarity": (seg.PARDissim, {}),
        "distance_decay_isolation": (seg.DistanceDecayIsolation, {}),
        "distance_decay_interaction": (seg.DistanceDecayInteraction, {}),
        "minmax": (seg.MinMax, {"distance": 1500, "function": "triangular"}),
    }
    cls, options = classes[name]
    data = gdf[["grp", "tot", "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(data, "grp", "tot", **options).statistic


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31 - 1))
def test_spatial_indices_agree_with_pysal_on_random_grids(seed):
    gdf = grid(seed)
    for name in SPATIAL:
        options = {"distance": 1500} if name == "minmax" else {}
        ours = getattr(spatial, name)(gdf, group="grp", total="tot", **options)
        theirs = _pysal_single(name, gdf)
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12), name


def test_spatial_prox_profile_with_an_island_agrees_with_pysal():
    gdf = grid(5, nx=4, ny=4)
    island = gdf.iloc[[0, 1]].copy()
    island.index = ["0900", "0901"]
    island["code"] = island.index
    island["geometry"] = [
        box(200_000, 6_000_000, 201_000, 6_001_000),
        box(201_000, 6_000_000, 202_000, 6_001_000),
    ]
    island["grp"] = island["tot"]  # the detached pair is all group: its sets span two parts
    gdf = pd.concat([gdf, island])
    ours = spatial.spatial_prox_profile(gdf, group="grp", total="tot")
    assert ours == pytest.approx(_pysal_single("spatial_prox_profile", gdf), rel=1e-9)


@settings(max_examples=3, derandomize=True, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_local_indices_agree_with_pysal_on_random_grids(seed):
    import segregation.local as local

    gdf = grid(seed, nx=5, ny=4)
    data = gdf[["grp", "tot", "a", "b", "c", "geometry"]].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lrc = local.LocalRelativeCentralization(data, "grp", "tot").statistics
        ld = local.LocalDistortion(data, groups=["a", "b", "c"]).statistics.to_numpy()
    ours = spatial_local.local_relative_centralization(gdf, group="grp", total="tot")
    np.testing.assert_allclose(ours.to_numpy(), lrc, rtol=1e-9, atol=1e-12)
    ours_ld = spatial_local.local_distortion(gdf, groups=["a", "b", "c"])
    np.testing.assert_allclose(ours_ld.to_numpy(), ld, rtol=1e-9)


# --------------------------------------------------------------------------- hand-computed
def test_delta_and_minmax_on_two_squares_by_hand():
    gdf = gpd.GeoDataFrame(
        {"g": [10, 0], "t": [10, 30]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 300, 100)],
        crs="EPSG:3006",
        index=["0114", "0115"],
    )
    # x/X = (1, 0), a/A = (1/3, 2/3): 0.5 * (2/3 + 2/3)
    assert spatial.delta(gdf, group="g", total="t") == pytest.approx(2 / 3)
    # group in area 1 only, the others (0, 30) in area 2 only: no overlap
    assert spatial.minmax(gdf, group="g", total="t") == pytest.approx(1.0)


# --------------------------------------------------------------------------- vectorised cores
@pytest.mark.parametrize("name", SPATIAL)
def test_cores_are_vectorised_over_replicates(name):
    gdf = grid(7)
    spec = INDICES[name]
    options = {"distance": 1500} if name == "minmax" else {}
    if name in {"absolute_centralization", "relative_centralization"}:
        options["total"] = "tot"
    ctx = spec.prepare(gdf, **options)
    rng = np.random.default_rng(3)
    t = gdf["tot"].to_numpy(float)
    tables = np.column_stack([rng.permutation(gdf["grp"].to_numpy(float)) for _ in range(4)])
    tables = np.minimum(tables, t[:, None])
    totals = np.column_stack([t, rng.permutation(t), t, t])
    tables[:, 1] = np.minimum(tables[:, 1], totals[:, 1])
    batch = spec.core(tables, totals, **ctx)
    singles = [spec.core(tables[:, [j]], totals[:, j], **ctx) for j in range(4)]
    np.testing.assert_allclose(np.asarray(batch), np.column_stack(singles).reshape(batch.shape))


@pytest.mark.parametrize(
    ("name", "columns"),
    [("local_distortion", ["a", "b", "c"]), ("local_relative_centralization", ["a", "b"])],
)
def test_local_cores_are_vectorised_over_replicates(name, columns):
    gdf = grid(11, nx=4, ny=4)
    spec = INDICES[name]
    ctx = spec.prepare(gdf)
    rng = np.random.default_rng(5)
    counts = gdf[columns].to_numpy(float)
    X = np.stack([counts[rng.permutation(len(gdf))] for _ in range(3)])
    batch = spec.core(X, **ctx)
    assert batch.shape == (3, len(gdf))
    for j in range(3):
        np.testing.assert_allclose(batch[j], spec.core(X[j], **ctx)[0])


def test_every_index_is_registered_with_a_source():
    for name in [*SPATIAL, "local_relative_centralization", "local_distortion"]:
        spec = INDICES[name]
        assert spec.spatial and spec.source
    for name in ["local_relative_centralization", "local_distortion"]:
        assert INDICES[name].kind == "local" and INDICES[name].options.get("local") is True


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("name", SPATIAL)
def test_geographic_crs_is_refused(name):
    gdf = grid(1).to_crs("EPSG:4326")
    options = {"distance": 0.01} if name == "minmax" else {}
    with pytest.raises(CRSError, match="allow_geographic"):
        getattr(spatial, name)(gdf, group="grp", total="tot", **options)
    value = getattr(spatial, name)(gdf, group="grp", total="tot", allow_geographic=True, **options)
    assert np.isfinite(value)


def test_local_indices_refuse_geographic_and_missing_crs():
    gdf = grid(1)
    with pytest.raises(CRSError):
        spatial_local.local_distortion(gdf.to_crs("EPSG:4326"), groups=["a", "b"])
    with pytest.raises(CRSError):
        spatial_local.local_relative_centralization(
            gdf.to_crs("EPSG:4326"), group="grp", total="tot"
        )
    with pytest.raises(CRSError, match="no CRS"):
        spatial.delta(gdf.set_crs(None, allow_override=True), group="grp", total="tot")


def test_bad_counts_are_all_reported_with_area_codes():
    gdf = grid(2)
    bad = gdf.copy()
    bad.loc["0003", "grp"] = np.nan
    bad.loc["0005", "grp"] = bad.loc["0005", "tot"] + 1
    with pytest.raises(ValidationError) as info:
        spatial.spatial_dissimilarity(bad, group="grp", total="tot")
    text = str(info.value)
    assert "0003" in text and "0005" in text and "2 problems" in text
    with pytest.raises(InputError, match="'nope'"):
        spatial.delta(gdf, group="nope", total="tot")
    empty = gdf.assign(grp=0)
    with pytest.raises(DataError, match="sums to zero"):
        spatial.delta(empty, group="grp", total="tot")
    with pytest.raises(InputError, match="center"):
        spatial.absolute_centralization(gdf, group="grp", total="tot", center="north")


def test_inputs_are_not_modified_and_results_keep_the_index():
    gdf = grid(4)
    before = gdf.copy()
    for name in SPATIAL:
        getattr(spatial, name)(gdf, group="grp", total="tot")
    out = spatial_local.local_relative_centralization(gdf, group="grp", total="tot")
    pd.testing.assert_frame_equal(gdf, before)
    assert out.index.equals(gdf.index)


# --------------------------------------------------------------------------- large layers
def test_spatial_prox_profile_on_a_strip_longer_than_255_steps_agrees_with_pysal():
    # a strip of 300 squares: contiguity paths of up to 299 steps need more than 8 bits
    gdf = grid(4, nx=300, ny=1)
    ours = spatial.spatial_prox_profile(gdf, group="grp", total="tot")
    assert ours == pytest.approx(_pysal_single("spatial_prox_profile", gdf), rel=1e-9)


@pytest.mark.parametrize(
    "name",
    [
        "absolute_clustering",
        "relative_clustering",
        "spatial_proximity",
        "distance_decay_isolation",
        "distance_decay_interaction",
    ],
)
def test_decay_indices_on_400_areas_agree_with_pysal(name):
    # 400 areas: the decay matrix is built in several row blocks
    gdf = grid(6, nx=20, ny=20)
    ours = getattr(spatial, name)(gdf, group="grp", total="tot")
    assert ours == pytest.approx(_pysal_single(name, gdf), rel=1e-9, abs=1e-12)


def test_batch_over_years_and_groups_equals_the_index_functions():
    # the decay indices of several years and groups share their products with the matrix
    import geoseg.segregation as seg

    layer = grid(8, nx=8, ny=6)
    years = []
    for k, year in enumerate((2020, 2021, 2022)):
        counts = grid(20 + k, nx=8, ny=6)[["code", "grp", "tot", "b"]]
        years.append(pd.DataFrame(counts).assign(year=year))
    register = pd.concat(years, ignore_index=True)
    names = ["absolute_clustering", "spatial_proximity", "distance_decay_isolation"]
    out = seg.compute_indices(
        register, groups=["grp", "b"], total="tot", id_column="code", areas=layer, index=names
    )
    assert len(out) == 3 * 2 * len(names)
    for row in out.to_dict("records"):
        table = register[register.year == row["year"]].set_index("code")
        gdf = layer[["geometry"]].join(table[["grp", "b", "tot"]])
        direct = getattr(spatial, row["index"])(gdf, group=row["group"], total="tot")
        assert row["value"] == pytest.approx(direct, rel=1e-12, abs=1e-15), row


def test_concentration_is_undefined_when_the_group_fills_every_area():
    """ACO and RCO divide by the difference of the mean areas of the smallest and the largest
    areas that can hold the group; when those are all the areas, both are 0 / 0 (Massey &
    Denton 1988), and the value is NaN rather than an infinite or a huge number."""
    sizes = [1000.0, 2000.0, 3000.0, 4000.0]
    x0 = 0.0
    geoms = []
    for s in sizes:
        geoms.append(box(x0, 0.0, x0 + s, s))
        x0 += s + 10.0
    tot = np.array([100.0, 101.0, 102.0, 103.0])
    # the group holds more people than all but the largest area together, and more than all
    # but the smallest: both the n1 smallest and the n - n2 largest areas are all four
    grp = np.array([99.0, 100.0, 101.0, 100.0])
    assert grp.sum() > tot.sum() - tot.min()
    gdf = gpd.GeoDataFrame({"grp": grp, "tot": tot}, geometry=geoms, crs="EPSG:3006")
    assert np.isnan(spatial.absolute_concentration(gdf, group="grp", total="tot"))
    assert np.isnan(spatial.relative_concentration(gdf, group="grp", total="tot"))
    # a small group on the same areas is defined and equals pysal/segregation's value
    gdf["grp"] = [10.0, 5.0, 2.0, 1.0]
    for name in ("absolute_concentration", "relative_concentration"):
        ours = getattr(spatial, name)(gdf, group="grp", total="tot")
        assert np.isfinite(ours)
        assert ours == pytest.approx(_pysal_single(name, gdf), rel=1e-9), name


def test_spatial_prox_profile_on_replicate_tables_agrees_with_pysal():
    # null tables have few distinct shares at a threshold step (20 thresholds here): their
    # profiles are summed by matrix products over groups of areas, the observed table's
    # area by area; every table's value in one call must be pysal's
    import segregation.singlegroup as pysal

    gdf = grid(11, nx=9, ny=8)
    spec = get_index("spatial_prox_profile")
    ctx = spec.prepare(gdf, m=20)
    t = gdf["tot"].to_numpy(float)
    rng = np.random.default_rng(3)
    P = gdf["grp"].sum() / t.sum()
    xs = np.column_stack(
        [gdf["grp"].to_numpy(float), rng.binomial(t.astype(int)[:, None], P, (len(t), 6))]
    )
    values = spec.core(xs, t, **ctx)
    for j in range(xs.shape[1]):
        table = gdf.assign(grp=xs[:, j])[["grp", "tot", "geometry"]].reset_index(drop=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pysal.SpatialProxProf(table, "grp", "tot", m=20).statistic
        assert values[j] == pytest.approx(theirs, rel=1e-9), j
