"""Lagrangian bounds on the optimum of covering and median site problems (subgradient method)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from geoseg.plans._sites_solve import SiteProblem

__all__ = ["lagrangian_bound"]


def _pick(p: SiteProblem, value: np.ndarray, *, largest: bool) -> np.ndarray:
    """Boolean mask of the ``count`` best new sites and ``keep`` best closable ones."""
    mask = np.zeros(p.n_sites, dtype=bool)
    for pool, n in ((np.flatnonzero(p.new), p.count), (np.flatnonzero(~p.new), p.keep)):
        if n and len(pool):
            v = value[pool]
            order = np.argsort(-v if largest else v, kind="stable")
            mask[pool[order[:n]]] = True
    return mask


def lagrangian_bound(
    p: SiteProblem, incumbent: float, *, iterations: int = 300, seconds: float = 10.0
) -> float:
    """A bound on the optimum from the Lagrangian relaxation of the assignment constraints.

    Parameters
    ----------
    p
        The problem (covering or median, without capacities).
    incumbent
        The objective of a known solution (guides the step size).
    iterations, seconds
        At most this many subgradient steps, stopping after ``seconds`` (every step's value
        is a valid bound, so stopping early only loosens it).

    Returns
    -------
    float
        An upper bound on the optimal covering, or a lower bound on the optimal median
        objective; ``nan`` for other problems.

    Notes
    -----
    Median (Cornuejols, Fisher & Nemhauser 1977; Beasley 1993): relaxing each resident's
    "walk to exactly one open site or the fallback" with multipliers ``0 <= lambda_i <=
    w_i b_i`` gives ``L(lambda) = sum_i lambda_i + sum_j x_j rho_j`` with
    ``rho_j = sum_i min(0, w_i t_ij - lambda_i)``, minimised by the ``k`` most negative
    ``rho_j``; every ``L(lambda)`` is a lower bound. Covering (Galvao & ReVelle 1996): relaxing
    ``z_i <= sum_j a_ij x_j`` with ``0 <= mu_i <= w_i`` gives ``L(mu) = sum_i max(0, w_i -
    mu_i) + max_x sum_j x_j sum_i a_ij mu_i``, an upper bound. The multipliers follow
    projected subgradient steps of length ``theta (incumbent - L) / ||g||^2`` (Held, Wolfe &
    Crowder 1974), ``theta`` halved after 20 steps without improvement. Side constraints
    (districts, distances) are relaxed too, so the bound stays valid with them.
    """
    if p.capacity is not None or p.objective not in {"covering", "median"}:
        return float("nan")
    t0 = time.perf_counter()
    w, b = p.weights, p.fallback
    n = len(w)
    if p.objective == "median":
        sel = p.cost < b[p.res]
        r, s, c = p.res[sel], p.site[sel], w[p.res[sel]] * p.cost[sel]
        cap = w * b
        lam = cap.copy()
        best, theta, stale = -np.inf, 2.0, 0
        for _ in range(iterations):
            if time.perf_counter() - t0 > seconds:
                break
            red = np.minimum(0.0, c - lam[r])
            rho = np.bincount(s, weights=red, minlength=p.n_sites)
            on = _pick(p, rho, largest=False)
            value = float(lam.sum() + np.minimum(0.0, cap - lam).sum() + rho[on].sum())
            if not np.isfinite(best) or value > best + 1e-12 * abs(best):
                best, stale = value, 0
            else:
                stale += 1
                if stale >= 20:
                    theta, stale = theta / 2, 0
            used = on[s] & (c < lam[r])
            g = 1.0 - (cap < lam) - np.bincount(r[used], minlength=n)
            g[((lam >= cap) & (g > 0)) | ((lam <= 0) & (g < 0))] = 0.0
            norm = float(g @ g)
            if norm == 0 or theta < 1e-6:
                break
            lam = np.clip(lam + theta * max(incumbent - value, 1e-9) / norm * g, 0.0, cap)
        return float(best)
    T = p.minutes * (1 + 1e-12)
    covered = b <= T
    const = float(w[covered].sum())
    sel = ~covered[p.res] & (p.cost <= T)
    r, s = p.res[sel], p.site[sel]
    rows = np.zeros(n, dtype=bool)
    rows[r] = True
    mu = w.copy()
    best, theta, stale = np.inf, 2.0, 0
    for _ in range(iterations):
        if time.perf_counter() - t0 > seconds:
            break
        a = np.bincount(s, weights=mu[r], minlength=p.n_sites)
        on = _pick(p, a, largest=True)
        value = const + float(np.maximum(0.0, w - mu)[rows].sum() + a[on].sum())
        if not np.isfinite(best) or value < best - 1e-12 * abs(best):
            best, stale = value, 0
        else:
            stale += 1
            if stale >= 20:
                theta, stale = theta / 2, 0
        g = np.bincount(r[on[s]], minlength=n) - (w > mu).astype(float)
        g[~rows | ((mu >= w) & (g < 0)) | ((mu <= 0) & (g > 0))] = 0.0
        norm = float(g @ g)
        if norm == 0 or theta < 1e-6:
            break
        mu = np.clip(mu - theta * max(value - incumbent, 1e-9) / norm * g, 0.0, w)
    return float(best)
