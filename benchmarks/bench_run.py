"""Benchmark: ``geoseg run`` on the embedded example city in a fresh process.

Target: under 60 s on 2 cores, imports and every stage included.

Run: ``python benchmarks/bench_run.py``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "geoseg", "-q", "run", "--output", str(out)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        print(proc.stderr)
        print(f"geoseg run failed with exit code {proc.returncode}")
        return 1
    verdict = "OK" if elapsed < TARGET_S else "SLOW"
    print(f"geoseg run (example city, fresh process): {elapsed:.1f} s")
    print(f"target {TARGET_S:.0f} s: ratio {elapsed / TARGET_S:.2f} of the budget [{verdict}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
