"""The ranked table of site suggestions: each suggestion's effect, as ``check-plan`` reports it."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geoseg.access import Snapped, nearest, subset
from geoseg.plans._sites_solve import SiteProblem, evaluate
from geoseg.plans._tables import area_stats, equity_table
from geoseg.plans.baseline import Baseline

__all__ = ["suggestion_table"]


def _mean(w: np.ndarray, t: np.ndarray) -> float:
    ok = np.isfinite(t) & (w > 0)
    return float(np.average(t[ok], weights=w[ok])) if ok.any() else float("nan")


def _gap(baseline: Baseline, kind: str, tb: np.ndarray, ta: np.ndarray) -> tuple[float, float]:
    """The quintile gap of area mean walks before and after (``check-plan``'s equity gap)."""
    if baseline.indicator is None:
        return float("nan"), float("nan")
    codes = pd.Index(baseline.areas.index.astype(str))
    area = baseline.residents["area"].astype(str).to_numpy()
    w = baseline.residents[baseline.total].to_numpy(dtype=float)
    b = area_stats(area, w, tb, within=baseline.minutes, index=codes)
    a = area_stats(area, w, ta, within=baseline.minutes, index=codes)
    areas = pd.DataFrame(
        {
            "id": codes,
            "kind": kind,
            "residents_before": b["residents"].to_numpy(),
            "residents_after": a["residents"].to_numpy(),
            "before_minutes": b["mean_minutes"].to_numpy(),
            "after_minutes": a["mean_minutes"].to_numpy(),
        }
    )
    areas = areas[(areas["residents_before"] > 0) | (areas["residents_after"] > 0)]
    eq = equity_table({kind: tb}, {kind: ta}, w, w, areas, baseline.indicator)
    return float(eq["gap_before"].iloc[0]), float(eq["gap_after"].iloc[0])


def _worst_district(baseline: Baseline, w: np.ndarray, t: np.ndarray) -> float:
    if baseline.district is None:
        return float("nan")
    area = baseline.residents["area"].astype(str)
    dist = baseline.district.reindex(area).to_numpy(dtype=object).astype(str)
    ok = np.isfinite(t) & (w > 0)
    df = pd.DataFrame({"d": dist[ok], "wt": w[ok] * t[ok], "w": w[ok]}).groupby("d").sum()
    return float((df["wt"] / df["w"]).max()) if len(df) else float("nan")


def _full(baseline: Baseline, placed_minutes: np.ndarray) -> np.ndarray:
    out = np.full(len(baseline.residents), np.inf)
    out[baseline.placed] = placed_minutes
    return out


def suggestion_table(
    baseline: Baseline,
    *,
    kind: str,
    minutes: float,
    need: np.ndarray,
    sites: gpd.GeoDataFrame,
    sites_snapped: Snapped,
    closed: list[str],
    problem: SiteProblem,
    order: np.ndarray,
    name_column: str = "name",
) -> pd.DataFrame:
    """One row per suggestion ``r`` (the first ``r`` sites, with the closures).

    Walking minutes after a suggestion are recomputed from the network
    (:func:`geoseg.access.nearest` from each new site, combined by minimum with the services
    that stay), so the figures do not depend on the solver's truncated cost table.
    """
    speed = baseline.speed_kmh
    kb = baseline.kinds[kind]
    before = baseline.minutes_before(kind)
    if closed:
        stay = ~np.isin(np.asarray(kb.labels, dtype=object).astype(str), closed)
        if stay.any():
            near = nearest(
                baseline.network,
                subset(kb.services, stay),
                baseline.snapped,
                speed_kmh=speed,
                which=False,
            )
            current = _full(baseline, near["minutes"].to_numpy(dtype=float))
        else:
            current = np.full(len(baseline.residents), np.inf)
    else:
        current = before.copy()
    kept = int(np.sum(~problem.new[order]))
    names = baseline.areas[name_column] if name_column in baseline.areas.columns else None
    mean_b = _mean(need, before)
    rows: list[dict[str, Any]] = []
    for r in range(len(sites)):
        one = nearest(
            baseline.network,
            subset(sites_snapped, [r]),
            baseline.snapped,
            speed_kmh=speed,
            which=False,
        )
        current = np.minimum(current, _full(baseline, one["minutes"].to_numpy(dtype=float)))
        gap_b, gap_a = _gap(baseline, kind, before, current)
        mean_a = _mean(need, current)
        area = sites["area"].iloc[r]
        rows.append(
            {
                "rank": r + 1,
                "site": str(sites.index[r]),
                "area": area,
                "area_name": None if names is None or area is None else names.get(area),
                "district": sites["district"].iloc[r],
                "newly_within": float(need[(before > minutes) & (current <= minutes)].sum()),
                "mean_before": mean_b,
                "mean_after": mean_a,
                "mean_change": mean_a - mean_b,
                "gap_before": gap_b,
                "gap_after": gap_a,
                "gap_change": gap_a - gap_b,
                "worst_district_after": _worst_district(baseline, need, current),
                "objective": evaluate(problem, order[: kept + r + 1]),
            }
        )
    return pd.DataFrame(rows)
