"""Warnings of a task, kept with its result instead of printed by the process that ran it.

A national run has thousands of tasks on workers whose messages would reach the terminal
without their municipality's name, the same warning once per register year (a municipality's
contiguity warning, six times for six years). While a task runs, :func:`collect_warnings`
keeps the warnings logged under ``geoseg`` in a list; the national run then reports each
distinct warning once per municipality, with its code. Messages below the warning level go
on to the handlers they would have reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collect_warnings"]

_LOCK = threading.Lock()
_LOCAL = threading.local()


class _TaskHandler(logging.Handler):
    """Keeps warnings of the thread's running task; passes everything else on."""

    def __init__(self, handlers: list[logging.Handler], propagate: bool) -> None:
        super().__init__(logging.NOTSET)
        self.previous = handlers
        self.propagate = propagate
        self.users = 0

    def emit(self, record: logging.LogRecord) -> None:
        kept: list[str] | None = getattr(_LOCAL, "warnings", None)
        if kept is not None and record.levelno >= logging.WARNING:
            kept.append(record.getMessage())
            return
        for handler in self.previous:
            if record.levelno >= handler.level:
                handler.handle(record)
        if self.propagate:
            root = logging.getLogger()
            for handler in root.handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
            last = logging.lastResort
            if not root.handlers and last is not None and record.levelno >= last.level:
                last.handle(record)


_ACTIVE: list[_TaskHandler] = []


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Keep the warnings logged under ``geoseg`` by this thread in the list it yields.

    Yields
    ------
    list of str
        The warnings' messages, in the order they were logged (repeats included).
    """
    log = logging.getLogger("geoseg")
    with _LOCK:
        if not _ACTIVE:
            handler = _TaskHandler(list(log.handlers), log.propagate)
            for h in handler.previous:
                log.removeHandler(h)
            log.addHandler(handler)
            log.propagate = False
            _ACTIVE.append(handler)
        _ACTIVE[0].users += 1
    kept: list[str] = []
    _LOCAL.warnings = kept
    try:
        yield kept
    finally:
        _LOCAL.warnings = None
        with _LOCK:
            handler = _ACTIVE[0]
            handler.users -= 1
            if handler.users == 0:
                log.removeHandler(handler)
                for h in handler.previous:
                    log.addHandler(h)
                log.propagate = handler.propagate
                _ACTIVE.clear()
