"""The engine's instructions per message, counted by valgrind: a speed figure the machine's load cannot move.

    python benchmarks/instructions.py /tmp/bench-10k.txt [--tree /path/to/checkout]

Wall and CPU seconds on a shared machine swing by a quarter from minute to minute, so two trees
compare only when timed in the same minute (benchmarks/detectors.py). The number of instructions
the interpreter executes does not swing: this runs the engine over the export's messages under
valgrind's cachegrind twice (once running the engine 0 times, once 2 times, after the same parse,
pack load and warm-up) and prints the difference per message, so start-up and parsing cancel out.
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
ROUNDS = 2


def run_engine(tree: Path, export: Path, rounds: int) -> int:
    """Parse `export`, build the engine, warm it up, then run it `rounds` times; the message count."""
    sys.path.insert(0, str(tree))
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.rules.loader import load_patterns

    with open_export(export) as opened:
        messages = list(opened.iter_messages())
    engine = Engine.build(load_patterns().rules)
    sum(1 for _ in engine.run(messages[:3000]))  # lazy compiles and first-use caches, in both runs
    # The collector's passes over what start-up built (the engine, the messages) land here in both runs,
    # not inside the measured rounds: a tree that defers them (collector.paused) is not charged per message.
    gc.collect()
    for _ in range(rounds):
        sum(1 for _ in engine.run(messages))
    return len(messages)


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
    count = run_engine(tree, args.export, 0)
    base = instructions(tree, args.export, 0)
    with_engine = instructions(tree, args.export, ROUNDS)
    per_message = (with_engine - base) / ROUNDS / max(1, count)
    print(f"{args.export}: {count:,} messages; tree {tree}")
    print(f"engine (all detectors and gates): {per_message:,.0f} instructions per message")


if __name__ == "__main__":
    main()
