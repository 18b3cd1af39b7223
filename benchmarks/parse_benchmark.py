"""Measure parse speed and peak memory on an export (make one with generate.py).

    python benchmarks/parse_benchmark.py /tmp/bench-1m.txt [--repeat 3]

Each run is a fresh process, so peak memory (max RSS) is that run's own. Prints wall time, CPU
time, messages per second and peak memory, and the machine it ran on; quote these, not guesses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
from whatsapp_audit import open_export
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
wall0, cpu0 = time.perf_counter(), cpu()
with open_export(sys.argv[1]) as export:
    survey_wall = time.perf_counter() - wall0
    count = sum(1 for _ in export.iter_messages())
    accounted = export.stats.accounted
wall, used = time.perf_counter() - wall0, cpu() - cpu0
print(json.dumps({"messages": count, "wall": wall, "cpu": used, "survey_wall": survey_wall,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "accounted": accounted}))
"""


def measure(path: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [measure(args.export) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["wall"])
    size = os.path.getsize(args.export)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"export:  {args.export} ({size / 1e6:.1f} MB, {best['messages']:,} messages)")
    print(f"parse:   best of {args.repeat}: {best['wall']:.2f} s wall ({best['survey_wall']:.2f} s survey), "
          f"{best['cpu']:.2f} s CPU, {best['messages'] / best['wall']:,.0f} messages/s, peak {best['peak_mb']:.0f} MB, "
          f"lines accounted: {best['accounted']}")


if __name__ == "__main__":
    main()
