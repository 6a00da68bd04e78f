"""Dense area-by-area matrices of the spatial indices.

Two matrices dominate the cost of the spatial catalogue on thousands of areas: the
distance-decay proximity ``c`` (clustering, proximity and distance-decay exposure indices) and
the contiguity path lengths (spatial proximity profile). Both are built once per geometry (the
callers memoise them): ``c`` in row blocks so that no second full-size temporary is made, the
path lengths by SciPy's compiled shortest-path searches.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components, shortest_path

__all__ = ["DecayProducts", "decay_matrix", "hop_matrix"]

#: Cells handled per block (about 1 MB of float64: the temporaries stay in cache).
_BLOCK_CELLS = 131_072
#: Float64 cells of path lengths searched at once before narrowing (about 32 MB).
_SEARCH_CELLS = 4_000_000


def _row_blocks(n: int) -> list[slice]:
    rows = max(1, _BLOCK_CELLS // max(n, 1))
    return [slice(start, min(start + rows, n)) for start in range(0, n, rows)]


def decay_matrix(xy: np.ndarray, diagonal: np.ndarray) -> np.ndarray:
    """``c_ij = 1 - exp(-d_ij / S_j)`` off the diagonal, ``diagonal`` on it.

    ``d`` are the Euclidean distances between the points ``xy`` and ``S_j = sum_l d_jl``. The
    result equals ``-expm1(-cdist(xy, xy) / cdist(xy, xy).sum(axis=1)[None, :])`` but is
    computed in one ``(n, n)`` array, block by block.
    """
    n = len(xy)
    c = np.empty((n, n))
    x = np.ascontiguousarray(xy[:, 0])
    y = np.ascontiguousarray(xy[:, 1])
    blocks = _row_blocks(n)
    for sl in blocks:
        blk = c[sl]
        np.subtract(x[sl, None], x[None, :], out=blk)
        np.square(blk, out=blk)
        dy = y[sl, None] - y[None, :]
        np.square(dy, out=dy)
        blk += dy
        np.sqrt(blk, out=blk)
    total = c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        for sl in blocks:
            blk = c[sl]
            np.divide(blk, total[None, :], out=blk)
            np.negative(blk, out=blk)
            np.expm1(blk, out=blk)
            np.negative(blk, out=blk)
    np.fill_diagonal(c, diagonal)
    return c


class DecayProducts:
    """The products of a decay matrix ``c`` that its indices need, for the tables seen last.

    Absolute clustering, spatial proximity and the two distance-decay exposure indices all
    multiply ``c`` by the group counts ``x``, the rest ``y = t - x``, the totals ``t`` and the
    ratios ``x / (c t)``, ``y / (c t)``. Each product reads the whole ``(n, n)`` matrix, so
    they are computed together, in two passes over ``c`` instead of nine, and kept for the
    table they belong to (recognised by the content of ``x`` and ``t``). :meth:`prime` does
    the same for several tables at once (the years of a register on one geometry), still in
    two passes over ``c``.
    """

    def __init__(self) -> None:
        # key and products of the last table, replaced together (safe across threads)
        self._last: tuple[str, dict[str, np.ndarray]] = ("", {})
        self._primed: dict[str, dict[str, np.ndarray]] = {}

    def get(self, c: np.ndarray, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """``cx, cy, ct`` (``ct`` with the columns of ``t``) and ``cxr, cyr`` (ratio products).

        ``x`` is ``(n, k)``; ``t`` is ``(n, 1)`` or ``(n, k)``.
        """
        key = _table_key(x, t)
        last_key, last = self._last
        if key == last_key:
            return last
        primed = self._primed.get(key)
        if primed is not None:
            return primed
        value = _products(c, [(x, t)])[0]
        self._last = (key, value)
        return value

    def prime(self, c: np.ndarray, tables: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Compute the products of every ``(x, t)`` in ``tables`` together; forget older ones.

        Shapes as in :meth:`get` (1-D arrays count as one column). Each table's products
        are the columns of one matrix product, equal to those :meth:`get` computes alone.
        """
        shaped = [(_columns(x), _columns(t)) for x, t in tables]
        keys = [_table_key(x, t) for x, t in shaped]
        self._primed = dict(zip(keys, _products(c, shaped), strict=True)) if shaped else {}


def _columns(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def _table_key(x: np.ndarray, t: np.ndarray) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for a in (x, t):
        digest.update(repr(a.shape).encode())
        digest.update(np.ascontiguousarray(a).tobytes())
    return digest.hexdigest()


def _products(
    c: np.ndarray, tables: list[tuple[np.ndarray, np.ndarray]]
) -> list[dict[str, np.ndarray]]:
    """The products of each ``(x, t)``: two matrix products over ``c`` for all tables."""
    ks = [x.shape[1] for x, _ in tables]
    kts = [t.shape[1] for _, t in tables]
    xs = [x for x, _ in tables]
    ys = [t - x for x, t in tables]
    first = c @ np.concatenate([*xs, *ys, *(t for _, t in tables)], axis=1)
    cx, cy, ct = _split(first, [ks, ks, kts])
    xr, yr = [], []
    for x, y, s_t in zip(xs, ys, ct, strict=True):
        s = np.broadcast_to(s_t, x.shape)
        safe = np.where(s > 0, s, 1.0)
        xr.append(np.where(s > 0, x / safe, 0.0))
        yr.append(np.where(s > 0, y / safe, 0.0))
    cxr, cyr = _split(c @ np.concatenate([*xr, *yr], axis=1), [ks, ks])
    return [
        {"cx": a, "cy": b, "ct": d, "cxr": e, "cyr": f}
        for a, b, d, e, f in zip(cx, cy, ct, cxr, cyr, strict=True)
    ]


def _split(product: np.ndarray, widths: list[list[int]]) -> list[list[np.ndarray]]:
    """Cut the columns of ``product`` into consecutive parts of the given widths."""
    parts, start = [], 0
    for group in widths:
        cut = []
        for w in group:
            cut.append(product[:, start : start + w])
            start += w
        parts.append(cut)
    return parts


def hop_matrix(w: sparse.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Contiguity steps between every pair of areas, and the connected components.

    Returns ``(steps, component)``: ``steps[i, j]`` is the number of edges on a shortest path
    from ``i`` to ``j`` in the symmetric graph ``w`` (0 on the diagonal and between areas of
    different components), as ``uint8`` unless a path is longer than 255 steps (then
    ``uint16`` or ``uint32``).

    The path lengths come from :func:`scipy.sparse.csgraph.shortest_path` with unit weights
    (``unweighted=True``; ``w`` is symmetric, so its rows are searched as a directed graph,
    which spares SciPy a symmetrised copy), for blocks of source areas so that only one block
    is held as float64 before it is narrowed to integers.
    """
    graph = sparse.csr_matrix(w, dtype=float)
    n = graph.shape[0]
    _, component = connected_components(graph, directed=False)
    rows = max(1, _SEARCH_CELLS // max(n, 1))
    steps = np.zeros((n, n), dtype=np.uint8)
    for start in range(0, n, rows):
        sources = np.arange(start, min(start + rows, n))
        block = shortest_path(graph, directed=True, unweighted=True, indices=sources)
        block[~np.isfinite(block)] = 0.0
        longest = int(block.max(initial=0.0))
        if longest > np.iinfo(steps.dtype).max:
            wider = np.uint16 if longest <= np.iinfo(np.uint16).max else np.uint32
            steps = steps.astype(wider)
        steps[sources] = block
    return steps, component
