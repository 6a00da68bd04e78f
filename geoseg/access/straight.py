"""Walking access without a street network: straight-line distance times a detour factor.

When a project has no street network and asks for it (``[access] fallback = "straight_line"``),
the time from each resident point to a service is the straight-line distance multiplied by a
detour factor (how much longer a walk along streets is than the crow flies; 1.2-1.4 in cities),
divided by the walking speed. Every table produced here says so in its ``method`` column.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.access.equity import access_gini, concentration_index, palma, quintile_gap
from geoseg.access.residents import (
    residents_from_buildings,
    residents_from_centroids,
    residents_from_grid,
)
from geoseg.access.summary import area_summary
from geoseg.errors import DataError

__all__ = ["StraightLineAccess", "straight_line_access", "straight_line_isochrones"]

logger = logging.getLogger(__name__)

#: Resident points handled at once (bounds the memory of the distance matrix).
_CHUNK = 20_000


@dataclass(eq=False)
class StraightLineAccess:
    """Access computed from straight-line distances (same tables as the network measure).

    Attributes
    ----------
    residents
        Resident points with ``minutes_<kind>``, ``nearest_<kind>``, ``count_<kind>`` and
        ``fca_<kind>``.
    summary, equity
        As :class:`geoseg.access.AccessResults`, with a ``method`` column.
    services
        The services used.
    method
        ``"straight line x 1.3"``: the label shown with every result.
    """

    residents: gpd.GeoDataFrame
    summary: pd.DataFrame
    equity: pd.DataFrame
    services: gpd.GeoDataFrame
    minutes: float
    speed_kmh: float
    detour: float
    method: str
    demand: dict[str, str] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)


def method_label(detour: float) -> str:
    """The label of the measure, e.g. ``"straight line x 1.3"``."""
    return f"straight line x {detour:g}"


def straight_line_access(
    areas: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    services: gpd.GeoDataFrame,
    *,
    demand: Mapping[str, str],
    groups: Sequence[str],
    total: str,
    minutes: float,
    speed_kmh: float,
    detour: float,
    grid: gpd.GeoDataFrame | None = None,
    buildings: gpd.GeoDataFrame | None = None,
    income: str | None = None,
    disadvantage: str | None = None,
) -> StraightLineAccess:
    """Nearest time, services within the threshold and 2SFCA from straight-line distances.

    Parameters
    ----------
    areas
        Areas indexed by code (projected CRS, metres).
    counts
        One register row per area code (index) with the group and demand columns.
    services
        Points with ``kind`` and optionally ``capacity``.
    demand
        Service kind -> the register column of its users.
    groups
        Count columns summarised per area.
    total
        Total population column (weights of the equity measures).
    minutes, speed_kmh
        Threshold and walking speed.
    detour
        Ratio of walking distance to straight-line distance (>= 1).
    grid, buildings
        Where residents live (the grid wins; area centroids without either).
    income, disadvantage
        Register columns for the concentration index and the quintile gap.

    Returns
    -------
    StraightLineAccess

    Notes
    -----
    ``t_ij = detour * ||x_i - s_j|| / v``. 2SFCA as Luo & Wang (2003): ``R_j = S_j / sum_{k:
    t_kj <= d0} P_k`` and ``A_i = sum_{j: t_ij <= d0} R_j``; a service with no demand within
    reach gets ``R_j = 0``.
    """
    if detour < 1:
        msg = f"[access] detour must be at least 1 (a walk is never shorter), got {detour:g}"
        raise DataError(msg)
    cols = list(dict.fromkeys([*groups, *demand.values()]))
    if grid is not None and len(grid):
        people = residents_from_grid(grid, areas, counts[cols], groups=cols)
    elif buildings is not None and len(buildings):
        weight = "weight" if "weight" in buildings.columns else None
        people = residents_from_buildings(
            buildings, areas, counts[cols], weight=weight, groups=cols
        )
    else:
        people = residents_from_centroids(areas, counts[cols], groups=cols)
    out = people.copy()
    xy = shapely.get_coordinates(people.geometry.to_numpy())
    metres_per_minute = speed_kmh * 1000.0 / 60.0
    kinds = list(demand)
    for kind in kinds:
        svc = services[services["kind"].astype(str) == kind]
        sxy = shapely.get_coordinates(svc.geometry.to_numpy())
        cap = svc["capacity"].to_numpy(dtype=float) if "capacity" in svc else np.ones(len(svc))
        cap = np.where(np.isfinite(cap), cap, 1.0)
        dem = people[demand[kind]].to_numpy(dtype=float)
        near = np.full(len(people), np.inf)
        which = np.full(len(people), None, dtype=object)
        count = np.zeros(len(people))
        pressure = np.zeros(len(svc))
        for start in range(0, len(people), _CHUNK):
            t = _minutes(xy[start : start + _CHUNK], sxy, detour, metres_per_minute)
            if len(svc):
                best = np.argmin(t, axis=1)
                near[start : start + _CHUNK] = t[np.arange(len(t)), best]
                which[start : start + _CHUNK] = svc.index.to_numpy(dtype=object)[best]
            inside = t <= minutes * (1 + 1e-12)
            count[start : start + _CHUNK] = inside.sum(axis=1)
            pressure += (inside * dem[start : start + _CHUNK, None]).sum(axis=0)
        ratio = np.divide(cap, pressure, out=np.zeros_like(cap), where=pressure > 0)
        fca = np.zeros(len(people))
        for start in range(0, len(people), _CHUNK):
            t = _minutes(xy[start : start + _CHUNK], sxy, detour, metres_per_minute)
            fca[start : start + _CHUNK] = ((t <= minutes * (1 + 1e-12)) * ratio).sum(axis=1)
        out[f"minutes_{kind}"] = near
        out[f"nearest_{kind}"] = which
        out[f"count_{kind}"] = count
        out[f"fca_{kind}"] = fca
    mins = pd.DataFrame({k: out[f"minutes_{k}"].to_numpy(dtype=float) for k in kinds}, out.index)
    fcas = pd.DataFrame({k: out[f"fca_{k}"].to_numpy(dtype=float) for k in kinds}, out.index)
    summary = area_summary(out, mins, groups=list(groups), within=minutes, fca=fcas)
    label = method_label(detour)
    equity = _equity(out, summary, counts, kinds, total, income, disadvantage)
    return StraightLineAccess(
        residents=out,
        summary=summary.assign(method=label),
        equity=equity.assign(method=label),
        services=services,
        minutes=float(minutes),
        speed_kmh=float(speed_kmh),
        detour=float(detour),
        method=label,
        demand=dict(demand),
    )


def _minutes(
    points: np.ndarray, services: np.ndarray, detour: float, metres_per_minute: float
) -> np.ndarray:
    """Minutes from each point (rows) to each service (columns)."""
    if not len(services):
        return np.full((len(points), 0), np.inf)
    d = np.hypot(
        points[:, None, 0] - services[None, :, 0], points[:, None, 1] - services[None, :, 1]
    )
    return d * detour / metres_per_minute


def _equity(
    people: pd.DataFrame,
    summary: pd.DataFrame,
    counts: pd.DataFrame,
    kinds: Sequence[str],
    total: str,
    income: str | None,
    disadvantage: str | None,
) -> pd.DataFrame:
    """Gini and Palma of minutes across residents; area gaps by disadvantage and income."""
    rows = []
    for kind in kinds:
        t = people[f"minutes_{kind}"].to_numpy(dtype=float)
        w = people[total].to_numpy(dtype=float)
        finite = np.isfinite(t)
        areas = summary[(summary["kind"] == kind) & (summary["group"] == total)].set_index("id")
        row: dict[str, Any] = {
            "kind": kind,
            "gini": access_gini(t[finite], w[finite]) if finite.any() else np.nan,
            "palma": palma(t[finite], w[finite]) if finite.any() else np.nan,
        }
        if disadvantage and disadvantage in counts.columns and total in counts.columns:
            share = (counts[disadvantage] / counts[total]).reindex(areas.index)
            try:
                gap = quintile_gap(areas["mean_minutes"], share, weights=areas["residents"])
            except DataError as exc:
                logger.warning("access equity: %s", exc)
            else:
                row |= {
                    "quintile_best": gap["best"],
                    "quintile_worst": gap["worst"],
                    "quintile_gap": gap["gap"],
                }
        if income and income in counts.columns:
            inc = counts[income].reindex(areas.index)
            row["concentration_index"] = concentration_index(
                areas["mean_minutes"], inc, weights=areas["residents"]
            )
        rows.append(row)
    return pd.DataFrame(rows)


def straight_line_isochrones(
    services: gpd.GeoDataFrame,
    *,
    minutes: Sequence[float],
    speed_kmh: float,
    detour: float,
) -> gpd.GeoDataFrame:
    """Areas within each time of each kind's services: discs of radius ``v t / detour``.

    Returns
    -------
    GeoDataFrame
        Columns ``kind``, ``minutes``, ``services``, ``method`` and ``geometry``.
    """
    rows = []
    for kind, part in services.groupby(services["kind"].astype(str), sort=True):
        for level in minutes:
            radius = float(level) * speed_kmh * 1000.0 / 60.0 / detour
            rows.append(
                {
                    "kind": kind,
                    "minutes": float(level),
                    "services": len(part),
                    "method": method_label(detour),
                    "geometry": shapely.union_all(part.geometry.buffer(radius).to_numpy()),
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=services.crs)
