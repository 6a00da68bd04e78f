"""Checking plans on the example city.

Oracle: the whole access pipeline (``access_for_project``) rerun on the project with the
services changed, compared with the plan check's per-area table and rule verdicts. Network
edits are checked against NetworkX in ``test_plans_routing``.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _fixtures import write_features

from geoseg.access import access_for_project
from geoseg.io import load_project
from geoseg.plans import check_plan, compute_baseline, read_plan


@pytest.fixture(scope="module")
def project(example_data):
    return load_project(example_data / "geoseg.toml")


@pytest.fixture(scope="module")
def baseline(project):
    return compute_baseline(project)


def test_combined_plan_bridge_closure_and_services(baseline, tmp_path):
    # close an existing bridge, add a footbridge elsewhere, move a family centre
    net = baseline.network
    river_bridge = shapely.Point(323581, 6400260)
    rows = [
        {"action": "close_path", "geometry": river_bridge.buffer(60)},
        {
            "action": "add_path",
            "name": "bro",
            "geometry": shapely.LineString(
                [(322493, 6400532), (322500, 6400565), (322500, 6400857), (322505, 6400893)]
            ),
        },
        {"action": "remove_service", "service_id": "FC005", "geometry": None},
        {
            "action": "add_service",
            "kind": "family_centre",
            "capacity": 200.0,
            "name": "ny",
            "geometry": shapely.Point(321950, 6402050),
        },
    ]
    plan = read_plan(write_features(tmp_path / "combo.gpkg", rows), baseline=baseline)
    result = check_plan(baseline, plan)
    state = result.state
    assert state.edit is not None and len(state.edit.closed) >= 1
    assert state.network.n_nodes == net.n_nodes + 2  # both path ends split a street
    assert result.summary["closed_streets"] >= 1 and result.summary["new_paths"] == 1
    n = len(baseline.residents)
    for kind in baseline.kinds:
        after = result.minutes_after[kind]
        assert after.shape == (n,)
        change = after - baseline.minutes_before(kind)
        finite = np.isfinite(change)
        assert finite.mean() > 0.9  # residents placed on the network before and after
        # the per-group table counts exactly the residents whose walk changed
        row = result.groups[
            (result.groups["kind"] == kind) & (result.groups["group"] == baseline.total)
        ].iloc[0]
        w = baseline.residents[baseline.total].to_numpy(dtype=float)
        lose = (
            w[finite & (change > 1e-9)].sum()
            + w[~np.isfinite(after) & np.isfinite(baseline.minutes_before(kind))].sum()
        )
        assert row["lose"] == pytest.approx(lose, rel=1e-9, abs=1e-9)
    # closing the bridge lengthens walks across the river; the new centre shortens some
    fc = result.minutes_after["family_centre"] - baseline.minutes_before("family_centre")
    assert np.nanmax(fc[np.isfinite(fc)]) > 1.0 and np.nanmin(fc[np.isfinite(fc)]) < -1.0


def test_area_table_matches_the_access_pipeline_on_the_changed_project(project, baseline, tmp_path):
    rows = [
        {"action": "remove_service", "service_id": "MP007", "geometry": None},
        {
            "action": "add_service",
            "kind": "family_centre",
            "capacity": 250.0,
            "name": "ny",
            "geometry": shapely.Point(321950, 6402050),
        },
    ]
    plan = read_plan(write_features(tmp_path / "svc.gpkg", rows), baseline=baseline)
    result = check_plan(baseline, plan)
    services = project.services.drop(index="MP007")
    new = gpd.GeoDataFrame(
        {"kind": ["family_centre"], "name": ["ny"], "capacity": [250.0]},
        geometry=[shapely.Point(321950, 6402050)],
        index=pd.Index(["NEW"], name=services.index.name),
        crs=services.crs,
    )
    changed = dataclasses.replace(project, services=pd.concat([services, new]))
    before = access_for_project(project).summary
    after = access_for_project(changed).summary
    total = baseline.total
    for when, ref in (("before", before), ("after", after)):
        ref = ref[ref["group"] == total].set_index(["id", "kind"])
        got = result.areas.set_index(["id", "kind"])
        ref = ref.reindex(got.index)
        np.testing.assert_allclose(got[f"{when}_minutes"], ref["mean_minutes"], rtol=1e-9)
        np.testing.assert_allclose(got[f"{when}_share"], ref["share_within"], rtol=1e-9)
    # rule 4 by hand from the independent pipeline: areas with a meeting place within 15
    # minutes for at least half their residents before, and not after
    b = before[(before["group"] == total) & (before["kind"] == "meeting_place")].set_index("id")
    a = after[(after["group"] == total) & (after["kind"] == "meeting_place")].set_index("id")
    lost = sorted(b.index[(b["share_within"] >= 0.5) & ~(a["share_within"] >= 0.5)])
    got = sorted(result.violations.loc[result.violations["rule"] == "meeting_place", "area"])
    assert got == lost and len(lost) >= 1
    assert result.verdict == "fail"
    # the new family centre: children closer, no one farther
    fc = result.groups[
        (result.groups["kind"] == "family_centre") & (result.groups["group"] == "age_0_5")
    ].iloc[0]
    assert fc["gain"] > 0 and fc["lose"] == 0
