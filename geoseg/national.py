"""National runs: one task per municipality on Dask, then the national measures.

``geoseg run national.toml`` calls :func:`run_national`. Every municipality listed in the
national project file is one task that runs the ordinary whole job
(:func:`geoseg.pipeline.run_project`) into ``<output>/municipalities/<code>/``. The tasks run on
``dask.distributed``: a :class:`~dask.distributed.LocalCluster` by default, or an existing
scheduler; without Dask (or with ``workers=0``) they run one after the other in this process
with the same results. A task that fails is reported with its municipality code and does not
stop the others. A rerun skips finished tasks whose inputs are unchanged (a hash of the
inputs in ``<output>/national-tasks.json``). Finally the national level computes the
socio-economic index and area types per area over the whole country and the inequality and
segregation indices and area-type shares per municipality (:mod:`geoseg.segregation.national`),
and writes national tables and an index page linking every municipality's maps.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoseg.errors import GeoSegError, InputError
from geoseg.io import write_text
from geoseg.io.results import check_output_folder, write_manifest

__all__ = ["NationalResult", "TaskResult", "run_national", "task_seed"]

logger = logging.getLogger(__name__)

#: File in the national output folder recording each finished task and its inputs' hash.
TASKS_MANIFEST = "national-tasks.json"
#: Files the national level writes into its output folder.
NATIONAL_FILES = (
    "national_areas.csv",
    "national_municipalities.csv",
    "national_trend.csv",
    "national_tasks.csv",
    "index.html",
    TASKS_MANIFEST,
)


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


@dataclass
class NationalResult:
    """What a national run produced.

    Attributes
    ----------
    output
        The national results folder.
    tasks
        One :class:`TaskResult` per municipality, in the national file's order.
    areas
        Per area and year: municipality, population, the index's indicators, the
        socio-economic index and ``area_type`` (1-5).
    municipalities
        Per municipality and year: ``inequality_index``, ``segregation_index`` and the
        population shares ``area_type_1`` ... ``area_type_5``.
    trend
        Per municipality: first and last year's values of the three measures and changes.
    files
        Files written at the national level.
    seconds, task_seconds, national_seconds
        Wall time of the run, of its municipality tasks (engine start included) and of the
        national level.
    """

    output: Path
    tasks: list[TaskResult] = field(default_factory=list)
    areas: pd.DataFrame | None = None
    municipalities: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    task_seconds: float = 0.0
    national_seconds: float = 0.0

    @property
    def failed(self) -> list[TaskResult]:
        """The tasks that failed."""
        return [t for t in self.tasks if t.status == "failed"]


# --------------------------------------------------------------------------- one task


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


def _hash_inputs(config: Path, spec: dict[str, Any]) -> str | None:
    """Hash of a municipality's project file, the files it names and the run's options."""
    from geoseg import __version__
    from geoseg.io import read_config

    try:
        project = read_config(config)
        paths = _input_paths(project)
    except (GeoSegError, OSError):
        return None
    h = hashlib.sha256()
    opts = {k: spec[k] for k in ("stages", "lang", "columns")}
    h.update(json.dumps([__version__, opts], sort_keys=True, default=str).encode())
    for path in paths:
        h.update(str(path.name).encode())
        try:
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
    return h.hexdigest()


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


def run_municipality(spec: dict[str, Any]) -> TaskResult:
    """Run one municipality's task (the unit of work a Dask worker runs).

    Parameters
    ----------
    spec
        ``name`` (municipality code), ``config`` (its project file), ``output``, ``stages``,
        ``lang``, ``overwrite``, ``columns`` (register columns the national level needs) and
        ``skip`` (inputs unchanged since a finished run: only read the register).

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
    result = TaskResult(name=name, status="done", output=out, input_hash=spec.get("hash"))
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
            )
    except GeoSegError as exc:
        result.status = "failed"
        result.error = str(exc)
        result.register = None
    result.seconds = time.perf_counter() - t0
    result.cpu_seconds = time.process_time() - c0
    result.peak_rss_mb = _peak_rss_mb()
    result.worker = _worker_name()
    return result


# --------------------------------------------------------------------------- engines


def _progress(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="municipality", disable=not sys.stderr.isatty())


def _run_serial(specs: list[dict[str, Any]]) -> dict[str, TaskResult]:
    results: dict[str, TaskResult] = {}
    with _progress(len(specs)) as bar:
        for spec in specs:
            try:
                results[spec["name"]] = run_municipality(spec)
            except Exception as exc:  # reported per task; the others continue
                results[spec["name"]] = TaskResult(
                    name=spec["name"], status="failed", error=f"{type(exc).__name__}: {exc}"
                )
            bar.set_postfix_str(spec["name"])
            bar.update()
    return results


def _run_dask(
    specs: list[dict[str, Any]],
    *,
    workers: int,
    scheduler: str | None,
    memory_limit: str | None,
    processes: bool,
    retries: int,
) -> dict[str, TaskResult]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            memory_limit=memory_limit or "auto",
            dashboard_address=":0",
        )
        client = Client(cluster)
    logger.info("dask: %s (dashboard %s)", client.scheduler.address, client.dashboard_link)
    results: dict[str, TaskResult] = {}
    try:
        futures = {
            client.submit(
                run_municipality,
                spec,
                key=f"municipality-{spec['name']}-{spec.get('hash') or 'new'}"[:120],
                pure=False,
                retries=retries,
            ): spec["name"]
            for spec in specs
        }
        with _progress(len(futures)) as bar:
            for fut in as_completed(list(futures)):
                name = futures[fut]
                if fut.status == "error":
                    exc = fut.exception()
                    results[name] = TaskResult(
                        name=name, status="failed", error=f"{type(exc).__name__}: {exc}"
                    )
                else:
                    results[name] = fut.result()
                bar.set_postfix_str(name)
                bar.update()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


def _dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- national level


def _national_tables(
    registers: pd.DataFrame, nat: Any
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from geoseg.segregation.national import (
        AREA_TYPE_CUTS,
        area_type_shares,
        area_types,
        default_socioeconomic_indicators,
        inequality_index,
        segregation_index,
        socioeconomic_index,
    )

    inds = nat.indicators or default_socioeconomic_indicators(population="population")
    index = socioeconomic_index(registers, inds, id_column="area_code", year_column="year")
    areas = registers[["municipality", "area_code", "year", "population"]].copy()
    for col in index.columns:
        if col not in ("area_code", "year"):
            areas[col] = index[col]
    areas["area_type"] = area_types(
        areas["socioeconomic_index"], years=areas["year"], cuts=nat.cuts or AREA_TYPE_CUTS
    )
    keys = ["municipality", "year"]
    munis = area_type_shares(areas, population="population", by=keys)
    if nat.income_groups:
        munis["inequality_index"] = inequality_index(registers, groups=nat.income_groups, by=keys)
    if nat.income_low and nat.income_high:
        munis["segregation_index"] = segregation_index(
            registers, low=nat.income_low, high=nat.income_high, by=keys
        )
    munis["areas"] = areas.groupby(keys).size()
    munis["population"] = areas.groupby(keys)["population"].sum()
    munis = munis.reset_index()
    measures = [
        c for c in ("inequality_index", "segregation_index", "area_type_1") if c in munis.columns
    ]
    rows = []
    for code, part in munis.sort_values("year").groupby("municipality", sort=True):
        first, last = part.iloc[0], part.iloc[-1]
        row: dict[str, Any] = {
            "municipality": code,
            "first_year": first["year"],
            "last_year": last["year"],
        }
        for m in measures:
            row[f"{m}_first"], row[f"{m}_last"] = first[m], last[m]
            row[f"{m}_change"] = last[m] - first[m]
        rows.append(row)
    return areas, munis, pd.DataFrame(rows)


def _index_page(nat: Any, result: NationalResult, out: Path) -> str:
    esc = html.escape
    rows = []
    for t in result.tasks:
        link = f"municipalities/{t.name}/maps/index.html"
        if t.status == "failed":
            cell = f"<td>{esc(t.name)}</td><td>failed: {esc(t.error or '')}</td>"
        elif (out / link).is_file():
            cell = f'<td><a href="{esc(link)}">{esc(t.name)}</a></td><td>finished</td>'
        else:
            cell = f"<td>{esc(t.name)}</td><td>finished (no maps)</td>"
        rows.append(f"<tr>{cell}</tr>")
    fictional = "<p><strong>Fictional data.</strong></p>" if nat.fictional else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(nat.name)}</title></head><body>\n<h1>{esc(nat.name)}</h1>{fictional}\n"
        '<p>Tables: <a href="national_municipalities.csv">per municipality</a>, '
        '<a href="national_areas.csv">per area</a>, <a href="national_trend.csv">trend</a>, '
        '<a href="national_tasks.csv">tasks</a>.</p>\n'
        "<table><tr><th>Municipality</th><th>Status</th></tr>\n"
        + "\n".join(rows)
        + "\n</table></body></html>\n"
    )


def _suppress_small(areas: pd.DataFrame) -> pd.DataFrame:
    """Blank every value of areas with fewer residents than the disclosure threshold."""
    from geoseg.settings import SUPPRESSION_THRESHOLD

    out = areas.copy()
    small = out["population"] < SUPPRESSION_THRESHOLD
    if small.any():
        logger.warning(
            "%d area-year row(s) with fewer than %d residents: their population, indicators, "
            "index and area type are not published",
            int(small.sum()),
            SUPPRESSION_THRESHOLD,
        )
        keep = {"municipality", "area_code", "year"}
        for col in out.columns:
            if col not in keep:
                out[col] = out[col].astype("Float64" if col != "area_type" else "Int64")
                out[col] = out[col].where(~small)
    return out


def _csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def run_national(
    config: str | Path,
    *,
    output: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    memory_limit: str | None = None,
    processes: bool = True,
    retries: int = 1,
    stages: Sequence[str] | None = None,
    lang: str | None = None,
    overwrite: bool = False,
    force: bool = False,
) -> NationalResult:
    """Run every municipality of a national project, then the national measures.

    Parameters
    ----------
    config
        The national project file (see ``docs/config.md``).
    output
        National results folder (default: ``[national] output``).
    workers
        Dask workers of the local cluster (default 2); ``0`` runs the tasks one after the
        other in this process, as does a missing Dask installation.
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    memory_limit
        Memory limit per local worker (``"2GB"``; Dask's default ``"auto"`` when ``None``);
        Dask spills and restarts workers at this limit.
    processes
        Local workers as processes (default) or threads in this process.
    retries
        How many times Dask retries a task that failed unexpectedly (not for bad input).
    stages, lang, overwrite
        As in :func:`geoseg.pipeline.run_project`, for every municipality.
    force
        Rerun tasks even when their inputs are unchanged since a finished run.

    Returns
    -------
    NationalResult

    Raises
    ------
    geoseg.errors.ConfigError
        A bad national project file. A bad municipality does not raise: its task is reported
        as failed (``NationalResult.failed``) and the other tasks complete.
    """
    from geoseg.io.national import read_national
    from geoseg.pipeline import STAGES

    t0 = time.perf_counter()
    nat = read_national(config)
    out = Path(output) if output is not None else nat.output
    out.mkdir(parents=True, exist_ok=True)
    check_output_folder(out, list(NATIONAL_FILES), overwrite=overwrite)
    columns: list[str] = []
    for ind in nat.indicators.values():
        columns.extend(ind.columns)
    if not nat.indicators:
        from geoseg.segregation.national import default_socioeconomic_indicators

        for ind in default_socioeconomic_indicators().values():
            columns.extend(ind.columns)
    columns.extend(nat.income_groups)
    columns = list(dict.fromkeys(columns))
    manifest_path = out / TASKS_MANIFEST
    try:
        previous = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    except (OSError, ValueError):
        previous = {}
    specs = []
    for code, path in nat.municipalities.items():
        spec: dict[str, Any] = {
            "name": code,
            "config": str(path),
            "output": str(out / "municipalities" / code),
            "stages": list(stages or STAGES),
            "lang": lang,
            "overwrite": overwrite,
            "columns": columns,
        }
        spec["hash"] = _hash_inputs(path, spec)
        done = previous.get("tasks", {}).get(code, {})
        spec["skip"] = (
            not force
            and spec["hash"] is not None
            and done.get("hash") == spec["hash"]
            and Path(spec["output"]).is_dir()
        )
        specs.append(spec)
    t_tasks = time.perf_counter()
    use_dask = (workers is None or workers > 0 or scheduler) and _dask_available()
    if use_dask:
        results = _run_dask(
            specs,
            workers=workers or 2,
            scheduler=scheduler,
            memory_limit=memory_limit,
            processes=processes,
            retries=retries,
        )
    else:
        if workers and not _dask_available():
            logger.warning("dask is not installed (pip install geoseg[dask]); running serially")
        results = _run_serial(specs)
    result = NationalResult(output=out, tasks=[results[s["name"]] for s in specs])
    result.task_seconds = time.perf_counter() - t_tasks
    t_national = time.perf_counter()
    for t in result.failed:
        logger.error("municipality %s failed: %s", t.name, t.error)

    regs = [t.register for t in result.tasks if t.register is not None and len(t.register)]
    if regs:
        registers = pd.concat(regs, ignore_index=True)
        result.areas, result.municipalities, result.trend = _national_tables(registers, nat)
        for name, df in (
            ("national_areas.csv", _suppress_small(result.areas)),
            ("national_municipalities.csv", result.municipalities),
            ("national_trend.csv", result.trend),
        ):
            result.files.append(write_text(out / name, _csv(df), root=out))
    tasks = pd.DataFrame(
        [
            {
                "municipality": t.name,
                "status": t.status,
                "seconds": round(t.seconds, 3),
                "error": t.error or "",
            }
            for t in result.tasks
        ]
    )
    result.files.append(write_text(out / "national_tasks.csv", _csv(tasks), root=out))
    result.files.append(write_text(out / "index.html", _index_page(nat, result, out), root=out))
    finished = {
        t.name: {"hash": t.input_hash}
        for t in result.tasks
        if t.status in ("done", "skipped") and t.input_hash
    }
    result.files.append(
        write_text(
            manifest_path,
            json.dumps({"tasks": finished}, indent=1, sort_keys=True),
            root=manifest_path.parent,
        )
    )
    write_manifest(out, result.files, project=nat.path)
    result.national_seconds = time.perf_counter() - t_national
    result.seconds = time.perf_counter() - t0
    return result
