"""Benchmark many exports in one run: separate runs vs one batch, local processes vs a Dask cluster.

    python benchmarks/batch.py                         # 40 exports of 10k-100k messages; writes RESULTS.md
    python benchmarks/batch.py --exports 8 --no-write  # a quick look

Exports are made by generate.py (seeded: Android and iOS in turn, sizes spread evenly from
--smallest to --largest) and kept in --workdir. Every run is a fresh `python -m whatsapp_audit`
process writing the JSON report to a file, as a user would run it; wall and CPU time are that
process's (and its children's). The cluster is a `LocalCluster` of two worker processes with one
thread each, started before the run (its start-up is reported apart); worker CPU time is read from
the workers. The JSON reports of the batch runs are compared byte for byte. The figures go into the
batch section of RESULTS.md (the part from the `<!-- batch -->` marker on; run.py keeps it).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import machine  # noqa: E402

MARKER = "<!-- batch -->"
FROZEN = "2026-01-01T00:00:00Z"


@dataclass
class Run:
    name: str
    wall: float
    cpu: float  # the command's own process and its children
    code: int
    worker_cpu: float | None = None  # cluster workers' CPU time, when they did the work


def make_exports(folder: Path, count: int, smallest: int, largest: int) -> list[tuple[Path, int]]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(count):
        size = smallest + (largest - smallest) * i // max(1, count - 1)
        platform = "android" if i % 2 == 0 else "ios"
        path = folder / f"export-{i:03d}-{platform}-{size}.txt"
        if not path.exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--messages", str(size), "--platform", platform,
                            "--seed", str(100 + i), "--output", str(path)], check=True)
        made.append((path, size))
    return made


def timed(name: str, args: list[str], env: dict[str, str]) -> Run:
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "whatsapp_audit", *args], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    err = child.stderr.read().decode() if child.stderr else ""
    if child.returncode not in (0, 1):
        raise SystemExit(f"{name}: exit {child.returncode}: {err[-500:]}")
    # ru_*: the child and, after wait4, what it reaped (pool workers are its children)
    return Run(name, wall, usage.ru_utime + usage.ru_stime, child.returncode)


def scan_args(target: list[str], report: Path, *extra: str) -> list[str]:
    return ["scan", *target, "--format", "json", "--output", str(report), "--generated-at", FROZEN,
            "--no-progress", "--fail-on", "never", *extra]


def worker_cpu(client: Any) -> float:
    def cpu() -> float:
        import psutil

        times = psutil.Process().cpu_times()
        return float(times.user + times.system)

    return sum(client.run(cpu).values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=int, default=40)
    parser.add_argument("--smallest", type=int, default=10_000)
    parser.add_argument("--largest", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/whatsapp-audit-batch"))
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--skip-separate", action="store_true", help="leave out the one-process-per-export runs")
    args = parser.parse_args(argv)
    info = machine()
    exhibits = args.workdir / "exhibits"
    exports = make_exports(exhibits, args.exports, args.smallest, args.largest)
    messages = sum(size for _, size in exports)
    out = args.workdir / "reports"
    out.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs: list[Run] = []

    if not args.skip_separate:
        separate = [timed(p.name, scan_args([str(p)], out / "one.json"), env) for p, _ in exports]
        runs.append(Run(f"{len(exports)} separate `scan EXPORT` runs (one after another)",
                        sum(r.wall for r in separate), sum(r.cpu for r in separate), 0))
    runs.append(timed("one batch, `--jobs 1` (one process)", scan_args([str(exhibits)], out / "jobs1.json", "--jobs", "1"), env))
    runs.append(timed("one batch, `--jobs 2` (local process pool)", scan_args([str(exhibits)], out / "jobs2.json", "--jobs", "2"), env))

    from distributed import Client, LocalCluster

    os.environ["PYTHONPATH"] = str(ROOT)  # the workers (spawned below) import this checkout
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    cluster_start = time.perf_counter() - started
    client = Client(cluster)
    try:
        for label, name in (("cold: first run, workers build their engines", "cluster1.json"),
                            ("warm: second run on the same workers", "cluster2.json")):
            before = worker_cpu(client)
            run = timed(f"one batch, 2-worker LocalCluster, {label}",
                        scan_args([str(exhibits)], out / name, "--cluster", cluster.scheduler_address), env)
            run.worker_cpu = worker_cpu(client) - before
            runs.append(run)
    finally:
        client.close()
        cluster.close()
    reports = [out / name for name in ("jobs1.json", "jobs2.json", "cluster1.json", "cluster2.json")]
    identical = len({p.read_bytes() for p in reports}) == 1
    verdict = "yes" if identical else same_but_timeouts(reports)

    command = shlex.join(["python", "benchmarks/batch.py", *(argv if argv is not None else sys.argv[1:])])
    lines = [
        MARKER, "## Many exports in one run (issue 14)", "",
        f"Command: `{command}` ({info['date']}, load average at start {info['load average at start (1/5/15 min)']})", "",
        (f"{len(exports)} generated exports (Android and iOS in turn) of {args.smallest:,} to {args.largest:,} messages, "
         f"{messages:,} messages and {sum(p.stat().st_size for p, _ in exports) / 1e6:,.0f} MB in all; every run writes "
         "the JSON report. CPU is the command's process and its children; for the cluster, the client's CPU plus "
         "(in brackets) the workers'."), "",
        "| run | wall s | CPU s | messages/s | wall s per 1M messages | CPU s per 1M messages |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        cpu = run.cpu + (run.worker_cpu or 0)
        shown_cpu = f"{run.cpu:.1f} (+{run.worker_cpu:.1f})" if run.worker_cpu is not None else f"{run.cpu:.1f}"
        lines.append(f"| {run.name} | {run.wall:.1f} | {shown_cpu} | {messages / run.wall:,.0f} | "
                     f"{run.wall * 1e6 / messages:.1f} | {cpu * 1e6 / messages:.1f} |")
    lines += ["", f"- LocalCluster start-up (two worker processes): {cluster_start:.1f} s, not included above.",
              f"- The four batch reports are byte for byte the same: {verdict}.", ""]
    print("\n".join(lines))
    if not args.no_write:
        text = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        head = text.split(MARKER)[0].rstrip("\n")
        args.results.write_text((head + "\n\n" if head else "") + "\n".join(lines), encoding="utf-8")
        print(f"written: {args.results}")
    return 0 if identical or verdict.startswith("no, only") else 1


def same_but_timeouts(reports: list[Path]) -> str:
    """Why the reports differ, when they do: regex time-outs (a 0.25 s limit, so they depend on the
    machine's load: docs/json-report.md) are the one expected difference; anything else is a bug."""
    import json

    def without_timeouts(path: Path) -> Any:
        report = json.loads(path.read_text(encoding="utf-8"))
        notes = list(report.pop("regex_timeouts"))
        report["limitations"] = [n for n in report["limitations"] if "its pattern ran out of time" not in n]
        for source in report["sources"]:
            source["limitations"] = [n for n in source["limitations"] if "its pattern ran out of time" not in n]
        return report, notes

    seen = [without_timeouts(p) for p in reports]
    if all(rest == seen[0][0] for rest, _ in seen):
        counts = ", ".join(f"{p.stem} {len(notes)}" for p, (_, notes) in zip(reports, seen, strict=True))
        return (f"no, only in regex time-outs ({counts}): a pattern-file regex ran past its 0.25 s limit on a "
                "loaded machine, which the report records as a limitation; everything else is the same")
    return "NO: the reports differ beyond regex time-outs"


if __name__ == "__main__":
    raise SystemExit(main())
