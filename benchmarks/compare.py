"""Time whatsapp-audit against the JavaScript whatsapp-chat-parser on the same export, in one run.

    python benchmarks/compare.py                          # 1M-message Android export, 3 rounds
    python benchmarks/compare.py --messages 100000 --rounds 1 --no-write
    python benchmarks/compare.py --export /cases/big.txt --no-startup
    python benchmarks/compare.py --rounds 0 --startup-rounds 9 --no-write   # start-up only

The shared machines this runs on change speed from hour to hour, so absolute seconds mean little:
what this prints are ratios measured in one run, the commands taking turns round by round (the best
of each is kept, because a busy machine only ever adds time). It measures:

- the JS parser (whatsapp-chat-parser, pinned below) reading and parsing the export in one Node
  process, when `node` and `npm` are on PATH. The package is installed by this script into
  `--workdir/js-parser` (outside the repository): it is never a dependency of the project;
- `whatsapp-audit parse EXPORT --format jsonl` and `whatsapp-audit scan EXPORT --format json`,
  output to /dev/null, as a user runs them (interpreter start included), and `whatsapp-audit inspect
  EXPORT`, which reads, hashes and parses every message but writes none: the like-for-like figure
  beside the JS parser, which writes nothing either (`parse` also encodes ~370 bytes of JSON a message);
- `parse --jobs 0` too (one process per core), where the tree's `parse` has `--jobs`;
- peak memory: the largest single process (from wait4) and all processes of the command together
  (sampled from /proc every 20 ms, for a scan that uses several processes);
- start-up: `parse`, `inspect` and `scan` on a 20-message export, i.e. the time before the first
  message, plus a bare `python -c pass` and `node -e 0` for scale. The build cache (what the packs
  compile to, `whatsapp_audit/build_cache.py`) lives beside `--workdir` (`WORKDIR-build-cache`: never in
  the exports' own folder, where the tool would not write it) and is filled before
  timing, as a user's is after their first run; `scan` is also timed with an empty one each round
  (the first run after installing or changing the packs).

The load average is printed before and after: quote it with the figures.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import machine  # noqa: E402

JS_PACKAGE = "whatsapp-chat-parser@4.0.2"
JS_RUNNER = """\
import { readFileSync } from "node:fs";
import { parseString } from "whatsapp-chat-parser";
const text = readFileSync(process.argv[2], "utf8");
const messages = parseString(text, { parseAttachments: true });
console.log(JSON.stringify({ messages: messages.length }));
"""
TARGETS = ("targets (issue 18): scan --format json <= 1.0x the JS parse (bar 2.0x), parse --format jsonl <= 0.5x, "
           "peak <= 200 MB, start-up <= 0.5 s")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Timing:
    name: str
    wall: float
    cpu: float  # user + system of the process and the children it reaped
    peak_mb: float  # the largest single process
    tree_mb: float  # all processes of the command at once (sampled)
    code: int


def ensure_js_parser(workdir: Path) -> Path | None:
    """The Node script that runs the JS parser, installing the package on first use; None without Node."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return None
    folder = workdir / "js-parser"
    installed = folder / "node_modules" / "whatsapp-chat-parser" / "package.json"
    if not installed.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"private": true, "type": "module"}\n', encoding="utf-8")
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", JS_PACKAGE], cwd=folder, check=True)
    runner = folder / "parse.mjs"
    runner.write_text(JS_RUNNER, encoding="utf-8")
    return runner


def ensure_export(workdir: Path, platform_name: str, size: int) -> Path:
    path = workdir / f"bench-{platform_name}-{size}.txt"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--messages", str(size), "--platform", platform_name,
                        "--output", str(path)], check=True)
    return path


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(name: str, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timing:
    """Run one command to completion; its output goes to /dev/null, stderr is kept for errors."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read() if proc.stderr is not None else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in (0, 1):  # scan exits 1 when there are findings to review
        raise SystemExit(f"{name}: exit {code}: {err.decode(errors='replace').strip()[-400:]}")
    largest = usage.ru_maxrss / 1024
    return Timing(name, wall, usage.ru_utime + usage.ru_stime, largest, max(largest, peak[0] / 2**20), code)


def best(runs: list[Timing]) -> Timing:
    return min(runs, key=lambda r: r.wall)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000, help="size of the generated export")
    parser.add_argument("--platform", choices=("android", "ios"), default="android")
    parser.add_argument("--export", type=Path, help="measure this export instead of a generated one")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of every command; the best of each is kept (0: start-up only)")
    parser.add_argument("--startup-rounds", type=int, default=5)
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/whatsapp-audit-bench"))
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose code is measured")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS-compare.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    tree = args.tree.resolve()
    # Bytecode is cached (outside the tree), as it is for an installed package: without it every
    # run would compile the package's sources again, which is no part of a user's start-up.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), os.environ.get("PYTHONPATH", "")]),
           "PYTHONPYCACHEPREFIX": str(args.workdir.resolve() / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The same for the build cache: a user's is filled by their first scan (a tree without one ignores this).
    env["WHATSAPP_AUDIT_CACHE_DIR"] = str(build_cache_dir(args.workdir))
    subprocess.run([sys.executable, "-m", "whatsapp_audit", "--version"], env=env, cwd=tree, check=True,
                   stdout=subprocess.DEVNULL)  # writes the bytecode cache
    subprocess.run([sys.executable, "-m", "whatsapp_audit", "scan", str(ensure_export(args.workdir, "android", 20)),
                    "--format", "json", "--no-progress", "--fail-on", "never"], env=env, cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fills the build cache
    info = machine()
    tool = [sys.executable, "-m", "whatsapp_audit"]
    if args.rounds <= 0:  # start-up only: no large export, no JS parser
        lines = ["# whatsapp-audit start-up", "",
                 f"Command: `python {shlex.join(['benchmarks/compare.py', *(argv if argv is not None else sys.argv[1:])])}`",
                 "", *[f"- {k}: {v}" for k, v in info.items()], f"- load average at the end: {load()}", "",
                 *startup(args, tree, env, tool)]
        text = "\n".join(lines) + "\n"
        print(text)
        if not args.no_write:
            args.results.write_text(text, encoding="utf-8")
            print(f"written: {args.results}")
        return 0
    export = (args.export or ensure_export(args.workdir, args.platform, args.messages)).resolve()
    runner = ensure_js_parser(args.workdir)
    commands: list[tuple[str, list[str]]] = []
    if runner is not None:
        commands.append(("JS whatsapp-chat-parser: read + parse", ["node", str(runner), str(export)]))
    commands += [
        ("whatsapp-audit parse --format jsonl", [*tool, "parse", str(export), "--format", "jsonl"]),
        # Like for like with the JS row: read, hash and parse every message, writing no message out.
        ("whatsapp-audit inspect (read + parse, no output)", [*tool, "inspect", str(export)]),
        ("whatsapp-audit scan --format json", [*tool, "scan", str(export), "--format", "json", "--no-progress"]),
    ]
    # `parse` can share a large export between processes (--jobs 0: one per core): that figure too.
    parse_source = tree / "whatsapp_audit" / "cli" / "commands" / "parse.py"
    if parse_source.exists() and '"--jobs"' in parse_source.read_text(encoding="utf-8"):
        commands.insert(len(commands) - 2, ("whatsapp-audit parse --format jsonl --jobs 0 (one process per core)",
                                            [*tool, "parse", str(export), "--format", "jsonl", "--jobs", "0"]))
    # The pure-Python reference path too, when the tree has the C accelerator built (docs/native.md).
    accelerated = any((tree / "whatsapp_audit").glob("_native*.so")) or any((tree / "whatsapp_audit").glob("_native*.pyd"))
    pure_env = {**env, "WHATSAPP_AUDIT_PURE": "1"}
    if accelerated:
        commands.append(("whatsapp-audit parse --format jsonl, pure Python (WHATSAPP_AUDIT_PURE=1)",
                         [*tool, "parse", str(export), "--format", "jsonl"]))
    runs: dict[str, list[Timing]] = {name: [] for name, _ in commands}
    for round_no in range(args.rounds):
        for name, command in commands:
            result = timed(name, command, tree, pure_env if "WHATSAPP_AUDIT_PURE" in name else env)
            runs[name].append(result)
            print(f"round {round_no + 1}: {name}: {result.wall:.2f} s wall, {result.cpu:.2f} s CPU, "
                  f"{result.tree_mb:.0f} MB", flush=True)
    kept = {name: best(items) for name, items in runs.items()}
    js = kept.get(commands[0][0]) if runner is not None else None
    size = export.stat().st_size
    lines = [
        "# whatsapp-audit against the JS whatsapp-chat-parser, in one run", "",
        f"Command: `python {shlex.join(['benchmarks/compare.py', *(argv if argv is not None else sys.argv[1:])])}`", "",
        *[f"- {k}: {v}" for k, v in info.items()],
        f"- load average at the end: {load()}",
        f"- export: {export.name} ({size / 1e6:.1f} MB)",
        f"- JS package: {JS_PACKAGE if runner is not None else 'not run (no node/npm on PATH)'}",
        f"- C accelerator (whatsapp_audit/_native): {'built in the tree' if accelerated else 'not built: pure Python'}", "",
        f"{TARGETS}.", "",
        f"Best of {args.rounds} round(s), the commands taking turns. Ratios are to the JS parser's wall and CPU time.", "",
        "| command | wall s | CPU s | peak MB (largest process) | peak MB (all processes) | wall / JS | CPU / JS |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, timing in kept.items():
        ratio_wall = f"{timing.wall / js.wall:.2f}x" if js else ""
        ratio_cpu = f"{timing.cpu / js.cpu:.2f}x" if js else ""
        lines.append(f"| {name} | {timing.wall:.2f} | {timing.cpu:.2f} | {timing.peak_mb:.0f} | {timing.tree_mb:.0f} | "
                     f"{ratio_wall} | {ratio_cpu} |")
    if not args.no_startup:
        lines += ["", *startup(args, tree, env, tool)]
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    if not args.no_write:
        args.results.write_text(text, encoding="utf-8")
        print(f"written: {args.results}")
    return 0


def build_cache_dir(workdir: Path) -> Path:
    """Beside the work folder, not in it: the generated exports live there, and the tool never writes
    its build cache inside an export's folder."""
    resolved = workdir.resolve()
    return resolved.with_name(resolved.name + "-build-cache")


def startup(args: argparse.Namespace, tree: Path, env: dict[str, str], tool: list[str]) -> list[str]:
    """Whole-process time of each command on a 20-message export: what a run costs before its first message."""
    tiny = ensure_export(args.workdir, "android", 20)
    commands = [
        ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"]),
        ("whatsapp-audit parse", [*tool, "parse", str(tiny)]),
        ("whatsapp-audit inspect", [*tool, "inspect", str(tiny)]),
        ("whatsapp-audit scan --format json", [*tool, "scan", str(tiny), "--format", "json", "--no-progress"]),
    ]
    if shutil.which("node"):
        commands.insert(1, ("node -e 0 (Node alone)", ["node", "-e", "0"]))
    cold_name = "whatsapp-audit scan --format json, build cache empty"
    runs: dict[str, list[Timing]] = {name: [] for name, _ in commands}
    runs[cold_name] = []
    for round_no in range(args.startup_rounds):
        for name, command in commands:
            runs[name].append(timed(name, command, tree, env))
        empty = build_cache_dir(args.workdir) / f"empty-{round_no}"
        shutil.rmtree(empty, ignore_errors=True)
        runs[cold_name].append(timed(cold_name, commands[-1][1], tree, {**env, "WHATSAPP_AUDIT_CACHE_DIR": str(empty)}))
        shutil.rmtree(empty, ignore_errors=True)
    lines = [
        f"## Start-up: a 20-message export, best of {args.startup_rounds}", "",
        "| command | wall s | CPU s | peak MB |", "|---|---|---|---|",
    ]
    for name, items in runs.items():
        fastest = best(items)
        lines.append(f"| {name} | {fastest.wall:.3f} | {min(r.cpu for r in items):.3f} | {fastest.peak_mb:.0f} |")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
