"""Running the tasks of a national run: on Dask (``dask.distributed``) or one after the other.

Scheduling, retries, memory limits and spilling are Dask's. The local cluster runs one worker
process per worker with one thread each: the tasks are Python-heavy (pandas, GeoPandas,
pyosmium) and would contend for the interpreter lock as threads of one process. Tasks are
shipped as small specifications (paths and options); every worker reads its municipality's
files itself and sends back only the register columns the national level needs.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from geoseg.national.tasks import TaskResult, run_municipality

__all__ = ["dask_available", "run_dask", "run_serial"]

logger = logging.getLogger(__name__)


def _progress(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="municipality", disable=not sys.stderr.isatty())


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported (``pip install geoseg[dask]``)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def run_serial(
    specs: Sequence[dict[str, Any]],
    *,
    task: Callable[[dict[str, Any]], TaskResult] = run_municipality,
) -> dict[str, TaskResult]:
    """Run the tasks one after the other in this process.

    Parameters
    ----------
    specs
        Task specifications (:func:`geoseg.national.tasks.plan_tasks`).
    task
        The function that runs one task.

    Returns
    -------
    dict
        Task name -> its result; an unexpected exception is reported as a failed task and the
        other tasks still run.
    """
    results: dict[str, TaskResult] = {}
    with _progress(len(specs)) as bar:
        for spec in specs:
            try:
                results[spec["name"]] = task(spec)
            except Exception as exc:  # reported per task; the others continue
                results[spec["name"]] = TaskResult(
                    name=spec["name"], status="failed", error=f"{type(exc).__name__}: {exc}"
                )
            bar.set_postfix_str(spec["name"])
            bar.update()
    return results


def run_dask(
    specs: Sequence[dict[str, Any]],
    *,
    workers: int,
    scheduler: str | None,
    memory_limit: str | None,
    processes: bool,
    retries: int,
    task: Callable[[dict[str, Any]], TaskResult] = run_municipality,
    timings: dict[str, float] | None = None,
) -> dict[str, TaskResult]:
    """Run the tasks on a Dask cluster: a new local one, or an existing scheduler.

    Parameters
    ----------
    specs
        Task specifications (:func:`geoseg.national.tasks.plan_tasks`).
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
    task
        The function that runs one task.
    timings
        When given, ``"startup"`` is set to the seconds the cluster and client took to start.

    Returns
    -------
    dict
        Task name -> its result; a task that raised after its retries is a failed task.
    """
    from distributed import Client, LocalCluster, as_completed

    t0 = time.perf_counter()
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
    if timings is not None:
        timings["startup"] = time.perf_counter() - t0
    logger.info("dask: %s (dashboard %s)", client.scheduler.address, client.dashboard_link)
    results: dict[str, TaskResult] = {}
    try:
        # the largest tasks first, so that the last one to start is a small one
        order = sorted(specs, key=lambda s: -float(s.get("size") or 0.0))
        futures = {
            client.submit(
                task,
                spec,
                key=f"municipality-{spec['name']}-{spec.get('hash') or 'new'}"[:120],
                pure=False,
                retries=retries,
                priority=len(order) - i,
            ): spec["name"]
            for i, spec in enumerate(order)
        }
        with _progress(len(futures)) as bar:
            for fut in as_completed(list(futures)):
                name = futures[fut]
                if fut.status == "error":
                    exc = fut.exception()
                    results[name] = TaskResult(
                        name=name, status="failed", error=f"{name}: {type(exc).__name__}: {exc}"
                    )
                else:
                    results[name] = fut.result()
                fut.release()
                bar.set_postfix_str(name)
                bar.update()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results
