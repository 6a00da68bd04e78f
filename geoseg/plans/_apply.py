"""Applying a plan to the baseline: the edited network, services and residents, and the
walking times after it.

Placement rules after a plan:

- residents and services keep their place on the street; on a street split by a new path they
  stay at the same spot on the piece they lie on;
- residents and services on a closed street are snapped again to the nearest open street
  (left out when none is within the snapping distance);
- new services and housing are snapped to the edited network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.access import Snapped, WalkNetwork, nearest, snap_points, subset
from geoseg.io.plans import Plan
from geoseg.plans._edit import (
    NetworkEdit,
    PathSpec,
    closed_edges,
    edit_network,
    locate,
    move_points,
)
from geoseg.plans.baseline import Baseline

__all__ = ["KindAfter", "PlanState", "apply_plan", "minutes_after"]

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class KindAfter:
    """One kind's services after the plan.

    ``active`` are the services open after the plan, snapped on the edited network: the
    baseline services that stay where they were, then those placed anew (moved along a split
    street, snapped again off a closed one, or new), labelled by service id. ``changed`` tells
    whether any service of the kind was closed, moved or added.
    """

    active: Snapped
    changed: bool


@dataclass(eq=False)
class PlanState:
    """The city after the plan.

    Attributes
    ----------
    network
        Edited network (the baseline's when the plan changes no street).
    edit
        How it was edited, or ``None``.
    residents
        Resident points placed on the edited network.
    rows
        For each of ``residents``, its row in ``people``.
    people
        Resident table after the plan: the baseline residents (same rows) and then new housing
        (``area``, group columns, ``geometry``).
    kinds
        Per kind, a :class:`KindAfter`.
    """

    network: WalkNetwork
    edit: NetworkEdit | None
    residents: Snapped
    rows: np.ndarray
    people: gpd.GeoDataFrame
    kinds: dict[str, KindAfter]


def _concat(parts: list[Snapped]) -> Snapped:
    parts = [p for p in parts if p is not None]
    return Snapped(
        index=pd.Index(np.concatenate([np.asarray(p.index, dtype=object) for p in parts])),
        node_a=np.concatenate([p.node_a for p in parts]).astype(np.int64),
        node_b=np.concatenate([p.node_b for p in parts]).astype(np.int64),
        off_a=np.concatenate([p.off_a for p in parts]).astype(float),
        off_b=np.concatenate([p.off_b for p in parts]).astype(float),
        snap_m=np.concatenate([p.snap_m for p in parts]).astype(float),
        edge=np.concatenate([p.edge for p in parts]).astype(np.int64),
        snap_xy=np.concatenate([p.snap_xy.reshape(-1, 2) for p in parts]),
        rejected=pd.concat([p.rejected for p in parts if len(p.rejected)])
        if any(len(p.rejected) for p in parts)
        else parts[0].rejected,
    )


def _snap(net: WalkNetwork, geoms: gpd.GeoSeries, max_m: float, label: str) -> Snapped:
    return snap_points(net, geoms, max_snap_m=max_m, label=label)


def _housing(baseline: Baseline, plan: Plan) -> gpd.GeoDataFrame:
    feats = plan.of("add_housing")
    total = baseline.total
    rows = []
    for i, row in feats.iterrows():
        pt = shapely.point_on_surface(row.geometry)
        hit = baseline.areas.index[baseline.areas.geometry.intersects(pt)]
        area = str(hit[0])
        residents = float(row["residents"])
        rec: dict[str, object] = {"area": area, "method": "plan", "geometry": pt}
        for g in baseline.groups:
            given = row.get(g) if g in feats.columns else np.nan
            if g == total:
                rec[g] = residents
            elif given is not None and np.isfinite(given):
                rec[g] = float(given)
            else:
                share: Any = (
                    baseline.composition.at[area, g]
                    if g in baseline.composition.columns and area in baseline.composition.index
                    else np.nan
                )
                rec[g] = residents * (float(share) if np.isfinite(share) else 0.0)
        rows.append(pd.Series(rec, name=f"housing_{i}"))
    if not rows:
        return baseline.residents.iloc[0:0].copy()
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=baseline.residents.crs)


def apply_plan(baseline: Baseline, plan: Plan) -> PlanState:
    """The network, services and residents after a plan (features already validated).

    Parameters
    ----------
    baseline
        From :func:`geoseg.plans.compute_baseline`.
    plan
        From :func:`geoseg.io.read_plan` (validated against the same baseline).
    """
    net0 = baseline.network
    tree = baseline.edge_tree()
    shut_parts = [closed_edges(net0, tree, g) for g in plan.of("close_path").geometry]
    shut = np.unique(np.concatenate(shut_parts)) if shut_parts else np.empty(0, dtype=np.int64)
    paths = []
    for geom in plan.of("add_path").geometry:
        xy = shapely.get_coordinates(geom)
        ends = [
            locate(net0, tree, shapely.Point(p), max_m=plan.max_end_m, exclude=shut)
            for p in (xy[0], xy[-1])
        ]
        if ends[0] is None or ends[1] is None:  # validated by read_plan; guard anyway
            continue
        paths.append(PathSpec(ends[0], ends[1], xy, float(geom.length)))
    edit = edit_network(net0, close=shut, paths=paths) if len(shut) or paths else None
    net = edit.network if edit is not None else net0
    # residents
    people0 = baseline.residents
    if edit is None:
        res, rows = baseline.snapped, baseline.placed
    else:
        moved, keep, _ = move_points(baseline.snapped, edit)
        rows_kept = baseline.placed[keep]
        lost = baseline.placed[~keep]
        parts, row_parts = [moved], [rows_kept]
        if len(lost):
            again = _snap(net, people0.geometry.iloc[lost], baseline.max_snap_m, "residents")
            parts.append(again)
            row_parts.append(people0.index.get_indexer(again.index))
        res, rows = _concat(parts), np.concatenate(row_parts)
    new_people = _housing(baseline, plan)
    people = people0
    if len(new_people):
        people = gpd.GeoDataFrame(
            pd.concat([people0, new_people[people0.columns]]), geometry="geometry", crs=people0.crs
        )
        hs = _snap(net, new_people.geometry, baseline.max_snap_m, "new housing")
        res = _concat([res, hs])
        rows = np.concatenate([rows, people.index.get_indexer(hs.index)])
    # services
    kinds: dict[str, KindAfter] = {}
    removals = plan.of("remove_service")
    closed_ids: set[str] = set()
    for _, row in removals.iterrows():
        sid = row["service_id"]
        if not sid:
            sid = str(
                baseline.services.index[
                    baseline.services["name"].astype(str).str.strip() == row["name"]
                ][0]
            )
        closed_ids.add(sid)
    adds = plan.of("add_service")
    for kind, kb in baseline.kinds.items():
        s0 = len(kb.labels)
        explicit = np.array([lab in closed_ids for lab in kb.labels], dtype=bool)
        if edit is None:
            kept_s, keep_mask, split_mask = kb.services, np.ones(s0, dtype=bool), np.zeros(s0, bool)
        else:
            kept_s, keep_mask, split_mask = move_points(kb.services, edit)
        kept_pos = np.flatnonzero(keep_mask)
        # services that stay where they were
        stay = ~explicit[kept_pos] & ~split_mask
        parts = [subset(kept_s, stay)]
        # moved along a split street: same spot, new attachment
        resplit = split_mask & ~explicit[kept_pos]
        if resplit.any():
            parts.append(subset(kept_s, resplit))
        # on a closed street: snapped again
        gone = np.flatnonzero(~keep_mask & ~explicit)
        if len(gone):
            geoms = baseline.services.geometry.loc[list(kb.labels[gone])]
            parts.append(_snap(net, geoms, baseline.max_snap_m, "services"))
        new_here = adds[adds["kind"] == kind]
        if len(new_here):
            pts = gpd.GeoSeries(
                new_here.geometry.to_numpy(),
                index=[f"plan_{i}" for i in new_here.index],
                crs=new_here.crs,
            )
            parts.append(_snap(net, pts, baseline.max_snap_m, "new services"))
        changed = bool(explicit.any() or not keep_mask.all() or split_mask.any() or len(parts) > 1)
        kinds[kind] = KindAfter(active=_concat(parts), changed=changed)
    return PlanState(network=net, edit=edit, residents=res, rows=rows, people=people, kinds=kinds)


def minutes_after(baseline: Baseline, state: PlanState) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per kind, minutes to the nearest service and its label for each placed resident after
    the plan (aligned with ``state.residents``).

    A kind whose services, network and residents the plan leaves as they were keeps its
    baseline values; any other kind is recomputed in full with the access engine
    (:func:`geoseg.access.nearest`: one multi-source Dijkstra on the edited network).
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    same_people = state.edit is None and len(state.residents) == len(baseline.snapped)
    for kind, kb in baseline.kinds.items():
        after = state.kinds[kind]
        if same_people and not after.changed:
            out[kind] = (kb.minutes, kb.nearest)
            continue
        near = nearest(state.network, after.active, state.residents, speed_kmh=baseline.speed_kmh)
        out[kind] = (near["minutes"].to_numpy(), near["service"].to_numpy(dtype=object))
    return out
