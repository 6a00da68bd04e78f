"""Running the tasks of a national run: on Dask (``dask.distributed``) or one after the other.

Scheduling, retries, memory limits and spilling are Dask's. A municipality's task is submitted
with its year tasks' futures as arguments, so Dask runs it once they are done, on whichever
worker, with their results (see :mod:`geoseg.national.plan` for the graph); the national task
(:func:`geoseg.national.tasks.run_nation`) is submitted with every municipality task's future,
so the national measures too are computed on the cluster, from the register rows the
municipality tasks return. Tasks are
submitted largest first (Dask's ``priority``), municipality tasks ahead of any year task, so
that the last tasks to start are small ones. The local cluster runs one worker process per
worker with one thread each: the tasks are Python-heavy (pandas, GeoPandas, pyosmium) and
would contend for the interpreter lock as threads of one process; the worker processes start
with one thread each for OpenMP, BLAS and numexpr (Dask's ``distributed.nanny.pre-spawn-environ``)
so that two workers do not each spread over every core. Tasks are shipped as small
specifications (paths and options); every worker reads its municipality's files itself and
sends back only small tables.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from geoseg.national.tasks import NATIONAL_TASK, TaskResult, run_municipality, run_year

__all__ = ["WORKER_ENVIRONMENT", "GraphResults", "dask_available", "run_dask", "run_serial"]

logger = logging.getLogger(__name__)

#: Environment of local worker processes: one thread each for the numeric libraries.
WORKER_ENVIRONMENT = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


@dataclass
class GraphResults:
    """The results of a national run's task graph.

    Attributes
    ----------
    tasks
        Municipality code -> its task's result (its year tasks' results in ``years``).
    national
        The national task's result (:func:`geoseg.national.tasks.run_nation`), or ``None``
        when no national task was run.
    """

    tasks: dict[str, TaskResult] = field(default_factory=dict)
    national: TaskResult | None = None


def _progress(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="task", disable=not sys.stderr.isatty())


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported (``pip install geoseg[dask]``)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _count(specs: Sequence[dict[str, Any]]) -> int:
    return sum(1 + (0 if s.get("skip") else len(s.get("years", ()))) for s in specs)


def _failed(name: str, exc: BaseException) -> TaskResult:
    return TaskResult(name=name, status="failed", error=f"{name}: {type(exc).__name__}: {exc}")


def run_serial(
    specs: Sequence[dict[str, Any]],
    *,
    task: Callable[..., TaskResult] = run_municipality,
    year_task: Callable[[dict[str, Any]], TaskResult] = run_year,
    national_task: Callable[..., TaskResult] | None = None,
) -> GraphResults:
    """Run the tasks one after the other in this process: each municipality's year tasks,
    then the municipality's task, and last the national task.

    Parameters
    ----------
    specs
        Municipality tasks with their year tasks (:func:`geoseg.national.plan.plan_tasks`).
    task, year_task
        The functions that run a municipality task and a year task.
    national_task
        The function that runs the national task, called with every municipality task's
        result in the order of ``specs`` (none: no national task).

    Returns
    -------
    GraphResults
        Every municipality's result and the national task's; an unexpected exception is
        reported as a failed task and the other tasks still run.
    """
    results: dict[str, TaskResult] = {}
    national = None
    with _progress(_count(specs) + (national_task is not None)) as bar:
        for spec in specs:
            years = []
            for ys in () if spec.get("skip") else spec.get("years", ()):
                try:
                    years.append(year_task(ys))
                except Exception as exc:  # reported per task; the others continue
                    years.append(_failed(ys["name"], exc))
                bar.set_postfix_str(ys["name"])
                bar.update()
            try:
                results[spec["name"]] = task(spec, *years)
            except Exception as exc:  # reported per task; the others continue
                results[spec["name"]] = _failed(spec["name"], exc)
                results[spec["name"]].years = [replace(y, parts=None) for y in years]
            bar.set_postfix_str(spec["name"])
            bar.update()
        if national_task is not None:
            try:
                national = national_task(*(results[s["name"]] for s in specs))
            except Exception as exc:  # reported as the national task's failure
                national = _failed(NATIONAL_TASK, exc)
            bar.set_postfix_str(NATIONAL_TASK)
            bar.update()
    return GraphResults(tasks=results, national=national)


def _local_cluster(workers: int, *, processes: bool, memory_limit: str | None) -> Any:
    """A local cluster whose worker processes use one thread each, numeric libraries included."""
    import dask
    from distributed import LocalCluster

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    env.update(WORKER_ENVIRONMENT)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            memory_limit=memory_limit or "auto",
            dashboard_address=":0",
        )


def run_dask(
    specs: Sequence[dict[str, Any]],
    *,
    workers: int,
    scheduler: str | None,
    memory_limit: str | None,
    processes: bool,
    retries: int,
    task: Callable[..., TaskResult] = run_municipality,
    year_task: Callable[[dict[str, Any]], TaskResult] = run_year,
    national_task: Callable[..., TaskResult] | None = None,
    timings: dict[str, float] | None = None,
) -> GraphResults:
    """Run the task graph on a Dask cluster: a new local one, or an existing scheduler.

    Parameters
    ----------
    specs
        Municipality tasks with their year tasks (:func:`geoseg.national.plan.plan_tasks`).
    workers
        Workers of the local cluster (one thread each).
    scheduler
        Address of an existing scheduler (``tcp://host:8786``); ``workers``, ``memory_limit``
        and ``processes`` are then ignored.
    memory_limit
        Memory limit per local worker (Dask's ``"auto"`` when ``None``).
    processes
        Local workers as separate processes (default for a run) or threads of this process.
    retries
        How many times Dask retries a task that raised an unexpected exception.
    task, year_task
        The functions that run a municipality task and a year task.
    national_task
        The function that runs the national task, submitted with every municipality task's
        future in the order of ``specs`` (none: no national task). When a municipality task
        raised after its retries, the national task runs again on the others' results, as
        in :func:`run_serial`.
    timings
        When given, ``"startup"`` is set to the seconds the cluster and client took to start.

    Returns
    -------
    GraphResults
        Every municipality's result (its year tasks' results in ``years``) and the national
        task's; a task that raised after its retries is a failed task, and so is its
        municipality's.
    """
    from distributed import Client, as_completed, wait

    t0 = time.perf_counter()
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = _local_cluster(workers, processes=processes, memory_limit=memory_limit)
        client = Client(cluster)
    if timings is not None:
        timings["startup"] = time.perf_counter() - t0
    logger.info("dask: %s (dashboard %s)", client.scheduler.address, client.dashboard_link)
    results: dict[str, TaskResult] = {}
    try:
        # the largest tasks first, so that the last one to start is a small one; a
        # municipality's task as soon as its years are done (it releases their results)
        order = sorted(specs, key=lambda s: -float(s.get("size") or 0.0))
        n = len(order)
        names: dict[Any, str] = {}
        munis: dict[str, Any] = {}
        years: dict[str, list[Any]] = {}
        for i, spec in enumerate(order):
            futs = []
            for ys in () if spec.get("skip") else spec.get("years", ()):
                fut = client.submit(
                    year_task,
                    ys,
                    key=f"year-{ys['name']}-{ys.get('hash') or 'new'}"[:120],
                    pure=False,
                    retries=retries,
                    priority=n - i,
                )
                names[fut] = ys["name"]
                futs.append(fut)
            fut = client.submit(
                task,
                spec,
                *futs,
                key=f"municipality-{spec['name']}-{spec.get('hash') or 'new'}"[:120],
                pure=False,
                retries=retries,
                priority=2 * n - i,
            )
            names[fut] = spec["name"]
            munis[spec["name"]] = fut
            years[spec["name"]] = futs

        def submit_national(nation: Callable[..., TaskResult], futures: list[Any]) -> Any:
            fut = client.submit(
                nation,
                *futures,
                key=f"national-{uuid.uuid4().hex}",
                pure=False,
                retries=retries,
                priority=3 * n,
            )
            names[fut] = NATIONAL_TASK
            return fut

        # every municipality's result in the national file's order, as the serial run
        national = None
        if national_task is not None:
            national = submit_national(national_task, [munis[s["name"]] for s in specs])
        with _progress(len(names)) as bar:
            for fut in as_completed(list(names)):
                bar.set_postfix_str(names[fut])
                bar.update()
        for name, fut in munis.items():
            if fut.status != "error":
                results[name] = fut.result()
                continue
            erred = [yf for yf in years[name] if yf.status == "error"]
            first = erred[0] if erred else fut  # a year's error is its municipality's
            results[name] = _failed(names[first], first.exception())
            results[name].name = name
            for yf in years[name]:
                if yf.status == "error":
                    results[name].years.append(_failed(names[yf], yf.exception()))
                else:
                    results[name].years.append(replace(yf.result(), parts=None))
        national_result = None
        if national_task is not None and national is not None:
            finished = [munis[s["name"]] for s in specs if munis[s["name"]].status == "finished"]
            if national.status == "error" and len(finished) < len(specs):
                # a crashed municipality failed the national task too: run it on the others
                national = submit_national(national_task, finished)
                wait([national])
            national_result = (
                national.result()
                if national.status == "finished"
                else _failed(NATIONAL_TASK, national.exception())
            )
        client.cancel(list(names))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return GraphResults(tasks=results, national=national_result)
