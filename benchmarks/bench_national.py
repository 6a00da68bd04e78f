"""Benchmark: a national run of a generated nation with 1 and 2 Dask workers, and projections.

Generates a fictional nation (``geoseg example-nation``: DeSO-sized areas, six register years,
``--permutations`` for the indices and hotspots, walking access for four service kinds over the
national OSM extract clipped per municipality), runs every municipality's job on a local Dask
cluster of 1 and then 2 worker processes (one thread each; fresh output folders, no skipped
tasks), checks that both give the same national tables, and prints:

* wall times, the cluster's start-up, the speed-up from 1 to 2 workers, and the CPU time the
  tasks used in each run (on a shared machine, wall time grows with other users' load: the
  CPU times and the load average say how much of the machine the run had);
* the peak resident memory of each worker process;
* the time projected on 32 workers from the measured task times: the longest-processing-time
  schedule of the tasks (never shorter than the longest task, the task graph's critical path,
  as the municipality tasks are independent) plus the national level;
* for a nation larger than the one run (``--project-to``, default 290 municipalities of
  ``municipality_sizes(290, min_areas=10, max_areas=150)``: 6,032 areas), the same projections
  from a least-squares fit of task CPU time on areas per municipality.

Measured on the shared 2-core machine (6 municipalities of 10-30 areas, 111 areas, 999
permutations, all stages; ``--municipalities 6 --max-areas 30``): 330 s with 1 worker (98 % of
a core), 232 s with 2 (1.42x; other processes held a fifth of the cores, and the task CPU time
grew from 321 s to 357 s with two tasks at once), 0.7 GB peak per worker; the ideal speed-up
from the task CPU times is 1.86x (one municipality holds 37 % of the work). Projection to
6,032 areas: 17,654 s of task CPU, 570 s on 32 workers (critical path 478 s: the 150-area
municipality).

    python benchmarks/bench_national.py                                # 24 municipalities
    python benchmarks/bench_national.py --municipalities 6 --max-areas 30  # about 10 CPU-min
    python benchmarks/bench_national.py --municipalities 290           # the whole nation
    python benchmarks/bench_national.py --municipalities 12 --permutations 99 --stage segregation

The nation is generated in benchmarks/_work/ (gitignored) and reused by later runs.
"""

from __future__ import annotations

import argparse
import heapq
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from geoseg.example.nation import generate_nation, municipality_sizes
from geoseg.national import NationalResult, run_national

WORK = Path(__file__).resolve().parent / "_work"


def makespan(times: Sequence[float], workers: int) -> float:
    """Longest-processing-time schedule of independent tasks on ``workers``."""
    loads = [0.0] * workers
    for t in sorted(times, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + t)
    return max(loads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--municipalities", type=int, default=24)
    ap.add_argument("--min-areas", type=int, default=10)
    ap.add_argument("--max-areas", type=int, default=150)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--project-to", type=int, default=290)
    ap.add_argument("--project-min-areas", type=int, default=10)
    ap.add_argument("--project-max-areas", type=int, default=150)
    ap.add_argument("--stage", action="append", dest="stages")
    args = ap.parse_args()

    name = (
        f"nation_{args.municipalities}_{args.min_areas}_{args.max_areas}_"
        f"{args.permutations}_{args.seed}"
    )
    nation_dir = WORK / name
    if not (nation_dir / "national.toml").is_file():
        shutil.rmtree(nation_dir, ignore_errors=True)
        t0 = time.perf_counter()
        generate_nation(
            nation_dir,
            municipalities=args.municipalities,
            seed=args.seed,
            min_areas=args.min_areas,
            max_areas=args.max_areas,
            permutations=args.permutations,
        )
        print(f"generated the nation in {time.perf_counter() - t0:.1f} s: {nation_dir}")
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
    runs: dict[int, NationalResult] = {}
    for workers in (1, 2):
        out = WORK / f"out_{name}_{workers}w"
        shutil.rmtree(out, ignore_errors=True)
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
        peaks: dict[str, float] = {}
        for t in r.tasks:
            peaks[t.worker] = max(peaks.get(t.worker, 0.0), t.peak_rss_mb)
        cpu = sum(t.cpu_seconds for t in r.tasks)
        print(
            f"{workers} worker(s): {r.seconds:7.1f} s wall (start-up {r.startup_seconds:.1f} s, "
            f"tasks {r.task_seconds - r.startup_seconds:.1f} s, national level "
            f"{r.national_seconds:.2f} s); task CPU {cpu:.1f} s, main process CPU "
            f"{(c1.user + c1.system) - (c0.user + c0.system):.1f} s; load average "
            f"{os.getloadavg()[0]:.1f}"
        )
        for worker, peak in sorted(peaks.items()):
            print(f"    worker {worker}: peak memory {peak:.0f} MB")
    for table in ("national_areas.csv", "national_municipalities.csv"):
        a = (runs[1].output / table).read_bytes()
        b = (runs[2].output / table).read_bytes()
        assert a == b, f"{table} differs between 1 and 2 workers"
    one, two = runs[1], runs[2]
    n_areas = sum(sizes.values())
    print(
        f"nation: {len(one.tasks)} municipalities, {n_areas} areas, "
        f"{args.permutations} permutations, stages {', '.join(args.stages or ['all'])}"
    )
    work1 = one.task_seconds - one.startup_seconds
    work2 = two.task_seconds - two.startup_seconds
    print(f"speed-up 1 -> 2 workers: {one.seconds / two.seconds:.2f}x wall (target 1.7x)")
    print(f"speed-up of the tasks after start-up: {work1 / work2:.2f}x")
    cpu1 = sum(t.cpu_seconds for t in one.tasks)
    cpu2 = sum(t.cpu_seconds for t in two.tasks)
    wall1 = sum(t.seconds for t in one.tasks)
    wall2 = sum(t.seconds for t in two.tasks)
    print(
        f"share of task wall time on a CPU: {cpu1 / wall1:.0%} with 1 worker, "
        f"{cpu2 / wall2:.0%} with 2 (below 100%: waiting for a core other processes hold)"
    )
    ideal = makespan([t.cpu_seconds for t in one.tasks], 2)
    print(
        f"ideal 1 -> 2 speed-up from the measured task CPU times (LPT schedule, "
        f"uncontended cores): {cpu1 / ideal:.2f}x"
    )
    times = [t.cpu_seconds for t in one.tasks]
    longest = max(times)
    span = makespan(times, 32)
    print(
        f"task CPU times (1 worker): sum {cpu1:.1f} s, longest {longest:.1f} s; projected on "
        f"32 workers: {span + one.national_seconds:.1f} s (schedule {span:.1f} s, critical "
        f"path {longest:.1f} s, national level {one.national_seconds:.2f} s; start-up not "
        "included)"
    )
    if args.project_to and args.project_to != len(one.tasks):
        x = np.array([sizes[t.name] for t in one.tasks], dtype=float)
        y = np.array(times)
        b, a = np.polyfit(x, y, 1)
        big = municipality_sizes(
            args.project_to,
            seed=args.seed,
            min_areas=args.project_min_areas,
            max_areas=args.project_max_areas,
        )
        pred = [a + b * s for s in big]
        nat = one.national_seconds * sum(big) / n_areas
        print(
            f"projection to {args.project_to} municipalities ({sum(big)} areas), task CPU time "
            f"= {a:.2f} s + {b:.3f} s per area (fit on the {len(times)} measured tasks): "
            f"sum {sum(pred):.0f} s; 1 worker {makespan(pred, 1) + nat:.0f} s, 2 workers "
            f"{makespan(pred, 2) + nat:.0f} s, 32 workers {makespan(pred, 32) + nat:.0f} s "
            f"(critical path {max(pred):.0f} s)"
        )


if __name__ == "__main__":
    main()
