"""Benchmark: a whole ``geoseg run`` on the 1,000-area example city, cold and warm.

The city is generated once with the CLI a user runs (``geoseg example-city --areas 1000 --out
DIR``, kept in benchmarks/_work/). Then, each in a fresh process (``python -m geoseg run``,
imports and every stage included):

* cold: an empty network cache (``GEOSEG_CACHE_DIR`` in a new temporary folder), so the OSM
  extract is read and the network arrays are built;
* warm: the same command again with the cache the cold run left.

Targets: under 60 s cold and under 30 s warm on 2 cores. In the same run, the peer's time for
the comparable step: OSMnx's ``graph_from_xml`` on the same streets (the city's XML extract,
in its own process), which is what reading the network cost before geoseg's streaming reader.
The wall and CPU time of each stage (as ``geoseg run`` reports them; CPU includes the
browser that prints the PDF report) are printed for both runs, with the rest (Python start,
imports, the run's checks, preparing the published tables and street lines) as "other".

    python benchmarks/bench_run.py                 # 1,000 areas
    python benchmarks/bench_run.py --areas 300     # a smaller city
    python benchmarks/bench_run.py --skip-osmnx    # without the peer's (slow) reading
    python benchmarks/bench_run.py --workers 1     # every stage in one process, one by one
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "_work"
COLD_TARGET_S = 60.0
WARM_TARGET_S = 30.0

OSMNX = """
import json, sys, time, warnings
import osmnx as ox
warnings.simplefilter("ignore")
t = time.perf_counter()
G = ox.graph_from_xml(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t, "nodes": len(G)}))
"""


def _city(areas: int) -> Path:
    out = WORK / f"run_city{areas}"
    if not (out / "geoseg.toml").is_file():
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "geoseg", "-q", "example-city", "--areas", str(areas)]
        t0 = time.perf_counter()
        subprocess.run([*cmd, "--out", str(out)], check=True)
        print(f"generated the {areas}-area city in {time.perf_counter() - t0:.1f} s: {out}")
    return out / "geoseg.toml"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _stages(stderr: str, prefix: str) -> dict[str, float]:
    """``{stage: seconds}`` from the last ``prefix`` line ``geoseg run`` printed."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith(prefix)]
    if not lines:
        return {}
    out = {}
    for part in lines[-1][len(prefix) :].split(","):
        name, secs, _unit = part.split()
        out[name] = float(secs)
    return out


#: Stages that ``geoseg run --workers 2`` runs in a second process beside segregation.
SIDE = ("hotspots", "trends", "access", "isochrones")


def _run(config: Path, out: Path, cache: Path, workers: int) -> tuple[float, float, dict, dict]:
    env = {**os.environ, "GEOSEG_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "geoseg", "run", str(config), "--output", str(out)]
    cmd += ["--workers", str(workers)]
    shutil.rmtree(out, ignore_errors=True)
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        msg = f"geoseg run failed with exit code {proc.returncode}"
        raise SystemExit(msg)
    wall_stages = _stages(proc.stderr, "timings:")
    cpu_stages = _stages(proc.stderr, "cpu timings:")
    return elapsed, cpu, wall_stages, cpu_stages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", type=int, default=1000)
    ap.add_argument("--skip-osmnx", action="store_true")
    ap.add_argument(
        "--workers",
        type=int,
        default=2,
        help="geoseg run --workers: 2 (default) runs hotspots, trends and access beside "
        "segregation, 1 one stage after another",
    )
    args = ap.parse_args()
    config = _city(args.areas)
    with tempfile.TemporaryDirectory(prefix="geoseg-bench-run-") as tmp:
        cache = Path(tmp) / "cache"
        cold = _run(config, Path(tmp) / "out", cache, args.workers)
        warm = _run(config, Path(tmp) / "out", cache, args.workers)
    print(f"geoseg run, {args.areas}-area example city, fresh process each:")
    for name, (secs, cpu, _, _), target in (
        ("cold (empty network cache)", cold, COLD_TARGET_S),
        ("warm (cached network)", warm, WARM_TARGET_S),
    ):
        verdict = "OK" if secs < target else "OVER TARGET"
        print(
            f"  {name}: {secs:6.1f} s wall, {cpu:6.1f} s CPU  target < {target:.0f} s  [{verdict}]"
        )
    stages = list(dict.fromkeys([*cold[2], *warm[2]]))
    print("  per stage (s)      cold wall  cold CPU  warm wall  warm CPU")
    for stage in stages:
        cells = [run[i].get(stage, float("nan")) for run in (cold, warm) for i in (2, 3)]
        print(f"    {stage:<16}" + "".join(f"{c:10.1f}" for c in cells))
    # "maps" includes "write" (the tables are written between checking and drawing the maps);
    # with two workers the side stages' wall time overlaps segregation's
    rest = []
    for run in (cold, warm):
        for i in (0, 1):
            times = {k: v for k, v in run[i + 2].items() if k != "write"}
            if i == 0 and args.workers > 1 and "segregation" in times:
                side = sum(times.pop(k, 0.0) for k in SIDE)
                times["segregation"] = max(times["segregation"], side)
            rest.append(run[i] - sum(times.values()))
    print(f"    {'other':<16}" + "".join(f"{c:10.1f}" for c in rest))
    print(
        "  (maps includes write; other: Python start and imports, the run's checks, and "
        "preparing the published tables and street lines"
        + (
            f"; with --workers {args.workers} {', '.join(SIDE)} run beside segregation, so "
            "their wall time overlaps its own)"
            if args.workers > 1
            else ")"
        )
    )
    if not args.skip_osmnx:
        xml = config.parent / "network" / "example_streets.osm.bz2"
        proc = subprocess.run(
            [sys.executable, "-c", OSMNX, str(xml)], capture_output=True, text=True, check=True
        )
        peer = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"peer, OSMnx graph_from_xml on the same streets ({peer['nodes']} nodes): "
            f"{peer['seconds']:.1f} s for reading the network alone; the whole cold run is "
            f"{cold[0] / peer['seconds']:.2f}x that"
        )
    print(
        f"load average (this machine is shared; wall time above CPU time is time spent "
        f"waiting for a core): {os.getloadavg()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
