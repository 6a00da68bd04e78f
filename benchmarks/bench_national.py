"""Benchmark: a national run of a generated nation with 1 and 2 Dask workers.

Generates a fictional nation (``geoseg example-nation``), runs every municipality's job on a
local Dask cluster of 1 and then 2 worker processes (fresh output folders, no skipped tasks),
checks that both give the same national tables, and prints wall times, the speed-up, the peak
resident memory of each worker, and the time projected for 32 workers from the measured task
times: the longest-processing-time schedule of the tasks on 32 workers (never shorter than the
longest task, the graph's critical path, as tasks are independent) plus the national level.

    python benchmarks/bench_national.py                          # 8 municipalities, all stages
    python benchmarks/bench_national.py --municipalities 24 --stage segregation --stage hotspots

The nation is generated in benchmarks/_work/ (gitignored) and reused by later runs.
"""

from __future__ import annotations

import argparse
import heapq
import os
import shutil
import time
from pathlib import Path

from geoseg.example.nation import generate_nation
from geoseg.national import NationalResult, run_national

WORK = Path(__file__).resolve().parent / "_work"


def projected(result: NationalResult, workers: int, *, cpu: bool = False) -> tuple[float, float]:
    """(LPT makespan of the measured task times on ``workers``, longest task)."""
    times = sorted((t.cpu_seconds if cpu else t.seconds for t in result.tasks), reverse=True)
    loads = [0.0] * workers
    heapq.heapify(loads)
    for t in times:
        heapq.heappush(loads, heapq.heappop(loads) + t)
    return max(loads), times[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--municipalities", type=int, default=8)
    ap.add_argument("--max-areas", type=int, default=16)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--memory-limit", default="2GB")
    ap.add_argument("--stage", action="append", dest="stages")
    args = ap.parse_args()

    nation_dir = WORK / f"nation_{args.municipalities}_{args.max_areas}_{args.seed}"
    if not (nation_dir / "national.toml").is_file():
        shutil.rmtree(nation_dir, ignore_errors=True)
        t0 = time.perf_counter()
        generate_nation(
            nation_dir,
            municipalities=args.municipalities,
            seed=args.seed,
            max_areas=args.max_areas,
        )
        print(f"generated nation in {time.perf_counter() - t0:.1f} s: {nation_dir}")
    config = nation_dir / "national.toml"
    runs: dict[int, NationalResult] = {}
    for workers in (1, 2):
        out = WORK / f"out_{nation_dir.name}_{workers}w"
        shutil.rmtree(out, ignore_errors=True)
        runs[workers] = run_national(
            config,
            output=out,
            workers=workers,
            memory_limit=args.memory_limit,
            stages=args.stages,
            force=True,
        )
        r = runs[workers]
        failed = [t.name for t in r.failed]
        assert not failed, f"tasks failed: {failed}"
        peaks: dict[str, float] = {}
        for t in r.tasks:
            peaks[t.worker] = max(peaks.get(t.worker, 0.0), t.peak_rss_mb)
        print(
            f"{workers} worker(s): {r.seconds:7.1f} s wall (tasks {r.task_seconds:.1f} s, "
            f"national level {r.national_seconds:.2f} s)"
        )
        for worker, peak in sorted(peaks.items()):
            print(f"    worker {worker}: peak memory {peak:.0f} MB")
    for name in ("national_areas.csv", "national_municipalities.csv"):
        a = (runs[1].output / name).read_bytes()
        b = (runs[2].output / name).read_bytes()
        assert a == b, f"{name} differs between 1 and 2 workers"
    one, two = runs[1], runs[2]
    areas = one.areas["area_code"].nunique() if one.areas is not None else 0
    print(
        f"nation: {len(one.tasks)} municipalities, {areas} areas, stages "
        f"{', '.join(args.stages or ['all'])}"
    )
    print(f"speed-up 1 -> 2 workers: {one.seconds / two.seconds:.2f}x (wall)")
    print(f"speed-up of the task phase: {one.task_seconds / two.task_seconds:.2f}x")
    total = sum(t.seconds for t in one.tasks)
    span, longest = projected(one, 32)
    print(
        f"task times (1 worker): sum {total:.1f} s, longest {longest:.1f} s; "
        f"projected on 32 workers: {span + one.national_seconds:.1f} s "
        f"(schedule {span:.1f} s, critical path {longest:.1f} s, national level "
        f"{one.national_seconds:.2f} s; engine start-up not included)"
    )
    cpu = sum(t.cpu_seconds for t in one.tasks)
    span_cpu, longest_cpu = projected(one, 32, cpu=True)
    print(
        f"task CPU times (1 worker): sum {cpu:.1f} s, longest {longest_cpu:.1f} s; "
        f"projected on 32 uncontended workers: {span_cpu + one.national_seconds:.1f} s; "
        f"ideal 1 -> 2 speed-up from CPU times: {cpu / projected(one, 2, cpu=True)[0]:.2f}x"
    )
    print(f"load average during the runs (this machine is shared): {os.getloadavg()}")


if __name__ == "__main__":
    main()
