"""Hotspot statistics against esda (the oracle) on Gothenburg RegSO data, plus hand cases."""

from __future__ import annotations

import json
import logging
import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats
from shapely.geometry import box

from geoseg.errors import DataError, InputError
from geoseg.hotspots import (
    adjust_pvalues,
    build_weights,
    cluster_labels,
    getis_ord,
    global_moran,
    hotspot_trends,
    local_moran,
    local_moran_bivariate,
    local_moran_rate,
    neighbour_draws,
)

INCOME = "mean_wage_income_tkr"


@pytest.fixture(scope="module")
def regso(real_data):
    """RegSO polygons (land-clipped: two parts either side of the river) with 2023 values."""
    areas = gpd.read_file(real_data / "gbg_omraden" / "regso_goteborg_landclipped.gpkg")
    areas = areas.set_index("regsokod")
    table = pd.read_csv(
        real_data / "gbg_regso_scb" / "gbg_regso_birthplace_income_tenure_2020_2023.csv",
        dtype={"regsokod": str},
    )
    values = table[table["year"] == 2023].set_index("regsokod").drop(columns="regsonamn")
    joined = areas.join(values, how="inner")
    assert len(joined) == 147
    return joined


@pytest.fixture(scope="module")
def regso_w(regso):
    return build_weights(regso, "queen")


def _grid(n: int = 8) -> gpd.GeoDataFrame:
    cells = [box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)]
    codes = [f"{i:03d}" for i in range(n * n)]
    return gpd.GeoDataFrame({"code": codes}, geometry=cells, crs="EPSG:3006").set_index("code")


# ------------------------------------------------------------------ equal to esda (real data)


@pytest.mark.real
def test_local_moran_values_and_quadrants_equal_esda(regso, regso_w):
    ours = local_moran(regso, INCOME, weights=regso_w, permutations=99)
    ref = esda.Moran_Local(regso[INCOME].to_numpy(), regso_w.graph, permutations=0)
    assert regso_w.n_components == 2
    np.testing.assert_allclose(ours["I"].to_numpy(), ref.Is, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours["quadrant"].to_numpy(), ref.q)
    np.testing.assert_allclose(ours["z"].to_numpy(), ref.z, atol=1e-12)
    assert ours.index.equals(regso.index)
    assert ours.crs == regso.crs and ours.geometry.equals(regso.geometry)


@pytest.mark.real
@pytest.mark.slow  # esda compiles its numba kernels here (~20 s)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_draws_give_esdas_pvalues(regso, regso_w):
    """With esda's own permutation draws, our folded pseudo p-values are esda's p_sim."""
    from esda.crand import vec_permutations

    seed = 20240601
    k = int(regso_w.graph.cardinalities.max())
    draws = vec_permutations(k, len(regso), 999, seed)
    y = regso[INCOME].to_numpy()
    ours = local_moran(regso, INCOME, weights=regso_w, permutations=999, draws=draws)
    ref = esda.Moran_Local(y, regso_w.graph, permutations=999, seed=seed)
    # a simulated value equal to the observed one (a draw of the actual neighbours) is a tie;
    # esda splits ties by floating-point rounding, geoseg counts them in both tails
    tie = (np.abs(ref.sim - ref.Is) <= 1e-12 * np.abs(ref.Is)).any(axis=0)
    assert (~tie).sum() > 100
    p = ours["p_value"].to_numpy()
    np.testing.assert_array_equal(p[~tie], ref.p_sim[~tie])
    assert (p[tie] >= ref.p_sim[tie]).all()
    np.testing.assert_allclose(ours["mean_sim"].to_numpy(), ref.EI_sim, atol=1e-12)
    np.testing.assert_allclose(ours["z_sim"].to_numpy(), ref.z_sim, atol=1e-9)
    # and the tie rule itself, recomputed independently from esda's simulations
    upper = (ref.sim >= ref.Is - 1e-12 * np.abs(ref.Is)).sum(axis=0)
    lower = (ref.sim <= ref.Is + 1e-12 * np.abs(ref.Is)).sum(axis=0)
    np.testing.assert_array_equal(p, (np.minimum(upper, lower) + 1) / 1000)

    # Gi*: the same draws give esda's G_Local p-values (esda stores them as float32)
    ours_g = getis_ord(regso, INCOME, weights=regso_w, permutations=999, draws=draws)
    ref_g = esda.G_Local(
        y, regso_w.graph.transform("b"), star=True, permutations=999, seed=seed, n_jobs=1
    )
    tie_g = (np.abs(ref_g.rGs.T - ref_g.Gs) <= 1e-12 * ref_g.Gs).any(axis=0)
    np.testing.assert_allclose(ours_g["p_value"][~tie_g], ref_g.p_sim[~tie_g], atol=1e-6)


@pytest.mark.real
def test_getis_ord_star_equals_esda(regso, regso_w):
    y = regso[INCOME].to_numpy()
    ours = getis_ord(regso, INCOME, weights=regso_w, permutations=99)
    binary = regso_w.graph.transform("b")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.G_Local(y, binary, transform="R", star=True, permutations=0)
        ref_b = esda.G_Local(y, binary, transform="B", star=True, permutations=0)
    np.testing.assert_allclose(ours["G"].to_numpy(), ref.Gs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ours["expected_G"].to_numpy(), ref.EGs, atol=1e-12)
    # the Ord-Getis z-score is invariant to the scale of a row, so it equals esda's binary Zs
    np.testing.assert_allclose(ours["z"].to_numpy(), ref_b.Zs, atol=1e-9)
    hot = ours["label"] == "Hot spot"
    assert (ours.loc[hot, "z"] > 0).all() and (ours.loc[hot, "p_adjusted"] <= 0.05).all()


@pytest.mark.real
def test_getis_ord_without_star_equals_esda(regso, regso_w):
    y = regso[INCOME].to_numpy()
    ours = getis_ord(regso, INCOME, weights=regso_w, star=False, permutations=9)
    binary = regso_w.graph.transform("b")
    ref = esda.G_Local(y, binary, transform="R", star=False, permutations=0)
    ref_b = esda.G_Local(y, binary, transform="B", star=False, permutations=0)
    np.testing.assert_allclose(ours["G"].to_numpy(), ref.Gs, atol=1e-9)
    np.testing.assert_allclose(ours["z"].to_numpy(), ref_b.Zs, atol=1e-9)


@pytest.mark.real
def test_global_moran_equals_esda(regso, regso_w):
    y = regso[INCOME].to_numpy()
    ours = global_moran(regso, INCOME, weights=regso_w, permutations=999)
    ref = esda.Moran(y, regso_w.graph, permutations=0)
    for mine, theirs in [
        (ours.I, ref.I),
        (ours.expected, ref.EI),
        (ours.variance_normal, ref.VI_norm),
        (ours.variance_random, ref.VI_rand),
        (ours.z_normal, ref.z_norm),
        (ours.z_random, ref.z_rand),
    ]:
        assert mine == pytest.approx(theirs, abs=1e-9)
    assert ours.p_normal == pytest.approx(ref.p_norm, rel=1e-6)
    # the permutation distribution agrees with the analytical randomisation moments
    se = np.sqrt(ref.VI_rand)
    assert abs(ours.mean_sim - ref.EI) < 4 * se / np.sqrt(999)
    assert ours.std_sim == pytest.approx(se, rel=0.1)
    assert ours.p_value == pytest.approx(1 / 1000)


@pytest.mark.real
def test_empirical_bayes_rate_equals_esda(regso, regso_w):
    from esda.smoothing import assuncao_rate

    e = regso["pop_foreign_born"].to_numpy(dtype=float)
    b = regso["pop_total"].to_numpy(dtype=float)
    ours = local_moran_rate(regso, "pop_foreign_born", "pop_total", weights=regso_w)
    ref = esda.Moran_Local_Rate(e, b, regso_w.graph, permutations=0)
    np.testing.assert_allclose(ours["eb_rate"].to_numpy(), assuncao_rate(e, b), atol=1e-12)
    np.testing.assert_allclose(ours["I"].to_numpy(), ref.Is, atol=1e-9)
    np.testing.assert_array_equal(ours["quadrant"].to_numpy(), ref.q)
    np.testing.assert_allclose(ours["value"].to_numpy(), e / b)


@pytest.mark.real
def test_bivariate_equals_esda(regso, regso_w):
    x = regso[INCOME].to_numpy()
    y = (regso["pop_foreign_born"] / regso["pop_total"]).to_numpy()
    frame = regso.assign(share_foreign=y)
    ours = local_moran_bivariate(frame, INCOME, "share_foreign", weights=regso_w, permutations=9)
    ref = esda.Moran_Local_BV(x, y, regso_w.graph, permutations=0)
    np.testing.assert_allclose(ours["I"].to_numpy(), ref.Is, atol=1e-9)
    np.testing.assert_array_equal(ours["quadrant"].to_numpy(), ref.q)


@pytest.mark.real
def test_results_follow_input_order_not_weights_order(regso, regso_w):
    shuffled = regso.sample(frac=1.0, random_state=3)
    a = local_moran(regso, INCOME, weights=regso_w, permutations=99, seed=5)
    b = local_moran(shuffled, INCOME, weights=regso_w, permutations=99, seed=5)
    assert b.index.equals(shuffled.index)
    np.testing.assert_allclose(b.loc[a.index, "I"].to_numpy(), a["I"].to_numpy(), atol=1e-12)
    np.testing.assert_array_equal(b.loc[a.index, "quadrant"], a["quadrant"])


# ------------------------------------------------------------------ multiple testing, labels


def test_benjamini_hochberg_equals_scipy_and_bonferroni_by_hand():
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(0, 0.01, 20), rng.uniform(0, 1, 200), [0.05, 0.05]])
    np.testing.assert_allclose(
        adjust_pvalues(p, correction="fdr"), stats.false_discovery_control(p), atol=1e-12
    )
    np.testing.assert_allclose(adjust_pvalues(p, correction="bonferroni"), np.minimum(p * 222, 1))
    np.testing.assert_array_equal(adjust_pvalues(p, correction="none"), p)
    with_nan = np.array([0.01, np.nan, 0.04, 0.03])
    expected = stats.false_discovery_control(with_nan[[0, 2, 3]])
    out = adjust_pvalues(with_nan)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2, 3]], expected)
    with pytest.raises(InputError, match="correction"):
        adjust_pvalues(p, correction="holm")


def test_labels_in_english_and_swedish():
    codes = [0, 1, 2, 3, 4]
    assert list(cluster_labels(codes)) == [
        "Not significant",
        "High-High",
        "Low-High",
        "Low-Low",
        "High-Low",
    ]
    assert list(cluster_labels(codes, lang="sv")) == [
        "Ej signifikant",
        "Hög-Hög",
        "Låg-Hög",
        "Låg-Låg",
        "Hög-Låg",
    ]
    with pytest.raises(InputError):
        cluster_labels([5])


@pytest.mark.real
@pytest.mark.parametrize("correction", ["fdr", "bonferroni", "none"])
def test_significance_follows_adjusted_pvalues(regso, regso_w, correction):
    res = local_moran(
        regso, INCOME, weights=regso_w, permutations=199, correction=correction, lang="sv"
    )
    expected = adjust_pvalues(res["p_value"].to_numpy(), correction=correction)
    np.testing.assert_allclose(res["p_adjusted"].to_numpy(), expected)
    np.testing.assert_array_equal(res["significant"], res["p_adjusted"] <= 0.05)
    np.testing.assert_array_equal(res["cluster"], np.where(res["significant"], res["quadrant"], 0))
    table = {0: "Ej signifikant", 1: "Hög-Hög", 2: "Låg-Hög", 3: "Låg-Låg", 4: "Hög-Låg"}
    assert list(res["label"]) == [table[c] for c in res["cluster"]]


# ------------------------------------------------------------------ inference behaviour


def test_same_seed_same_result_and_input_untouched():
    areas = _grid()
    areas["v"] = np.random.default_rng(0).normal(size=len(areas))
    before = areas.copy()
    w = build_weights(areas, "rook")
    a = local_moran(areas, "v", weights=w, seed=7)
    b = local_moran(areas, "v", weights=w, seed=7)
    c = local_moran(areas, "v", weights=w, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["p_value"], c["p_value"])
    assert areas.equals(before)


def test_pvalues_are_calibrated_under_the_null():
    """Independent values: about alpha of the raw p-values fall at or below alpha."""
    areas = _grid(20)
    w = build_weights(areas, "queen")
    rng = np.random.default_rng(42)
    hits = []
    for _ in range(5):
        series = pd.Series(rng.normal(size=len(areas)), index=areas.index, name="v")
        res = local_moran(series, weights=w, permutations=199, seed=rng)
        hits.append((res["p_value"] <= 0.05).mean())
    # folded one-tailed p-values: about 2 x 5 % of areas reach 0.05 when nothing is there
    assert 0.05 < np.mean(hits) < 0.15
    assert (res["p_adjusted"] >= res["p_value"]).all()


def test_clear_cluster_is_found():
    areas = _grid(10)
    x = np.array([i % 10 for i in range(100)], dtype=float)
    y = np.array([i // 10 for i in range(100)], dtype=float)
    areas["v"] = np.where((x < 4) & (y < 4), 10.0, 0.0) + np.random.default_rng(1).normal(
        scale=0.1, size=100
    )
    res = local_moran(areas, "v", weights=build_weights(areas, "queen"), permutations=999)
    inner = [f"{int(r * 10 + c):03d}" for r in range(1, 3) for c in range(1, 3)]
    assert (res.loc[inner, "label"] == "High-High").all()
    gi = getis_ord(areas, "v", weights=build_weights(areas, "queen"), permutations=999)
    assert (gi.loc[inner, "label"] == "Hot spot").all()


def test_neighbour_draws_are_distinct_and_uniform():
    ids = neighbour_draws(50, 6, 4000, seed=0)
    assert ids.shape == (4000, 6)
    assert ids.min() >= 0 and ids.max() <= 48
    assert all(len(set(row)) == 6 for row in ids[:500])
    counts = np.bincount(ids[:, 0], minlength=49)
    assert stats.chisquare(counts).pvalue > 0.001


def test_given_draws_are_used_and_checked():
    areas = _grid(6)
    areas["v"] = np.random.default_rng(3).normal(size=len(areas))
    w = build_weights(areas, "queen")
    draws = neighbour_draws(len(areas), 8, 199, seed=7)
    # the same draws give the same permutations, whatever the seed
    a = local_moran(areas, "v", weights=w, permutations=199, draws=draws, seed=1)
    b = local_moran(areas, "v", weights=w, permutations=199, draws=draws, seed=2)
    np.testing.assert_array_equal(a["p_value"], b["p_value"])
    # and they are the draws the seed makes
    c = local_moran(areas, "v", weights=w, permutations=199, seed=7)
    np.testing.assert_array_equal(a["p_value"], c["p_value"])
    g1 = getis_ord(areas, "v", weights=w, permutations=199, draws=draws, seed=1)
    g2 = getis_ord(areas, "v", weights=w, permutations=199, seed=7)
    np.testing.assert_array_equal(g1["p_value"], g2["p_value"])
    with pytest.raises(InputError, match="shape"):
        local_moran(areas, "v", weights=w, permutations=99, draws=draws)
    with pytest.raises(InputError, match="positions outside"):
        getis_ord(areas, "v", weights=w, permutations=199, draws=draws + len(areas))


def test_islands_are_joined_and_flagged(caplog):
    areas = _grid(5)
    extra = gpd.GeoDataFrame(
        {"code": ["ö1"]}, geometry=[box(7, 7, 8, 8)], crs="EPSG:3006"
    ).set_index("code")
    areas = pd.concat([areas, extra])
    areas["v"] = np.arange(len(areas), dtype=float)
    w = build_weights(areas, "queen")
    res = local_moran(areas, "v", weights=w, permutations=99)
    assert bool(res.loc["ö1", "island"]) and res["island"].sum() == 1
    assert res.loc["ö1", "n_neighbors"] == 2
    assert np.isfinite(res["p_value"]).all()
    # a libpysal graph that still has the island: no p-value, never significant, warned
    from libpysal.graph import Graph

    raw = Graph.build_contiguity(areas.geometry, rook=False)
    with caplog.at_level(logging.WARNING, logger="geoseg.hotspots"):
        res2 = local_moran(areas, "v", weights=raw, permutations=99)
    assert np.isnan(res2.loc["ö1", "p_value"]) and res2.loc["ö1", "label"] == "Not significant"
    assert "ö1" in caplog.text


def test_bad_inputs_name_the_areas():
    areas = _grid(4)
    areas["v"] = np.arange(16, dtype=float)
    areas.loc[["002", "005"], "v"] = np.nan
    w = build_weights(areas, "queen")
    with pytest.raises(DataError, match="002, 005"):
        local_moran(areas, "v", weights=w)
    with pytest.raises(DataError, match="same value"):
        local_moran(areas.assign(v=1.0), "v", weights=w)
    with pytest.raises(DataError, match="003"):
        local_moran(areas.drop(index="003").assign(v=1.5), "v", weights=w)
    with pytest.raises(InputError, match="not found"):
        local_moran(areas, "nope", weights=w)
    with pytest.raises(InputError, match="alpha"):
        local_moran(areas.assign(v=np.arange(16.0)), "v", weights=w, alpha=5)
    with pytest.raises(DataError, match="non-positive"):
        local_moran_rate(areas.assign(e=1.0, b=np.arange(16.0)), "e", "b", weights=w)


def test_sparse_matrix_weights_are_positional():
    areas = _grid(4)
    areas["v"] = np.random.default_rng(3).normal(size=16)
    w = build_weights(areas, "rook")
    a = local_moran(areas, "v", weights=w, seed=1)
    b = local_moran(areas["v"], weights=sp.csr_array(w.graph.transform("b").sparse), seed=1)
    np.testing.assert_allclose(a["I"].to_numpy(), b["I"].to_numpy())
    np.testing.assert_array_equal(a["p_value"], b["p_value"])
    assert not isinstance(b, gpd.GeoDataFrame)


# ------------------------------------------------------------------ over time


def _year(labels: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame({"label": pd.Series(labels)})
    frame["significant"] = frame["label"] != "Not significant"
    return frame


def test_hotspot_trends_counts_and_changes():
    results = {
        2021: _year({"a": "High-High", "b": "Not significant", "c": "Low-Low"}),
        2020: _year({"a": "High-High", "b": "High-High", "c": "Low-Low"}),
        2022: _year({"a": "Not significant", "b": "High-High", "c": "High-Low", "d": "Low-Low"}),
    }
    trends = hotspot_trends(results)
    counts = trends.counts
    assert counts.loc["a", "High-High"] == 2 and counts.loc["a", "Not significant"] == 1
    assert counts.loc["c", "Low-Low"] == 2 and counts.loc["c", "High-Low"] == 1
    assert counts.loc["d", "years_observed"] == 1 and counts.loc["d", "last_label"] == "Low-Low"
    assert counts.loc["b", "years_significant"] == 2
    assert list(counts.columns[:5]) == [
        "High-High",
        "Low-Low",
        "High-Low",
        "Not significant",
        "years_observed",
    ]
    changes = {(r.id, r.year_from, r.year_to): r.change for r in trends.changes.itertuples()}
    assert changes == {
        ("b", 2020, 2021): "left",
        ("b", 2021, 2022): "entered",
        ("a", 2021, 2022): "left",
        ("c", 2021, 2022): "switched",
    }
    with pytest.raises(InputError, match="2020"):
        hotspot_trends({2020: pd.DataFrame({"x": [1]})})


# ------------------------------------------------------------------ CLI


@pytest.mark.real
def test_cli_json_records_match_the_library(real_data, regso, regso_w):
    from click.testing import CliRunner

    from geoseg.cli.hotspots import hotspots

    args = [
        str(real_data / "gbg_omraden" / "regso_goteborg_landclipped.gpkg"),
        "--id",
        "regsokod",
        "--register",
        str(real_data / "gbg_regso_scb" / "gbg_regso_birthplace_income_tenure_2020_2023.csv"),
        "--variable",
        INCOME,
        "--year",
        "2023",
        "--permutations",
        "199",
        "--seed",
        "9",
        "--correction",
        "bonferroni",
        "--format",
        "json",
    ]
    result = CliRunner().invoke(hotspots, args)
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 147
    assert set(records[0]) == {"id", "value", "I", "quadrant", "p_value", "p_adjusted", "label"}
    lib = local_moran(
        regso, INCOME, weights=regso_w, permutations=199, seed=9, correction="bonferroni"
    )
    by_id = {r["id"]: r for r in records}
    for code, row in lib.iterrows():
        assert by_id[code]["I"] == pytest.approx(row["I"], abs=1e-12)
        assert by_id[code]["quadrant"] == row["quadrant"]
        assert by_id[code]["p_adjusted"] == pytest.approx(row["p_adjusted"])
        assert by_id[code]["label"] == row["label"]

    bad = CliRunner().invoke(hotspots, [*args[:5], "--variable", "nope"])
    assert bad.exit_code != 0


def test_cli_lang_gives_swedish_labels(example_data):
    from _fixtures import example_inputs
    from click.testing import CliRunner

    from geoseg.cli.hotspots import hotspots

    args = [
        *example_inputs(example_data),
        *("--variable", "median_income_tkr", "--permutations", "199", "--correction", "none"),
        *("--format", "json"),
    ]
    sv_names = {1: "Hög-Hög", 2: "Låg-Hög", 3: "Låg-Låg", 4: "Hög-Låg"}
    en_names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    runs = {}
    for lang in ("sv", "en", None):
        extra = ["--lang", lang] if lang else []
        result = CliRunner().invoke(hotspots, [*args, *extra])
        assert result.exit_code == 0, result.output
        runs[lang] = json.loads(result.stdout)
    assert runs[None] == runs["en"]  # English by default
    for sv, en in zip(runs["sv"], runs["en"], strict=True):
        assert {k: v for k, v in sv.items() if k != "label"} == {
            k: v for k, v in en.items() if k != "label"
        }
        if sv["value"] is None:  # too few residents: suppressed, cluster and label included
            assert sv["label"] is None and sv["p_adjusted"] is None and sv["quadrant"] is None
            continue
        significant = sv["p_adjusted"] <= 0.05
        assert sv["label"] == (sv_names[sv["quadrant"]] if significant else "Ej signifikant")
        assert en["label"] == (en_names[en["quadrant"]] if significant else "Not significant")
    assert any(r["label"] != "Ej signifikant" for r in runs["sv"])
