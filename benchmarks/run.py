"""Benchmark parse, each detector and the whole scan on generated exports; write RESULTS.md.

    python benchmarks/run.py                                  # 10k, 100k, 1M; Android and iOS; every stage
    python benchmarks/run.py --sizes 10k,100k --platforms android --stages parse,discriminatory
    python benchmarks/run.py --export /cases/big.txt --stages scan --no-write
    python benchmarks/run.py --tree /tmp/old-checkout --results /tmp/before.md   # compare code versions

Every measurement runs in a fresh process (peak memory is that process's own, read with wait4),
and the best of `--repeat` runs is kept, because a shared machine only ever adds time. Stages:

  parse            stream every message from the export (no detection)
  operational, imagery, discriminatory
                   the engine with that detector alone over the message stream; the time the
                   parser spent is measured inside the same pass and taken off, so the figure is
                   the detector's (and the engine's) own
  detect           the engine with every registered detector, the same way
  scan             `python -m whatsapp_audit scan EXPORT --format json` to /dev/null: what a user
                   waits for, interpreter start, spaCy, parse, detection and the report included

Exports are made by generate.py (seeded, so the same sizes give the same bytes) and kept in
`--workdir` between runs. The table gives microseconds per message, so linearity from 10k to 1M
can be read down a column.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BATCH_MARKER = "<!-- batch -->"  # RESULTS.md from here on is written by batch.py
STAGES = ("parse", "operational", "imagery", "discriminatory", "detect", "scan")
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
TARGETS = "targets (issue 8, 2-core machine): scan of 1M messages <= 4 s with JSON report, peak <= 200 MB; parse <= 2 s"

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from whatsapp_audit import open_export
stage, path = sys.argv[1], sys.argv[2]
engine = None
if stage != "parse":
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.detect.registry import DETECTORS
    from whatsapp_audit.rules.loader import load_patterns
    entries = DETECTORS if stage == "detect" else tuple(
        e for e in DETECTORS if e.rpartition(":")[2].lower().startswith(stage))
    engine = Engine.build(load_patterns().rules, entries)
setup = time.perf_counter() - t0
clock = time.perf_counter
spent = [0.0, 0]
def timed(stream):
    while True:
        t = clock()
        try:
            m = next(stream)
        except StopIteration:
            spent[0] += clock() - t
            return
        spent[0] += clock() - t
        spent[1] += 1
        yield m
findings = 0
t1 = clock()
with open_export(path) as export:
    stream = export.iter_messages()
    if engine is None:
        for _ in stream:
            spent[1] += 1
        parse = clock() - t1
    else:
        for _ in engine.run(timed(stream)):
            findings += 1
        parse = spent[0]
run = clock() - t1
timeouts = len(engine.timeouts) if engine is not None and hasattr(engine, "timeouts") else 0
print(json.dumps({"messages": spent[1], "setup": setup, "run": run, "parse": parse,
                  "own": run if engine is None else run - parse, "findings": findings, "timeouts": timeouts}))
"""


@dataclass
class Measure:
    stage: str
    export: str
    messages: int
    wall: float  # seconds the stage itself took (see the module docstring)
    process_wall: float  # the whole child process, start-up included
    cpu: float  # user + system seconds of the whole child process
    peak_mb: float
    findings: int | None = None
    error: str | None = None

    @property
    def us_per_message(self) -> float:
        return self.wall / self.messages * 1e6 if self.messages else 0.0


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {"cpu": model, "cores": str(os.cpu_count()), "memory": mem, "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}", "load average at start (1/5/15 min)": load,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def ensure_export(workdir: Path, platform_name: str, size: int) -> Path:
    path = workdir / f"bench-{platform_name}-{size}.txt"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--messages", str(size), "--platform", platform_name,
                        "--output", str(path)], check=True)
    return path


def child_env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")])}


_COUNTS: dict[Path, int] = {}


def count_messages(export: Path, tree: Path) -> int:
    if export not in _COUNTS:
        _COUNTS[export] = run_child_parse(export, tree)
    return _COUNTS[export]


def run_child_parse(export: Path, tree: Path) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, "parse", str(export)], capture_output=True, check=True,
                         env=child_env(tree), cwd=tree).stdout
    return int(json.loads(out)["messages"])


def measure(stage: str, export: Path, tree: Path, repeat: int) -> Measure:
    """Best of `repeat` fresh processes (rusage from a Popen is read per child, see run_once)."""
    runs = [run_with_rusage(stage, export, tree) for _ in range(repeat)]
    ok = [r for r in runs if r.error is None]
    return min(ok, key=lambda r: r.wall) if ok else runs[-1]


def run_with_rusage(stage: str, export: Path, tree: Path) -> Measure:
    """One child, reaped with wait4 so its own CPU time and peak memory are read exactly."""
    if stage == "scan":
        argv = [sys.executable, "-m", "whatsapp_audit", "scan", str(export), "--format", "json"]
        stdout = subprocess.DEVNULL
    else:
        argv = [sys.executable, "-c", CHILD, stage, str(export)]
        stdout = subprocess.PIPE
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=child_env(tree), cwd=tree)
    out = proc.stdout.read() if proc.stdout is not None else b""
    err = proc.stderr.read() if proc.stderr is not None else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu, peak = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    code = proc.returncode
    problem = f"exit {code}: {err.decode(errors='replace').strip()[-300:]}"
    if stage == "scan":
        failed = code not in (0, 1) or b"Traceback" in err  # exit 1 means "findings to review"
        return Measure(stage, export.name, count_messages(export, tree), wall, wall, cpu, peak, None,
                       problem if failed else None)
    if code != 0:
        return Measure(stage, export.name, 0, wall, wall, cpu, peak, None, problem)
    data = json.loads(out)
    return Measure(stage, export.name, data["messages"], data["own"], wall, cpu, peak, data["findings"])


def table(results: list[Measure]) -> list[str]:
    head = "| export | stage | messages | stage wall s | µs/message | messages/s | process wall s | CPU s | peak MB | findings |"
    lines = [head, "|" + "---|" * 10]
    for r in results:
        if r.error:
            lines.append(f"| {r.export} | {r.stage} | | | | | | | | error: {r.error[:80]} |")
            continue
        rate = r.messages / r.wall if r.wall else 0
        lines.append(f"| {r.export} | {r.stage} | {r.messages:,} | {r.wall:.2f} | {r.us_per_message:.2f} | {rate:,.0f} | "
                     f"{r.process_wall:.2f} | {r.cpu:.2f} | {r.peak_mb:.0f} | {'' if r.findings is None else r.findings} |")
    return lines


def linearity(results: list[Measure]) -> list[str]:
    """µs per message of each stage at each size, per platform: flat rows mean linear cost."""
    rows: dict[tuple[str, str], dict[int, float]] = {}
    sizes: set[int] = set()
    for r in results:
        if r.error or not r.export.startswith("bench-"):
            continue
        platform_name = r.export.split("-")[1]
        rows.setdefault((platform_name, r.stage), {})[r.messages] = r.us_per_message
        sizes.add(r.messages)
    if not rows:
        return []
    order = sorted(sizes)
    lines = ["| platform | stage | " + " | ".join(f"{n:,}" for n in order) + " |", "|" + "---|" * (len(order) + 2)]
    for (platform_name, stage), by_size in rows.items():
        cells = [f"{by_size[n]:.2f}" if n in by_size else "" for n in order]
        lines.append(f"| {platform_name} | {stage} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m or a number")
    parser.add_argument("--platforms", default="android,ios")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--export", type=Path, action="append", default=[], help="measure this export instead")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the best is kept")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/whatsapp-audit-bench"))
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose code is measured")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s) {sorted(unknown)}; known: {', '.join(STAGES)}")
    info = machine()
    exports = list(args.export)
    if not exports:
        for size in args.sizes.split(","):
            n = SIZES.get(size.lower()) or int(size)
            for platform_name in args.platforms.split(","):
                exports.append(ensure_export(args.workdir, platform_name, n))
    results: list[Measure] = []
    for export in exports:
        for stage in stages:
            result = measure(stage, export.resolve(), args.tree.resolve(), args.repeat)
            results.append(result)
            print("  ".join(table([result])[2:]), flush=True)
    lines = [
        "# Benchmark results", "",
        f"Command: `python {shlex.join(['benchmarks/run.py', *(argv if argv is not None else sys.argv[1:])])}`", "",
        *[f"- {k}: {v}" for k, v in info.items()], "",
        f"{TARGETS}.", "",
        "\"stage wall\" is the stage's own time (parse time taken off for detector stages; the whole",
        "process for `scan`); CPU and peak memory are the whole child process's.", "",
        *table(results), "",
    ]
    lin = linearity(results)
    if lin:
        lines += ["## Linearity: µs per message by export size", "", *lin, ""]
    print("\n".join(lines))
    if not args.no_write:
        # benchmarks/batch.py owns the part from its marker on: keep it
        kept = args.results.read_text(encoding="utf-8").partition(BATCH_MARKER) if args.results.exists() else ("", "", "")
        tail = ["", kept[1] + kept[2]] if kept[1] else []
        args.results.write_text("\n".join(lines + tail), encoding="utf-8")
        print(f"written: {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
