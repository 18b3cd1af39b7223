"""Recall and false positives of the imagery detector on the labelled invented conversations.

Usage:  python scripts/accuracy_imagery.py [--labels tests/labelled/imagery_labels.toml]
                                           [--min-recall 0.9] [--max-false-positive-rate 0.1]
Prints one line per attachment that disagrees with its label, then the totals. Exits 1 when a floor
given on the command line is not met, so a test (and CI) can hold the detector to it.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit import parse  # noqa: E402
from whatsapp_audit.detect.base import Window  # noqa: E402
from whatsapp_audit.detect.imagery.detector import ImageryDetector  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402


@dataclass
class Tally:
    true_positive: int = 0
    false_negative: int = 0
    false_positive: int = 0
    true_negative: int = 0
    unlabelled: int = 0

    @property
    def recall(self) -> float:
        positives = self.true_positive + self.false_negative
        return self.true_positive / positives if positives else 1.0

    @property
    def false_positive_rate(self) -> float:
        negatives = self.false_positive + self.true_negative
        return self.false_positive / negatives if negatives else 0.0


def flagged_lines(path: Path, detector: ImageryDetector) -> tuple[dict[int, str], set[int]]:
    """Lines the detector reports (line -> 'RULE tier score') and every line it judged."""
    messages = parse(path).messages
    k = detector.context_size
    reported: dict[int, str] = {}
    judged: set[int] = set()
    for i, message in enumerate(messages):
        if detector.judged_attachment(message) is not None:
            judged.add(message.line)
        window = Window(before=tuple(messages[max(0, i - k):i]), after=tuple(messages[i + 1:i + 1 + k]))
        for f in detector.detect(message, window):
            reported[f.line] = f"{f.rule} {f.confidence.value} {f.score:.2f}"
    return reported, judged


def evaluate(labels_path: Path, verbose: bool = True) -> Tally:
    detector = ImageryDetector()
    detector.configure(load_patterns().rules_for("imagery"))
    labels = tomllib.loads(labels_path.read_text(encoding="utf-8"))
    tally = Tally()
    for chat in labels["chat"]:
        path = labels_path.parent / chat["file"]
        reported, judged = flagged_lines(path, detector)
        positive, negative = set(chat["flagged"]), set(chat["not_flagged"])
        for line in sorted(judged | positive | negative):
            hit = line in reported
            if line in positive:
                tally.true_positive += hit
                tally.false_negative += not hit
                if not hit and verbose:
                    print(f"missed          {chat['file']}:{line}")
            elif line in negative:
                tally.false_positive += hit
                tally.true_negative += not hit
                if hit and verbose:
                    print(f"false positive  {chat['file']}:{line}  {reported[line]}")
            else:
                tally.unlabelled += 1
                if verbose:
                    print(f"unlabelled      {chat['file']}:{line}  {reported.get(line, 'not reported')}")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=ROOT / "tests" / "labelled" / "imagery_labels.toml")
    parser.add_argument("--min-recall", type=float, default=None)
    parser.add_argument("--max-false-positive-rate", type=float, default=None)
    args = parser.parse_args(argv)
    t = evaluate(args.labels)
    print(f"scene media:    {t.true_positive + t.false_negative}  flagged {t.true_positive}  "
          f"missed {t.false_negative}  recall {t.recall:.2f}")
    print(f"ordinary media: {t.false_positive + t.true_negative}  false positives {t.false_positive}  "
          f"rate {t.false_positive_rate:.2f}")
    if t.unlabelled:
        print(f"unlabelled judged attachments: {t.unlabelled}")
    failed = (args.min_recall is not None and t.recall < args.min_recall) or (
        args.max_false_positive_rate is not None and t.false_positive_rate > args.max_false_positive_rate)
    return 1 if failed or t.unlabelled else 0


if __name__ == "__main__":
    sys.exit(main())
