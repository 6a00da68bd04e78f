"""Dense area-by-area matrices of the spatial indices, built in place and in row blocks.

Two matrices dominate the cost of the spatial catalogue on thousands of areas: the
distance-decay proximity ``c`` (clustering, proximity and distance-decay exposure indices) and
the contiguity path lengths (spatial proximity profile). Both are built once per geometry (the
callers memoise them) with as few full-size temporaries as possible.
"""

from __future__ import annotations

import hashlib
import mmap
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components

from geoseg.segregation._parallel import parallel_map

__all__ = ["USE_COMPILED", "DecayProducts", "decay_matrix", "hop_matrix"]

_hops: Any
try:
    from geoseg.segregation import _hops  # type: ignore[attr-defined,no-redef]
except ImportError:  # pragma: no cover - depends on the build
    _hops = None

#: Use the compiled searches of ``geoseg.segregation._hops`` when available (``False`` forces
#: the NumPy/SciPy construction, which gives the same matrix).
USE_COMPILED: bool = _hops is not None

#: Cells handled per block (about 1 MB of float64: the temporaries stay in cache).
_BLOCK_CELLS = 131_072
#: Sources whose breadth-first searches are post-processed together.
_SOURCES_PER_BLOCK = 1024


#: Arrays at least this large (bytes) are mapped directly from the system (see ``_fresh``).
_MAP_BYTES = 4 << 20


def _fresh(shape: tuple[int, ...], dtype: type | np.dtype) -> np.ndarray:
    """A zero-filled array; large ones are backed by a private anonymous memory map.

    NumPy asks the kernel for transparent huge pages on large allocations; where the kernel
    then compacts memory on every first touch (``defrag = madvise``) filling a fresh
    matrix of a few hundred megabytes takes several times longer than computing it. A plain
    anonymous map is zero-filled, released with the array, and as fast to compute with.
    """
    dt = np.dtype(dtype)
    count = int(np.prod(shape))
    if count * dt.itemsize < _MAP_BYTES:
        return np.zeros(shape, dtype=dt)
    buffer = mmap.mmap(-1, count * dt.itemsize)
    return np.frombuffer(buffer, dtype=dt, count=count).reshape(shape)


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
    c = _fresh((n, n), np.float64)
    x = np.ascontiguousarray(xy[:, 0])
    y = np.ascontiguousarray(xy[:, 1])
    blocks = _row_blocks(n)
    halves = [blocks[: len(blocks) // 2], blocks[len(blocks) // 2 :]]

    def distances(part: list[slice]) -> None:
        for sl in part:
            blk = c[sl]
            np.subtract(x[sl, None], x[None, :], out=blk)
            np.square(blk, out=blk)
            dy = y[sl, None] - y[None, :]
            np.square(dy, out=dy)
            blk += dy
            np.sqrt(blk, out=blk)

    parallel_map(distances, halves)
    total = c.sum(axis=1)

    def decay(part: list[slice]) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            for sl in part:
                blk = c[sl]
                np.divide(blk, total[None, :], out=blk)
                np.negative(blk, out=blk)
                np.expm1(blk, out=blk)
                np.negative(blk, out=blk)

    parallel_map(decay, halves)
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
    different components), as ``uint8`` unless a path is longer than 255 steps.

    One breadth-first search per area of a set ``R`` (SciPy's compiled traversal); the levels
    are recovered from the traversal order for many sources at once: in a first-in-first-out
    search the positions of the predecessors never decrease along the order, so level
    ``L + 1`` ends where the first node whose predecessor lies beyond level ``L`` begins. The
    other areas form an independent set (all their neighbours are in ``R``), so their rows
    follow exactly from ``steps[s, v] = 1 + min over neighbours u of s of steps[u, v]``.
    """
    graph = sparse.csr_matrix(w, dtype=float)
    graph.sort_indices()
    n = graph.shape[0]
    _, component = connected_components(graph, directed=False)
    if USE_COMPILED and _hops is not None:
        return _compiled_steps(graph), component
    derived = _independent_set(graph)
    steps = _fresh((n, n), np.uint8)  # widened if a path is longer than 255 steps
    for members in _components(component):
        m = len(members)
        searched = members[~derived[members]]
        work = _Workspace(min(len(searched), _SOURCES_PER_BLOCK), m)
        for start in range(0, len(searched), _SOURCES_PER_BLOCK):
            sources = searched[start : start + _SOURCES_PER_BLOCK]
            depth, order = _bfs_block(graph, sources, m, work)
            if np.iinfo(depth.dtype).max > np.iinfo(steps.dtype).max:
                steps = steps.astype(depth.dtype)
            for r, s in enumerate(sources.tolist()):  # row by row: faster than one 2-D scatter
                steps[s, order[r]] = depth[r]
    if derived.any():
        steps = _derive_rows(graph, steps, component, np.flatnonzero(derived))
    return _narrowest(steps), component


def _narrowest(steps: np.ndarray) -> np.ndarray:
    """``steps`` in the narrowest unsigned type holding its longest path (as the compiled
    searches give it: ``_derive_rows`` widens before it knows whether it must)."""
    if steps.dtype == np.uint8 or steps.size == 0:
        return steps
    longest = int(steps.max())
    for dtype in (np.uint8, np.uint16):
        if longest <= np.iinfo(dtype).max and np.dtype(dtype).itemsize < steps.itemsize:
            narrow = _fresh(steps.shape, dtype)
            np.copyto(narrow, steps, casting="unsafe")
            return narrow
    return steps


def _compiled_steps(graph: sparse.csr_matrix) -> np.ndarray:
    """The step matrix from one compiled breadth-first search per area, on two threads."""
    n = graph.shape[0]
    indptr = np.ascontiguousarray(graph.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(graph.indices, dtype=np.int32)
    sources = np.arange(n, dtype=np.int32)
    halves = [(0, n // 2), (n // 2, n)]
    for dtype in (np.uint8, np.uint16, np.uint32):
        steps = _fresh((n, n), dtype)

        def fill(span: tuple[int, int], out: np.ndarray = steps) -> int:
            return int(_hops.fill(indptr, indices, sources, out, span[0], span[1]))

        if max(parallel_map(fill, halves)) <= np.iinfo(dtype).max:
            return steps
    msg = "contiguity paths longer than 2**32 - 1 steps"  # pragma: no cover - impossible
    raise OverflowError(msg)


def _independent_set(graph: sparse.csr_matrix) -> np.ndarray:
    """Mask of an independent set of areas that have neighbours (greedy, fewest first)."""
    n = graph.shape[0]
    indptr, indices = graph.indptr, graph.indices
    degree = np.diff(indptr)
    chosen = np.zeros(n, dtype=bool)
    blocked = degree == 0
    for v in np.argsort(degree, kind="stable").tolist():
        if blocked[v]:
            continue
        chosen[v] = True
        blocked[indices[indptr[v] : indptr[v + 1]]] = True
    # a self-loop would make an area its own neighbour: never derive such an area
    loops = np.zeros(n, dtype=bool)
    coo = graph.tocoo()
    loops[coo.row[coo.row == coo.col]] = True
    return chosen & ~loops


def _derive_rows(
    graph: sparse.csr_matrix, steps: np.ndarray, component: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Fill the rows of ``rows`` (an independent set) from their neighbours' rows."""
    top = np.iinfo(steps.dtype).max
    if steps.max() >= top:  # 1 + the longest path found may not fit
        wider = np.uint16 if steps.dtype == np.uint8 else np.uint32
        steps = steps.astype(wider)
    single = bool((component == component[0]).all())
    indptr, indices = graph.indptr, graph.indices
    for s in rows.tolist():
        row = steps[s]
        np.minimum.reduce(steps[indices[indptr[s] : indptr[s + 1]]], axis=0, out=row)
        row += 1
        if not single:
            row[component != component[s]] = 0
        row[s] = 0
    return steps


def _components(component: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(component, kind="stable")
    cuts = np.flatnonzero(np.diff(component[order])) + 1
    return [part for part in np.split(order, cuts) if len(part) > 1]


class _Workspace:
    """Block buffers of ``_bfs_block``, allocated once per component and reused.

    Fresh memory costs a page fault on first touch; for blocks of a thousand sources that is
    as slow as the post-processing itself, so every block after the first reuses the pages.
    """

    def __init__(self, b: int, m: int) -> None:
        # positions fit in 32 bits for any realistic layer: half the memory traffic of int64
        self.itype = np.int32 if b * (m + 1) < np.iinfo(np.int32).max else np.int64
        self.order = _fresh((b, m), np.int32)
        self.parent_pos = _fresh((b, m), self.itype)  # position of each node's predecessor, +1
        self.depth: dict[type, np.ndarray] = {}

    def depth_buffer(self, dtype: type) -> np.ndarray:
        if dtype not in self.depth:
            self.depth[dtype] = _fresh(self.order.shape, dtype)
        return self.depth[dtype]


def _bfs_block(
    graph: sparse.csr_matrix, sources: np.ndarray, m: int, work: _Workspace
) -> tuple[np.ndarray, np.ndarray]:
    """Levels ``(b, m)`` of the visited areas, and the areas themselves ``(b, m)``.

    For ``b`` sources lying in one component of ``m`` areas, row ``r`` of the second array
    lists the areas in the order of the breadth-first search from ``sources[r]`` and row ``r``
    of the first their numbers of steps from it, in the narrowest unsigned integer type that
    holds the longest path found. Both are views of ``work``, valid until its next block.
    """
    b = len(sources)
    n = graph.shape[0]
    itype = work.itype
    order = work.order[:b]
    parent_pos = work.parent_pos[:b]
    parent_pos[:, 0] = 0
    pos = np.empty(n, dtype=itype)
    rank = np.arange(1, m + 1, dtype=itype)
    for r, s in enumerate(sources):
        nodes, pred = breadth_first_order(graph, int(s), directed=True, return_predecessors=True)
        order[r] = nodes
        pos[nodes] = rank
        np.take(pos, np.take(pred, nodes[1:]), out=parent_pos[r, 1:])
    # rows laid end to end stay sorted when row r is shifted by r * (m + 1)
    shift: np.ndarray = np.arange(b, dtype=itype) * (m + 1)  # stays in itype (checked above)
    parent_pos += shift[:, None]
    flat = parent_pos.ravel()
    levels = 0
    bound = np.ones(b, dtype=np.int64)  # level 1 starts at position 1
    starts = [np.zeros(b, dtype=np.int64), bound]  # where each level starts, per row
    rows = np.arange(b)
    while True:
        live = bound < m
        if not live.any():
            break
        levels += 1
        # first position whose predecessor lies at or after the current boundary
        query: np.ndarray = (bound + 1 + shift).astype(flat.dtype)
        found = np.searchsorted(flat, query, side="left")
        bound = np.where(live, found - rows * m, m)
        starts.append(bound)
    # level L repeated over its positions, all rows at once (runs of a level end to end)
    small = np.uint8 if levels <= 255 else (np.uint16 if levels <= 65535 else np.uint32)
    counts: np.ndarray = np.diff(np.stack(starts, axis=1), axis=1)  # (b, levels + 1), sum m
    depth = work.depth_buffer(small)[:b]
    tiled = np.tile(np.arange(levels + 1, dtype=small), b)
    depth.ravel()[:] = np.repeat(tiled, counts.ravel())
    return depth, order
