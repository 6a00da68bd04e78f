"""Generic evaluation of registered index cores on observed and simulated tables.

Used by the inference functions and by the batch API, so that aspatial and spatial indices (whose
context comes from ``spec.prepare(gdf, **options)``) are handled by the same code. Simulated
tables come straight from NumPy's generators (``Generator.binomial`` and
``Generator.multinomial`` over all replicates of a chunk at once), in chunks of replicates so
memory stays bounded, and each chunk is passed to the core in one call: the speed comes from
evaluating all replicate tables in one array.

Simulation works on whole persons: float counts are rounded to the nearest integer for the
simulated tables (the observed statistic uses the counts as given).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from geoseg.segregation.registry import IndexSpec
from geoseg.settings import random_generator

__all__ = [
    "Draw",
    "chunks",
    "evaluate",
    "multi_bootstrap",
    "multi_null",
    "null_single",
    "run_replicates",
    "single_bootstrap",
    "single_null",
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
        kwargs["rng"] = random_generator(rng)
    return np.asarray(spec.core(*arrays, **kwargs), dtype=float)


def chunks(k: int, cells_per_replicate: int) -> Iterator[slice]:
    """Slices of replicates so that one chunk holds at most ``BUDGET`` cells."""
    size = max(1, BUDGET // max(cells_per_replicate, 1))
    for start in range(0, k, size):
        yield slice(start, min(start + size, k))


Draw = Callable[[np.random.Generator, int], tuple[np.ndarray, ...]]


def _whole(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t_int = np.rint(t).astype(np.int64)
    return np.minimum(np.rint(x).astype(np.int64), t_int), t_int


def single_null(x: np.ndarray, t: np.ndarray, null: str) -> Draw:
    """Sampler of tables under a null model for one group: ``draw(generator, k)`` gives
    ``x (n, k)`` and, for the systematic null, ``t (n, k)``.

    ``"evenness"``: totals fixed, ``x_i ~ Binomial(t_i, P)``. ``"systematic"``: the group's
    members and the other residents are each placed over the areas by a multinomial draw with
    probabilities ``t_i / T`` (area totals then vary), as pysal/segregation's
    ``simulate_systematic_randomization`` does.
    """
    x_int, t_int = _whole(x, t)
    n = len(t_int)
    if null == "evenness":
        P = x_int.sum() / t_int.sum()
        t_float = t_int.astype(float)

        def even(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            return g.binomial(t_int[:, None], P, size=(n, size)).astype(float), t_float

        return even
    p = t_int / t_int.sum()
    members = int(x_int.sum())
    others = int((t_int - x_int).sum())

    def systematic(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        xs = g.multinomial(members, p, size=size).T
        ts = g.multinomial(others, p, size=size).T
        ts += xs
        return xs.astype(float), ts.astype(float)

    return systematic


def null_single(
    x: np.ndarray, t: np.ndarray, k: int, null: str, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` tables under a null model for one group (see :func:`single_null`): ``x (n, k)``
    and ``t`` (``(n,)`` under evenness, ``(n, k)`` under the systematic null)."""
    xs, ts = single_null(x, t, null)(rng, k)
    return xs, ts


def multi_null(X: np.ndarray, null: str) -> Draw:
    """Sampler of tables ``(k, n, g)`` under a null model for exhaustive groups.

    ``"evenness"``: area totals fixed, each area's composition ``~ Multinomial(t_i, P)``.
    ``"systematic"``: each group's members placed over the areas by ``Multinomial(N_m, t_i/T)``.
    """
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    if null == "evenness":
        P = X_int.sum(axis=0) / X_int.sum()

        def even(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            return (g.multinomial(ti, P, size=(size, len(ti))).astype(float),)

        return even
    p = ti / ti.sum()
    members = [int(v) for v in X_int.sum(axis=0)]

    def systematic(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        cols = [g.multinomial(m, p, size=size) for m in members]  # each (size, n)
        return (np.stack(cols, axis=2).astype(float),)

    return systematic


def single_bootstrap(x: np.ndarray, t: np.ndarray, method: str) -> Draw:
    """Sampler of bootstrap tables for one group, ``(x (n, k), t)`` (see :func:`multi_bootstrap`
    for the methods)."""
    n = len(x)
    if method == "areas":

        def areas(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            idx = g.integers(0, n, size=(n, size))
            return x[idx], t[idx]

        return areas
    t_int = np.rint(t).astype(np.int64)
    t_float = t_int.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t > 0, np.clip(x / np.where(t > 0, t, 1.0), 0.0, 1.0), 0.0)

    def residents(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        return g.binomial(t_int[:, None], p[:, None], size=(n, size)).astype(float), t_float

    return residents


def multi_bootstrap(X: np.ndarray, method: str) -> Draw:
    """Sampler of bootstrap tables ``(k, n, g)``.

    ``"residents"``: each area keeps its total and its residents are redrawn from its own
    observed composition (``Multinomial(t_i, p_i)``); geometry is untouched, so it serves
    spatial indices too. ``"areas"``: areas are resampled with replacement (aspatial only).
    """
    n = X.shape[0]
    if method == "areas":

        def areas(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
            return (X[g.integers(0, n, size=(size, n))],)

        return areas
    X_int = np.rint(X).astype(np.int64)
    ti = X_int.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(ti[:, None] > 0, X_int / np.where(ti > 0, ti, 1)[:, None], 1.0 / X.shape[1])

    def residents(g: np.random.Generator, size: int) -> tuple[np.ndarray, ...]:
        return (g.multinomial(ti, p, size=(size, n)).astype(float),)

    return residents


def run_replicates(
    draw: Draw,
    spec: IndexSpec,
    k: int,
    cells: int,
    *,
    ctx: dict[str, Any] | None,
    options: dict[str, Any] | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Evaluate ``k`` replicate tables made chunk by chunk by ``draw(generator, size)``."""
    out = np.empty(k)
    for sl in chunks(k, cells):
        arrays = draw(rng, sl.stop - sl.start)
        out[sl] = evaluate(spec, arrays, ctx=ctx, options=options, rng=rng)
    return out
