"""The matplotlib figures show the data they are given: lines, bands, bars and coloured areas."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from geoseg.errors import GeoSegError, InputError
from geoseg.publish import plot_hotspots, plot_index_trends, plot_lorenz, plot_plan_minutes

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _tidy() -> pd.DataFrame:
    rows = []
    for group, shift in (("foreign_born", 0.0), ("born_nordic", 0.5)):
        for i, year in enumerate((2020, 2021, 2022)):
            for name, base in (("dissimilarity", 0.30), ("isolation", 0.10)):
                value = base + 0.01 * i + shift
                rows.append((year, None, group, name, value, 0.01, value - 0.02, value + 0.03))
    return pd.DataFrame(
        rows,
        columns=["year", "level", "group", "index", "value", "p_value", "ci_low", "ci_high"],
    )


def test_index_trends_draw_each_index_with_its_interval():
    tidy = _tidy()
    fig = plot_index_trends(tidy, group="foreign_born")
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"Dissimilarity", "Isolation"}
    expected = tidy[(tidy.group == "foreign_born") & (tidy["index"] == "isolation")]
    np.testing.assert_array_equal(lines["Isolation"].get_xdata(), [2020, 2021, 2022])
    np.testing.assert_allclose(lines["Isolation"].get_ydata(), expected["value"])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    # the band of isolation spans exactly ci_low .. ci_high
    ys = np.concatenate([b.get_paths()[0].vertices[:, 1] for b in bands])
    assert ys.min() == pytest.approx(tidy[tidy.group == "foreign_born"]["ci_low"].min())
    assert ys.max() == pytest.approx(tidy[tidy.group == "foreign_born"]["ci_high"].max())
    assert ax.get_xlabel() == "Year"


def test_index_trends_first_group_by_default_and_named_labels():
    tidy = _tidy()
    fig = plot_index_trends(tidy, index="dissimilarity", labels={"dissimilarity": "D"}, lang="sv")
    (line,) = fig.axes[0].get_lines()
    assert line.get_label() == "D"
    np.testing.assert_allclose(line.get_ydata(), [0.30, 0.31, 0.32])
    assert fig.axes[0].get_xlabel() == "År"


def test_index_trends_refuse_a_table_without_the_columns():
    with pytest.raises(InputError, match="year"):
        plot_index_trends(pd.DataFrame({"value": [1.0]}))
    with pytest.raises(InputError, match="no rows"):
        plot_index_trends(_tidy(), index="gini")


def test_lorenz_curve_matches_a_hand_computed_curve_and_gini():
    minutes = np.array([10.0, 2.0, 6.0, 2.0])
    persons = np.array([1.0, 3.0, 2.0, 4.0])
    fig = plot_lorenz(minutes, persons, label="all residents")
    ax = fig.axes[0]
    equality, curve = ax.get_lines()
    np.testing.assert_array_equal(equality.get_xdata(), [0, 1])
    # sorted: 2 (7 persons), 6 (2), 10 (1): total minutes 14 + 12 + 10 = 36
    np.testing.assert_allclose(curve.get_xdata(), [0, 0.3, 0.7, 0.9, 1.0])
    np.testing.assert_allclose(curve.get_ydata(), [0, 6 / 36, 14 / 36, 26 / 36, 1.0])
    # Gini as the mean absolute difference over twice the mean (persons as weights)
    x = np.repeat(minutes, persons.astype(int))
    gini = np.abs(x[:, None] - x[None, :]).mean() / (2 * x.mean())
    assert curve.get_label() == f"all residents (Gini {gini:.2f})"


def test_lorenz_curves_share_one_axes():
    fig = plot_lorenz([1, 2, 3], label="a")
    plot_lorenz([1, 1, 5], label="b", ax=fig.axes[0])
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels[0] == "_equality" and len(labels) == 3


def _areas() -> gpd.GeoDataFrame:
    areas = gpd.read_file(REPO / "data/boundaries/example_areas.gpkg")
    return areas.set_index(areas["code"].astype(str))


def test_hotspot_map_colours_each_area_by_its_cluster():
    areas = _areas()
    rng = np.random.default_rng(3)
    lisa = pd.DataFrame(
        {"cluster": rng.choice([0, 1, 2, 3, 4], size=len(areas))}, index=areas.index
    )
    lisa = lisa.iloc[:-4]  # four areas without a result
    fig = plot_hotspots(areas, lisa, title="Income")
    ax = fig.axes[0]
    counts = lisa["cluster"].value_counts()
    drawn = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    assert {int(k) for k in drawn} == set(counts.index)
    for key, collection in drawn.items():
        assert len(collection.get_paths()) >= counts[int(key)]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"High-High (hotspot) ({counts.get(1, 0)})" in texts
    assert f"Not significant ({counts.get(0, 0)})" in texts
    assert ax.get_title() == "Income"
    outline = [c for c in ax.collections if not c.get_gid()]
    assert outline, "areas without a result are drawn as outlines"


def test_hotspot_map_from_local_moran_counts_its_clusters():
    from geoseg.hotspots import local_moran
    from geoseg.io import read_register

    areas = _areas()
    register = read_register(REPO / "data/registers/example_registers.csv", id_column="area_code")
    last = register[register["year"] == register["year"].max()].set_index("area_code")
    gdf = areas.join(last[["median_income_tkr"]], how="inner")
    lisa = local_moran(gdf, "median_income_tkr", permutations=199, seed=2, correction="none")
    fig = plot_hotspots(areas, lisa)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    hh = int((lisa["cluster"] == 1).sum())
    assert hh > 0 and f"High-High (hotspot) ({hh})" in texts


@pytest.fixture(scope="module")
def plan_check():
    import geoseg
    from geoseg.plans import read_rules

    data = geoseg.load_project(geoseg.example_project())
    baseline = geoseg.compute_baseline(data)
    plan = geoseg.read_plan(REPO / "data/plans/new_family_centre.geojson", baseline=baseline)
    return baseline, geoseg.check_plan(baseline, plan, rules=read_rules())


@pytest.mark.slow
def test_plan_histogram_counts_every_resident_before_and_after(plan_check):
    baseline, check = plan_check
    fig = plot_plan_minutes(check, baseline, kind="family_centre", group="age_0_5")
    ax = fig.axes[0]
    before = [p for p in ax.patches if p.get_fill()]
    after = [p for p in ax.patches if not p.get_fill()]
    groups = check.groups.set_index(["kind", "group"]).loc[("family_centre", "age_0_5")]
    heights = sum(p.get_height() for p in before)
    reachable = np.isfinite(baseline.minutes_before("family_centre"))
    assert heights == pytest.approx(baseline.residents["age_0_5"][reachable].sum())
    assert heights <= groups["residents"] + 1e-6
    # persons within the threshold after = before + newly within - no longer within
    threshold = baseline.minutes

    def within(bars):
        return sum(p.get_height() for p in bars if p.get_x() + p.get_width() <= threshold)

    assert len(after) == 1  # a step histogram is one outline
    xy = after[0].get_xy()
    flats = [(a[0], b[0], a[1]) for a, b in itertools.pairwise(xy) if a[1] == b[1] and a[0] < b[0]]
    after_within = sum(h * (min(x1, threshold) - x0) for x0, x1, h in flats if x0 < threshold)
    assert after_within == pytest.approx(
        within(before) + groups["newly_within"] - groups["no_longer_within"]
    )
    assert ax.get_lines()[0].get_xdata()[0] == threshold


def test_plan_histogram_refuses_an_unknown_kind(plan_check):
    baseline, check = plan_check
    with pytest.raises(InputError, match="hospital"):
        plot_plan_minutes(check, baseline, kind="hospital")


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(GeoSegError, match=r"geoseg\[plot\]"):
        plot_lorenz([1.0, 2.0])
