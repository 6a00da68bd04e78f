"""Atomic file output: write to a temporary file beside the target, then rename.

Outputs never replace an input file, never land outside the folder chosen for them and never
leave a half-written file behind. Every writer takes ``root``, the folder the caller chose for
its output (the results folder, the maps folder, the folder of a file named with ``-o``); the
target must resolve inside it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from geoseg.errors import InputError
from geoseg.io.paths import inside

__all__ = [
    "atomic_path",
    "check_not_input",
    "check_targets",
    "write_bytes",
    "write_text",
    "write_with",
]

PathLike = str | os.PathLike[str]


def check_not_input(target: PathLike, inputs: Iterable[PathLike]) -> None:
    """Refuse to write ``target`` when it is one of the ``inputs`` (the same file, resolved).

    The refusal holds whatever ``overwrite`` says: an input is never replaced.
    """
    t = Path(target).resolve()
    for p in inputs:
        q = Path(p)
        same = q.resolve() == t
        if not same and q.exists() and t.exists():
            with contextlib.suppress(OSError):
                same = os.path.samefile(q, t)
        if same:
            msg = (
                f"{target}: is an input file ({p}), which geoseg reads; an output is never "
                "written over an input. Choose another output path."
            )
            raise InputError(msg)


def check_targets(
    targets: Iterable[PathLike],
    *,
    root: PathLike | None = None,
    inputs: Iterable[PathLike] = (),
    overwrite: bool = False,
) -> list[Path]:
    """Check every file a command will write before it writes any.

    Each target must lie inside ``root`` (when given), must not be an input, and must not exist
    unless ``overwrite``. All targets are checked; the first refusal names its file.

    Returns
    -------
    list of Path
        The targets, in order.
    """
    inputs = list(inputs)
    out = []
    for target in targets:
        t = Path(target)
        if root is not None:
            inside(root, t)
        check_not_input(t, inputs)
        if t.exists() and not overwrite:
            msg = f"{t} exists; pass --overwrite (or overwrite=True) to replace it."
            raise InputError(msg)
        if t.is_dir():
            msg = f"{t} is a folder; give a file name."
            raise InputError(msg)
        out.append(t)
    return out


@contextlib.contextmanager
def atomic_path(
    target: PathLike,
    *,
    root: PathLike,
    overwrite: bool = True,
    inputs: Iterable[PathLike] = (),
) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it to ``target`` on success.

    Parameters
    ----------
    target
        Final file path.
    root
        The folder the output was meant for; a target resolving outside it is refused (a last
        guard against names built from data).
    overwrite
        When false, an existing ``target`` is an error (the user's file is kept).
    inputs
        Input files; writing over one is refused whatever ``overwrite`` says.
    """
    target = Path(target)
    inside(root, target)
    check_not_input(target, inputs)
    if target.exists() and not overwrite:
        msg = f"{target} exists; pass --overwrite (or overwrite=True) to replace it."
        raise InputError(msg)
    target.parent.mkdir(parents=True, exist_ok=True)
    inside(root, target)  # again, now that the folder exists (a link may have appeared)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        for leftover in (tmp_path, *(Path(f"{tmp_path}{s}") for s in ("-journal", "-wal"))):
            if leftover.exists():
                leftover.unlink()


def write_text(
    target: PathLike,
    text: str,
    *,
    root: PathLike,
    overwrite: bool = True,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically (see :func:`atomic_path`)."""
    with atomic_path(target, root=root, overwrite=overwrite, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(
    target: PathLike,
    data: bytes,
    *,
    root: PathLike,
    overwrite: bool = True,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_path`)."""
    with atomic_path(target, root=root, overwrite=overwrite, inputs=inputs) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_with(
    target: PathLike,
    writer: Callable[[Path], object],
    *,
    root: PathLike,
    overwrite: bool = True,
    inputs: Iterable[PathLike] = (),
) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``target`` atomically."""
    with atomic_path(target, root=root, overwrite=overwrite, inputs=inputs) as tmp:
        writer(tmp)
    return Path(target)
