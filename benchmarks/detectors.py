"""Where a scan's CPU goes, per message: parsing, the engine, and each detector.

    python benchmarks/detectors.py /tmp/bench-100k.txt [--rounds 3] [--tree /path/to/checkout]

For speed work on the detectors: it parses the export once, then runs the engine over the parsed
messages `--rounds` times and keeps the best (a busy shared machine only ever adds time), timing
each detector's `detect` inside the engine's own run (so each sees the messages its gates let
through; the timer adds about a microsecond per call). Prints CPU seconds and microseconds per message. Compare two checkouts in one session
(`--tree`), taking turns, and quote both with the command: absolute figures swing from hour to hour.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.rules.loader import load_patterns

    best: dict[str, float] = defaultdict(lambda: float("inf"))
    calls: dict[str, int] = {}
    messages: list[Any] = []
    for _ in range(args.rounds):
        start = time.process_time()
        with open_export(args.export) as export:
            messages = list(export.iter_messages())
        best["parse"] = min(best["parse"], time.process_time() - start)
    engine = Engine.build(load_patterns().rules)
    spent: dict[str, float] = defaultdict(float)
    counted: dict[str, int] = defaultdict(int)
    for detector in engine.detectors:
        def timed(message: Any, window: Any, run: Any = detector.detect, name: str = detector.name) -> Any:
            start = time.process_time()
            found = run(message, window)
            spent[name] += time.process_time() - start
            counted[name] += 1
            return found
        detector.detect = timed  # type: ignore[method-assign]
    engine.__post_init__()  # the engine keeps bound methods: take the timed ones
    sum(1 for _ in engine.run(messages[:5000]))  # warm up (lazy compiles, spaCy if needed)
    findings = 0
    for _ in range(args.rounds):
        spent.clear()
        counted.clear()
        start = time.process_time()
        findings = sum(1 for _ in engine.run(messages))
        total = time.process_time() - start
        if total < best["engine (all detectors and gates)"]:
            best["engine (all detectors and gates)"] = total
            for name, seconds in spent.items():
                best[f"  {name}"] = seconds
                calls[f"  {name}"] = counted[name]
    count = max(1, len(messages))
    print(f"{args.export}: {len(messages):,} messages, {findings:,} findings; tree {args.tree}; best of {args.rounds}")
    for name, seconds in best.items():
        share = f"  ({calls[name]:,} calls, {seconds / max(1, calls[name]) * 1e6:.1f} us each)" if name in calls else ""
        print(f"{name:36s} {seconds:7.3f} s CPU  {seconds / count * 1e6:6.2f} us/message{share}")


if __name__ == "__main__":
    main()
