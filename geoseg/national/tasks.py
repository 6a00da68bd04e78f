"""The units of work of a national run: a year of a municipality, a municipality, the nation.

:func:`run_year` computes one register year of one municipality (the segregation indices and
the local hotspot statistics of that year); :func:`run_municipality` takes its municipality's
year results and does the rest of the whole job (:func:`geoseg.pipeline.run_project`). Both
read their municipality's files themselves from a small specification
(:func:`geoseg.national.plan.plan_tasks`), so that a Dask worker receives paths, not tables.
:func:`run_nation` takes every municipality task's result (their register rows) and computes
the national measures (:func:`geoseg.national.tables.national_tables`); it writes nothing, the
caller writes its tables.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dataclasses_replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoseg.errors import GeoSegError, InputError
from geoseg.national._task_log import collect_warnings
from geoseg.national.plan import task_seed

if TYPE_CHECKING:
    from geoseg.stages import Computed, LocalByYear

__all__ = [
    "NATIONAL_TASK",
    "TaskResult",
    "run_municipality",
    "run_nation",
    "run_year",
    "task_seed",
]

#: Name of the task that computes the national measures.
NATIONAL_TASK = "national"


@dataclass
class TaskResult:
    """What one task did.

    Attributes
    ----------
    name
        The task's name: the municipality code, ``"<code>:<year>"`` for a year task, or
        :data:`NATIONAL_TASK` for the national measures.
    status
        ``"done"``, ``"skipped"`` (inputs unchanged since a finished run) or ``"failed"``.
    error
        The problem and its fix, for a failed task.
    seconds, cpu_seconds
        Wall time of the task and CPU time of its process during the task.
    output
        The municipality's results folder (a year task: the file of its saved results).
    register
        The register columns the national measures need, one row per area and year.
    peak_rss_mb, worker
        Peak resident memory of the process that ran the task and its identity.
    input_hash
        Hash of the task's inputs.
    seed
        The seed the task ran with (``None``: the municipality's own seeds).
    years
        A municipality task: the results of its year tasks, in year order.
    parts
        A year task: the indices and local hotspot statistics of its year (dropped once its
        municipality task has used them). The national task: its tables ``"areas"``,
        ``"municipalities"`` and ``"trend"`` (none when no municipality sent register rows).
    digest
        A year task: SHA-256 of its saved results file.
    blas_threads
        Threads the BLAS and OpenMP libraries of the task's process may use.
    warnings
        The distinct warnings the task logged (shown once per municipality by the run).
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
    years: list[TaskResult] = field(default_factory=list)
    parts: dict[str, Any] | None = None
    digest: str | None = None
    blas_threads: int = 0
    warnings: list[str] = field(default_factory=list)


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


def _blas_threads() -> int:
    """The most threads any BLAS or OpenMP library loaded in this process may use."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return 0
    return max((int(p.get("num_threads") or 0) for p in threadpool_info()), default=0)


def _finish(result: TaskResult, t0: float, c0: float) -> TaskResult:
    result.seconds = time.perf_counter() - t0
    result.cpu_seconds = time.process_time() - c0
    result.peak_rss_mb = _peak_rss_mb()
    result.worker = _worker_name()
    result.blas_threads = _blas_threads()
    return result


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
    foreign = _foreign(codes, code)
    if foreign:
        msg = (
            f"municipality {code}: {foreign[0]} area code(s) in {path}, column "
            f"{project.areas.id!r}, do not start with the municipality code {code}: "
            f"{foreign[1]}; list each municipality under its own code in the national file, "
            "or fix the codes"
        )
        raise InputError(msg)


def _foreign(codes: pd.Series, code: str) -> tuple[int, str] | None:
    """How many of ``codes`` do not start with the municipality code, and the first few."""
    foreign = sorted(c for c in codes.astype(str).unique() if not c.startswith(code))
    if not foreign:
        return None
    more = f" and {len(foreign) - 8} more" if len(foreign) > 8 else ""
    return len(foreign), ", ".join(foreign[:8]) + more


def _check_register_codes(project: Any, codes: pd.Series, code: str) -> None:
    """Refuse register rows of areas outside the municipality (they would count in its
    national measures)."""
    foreign = _foreign(codes, code)
    if foreign:
        reg = project.registers
        msg = (
            f"municipality {code}: {foreign[0]} area code(s) in the register {reg.path}, "
            f"column {reg.id!r}, do not start with the municipality code {code}: {foreign[1]}; "
            "keep only the municipality's own areas in its register, or fix the codes"
        )
        raise InputError(msg)


def _read_task_register(project: Any, columns: Sequence[str], code: str) -> pd.DataFrame:
    from geoseg.io.project import read_project_register

    reg = project.registers
    missing_ok = [c for c in columns if c in reg.amount_columns()]
    counts = reg.count_columns(extra=[c for c in columns if c not in missing_ok])
    table = read_project_register(
        project, count_columns=counts, amount_columns=reg.amount_columns()
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


def _load_year(spec: Mapping[str, Any]) -> Any:
    """The municipality's loaded project, cut to the year task's register year."""
    import dataclasses

    from geoseg.io import load_project, read_config
    from geoseg.levels import project_at_level

    project = read_config(Path(spec["config"]))
    if spec.get("seed") is not None:
        project.indices.seed = project.hotspots.seed = int(spec["seed"])
    data = load_project(project)
    _check_register_codes(project, data.register[project.registers.id], spec["municipality"])
    view = project_at_level(data, None)
    if view.steps:
        data = view.data
    col = project.registers.year
    years = pd.to_numeric(data.register[col], errors="coerce")
    return dataclasses.replace(
        data, register=data.register[years == spec["year"]].reset_index(drop=True)
    )


def run_year(spec: Mapping[str, Any]) -> TaskResult:
    """Run one year of one municipality: its segregation indices and local hotspot statistics.

    Parameters
    ----------
    spec
        A year task of :func:`geoseg.national.plan.plan_tasks`: ``name`` (``"<code>:<year>"``),
        ``municipality``, ``year``, ``config``, ``stages``, ``seed`` (the municipality's: the
        random streams inside are named by the year), ``saved`` (where the results are kept
        for a rerun), ``root`` (the national results folder) and ``skip`` (inputs unchanged:
        read the saved results).

    Returns
    -------
    TaskResult
        ``parts``: ``"indices"`` (:func:`geoseg.stages.segregation_indices` of the year) and
        ``"hotspots"`` (:func:`geoseg.stages.hotspot_local` of the year); ``"failed"`` with
        the problem and its fix for bad input. Any other exception propagates (the engine
        retries and reports it).
    """
    with collect_warnings() as kept:
        result = _run_year(spec)
    result.warnings = list(dict.fromkeys(kept))
    return result


def _run_year(spec: Mapping[str, Any]) -> TaskResult:
    """:func:`run_year` without keeping its warnings."""
    from geoseg.io import write_bytes
    from geoseg.io.frames import TableFileError, tables_from_bytes, tables_to_bytes
    from geoseg.stages import hotspot_local, segregation_indices

    t0, c0 = time.perf_counter(), time.process_time()
    name, code = spec["name"], spec["municipality"]
    saved = Path(spec["saved"])
    result = TaskResult(
        name=name, status="done", output=saved, input_hash=spec.get("hash"), seed=spec.get("seed")
    )
    if spec.get("skip"):
        blob = saved.read_bytes() if saved.is_file() else b""
        digest = hashlib.sha256(blob).hexdigest()
        if blob and digest == spec.get("digest"):  # only a file this run's manifest vouches for
            try:
                result.parts = tables_from_bytes(blob)  # tables and JSON: nothing runs on load
            except TableFileError:
                pass  # not readable by this geoseg: computed again below
            else:
                result.status, result.digest = "skipped", digest
                return _finish(result, t0, c0)
    try:
        config = Path(spec["config"])
        if not config.is_file():
            msg = (
                f"municipality {code}: project file {config} not found; create it (geoseg "
                "example-city writes one) or correct its path in the national file"
            )
            raise InputError(msg)
        from geoseg.io import read_config

        _check_areas(read_config(config), code)
        data = _load_year(spec)
        parts: dict[str, Any] = {"indices": None, "hotspots": None}
        if "segregation" in spec["stages"]:
            parts["indices"] = segregation_indices(data)
        cfg = data.project.hotspots
        if "hotspots" in spec["stages"] and (cfg.variables or cfg.rates):
            parts["hotspots"] = hotspot_local(data)
    except GeoSegError as exc:
        result.status = "failed"
        msg = str(exc)
        result.error = msg if msg.startswith(f"municipality {code}") else f"{name}: {msg}"
        return _finish(result, t0, c0)
    blob = tables_to_bytes(parts)
    write_bytes(saved, blob, root=Path(spec["root"]))
    result.parts, result.digest = parts, hashlib.sha256(blob).hexdigest()
    return _finish(result, t0, c0)


def _computed(years: Sequence[TaskResult]) -> Computed:
    """The year tasks' parts joined as :func:`geoseg.pipeline.run_project` takes them."""
    parts = [t.parts or {} for t in years]
    computed: Computed = {}
    indices = [p["indices"] for p in parts if p.get("indices") is not None]
    if indices:
        computed["indices"] = pd.concat(indices, ignore_index=True)
    local = [p["hotspots"] for p in parts if p.get("hotspots") is not None]
    if local:
        hot: LocalByYear = {}
        for by_variable in local:
            for variable, by_year in by_variable.items():
                hot.setdefault(variable, {}).update(by_year)
        computed["hotspots"] = hot
    return computed


def run_municipality(spec: Mapping[str, Any], *years: TaskResult) -> TaskResult:
    """Run one municipality's task (after its year tasks, whose results it takes).

    Parameters
    ----------
    spec
        A task from :func:`geoseg.national.plan.plan_tasks`: ``name`` (municipality code),
        ``config`` (its project file), ``output``, ``stages``, ``lang``, ``overwrite``,
        ``columns`` (register columns the national level needs), ``seed`` (replaces the
        project's ``[indices]`` and ``[hotspots]`` seeds; ``None`` keeps them), ``network``
        (arrays of a shared extract in place of the project's ``[network] path``, optional)
        and ``skip`` (inputs unchanged since a finished run: only read the register).
    *years
        The results of its year tasks (:func:`run_year`), in year order; none when the
        municipality runs as one task (its register has no year column).

    Returns
    -------
    TaskResult
        ``years``: the year tasks' results without their parts. ``"failed"`` with the problem
        and its fix when the municipality's input is bad (a
        :class:`geoseg.errors.GeoSegError`) or a year task failed; any other exception
        propagates so that the engine can retry the task and report it.
    """
    with collect_warnings() as kept:
        result = _run_municipality(spec, *years)
    result.warnings = list(dict.fromkeys(kept))
    return result


def _run_municipality(spec: Mapping[str, Any], *years: TaskResult) -> TaskResult:
    """:func:`run_municipality` without keeping its warnings."""
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
        failed = list(dict.fromkeys(t.error or t.name for t in years if t.status == "failed"))
        if failed:
            raise InputError("; ".join(failed))
        result.register = _read_task_register(project, spec["columns"], name)
        _check_register_codes(project, result.register["area_code"], name)
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
                computed=_computed(years) if years else None,
            )
    except GeoSegError as exc:
        result.status = "failed"
        msg = str(exc)
        result.error = (
            msg if msg.startswith((f"municipality {name}", f"{name}:")) else f"{name}: {msg}"
        )
        result.register = None
    result.years = [dataclasses_replace(t, parts=None) for t in years]
    return _finish(result, t0, c0)


def run_nation(nat: Any, *municipalities: TaskResult) -> TaskResult:
    """Run the national task: the national measures over every municipality's register rows.

    Parameters
    ----------
    nat
        The national project (:class:`geoseg.io.national.NationalProject`): the index's
        indicators, the area type cuts and the income groups.
    *municipalities
        The municipality tasks' results (:func:`run_municipality`), in the national file's
        order; a failed municipality has no register rows and is left out.

    Returns
    -------
    TaskResult
        Named :data:`NATIONAL_TASK`; ``parts``: the tables of
        :func:`geoseg.national.tables.national_tables` (``"areas"``, ``"municipalities"``,
        ``"trend"``). ``"failed"`` with the problem and its fix for bad input (a
        :class:`geoseg.errors.GeoSegError`); any other exception propagates so that the
        engine can retry the task and report it. Nothing is written: the tables are the
        caller's to publish.
    """
    from geoseg.national.tables import national_tables

    t0, c0 = time.perf_counter(), time.process_time()
    result = TaskResult(name=NATIONAL_TASK, status="done", seed=getattr(nat, "seed", None))
    registers = [t.register for t in municipalities if t.register is not None and len(t.register)]
    if registers:
        try:
            areas, munis, trend = national_tables(pd.concat(registers, ignore_index=True), nat)
        except GeoSegError as exc:
            result.status, result.error = "failed", f"national level: {exc}"
        else:
            result.parts = {"areas": areas, "municipalities": munis, "trend": trend}
    return _finish(result, t0, c0)
