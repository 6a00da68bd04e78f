"""Generic evaluation of registered index cores on observed and simulated tables.

Used by the inference functions and by the batch API, so that aspatial and spatial indices (whose
context comes from ``spec.prepare(gdf, **options)``) are handled by the same code. Simulated
tables are generated in chunks of replicates so memory stays bounded, and each chunk is passed
to the core in one call.

Simulation works on whole persons: float counts are rounded to the nearest integer for the
simulated tables (the observed statistic uses the counts as given).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from geoseg.segregation._registry import IndexSpec
from geoseg.segregation._sampling import multinomial_columns, split_draw

__all__ = [
    "bootstrap_multi",
    "bootstrap_single",
    "chunks",
    "evaluate",
    "null_multi",
    "null_single",
    "run_replicates",
    "split_options",
]

#: Upper bound on the number of table cells simulated at once.
BUDGET = 4_000_000


def split_options(spec: IndexSpec, options: dict[str, Any] | None) -> tuple[dict, dict]:
    """Split user options into those of ``spec.prepare`` and those of ``spec.core``."""
    options = dict(options or {})
    if spec.prepare is None:
        return {}, options
    params = inspect.signature(spec.prepare).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    core_params = inspect.signature(spec.core).parameters
    prep = {}
    core = {}
    for key, value in options.items():
        if key in params or (takes_any and key not in core_params):
            prep[key] = value
        else:
            core[key] = value
    return prep, core


def evaluate(
    spec: IndexSpec,
    arrays: tuple[np.ndarray, ...],
    *,
    ctx: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Call the core on ``(x, t)`` (single) or ``(X,)`` (multi/local); returns ``(k,)``."""
    kwargs = {**(ctx or {}), **(options or {})}
    if spec.options.get("random"):
        kwargs["rng"] = rng if rng is not None else np.random.default_rng()
    return np.asarray(spec.core(*arrays, **kwargs), dtype=float)


def chunks(k: int, cells_per_replicate: int) -> Iterator[slice]:
    """Slices of replicates so that one chunk holds at most ``BUDGET`` cells."""
    size = max(1, BUDGET // max(cells_per_replicate, 1))
    for start in range(0, k, size):
        yield slice(start, min(start + size, k))


def null_single(
    x: np.ndarray, t: np.ndarray, k: int, null: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` tables under a null model for one group; returns ``x (n, k)`` and ``t``.

    ``"evenness"``: totals fixed, ``x_i ~ Binomial(t_i, P)``. ``"systematic"``: the group's
    members and the other residents are each placed over the areas by a multinomial draw with
    probabilities ``t_i / T`` (area totals then vary).
    """
    t_int = np.rint(t).astype(np.int64)
    x_int = np.minimum(np.rint(x).astype(np.int64), t_int)
    n = len(t)
    if null == "evenness":
        P = x_int.sum() / t_int.sum()

        def even(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            return (g.binomial(t_int[:, None], P, size=(n, size)).astype(float),)

        return split_draw(rng, k, n, even)[0], t_int.astype(float)
    p = t_int / t_int.sum()
    n_x, n_y = int(x_int.sum()), int((t_int - x_int).sum())

    def systematic(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        xs = multinomial_columns(n_x, p, size, g)
        ts = multinomial_columns(n_y, p, size, g)
        ts += xs
        return xs.astype(float), ts.astype(float)

    xs, ts = split_draw(rng, k, 2 * n, systematic)
    return xs, ts


def null_multi(X: np.ndarray, k: int, null: str, rng: np.random.Generator) -> np.ndarray:
    """``k`` tables ``(k, n, g)`` under a null model for exhaustive groups.

    ``"evenness"``: area totals fixed, each area's composition ``~ Multinomial(t_i, P)``.
    ``"systematic"``: each group's members placed over the areas by ``Multinomial(N_m, t_i/T)``.
    """
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    if null == "evenness":
        P = X_int.sum(axis=0) / X_int.sum()

        def even(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            return (g.multinomial(ti, P, size=(size, len(ti))).astype(float),)

        return split_draw(rng, k, X.size, even, axis=0)[0]
    p = ti / ti.sum()
    members = X_int.sum(axis=0)

    def systematic(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        cols = [multinomial_columns(int(n_m), p, size, g).T for n_m in members]
        return (np.stack(cols, axis=2).astype(float),)

    return split_draw(rng, k, X.size, systematic, axis=0)[0]


def bootstrap_single(
    x: np.ndarray, t: np.ndarray, k: int, method: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` bootstrap tables for one group (see :func:`bootstrap_multi` for the methods)."""
    if method == "areas":
        idx = rng.integers(0, len(x), size=(len(x), k))
        return x[idx], t[idx]
    t_int = np.rint(t).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t > 0, np.clip(x / np.where(t > 0, t, 1.0), 0.0, 1.0), 0.0)

    def resample(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        return (g.binomial(t_int[:, None], p[:, None], size=(len(x), size)).astype(float),)

    return split_draw(rng, k, len(x), resample)[0], t_int.astype(float)


def bootstrap_multi(X: np.ndarray, k: int, method: str, rng: np.random.Generator) -> np.ndarray:
    """``k`` bootstrap tables ``(k, n, g)``.

    ``"residents"``: each area keeps its total and its residents are redrawn from its own
    observed composition (``Multinomial(t_i, p_i)``); geometry is untouched, so it serves
    spatial indices too. ``"areas"``: areas are resampled with replacement (aspatial only).
    """
    if method == "areas":
        idx = rng.integers(0, X.shape[0], size=(k, X.shape[0]))
        return X[idx]
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(ti[:, None] > 0, X_int / np.where(ti > 0, ti, 1)[:, None], 1.0 / X.shape[1])

    def resample(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        return (g.multinomial(ti, p, size=(size, len(ti))).astype(float),)

    return split_draw(rng, k, X.size, resample, axis=0)[0]


def run_replicates(
    make: Callable[[int], tuple[np.ndarray, ...]],
    spec: IndexSpec,
    k: int,
    cells: int,
    *,
    ctx: dict[str, Any] | None,
    options: dict[str, Any] | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Evaluate ``k`` replicate tables made chunk by chunk by ``make(size)``."""
    out = np.empty(k)
    for sl in chunks(k, cells):
        arrays = make(sl.stop - sl.start)
        out[sl] = evaluate(spec, arrays, ctx=ctx, options=options, rng=rng)
    return out
