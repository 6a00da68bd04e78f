"""Shared machinery of the inference functions: p-values, observed values, replicate runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from geoseg.errors import InputError
from geoseg.segregation import _engine
from geoseg.segregation._inputs import Prepared

__all__ = [
    "check_null",
    "evaluate_tables",
    "observed",
    "p_value",
    "percentile_interval",
    "simulate_bootstrap",
    "simulate_null",
]


def p_value(observed: Any, simulated: np.ndarray, alternative: str = "two-sided") -> Any:
    """Pseudo p-value(s) of ``observed`` against ``simulated`` along the last axis.

    NaN replicates (tables where the index is undefined) are ignored.
    """
    sim = np.asarray(simulated, dtype=float)
    obs = np.asarray(observed, dtype=float)[..., None]
    valid = ~np.isnan(sim)
    k = valid.sum(axis=-1)
    ge = ((sim >= obs - 1e-12 * np.abs(obs)) & valid).sum(axis=-1)
    le = ((sim <= obs + 1e-12 * np.abs(obs)) & valid).sum(axis=-1)
    p_ge = (1.0 + ge) / (k + 1.0)
    p_le = (1.0 + le) / (k + 1.0)
    if alternative == "greater":
        out = p_ge
    elif alternative == "less":
        out = p_le
    elif alternative == "two-sided":
        out = np.minimum(1.0, 2.0 * np.minimum(p_ge, p_le))
    else:
        msg = f"alternative must be 'two-sided', 'greater' or 'less', got {alternative!r}"
        raise InputError(msg)
    out = np.where(np.isnan(np.asarray(observed, dtype=float)), np.nan, out)
    return float(out) if out.ndim == 0 else out


def _simulations(prep: Prepared) -> int:
    """Inner simulated tables per replicate of a simulation-based index (1 otherwise)."""
    opts = {**prep.spec.options, **(prep.options or {})}
    if not opts.get("random") or opts.get("method", "simulation") != "simulation":
        return 1
    return int(opts.get("iterations", 1))


def check_null(null: str) -> None:
    if null not in ("evenness", "systematic"):
        msg = f"null must be 'evenness' or 'systematic', got {null!r}"
        raise InputError(msg)


def simulate_null(prep: Prepared, k: int, null: str, rng: np.random.Generator) -> np.ndarray:
    """Values of a prepared index on ``k`` tables drawn under ``null`` (vectorised, chunked)."""
    check_null(null)
    spec = prep.spec
    if spec.kind == "single":
        x, t = prep.arrays
        draw = _engine.single_null(x, t, null)
        cells = prep.n * _simulations(prep)
    else:
        (X,) = prep.arrays
        draw = _engine.multi_null(X, null)
        cells = X.size
    return _engine.run_replicates(draw, spec, k, cells, ctx=prep.ctx, options=prep.options, rng=rng)


def _settled(
    prep: Prepared, xs: np.ndarray, ts: np.ndarray, around: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Replicates whose side of ``around`` the index's bounds settle, and a value for each.

    Returns ``(settled, value)``: where ``settled``, ``value`` is a bound that lies on the same
    side of ``around`` as the index itself, more than ``1e-9 max(1, |around|)`` away (far
    beyond the tolerance of :func:`p_value` and the rounding of the exact cores). None when
    the index has no bounds or its values are simulated (a Monte-Carlo mean may cross them).
    """
    spec = prep.spec
    opts = {**spec.options, **(prep.options or {})}
    if spec.bounds is None or opts.get("method") != "exact" or not np.isfinite(around):
        return None
    low, high = (np.asarray(b, dtype=float) for b in spec.bounds(xs, ts))
    margin = 1e-9 * max(1.0, abs(around))
    below = high < around - margin
    above = low > around + margin
    return below | above, np.where(below, high, low)


def evaluate_tables(
    prep: Prepared,
    xs: np.ndarray,
    ts: np.ndarray,
    rng: np.random.Generator,
    *,
    around: float | None = None,
) -> np.ndarray:
    """Values of a prepared single-group index on given replicate tables ``xs`` (n, k).

    With ``around`` (the observed value of a randomization test), an index registered with
    ``bounds`` is evaluated only on the tables whose side of ``around`` its bounds leave
    open; the others get a bound on their side, so every comparison with ``around`` (and the
    p-value) is the same as with the index's values, at the cost of the bounds alone.
    """
    k = xs.shape[1]
    if around is not None:
        settled = _settled(prep, xs, ts, around)
        if settled is not None and settled[0].any():
            done, value = settled
            out = value.copy()
            open_ = np.flatnonzero(~done)
            if open_.size:
                t = ts if ts.ndim == 1 else ts[:, open_]
                out[open_] = evaluate_tables(prep, xs[:, open_], t, rng)
            return out
    out = np.empty(k)
    for sl in _engine.chunks(k, prep.n):
        t = ts if ts.ndim == 1 else ts[:, sl]
        out[sl] = _engine.evaluate(
            prep.spec, (xs[:, sl], t), ctx=prep.ctx, options=prep.options, rng=rng
        )
    return out


def simulate_bootstrap(prep: Prepared, k: int, method: str, rng: np.random.Generator) -> np.ndarray:
    """Values of a prepared index on ``k`` bootstrap tables (see :func:`bootstrap_ci`)."""
    if method not in ("residents", "areas"):
        msg = f"bootstrap method must be 'residents' or 'areas', got {method!r}"
        raise InputError(msg)
    if method == "areas" and prep.spec.spatial:
        msg = (
            f"index {prep.spec.name!r} is spatial: resampling areas would break the geometry; "
            "use method='residents'"
        )
        raise InputError(msg)
    if prep.spec.kind == "single":
        x, t = prep.arrays
        draw = _engine.single_bootstrap(x, t, method)
        cells = prep.n
    else:
        (X,) = prep.arrays
        draw = _engine.multi_bootstrap(X, method)
        cells = X.size
    return _engine.run_replicates(
        draw, prep.spec, k, cells, ctx=prep.ctx, options=prep.options, rng=rng
    )


def observed(prep: Prepared, rng: np.random.Generator) -> float:
    """The index on the observed table."""
    if prep.spec.kind == "single":
        x, t = prep.arrays
        arrays: tuple[np.ndarray, ...] = (x[:, None], t)
    else:
        arrays = (prep.arrays[0][None],)
    return float(
        _engine.evaluate(prep.spec, arrays, ctx=prep.ctx, options=prep.options, rng=rng)[0]
    )


def percentile_interval(sims: np.ndarray, level: float) -> tuple[float, float]:
    """Percentile interval of bootstrap values (NaN replicates ignored)."""
    sims = sims[~np.isnan(sims)]
    if sims.size == 0:
        return (float("nan"), float("nan"))
    a = (1.0 - level) / 2.0
    low, high = np.quantile(sims, [a, 1.0 - a])
    return float(low), float(high)
