"""Solvers of the site-suggestion problem: exact mixed-integer (PuLP + HiGHS) and greedy.

The problem arrives as sparse pairs (resident, site, minutes) that can improve on each
resident's fallback time, see :class:`SiteProblem`. Both solvers return the chosen sites, the
objective and a bound on the optimum, so that the answer says how far from optimal it can be.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from geoseg.errors import InputError
from geoseg.plans._sites_bound import lagrangian_bound

__all__ = [
    "OBJECTIVES",
    "SiteProblem",
    "Solution",
    "evaluate",
    "gap_of",
    "rank",
    "size",
    "solve_exact",
    "solve_greedy",
]

logger = logging.getLogger(__name__)

#: Objectives: maximal covering, p-median, min-max mean time over equity groups.
OBJECTIVES = ("covering", "median", "equity")


@dataclass(eq=False)
class SiteProblem:
    """A site-location problem on a sparse resident x site cost table.

    Attributes
    ----------
    objective
        One of :data:`OBJECTIVES`.
    weights
        Need of each resident point (persons, possibly weighted).
    fallback
        Minutes from each resident to the nearest service that stays open (``penalty`` when
        none does or it is farther).
    penalty
        Minutes counted for a resident who reaches no service (median and equity).
    minutes
        The covering threshold ``T``.
    res, site, cost
        Pairs: resident position, site position, walking minutes. For covering, every pair
        within ``T``; otherwise the pairs with ``cost < fallback``.
    n_sites
        Number of optional sites (candidates, then closable existing services).
    count
        New sites to open among ``new`` sites.
    new
        Boolean per site: a new candidate (True) or an existing service that may close.
    keep
        Existing services to keep open among the closable ones (0 when none is closable).
    required
        Lists of site positions of which at least one must open (one per district lacking a
        service).
    conflicts
        Pairs of site positions closer than the minimum distance (at most one may open).
    capacity
        Need-weighted persons each site can serve (``None``: unlimited).
    group
        Equity group of each resident (-1: in none).
    n_groups
        Number of equity groups.
    """

    objective: str
    weights: np.ndarray
    fallback: np.ndarray
    penalty: float
    minutes: float
    res: np.ndarray
    site: np.ndarray
    cost: np.ndarray
    n_sites: int
    count: int
    new: np.ndarray
    keep: int = 0
    required: list[np.ndarray] = field(default_factory=list)
    conflicts: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    capacity: np.ndarray | None = None
    group: np.ndarray | None = None
    n_groups: int = 0

    @property
    def n_open(self) -> int:
        """Sites opened in total (new ones plus kept closable ones)."""
        return self.count + self.keep


@dataclass(eq=False)
class Solution:
    """Chosen sites and how good they are.

    Attributes
    ----------
    chosen
        Site positions opened (new and kept), in the order the greedy ranking adds them.
    objective
        Value of the objective (covering: need within ``T``, larger is better; median:
        need-weighted minutes; equity: the worst group's mean minutes; smaller is better).
    bound
        A bound on the optimum (upper for covering, lower otherwise): HiGHS's dual bound for
        the exact method (relative gap tolerance 1e-7), the bounds of :func:`solve_greedy`
        otherwise.
    gap
        ``|bound - objective| / |objective|``: how far from optimal the answer can be.
    method
        ``"exact"`` or ``"greedy"``.
    guarantee
        A worst-case guarantee of the method in words (empty for exact).
    seconds
        Time spent solving.
    """

    chosen: np.ndarray
    objective: float
    bound: float
    gap: float
    method: str
    guarantee: str = ""
    seconds: float = 0.0


def evaluate(p: SiteProblem, chosen: Any) -> float:
    """The objective of opening the sites ``chosen``.

    Notes
    -----
    Covering: ``sum_i w_i [min(b_i, min_{j in S} t_ij) <= T]``.
    Median: ``sum_i w_i min(b_i, min_{j in S} t_ij)``.
    Equity: ``max_g sum_{i in g} w_i t_i(S) / sum_{i in g} w_i``.
    Capacities are not applied here (each resident walks to the nearest open site).
    """
    t = _times(p, np.asarray(chosen, dtype=np.int64))
    if p.objective == "covering":
        return float(p.weights[t <= p.minutes * (1 + 1e-12)].sum())
    if p.objective == "median":
        return float(np.dot(p.weights, t))
    return float(np.max(_group_means(p, t)))


def _times(p: SiteProblem, chosen: np.ndarray) -> np.ndarray:
    t = p.fallback.copy()
    on = np.zeros(p.n_sites, dtype=bool)
    on[chosen] = True
    sel = on[p.site]
    np.minimum.at(t, p.res[sel], p.cost[sel])
    return t


def _group_means(p: SiteProblem, t: np.ndarray) -> np.ndarray:
    g = p.group if p.group is not None else np.zeros(len(t), dtype=np.int64)
    n = max(p.n_groups, 1)
    ok = g >= 0
    wsum = np.bincount(g[ok], weights=p.weights[ok], minlength=n)
    tsum = np.bincount(g[ok], weights=(p.weights * t)[ok], minlength=n)
    return np.divide(tsum, wsum, out=np.zeros(n), where=wsum > 0)


def gap_of(obj: float, bound: float) -> float:
    if not (math.isfinite(obj) and math.isfinite(bound)):
        return float("nan")
    if obj == 0:
        return 0.0 if bound == 0 else float("inf")
    return abs(bound - obj) / abs(obj)


# ---------------------------------------------------------------------------------- exact


def size(p: SiteProblem) -> int:
    """Number of variables of the mixed-integer model (to choose exact or greedy)."""
    if p.objective == "covering" and p.capacity is None:
        return p.n_sites + len(np.unique(p.res))
    return p.n_sites + len(p.res)


def _infeasible(p: SiteProblem, what: str) -> InputError:
    msg = (
        f"site suggestions: no choice of {p.count} new site(s) meets the constraints ({what}); "
        "lower --min-distance, drop --per-district, raise --count or widen the candidates."
    )
    return InputError(msg)


def solve_exact(p: SiteProblem, *, time_limit: float = 120.0) -> Solution:
    """Solve the problem exactly as a mixed-integer programme with PuLP and HiGHS.

    Notes
    -----
    With ``x_j`` = 1 when site ``j`` opens and the constraints ``sum_{j new} x_j = k``,
    ``sum_{j closable} x_j = keep``, ``sum_{j in D} x_j >= 1`` per required set ``D`` and
    ``x_a + x_b <= 1`` per conflicting pair:

    Maximal covering (Church & ReVelle 1974): maximise ``sum_i w_i z_i`` subject to
    ``z_i <= sum_{j: t_ij <= T} x_j``, ``0 <= z_i <= 1``; residents already covered by a service
    that stays open are a constant. Rows with the same covering set are merged (exact).

    p-median with fixed facilities (Hakimi 1964; ReVelle & Swain 1970): minimise
    ``sum_i w_i b_i - sum_{ij} w_i (b_i - t_ij) y_ij`` subject to ``sum_j y_ij <= 1`` and
    ``y_ij <= x_j``, over the pairs with ``t_ij < b_i`` (``b_i``: minutes to the nearest service
    that stays, the resident's fallback).

    Equity: minimise ``z`` subject to ``z >= (sum_{i in g} w_i b_i - sum_{i in g, j}
    w_i (b_i - t_ij) y_ij) / W_g`` for every group ``g``, with a tie-break of 1e-6 times the
    normalised median objective.

    Capacity: ``sum_i w_i y_ij <= C_j x_j`` (covering then assigns covered residents ``y_ij``).
    """
    import pulp

    t0 = time.perf_counter()
    sense = pulp.LpMaximize if p.objective == "covering" else pulp.LpMinimize
    prob = pulp.LpProblem("sites", sense)
    var = getattr(prob, "add_variable", None) or pulp.LpVariable
    x = [var(f"x{j}", cat="Binary") for j in range(p.n_sites)]
    new = np.flatnonzero(p.new)
    old = np.flatnonzero(~p.new)
    prob += pulp.lpSum(x[j] for j in new) == p.count
    if len(old):
        prob += pulp.lpSum(x[j] for j in old) == p.keep
    for req in p.required:
        prob += pulp.lpSum(x[int(j)] for j in req) >= 1
    for a, b in p.conflicts:
        prob += x[int(a)] + x[int(b)] <= 1
    w = p.weights
    const = 0.0
    if p.objective == "covering" and p.capacity is None:
        covered = p.fallback <= p.minutes * (1 + 1e-12)
        const = float(w[covered].sum())
        keep = ~covered[p.res]
        res, site = p.res[keep], p.site[keep]
        order = np.lexsort((site, res))
        res, site = res[order], site[order]
        starts = np.flatnonzero(np.r_[True, res[1:] != res[:-1]])
        rows: dict[tuple[int, ...], float] = {}
        for s, e in zip(starts, [*starts[1:], len(res)], strict=True):
            key = tuple(site[s:e].tolist())
            rows[key] = rows.get(key, 0.0) + float(w[res[s]])
        terms = []
        for n, (key, weight) in enumerate(rows.items()):
            z = var(f"z{n}", lowBound=0, upBound=1)
            prob += z <= pulp.lpSum(x[j] for j in key)
            terms.append(weight * z)
        prob += pulp.lpSum(terms) + const
    else:
        if p.objective == "covering":
            covered = p.fallback <= p.minutes * (1 + 1e-12)
            const = float(w[covered].sum())
            sel = ~covered[p.res] & (p.cost <= p.minutes * (1 + 1e-12))
            gain = w[p.res[sel]]
        else:
            sel = p.cost < p.fallback[p.res]
            gain = w[p.res[sel]] * (p.fallback[p.res[sel]] - p.cost[sel])
        res, site = p.res[sel], p.site[sel]
        y = [var(f"y{n}", lowBound=0, upBound=1) for n in range(len(res))]
        by_res: dict[int, list[Any]] = {}
        for n, (i, j) in enumerate(zip(res.tolist(), site.tolist(), strict=True)):
            prob += y[n] <= x[j]
            by_res.setdefault(i, []).append(y[n])
        for ys in by_res.values():
            if len(ys) > 1:
                prob += pulp.lpSum(ys) <= 1
        if p.capacity is not None:
            by_site: dict[int, list[Any]] = {}
            for n, (i, j) in enumerate(zip(res.tolist(), site.tolist(), strict=True)):
                by_site.setdefault(j, []).append(float(w[i]) * y[n])
            for j, terms in by_site.items():
                prob += pulp.lpSum(terms) <= float(p.capacity[j]) * x[j]
        if p.objective == "covering":
            prob += pulp.lpSum(g * v for g, v in zip(gain.tolist(), y, strict=True)) + const
        elif p.objective == "median":
            const = float(np.dot(w, p.fallback))
            prob += const - pulp.lpSum(g * v for g, v in zip(gain.tolist(), y, strict=True))
        else:
            grp = p.group if p.group is not None else np.zeros(len(w), dtype=np.int64)
            wsum = np.bincount(grp[grp >= 0], weights=w[grp >= 0], minlength=p.n_groups)
            base = np.bincount(
                grp[grp >= 0], weights=(w * p.fallback)[grp >= 0], minlength=p.n_groups
            )
            zvar = var("z", lowBound=0)
            per_g: dict[int, list[Any]] = {}
            for n, i in enumerate(res.tolist()):
                if grp[i] >= 0:
                    per_g.setdefault(int(grp[i]), []).append(float(gain[n]) * y[n])
            for g in range(p.n_groups):
                if wsum[g] > 0:
                    prob += zvar * float(wsum[g]) >= float(base[g]) - pulp.lpSum(per_g.get(g, []))
            total = float(np.dot(w, p.fallback)) or 1.0
            tie = 1e-6 / total * float(np.max(base / np.where(wsum > 0, wsum, 1)) or 1.0)
            prob += zvar - tie * pulp.lpSum(g * v for g, v in zip(gain.tolist(), y, strict=True))
    solver = _solver(time_limit)
    t1 = time.perf_counter()
    with _quiet_stdout():  # HiGHS prints its banner on the C standard output
        prob.solve(solver)
    status = pulp.LpStatus[prob.status]
    logger.info(
        "site suggestions: model built in %.1f s, solved in %.1f s (%s)",
        t1 - t0,
        time.perf_counter() - t1,
        status,
    )
    if status == "Infeasible":
        raise _infeasible(p, "the mixed-integer programme is infeasible")
    proven = prob.sol_status == pulp.LpSolutionOptimal
    if prob.sol_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        msg = (
            f"site suggestions: the solver found no solution in {time_limit:g} s "
            f"(status {status!r}); use method='greedy', fewer candidates or a longer time limit."
        )
        raise InputError(msg)
    chosen = np.flatnonzero([(v.varValue or 0.0) > 0.5 for v in x])
    obj = evaluate(p, chosen) if p.capacity is None else _capacitated_value(p, prob)
    bound = _dual_bound(prob, maximise=p.objective == "covering")
    if p.objective == "equity" or not np.isfinite(bound):  # tie-break term: no plain bound
        bound = obj if proven else float("nan")
    else:  # the solver's bound, never on the wrong side of the answer after rounding
        bound = max(bound, obj) if p.objective == "covering" else min(bound, obj)
    if not proven:
        logger.warning("site suggestions: time limit reached; gap at most %.3g", gap_of(obj, bound))
    return Solution(
        chosen=chosen,
        objective=obj,
        bound=bound,
        gap=gap_of(obj, bound),
        method="exact" if proven else "exact (time limit)",
        seconds=time.perf_counter() - t0,
    )


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send file descriptor 1 to the null device (keeps ``--format json`` output clean)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured output without a descriptor
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _dual_bound(prob: Any, *, maximise: bool) -> float:
    """HiGHS's bound on the optimum, in the model's sense and with its constant term.

    PuLP hands HiGHS the objective without its constant, negated when maximising.
    """
    model = getattr(prob, "solverModel", None)
    try:
        raw = float(model.getInfo().mip_dual_bound)  # type: ignore[union-attr]
    except AttributeError:
        return float("nan")
    const = float(prob.objective.constant or 0.0)
    return (-raw if maximise else raw) + const


def _capacitated_value(p: SiteProblem, prob: Any) -> float:
    """The objective of a capacitated model (its assignment, not the nearest site)."""
    if p.objective == "equity":
        return float(prob.variablesDict()["z"].varValue)
    return float(prob.objective.value())


def _solver(time_limit: float) -> Any:
    import pulp

    for name in ("HiGHS", "HiGHS_CMD"):
        solver = pulp.getSolver(name, msg=False, timeLimit=time_limit, gapRel=1e-7)
        if solver is not None and solver.available():
            return solver
    msg = "site suggestions: the HiGHS solver is not installed; pip install highspy"
    raise InputError(msg)


# --------------------------------------------------------------------------------- greedy


def _gains(p: SiteProblem, t: np.ndarray) -> np.ndarray:
    """Improvement of the objective by opening each site next (larger is better)."""
    w = p.weights
    if p.objective == "covering":
        T = p.minutes * (1 + 1e-12)
        sel = (t[p.res] > T) & (p.cost <= T)
        return np.bincount(p.site[sel], weights=w[p.res[sel]], minlength=p.n_sites)
    saved = np.maximum(t[p.res] - p.cost, 0.0) * w[p.res]
    if p.objective == "median":
        return np.bincount(p.site, weights=saved, minlength=p.n_sites)
    grp = p.group if p.group is not None else np.zeros(len(w), dtype=np.int64)
    G = max(p.n_groups, 1)
    ok = grp[p.res] >= 0
    red = np.bincount(
        p.site[ok] * G + grp[p.res[ok]], weights=saved[ok], minlength=p.n_sites * G
    ).reshape(p.n_sites, G)
    means = _group_means(p, t)
    wsum = np.bincount(grp[grp >= 0], weights=w[grp >= 0], minlength=G)
    after = means[None, :] - red / np.where(wsum > 0, wsum, 1.0)[None, :]
    worst = after.max(axis=1)
    # the fall of the worst group's mean, with the fall of the total as a tie-break
    total = np.bincount(p.site, weights=saved, minlength=p.n_sites)
    return (means.max() - worst) + 1e-9 * total / max(float(np.dot(w, t)), 1.0)


def solve_greedy(p: SiteProblem) -> Solution:
    """Open sites one at a time, each the best next one (greedy), and bound the optimum.

    Notes
    -----
    Covering and median: the objectives as gains over the fallback, ``f(S) = sum_i w_i
    [t_i(S) <= T]`` and ``f(S) = sum_i w_i (b_i - t_i(S))``, are monotone submodular, so the
    greedy choice of ``k`` sites reaches at least ``1 - 1/e`` (63.2 %) of the optimal gain
    without side constraints (Nemhauser, Wolsey & Fisher 1978). Whatever the constraints, the
    optimal gain is at most ``f(S) + sum of the k largest gains of single sites added to S``
    (the same paper) and at most the gain of opening every candidate; the smaller is reported
    as the bound, or the Lagrangian bound of :func:`geoseg.plans._sites_bound.lagrangian_bound`
    when tighter. Equity: the worst group's mean with every candidate open is a lower bound.
    Required sets (one per district) are filled first when the remaining count demands it;
    conflicting sites are skipped.
    """
    t0 = time.perf_counter()
    t = p.fallback.copy()
    avail = p.new.copy()
    chosen: list[int] = []
    conflicts = p.conflicts
    need = [set(map(int, r)) for r in p.required]
    closable = np.flatnonzero(~p.new)
    if len(closable):  # keep the closable services that serve the most (greedy as well)
        avail_old = ~p.new
        for _ in range(p.keep):
            gains = np.where(avail_old, _gains(p, t), -np.inf)
            j = int(np.argmax(gains))
            chosen.append(j)
            avail_old[j] = False
            t = _open(p, t, j)
        need = [r for r in need if not (r & set(chosen))]
    for step in range(p.count):
        gains = _gains(p, t)
        mask = avail.copy()
        left = p.count - step
        open_need = [r for r in need if not (r & set(chosen))]
        if open_need and len(open_need) >= left:
            inside = np.zeros(p.n_sites, dtype=bool)
            for r in open_need:
                inside[list(r)] = True
            mask &= inside
        if not mask.any():
            raise _infeasible(p, f"no candidate left at step {step + 1}")
        j = int(np.argmax(np.where(mask, gains, -np.inf)))
        chosen.append(j)
        avail[j] = False
        if len(conflicts):
            for a, b in conflicts:
                if a == j:
                    avail[b] = False
                elif b == j:
                    avail[a] = False
        t = _open(p, t, j)
    if any(not (r & set(chosen)) for r in need):
        raise _infeasible(p, "a district is left without a site")
    sel = np.asarray(chosen, dtype=np.int64)
    obj = evaluate(p, sel)
    bound, guarantee = _greedy_bound(p, sel, t, obj)
    return Solution(
        chosen=sel,
        objective=obj,
        bound=bound,
        gap=gap_of(obj, bound),
        method="greedy",
        guarantee=guarantee,
        seconds=time.perf_counter() - t0,
    )


def _open(p: SiteProblem, t: np.ndarray, j: int) -> np.ndarray:
    sel = p.site == j
    out = t.copy()
    np.minimum.at(out, p.res[sel], p.cost[sel])
    return out


def _greedy_bound(
    p: SiteProblem, chosen: np.ndarray, t: np.ndarray, obj: float
) -> tuple[float, str]:
    everything = np.arange(p.n_sites)
    all_open = evaluate(p, everything)
    if p.objective == "equity":
        return all_open, "no worst-case guarantee (min-max is not submodular)"
    base = evaluate(p, np.empty(0, dtype=np.int64))
    gains = np.sort(_gains(p, t)[p.new & ~np.isin(everything, chosen)])[::-1]
    extra = float(gains[: p.count].sum())
    plain = not p.required and not len(p.conflicts) and p.capacity is None and p.keep == 0
    guarantee = "at least 63.2% (1 - 1/e) of the optimal gain" if plain else ""
    lagrange = lagrangian_bound(p, obj)
    if p.objective == "covering":
        bound = min(obj + extra, all_open)
        if plain:
            bound = min(bound, base + (obj - base) / (1 - 1 / math.e))
        return (min(bound, lagrange) if np.isfinite(lagrange) else bound), guarantee
    bound = max(obj - extra, all_open)
    if plain:
        bound = max(bound, base - (base - obj) / (1 - 1 / math.e))
    return (max(bound, lagrange) if np.isfinite(lagrange) else bound), guarantee


def rank(p: SiteProblem, chosen: np.ndarray) -> np.ndarray:
    """Order the chosen sites by their greedy contribution: best first, then best next.

    Kept closable services come first (they are part of every suggestion).
    """
    kept = [int(j) for j in chosen if not p.new[j]]
    rest = [int(j) for j in chosen if p.new[j]]
    t = p.fallback.copy()
    for j in kept:
        t = _open(p, t, j)
    order: list[int] = []
    while rest:
        gains = _gains(p, t)
        j = max(rest, key=lambda s: (gains[s], -s))
        order.append(j)
        rest.remove(j)
        t = _open(p, t, j)
    return np.asarray(kept + order, dtype=np.int64)
