"""Benchmark: walking access on a city-sized network, geoseg vs NetworkX vs pandana.

Task, for every service kind: walking time from every street node to the nearest service of that
kind, plus the number of services within 15 minutes of every node. All three run on the same
network and the same service nodes in the same run; results are checked against each other.

    python benchmarks/bench_access.py                    # generated city, 1,000 areas (~175k nodes)
    python benchmarks/bench_access.py --areas 2000       # a bigger generated city
    python benchmarks/bench_access.py --grid 400         # synthetic 400 x 400 street grid
    python benchmarks/bench_access.py --city DIR         # a project folder with geoseg.toml

The generated city (``geoseg example-city --areas N``) and its parsed OSMnx graph are cached in
benchmarks/_work/ (gitignored), so only the first run pays for generating and parsing it.
geoseg routes with SciPy's compiled Dijkstra (scipy.sparse.csgraph): one multi-source search
per kind for the nearest service, bounded searches for the counts. geoseg's build time is
turning the OSMnx graph into arrays (a cached network is read in milliseconds); pandana's
includes its network build (contraction hierarchies).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np

from geoseg.access import at_nodes, build_network, count_within, nearest, reach
from geoseg.access.network import minutes_to_metres

WORK = Path(__file__).resolve().parent / "_work"

MINUTES = 15.0
SPEED = 4.8
#: geoseg must be at least this many times faster than NetworkX on the same task.
TARGET_RATIO = 10.0
KINDS = {"family_centre": 60, "meeting_place": 150, "library": 40, "youth_centre": 90}


def grid_city(side: int, seed: int = 7) -> nx.MultiDiGraph:
    """A street grid of ``side`` x ``side`` nodes, 60 m blocks, some streets missing."""
    rng = np.random.default_rng(seed)
    g = nx.MultiDiGraph(crs="EPSG:3006")
    spacing = 60.0
    for i in range(side):
        for j in range(side):
            g.add_node(i * side + j, x=300000 + spacing * i, y=6400000 + spacing * j)
    for i in range(side):
        for j in range(side):
            a = i * side + j
            for b in ([a + side] if i + 1 < side else []) + ([a + 1] if j + 1 < side else []):
                if rng.random() < 0.08:
                    continue
                length = spacing * rng.uniform(1.0, 1.15)
                g.add_edge(a, b, length=length)
                g.add_edge(b, a, length=length)
    return g


def example_city(areas: int) -> tuple[nx.MultiDiGraph, dict[str, np.ndarray]] | None:
    """The generated example city, cached in benchmarks/_work/city<areas>/."""
    out = WORK / f"city{areas}"
    if not (out / "geoseg.toml").is_file():
        exe = shutil.which("geoseg")
        if exe is None:
            return None
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        print(f"(generating the example city with {areas} areas in {out})")
        cmd = [exe, "example-city", "--areas", str(areas), "--out", str(out)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"(example-city unavailable: {done.stderr.strip().splitlines()[-1:]})")
            return None
    return load_city(out)


def load_city(folder: Path) -> tuple[nx.MultiDiGraph, dict[str, np.ndarray]] | None:
    """Network and services of a project folder (its geoseg.toml)."""
    from geoseg.io import load_project

    tomls = sorted(folder.rglob("geoseg.toml"))
    if not tomls:
        return None
    data = load_project(tomls[0])
    cached = tomls[0].parent / "_graph.pkl"
    if cached.is_file() and cached.stat().st_mtime >= tomls[0].stat().st_mtime:
        with open(cached, "rb") as fh:
            graph = pickle.load(fh)
    else:
        print("(parsing the OSM file with OSMnx; cached for the next run)")
        graph = data.network()
        if WORK in cached.parents:
            with open(cached, "wb") as fh:
                pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
    svc = data.services
    return graph, {
        str(k): np.asarray(svc.geometry[svc["kind"] == k].get_coordinates())
        for k in svc["kind"].unique()
    }


def random_services(net, rng) -> dict[str, np.ndarray]:
    picks = {}
    for kind, n in KINDS.items():
        nodes = rng.choice(net.n_nodes, size=n, replace=False)
        picks[kind] = np.column_stack([net.x[nodes], net.y[nodes]])
    return picks


def service_nodes(net, coords: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Nearest network node of each service (the common ground all three libraries share)."""
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([net.x, net.y]))
    return {k: np.unique(tree.query(xy)[1]) for k, xy in coords.items()}


def run_geoseg(net, nodes: dict[str, np.ndarray]):
    """Nearest minutes and counts within 15 minutes for every node, per kind."""
    everyone = at_nodes(net)

    def one(kind: str):
        svc = at_nodes(net, nodes[kind])
        near = nearest(net, svc, everyone, speed_kmh=SPEED, which=False)["minutes"].to_numpy()
        table = reach(net, svc, everyone, minutes=MINUTES, speed_kmh=SPEED)
        return near, count_within(table, minutes=MINUTES)

    return {kind: one(kind) for kind in nodes}


def timed(fn, repeat: int = 3):
    """Median wall time of ``repeat`` runs (the machine may be shared) and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def traced_peak(fn) -> float:
    """Peak of Python and NumPy allocations during ``fn()`` in MiB (C scratch not included)."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_networkx(graph: nx.MultiDiGraph, net, nodes: dict[str, np.ndarray]):
    und = nx.Graph()
    for u, v, d in graph.edges(data=True):
        if u != v and (not und.has_edge(u, v) or und[u][v]["length"] > d["length"]):
            und.add_edge(u, v, length=d["length"])
    und.add_nodes_from(graph.nodes)
    ids = net.node_ids
    pos = {node: i for i, node in enumerate(ids)}
    cutoff = minutes_to_metres(MINUTES, SPEED)
    to_min = 1 / (SPEED / 3.6) / 60
    out = {}
    for kind, idx in nodes.items():
        dist = nx.multi_source_dijkstra_path_length(und, set(ids[idx]), weight="length")
        near = np.full(net.n_nodes, np.inf)
        for node, d in dist.items():
            near[pos[node]] = d * to_min
        count = np.zeros(net.n_nodes, dtype=np.int64)
        for s in ids[idx]:
            reached = nx.single_source_dijkstra_path_length(
                und, s, cutoff=cutoff * (1 + 1e-12), weight="length"
            )
            count[[pos[n] for n in reached]] += 1
        out[kind] = (near, count)
    return out


def run_pandana(net, nodes: dict[str, np.ndarray], far_m: float):
    import pandana
    import pandas as pd

    t0 = time.perf_counter()
    pnet = pandana.Network(
        pd.Series(net.x),
        pd.Series(net.y),
        pd.Series(net.edge_u),
        pd.Series(net.edge_v),
        pd.DataFrame({"length": net.edge_length}),
        twoway=True,
    )
    cutoff = minutes_to_metres(MINUTES, SPEED)
    build = time.perf_counter() - t0
    to_min = 1 / (SPEED / 3.6) / 60
    out = {}
    for kind, idx in nodes.items():
        pnet.set_pois(kind, far_m, 1, pd.Series(net.x[idx]), pd.Series(net.y[idx]))
        d = pnet.nearest_pois(far_m, kind, num_pois=1)[1].to_numpy() * to_min
        d[d >= far_m * to_min] = np.inf
        pnet.set(pd.Series(idx), variable=pd.Series(np.ones(len(idx))), name=f"n_{kind}")
        c = pnet.aggregate(cutoff, type="sum", decay="flat", name=f"n_{kind}").to_numpy()
        out[kind] = (d, np.rint(c).astype(np.int64))
    return out, build


def compare(name: str, ref, other) -> str:
    worst_t, bad_c = 0.0, 0
    for kind, (t, c) in ref.items():
        t2, c2 = other[kind]
        fin = np.isfinite(t)
        worst_t = max(worst_t, float(np.max(np.abs(t[fin] - t2[fin]), initial=0.0)))
        bad_c += int(np.count_nonzero(c != c2))
    return f"{name}: max |minutes diff| {worst_t:.2e}, count mismatches {bad_c}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", type=int, default=1000)
    ap.add_argument("--grid", type=int, default=0, help="synthetic grid side (388: 150k nodes)")
    ap.add_argument("--city", type=Path, help="project folder with geoseg.toml")
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--skip-pandana", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(12345)

    city = None
    if args.city:
        city = load_city(args.city)
    elif not args.grid:
        city = example_city(args.areas)
    if city is None:
        side = args.grid or 388
        print(f"network: synthetic {side} x {side} street grid")
        graph, coords = grid_city(side), None
    else:
        graph, coords = city
        print("network: generated example city")

    t0 = time.perf_counter()
    net = build_network(graph)
    t_build = time.perf_counter() - t0
    coords = coords or random_services(net, rng)
    nodes = service_nodes(net, coords)
    print(
        f"{net.n_nodes:,} nodes, {net.n_edges:,} edges; services "
        + ", ".join(f"{k} {len(v)}" for k, v in nodes.items())
    )
    with tempfile.TemporaryDirectory() as tmp:
        from geoseg.io.network_cache import load_arrays, save_arrays

        save_arrays(net, Path(tmp) / "net.npz")
        t0 = time.perf_counter()
        load_arrays(Path(tmp) / "net.npz")
        t_cache = time.perf_counter() - t0

    t_ours, ours = timed(lambda: run_geoseg(net, nodes))
    peak = traced_peak(lambda: run_geoseg(net, nodes))
    print(f"geoseg   build arrays {t_build:7.2f} s (cached read {t_cache:.3f} s)")
    print(
        f"geoseg   analysis     {t_ours:7.3f} s   SciPy Dijkstra, kinds one after another; "
        f"peak traced memory {peak:,.0f} MiB"
    )

    if not args.skip_networkx:
        t0 = time.perf_counter()
        theirs = run_networkx(graph, net, nodes)
        t_nx = time.perf_counter() - t0
        ratio = t_nx / t_ours
        verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
        print(
            f"networkx analysis     {t_nx:7.2f} s   ratio {ratio:6.1f}x  "
            f"({verdict} the {TARGET_RATIO:g}x floor)"
        )
        print("  " + compare("geoseg vs networkx", theirs, ours))

    if not args.skip_pandana:
        finite = max(float(np.max(t[np.isfinite(t)])) for t, _ in ours.values())
        far_m = minutes_to_metres(finite, SPEED) * 1.01 + 1.0
        t0 = time.perf_counter()
        pan, p_build = run_pandana(net, nodes, far_m)
        t_pan = time.perf_counter() - t0
        print(
            f"pandana  total        {t_pan:7.2f} s   (network build {p_build:.2f} s)   "
            f"ratio {t_pan / t_ours:6.1f}x vs geoseg analysis, "
            f"{t_pan / (t_ours + t_build):.1f}x vs geoseg build + analysis"
        )
        print("  " + compare("geoseg vs pandana (pandana stores float32)", ours, pan))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident memory {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
