"""Fast exact samplers of simulated tables: multinomial columns and shared binomial tables.

Multinomial columns (the systematic null model) are drawn by Poissonization: independent
``Poisson(lambda p_i)`` counts with ``lambda`` a little below ``N`` are, given their sum ``s``,
exactly ``Multinomial(s, p)``; columns whose sum exceeds ``N`` are redrawn, and the remaining
``N - s`` persons of each column are placed one by one (categorical draws from a guide table).
The sum of the two independent parts is exactly ``Multinomial(N, p)`` (Devroye 1986,
"Non-uniform random variate generation", ch. XI). The Poisson counts come from exact
per-area tables (:mod:`geoseg.segregation._poisson`), built once per request. The compiled
kernel ``geoseg.segregation._draws`` runs the same steps on the same uniform variates, so it
gives the same tables as the NumPy code, several times faster than NumPy's
sequential-binomial multinomial.

The Carrington-Troske indices draw binomial tables as described below.

The modified dissimilarity and the modified Gini average an index over hundreds of tables
drawn from the same null model, ``Binomial(t_i, P)``. The tables are drawn as one ``(n, size)``
array (areas by simulations) with the draws of one area consecutive, so that NumPy's binomial
sampler keeps its set-up for the area's parameters instead of recomputing it for every value.

The last table set (up to a few million cells) is remembered together with the generator
state it was drawn from and the state it left behind: a second request with the same
parameters from a generator in the same state (the other index of the pair, seeded alike)
gets the same array and leaves its generator exactly where drawing would have; the memo is
then emptied. Results are therefore identical with or without the memo; it only saves the
second draw.

Large sets of replicate tables are drawn in two halves by :func:`split_draw`, each half from
its own generator seeded from the caller's, on two threads (NumPy's samplers release the GIL).
The halves and their seeds depend only on the request, never on the number of processors, so
a seed gives the same tables on every machine, with one core or many.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from geoseg.segregation._parallel import parallel_map
from geoseg.segregation._poisson import PoissonRows

_draws: Any
try:
    from geoseg.segregation import _draws  # type: ignore[attr-defined,no-redef]
except ImportError:  # pragma: no cover - depends on the build
    _draws = None

#: Draw multinomial columns with the compiled kernel when it is built (same tables).
USE_COMPILED: bool = _draws is not None

__all__ = [
    "Multinomial",
    "binomial_columns",
    "multinomial_columns",
    "multinomials",
    "split_draw",
]

#: Requests of at least this many cells are drawn in two halves (see :func:`split_draw`).
_SPLIT_CELLS = 200_000


def split_draw(
    rng: np.random.Generator,
    k: int,
    cells: int,
    draw: Callable[[np.random.Generator, int], tuple[np.ndarray, ...]],
    *,
    axis: int = -1,
) -> tuple[np.ndarray, ...]:
    """``draw(generator, size)`` for ``k`` replicates, in two halves when the request is large.

    ``cells`` is the number of values per replicate. Each half has a generator seeded from
    ``rng``; the halves' arrays are joined along ``axis``. The split depends only on ``k`` and
    ``cells``, so results do not depend on the machine; with two or more processors the
    halves are drawn on two threads.
    """
    if k < 2 or k * cells < _SPLIT_CELLS:
        return draw(rng, k)
    seeds = rng.integers(0, 2**63 - 1, size=2)
    gens = [np.random.default_rng(int(s)) for s in seeds]
    sizes = [k // 2, k - k // 2]
    parts = parallel_map(lambda half: draw(*half), list(zip(gens, sizes, strict=True)))
    return tuple(np.concatenate(arrays, axis=axis) for arrays in zip(*parts, strict=True))


#: Poisson mean ``N - _SLACK * sqrt(N)``: about one column in six is redrawn and about
#: ``sqrt(N)`` persons per column are placed one by one, the cheapest balance measured.
_SLACK = 1.0

#: Below this many persons per area, NumPy's own multinomial is as fast.
_MIN_PER_AREA = 20


def _guide(cdf: np.ndarray) -> np.ndarray:
    """Guide table of a categorical distribution: four cells per category."""
    m = 4 * cdf.size  # most uniforms resolve at once
    return np.searchsorted(cdf, np.arange(m) / m, side="right")


def _categorical(cdf: np.ndarray, guide: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index ``i`` with ``cdf[i - 1] <= u < cdf[i]`` for each uniform ``u``."""
    m = guide.size
    idx = guide[np.minimum((u * m).astype(np.int64), m - 1)]
    active = np.flatnonzero(cdf[idx] <= u)
    while active.size:
        idx[active] += 1
        active = active[cdf[idx[active]] <= u[active]]
    return idx


class Multinomial:
    """Columns of ``Multinomial(trials, p)`` (``p`` is normalised; zero entries get zero counts).

    The Poisson tables are built once (:class:`~geoseg.segregation._poisson.PoissonRows`), so
    one instance serves several calls of :meth:`draw`, from several threads.
    """

    def __init__(self, trials: int, p: np.ndarray) -> None:
        p = np.asarray(p, dtype=float)
        self.n = p.size
        self.trials = int(trials)
        self.small = self.n < 2 or self.trials < _MIN_PER_AREA * self.n
        cdf = np.cumsum(p)
        cdf /= cdf[-1]
        cdf[-1] = 1.0
        self.cdf = cdf
        self.share = np.diff(cdf, prepend=0.0)
        if not self.small:
            self.guide = _guide(cdf)
            lam = self.trials - _SLACK * np.sqrt(self.trials)
            self.poisson = PoissonRows(lam * self.share)
            for table in (self.cdf, self.guide):  # read by the compiled kernel: never changed
                table.setflags(write=False)

    @property
    def nbytes(self) -> int:
        """Memory held by the sampler's tables."""
        arrays = [self.cdf, self.share]
        if not self.small:
            t = self.poisson
            arrays += [self.guide, t.cdf, t.guide, t.value, t.slot, t.buckets, t.last]
        return int(sum(a.nbytes for a in arrays))

    def draw(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` independent draws as the columns of an ``(n, k)`` int64 array.

        The compiled kernel (``geoseg.segregation._draws``) makes the same draws from the same
        uniform variates, so both give identical tables from a generator in a given state.
        """
        if self.small:
            return rng.multinomial(self.trials, self.share, size=k).T
        if USE_COMPILED and _draws is not None and self.trials < 2**31:
            counts = np.zeros((self.n, k), dtype=np.int64)
            table = self.poisson
            with rng.bit_generator.lock:
                _draws.multinomial(
                    rng.bit_generator.capsule,
                    table.cdf,
                    table.guide,
                    table.slot,
                    table.buckets,
                    table.value,
                    self.cdf,
                    self.guide,
                    self.trials,
                    counts,
                )
            return counts
        counts = self.poisson.draw(k, rng)
        total = counts.sum(axis=0)
        over = np.flatnonzero(total > self.trials)
        while over.size:
            counts[:, over] = self.poisson.draw(over.size, rng)
            total[over] = counts[:, over].sum(axis=0)
            over = over[total[over] > self.trials]
        cols = np.repeat(np.arange(k), self.trials - total)
        areas = _categorical(self.cdf, self.guide, rng.random(cols.size))
        counts += np.bincount(areas * k + cols, minlength=self.n * k).reshape(self.n, k)
        return counts


#: Bytes of sampler tables kept for reuse: repeated tests on the same counts (one call per
#: index, or per seed) build each table once.
_SAMPLER_BYTES = 64 << 20

_samplers: OrderedDict[tuple[int, str], Multinomial] = OrderedDict()
_samplers_lock = threading.Lock()


def multinomials(trials: Sequence[int], p: np.ndarray) -> list[Multinomial]:
    """A :class:`Multinomial` for each number of trials over the same shares ``p``.

    Samplers are immutable and depend only on ``(trials, p)``, so recent ones are reused (up
    to ``_SAMPLER_BYTES`` of tables); missing ones are built on two threads.
    """
    p = np.ascontiguousarray(p, dtype=float)
    digest = hashlib.sha1(p.tobytes(), usedforsecurity=False).hexdigest()
    keys = [(int(m), digest) for m in trials]
    with _samplers_lock:
        found = {k: _samplers[k] for k in keys if k in _samplers}
        for k in found:
            _samplers.move_to_end(k)
    missing = [k for k in dict.fromkeys(keys) if k not in found]
    built = parallel_map(lambda key: Multinomial(key[0], p), missing)
    with _samplers_lock:
        for key, sampler in zip(missing, built, strict=True):
            found[key] = sampler
            _samplers[key] = sampler
        total = sum(m.nbytes for m in _samplers.values())
        while _samplers and total > _SAMPLER_BYTES:
            total -= _samplers.popitem(last=False)[1].nbytes
    return [found[k] for k in keys]


def multinomial_columns(trials: int, p: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` independent draws of ``Multinomial(trials, p)`` as the columns of an ``(n, k)``
    int64 array (``p`` is normalised; zero entries get zero counts)."""
    return Multinomial(trials, p).draw(k, rng)


#: Largest table (cells) kept for reuse; point estimates draw ``n * iterations`` cells.
_MEMO_CELLS = 4_000_000

_memo: dict[str, Any] = {}
_memo_lock = threading.Lock()


def _key(rng: np.random.Generator, trials: np.ndarray, p: np.ndarray, size: int) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    h.update(repr(rng.bit_generator.state).encode())
    h.update(repr((trials.shape, size)).encode())
    h.update(np.ascontiguousarray(trials).tobytes())
    h.update(np.ascontiguousarray(p, dtype=float).tobytes())
    return h.hexdigest()


def binomial_columns(
    rng: np.random.Generator, trials: np.ndarray, p: np.ndarray, size: int
) -> np.ndarray:
    """``size`` draws of ``Binomial(trials[i, j], p[j])`` per cell, shape ``(n, k * size)``.

    ``trials`` is ``(n, k)`` (one column per replicate table) and ``p`` is ``(k,)``; the
    result holds the ``size`` simulations of replicate ``j`` in columns
    ``j * size .. (j + 1) * size - 1``. The returned array must not be modified.
    """
    trials = np.asarray(trials, dtype=np.int64)
    p = np.asarray(p, dtype=float)
    n, k = trials.shape
    keep = n * k * size <= _MEMO_CELLS
    key = _key(rng, trials, p, size) if keep else ""
    if keep:
        with _memo_lock:
            if _memo.get("key") == key:
                rng.bit_generator.state = _memo["after"]
                tables = _memo["tables"]
                _memo.clear()  # both indices of the pair are served: free the memory
                return tables
    tables = rng.binomial(trials[:, :, None], p[None, :, None], size=(n, k, size))
    tables = tables.reshape(n, k * size)
    if keep:
        tables.setflags(write=False)
        with _memo_lock:
            _memo.clear()
            _memo.update(key=key, tables=tables, after=rng.bit_generator.state)
    return tables
