"""Benchmark: reading OSM street networks (geoseg's streaming reader vs OSMnx) and isochrones.

    python benchmarks/bench_osm.py                   # all three parts, 1,000-area city
    python benchmarks/bench_osm.py --areas 300       # a smaller generated city
    python benchmarks/bench_osm.py --skip-osmnx      # without OSMnx's (slow) reading
    python benchmarks/bench_osm.py --big-side 700    # a 490,000-node grid instead of 1,000,000

1. The generated example city (``geoseg example-city --areas N``) ships its streets as PBF and as
   bz2 XML. In separate processes, one after the other in this run: OSMnx's ``graph_from_xml``
   on the XML (its defaults: simplified), geoseg's ``read_network`` on the PBF and on the XML.
   Each process reports the call's wall time and its own peak resident memory (imports
   included); the script prints the ratios.
2. A grid city of ``--big-side`` squared street nodes (1,000,000 by default) written as PBF by
   this script, read and cached by ``geoseg.io.load_network`` in one process (time and peak
   memory), then read back from the cache in another.
3. Isochrones of every service kind of the city at 5, 10 and 15 minutes (the run's stage),
   against the exact per-service isochrones of earlier versions on a sample of services,
   scaled to all services.

Generated files are kept in benchmarks/_work/ (gitignored): only the first run pays for them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

WORK = Path(__file__).resolve().parent / "_work"
REPO = Path(__file__).resolve().parent.parent

OSMNX = """
import json, resource, sys, time, warnings
import osmnx as ox
warnings.simplefilter("ignore")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t, c = time.perf_counter(), cpu()
G = ox.graph_from_xml(sys.argv[1])
t, c = time.perf_counter() - t, cpu() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "cpu": c, "nodes": len(G), "edges": G.number_of_edges(),
                  "mb": rss}))
"""

GEOSEG = """
import json, resource, sys, time
from geoseg.io import read_network
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t, c = time.perf_counter(), cpu()
net = read_network(sys.argv[1])
t, c = time.perf_counter() - t, cpu() - c
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "cpu": c, "nodes": net.n_nodes, "edges": net.n_edges,
                  "mb": rss}))
"""

CACHED = """
import json, resource, sys, time
from geoseg.io import load_network
t = time.perf_counter()
net = load_network(sys.argv[1], cache_dir=sys.argv[2])
t = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "nodes": net.n_nodes, "edges": net.n_edges, "mb": rss}))
"""

ISOCHRONES = """
import json, sys, time
from types import SimpleNamespace
import numpy as np
from geoseg.access import isochrones, snap_points, subset
from geoseg.io import load_project
from geoseg.stages import isochrone_stage
data = load_project(sys.argv[1])
net = data.network(cache_dir=sys.argv[2])
svc = snap_points(net, data.services, max_snap_m=500, water=data.water, label="services")
acc = SimpleNamespace(network=net, snapped_services=svc, services=data.services, speed_kmh=4.8)
t = time.perf_counter()
iso = isochrone_stage(acc)
t = time.perf_counter() - t
sample = int(sys.argv[3])
pick = np.zeros(len(svc), bool)
pick[np.linspace(0, len(svc) - 1, sample).astype(int)] = True
t0 = time.perf_counter()
old = isochrones(net, subset(svc, pick), minutes=(5.0, 10.0, 15.0), speed_kmh=4.8)
t_old = time.perf_counter() - t0
print(json.dumps({"seconds": t, "rows": len(iso), "services": len(svc),
                  "old_sample": sample, "old_seconds": t_old}))
"""


def run(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python process from the repository; return its JSON line."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def city(areas: int) -> Path:
    """The generated example city (with its PBF), cached in benchmarks/_work/osm_city<areas>."""
    out = WORK / f"osm_city{areas}"
    if not (out / "network" / "example_streets.osm.pbf").is_file():
        if out.exists():
            shutil.rmtree(out)
        print(f"(generating the example city with {areas} areas in {out})", flush=True)
        cmd = [sys.executable, "-m", "geoseg", "-q", "example-city", "--areas", str(areas)]
        subprocess.run([*cmd, "--out", str(out)], check=True, cwd=REPO)
    return out


def grid_pbf(side: int) -> Path:
    """A grid of ``side`` x ``side`` street nodes 60 m apart as PBF (some streets missing)."""
    import osmium
    from pyproj import Transformer

    path = WORK / f"grid{side}.osm.pbf"
    if path.is_file():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"(writing a {side} x {side} street grid to {path})", flush=True)
    rng = np.random.default_rng(3)
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = 300_000 + 60.0 * i.ravel() + rng.normal(0, 4, side * side)
    y = 6_350_000 + 60.0 * j.ravel() + rng.normal(0, 4, side * side)
    lon, lat = Transformer.from_crs(3006, 4326, always_xy=True).transform(x, y)
    ids = np.arange(1, side * side + 1).reshape(side, side)
    tmp = path.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    highways = ["residential", "residential", "tertiary", "footway", "service", "path"]
    with osmium.SimpleWriter(str(tmp)) as writer:
        for k, (lo, la) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True), start=1):
            writer.add_node(osmium.osm.mutable.Node(id=k, version=1, location=(lo, la)))
        wid = 1
        for lines in (ids, ids.T):
            for r, line in enumerate(lines):
                for start in range(0, side - 1, 20):  # ways of 20 blocks
                    refs = line[start : start + 21].tolist()
                    if rng.random() < 0.05:
                        continue
                    tags = {"highway": highways[(r + start) % len(highways)]}
                    writer.add_way(osmium.osm.mutable.Way(id=wid, version=1, nodes=refs, tags=tags))
                    wid += 1
    tmp.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--big-side", type=int, default=1000)
    parser.add_argument("--skip-osmnx", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--skip-isochrones", action="store_true")
    parser.add_argument("--old-sample", type=int, default=20, help="services for the old way")
    args = parser.parse_args()

    folder = city(args.areas)
    xml = folder / "network" / "example_streets.osm.bz2"
    pbf = folder / "network" / "example_streets.osm.pbf"
    print(
        f"\n1. reading the {args.areas}-area city's streets ({pbf.stat().st_size / 1e6:.1f} MB PBF)"
    )
    rows = []
    if not args.skip_osmnx:
        rows.append(("OSMnx graph_from_xml (XML)", run(OSMNX, str(xml))))
    rows.append(("geoseg read_network (PBF)", run(GEOSEG, str(pbf))))
    rows.append(("geoseg read_network (XML)", run(GEOSEG, str(xml))))
    head = f"   {'':30s} {'seconds':>8s} {'cpu s':>8s} {'peak MB':>8s} {'nodes':>8s} {'edges':>8s}"
    print(head)
    for name, r in rows:
        print(
            f"   {name:30s} {r['seconds']:8.2f} {r['cpu']:8.2f} {r['mb']:8.0f} "
            f"{r['nodes']:8d} {r['edges']:8d}"
        )
    if not args.skip_osmnx:
        ox_r = rows[0][1]
        for name, r in rows[1:]:
            print(
                f"   {name}: {ox_r['seconds'] / r['seconds']:.1f}x faster than OSMnx "
                f"({ox_r['cpu'] / r['cpu']:.1f}x less CPU time), "
                f"{r['mb'] / ox_r['mb']:.2f} of its peak memory"
            )

    if not args.skip_big:
        big = grid_pbf(args.big_side)
        size = big.stat().st_size / 1e6
        print(f"\n2. a grid city of {args.big_side**2:,} street nodes ({size:.0f} MB PBF)")
        with tempfile.TemporaryDirectory() as cache:
            first = run(CACHED, str(big), cache)
            again = run(CACHED, str(big), cache)
        print(
            f"   read and cached: {first['seconds']:.1f} s, peak {first['mb']:.0f} MB "
            f"({first['nodes']:,} nodes, {first['edges']:,} edges after contraction)"
        )
        print(f"   from the cache:  {again['seconds']:.2f} s, peak {again['mb']:.0f} MB")

    if not args.skip_isochrones:
        print(f"\n3. isochrones of the {args.areas}-area city (every kind, 5/10/15 minutes)")
        with tempfile.TemporaryDirectory() as cache:
            r = run(ISOCHRONES, str(folder / "geoseg.toml"), cache, str(args.old_sample))
        scaled = r["old_seconds"] / r["old_sample"] * r["services"]
        print(
            f"   every kind at once (the run's stage): {r['seconds']:.2f} s, {r['rows']} polygons"
        )
        print(
            f"   exact per-service isochrones: {r['old_seconds']:.2f} s for {r['old_sample']} "
            f"services, about {scaled:.0f} s for all {r['services']} "
            f"({scaled / r['seconds']:.0f}x the stage)"
        )


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n(benchmark ran {time.perf_counter() - t0:.0f} s)")
