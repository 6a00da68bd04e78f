"""Access measures per resident point: nearest, k nearest, counts, gravity, 2SFCA and E2SFCA.

All measures take the network and points already snapped (:func:`geoseg.access.snap_points`), so
that a baseline can be computed once and a plan (a new service, a closed path) recomputed by
calling the same functions with the edited inputs. The pairwise measures share one
:class:`Reach` table (every service-resident pair within a time limit), computed with one bounded
Dijkstra per service.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geoseg.access._paths import Reach, nearest_metres, reach_metres
from geoseg.access._snap import Snapped
from geoseg.access.network import WalkNetwork, metres_to_minutes, minutes_to_metres
from geoseg.errors import DataError
from geoseg.settings import WALK_SPEED_KMH

__all__ = [
    "E2SFCA_WEIGHTS",
    "Reach",
    "count_within",
    "decay",
    "e2sfca",
    "fca2",
    "gravity",
    "k_nearest",
    "nearest",
    "reach",
]

logger = logging.getLogger(__name__)

#: Zone weights of the enhanced 2SFCA for three equal travel-time zones (Luo & Qi 2009).
E2SFCA_WEIGHTS: tuple[float, float, float] = (1.0, 0.68, 0.22)


def nearest(
    net: WalkNetwork,
    services: Snapped,
    points: Snapped,
    *,
    speed_kmh: float = WALK_SPEED_KMH,
    max_minutes: float | None = None,
    which: bool = True,
) -> pd.DataFrame:
    """Walking time from each point to its nearest service.

    Parameters
    ----------
    net
        The walking network.
    services, points
        Snapped services (of one kind) and resident points.
    speed_kmh
        Walking speed.
    max_minutes
        Stop searching beyond this time (faster); ``None`` searches the whole network.
    which
        Also report which service is nearest (``False`` leaves ``service`` empty; faster).

    Returns
    -------
    DataFrame
        Index: the points' labels; columns ``minutes`` (``inf`` when unreachable) and ``service``
        (label of the nearest service, ``None`` when unreachable).

    Notes
    -----
    One multi-source Dijkstra from all services at once. The time includes the straight walks
    between each point and its street (snap distances): ``t = metres / (speed_kmh / 3.6) / 60``.
    """
    limit = np.inf if max_minutes is None else minutes_to_metres(max_minutes, speed_kmh)
    metres, best = nearest_metres(net, services, points, limit_m=limit, which=which)
    service = np.full(len(best), None, dtype=object)
    found = best >= 0
    if np.any(found):
        service[found] = np.asarray(services.index, dtype=object)[best[found]]
    return pd.DataFrame(
        {"minutes": metres_to_minutes(metres, speed_kmh), "service": service}, index=points.index
    )


def reach(
    net: WalkNetwork,
    services: Snapped,
    points: Snapped,
    *,
    minutes: float,
    speed_kmh: float = WALK_SPEED_KMH,
) -> Reach:
    """Every service-point pair within ``minutes`` of walking (bounded Dijkstra per service).

    Parameters
    ----------
    net
        The walking network.
    services
        Snapped services (of one kind), the sources of the searches.
    points
        Snapped resident points, the targets.
    minutes
        Time limit of the table: pairs farther apart in walking time are left out. The measures
        computed from the table can use any time up to this limit.
    speed_kmh
        Walking speed that turns network metres into minutes.

    Returns
    -------
    Reach
        Pairs as positions into ``services`` and ``points`` with network metres and minutes
        (each pair once, with its shortest walk); the input to :func:`k_nearest`,
        :func:`count_within`, :func:`gravity`, :func:`fca2` and :func:`e2sfca`.

    Notes
    -----
    One Dijkstra (Dijkstra 1959, as implemented in :func:`scipy.sparse.csgraph.dijkstra`)
    per service, bounded by the limit ``minutes_to_metres(minutes, speed_kmh)``, either on the
    local piece of the network that can hold paths of that length or on the whole network. The
    distance of a pair is ``snap_s + min_{e,f} (off_s,e + d(e, f) + off_p,f) + snap_p``, where
    ``e`` and ``f`` are the ends of the edges the service and the point sit on, ``off`` the
    network metres to that end and ``snap`` the straight walk to the street (see
    :class:`geoseg.access.Snapped`); two on the same edge may also walk directly along it.
    ``t = metres / (speed_kmh / 3.6) / 60``. The limit is widened by one part in 10^12 so that
    a pair at exactly ``minutes`` is kept despite rounding.
    """
    table = reach_metres(
        net, services, points, limit_m=minutes_to_metres(minutes, speed_kmh) * (1 + 1e-12)
    )
    return dataclasses.replace(table, speed_kmh=float(speed_kmh))


def k_nearest(table: Reach, k: int) -> np.ndarray:
    """Minutes to the ``k`` nearest services of each point, ascending.

    Returns an array (points x k); ``inf`` where fewer than ``k`` services are within the reach
    table's limit.
    """
    if k < 1:
        msg = f"k_nearest: k must be at least 1, got {k}"
        raise DataError(msg)
    out = np.full((table.n_points, k), np.inf)
    if not len(table.point):
        return out
    mins = table.minutes
    order = np.lexsort((mins, table.point))
    p = table.point[order]
    start = np.searchsorted(p, p, side="left")
    rank = np.arange(len(p)) - start
    keep = rank < k
    out[p[keep], rank[keep]] = mins[order][keep]
    return out


def count_within(table: Reach, *, minutes: float) -> np.ndarray:
    """Number of services within ``minutes`` of walking of each point.

    Parameters
    ----------
    table
        Reach table (:func:`reach`) computed up to at least ``minutes``.
    minutes
        Walking time within which a service is counted (inclusive).

    Returns
    -------
    ndarray
        Integer count per point, in the order of the points the table was computed for (0 where
        no service is within reach).

    Raises
    ------
    DataError
        ``minutes`` beyond the table's limit: services farther than the limit are absent from
        the table, so the count would be too low.

    Notes
    -----
    The cumulative-opportunities measure (Handy & Niemeier 1997, "Measuring accessibility: an
    exploration of issues and alternatives", *Environment and Planning A* 29): ``A_i = sum_j
    [t_ij <= d0]``, each service counted once at its shortest walk. ``t_ij <= d0`` is tested
    with a tolerance of one part in 10^12, as the table's limit is.
    """
    _check_limit(table, minutes)
    ok = table.minutes <= minutes * (1 + 1e-12)
    return np.bincount(table.point[ok], minlength=table.n_points)


def decay(minutes: ArrayLike, *, kind: str = "gaussian", scale: float = 10.0) -> np.ndarray:
    """Distance-decay weight of a walking time.

    ``gaussian``: ``exp(-0.5 * (t / scale)**2)``; ``exponential``: ``exp(-t / scale)``;
    ``none``: 1.  ``scale`` is in minutes.
    """
    t = np.asarray(minutes, dtype=float)
    if kind == "gaussian":
        return np.exp(-0.5 * (t / scale) ** 2)
    if kind == "exponential":
        return np.exp(-t / scale)
    if kind == "none":
        return np.ones_like(t)
    msg = f"decay: unknown kind {kind!r}; use 'gaussian', 'exponential' or 'none'"
    raise DataError(msg)


def _supply(table: Reach, capacity: ArrayLike | None) -> np.ndarray:
    if capacity is None:
        return np.ones(table.n_sources)
    cap = np.asarray(capacity, dtype=float)
    if cap.shape != (table.n_sources,):
        msg = f"capacity has {cap.shape[0]} values for {table.n_sources} services"
        raise DataError(msg)
    missing = ~np.isfinite(cap)
    if missing.any():
        logger.warning("%d services have no capacity; counted as capacity 1", int(missing.sum()))
        cap = np.where(missing, 1.0, cap)
    return cap


def _check_limit(table: Reach, minutes: float) -> None:
    limit_min = float(metres_to_minutes(table.limit_m, table.speed_kmh))
    if minutes > limit_min * (1 + 1e-9):
        msg = (
            f"the reach table was computed up to {limit_min:.3g} minutes; "
            f"recompute it with minutes >= {minutes}"
        )
        raise DataError(msg)


def gravity(
    table: Reach,
    *,
    capacity: ArrayLike | None = None,
    kind: str = "gaussian",
    scale: float = 10.0,
) -> np.ndarray:
    """Gravity (potential) access of each point: ``A_i = sum_j S_j f(t_ij)``.

    Parameters
    ----------
    table
        Reach table; services beyond its limit contribute nothing (a truncated decay).
    capacity
        Supply ``S_j`` of each service (default 1: a decayed count of services).
    kind, scale
        Decay function and its scale in minutes, see :func:`decay`.

    Notes
    -----
    Hansen (1959) potential accessibility with a Gaussian or exponential decay of walking time.
    """
    w = decay(table.minutes, kind=kind, scale=scale)
    s = _supply(table, capacity)
    return np.bincount(table.point, weights=s[table.source] * w, minlength=table.n_points)


def _fca(
    table: Reach, capacity: ArrayLike | None, demand: ArrayLike, weight: np.ndarray
) -> np.ndarray:
    s = _supply(table, capacity)
    p = np.asarray(demand, dtype=float)
    if p.shape != (table.n_points,):
        msg = f"demand has {p.shape[0]} values for {table.n_points} points"
        raise DataError(msg)
    used = weight > 0
    src, pt, w = table.source[used], table.point[used], weight[used]
    pressure = np.bincount(src, weights=p[pt] * w, minlength=table.n_sources)
    ratio = np.divide(s, pressure, out=np.zeros_like(s), where=pressure > 0)
    return np.bincount(pt, weights=ratio[src] * w, minlength=table.n_points)


def fca2(
    table: Reach, *, capacity: ArrayLike | None = None, demand: ArrayLike, minutes: float
) -> np.ndarray:
    """Two-step floating catchment access (2SFCA) of each point.

    Parameters
    ----------
    table
        Reach table computed up to at least ``minutes``.
    capacity
        Supply ``S_j`` of each service (default 1).
    demand
        Demand ``P_k`` at each point (persons of the service's demand group).
    minutes
        Catchment ``d0``.

    Returns
    -------
    ndarray
        ``A_i``: supply per person of demand reachable from point ``i``.

    Notes
    -----
    Luo & Wang (2003): step 1, for each service ``R_j = S_j / sum_{k: t_kj <= d0} P_k``;
    step 2, ``A_i = sum_{j: t_ij <= d0} R_j``. A service with no demand in its catchment gets
    ``R_j = 0`` (no point that could use it has any demand).
    """
    _check_limit(table, minutes)
    w = (table.minutes <= minutes * (1 + 1e-12)).astype(float)
    return _fca(table, capacity, demand, w)


def e2sfca(
    table: Reach,
    *,
    capacity: ArrayLike | None = None,
    demand: ArrayLike,
    minutes: float,
    zones: Sequence[float] | None = None,
    weights: Sequence[float] = E2SFCA_WEIGHTS,
) -> np.ndarray:
    """Enhanced two-step floating catchment access (E2SFCA) of each point.

    Parameters
    ----------
    table, capacity, demand, minutes
        As in :func:`fca2`; ``minutes`` is the outer catchment.
    zones
        Upper time bounds of the zones in minutes, ascending, last = ``minutes``; by default
        ``len(weights)`` equal zones (for 15 minutes: 0-5, 5-10, 10-15).
    weights
        Weight of each zone; default 1.00, 0.68, 0.22.

    Notes
    -----
    Luo & Qi (2009): with zones ``D_r`` and weights ``W_r``,
    ``R_j = S_j / sum_r sum_{k in D_r} P_k W_r`` and ``A_i = sum_r sum_{j in D_r} R_j W_r``.
    A time exactly on a zone bound belongs to the inner zone.
    """
    _check_limit(table, minutes)
    wts = np.asarray(weights, dtype=float)
    if zones is None:
        bounds = minutes * np.arange(1, len(wts) + 1) / len(wts)
    else:
        bounds = np.asarray(zones, dtype=float)
    if bounds.shape != wts.shape or np.any(np.diff(bounds) <= 0):
        msg = "e2sfca: zones must be ascending and as many as weights"
        raise DataError(msg)
    t = table.minutes
    zone = np.searchsorted(bounds * (1 + 1e-12), t, side="left")
    w = np.where(zone < len(wts), wts[np.clip(zone, 0, len(wts) - 1)], 0.0)
    return _fca(table, capacity, demand, w)
