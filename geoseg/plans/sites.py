"""Site suggestions: where new services of a kind would serve the greatest need.

:func:`suggest_sites` chooses ``count`` new sites for a service kind among candidates (the
project's areas, every street node within given areas, or points from a file), optionally also
which existing services to keep when some must close, for one of three objectives: maximal
covering, p-median or equity (the worst district's or the worst quintile's mean walk). It
works on a plan-check :class:`~geoseg.plans.Baseline`, so that residents, services and the
network are exactly those of ``geoseg access`` and ``geoseg check-plan``, and every suggestion
can be written as a plan file (:meth:`SiteSuggestions.plan`) that ``geoseg check-plan`` reads.

Typical use::

    from geoseg.io import load_project
    from geoseg.plans import compute_baseline, suggest_sites

    baseline = compute_baseline(load_project("geoseg.toml"), kinds=["family_centre"])
    s = suggest_sites(baseline, kind="family_centre", count=3, objective="median")
    s.table, s.solution.gap, s.plan(1)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geoseg.access import (
    Snapped,
    reach,
    subset,
)
from geoseg.errors import InputError, format_codes
from geoseg.plans._site_candidates import area_of, concat_snapped, district_of, site_candidates
from geoseg.plans._sites_solve import (
    OBJECTIVES,
    SiteProblem,
    Solution,
    gap_of,
    rank,
    size,
    solve_exact,
    solve_greedy,
)
from geoseg.plans._sites_table import suggestion_table
from geoseg.plans.baseline import Baseline
from geoseg.settings import demand_group

__all__ = [
    "OBJECTIVES",
    "SITE_KEYS",
    "SiteProblem",
    "SiteSuggestions",
    "Solution",
    "site_candidates",
    "suggest_sites",
]

logger = logging.getLogger(__name__)

#: Columns of the ranked table (one row per suggestion, cumulative: the first ``rank`` sites).
SITE_KEYS = [
    "rank",
    "site",
    "area",
    "area_name",
    "district",
    "newly_within",
    "mean_before",
    "mean_after",
    "mean_change",
    "gap_before",
    "gap_after",
    "gap_change",
    "worst_district_after",
    "objective",
]

#: Pairs computed per batch of sites (bounded Dijkstra per site).
_BATCH = 64


@dataclass(eq=False)
class SiteSuggestions:
    """Suggested sites, ranked, with their effect and how close to optimal they are.

    Attributes
    ----------
    table
        One row per suggestion (:data:`SITE_KEYS`): suggestion ``r`` opens the first ``r``
        sites of the ranking (and closes ``closed``); persons newly within the threshold,
        the need group's mean walk before and after, the quintile gap of area mean walks
        (``geoseg check-plan``'s equity gap) before and after, the worst district's mean walk
        of the need group and the objective.
    sites
        The chosen new sites in rank order (index: site label; ``area``, ``district``,
        ``capacity``, geometry in the analysis CRS).
    closed
        Labels of the existing services that close (empty unless ``close`` was given).
    solution
        Objective, bound, gap and method (:class:`Solution`).
    problem
        The sparse problem solved (:class:`SiteProblem`); rows are the placed residents in
        ``baseline.snapped`` order, sites are ``candidates`` then closable services.
    candidates
        Every candidate considered (index: site label).
    kind, group, objective, minutes
        What was asked.
    """

    table: pd.DataFrame
    sites: gpd.GeoDataFrame
    closed: list[str]
    solution: Solution
    problem: SiteProblem
    candidates: gpd.GeoDataFrame
    kind: str
    group: str
    objective: str
    minutes: float

    def plan(self, rank: int) -> gpd.GeoDataFrame:
        """Plan features of suggestion ``rank`` (1 = the best site alone).

        ``add_service`` for each of the first ``rank`` sites and ``remove_service`` for each
        closed service, in the plan-file schema of :func:`geoseg.io.read_plan`.
        """
        if not 1 <= rank <= len(self.sites):
            msg = f"site suggestions: rank must be between 1 and {len(self.sites)}, got {rank}"
            raise InputError(msg)
        top = self.sites.iloc[:rank]
        rows = [
            {
                "action": "add_service",
                "kind": self.kind,
                "name": f"Suggested site {n}",
                "capacity": float(cap),
                "service_id": None,
                "geometry": geom,
            }
            for n, (cap, geom) in enumerate(zip(top["capacity"], top.geometry, strict=True), 1)
        ]
        rows += [
            {
                "action": "remove_service",
                "kind": self.kind,
                "name": None,
                "capacity": None,
                "service_id": str(label),
                "geometry": None,
            }
            for label in self.closed
        ]
        return gpd.GeoDataFrame(rows, geometry="geometry", crs=self.sites.crs)


def _need(baseline: Baseline, group: str, need_share: str | None) -> np.ndarray:
    """Need per resident row: persons of ``group``, optionally times an area share."""
    res = baseline.residents
    counts = baseline.counts
    total = baseline.total
    if group in res.columns:
        w = res[group].to_numpy(dtype=float)
    elif group in counts.columns and pd.api.types.is_numeric_dtype(counts[group]):
        # spread like the other groups: the point's share of its area's total
        area_tot = counts[total].reindex(res["area"].astype(str)).to_numpy(dtype=float)
        area_grp = counts[group].reindex(res["area"].astype(str)).to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(area_tot > 0, res[total].to_numpy(dtype=float) * area_grp / area_tot, 0.0)
    else:
        numeric = [str(c) for c in counts.columns if pd.api.types.is_numeric_dtype(counts[c])]
        msg = (
            f"site suggestions: target group {group!r} is not a column of the register; "
            f"choose one of {', '.join(numeric)} (--group)."
        )
        raise InputError(msg)
    if need_share is not None:
        if need_share not in counts.columns or total not in counts.columns:
            msg = (
                f"site suggestions: need share column {need_share!r} is not a register column; "
                f"choose one of {', '.join(map(str, counts.columns))} or leave it out."
            )
            raise InputError(msg)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (counts[need_share] / counts[total]).astype(float)
        w = w * share.reindex(res["area"].astype(str)).fillna(0.0).to_numpy(dtype=float)
    return np.nan_to_num(w)


def _pairs(
    baseline: Baseline, sites: Snapped, limit_min: float, keep: Any
) -> tuple[np.ndarray, ...]:
    """(resident, site, minutes) pairs within ``limit_min``, filtered by ``keep(res, t)``."""
    parts_r, parts_s, parts_t = [], [], []
    for start in range(0, len(sites), _BATCH):
        pos = np.arange(start, min(start + _BATCH, len(sites)))
        table = reach(
            baseline.network,
            subset(sites, pos),
            baseline.snapped,
            minutes=limit_min,
            speed_kmh=baseline.speed_kmh,
        )
        t = table.minutes
        ok = keep(table.point, t)
        parts_r.append(table.point[ok])
        parts_s.append(pos[table.source[ok]])
        parts_t.append(t[ok])
    if not parts_r:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
    return np.concatenate(parts_r), np.concatenate(parts_s), np.concatenate(parts_t)


def _equity_groups(
    baseline: Baseline, equity: str, rows: np.ndarray
) -> tuple[np.ndarray, int, list[str]]:
    """Equity group of each placed resident: its district, or 0 in the worst quintile."""
    area = baseline.residents["area"].astype(str).to_numpy()[rows]
    if equity == "district":
        if baseline.district is None:
            msg = (
                "site suggestions: the project names no district column ([areas] district); "
                "use --equity quintile or add the column."
            )
            raise InputError(msg)
        dist = baseline.district.reindex(pd.Index(area, dtype=object)).to_numpy(dtype=object)
        names = sorted({str(d) for d in dist if d is not None and d == d})
        pos = {d: n for n, d in enumerate(names)}
        return np.array([pos.get(str(d), -1) for d in dist], dtype=np.int64), len(names), names
    if equity == "quintile":
        ind = baseline.indicator
        if ind is None:
            msg = (
                "site suggestions: the register has no disadvantage column "
                "([registers] disadvantage) to rank areas by; use --equity district."
            )
            raise InputError(msg)
        ind = ind[np.isfinite(ind.to_numpy(dtype=float))]
        rank_ = np.empty(len(ind), dtype=np.int64)
        rank_[np.argsort(ind.to_numpy(dtype=float), kind="stable")] = np.arange(len(ind))
        worst = set(ind.index[rank_ * 5 // max(len(ind), 1) == 4].astype(str))
        return np.where(np.isin(area, list(worst)), 0, -1).astype(np.int64), 1, ["worst quintile"]
    msg = f"site suggestions: unknown equity measure {equity!r}; use 'district' or 'quintile'."
    raise InputError(msg)


def suggest_sites(
    baseline: Baseline,
    *,
    kind: str,
    count: int,
    objective: str = "covering",
    minutes: float | None = None,
    candidates: str | gpd.GeoDataFrame | gpd.GeoSeries = "areas",
    within: Sequence[str] | None = None,
    group: str | None = None,
    need_share: str | None = None,
    close: int = 0,
    per_district: bool = False,
    capacity: float | None = None,
    capacity_limit: bool = False,
    min_distance_m: float = 0.0,
    equity: str = "district",
    method: str = "auto",
    max_variables: int = 30_000,
    time_limit: float = 120.0,
    name_column: str = "name",
) -> SiteSuggestions:
    """Suggest where ``count`` new services of ``kind`` serve the greatest need.

    Parameters
    ----------
    baseline
        From :func:`geoseg.plans.compute_baseline`.
    kind
        Service kind (one the baseline was computed for).
    count
        Number of new sites ``k``.
    objective
        ``"covering"``, ``"median"`` or ``"equity"`` (see Notes).
    minutes
        Threshold ``T`` of covering and of the "newly within" count; default the baseline's.
    candidates, within
        Candidate sites, see :func:`site_candidates`.
    group
        Register column whose persons are the need; default the kind's demand group
        (:data:`geoseg.settings.SERVICE_KINDS`, e.g. ``age_0_5`` for family centres), else the
        total. A register column the baseline did not spread is spread like the total.
    need_share
        Register column (e.g. ``low_economic_standard``): the need of a resident becomes its
        persons times the area's share ``column / total``.
    close
        Existing services of the kind that must close; the solver also chooses which to keep.
    per_district
        Require at least one service (kept or new) of the kind in every district.
    capacity
        Capacity of each new site (default the median capacity of the kind's services); written
        to the plan files.
    capacity_limit
        Also limit the need a new site serves to ``capacity`` (exact method only).
    min_distance_m
        Smallest straight-line distance between two sites (new or kept); candidates closer to
        a service that stays open are left out.
    equity
        The equity objective's groups: ``"district"`` (minimise the worst district's mean walk)
        or ``"quintile"`` (the mean walk of the quintile of areas with the most disadvantage).
    method
        ``"exact"`` (PuLP + HiGHS), ``"greedy"`` or ``"auto"`` (exact when the model has at
        most ``max_variables`` variables).
    time_limit
        Seconds allowed to the exact solver.
    name_column
        Column of the areas with their names (for the table).

    Returns
    -------
    SiteSuggestions

    Notes
    -----
    With ``w_i`` the need of resident point ``i``, ``b_i`` its walk in minutes to the nearest
    service that stays open (``P`` = the longest such walk in the city when it reaches none,
    so reaching it counts), ``t_ij`` the walk to candidate ``j`` and ``t_i(S) = min(b_i,
    min_{j in S} t_ij)`` for the open sites ``S`` (``|S| = k``):

    - covering (maximal covering location problem, Church & ReVelle 1974): maximise
      ``sum_i w_i [t_i(S) <= T]``;
    - median (p-median with the existing services fixed, Hakimi 1964; ReVelle & Swain 1970):
      minimise ``sum_i w_i t_i(S)`` (reported also as the need-weighted mean);
    - equity: minimise ``max_g sum_{i in g} w_i t_i(S) / sum_{i in g} w_i`` over the
      districts ``g`` (or the worst quintile of areas by the disadvantage share).

    Solving: exactly as a mixed-integer programme (PuLP with HiGHS; only the pairs that can
    shorten a resident's walk get assignment variables, and covering rows with the same set of
    sites are merged), when the model has at most ``max_variables`` variables; otherwise
    greedily, one best site after another. A greedy answer comes with a bound: for covering
    and median the gains are monotone submodular, so greedy reaches at least ``1 - 1/e`` of the
    optimal gain without side constraints (Nemhauser, Wolsey & Fisher 1978), and the optimum is
    bounded by the greedy value plus the ``k`` largest single-site gains, by opening every
    candidate, and by a Lagrangian relaxation of the assignment constraints (subgradient
    method; Cornuejols, Fisher & Nemhauser 1977); for equity, by opening every candidate.
    ``solution.gap`` says how far from optimal the answer can be. Capacities (an
    assignment limited to ``C_j`` need per site) need the exact method. The
    table's figures are computed with the same shortest paths as ``geoseg check-plan`` and
    equal its figures for the plan of each suggestion.
    """
    if objective not in OBJECTIVES:
        msg = f"site suggestions: unknown objective {objective!r}; use {', '.join(OBJECTIVES)}."
        raise InputError(msg)
    if kind not in baseline.kinds:
        msg = (
            f"site suggestions: no services of kind {kind!r} in the baseline; "
            f"choose one of {', '.join(baseline.kinds)}."
        )
        raise InputError(msg)
    if count < 1:
        msg = f"site suggestions: --count must be at least 1, got {count}."
        raise InputError(msg)
    kb = baseline.kinds[kind]
    n_exist = len(kb.labels)
    if not 0 <= close <= n_exist:
        msg = (
            f"site suggestions: --close must be between 0 and {n_exist} (the {kind} "
            f"services), got {close}."
        )
        raise InputError(msg)
    if capacity is not None and not capacity > 0:
        msg = f"site suggestions: --capacity must be a positive number, got {capacity}."
        raise InputError(msg)
    T = float(minutes if minutes is not None else baseline.minutes)
    group = group or str(demand_group(kind, total=baseline.total))
    rows = baseline.placed
    need = _need(baseline, group, need_share)[rows]
    cand, cand_s = site_candidates(baseline, candidates, within=within)
    svc = baseline.services.loc[kb.labels]
    caps = (
        pd.to_numeric(svc["capacity"], errors="coerce")
        if "capacity" in svc
        else pd.Series(dtype=float)
    )
    cap = float(
        capacity if capacity is not None else (caps.median() if caps.notna().any() else 1.0)
    )
    exist_xy = np.column_stack([svc.geometry.x, svc.geometry.y]) if n_exist else np.empty((0, 2))
    cand_xy = np.column_stack([cand.geometry.x, cand.geometry.y])
    if min_distance_m > 0 and close == 0 and n_exist:
        d, _ = cKDTree(exist_xy).query(cand_xy)
        ok = d >= min_distance_m
        if not ok.any():
            msg = (
                f"site suggestions: every candidate lies within {min_distance_m:g} m of an "
                f"existing {kind}; lower --min-distance or give other candidates."
            )
            raise InputError(msg)
        cand, cand_s, cand_xy = cand[ok], subset(cand_s, ok), cand_xy[ok]
    n_cand = len(cand)
    if count > n_cand:
        msg = (
            f"site suggestions: --count {count} is larger than the {n_cand} candidate sites; "
            "lower --count or widen the candidates (--candidates nodes, --within)."
        )
        raise InputError(msg)
    base = kb.minutes
    finite = np.isfinite(base)
    P = float(base[finite].max()) if finite.any() else 120.0
    base_min = np.minimum(np.where(finite, base, P), P)
    if close:
        sites_s = concat_snapped(cand_s, kb.services)
        fallback = np.full(len(rows), P)
    else:
        sites_s = cand_s
        fallback = base_min
    new = np.r_[np.ones(n_cand, dtype=bool), np.zeros(n_exist if close else 0, dtype=bool)]
    if objective == "covering":
        limit = T
        tol = T * (1 + 1e-12)

        def keep(r: np.ndarray, t: np.ndarray) -> np.ndarray:
            return (fallback[r] > tol) & (t <= tol) & (need[r] > 0)
    else:
        limit = P

        def keep(r: np.ndarray, t: np.ndarray) -> np.ndarray:
            return (t < fallback[r]) & (need[r] > 0)

    res, site, cost = _pairs(baseline, sites_s, limit, keep)
    site_xy = np.vstack([cand_xy, exist_xy]) if close else cand_xy
    site_area = np.r_[
        cand["area"].to_numpy(dtype=object),
        area_of(baseline, svc.geometry) if close else np.empty(0, dtype=object),
    ]
    site_dist = district_of(baseline, site_area)
    conflicts = (
        np.asarray(
            sorted(cKDTree(site_xy).query_pairs(min_distance_m - 1e-9)), dtype=np.int64
        ).reshape(-1, 2)
        if min_distance_m > 0
        else np.empty((0, 2), dtype=np.int64)
    )
    required: list[np.ndarray] = []
    if per_district:
        required = _required(
            baseline, kind, svc, close, site_dist, count + (n_exist - close if close else 0)
        )
    grp, n_groups, _ = (
        _equity_groups(baseline, equity, rows) if objective == "equity" else (None, 0, [])
    )
    problem = SiteProblem(
        objective=objective,
        weights=need,
        fallback=fallback,
        penalty=P,
        minutes=T,
        res=res,
        site=site,
        cost=cost,
        n_sites=len(new),
        count=count,
        new=new,
        keep=n_exist - close if close else 0,
        required=required,
        conflicts=conflicts,
        capacity=np.full(len(new), cap) if capacity_limit else None,
        group=grp,
        n_groups=n_groups,
    )
    n_var = size(problem)
    if method not in {"auto", "exact", "greedy"}:
        msg = f"site suggestions: unknown method {method!r}; use auto, exact or greedy."
        raise InputError(msg)
    use_exact = method == "exact" or (method == "auto" and n_var <= max_variables)
    if capacity_limit and not use_exact:
        msg = (
            f"site suggestions: capacity limits need the exact method, and the model has {n_var} "
            f"variables (more than {max_variables}); use fewer candidates (--within) or no "
            "--capacity-limit."
        )
        raise InputError(msg)
    logger.info(
        "site suggestions: %d candidates, %d pairs, %d variables, %s",
        n_cand,
        len(res),
        n_var,
        "exact" if use_exact else "greedy",
    )
    sol = solve_greedy(problem)
    if use_exact:
        exact = solve_exact(problem, time_limit=time_limit)
        if exact.method == "exact":
            sol = exact
        else:  # stopped at the time limit: the better answer, the tighter bound
            best = exact if _better(problem, exact.objective, sol.objective) else sol
            pick = np.nanmin if objective == "covering" else np.nanmax
            bound = float(pick([sol.bound, exact.bound]))
            sol = replace(
                best,
                bound=bound,
                gap=gap_of(best.objective, bound),
                method=f"{best.method} (exact stopped at {time_limit:g} s)",
            )
    order = rank(problem, sol.chosen)
    chosen_new = [int(j) for j in order if new[j]]
    closed = [
        str(lbl)
        for j, lbl in enumerate(kb.labels)
        if close and (n_cand + j) not in set(order.tolist())
    ]
    sites = cand.iloc[chosen_new].copy()
    sites["capacity"] = cap
    w_group = _need(baseline, group, None)
    table = suggestion_table(
        baseline,
        kind=kind,
        minutes=T,
        need=w_group,
        sites=sites,
        sites_snapped=subset(cand_s, np.asarray(chosen_new, dtype=np.int64)),
        closed=closed,
        problem=problem,
        order=order,
        name_column=name_column,
    )
    return SiteSuggestions(
        table=table,
        sites=sites,
        closed=closed,
        solution=sol,
        problem=problem,
        candidates=cand,
        kind=kind,
        group=group,
        objective=objective,
        minutes=T,
    )


def _better(p: SiteProblem, a: float, b: float) -> bool:
    return a > b if p.objective == "covering" else a < b


def _required(
    baseline: Baseline,
    kind: str,
    svc: gpd.GeoDataFrame,
    close: int,
    site_dist: np.ndarray,
    n_open: int,
) -> list[np.ndarray]:
    if baseline.district is None:
        msg = (
            "site suggestions: --per-district needs the project's district column "
            "([areas] district); add it or leave --per-district out."
        )
        raise InputError(msg)
    have: set[str] = (
        set()
        if close
        else {
            str(d) for d in district_of(baseline, area_of(baseline, svc.geometry)) if d is not None
        }
    )
    lacking = [d for d in sorted(set(baseline.district.astype(str))) if d not in have]
    required: list[np.ndarray] = []
    empty: list[str] = []
    for d in lacking:
        members = np.flatnonzero(site_dist.astype(str) == d)
        if len(members):
            required.append(members)
        else:
            empty.append(d)
    if empty:
        msg = (
            f"site suggestions: districts {format_codes(empty)} have no {kind} and no candidate "
            "site; add candidates there or leave --per-district out."
        )
        raise InputError(msg)
    if len(required) > n_open:
        msg = (
            f"site suggestions: {len(required)} districts lack a {kind} but only {n_open} "
            f"site(s) open; raise --count to at least {len(required)} or leave --per-district out."
        )
        raise InputError(msg)
    return required
