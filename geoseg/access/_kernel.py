"""Shortest-path kernels: the compiled extension ``geoseg.access._csp`` or SciPy as a fallback.

The compiled kernel (plain C, built by setuptools at install time) runs a multi-source Dijkstra
with per-seed starting distances and many bounded single-source searches that reuse their working
arrays, with the GIL released so that several searches run in parallel threads. When the
extension is missing (no C compiler at install time) or :data:`USE_COMPILED` is set to ``False``
(tests do this), :mod:`geoseg.access._paths` uses SciPy's ``dijkstra`` on an augmented graph
instead; both give the same distances.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

from geoseg.access.network import WalkNetwork

__all__ = ["THREADS", "USE_COMPILED", "bounded_pairs", "compiled", "multi_source", "parallel_map"]

logger = logging.getLogger(__name__)

_csp: Any
try:
    from geoseg.access import _csp  # type: ignore[attr-defined,no-redef]
except ImportError:  # pragma: no cover - depends on the build
    _csp = None

#: Use the compiled kernel when it is available (set to ``False`` to force SciPy).
USE_COMPILED: bool = _csp is not None

#: Worker threads for the bounded searches (the kernel releases the GIL).
THREADS: int = max(1, min(4, os.cpu_count() or 1))

_ARRAYS: weakref.WeakKeyDictionary[WalkNetwork, tuple[np.ndarray, ...]] = (
    weakref.WeakKeyDictionary()
)
_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()
_WARNED: list[str] = []
_PREFIX = "geoseg-paths"

T = TypeVar("T")
R = TypeVar("R")


def compiled() -> bool:
    """Whether the compiled kernel will be used (logged once per choice at debug level)."""
    use = bool(USE_COMPILED and _csp is not None)
    choice = "compiled kernel geoseg.access._csp" if use else "SciPy dijkstra (fallback)"
    if choice not in _WARNED:
        _WARNED.append(choice)
        logger.debug("shortest paths: %s", choice)
    return use


def _graph(net: WalkNetwork) -> tuple[np.ndarray, ...]:
    """The network's CSR arrays as int64 indptr, int32 indices and float64 weights (cached)."""
    arrays = _ARRAYS.get(net)
    if arrays is None:
        g = net.graph
        arrays = (
            np.ascontiguousarray(g.indptr, dtype=np.int64),
            np.ascontiguousarray(g.indices, dtype=np.int32),
            np.ascontiguousarray(g.data, dtype=np.float64),
        )
        _ARRAYS[net] = arrays
    return arrays


def _pool() -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix=_PREFIX))
        return _POOL[0]


def parallel_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(x) for x in items]``, in worker threads when the compiled kernel is in use.

    The kernel releases the GIL, so searches of different items run at the same time. Inside a
    worker (nested use) and without the kernel the items run one after another. Results are in
    the order of ``items`` either way, and identical to the serial ones.
    """
    todo = list(items)
    nested = threading.current_thread().name.startswith(_PREFIX)
    if len(todo) < 2 or THREADS < 2 or nested or not compiled():
        return [fn(x) for x in todo]
    return list(_pool().map(fn, todo))


def multi_source(
    net: WalkNetwork,
    seed_node: np.ndarray,
    seed_dist: np.ndarray,
    seed_label: np.ndarray,
    limit_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Distance from the nearest seed to every node and that seed's label (compiled kernel).

    Seed ``k`` starts at node ``seed_node[k]`` with distance ``seed_dist[k]``. Nodes farther
    than ``limit_m`` get ``inf`` and label ``-1``; among seeds at exactly the same distance the
    smallest label wins.
    """
    indptr, indices, data = _graph(net)
    n = net.n_nodes
    dist = np.empty(n, dtype=np.float64)
    label = np.empty(n, dtype=np.int32)
    _csp.nearest(
        indptr,
        indices,
        data,
        np.ascontiguousarray(seed_node, dtype=np.int64),
        np.ascontiguousarray(seed_dist, dtype=np.float64),
        np.ascontiguousarray(seed_label, dtype=np.int32),
        float(limit_m),
        dist,
        label,
    )
    return dist, label.astype(np.int64)


def bounded_pairs(
    net: WalkNetwork,
    seed_ptr: np.ndarray,
    seed_node: np.ndarray,
    seed_dist: np.ndarray,
    limit_m: float,
    incidence: tuple[np.ndarray, np.ndarray, np.ndarray],
    point_snap: np.ndarray,
    direct: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(source, point, metres)`` of every pair within ``limit_m`` (compiled kernel).

    Source ``s`` starts from seeds ``seed_ptr[s]:seed_ptr[s + 1]``; points hang off nodes
    through ``incidence = (ptr, point, offset)``; ``direct = (ptr, point, metres)`` lists extra
    candidates per source (points on the source's own street edge). Each pair appears once with
    its smallest distance, grouped by source in ascending order.
    """
    indptr, indices, data = _graph(net)
    n_src = len(seed_ptr) - 1
    args = (
        indptr,
        indices,
        data,
        np.ascontiguousarray(seed_ptr, dtype=np.int64),
        np.ascontiguousarray(seed_node, dtype=np.int64),
        np.ascontiguousarray(seed_dist, dtype=np.float64),
        float(limit_m),
        np.ascontiguousarray(incidence[0], dtype=np.int64),
        np.ascontiguousarray(incidence[1], dtype=np.int32),
        np.ascontiguousarray(incidence[2], dtype=np.float64),
        np.ascontiguousarray(point_snap, dtype=np.float64),
        np.ascontiguousarray(direct[0], dtype=np.int64),
        np.ascontiguousarray(direct[1], dtype=np.int32),
        np.ascontiguousarray(direct[2], dtype=np.float64),
    )
    chunks = min(n_src, 4 * THREADS)
    bounds = np.linspace(0, n_src, max(chunks, 1) + 1).astype(np.int64)
    spans = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
    parts = parallel_map(lambda ab: _csp.reach(*args, ab[0], ab[1]), spans)
    source = np.concatenate([np.frombuffer(p[0], dtype=np.int32) for p in parts])
    point = np.concatenate([np.frombuffer(p[1], dtype=np.int32) for p in parts])
    metres = np.concatenate([np.frombuffer(p[2], dtype=np.float64) for p in parts])
    return source.astype(np.int64), point.astype(np.int64), metres
