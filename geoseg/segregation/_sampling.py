"""Binomial tables of the Carrington-Troske indices, drawn fast and shared when identical.

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
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

__all__ = ["binomial_columns"]

#: Largest table (cells) kept for reuse; point estimates draw ``n * iterations`` cells.
_MEMO_CELLS = 4_000_000

_memo: dict[str, Any] = {}


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
    if keep and _memo.get("key") == key:
        rng.bit_generator.state = _memo["after"]
        tables = _memo["tables"]
        _memo.clear()  # both indices of the pair are served: free the memory
        return tables
    tables = rng.binomial(trials[:, :, None], p[None, :, None], size=(n, k, size))
    tables = tables.reshape(n, k * size)
    if keep:
        tables.setflags(write=False)
        _memo.clear()
        _memo.update(key=key, tables=tables, after=rng.bit_generator.state)
    return tables
