"""Project-wide defaults and conventions.

Everything a user may want to change is a keyword argument of the function that uses it or a
key in the project file; these constants are only the defaults.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from os import environ
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "ANALYSIS_CRS",
    "DEFAULT_MINUTES",
    "DEFAULT_PERMUTATIONS",
    "DEFAULT_SEED",
    "ISOCHRONE_MINUTES",
    "MAP_CRS",
    "SERVICE_KINDS",
    "STAGES",
    "SUPPRESSION_THRESHOLD",
    "WALK_SPEED_KMH",
    "cache_dir",
    "demand_group",
    "example_dir",
    "project_setting",
    "random_generator",
    "task_seed",
]

#: Stages of a run, in order (``access`` includes the isochrones, timed on their own).
STAGES = ("segregation", "hotspots", "trends", "access", "maps")
#: Analysis CRS: SWEREF 99 TM, metres.
ANALYSIS_CRS = "EPSG:3006"
#: CRS of published web maps.
MAP_CRS = "EPSG:4326"
#: Default walking speed in km/h (a common planning value; use ~3.6 for older residents).
WALK_SPEED_KMH = 4.8
#: Default walking-time threshold in minutes.
DEFAULT_MINUTES = 15.0
#: Walking-time thresholds of the isochrones drawn by a run, in minutes.
ISOCHRONE_MINUTES = (5.0, 10.0, 15.0)
#: Counts below this are suppressed in published maps and tables.
SUPPRESSION_THRESHOLD = 5
#: Default number of permutations for inference.
DEFAULT_PERMUTATIONS = 999
#: Default seed for every random procedure.
DEFAULT_SEED = 12345
#: Service kinds of the equality programme and the register group each one serves (their
#: display names are in :mod:`geoseg.i18n`).
SERVICE_KINDS: dict[str, dict[str, str]] = {
    "family_centre": {"demand": "age_0_5"},
    "meeting_place": {"demand": "pop_total"},
    "library": {"demand": "pop_total"},
    "youth_centre": {"demand": "age_6_15"},
}


def demand_group(
    kind: str, kinds: Mapping[str, str] | None = None, *, total: str | None = None
) -> str | None:
    """The register group a service kind serves: the project's ``[services.kinds]`` entry,
    else :data:`SERVICE_KINDS` (children 0-5 for family centres), else ``total``."""
    return (kinds or {}).get(kind) or SERVICE_KINDS.get(kind, {}).get("demand") or total


def cache_dir(name: str) -> Path:
    """Folder of one of geoseg's caches: ``$GEOSEG_CACHE_DIR/<name>``, else
    ``$XDG_CACHE_HOME/geoseg/<name>`` (``~/.cache/geoseg/<name>``)."""
    env = environ.get("GEOSEG_CACHE_DIR")
    if env:
        return Path(env) / name
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geoseg" / name


def example_dir() -> Path:
    """Return the folder holding the embedded example city (``data/`` in the repository)."""
    return Path(__file__).resolve().parent.parent / "data"


def random_generator(
    seed: int | np.random.Generator | np.random.SeedSequence | None = DEFAULT_SEED,
    *stream: object,
) -> np.random.Generator:
    """The random generator of a seeded procedure: the one helper every analysis uses.

    Parameters
    ----------
    seed
        An integer, a NumPy ``Generator`` (returned as is when no ``stream`` is named), a
        NumPy ``SeedSequence`` (for example one of the children of ``SeedSequence.spawn``, as
        the example city draws its independent parts), or ``None`` for fresh entropy from the
        operating system.
    *stream
        Optional names of an independent stream (for example a year, a group and an index
        name): the generator then depends only on ``seed`` and these names, so a result does
        not change when other results are computed in the same call. With a ``Generator`` as
        ``seed``, one integer is drawn from it to seed the stream; with a ``SeedSequence``,
        its first 32-bit word.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator (:func:`numpy.random.default_rng`).

    Notes
    -----
    Streams are seeded with ``[seed, crc32(name_1), crc32(name_2), ...]`` through NumPy's
    ``SeedSequence``, which hashes the whole list, so different names give statistically
    independent streams (O'Neill 2015, "PCG: a family of simple fast space-efficient
    statistically good algorithms for random number generation", and NumPy's documentation of
    ``SeedSequence``). The same seed and names give the same numbers on every machine.
    """
    if not stream:
        if isinstance(seed, np.random.Generator):
            return seed
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**32))
    elif isinstance(seed, np.random.SeedSequence):
        seed = int(seed.generate_state(1)[0])
    elif seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    words = [zlib.crc32(str(name).encode()) for name in stream]
    return np.random.default_rng([int(seed), *words])


def task_seed(seed: int, name: str) -> int:
    """An integer seed for the task ``name``, derived from the project seed and the name only.

    The same (seed, name) always gives the same value, whatever the order tasks run in. A
    national run seeds each municipality's project with it (also :mod:`geoseg.national`).

    Parameters
    ----------
    seed
        The project's seed.
    name
        The task's name (a municipality code, ``"9901:2021"``, ...).

    Returns
    -------
    int
        A seed in ``[0, 2**31)`` from :class:`numpy.random.SeedSequence` over the seed and the
        name's SHA-256 digest.
    """
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
    state = np.random.SeedSequence([int(seed), *words]).generate_state(1, dtype=np.uint32)
    return int(state[0]) & 0x7FFFFFFF


def project_setting(source: Any, *path: str, default: Any = None) -> Any:
    """A nested project setting, read from a project, a mapping or any object.

    Parameters
    ----------
    source
        A :class:`geoseg.io.Project`, a loaded project (its ``project`` attribute), a
        mapping (a parsed TOML table) or a plain namespace holding the same names.
    *path
        Names to follow, such as ``("registers", "year")``.
    default
        Returned when a name along the path is absent or its value is ``None``.

    Returns
    -------
    object
        The value found, else ``default``.
    """
    cur = source
    for name in path:
        if cur is None:
            return default
        cur = cur.get(name) if isinstance(cur, Mapping) else getattr(cur, name, None)
    return default if cur is None else cur
