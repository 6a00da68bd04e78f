"""Benchmark: local Moran's I, 999 permutations, 1,000 areas, each in a fresh Python process.

Run from the repository root::

    python benchmarks/bench_hotspots.py [--areas 1000] [--permutations 999] [--repeat 1]

Each run is a new interpreter, so the time includes starting Python and importing the
libraries. Two scenarios: (1) the statistic alone, with the queen weights prebuilt and loaded
from a ``.npz`` file; (2) end to end, reading the polygons and building the weights with
libpysal (the same for both libraries; importing libpysal alone takes about 1.5 s). esda runs
its numba path (``Moran_Local``), which compiles on its first call; geoseg vectorises the
permutations with NumPy and compiles nothing.
Target: scenario 1 under 3 s for geoseg with 1,000 areas. Exit code 1 when it is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_SECONDS = 3.0

GEOSEG_STAT = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import pandas as pd
import scipy.sparse as sp
from geoseg.hotspots import local_moran
t1 = time.perf_counter()
data = np.load(sys.argv[1].replace(".gpkg", ".npz"), allow_pickle=False)
w = sp.csr_array((data["data"], data["indices"], data["indptr"]))
values = pd.Series(data["value"], index=data["code"])
t2 = time.perf_counter()
res = local_moran(values, weights=w, permutations=int(sys.argv[2]), seed=12345)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "weights": t2 - t1, "statistic": t3 - t2,
                  "significant": int(res["significant"].sum()), "I_sum": float(res["I"].sum())}))
"""

ESDA_STAT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import numpy as np
import scipy.sparse as sp
from esda import Moran_Local
from libpysal.graph import Graph
t1 = time.perf_counter()
data = np.load(sys.argv[1].replace(".gpkg", ".npz"), allow_pickle=False)
w = Graph.from_sparse(sp.csr_array((data["data"], data["indices"], data["indptr"])))
t2 = time.perf_counter()
lisa = Moran_Local(data["value"], w, permutations=int(sys.argv[2]), seed=12345, n_jobs=1)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "weights": t2 - t1, "statistic": t3 - t2,
                  "significant": int((lisa.p_sim <= 0.05).sum()), "I_sum": float(lisa.Is.sum())}))
"""

GEOSEG = """
import json, sys, time
t0 = time.perf_counter()
import geopandas as gpd
from geoseg.hotspots import local_moran
from geoseg.hotspots import build_weights
t1 = time.perf_counter()
areas = gpd.read_file(sys.argv[1]).set_index("code")
w = build_weights(areas, "queen")
t2 = time.perf_counter()
res = local_moran(areas, "value", weights=w, permutations=int(sys.argv[2]), seed=12345)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "weights": t2 - t1, "statistic": t3 - t2,
                  "significant": int(res["significant"].sum()), "I_sum": float(res["I"].sum())}))
"""

ESDA = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import geopandas as gpd
from esda import Moran_Local
from libpysal.graph import Graph
t1 = time.perf_counter()
areas = gpd.read_file(sys.argv[1]).set_index("code")
w = Graph.build_contiguity(areas.geometry, rook=False).transform("r")
t2 = time.perf_counter()
lisa = Moran_Local(areas["value"].to_numpy(), w, permutations=int(sys.argv[2]), seed=12345,
                   n_jobs=1)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "weights": t2 - t1, "statistic": t3 - t2,
                  "significant": int((lisa.p_sim <= 0.05).sum()), "I_sum": float(lisa.Is.sum())}))
"""


def make_areas(path: Path, n_areas: int, seed: int = 12345) -> None:
    """A jittered grid of square areas with a spatially smooth value plus noise."""
    import geopandas as gpd
    from shapely.geometry import box

    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n_areas * 1.6)))
    rows = int(np.ceil(n_areas / cols))
    cells, xs, ys = [], [], []
    for k in range(n_areas):
        r, c = divmod(k, cols)
        x, y = 300_000 + c * 250.0, 6_400_000 + r * 250.0
        cells.append(box(x, y, x + 250.0, y + 250.0))
        xs.append(c / cols)
        ys.append(r / rows)
    x_arr, y_arr = np.array(xs), np.array(ys)
    value = np.sin(3 * x_arr) + np.cos(4 * y_arr) + rng.normal(scale=0.7, size=n_areas)
    codes = [f"A{k:05d}" for k in range(n_areas)]
    gdf = gpd.GeoDataFrame({"code": codes, "value": value}, geometry=cells, crs="EPSG:3006")
    gdf.to_file(path, layer="areas", driver="GPKG")
    from geoseg.hotspots import build_weights

    w = build_weights(gdf.set_index("code"), "queen").sparse
    np.savez(
        path.with_suffix(".npz"),
        data=w.data,
        indices=w.indices,
        indptr=w.indptr,
        value=value,
        code=np.array(codes),
    )


def run(script: str, areas: Path, permutations: int) -> tuple[float, dict[str, float]]:
    """Run ``script`` in a fresh interpreter; return wall time and its own timings."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script, str(areas), str(permutations)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    return wall, json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=1000)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--repeat", type=int, default=1, help="fresh runs per library")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "areas.gpkg"
        make_areas(path, args.areas)
        scenarios = [
            ("statistic (weights prebuilt, loaded from .npz)", GEOSEG_STAT, ESDA_STAT),
            ("end to end (read polygons, build queen weights)", GEOSEG, ESDA),
        ]
        print(
            f"local Moran's I, {args.areas} areas, {args.permutations} permutations, "
            "each run in a fresh Python process (start-up and imports included)"
        )
        walls: dict[tuple[int, str], float] = {}
        for k, (title, ours, peer) in enumerate(scenarios):
            print(f"{k + 1}. {title}")
            for name, script in (("geoseg", ours), ("esda", peer)):
                runs = [run(script, path, args.permutations) for _ in range(args.repeat)]
                wall, parts = min(runs, key=lambda r: r[0])
                walls[k, name] = wall
                print(
                    f"   {name:>6}: {wall:6.2f} s wall (import {parts['import']:.2f} s, "
                    f"weights {parts['weights']:.2f} s, statistic {parts['statistic']:.2f} s; "
                    f"sum of I {parts['I_sum']:.6f})"
                )
            ratio = walls[k, "esda"] / walls[k, "geoseg"]
            print(f"   ratio esda / geoseg: {ratio:.1f}x")
    ok = walls[0, "geoseg"] < TARGET_SECONDS
    print(
        f"target: the statistic in a fresh process under {TARGET_SECONDS:.0f} s: "
        f"{'met' if ok else 'MISSED'} ({walls[0, 'geoseg']:.2f} s); end to end "
        f"{walls[1, 'geoseg']:.2f} s, of which most is importing libpysal to build weights"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
