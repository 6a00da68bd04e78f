"""Benchmark: re-checking plans against a cached baseline on a city-sized network.

Generates (or reuses) a city with ``geoseg example-city --areas 1000`` (>= 150,000 street nodes),
computes the baseline once, then checks one plan per action (a new service, a closed service, a
footbridge, a closed street, a housing development, and all of them at once). For each it prints
the re-check time (reading the plan, applying it, incremental recomputation, tables, rules) and
the time of a full recomputation of every kind on the edited network with the access engine,
their ratio, and verifies that both give identical minutes.

    python benchmarks/bench_plans.py                  # generates a 1000-area city in a temp dir
    python benchmarks/bench_plans.py --city DIR       # a project folder with geoseg.toml
"""

from __future__ import annotations

import argparse
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
from geoseg.plans._apply import full_minutes, incremental_minutes

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
    baseline = compute_baseline(data)
    t_base = time.perf_counter() - t
    net = baseline.network
    print(
        f"city: {net.n_nodes:,} street nodes, {net.n_edges:,} edges, "
        f"{len(baseline.residents):,} resident points, {len(baseline.services)} services"
    )
    print(f"baseline (once, includes loading and the access stage): {t_base:.1f} s")
    if net.n_nodes < 150_000:
        print(f"note: fewer than 150,000 nodes ({net.n_nodes:,}); use more --areas")
    plans = _plans(baseline, Path(tempfile.mkdtemp(prefix="geoseg-plans-")), args.seed)
    print(
        f"\n{'plan':<15}{'re-check s':>11}{'routing: incremental s':>24}{'full s':>8}{'ratio':>7}"
        "  verdict  exact"
    )
    worst = 0.0
    ok = True
    for name, path in plans.items():
        t = time.perf_counter()
        plan = read_plan(path, baseline=baseline, max_end_m=args.max_end_m)
        result = check_plan(baseline, plan)
        t_check = time.perf_counter() - t
        t = time.perf_counter()
        inc = incremental_minutes(baseline, result.state)
        t_inc = time.perf_counter() - t
        t = time.perf_counter()
        full = full_minutes(baseline, result.state)
        t_full = time.perf_counter() - t
        exact = all(np.array_equal(inc[k][0], full[k]) for k in full)
        ok &= exact
        worst = max(worst, t_check)
        print(
            f"{name:<15}{t_check:>11.2f}{t_inc:>24.3f}{t_full:>8.3f}{t_full / t_inc:>7.1f}  "
            f"{result.verdict:<7}  {exact}"
        )
    print(
        f"\nslowest re-check {worst:.2f} s (target < {TARGET_S:g} s): "
        f"{'OK' if worst < TARGET_S else 'TOO SLOW'}; incremental == full: {ok}"
    )
    print("routing: nearest-service distances of every kind for every resident after the plan,")
    print("incrementally vs a full multi-source Dijkstra per kind on the edited network;")
    print("'re-check s' is the whole check: read the plan, edit the network, route, tables, rules.")
    return 0 if ok and worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
