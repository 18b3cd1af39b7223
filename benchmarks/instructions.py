"""The engine's instructions per message, counted by valgrind: a speed figure the machine's load cannot move.

    python benchmarks/instructions.py /tmp/bench-10k.txt [--tree /path/to/checkout]

Wall and CPU seconds on a shared machine swing by a quarter from minute to minute, so two trees
compare only when timed in the same minute (benchmarks/detectors.py). The number of instructions
the interpreter executes does not swing: this runs the engine over the export's messages under
valgrind's cachegrind after the same parse, pack load and warm-up (the engine run over the first
3,000 messages), then over the rest 0, 1 and 2 times, and prints the differences per message, so
start-up and parsing cancel out:

- first sight: the rest's messages examined once, as a scan does (a file name, a number, a word the
  engine has not met before pays for being read the first time);
- seen again: the second pass over them, when every memo already holds their runs (the figure this
  benchmark printed before 2026-12-01; it leaves out what first sight costs).

Needs valgrind on PATH; valgrind slows Python about fifty-fold, so give it a slice of 10k messages.
"""

from __future__ import annotations

import argparse
import gc
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_UP = 3000  # messages the engine runs over before anything is counted


def run_engine(tree: Path, export: Path, rounds: int) -> int:
    """Parse `export`, build the engine, warm it up, then run it `rounds` times over the messages after
    the warm-up's; how many those are."""
    sys.path.insert(0, str(tree))
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.rules.loader import load_patterns

    with open_export(export) as opened:
        messages = list(opened.iter_messages())
    engine = Engine.build(load_patterns().rules)
    sum(1 for _ in engine.run(messages[:WARM_UP]))  # lazy compiles and first-use caches, in every run
    # The collector's passes over what start-up built (the engine, the messages) land here in both runs,
    # not inside the measured rounds: a tree that defers them (collector.paused) is not charged per message.
    gc.collect()
    rest = messages[WARM_UP:]
    for _ in range(rounds):
        sum(1 for _ in engine.run(rest))
    return len(rest)


def instructions(tree: Path, export: Path, rounds: int) -> int:
    """Instructions valgrind counts for one `--engine-rounds` run of this script."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, __file__, str(export), "--tree", str(tree), "--engine-rounds", str(rounds)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure (default: this one)")
    parser.add_argument("--engine-rounds", type=int, default=None, help=argparse.SUPPRESS)  # the child's run
    args = parser.parse_args()
    tree = args.tree.resolve()
    if args.engine_rounds is not None:
        run_engine(tree, args.export, args.engine_rounds)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on PATH: this benchmark counts instructions with it")
    count = max(1, run_engine(tree, args.export, 0))
    base, once, twice = (instructions(tree, args.export, rounds) for rounds in (0, 1, 2))
    print(f"{args.export}: {count:,} messages after a warm-up on {WARM_UP:,}; tree {tree}")
    print(f"engine (all detectors and gates), first sight: {(once - base) / count:,.0f} instructions per message")
    print(f"engine, the same messages seen again: {(twice - once) / count:,.0f} instructions per message")


if __name__ == "__main__":
    main()
