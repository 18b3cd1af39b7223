"""Per-rule precision and recall of the operational-data detector on the labelled messages.

Usage:  python scripts/accuracy_operational.py [--labels tests/labelled/operational.jsonl]
                                               [--min-recall 0.95] [--max-benign-rate 0.02] [-v]
Each line of the labels file is a JSON object: `text`, `rules` (the rule ids that must fire; empty
for a benign message), and optionally `attachment`, `author`, `before`, `after` as in rule examples.
Prints a table per rule, the overall recall, and the share of benign messages with any finding.
Exits 1 when a floor given on the command line is not met (the test holds the detector to them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit.detect.operational.detector import OperationalDetector  # noqa: E402
from whatsapp_audit.rules.examples import build_example  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402

DEFAULT_LABELS = ROOT / "tests" / "labelled" / "operational.jsonl"


def evaluate(labels: Path, verbose: bool = False) -> tuple[dict[str, Counter[str]], int, int, list[str]]:
    """Tallies per rule (tp/fp/fn), benign count, benign flagged count, and disagreement lines."""
    detector = OperationalDetector()
    rules = load_patterns().rules_for("operational")
    detector.configure(rules)
    tallies: dict[str, Counter[str]] = {rule.id: Counter() for rule in rules}
    benign = benign_flagged = 0
    notes: list[str] = []
    for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        expected = set(item.pop("rules"))
        message, window = build_example(item)
        fired = {finding.rule for finding in detector.detect(message, window)}
        for rule in expected | fired:
            tally = tallies.setdefault(rule, Counter())
            if rule in expected and rule in fired:
                tally["tp"] += 1
            elif rule in expected:
                tally["fn"] += 1
                notes.append(f"line {number}: missed {rule}" + (f": {item['text']!r}" if verbose else ""))
            else:
                tally["fp"] += 1
                notes.append(f"line {number}: extra {rule}" + (f": {item['text']!r}" if verbose else ""))
        if not expected:
            benign += 1
            benign_flagged += bool(fired)
    return tallies, benign, benign_flagged, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--min-recall", type=float, default=None)
    parser.add_argument("--max-benign-rate", type=float, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="quote the invented text of disagreements")
    args = parser.parse_args(argv)
    tallies, benign, flagged, notes = evaluate(args.labels, args.verbose)
    for note in notes:
        print(note)
    print(f"{'rule':<24}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}")
    total: Counter[str] = Counter()
    for rule, tally in sorted(tallies.items()):
        total.update(tally)
        tp, fp, fn = tally["tp"], tally["fp"], tally["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        missing = "  (no labelled positives)" if tp + fn == 0 else ""
        print(f"{rule:<24}{tp:>5}{fp:>5}{fn:>5}{precision:>11.2f}{recall:>8.2f}{missing}")
    recall = total["tp"] / (total["tp"] + total["fn"]) if total["tp"] + total["fn"] else 1.0
    precision = total["tp"] / (total["tp"] + total["fp"]) if total["tp"] + total["fp"] else 1.0
    rate = flagged / benign if benign else 0.0
    print(f"overall precision {precision:.3f}, recall {recall:.3f}")
    print(f"benign messages flagged: {flagged} of {benign} ({rate:.1%})")
    failed = False
    if args.min_recall is not None and recall < args.min_recall:
        print(f"FAIL: recall {recall:.3f} is below {args.min_recall}")
        failed = True
    if args.max_benign_rate is not None and rate > args.max_benign_rate:
        print(f"FAIL: benign rate {rate:.3f} is above {args.max_benign_rate}")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
