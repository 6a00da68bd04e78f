"""The tasks of a national run: planning them (seeds, input hashes, reruns) and running one.

A national run has one task per municipality. :func:`plan_tasks` turns the national project
into task specifications: plain dictionaries of paths and options, small enough to ship to a
Dask worker, which reads its municipality's files itself. :func:`run_municipality` is the unit
of work a worker runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import GeoSegError, InputError

__all__ = [
    "TaskResult",
    "hash_inputs",
    "plan_tasks",
    "run_municipality",
    "task_seed",
]


def task_seed(seed: int, name: str) -> int:
    """An integer seed for the task ``name``, derived from the project seed and the name only.

    The same (seed, name) always gives the same value, whatever the order tasks run in.

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


@dataclass
class TaskResult:
    """What one municipality's task did.

    Attributes
    ----------
    name
        The municipality code.
    status
        ``"done"``, ``"skipped"`` (inputs unchanged since a finished run) or ``"failed"``.
    error
        The problem and its fix, for a failed task.
    seconds, cpu_seconds
        Wall time of the task and CPU time of its process during the task.
    output
        The municipality's results folder.
    register
        The register columns the national measures need, one row per area and year.
    peak_rss_mb, worker
        Peak resident memory of the process that ran the task and its identity.
    input_hash
        Hash of the task's inputs.
    seed
        The seed the task ran with (``None``: the municipality's own seeds).
    """

    name: str
    status: str
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    output: Path | None = None
    register: pd.DataFrame | None = None
    peak_rss_mb: float = 0.0
    worker: str = ""
    input_hash: str | None = None
    seed: int | None = None


def _peak_rss_mb() -> float:
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0
    except (ImportError, OSError):
        return 0.0


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def _input_paths(project: Any) -> list[Path]:
    paths = [project.path, project.areas.path, *project.registers.paths()]
    for extra in (
        project.services.path,
        project.network.path,
        project.population.grid,
        project.population.buildings,
        project.areas.water,
    ):
        if extra is not None:
            paths.append(extra)
    return [Path(p) for p in paths]


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
    from geoseg import __version__
    from geoseg.io import read_config

    try:
        project = read_config(config)
        paths = _input_paths(project)
        size = float(Path(project.areas.path).stat().st_size)
    except (GeoSegError, OSError):
        return None, 0.0
    h = hashlib.sha256()
    opts = {k: spec.get(k) for k in ("stages", "lang", "columns", "seed")}
    h.update(json.dumps([__version__, opts], sort_keys=True, default=str).encode())
    for path in paths:
        h.update(str(path.name).encode())
        try:
            h.update(_file_digest(path, memo if memo is not None else {}))
        except OSError:
            return None, size
    return h.hexdigest(), size


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


def plan_tasks(
    nat: Any,
    out: Path,
    *,
    columns: Sequence[str],
    stages: Sequence[str],
    lang: str | None,
    overwrite: bool,
    previous: Mapping[str, Any],
    force: bool,
) -> list[dict[str, Any]]:
    """One task specification per municipality of a national project, in the file's order.

    Parameters
    ----------
    nat
        The national project (:class:`geoseg.io.national.NationalProject`).
    out
        The national results folder; each task writes into ``out/municipalities/<code>``.
    columns
        Register columns the national level needs from every municipality.
    stages, lang, overwrite
        As in :func:`geoseg.pipeline.run_project`.
    previous
        The tasks of a finished run (code -> ``{"hash": ...}``).
    force
        Run every task even when its inputs are unchanged.

    Returns
    -------
    list of dict
        Paths and options only (no tables): ``name``, ``config``, ``output``, ``stages``,
        ``lang``, ``overwrite``, ``columns``, ``seed`` (derived from the national seed and the
        code by :func:`task_seed`, or ``None`` when the national file sets no seed), ``hash``,
        ``size`` (bytes of the municipality's area boundaries) and ``skip``.
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
        specs.append(spec)
    return specs


def _check_areas(project: Any, code: str) -> None:
    """Refuse a municipality without areas or with codes outside its municipality code."""
    import pyogrio

    path = project.areas.path
    try:
        table = pyogrio.read_dataframe(
            path, layer=project.areas.layer, columns=[project.areas.id], read_geometry=False
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        msg = (
            f"municipality {code}: cannot read the area boundaries {path} ({exc}); give a "
            "readable GeoPackage, GeoJSON or shapefile in [areas] path"
        )
        raise InputError(msg) from exc
    if project.areas.id not in table.columns:
        msg = (
            f"municipality {code}: {path} has no column {project.areas.id!r}; set [areas] id "
            f"to one of {', '.join(map(str, table.columns))}"
        )
        raise InputError(msg)
    codes = table[project.areas.id].astype(str)
    if codes.empty:
        msg = (
            f"municipality {code}: {path} (layer {project.areas.layer!r}) has no areas; give "
            "the municipality's area boundaries or remove it from the national file"
        )
        raise InputError(msg)
    foreign = sorted(c for c in codes.unique() if not c.startswith(code))
    if foreign:
        shown = ", ".join(foreign[:8]) + (
            f" and {len(foreign) - 8} more" if len(foreign) > 8 else ""
        )
        msg = (
            f"municipality {code}: {len(foreign)} area code(s) in {path}, column "
            f"{project.areas.id!r}, do not start with the municipality code {code}: {shown}; "
            "list each municipality under its own code in the national file, or fix the codes"
        )
        raise InputError(msg)


def _read_task_register(project: Any, columns: Sequence[str], code: str) -> pd.DataFrame:
    from geoseg.io import read_register

    reg = project.registers
    missing_ok = [c for c in columns if c in reg.amount_columns()]
    counts = reg.count_columns(extra=[c for c in columns if c not in missing_ok])
    table = read_register(
        reg.path,
        id_column=reg.id,
        year_column=reg.year,
        count_columns=counts,
        amount_columns=reg.amount_columns(),
        total_column=reg.total,
        sheet=reg.sheet,
        encoding=reg.encoding,
        sep=reg.sep,
        allow_missing=reg.allow_missing,
    )
    keep = list(dict.fromkeys([reg.id, *([reg.year] if reg.year else []), *columns]))
    out = table[keep].rename(
        columns={reg.id: "area_code", **({reg.year: "year"} if reg.year else {})}
    )
    out["population"] = table[reg.total] if reg.total else np.nan
    if "year" not in out.columns:
        out["year"] = 0
    out.insert(0, "municipality", code)
    return out.reset_index(drop=True)


def run_municipality(spec: Mapping[str, Any]) -> TaskResult:
    """Run one municipality's task (the unit of work a Dask worker runs).

    Parameters
    ----------
    spec
        A task from :func:`plan_tasks`: ``name`` (municipality code), ``config`` (its project
        file), ``output``, ``stages``, ``lang``, ``overwrite``, ``columns`` (register columns
        the national level needs), ``seed`` (replaces the project's ``[indices]`` and
        ``[hotspots]`` seeds; ``None`` keeps them), ``network`` (arrays of a shared extract in
        place of the project's ``[network] path``, optional) and ``skip`` (inputs unchanged since a
        finished run: only read the register).

    Returns
    -------
    TaskResult
        ``"failed"`` with the problem and its fix when the municipality's input is bad
        (a :class:`geoseg.errors.GeoSegError`); any other exception propagates so that the
        engine can retry the task and report it.
    """
    from geoseg.io import read_config
    from geoseg.pipeline import run_project

    t0, c0 = time.perf_counter(), time.process_time()
    name = spec["name"]
    config = Path(spec["config"])
    out = Path(spec["output"])
    seed = spec.get("seed")
    result = TaskResult(
        name=name, status="done", output=out, input_hash=spec.get("hash"), seed=seed
    )
    try:
        if not config.is_file():
            msg = (
                f"municipality {name}: project file {config} not found; create it (geoseg "
                "example-city writes one) or correct its path in the national file"
            )
            raise InputError(msg)
        project = read_config(config)
        _check_areas(project, name)
        result.register = _read_task_register(project, spec["columns"], name)
        if spec.get("skip"):
            result.status = "skipped"
        else:
            run_project(
                config,
                output=out,
                maps=out / "maps",
                stages=spec["stages"],
                lang=spec["lang"],
                overwrite=spec["overwrite"],
                seed=seed,
                network=spec.get("network"),
            )
    except GeoSegError as exc:
        result.status = "failed"
        msg = str(exc)
        result.error = msg if msg.startswith(f"municipality {name}") else f"{name}: {msg}"
        result.register = None
    result.seconds = time.perf_counter() - t0
    result.cpu_seconds = time.process_time() - c0
    result.peak_rss_mb = _peak_rss_mb()
    result.worker = _worker_name()
    return result
