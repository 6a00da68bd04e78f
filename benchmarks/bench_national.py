"""Benchmark: a national run of a generated nation on 1 and 2 Dask workers, and projections.

Generates a fictional nation (``geoseg example-nation``: DeSO-sized areas, six register years,
``--permutations`` for the indices and hotspots, walking access for four service kinds over the
national OSM extract clipped per municipality), runs it on a local Dask cluster of 1 and then 2
worker processes (one thread each, OpenMP/BLAS/numexpr on one thread; fresh output folders,
no skipped tasks), checks that both give the same national tables, and prints:

* wall times (planning, shared extract, cluster start-up, tasks, national level), the
  speed-up from 1 to 2 workers, and the CPU time of the tasks and of this process (on a
  shared machine wall time grows with other users' load: the CPU times and the load average
  say how much of the machine the run had);
* the peak resident memory of each worker process and the threads its numeric libraries use;
* per-task CPU time by kind (year tasks, municipality tasks) and size, and a CSV of every
  task (``benchmarks/_work/<nation>_tasks_<N>w.csv``) to project other nations from;
* the time projected on 32 workers from the measured task CPU times: a list schedule of the
  task graph with the engine's priorities (a municipality's task after its year tasks), never
  shorter than the graph's critical path (the longest year task plus the municipality task,
  over all municipalities), plus the work of this process (planning, national level);
* for a nation larger than the one run (``--project-to``, default 290 municipalities of
  ``municipality_sizes(290, min_areas=10, max_areas=150)``: 6,032 areas), the same projections
  from least-squares fits of year-task and municipality-task CPU time on areas.

Measured on a quiet 2-core machine (load average 2.2-2.5), after the exact expectations of
the segregation indices were evaluated for all replicate tables at once:
``--municipalities 6 --max-areas 30`` (111 areas, 999 permutations, all stages): 39.5 s wall
on 2 workers, 1.71x faster than on 1 (1.91x expected from the task CPU times), task CPU
57-61 s (36 year tasks 41.5 s, 6 municipality tasks 15.9 s; the largest task 4.0 s), 0.50 GB
peak per worker; projected on 32 workers 7.9 s; projected to 290 municipalities (6,032 areas)
3,047 s of task CPU: 1,555 s on 2 workers, 127 s on 32 (critical path 11 s).
``--municipalities 290 --plan-only``: generated in 187 s CPU, 1,740 year tasks and 290
municipality tasks planned in 31 s CPU.
``--municipalities 290`` (6,032 areas, 999 permutations, all stages; other work ran beside it
at nice 19, load average 3.7-10), after the exact expectations were computed once per distinct
city share: 1,300 s wall on 2 workers, 2,272 s on 1 (1.75x); task CPU 1,672-1,744 s (year
tasks 935-996 s, municipality tasks 737-749 s); peak memory 1.0-1.1 GB per worker; projected
on 32 workers 76-84 s (critical path 10-13 s).

``--workers 2`` runs one cluster size only (the 290-municipality nation: run 2 workers, then
1); ``--plan-only`` generates the nation and plans its task graph without running it.

    python benchmarks/bench_national.py                                 # 24 municipalities
    python benchmarks/bench_national.py --municipalities 30 --min-areas 8 --max-areas 12 \\
        --permutations 99 --stage segregation --stage hotspots --stage trends --stage access
    python benchmarks/bench_national.py --municipalities 290            # the whole nation
    python benchmarks/bench_national.py --municipalities 290 --plan-only

The nation is generated in benchmarks/_work/ (gitignored) and reused by later runs.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from geoseg.example.nation import generate_nation, municipality_sizes
from geoseg.national import NationalResult, run_national

WORK = Path(__file__).resolve().parent / "_work"

#: A municipality's tasks for the schedule: (year-task CPU seconds, municipality-task seconds).
Graph = Sequence[tuple[Sequence[float], float]]


def schedule(graph: Graph, workers: int) -> float:
    """Makespan of the task graph on ``workers``: the engine's priorities, list scheduling.

    Municipalities come largest first (by their total time); a free worker takes the ready
    task of highest priority: any ready municipality task before any year task, then by the
    municipality's rank. A municipality task is ready when its year tasks are done.
    """
    order = sorted(range(len(graph)), key=lambda i: -(sum(graph[i][0]) + graph[i][1]))
    n = len(order)
    rank = {m: r for r, m in enumerate(order)}
    tasks: list[tuple[float, int, bool]] = []  # (seconds, municipality, is a year task)
    ready: list[tuple[int, int]] = []  # (-priority, task)
    left = {}
    for m in order:
        years, whole = graph[m]
        left[m] = len(years)
        for t in years:
            tasks.append((t, m, True))
            heapq.heappush(ready, (-(n - rank[m]), len(tasks) - 1))
        tasks.append((whole, m, False))
        if not years:
            heapq.heappush(ready, (-(2 * n - rank[m]), len(tasks) - 1))
    whole_task = {m: i for i, (_, m, year) in enumerate(tasks) if not year}
    running: list[tuple[float, int]] = []  # (finish, task)
    free, now = workers, 0.0
    while ready or running:
        while free and ready:
            _, i = heapq.heappop(ready)
            heapq.heappush(running, (now + tasks[i][0], i))
            free -= 1
        now, i = heapq.heappop(running)
        free += 1
        _, m, year = tasks[i]
        if year:
            left[m] -= 1
            if left[m] == 0:
                heapq.heappush(ready, (-(2 * n - rank[m]), whole_task[m]))
    return now


def critical_path(graph: Graph) -> float:
    """The longest chain of the graph: a municipality's longest year task, then its task."""
    return max((max(years, default=0.0) + whole) for years, whole in graph)


def graph_of(result: NationalResult) -> list[tuple[list[float], float]]:
    """Measured CPU seconds of every task, as the schedule takes them."""
    return [([y.cpu_seconds for y in t.years], t.cpu_seconds) for t in result.tasks]


def write_tasks(result: NationalResult, sizes: Mapping[str, int], path: Path) -> None:
    """Every task's measured times as CSV."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["task", "municipality", "year", "areas", "cpu_s", "wall_s", "peak_mb", "worker"]
        )
        for t in result.tasks:
            for task in [*t.years, t]:
                code, _, year = task.name.partition(":")
                out.writerow(
                    [task.name, code, year, sizes[code], f"{task.cpu_seconds:.3f}",
                     f"{task.seconds:.3f}", f"{task.peak_rss_mb:.0f}", task.worker]
                )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--municipalities", type=int, default=24)
    ap.add_argument("--min-areas", type=int, default=10)
    ap.add_argument("--max-areas", type=int, default=150)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--workers", default="1,2", help="cluster sizes to run, e.g. 1,2 or 2")
    ap.add_argument("--project-to", type=int, default=290)
    ap.add_argument("--project-min-areas", type=int, default=10)
    ap.add_argument("--project-max-areas", type=int, default=150)
    ap.add_argument("--stage", action="append", dest="stages")
    ap.add_argument("--plan-only", action="store_true")
    args = ap.parse_args()

    name = (
        f"nation_{args.municipalities}_{args.min_areas}_{args.max_areas}_"
        f"{args.permutations}_{args.seed}"
    )
    nation_dir = WORK / name
    if not (nation_dir / "national.toml").is_file():
        shutil.rmtree(nation_dir, ignore_errors=True)
        t0, c0 = time.perf_counter(), time.process_time()
        generate_nation(
            nation_dir,
            municipalities=args.municipalities,
            seed=args.seed,
            min_areas=args.min_areas,
            max_areas=args.max_areas,
            permutations=args.permutations,
        )
        print(
            f"generated the nation in {time.perf_counter() - t0:.1f} s wall, "
            f"{time.process_time() - c0:.1f} s CPU: {nation_dir}"
        )
    config = nation_dir / "national.toml"
    sizes = dict(
        zip(
            (p.name for p in sorted(nation_dir.glob("[0-9]*")) if p.is_dir()),
            municipality_sizes(
                args.municipalities,
                seed=args.seed,
                min_areas=args.min_areas,
                max_areas=args.max_areas,
            ),
            strict=True,
        )
    )
    n_areas = sum(sizes.values())
    print(
        f"nation: {args.municipalities} municipalities, {n_areas} areas (largest "
        f"{max(sizes.values())}), {args.permutations} permutations, stages "
        f"{', '.join(args.stages or ['all'])}"
    )
    if args.plan_only:
        from geoseg.io.national import read_national
        from geoseg.national.plan import plan_tasks
        from geoseg.settings import STAGES

        t0, c0 = time.perf_counter(), time.process_time()
        specs = plan_tasks(
            read_national(config),
            WORK / f"out_{name}_plan",
            columns=[],
            stages=list(args.stages or STAGES),
            lang=None,
            overwrite=True,
            previous={},
            force=True,
        )
        years = sum(len(s["years"]) for s in specs)
        print(
            f"task graph: {len(specs)} municipality tasks, {years} year tasks; planned in "
            f"{time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU"
        )
        return

    runs: dict[int, NationalResult] = {}
    for workers in (int(w) for w in args.workers.split(",")):
        out = WORK / f"out_{name}_{workers}w"
        shutil.rmtree(out, ignore_errors=True)
        load0 = os.getloadavg()[0]
        c0 = os.times()
        runs[workers] = r = run_national(
            config,
            output=out,
            workers=workers,
            memory_limit=args.memory_limit,
            stages=args.stages,
            force=True,
        )
        c1 = os.times()
        failed = [t.name for t in r.failed]
        assert not failed, f"tasks failed: {failed}"
        tasks = [*r.tasks, *r.year_tasks]
        cpu = sum(t.cpu_seconds for t in tasks)
        wall = sum(t.seconds for t in tasks)
        main_cpu = (c1.user + c1.system) - (c0.user + c0.system)
        # the national task runs in the graph; it is counted in the national level
        work = r.task_seconds - r.startup_seconds - (r.national.seconds if r.national else 0.0)
        print(
            f"{workers} worker(s): {r.seconds:7.1f} s wall = planning {r.plan_seconds:.1f} s + "
            f"shared extract {r.network_seconds:.1f} s + start-up {r.startup_seconds:.1f} s + "
            f"tasks {work:.1f} s + national level {r.national_seconds:.2f} s"
        )
        print(
            f"    task CPU {cpu:.1f} s ({len(r.year_tasks)} year tasks "
            f"{sum(t.cpu_seconds for t in r.year_tasks):.1f} s, {len(r.tasks)} municipality "
            f"tasks {sum(t.cpu_seconds for t in r.tasks):.1f} s), {cpu / wall:.0%} of task "
            f"wall time on a CPU; this process {main_cpu:.1f} s CPU; load average "
            f"{load0:.1f} before, {os.getloadavg()[0]:.1f} after"
        )
        peaks: dict[str, float] = {}
        threads: dict[str, int] = {}
        for t in tasks:
            peaks[t.worker] = max(peaks.get(t.worker, 0.0), t.peak_rss_mb)
            threads[t.worker] = max(threads.get(t.worker, 0), t.blas_threads)
        for worker, peak in sorted(peaks.items()):
            print(
                f"    worker {worker}: peak memory {peak:.0f} MB, numeric libraries on "
                f"{threads[worker]} thread(s)"
            )
        write_tasks(r, sizes, WORK / f"{name}_tasks_{workers}w.csv")
        print(f"    every task's times: {WORK / f'{name}_tasks_{workers}w.csv'}")
    if 1 in runs and 2 in runs:
        for table in ("national_areas.csv", "national_municipalities.csv"):
            a = (runs[1].output / table).read_bytes()
            b = (runs[2].output / table).read_bytes()
            assert a == b, f"{table} differs between 1 and 2 workers"
        one, two = runs[1], runs[2]
        work1 = one.task_seconds - one.startup_seconds
        work2 = two.task_seconds - two.startup_seconds
        print(f"speed-up 1 -> 2 workers: {one.seconds / two.seconds:.2f}x wall (target 1.7x)")
        print(f"speed-up of the tasks after start-up: {work1 / work2:.2f}x")
    ref = runs[min(runs)]
    graph = graph_of(ref)
    serial = ref.plan_seconds + ref.network_seconds + ref.national_seconds
    total = sum(sum(y) + m for y, m in graph)
    print(
        f"ideal 1 -> 2 speed-up of the tasks from their measured CPU times (uncontended "
        f"cores, the engine's schedule): {schedule(graph, 1) / schedule(graph, 2):.2f}x"
    )
    span = schedule(graph, 32)
    print(
        f"task CPU times ({min(runs)} worker(s)): sum {total:.1f} s; projected on 32 workers: "
        f"{span + serial:.1f} s (schedule {span:.1f} s, critical path "
        f"{critical_path(graph):.1f} s, planning, shared extract and national level "
        f"{serial:.1f} s; start-up not included)"
    )
    per_year = [(sizes[t.name], y.cpu_seconds) for t in ref.tasks for y in t.years if y.cpu_seconds]
    per_muni = [(sizes[t.name], t.cpu_seconds) for t in ref.tasks]
    for label, pairs in (("year task", per_year), ("municipality task", per_muni)):
        if not pairs:
            continue
        x, y = np.array(pairs).T
        print(
            f"{label}s: {len(y)}, CPU mean {y.mean():.2f} s, max {y.max():.2f} s, "
            f"{y.sum() / x.sum():.3f} s per area"
        )
    if args.project_to and args.project_to != len(ref.tasks) and len(per_muni) >= 2:
        big = municipality_sizes(
            args.project_to,
            seed=args.seed,
            min_areas=args.project_min_areas,
            max_areas=args.project_max_areas,
        )
        xm, ym = np.array(per_muni, dtype=float).T
        bm, am = np.polyfit(xm, ym, 1)
        years = max(len(t.years) for t in ref.tasks)
        if per_year:
            xy, yy = np.array(per_year, dtype=float).T
            by, ay = np.polyfit(xy, yy, 1)
        big_graph = [([ay + by * s] * years if per_year else [], am + bm * s) for s in big]
        plan = ref.plan_seconds * args.project_to / len(ref.tasks)
        nat = ref.national_seconds * sum(big) / n_areas
        cpu = sum(sum(y) + m for y, m in big_graph)
        fit = f"year task {ay:.2f} s + {by:.3f} s per area, " if per_year else ""
        print(
            f"projection to {args.project_to} municipalities ({sum(big)} areas; {fit}"
            f"municipality task {am:.2f} s + {bm:.3f} s per area, fitted on the measured "
            f"tasks): task CPU {cpu:.0f} s; 1 worker {schedule(big_graph, 1) + plan + nat:.0f} "
            f"s, 2 workers {schedule(big_graph, 2) + plan + nat:.0f} s, 32 workers "
            f"{schedule(big_graph, 32) + plan + nat:.0f} s (critical path "
            f"{critical_path(big_graph):.0f} s, planning {plan:.0f} s)"
        )


if __name__ == "__main__":
    main()
