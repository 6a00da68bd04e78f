"""Services of the example city: family centres, meeting places, libraries, youth centres."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoseg.example._network import Network
from geoseg.example._registers import split_counts

__all__ = ["UNDERSERVED_DISTRICT", "make_services"]

#: District that gets few family centres (so access analyses show a gap).
UNDERSERVED_DISTRICT = "2"

#: kind -> (prefix of service_id, services per 100 areas, demand column, capacity range)
_KINDS: dict[str, tuple[str, float, str, tuple[int, int]]] = {
    "family_centre": ("FC", 12, "age_0_5", (120, 400)),
    "meeting_place": ("MP", 15, "pop_total", (40, 250)),
    "library": ("LIB", 8, "pop_total", (300, 1500)),
    "youth_centre": ("YC", 12, "age_6_15", (60, 220)),
}


def _name(kind: str, area: str) -> str:
    if kind == "family_centre":
        return f"Familjecentralen {area}"
    if kind == "meeting_place":
        return f"Mötesplats {area}"
    if kind == "library":
        return f"{area} bibliotek"
    return f"Fritidsgården {area}"


def make_services(
    areas: gpd.GeoDataFrame, latest: pd.DataFrame, net: Network, rng: np.random.Generator
) -> pd.DataFrame:
    """Place services on streets, unevenly: district 2 has few family centres.

    Parameters
    ----------
    areas
        Areas (``code``, ``name``, ``district_code``, ``island``, geometry).
    latest
        Register rows of the latest year, indexed by area code.
    net
        Street network (services stand a few metres from a street node of their area).
    rng
        Random generator.

    Returns
    -------
    pandas.DataFrame
        Columns ``service_id``, ``kind``, ``name``, ``capacity``, ``x``, ``y`` (EPSG:3006, whole
        metres).
    """
    n = len(areas)
    tree = shapely.STRtree(areas.geometry.to_numpy())
    node_idx, area_idx = tree.query(shapely.points(net.x, net.y), predicate="within")
    has_nodes = np.bincount(area_idx, minlength=n) > 0
    codes = areas["code"].to_numpy()
    district = areas["district_code"].to_numpy()
    rows: list[dict[str, object]] = []
    for kind, (prefix, per100, demand_col, (cap_lo, cap_hi)) in _KINDS.items():
        k = max(2, round(per100 * n / 100.0))
        demand = latest.loc[codes, demand_col].to_numpy(float) * has_nodes
        districts = np.unique(district)
        mass = np.array([demand[district == d].sum() for d in districts])
        if kind == "family_centre":
            mass = mass * np.where(districts == UNDERSERVED_DISTRICT, 0.2, 1.0)
        quota = split_counts(np.array([k]), mass[None, :])[0]
        chosen: list[int] = []
        for d, q in zip(districts, quota, strict=True):
            cand = np.flatnonzero((district == d) & (demand > 0))
            q = min(int(q), len(cand))
            if q == 0:
                continue
            p = demand[cand] / demand[cand].sum()
            chosen.extend(int(c) for c in rng.choice(cand, size=q, replace=False, p=p))
        for j, a in enumerate(sorted(chosen, key=lambda i: codes[i]), start=1):
            nodes = node_idx[area_idx == a]
            geom = areas.geometry.iloc[a]
            node = int(rng.choice(nodes))
            x, y = round(float(net.x[node])), round(float(net.y[node]))
            for _ in range(20):
                ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(8.0, 25.0)
                px = round(float(net.x[node] + dist * np.cos(ang)))
                py = round(float(net.y[node] + dist * np.sin(ang)))
                if geom.contains(shapely.Point(px, py)):
                    x, y = px, py
                    break
            rows.append(
                {
                    "service_id": f"{prefix}{j:03d}",
                    "kind": kind,
                    "name": _name(kind, str(areas["name"].iloc[a])),
                    "capacity": int(rng.integers(cap_lo, cap_hi + 1) // 10 * 10),
                    "x": x,
                    "y": y,
                }
            )
    return pd.DataFrame(rows, columns=["service_id", "kind", "name", "capacity", "x", "y"])
