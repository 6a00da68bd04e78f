"""Two worker threads shared by the segregation code (NumPy and the compiled kernels release
the GIL, so halves of a large job run at the same time on two processors)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["parallel_map"]

T = TypeVar("T")
R = TypeVar("R")

_PREFIX = "geoseg-seg"
_pool: list[ThreadPoolExecutor] = []
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    with _lock:
        if not _pool:
            _pool.append(ThreadPoolExecutor(max_workers=2, thread_name_prefix=_PREFIX))
        return _pool[0]


def parallel_map(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[fn(x) for x in items]``, on two threads when the machine has two processors.

    Results come in the order of ``items`` and do not depend on the threads: callers split
    their work in a way fixed by the request alone. Nested calls run serially.
    """
    nested = threading.current_thread().name.startswith(_PREFIX)
    if len(items) < 2 or (os.cpu_count() or 1) < 2 or nested:
        return [fn(x) for x in items]
    # the caller runs the first item itself and, after it, any item no worker has started:
    # progress never depends on a free worker (the pool may be busy with another caller's
    # tasks that wait for a lock this caller holds)
    futures = [_executor().submit(fn, x) for x in items[1:]]
    first = fn(items[0])
    rest = [fn(x) if f.cancel() else f.result() for x, f in zip(items[1:], futures, strict=True)]
    return [first, *rest]
