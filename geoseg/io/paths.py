"""Safe output paths: file-name slugs from data values, containment and the project's inputs.

A value read from the data (a service kind, a variable name, an indicator, an area code) never
becomes part of a path as it is: :func:`slug` turns it into a short ASCII name without separators
or leading dots, :func:`slugs` does so for several values and resolves collisions, and
:func:`inside` refuses any path that would resolve outside the chosen output folder. The label a
reader sees keeps the original text (escaped where it is shown in HTML).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from geoseg.errors import InputError

if TYPE_CHECKING:
    from geoseg.io.config import Project
    from geoseg.io.project import ProjectData

__all__ = [
    "MAX_SLUG",
    "inside",
    "project_inputs",
    "remove_stale_temporaries",
    "slug",
    "slugs",
    "variable_slugs",
]

#: Longest slug (characters); file names built from it stay well below common 255-byte limits.
MAX_SLUG = 60

#: A value named by a slug (a service kind, a variable name, ...).
_V = TypeVar("_V", bound=Hashable)

_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def slug(value: object, *, max_length: int = MAX_SLUG) -> str:
    """Return a file-name-safe slug of ``value``.

    The slug is lower-case ASCII letters, digits, ``_`` and ``-`` only: accents are dropped
    (``"Mötesplats"`` -> ``"motesplats"``), every other run of characters (path separators, dots,
    spaces, control characters, markup) becomes one ``_``, and leading or trailing ``_``/``-``
    are removed, so a slug never starts with a dot and never names a parent folder. A value that
    had to be changed that much, or is longer than ``max_length``, ends in an 8-character hash of
    the original text, so different values do not meet in one slug by accident.

    Parameters
    ----------
    value
        Any value; it is turned into text with ``str``.
    max_length
        Longest slug returned (at least 16).

    Returns
    -------
    str
        A non-empty slug of at most ``max_length`` characters.

    Examples
    --------
    >>> slug("family_centre")
    'family_centre'
    >>> slug("Mötesplats")
    'motesplats'
    >>> slug("../../etc/passwd")
    'etc_passwd-5e4b1bbc'
    """
    text = str(value)
    max_length = max(16, int(max_length))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    lowered = ascii_text.lower()
    base = _UNSAFE.sub("_", lowered).strip("_-")
    base = re.sub(r"_{2,}", "_", base)
    if base in _RESERVED:
        base = f"{base}_"
    # readable but changed: anything beyond case and accents changes it, so a hash keeps
    # distinct values apart (e.g. "a/b" and "a_b")
    lossless = base == lowered or base == ascii_text.lower().replace(" ", "_")
    if base and lossless and len(base) <= max_length:
        return base
    head = base[: max_length - 9].rstrip("_-") or "x"
    return f"{head}-{_digest(text)}"


def slugs(
    values: Iterable[_V],
    *,
    max_length: int = MAX_SLUG,
    prepare: Callable[[_V], str] | None = None,
) -> dict[_V, str]:
    """Map each distinct value to a slug that no other value shares.

    Values whose slugs coincide (``"Library"`` and ``"library"``) all get the hash of their own
    text appended, so the result does not depend on the order of ``values``.

    Parameters
    ----------
    values
        The values (service kinds, variable names, ...); repeated values share one slug.
    max_length
        Longest slug returned.
    prepare
        Optional rewrite of a value's text before slugging (e.g. ``"a/b"`` -> ``"a_per_b"``);
        collisions it causes are resolved like any other.

    Returns
    -------
    dict
        ``{value: slug}`` for every distinct value.
    """
    distinct = list(dict.fromkeys(values))
    first = {v: slug(v if prepare is None else prepare(v), max_length=max_length) for v in distinct}
    seen: dict[str, list[_V]] = {}
    for v, s in first.items():
        seen.setdefault(s, []).append(v)
    out: dict[_V, str] = {}
    for s, group in seen.items():
        if len(group) == 1:
            out[group[0]] = s
            continue
        for v in group:
            head = s[: max(1, max_length - 9)].rstrip("_-") or "x"
            out[v] = f"{head}-{_digest(repr(v))}"
    # a hash could in principle meet another slug: number the later ones (sorted, so stable)
    taken: set[str] = set()
    for v in sorted(out, key=lambda x: (out[x], repr(x))):
        s, n = out[v], 2
        while s in taken:
            s, n = f"{out[v][: max_length - 4]}-{n}", n + 1
        out[v] = s
        taken.add(s)
    return out


def variable_slugs(variables: Iterable[_V]) -> dict[_V, str]:
    """File-name slugs of register variables; a rate ``NUM/DEN`` reads ``num_per_den``.

    Examples
    --------
    >>> variable_slugs(["median_income_tkr", "low_economic_standard/pop_total"])
    {'median_income_tkr': 'median_income_tkr', 'low_economic_standard/pop_total': \
'low_economic_standard_per_pop_total'}
    """
    return slugs(variables, prepare=lambda v: str(v).replace("/", "_per_"))


def inside(root: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Return ``target`` if it resolves inside the folder ``root``; refuse it otherwise.

    Symbolic links are followed, so a link inside ``root`` pointing elsewhere is refused too.

    Raises
    ------
    InputError
        The resolved path lies outside ``root``.
    """
    r = Path(root).resolve()
    t = Path(target)
    resolved = (t if t.is_absolute() else Path.cwd() / t).resolve()
    if resolved != r and r not in resolved.parents:
        msg = (
            f"{target}: refusing to write outside the output folder {root} "
            f"(the path resolves to {resolved}); this is a bug or a hostile name, please report it."
        )
        raise InputError(msg)
    return t


def project_inputs(project: Project | ProjectData) -> list[Path]:
    """Every file a project reads: the project file, boundaries, water, registers, services,
    network, population grid, buildings and series-break crosswalks (absolute paths, those that
    are set).

    ``project`` is a :class:`geoseg.io.Project` (or :class:`geoseg.io.ProjectData`, whose
    ``project`` is used).
    """
    if not hasattr(project, "registers"):
        project = project.project
    paths: list[str | os.PathLike[str] | None] = [getattr(project, "path", None)]
    for section, keys in (
        ("areas", ("path", "water")),
        ("registers", ("path",)),
        ("services", ("path",)),
        ("network", ("path",)),
        ("population", ("grid", "buildings")),
    ):
        part = getattr(project, section, None)
        for key in keys:
            paths.append(getattr(part, key, None) if part is not None else None)
    registers = getattr(project, "registers", None)
    if registers is not None and callable(getattr(registers, "paths", None)):
        paths.extend(registers.paths())  # every register table of the project
    series = getattr(project, "series", None)
    for brk in getattr(series, "breaks", None) or ():
        paths.append(getattr(brk, "crosswalk", None))
    for lvl in (getattr(project, "levels", None) or {}).values():  # area levels' files
        paths.extend(getattr(lvl, key, None) for key in ("path", "crosswalk", "totals"))
    paths.append(getattr(project, "register_areas", None))
    out = []
    for p in paths:
        if p is not None and str(p) != "":
            out.append(Path(p).resolve())
    return list(dict.fromkeys(out))


def remove_stale_temporaries(folder: str | os.PathLike[str], names: Iterable[str]) -> list[Path]:
    """Delete temporary files an interrupted geoseg write left in ``folder``.

    Only files named like geoseg's own temporaries of one of ``names`` are removed:
    ``.NAME.XXXXXXXX.SUFFIX`` (see :func:`geoseg.io.atomic_path`), optionally followed by
    SQLite's ``-journal``, ``-wal`` or ``-shm``. Anything else is left alone.

    Returns
    -------
    list of Path
        The files removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    patterns = []
    for name in names:
        suffix = Path(name).suffix
        patterns.append(
            re.compile(
                rf"\.{re.escape(name)}\.[a-z0-9_]{{8}}{re.escape(suffix)}(-journal|-wal|-shm)?"
            )
        )
    removed = []
    for entry in folder.iterdir():
        if not entry.name.startswith(".") or not entry.is_file() or entry.is_symlink():
            continue
        if any(p.fullmatch(entry.name) for p in patterns):
            entry.unlink()
            removed.append(entry)
    return removed
