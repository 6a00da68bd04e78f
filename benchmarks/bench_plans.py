"""Benchmark: re-checking plans against a cached baseline on a city-sized network.

Generates (or reuses) a city with ``geoseg example-city --areas 1000`` (>= 150,000 street nodes),
computes the baseline once, then checks one plan per action (a new service, a closed service, a
footbridge, a closed street, a housing development, and all of them at once). For each it prints
the whole re-check time (reading the plan, applying it, recomputing walking times, tables, rules)
and, within it, the routing (one multi-source Dijkstra on the edited network per service kind
the plan touches), against the 2 s target. The peer is what a planner would do without plan
checks: rerun the access stage on the changed project; its time (the baseline's access stage,
measured in the same run) is printed with the ratio.

    python benchmarks/bench_plans.py                  # generates a 1000-area city in a temp dir
    python benchmarks/bench_plans.py --city DIR       # a project folder with geoseg.toml
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geoseg.io import load_project
from geoseg.plans import check_plan, compute_baseline, read_plan

TARGET_S = 2.0


def _city(args: argparse.Namespace) -> Path:
    if args.city:
        return Path(args.city)
    folder = Path(tempfile.mkdtemp(prefix="geoseg-bench-plans-")) / "city"
    print(f"generating a {args.areas}-area city in {folder} ...", flush=True)
    t = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "geoseg",
            "-q",
            "example-city",
            "--areas",
            str(args.areas),
            "--out",
            str(folder),
        ],
        check=True,
    )
    print(f"  generated in {time.perf_counter() - t:.1f} s")
    return folder


def _write(path: Path, rows: list[dict]) -> Path:
    gdf = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r.get("geometry") for r in rows],
        crs="EPSG:3006",
    )
    gdf.to_file(path, driver="GPKG")
    return path


def _plans(baseline, folder: Path, seed: int) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    r = baseline.residents
    busiest = r.iloc[int(np.argmax(baseline.minutes_before("family_centre") * r["age_0_5"]))]
    svc = baseline.services
    mp = svc.index[svc["kind"] == "meeting_place"][
        int(rng.integers((svc["kind"] == "meeting_place").sum()))
    ]
    # a footbridge: between two resident points about 400 m apart that are far apart on foot
    xy = np.column_stack([r.geometry.x, r.geometry.y])
    base = baseline.minutes_before("library")
    best, pair = -1.0, None
    for i in rng.choice(len(r), 300, replace=False):
        d = np.hypot(*(xy - xy[i]).T)
        near = np.flatnonzero((d > 300) & (d < 500) & np.isfinite(base) & np.isfinite(base[i]))
        if len(near):
            j = near[int(np.argmax(np.abs(base[near] - base[i])))]
            gap = abs(base[j] - base[i])
            if np.isfinite(gap) and gap > best:
                best, pair = gap, (i, j)
    a, b = (shapely.Point(xy[k]) for k in pair)
    street = baseline.network.edge_lines()[int(rng.integers(baseline.network.n_edges))]
    rows = {
        "add_service": [
            {
                "action": "add_service",
                "kind": "family_centre",
                "capacity": 200.0,
                "name": "new",
                "geometry": busiest.geometry,
            }
        ],
        "remove_service": [{"action": "remove_service", "service_id": str(mp), "geometry": None}],
        "add_path": [
            {"action": "add_path", "name": "bridge", "geometry": shapely.LineString([a, b])}
        ],
        "close_path": [
            {
                "action": "close_path",
                "geometry": shapely.line_interpolate_point(street, 0.5, normalized=True).buffer(
                    120
                ),
            }
        ],
        "add_housing": [
            {
                "action": "add_housing",
                "residents": 2000.0,
                "age_0_5": 150.0,
                "geometry": busiest.geometry.buffer(150),
            }
        ],
    }
    rows["all"] = [row for part in rows.values() for row in part]
    return {k: _write(folder / f"{k}.gpkg", v) for k, v in rows.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", help="project folder with geoseg.toml")
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-end-m", type=float, default=300.0)
    args = parser.parse_args()
    city = _city(args)
    t = time.perf_counter()
    data = load_project(city / "geoseg.toml")
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    baseline = compute_baseline(data)
    t_base = time.perf_counter() - t
    net = baseline.network
    print(
        f"city: {net.n_nodes:,} street nodes, {net.n_edges:,} edges, "
        f"{len(baseline.residents):,} resident points, {len(baseline.services)} services"
    )
    print(f"loading the project: {t_load:.1f} s (reading the network once, then its cache)")
    print(f"baseline, the access stage for every kind (once): {t_base:.1f} s")
    if net.n_nodes < 150_000:
        print(f"note: fewer than 150,000 nodes ({net.n_nodes:,}); use more --areas")
    plans = _plans(baseline, Path(tempfile.mkdtemp(prefix="geoseg-plans-")), args.seed)
    print(
        f"\n{'plan':<15}{'re-check s':>11}{'of which routing s':>20}{'access stage s':>16}"
        f"{'ratio':>7}  verdict"
    )
    worst = 0.0
    for name, path in plans.items():
        timings = []
        with _timing_routing(timings):
            t = time.perf_counter()
            plan = read_plan(path, baseline=baseline, max_end_m=args.max_end_m)
            result = check_plan(baseline, plan)
            t_check = time.perf_counter() - t
        worst = max(worst, t_check)
        print(
            f"{name:<15}{t_check:>11.2f}{sum(timings):>20.2f}{t_base:>16.1f}"
            f"{t_base / t_check:>6.1f}x  {result.verdict}"
        )
    print(
        f"\nslowest re-check {worst:.2f} s (target < {TARGET_S:g} s): "
        f"{'OK' if worst < TARGET_S else 'TOO SLOW'}"
    )
    print("'re-check s' is the whole check: read the plan, edit the network, route, tables, rules;")
    print("'routing s' the walking times after the plan (every kind the plan touches recomputed")
    print("in full on the edited network); 'access stage s' what rerunning the access stage on")
    print("the changed project costs (the baseline's, measured above); ratio = that / re-check.")
    return 0 if worst < TARGET_S else 1


@contextlib.contextmanager
def _timing_routing(timings: list[float]):
    """Record the seconds spent in the plan check's routing step."""
    from geoseg.plans import compare

    original = compare.minutes_after

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timings.append(time.perf_counter() - t)

    compare.minutes_after = timed
    try:
        yield
    finally:
        compare.minutes_after = original


if __name__ == "__main__":
    raise SystemExit(main())
