"""Atomic file output: write to a temporary file beside the target, then rename.

Outputs never replace an input file and never leave a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from geoseg.errors import InputError

__all__ = ["atomic_path", "check_not_input", "write_bytes", "write_text", "write_with"]


def check_not_input(
    target: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Refuse to write ``target`` when it is one of the ``inputs``."""
    t = Path(target).resolve()
    for p in inputs:
        if Path(p).resolve() == t:
            msg = f"{target}: refusing to write an output over an input file; choose another path."
            raise InputError(msg)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it to ``target`` on success.

    Parameters
    ----------
    target
        Final file path.
    overwrite
        When false, an existing ``target`` is an error (the user's file is kept).
    """
    target = Path(target)
    if target.exists() and not overwrite:
        msg = f"{target} exists; pass --overwrite (or overwrite=True) to replace it."
        raise InputError(msg)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: str | os.PathLike[str], text: str, *, overwrite: bool = True) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically."""
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(target: str | os.PathLike[str], data: bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_with(
    target: str | os.PathLike[str], writer: Callable[[Path], object], *, overwrite: bool = True
) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target, overwrite=overwrite) as tmp:
        writer(tmp)
    return Path(target)
