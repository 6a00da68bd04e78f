"""Site suggestions: exact objectives against spopt, the plans against check-plan, bad input."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pulp
import pytest
import spopt.locate as spopt_locate
from click.testing import CliRunner

from geoseg.access import nearest, reach, snap_points
from geoseg.cli import main
from geoseg.errors import InputError
from geoseg.io import load_project
from geoseg.plans import (
    check_plan,
    compute_baseline,
    read_plan,
    read_rules,
    site_candidates,
    suggest_sites,
)

pytestmark = pytest.mark.filterwarnings("ignore:Constructing LpVariable:DeprecationWarning")

KIND = "family_centre"
GROUP = "age_0_5"


@pytest.fixture(scope="module")
def project(example_data):
    return load_project(example_data / "geoseg.toml")


@pytest.fixture(scope="module")
def baseline(project):
    return compute_baseline(project)


def _dense_minutes(baseline, sites, limit):
    """Walking minutes residents x sites from geoseg.access.reach (absent pairs: inf)."""
    table = reach(
        baseline.network, sites, baseline.snapped, minutes=limit, speed_kmh=baseline.speed_kmh
    )
    out = np.full((len(baseline.snapped), len(sites)), np.inf)
    out[table.point, table.source] = table.minutes
    return out


def _metres(baseline, minutes):
    return minutes * baseline.speed_kmh / 3.6 * 60 * (1 + 1e-12)


def _need(baseline):
    return baseline.residents[GROUP].to_numpy(dtype=float)[baseline.placed]


def test_covering_equals_spopt_mclp(baseline):
    T = baseline.minutes
    res = suggest_sites(baseline, kind=KIND, count=3, objective="covering", method="exact")
    assert res.solution.method == "exact" and res.solution.gap <= 1e-6
    existing = baseline.kinds[KIND].services
    _, cands = site_candidates(baseline, "areas")
    cost = np.hstack([_dense_minutes(baseline, existing, T), _dense_minutes(baseline, cands, T)])
    cost = np.where(np.isfinite(cost), cost, 1e9)
    fixed = np.r_[np.ones(len(existing), dtype=int), np.zeros(len(cands), dtype=int)]
    model = spopt_locate.MCLP.from_cost_matrix(
        cost,
        _need(baseline),
        service_radius=T,
        p_facilities=len(existing) + 3,
        predefined_facilities_arr=fixed,
    )
    model.solve(pulp.HiGHS(msg=False), results=False)
    assert res.solution.objective == pytest.approx(model.problem.objective.value(), rel=1e-9)
    # the greedy answer is never better than the optimum, and its bound holds
    greedy = suggest_sites(baseline, kind=KIND, count=3, objective="covering", method="greedy")
    assert greedy.solution.objective <= res.solution.objective + 1e-6
    assert greedy.solution.bound >= res.solution.objective - 1e-6
    # without side constraints greedy reaches 1 - 1/e of the optimal gain over today
    today = float(_need(baseline)[baseline.kinds[KIND].minutes <= T].sum())
    gain_opt = res.solution.objective - today
    assert greedy.solution.objective - today >= (1 - 1 / np.e) * gain_opt - 1e-6


def test_median_equals_spopt_pmedian(baseline):
    # candidates: a dozen areas of one district keep spopt's dense model small
    codes = sorted(baseline.district.index[baseline.district == "3"])[:12]
    res = suggest_sites(
        baseline, kind=KIND, count=2, objective="median", within=codes, method="exact"
    )
    assert res.solution.method == "exact" and res.solution.gap <= 1e-6
    existing = baseline.kinds[KIND].services
    _, cands = site_candidates(baseline, "areas", within=codes)
    w = _need(baseline)
    near = nearest(baseline.network, existing, baseline.snapped, speed_kmh=baseline.speed_kmh)
    near = near["minutes"].to_numpy(dtype=float)
    P = near[np.isfinite(near)].max()  # a resident who reaches no service counts P minutes
    b = np.minimum(near, P)
    c = np.minimum(_dense_minutes(baseline, cands, P), P)
    # the existing services stay open, so only the nearest matters: one fixed column; rows no
    # candidate improves contribute w_i b_i whatever is chosen
    rows = (c < b[:, None]).any(axis=1) & (w > 0)
    const = float(np.dot(w[~rows], b[~rows]))
    cost = np.hstack([b[rows, None], c[rows]])
    fixed = np.r_[1, np.zeros(len(cands), dtype=int)]
    model = spopt_locate.PMedian.from_cost_matrix(
        cost, w[rows], p_facilities=3, predefined_facilities_arr=fixed
    )
    model.solve(pulp.HiGHS(msg=False), results=False)
    expected = model.problem.objective.value() + const
    assert res.solution.objective == pytest.approx(expected, rel=1e-9)
    # greedy: never better than the optimum; its (Lagrangian) lower bound holds
    greedy = suggest_sites(
        baseline, kind=KIND, count=2, objective="median", within=codes, method="greedy"
    )
    assert greedy.solution.objective >= res.solution.objective - 1e-6
    assert greedy.solution.bound <= res.solution.objective + 1e-6


@pytest.fixture(scope="module")
def cli_run(example_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sites")
    out = folder / "fc.csv"
    result = CliRunner().invoke(
        main,
        [
            "suggest-sites",
            "--count",
            "2",
            "--objective",
            "median",
            "--format",
            "csv",
            "-o",
            str(out),
        ],
    )
    return result, out


def test_cli_writes_plans_that_check_plan_confirms(cli_run, baseline, example_data):
    result, out = cli_run
    assert result.exit_code == 0, result.output
    plans = sorted(out.parent.glob("fc-site-*.geojson"))
    assert [p.name for p in plans] == ["fc-site-01.geojson", "fc-site-02.geojson"]
    # each collection is named after its file (GIS programs show it as the layer's name)
    assert [json.loads(p.read_text(encoding="utf-8"))["name"] for p in plans] == [
        "fc-site-01",
        "fc-site-02",
    ]
    assert out.with_suffix(".html").is_file()
    lib = suggest_sites(baseline, kind=KIND, count=2, objective="median")
    rules = read_rules(example_data / "plans" / "rules.toml")
    need = baseline.residents[GROUP].to_numpy(dtype=float)
    before = baseline.minutes_before(KIND)
    for r, path in enumerate(plans, 1):
        checked = check_plan(baseline, read_plan(path, baseline=baseline), rules=rules)
        row = lib.table.iloc[r - 1]
        if r == 1:
            assert checked.verdict == "pass", checked.violations
        g = checked.groups.set_index(["kind", "group"]).loc[(KIND, GROUP)]
        assert row["newly_within"] == pytest.approx(g["newly_within"], rel=1e-9, abs=1e-9)
        after = checked.minutes_after[KIND]
        ok = np.isfinite(after)
        assert row["mean_after"] == pytest.approx(np.average(after[ok], weights=need[ok]), rel=1e-9)
        ok = np.isfinite(before)
        assert row["mean_before"] == pytest.approx(
            np.average(before[ok], weights=need[ok]), rel=1e-9
        )
        eq = checked.equity.set_index("kind").loc[KIND]
        assert row["gap_before"] == pytest.approx(eq["gap_before"], rel=1e-9)
        assert row["gap_after"] == pytest.approx(eq["gap_after"], rel=1e-9)


def test_cli_table_suppresses_small_counts(cli_run):
    import pandas as pd

    _, out = cli_run
    table = pd.read_csv(out)
    shown = table["newly_within"].dropna()
    assert (shown >= 5).all()
    assert list(table["rank"]) == [1, 2]


def test_no_candidates(baseline, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    far = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=3006)  # outside every area
    with pytest.raises(InputError, match="no candidate site"):
        suggest_sites(baseline, kind=KIND, count=1, candidates=far)


def test_count_larger_than_candidates(baseline):
    codes = sorted(baseline.areas.index.astype(str))[:3]
    with pytest.raises(InputError, match="larger than the 3 candidate sites"):
        suggest_sites(baseline, kind=KIND, count=4, within=codes)


def test_group_not_in_register(baseline):
    with pytest.raises(InputError, match="'age_99' is not a column of the register"):
        suggest_sites(baseline, kind=KIND, count=1, group="age_99")


def test_infeasible_constraints(baseline):
    n = len(baseline.kinds[KIND].labels)
    with pytest.raises(InputError, match="raise --count to at least 4"):
        suggest_sites(baseline, kind=KIND, count=1, close=n, per_district=True)
    with pytest.raises(InputError, match="lower --min-distance"):
        suggest_sites(baseline, kind=KIND, count=3, min_distance_m=50_000, method="exact")


def test_cli_bad_input_exits_2():
    result = CliRunner().invoke(main, ["suggest-sites", "--count", "1", "--group", "age_99"])
    assert result.exit_code == 2
    assert "age_99" in result.output and "Traceback" not in result.output


def test_snapped_candidate_file(baseline):
    """A file of candidate points: the chosen point is one of them, at its own location."""
    import geopandas as gpd

    pts = baseline.areas.geometry.representative_point().iloc[:20]
    gdf = gpd.GeoDataFrame(geometry=pts.to_numpy(), crs=baseline.areas.crs)
    res = suggest_sites(baseline, kind=KIND, count=1, candidates=gdf, method="greedy")
    chosen = res.sites.geometry.iloc[0]
    assert any(chosen.equals(p) for p in gdf.geometry)
    snapped = snap_points(baseline.network, gdf, max_snap_m=baseline.max_snap_m)
    assert len(res.candidates) == len(snapped)


def test_candidates_lie_inside_their_areas(baseline):
    import shapely

    codes = sorted(baseline.areas.index.astype(str))[:5]
    cand, snapped = site_candidates(baseline, "areas", within=codes)
    assert list(cand.index) == codes
    polys = baseline.areas.loc[codes].geometry
    assert all(polys.loc[c].covers(g) for c, g in zip(codes, cand.geometry, strict=True))
    nodes, _ = site_candidates(baseline, "nodes", within=codes[:2])
    net = baseline.network
    pts = shapely.points(net.x, net.y)
    union = shapely.union_all(polys.loc[codes[:2]].to_numpy())
    assert len(nodes) == int(shapely.intersects(union, pts).sum())
    assert len(snapped) == len(cand)


def test_close_one_keeps_the_best(baseline, tmp_path):
    """With one closure the plan removes one service; check-plan gives the same figures."""
    codes = sorted(baseline.areas.index.astype(str))[:10]
    res = suggest_sites(
        baseline, kind=KIND, count=1, objective="median", close=1, within=codes, method="greedy"
    )
    assert len(res.closed) == 1 and res.closed[0] in set(map(str, baseline.kinds[KIND].labels))
    plan = res.plan(1)
    assert sorted(plan["action"]) == ["add_service", "remove_service"]
    path = tmp_path / "plan.geojson"
    plan.to_crs(4326).to_file(path, driver="GeoJSON")
    checked = check_plan(baseline, read_plan(path, baseline=baseline))
    need = baseline.residents[GROUP].to_numpy(dtype=float)
    after = checked.minutes_after[KIND]
    ok = np.isfinite(after)
    row = res.table.iloc[0]
    assert row["mean_after"] == pytest.approx(np.average(after[ok], weights=need[ok]), rel=1e-9)


def test_per_district_places_a_site_in_every_district(baseline):
    n = len(baseline.kinds[KIND].labels)
    res = suggest_sites(
        baseline,
        kind=KIND,
        count=4,
        close=n,
        per_district=True,
        objective="median",
        method="greedy",
    )
    assert len(res.closed) == n
    assert set(res.sites["district"]) == set(baseline.district)


def test_capacity_limits_the_need_served(baseline):
    codes = sorted(baseline.areas.index.astype(str))[:12]
    T = baseline.minutes
    today = float(_need(baseline)[baseline.kinds[KIND].minutes <= T].sum())
    free = suggest_sites(baseline, kind=KIND, count=2, within=codes, method="exact")
    capped = suggest_sites(
        baseline,
        kind=KIND,
        count=2,
        within=codes,
        capacity=10,
        capacity_limit=True,
        method="exact",
    )
    assert free.solution.objective - today > 20
    assert capped.solution.objective - today == pytest.approx(20.0, abs=1e-6)
    assert set(capped.sites["capacity"]) == {10.0}


def test_cli_never_overwrites(cli_run):
    _, out = cli_run
    before = out.read_bytes()
    result = CliRunner().invoke(
        main, ["suggest-sites", "--count", "2", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 2
    assert "--overwrite" in result.output
    assert out.read_bytes() == before


def test_cli_json_states_the_disclosure_rule(tmp_path):
    """The JSON document carries the disclosure rule its counts were suppressed under, like
    every other published output, and no count below the threshold."""
    import json

    out = tmp_path / "fc.json"
    result = CliRunner().invoke(
        main,
        ["suggest-sites", "--count", "1", "--method", "greedy", "--format", "json", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    meta = doc["metadata"]
    assert meta["disclosure_threshold"] == 5 and meta["for_publication"] is True
    # beside it: the suggestion as a plan file and its map, titled with the kind and the count
    assert (tmp_path / "fc-site-01.geojson").is_file()
    page = (tmp_path / "fc.html").read_text(encoding="utf-8")
    assert "(+1)" in page and "NOT FOR PUBLICATION" not in page
    for row in doc["suggestions"]:
        n = row["newly_within"]
        assert n is None or isinstance(n, str) or n == 0 or n >= 5, row


def test_cli_table_prints_persons_as_whole_numbers():
    """The table format prints large counts in full, as the CSV has them, not as 1.2e+04."""
    args = ["suggest-sites", "--count", "2", "--objective", "median", "--group", "pop_total"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    csv = CliRunner().invoke(main, [*args, "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    table = pd.read_csv(io.StringIO(csv.stdout))
    assert "e+" not in res.stdout
    shown = table["newly_within"].dropna()
    assert len(shown) == 2 and (shown >= 1e4).any()  # ten thousand residents newly within
    for value in shown:
        assert (f"{value:.0f}" if value >= 1e4 else f"{value:.4g}") in res.stdout.split()
