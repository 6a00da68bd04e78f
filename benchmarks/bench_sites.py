"""Benchmark: site suggestions against spopt's MCLP and PMedian on a 1,000-area city.

Generates (or reuses) a city with ``geoseg example-city --areas 1000``, computes the plan
baseline for family centres once, then for maximal covering and p-median chooses ``--count``
new family centres among the areas of one district (``--candidates`` of them) with
:func:`geoseg.plans.suggest_sites` (exact, PuLP + HiGHS) and with spopt on the same walking
minutes and need weights. spopt's time counts building its model from the dense cost matrix
and solving it (the matrix itself is computed with geoseg.access and timed apart; residents
whose walk no candidate can change are a constant added to spopt's objective, since its
dense model of all 150,000 resident points takes many minutes);
geoseg's time counts everything from the baseline (cost table, model, solve, ranked table).
Both objectives are printed and must agree.

    python benchmarks/bench_sites.py                  # generates a 1000-area city in a temp dir
    python benchmarks/bench_sites.py --city DIR       # a project folder with geoseg.toml
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pulp
from spopt.locate import MCLP, PMedian

from geoseg.access import nearest, reach
from geoseg.io import load_project
from geoseg.plans import compute_baseline, site_candidates, suggest_sites

KIND = "family_centre"


def _city(args: argparse.Namespace) -> Path:
    if args.city:
        return Path(args.city)
    folder = Path(tempfile.mkdtemp(prefix="geoseg-bench-sites-")) / "city"
    print(f"generating a {args.areas}-area city in {folder} ...", flush=True)
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
    return folder


def _dense(b, sites, limit: float) -> np.ndarray:
    table = reach(b.network, sites, b.snapped, minutes=limit, speed_kmh=b.speed_kmh)
    out = np.full((len(b.snapped), len(sites)), np.inf)
    out[table.point, table.source] = table.minutes
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", help="project folder (default: generate one)")
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=25)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    folder = _city(args)
    t = time.perf_counter()
    b = compute_baseline(load_project(folder / "geoseg.toml"), kinds=[KIND])
    print(
        f"baseline: {len(b.snapped)} resident points, {b.network.n_nodes} street nodes, "
        f"{len(b.kinds[KIND].labels)} family centres, {time.perf_counter() - t:.1f} s"
    )
    district = sorted(set(b.district))[0]
    within = sorted(b.district.index[b.district == district])[: args.candidates]
    group = "age_0_5"
    w = b.residents[group].to_numpy(dtype=float)[b.placed]
    existing = b.kinds[KIND].services
    _, cands = site_candidates(b, "areas", within=within)
    T = b.minutes
    print(f"candidates: {len(cands)} areas of district {district}; k = {args.count}")
    print(
        f"{'objective':<10} {'geoseg s':>9} {'spopt s':>9} {'ratio':>7}  objectives (geoseg, spopt)"
    )

    # maximal covering
    t = time.perf_counter()
    ours = suggest_sites(
        b, kind=KIND, count=args.count, objective="covering", within=within, method="exact"
    )
    t_ours = time.perf_counter() - t
    # residents an existing service already covers, or no candidate covers, are a constant:
    # spopt gets the rows that matter (its dense model of all rows takes many minutes)
    t = time.perf_counter()
    old = np.isfinite(_dense(b, existing, T)).any(axis=1)
    c = _dense(b, cands, T)
    rows = ~old & np.isfinite(c).any(axis=1) & (w > 0)
    const = float(w[old].sum())
    cost = np.where(np.isfinite(c[rows]), c[rows], 1e9)
    t_matrix = time.perf_counter() - t
    t = time.perf_counter()
    m = MCLP.from_cost_matrix(cost, w[rows], service_radius=T, p_facilities=args.count)
    m.solve(pulp.HiGHS(msg=False), results=False)
    t_spopt = time.perf_counter() - t
    theirs = m.problem.objective.value() + const
    print(
        f"{'covering':<10} {t_ours:9.2f} {t_spopt:9.2f} {t_spopt / t_ours:6.1f}x  "
        f"{ours.solution.objective:.6f}, {theirs:.6f}  (geoseg's solver "
        f"{ours.solution.seconds:.2f} s; spopt's cost matrix {t_matrix:.1f} s, "
        f"{cost.shape[0]} x {cost.shape[1]})"
    )
    assert abs(ours.solution.objective - theirs) <= 1e-6 * max(1.0, abs(theirs))

    # p-median: the existing services stay, so one fixed column (the nearest) is exact;
    # residents no candidate improves are a constant and left out of spopt's model
    t = time.perf_counter()
    ours = suggest_sites(
        b, kind=KIND, count=args.count, objective="median", within=within, method="exact"
    )
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    near = nearest(b.network, existing, b.snapped, speed_kmh=b.speed_kmh)["minutes"].to_numpy()
    P = near[np.isfinite(near)].max()
    base = np.minimum(near, P)
    c = np.minimum(_dense(b, cands, P), P)
    rows = (c < base[:, None]).any(axis=1) & (w > 0)
    const = float(np.dot(w[~rows], base[~rows]))
    cost = np.hstack([base[rows, None], c[rows]])
    t_matrix = time.perf_counter() - t
    t = time.perf_counter()
    m = PMedian.from_cost_matrix(
        cost,
        w[rows],
        p_facilities=args.count + 1,
        predefined_facilities_arr=np.r_[1, np.zeros(len(cands), int)],
    )
    m.solve(pulp.HiGHS(msg=False), results=False)
    t_spopt = time.perf_counter() - t
    theirs = m.problem.objective.value() + const
    print(
        f"{'median':<10} {t_ours:9.2f} {t_spopt:9.2f} {t_spopt / t_ours:6.1f}x  "
        f"{ours.solution.objective:.6f}, {theirs:.6f}  (geoseg's solver "
        f"{ours.solution.seconds:.2f} s; spopt's cost matrix {t_matrix:.1f} s, "
        f"{cost.shape[0]} x {cost.shape[1]})"
    )
    assert abs(ours.solution.objective - theirs) <= 1e-6 * max(1.0, abs(theirs))

    # every area as a candidate: too large for a dense model; greedy with its bound
    for objective in ("covering", "median"):
        t = time.perf_counter()
        g = suggest_sites(b, kind=KIND, count=args.count, objective=objective, method="greedy")
        print(
            f"greedy {objective} over all {len(g.candidates)} areas: "
            f"{time.perf_counter() - t:.1f} s, objective {g.solution.objective:.1f}, "
            f"bound {g.solution.bound:.1f} (gap at most {g.solution.gap:.2%})"
        )


if __name__ == "__main__":
    main()
