"""Candidate sites for new services: area points, street nodes or points from a file."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.access import Snapped, at_nodes, snap_points
from geoseg.errors import InputError, format_codes
from geoseg.plans.baseline import Baseline

__all__ = ["SOURCES", "area_of", "concat_snapped", "district_of", "site_candidates"]

logger = logging.getLogger(__name__)

#: Candidate sources understood by name.
SOURCES = ("areas", "nodes")


def area_of(baseline: Baseline, points: gpd.GeoSeries) -> np.ndarray:
    areas = baseline.areas
    joined = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points.to_numpy(), crs=areas.crs),
        gpd.GeoDataFrame(
            {"_code": areas.index.astype(str)}, geometry=areas.geometry.to_numpy(), crs=areas.crs
        ),
        how="left",
        predicate="intersects",
    )
    first = joined[~joined.index.duplicated(keep="first")]
    return first["_code"].reindex(range(len(points))).to_numpy(dtype=object)


def district_of(baseline: Baseline, area: np.ndarray) -> np.ndarray:
    if baseline.district is None:
        return np.full(len(area), None, dtype=object)
    return baseline.district.reindex(pd.Index(area, dtype=object)).to_numpy(dtype=object)


def site_candidates(
    baseline: Baseline,
    candidates: str | gpd.GeoDataFrame | gpd.GeoSeries = "areas",
    *,
    within: Sequence[str] | None = None,
) -> tuple[gpd.GeoDataFrame, Snapped]:
    """Candidate sites for new services, placed on the walking network.

    Parameters
    ----------
    baseline
        The plan-check baseline.
    candidates
        ``"areas"``: one candidate per area, the street node nearest the area's representative
        point among the nodes inside the area (the representative point snapped to the nearest
        street when the area holds no node); ``"nodes"``: every street node inside the areas;
        or a GeoDataFrame of points or parcels (polygons stand for their representative point).
    within
        Area codes to draw candidates from (default every area).

    Returns
    -------
    (GeoDataFrame, Snapped)
        Candidates (index: site label; ``area``, ``district``, geometry: the point a plan
        places) and the same candidates snapped to the network.

    Raises
    ------
    InputError
        Unknown source, unknown area codes, or no candidate.
    """
    areas = baseline.areas
    codes = pd.Index(areas.index.astype(str))
    if within is not None:
        unknown = [c for c in within if str(c) not in set(codes)]
        if unknown:
            msg = (
                f"site candidates: area codes {format_codes(unknown)} are not among the "
                "project's areas; check --within."
            )
            raise InputError(msg)
        keep = codes.isin([str(c) for c in within])
    else:
        keep = np.ones(len(codes), dtype=bool)
    net = baseline.network
    if isinstance(candidates, str):
        if candidates not in SOURCES:
            msg = (
                f"site candidates: unknown source {candidates!r}; use 'areas', 'nodes' or a "
                "file of points."
            )
            raise InputError(msg)
        nodes = gpd.GeoSeries(gpd.points_from_xy(net.x, net.y), crs=areas.crs)
        node_area = area_of(baseline, nodes)
        inside = pd.Series(node_area).isin(codes[keep]).to_numpy()
        if candidates == "nodes":
            idx = np.flatnonzero(inside)
            node_labels = [f"node {n}" for n in net.node_ids[idx]]
            area = node_area[idx]
            snapped = at_nodes(net, idx, index=node_labels)
            geom = nodes.iloc[idx].to_numpy()
        else:
            rep = areas.geometry.representative_point().to_numpy()
            chosen_nodes: list[int] = []
            labels: list[str] = []
            area_l: list[str] = []
            fallback: list[tuple[str, Any]] = []
            node_pos = pd.Series(np.arange(len(node_area)))[inside].groupby(node_area[inside])
            groups = {str(k): v.to_numpy() for k, v in node_pos}
            for code, point, ok in zip(codes, rep, keep, strict=True):
                if not ok:
                    continue
                cand = groups.get(code)
                if cand is None or not len(cand):
                    fallback.append((code, point))
                    continue
                d = np.hypot(net.x[cand] - point.x, net.y[cand] - point.y)
                chosen_nodes.append(int(cand[int(np.argmin(d))]))
                labels.append(code)
                area_l.append(code)
            snapped = at_nodes(net, np.asarray(chosen_nodes, dtype=np.int64), index=labels)
            geom = (
                gpd.points_from_xy(net.x[chosen_nodes], net.y[chosen_nodes]).to_numpy()
                if chosen_nodes
                else np.empty(0, dtype=object)
            )
            area = np.asarray(area_l, dtype=object)
            if fallback:
                logger.info(
                    "site candidates: %d areas hold no street node; their representative points "
                    "are snapped",
                    len(fallback),
                )
                pts = gpd.GeoSeries(
                    [p for _, p in fallback], index=[c for c, _ in fallback], crs=areas.crs
                )
                extra = snap_points(net, pts, max_snap_m=baseline.max_snap_m, label="area points")
                snapped = concat_snapped(snapped, extra)
                geom = np.concatenate([geom, pts.loc[extra.index].to_numpy()])
                area = np.concatenate([area, np.asarray(extra.index, dtype=object)])
        out = gpd.GeoDataFrame(
            {"area": area, "district": district_of(baseline, area)},
            geometry=list(geom),
            crs=areas.crs,
            index=pd.Index(snapped.index, name="site"),
        )
    else:
        pts = (
            candidates.to_crs(areas.crs)
            if candidates.crs is not None and not candidates.crs.equals(areas.crs)
            else candidates
        )
        geoms = gpd.GeoSeries(pts.geometry.to_numpy(), crs=areas.crs)
        geoms = geoms.where(geoms.geom_type == "Point", geoms.representative_point())
        geoms.index = pd.Index([f"candidate {i}" for i in range(1, len(geoms) + 1)])
        area = area_of(baseline, geoms)
        ok = pd.Series(area).isin(codes[keep]).to_numpy()
        geoms = geoms[ok]
        snapped = snap_points(net, geoms, max_snap_m=baseline.max_snap_m, label="candidate sites")
        geoms = geoms.loc[snapped.index]
        a = (
            area[ok][geoms.index.get_indexer(snapped.index)]
            if len(snapped)
            else np.empty(0, dtype=object)
        )
        out = gpd.GeoDataFrame(
            {"area": a, "district": district_of(baseline, a)},
            geometry=geoms.to_numpy(),
            crs=areas.crs,
            index=pd.Index(snapped.index, name="site"),
        )
    if not len(out):
        where = f"areas {format_codes(within)}" if within is not None else "the project's areas"
        msg = (
            f"site candidates: no candidate site inside {where} could be placed on the street "
            "network; give other areas (--within), another candidate file, or --candidates areas."
        )
        raise InputError(msg)
    return out, snapped


def concat_snapped(a: Snapped, b: Snapped) -> Snapped:
    return Snapped(
        index=a.index.append(b.index),
        node_a=np.concatenate([a.node_a, b.node_a]),
        node_b=np.concatenate([a.node_b, b.node_b]),
        off_a=np.concatenate([a.off_a, b.off_a]),
        off_b=np.concatenate([a.off_b, b.off_b]),
        snap_m=np.concatenate([a.snap_m, b.snap_m]),
        edge=np.concatenate([a.edge, b.edge]),
        snap_xy=np.concatenate([a.snap_xy.reshape(-1, 2), b.snap_xy.reshape(-1, 2)]),
        rejected=b.rejected,
    )
