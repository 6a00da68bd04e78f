"""Planning a national run: the task graph, each task's seed and the hash of its inputs.

A municipality whose register has a year column becomes one *year task* per register year
(``"9901:2021"``: the segregation indices and local hotspot statistics of that year, the bulk
of the work) and one *municipality task* (``"9901"``) that depends on its year tasks and does
everything that spans the years or needs the whole project: the indices' trend and its test
of change, the hotspots' cluster changes, the follow-up trends, walking access, the results
folder and the maps. The national level depends on every municipality task. A municipality
whose register has no year column, or whose project cannot be read, is one municipality task
that does the whole job (and reports the problem).

Every task of a municipality runs with the seed :func:`task_seed` derives from the national
seed and the municipality code; inside a task, random streams are named by the year (see
:func:`geoseg.settings.random_generator`), so a year task's numbers depend on the national
seed and its name alone, never on the order tasks run in, and equal those of a whole-job run of
the municipality with that seed.

A rerun skips every task whose inputs are unchanged since it finished: a year task's hash
covers the project file, the area boundaries, the rows of its year in the register and the
run's options; a municipality task's hash covers every file its project names. A skipped year
task reads the results it saved (``<output>/tasks/<code>/<year>.npz``, tables in the format of
:mod:`geoseg.io.frames`, which runs no code when read), once their SHA-256 digest equals the
one the finished run recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from geoseg.errors import GeoSegError
from geoseg.settings import task_seed

if TYPE_CHECKING:
    from geoseg.io import Project
    from geoseg.io.national import NationalProject

__all__ = [
    "TASKS_FOLDER",
    "YEAR_STAGES",
    "hash_inputs",
    "plan_tasks",
    "register_years",
    "saved_results",
    "task_seed",
]

#: Folder of the national results folder that holds each year task's saved results.
TASKS_FOLDER = "tasks"
#: Stages whose per-year work runs in the year tasks.
YEAR_STAGES = ("segregation", "hotspots")


def saved_results(out: Path, code: str, year: int | str) -> Path:
    """The file of a year task's saved results in the national results folder ``out``."""
    return out / TASKS_FOLDER / code / f"{year}.npz"


def _file_digest(path: Path, memo: dict[tuple[str, int, int], bytes]) -> bytes:
    """SHA-256 of a file's bytes, read once per run for a file many tasks share."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in memo:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        memo[key] = h.digest()
    return memo[key]


def _options(spec: Mapping[str, Any]) -> bytes:
    from geoseg import __version__

    opts = {k: spec.get(k) for k in ("stages", "lang", "columns", "seed", "year")}
    return json.dumps([__version__, opts], sort_keys=True, default=str).encode()


def hash_inputs(
    config: Path,
    spec: Mapping[str, Any],
    *,
    memo: dict[tuple[str, int, int], bytes] | None = None,
) -> tuple[str | None, float]:
    """Hash of a municipality's project file, the files it names and the run's options.

    Parameters
    ----------
    config
        The municipality's project file.
    spec
        The task's options: ``stages``, ``lang``, ``columns`` and ``seed`` enter the hash.
    memo
        Digests of files already read (a national extract shared by every municipality is
        read once).

    Returns
    -------
    tuple
        A SHA-256 hex digest, or ``None`` when a file cannot be read (the task then always
        runs, and reports the problem); and the bytes of the municipality's area boundaries
        (the task's expected size, to start large tasks first).
    """
    from geoseg.io import project_inputs, read_config

    try:
        project = read_config(config)
        paths = project_inputs(project)
        size = float(Path(project.areas.path).stat().st_size)
    except (GeoSegError, OSError):
        return None, 0.0
    h = hashlib.sha256(_options(spec))
    for path in paths:
        h.update(path.name.encode())
        try:
            h.update(_file_digest(path, memo if memo is not None else {}))
        except OSError:
            return None, size
    return h.hexdigest(), size


def register_years(project: Project) -> dict[int, str]:
    """The years of a project's register and a digest of each year's rows.

    Parameters
    ----------
    project
        A :class:`geoseg.io.Project` whose register has a year column.

    Returns
    -------
    dict
        Year -> SHA-256 hex digest of that year's rows (every column the run reads), in year
        order.

    Raises
    ------
    geoseg.errors.GeoSegError
        The register cannot be read (the municipality task reports it).
    """
    from geoseg.io.project import read_project_register

    r = project.registers
    table = read_project_register(project)
    years = pd.to_numeric(table[r.year], errors="coerce")
    out: dict[int, str] = {}
    for year in sorted(years.dropna().unique()):
        rows = table[years == year]
        rows = rows[sorted(rows.columns, key=str)].reset_index(drop=True)
        h = hashlib.sha256(",".join(map(str, rows.columns)).encode())
        h.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
        out[int(year)] = h.hexdigest()
    return out


def _year_hash(
    project: Project,
    spec: Mapping[str, Any],
    rows: str,
    memo: dict[tuple[str, int, int], bytes],
) -> str | None:
    """Hash of what a year task reads: project file, boundaries, level files, the year's rows."""
    from geoseg.io import project_inputs

    not_read = {Path(p).resolve() for p in project.registers.paths()}
    for extra in (
        project.services.path,
        project.network.path,
        project.population.grid,
        project.population.buildings,
    ):
        if extra is not None:
            not_read.add(Path(extra).resolve())
    h = hashlib.sha256(_options(spec))
    h.update(rows.encode())
    for path in project_inputs(project):
        if path in not_read:
            continue
        h.update(path.name.encode())
        try:
            h.update(_file_digest(path, memo))
        except OSError:
            return None
    return h.hexdigest()


def _year_tasks(
    spec: dict[str, Any],
    out: Path,
    *,
    previous: Mapping[str, Any],
    force: bool,
    memo: dict[tuple[str, int, int], bytes],
) -> list[dict[str, Any]]:
    """The year tasks of one municipality (none without a year column or a readable register)."""
    from geoseg.io import read_config

    stages = [s for s in spec["stages"] if s in YEAR_STAGES]
    if not stages:
        return []
    try:
        project = read_config(Path(spec["config"]))
        if not project.registers.year:
            return []
        years = register_years(project)
    except (GeoSegError, OSError):
        return []  # the municipality task reports the problem
    code = spec["name"]
    tasks = []
    for year, rows in years.items():
        name = f"{code}:{year}"
        task: dict[str, Any] = {
            "name": name,
            "municipality": code,
            "year": year,
            "config": spec["config"],
            "stages": stages,
            "seed": spec["seed"],
            "size": spec["size"],
            "saved": str(saved_results(out, code, year)),
            "root": str(out),
        }
        task["hash"] = _year_hash(project, task, rows, memo)
        done = previous.get(name, {})
        task["skip"] = (
            not force
            and task["hash"] is not None
            and done.get("hash") == task["hash"]
            and bool(done.get("digest"))
            and Path(task["saved"]).is_file()
        )
        task["digest"] = done.get("digest") if task["skip"] else None
        tasks.append(task)
    return tasks


def plan_tasks(
    nat: NationalProject,
    out: Path,
    *,
    columns: Sequence[str],
    stages: Sequence[str],
    lang: str | None,
    overwrite: bool,
    previous: Mapping[str, Any],
    force: bool,
) -> list[dict[str, Any]]:
    """The task graph of a national project: one municipality task each, with its year tasks.

    Parameters
    ----------
    nat
        The national project (:class:`geoseg.io.national.NationalProject`).
    out
        The national results folder; each municipality writes into
        ``out/municipalities/<code>``.
    columns
        Register columns the national level needs from every municipality.
    stages, lang, overwrite
        As in :func:`geoseg.pipeline.run_project`.
    previous
        The tasks of a finished run (task name -> ``{"hash": ..., "digest": ...}``).
    force
        Run every task even when its inputs are unchanged.

    Returns
    -------
    list of dict
        One municipality task per municipality, in the file's order: paths and options only
        (no tables): ``name``, ``config``, ``output``, ``stages``, ``lang``, ``overwrite``,
        ``columns``, ``seed`` (:func:`task_seed` of the national seed and the code, or
        ``None`` when the national file sets no seed), ``hash``, ``size`` (bytes of the
        area boundaries: the expected cost), ``skip`` and ``years``: its year tasks (``name``
        ``"<code>:<year>"``, ``year``, ``hash``, ``skip``, ``saved``: the file of the year's
        results), empty when the municipality runs as one task.
    """
    specs = []
    memo: dict[tuple[str, int, int], bytes] = {}
    for code, path in nat.municipalities.items():
        spec: dict[str, Any] = {
            "name": code,
            "config": str(path),
            "output": str(out / "municipalities" / code),
            "stages": list(stages),
            "lang": lang,
            "overwrite": overwrite,
            "columns": list(columns),
            "seed": None if nat.seed is None else task_seed(nat.seed, code),
        }
        spec["hash"], spec["size"] = hash_inputs(path, spec, memo=memo)
        done = previous.get(code, {})
        spec["skip"] = (
            not force
            and spec["hash"] is not None
            and done.get("hash") == spec["hash"]
            and Path(spec["output"]).is_dir()
        )
        spec["years"] = _year_tasks(spec, out, previous=previous, force=force, memo=memo)
        specs.append(spec)
    return specs
