"""Running a national project: plan the tasks, run them, then the national level.

:func:`run_national` plans the task graph (:mod:`geoseg.national.plan`: a task per
municipality and register year, a task per municipality after its years, and the national
task after every municipality), runs it on Dask or serially (:mod:`geoseg.national.engine`);
the national task computes the national tables (:mod:`geoseg.national.tables`) where the
graph runs, and this process writes them with the index page (:mod:`geoseg.national.page`).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geoseg.errors import InputError
from geoseg.io import write_text
from geoseg.io.results import check_output_folder, write_manifest
from geoseg.national.engine import dask_available, run_dask, run_serial
from geoseg.national.extract import shared_networks
from geoseg.national.page import index_page
from geoseg.national.plan import plan_tasks, saved_results
from geoseg.national.tables import suppress_small, table_csv
from geoseg.national.tasks import NATIONAL_TASK, TaskResult, run_nation

__all__ = [
    "NATIONAL_FILES",
    "TASKS_MANIFEST",
    "NationalResult",
    "check_national_output",
    "run_national",
]

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


@dataclass
class NationalResult:
    """What a national run produced.

    Attributes
    ----------
    output
        The national results folder.
    tasks
        One :class:`TaskResult` per municipality, in the national file's order; each holds
        its year tasks' results in ``years`` (see :attr:`year_tasks`).
    national
        The national task's result (:func:`geoseg.national.tasks.run_nation`: where it ran,
        its time, or the problem when it failed); ``None`` before the graph has run.
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
        Wall time of the run, of its task graph (engine start and the national task
        included) and of the national level (the national task and the writing of its
        tables and page in this process).
    startup_seconds
        Wall time the Dask cluster and client took to start (0 for a serial run).
    network_seconds
        Wall time of reading shared OSM extracts once (:mod:`geoseg.national.extract`).
    plan_seconds
        Wall time of planning the task graph (reading every register's years and hashing
        every task's inputs), in the process that runs :func:`run_national`.
    """

    output: Path
    tasks: list[TaskResult] = field(default_factory=list)
    national: TaskResult | None = None
    areas: pd.DataFrame | None = None
    municipalities: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    task_seconds: float = 0.0
    national_seconds: float = 0.0
    startup_seconds: float = 0.0
    network_seconds: float = 0.0
    plan_seconds: float = 0.0

    @property
    def failed(self) -> list[TaskResult]:
        """The municipality tasks that failed."""
        return [t for t in self.tasks if t.status == "failed"]

    @property
    def year_tasks(self) -> list[TaskResult]:
        """Every year task's result (``"<code>:<year>"``), municipality by municipality."""
        return [y for t in self.tasks for y in t.years]


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
    check_national_output(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / TASKS_MANIFEST
    try:
        previous = json.loads(manifest_path.read_text("utf-8")) if manifest_path.is_file() else {}
    except (OSError, ValueError):
        previous = {}
    t_plan = time.perf_counter()
    specs = plan_tasks(
        nat,
        out,
        columns=_register_columns(nat),
        stages=list(stages or STAGES),
        lang=lang,
        overwrite=overwrite,
        previous=previous.get("tasks", {}),
        force=force,
    )
    plan_seconds = time.perf_counter() - t_plan
    t_network = time.perf_counter()
    network_files = shared_networks(specs, out)
    network_seconds = time.perf_counter() - t_network
    t_tasks = time.perf_counter()
    use_dask = (workers is None or workers > 0 or scheduler) and dask_available()
    timings: dict[str, float] = {}
    nation = functools.partial(run_nation, nat)
    if use_dask:
        ran = run_dask(
            specs,
            workers=workers or 2,
            scheduler=scheduler,
            memory_limit=memory_limit,
            processes=processes,
            retries=retries,
            national_task=nation,
            timings=timings,
        )
    else:
        if workers and not dask_available():
            logger.warning("dask is not installed (pip install geoseg[dask]); running serially")
        ran = run_serial(specs, national_task=nation)
    result = NationalResult(
        output=out, tasks=[ran.tasks[s["name"]] for s in specs], national=ran.national
    )
    result.task_seconds = time.perf_counter() - t_tasks
    result.network_seconds = network_seconds
    result.plan_seconds = plan_seconds
    result.files.extend(network_files)
    result.startup_seconds = timings.get("startup", 0.0)
    t_national = time.perf_counter()
    for t in result.failed:
        logger.error("municipality %s failed: %s", t.name, t.error)
    for t in result.tasks:  # each distinct warning once per municipality, not once per year
        for message in dict.fromkeys(w for task in [*t.years, t] for w in task.warnings):
            logger.warning("municipality %s: %s", t.name, message)

    nt = result.national
    if nt is not None and nt.status == "failed":
        logger.error("the national level failed: %s", nt.error)
    if nt is not None and nt.parts:
        tables = nt.parts
        result.areas, result.municipalities = tables["areas"], tables["municipalities"]
        result.trend = tables["trend"]
        for name, df in (
            ("national_areas.csv", suppress_small(result.areas)),
            ("national_municipalities.csv", result.municipalities),
            ("national_trend.csv", result.trend),
        ):
            result.files.append(write_text(out / name, table_csv(df), root=out))
    rows = []
    for t in result.tasks:
        for task in [*t.years, t]:
            code, _, year = task.name.partition(":")
            rows.append(
                {
                    "task": task.name,
                    "municipality": code,
                    "year": year,
                    "status": task.status,
                    "seconds": round(task.seconds, 3),
                    "cpu_seconds": round(task.cpu_seconds, 3),
                    "error": task.error or "",
                    "warnings": " | ".join(task.warnings),
                }
            )
    if nt is not None:
        rows.append(
            {
                "task": NATIONAL_TASK,
                "municipality": "",
                "year": "",
                "status": nt.status,
                "seconds": round(nt.seconds, 3),
                "cpu_seconds": round(nt.cpu_seconds, 3),
                "error": nt.error or "",
                "warnings": " | ".join(nt.warnings),
            }
        )
    result.files.append(
        write_text(out / "national_tasks.csv", table_csv(pd.DataFrame(rows)), root=out)
    )
    page = index_page(
        result.tasks,
        name=nat.name,
        folder=out,
        lang=lang or nat.lang,
        fictional=nat.fictional,
        national=nt,
    )
    result.files.append(write_text(out / "index.html", page, root=out))
    finished = _finished(result.tasks, specs, previous.get("tasks", {}))
    # the saved results of finished year tasks (those carried over too) are the folder's
    saved = [
        saved_results(out, code, year)
        for code, _, year in (name.partition(":") for name in finished)
        if year and saved_results(out, code, year).is_file()
    ]
    result.files.append(
        write_text(
            manifest_path,
            json.dumps({"tasks": finished}, indent=1, sort_keys=True),
            root=manifest_path.parent,
        )
    )
    write_manifest(out, [*result.files, *saved], project=nat.path)
    result.national_seconds = time.perf_counter() - t_national + (nt.seconds if nt else 0.0)
    result.seconds = time.perf_counter() - t0
    return result


def check_national_output(out: Path, *, overwrite: bool) -> None:
    """Refuse a national results folder that is a file, or whose files geoseg did not write
    (unless ``overwrite``); what :func:`run_national` and ``geoseg validate`` check."""
    if out.exists() and not out.is_dir():
        msg = (
            f"{out}: the national results folder is a file; give a folder ([national] output or -o)"
        )
        raise InputError(msg)
    if out.is_dir():
        check_output_folder(out, list(NATIONAL_FILES), overwrite=overwrite)


def _finished(
    tasks: Sequence[TaskResult], specs: Sequence[dict], previous: dict
) -> dict[str, dict[str, str | None]]:
    """The manifest of finished tasks: hash of each one's inputs, digest of its saved results.

    A municipality skipped as a whole ran none of its year tasks: their entries carry over.
    """
    planned = {s["name"]: s for s in specs}
    finished: dict[str, dict[str, str | None]] = {}
    for t in tasks:
        if t.status not in ("done", "skipped") or not t.input_hash:
            continue
        finished[t.name] = {"hash": t.input_hash}
        if t.status == "skipped" and not t.years:
            for ys in planned[t.name].get("years", ()):
                if ys["name"] in previous:
                    finished[ys["name"]] = previous[ys["name"]]
        for y in t.years:
            if y.status in ("done", "skipped") and y.input_hash and y.digest:
                finished[y.name] = {"hash": y.input_hash, "digest": y.digest}
    return finished


def _register_columns(nat: object) -> list[str]:
    """The register columns the national level needs from every municipality."""
    from geoseg.segregation.national import default_socioeconomic_indicators

    indicators = getattr(nat, "indicators", {}) or default_socioeconomic_indicators()
    columns: list[str] = []
    for ind in indicators.values():
        columns.extend(ind.columns)
    columns.extend(getattr(nat, "income_groups", ()))
    return list(dict.fromkeys(columns))
