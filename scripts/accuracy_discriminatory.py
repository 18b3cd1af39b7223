"""Accuracy of the discriminatory-language detector on the project's labelled chat lines.

Prints recall, precision and the rate of ordinary messages flagged, per confidence tier and per
protected characteristic, plus precision at a 1 % base rate (see the design reference, section 3):
the figure that decides whether investigators will trust the tool.

    python scripts/accuracy_discriminatory.py [--labelled tests/labelled/discriminatory.tsv] [--show-misses]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit.detect.base import Window  # noqa: E402
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector  # noqa: E402
from whatsapp_audit.model import Finding, Message, MessageKind  # noqa: E402
from whatsapp_audit.resources import default_patterns_dir  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402

DEFAULT_LABELLED = ROOT / "tests" / "labelled" / "discriminatory.tsv"
TIERS = ("low", "medium", "high")
RANK = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Row:
    label: str  # abuse | trap | ordinary
    characteristics: frozenset[str]
    kind: str
    text: str


@dataclass
class Result:
    row: Row
    findings: list[Finding] = field(default_factory=list)

    def top(self) -> int:
        return max((RANK[f.confidence.value] for f in self.findings), default=0)

    def chars_at(self, tier: int) -> set[str]:
        out: set[str] = set()
        for f in self.findings:
            if RANK[f.confidence.value] >= tier:
                out |= set(dict(f.explanation.details).get("characteristic", "").split(",")) - {""}
        return out


def read_rows(path: Path) -> list[Row]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[0] not in {"abuse", "trap", "ordinary"}:
            raise SystemExit(f"{path}:{number}: expected 4 tab-separated columns with a known label")
        chars = frozenset(c for c in parts[1].split("|") if c and c != "-")
        rows.append(Row(parts[0], chars, parts[2], parts[3]))
    return rows


def run(rows: Sequence[Row], patterns: Path | None = None) -> list[Result]:
    folder = patterns or default_patterns_dir() / "discriminatory"
    detector = DiscriminatoryDetector()
    detector.configure(load_patterns([folder], include_default=False).rules_for("discriminatory"))
    results = []
    for index, row in enumerate(rows):
        message = Message(index=index, line=index + 1, end_line=index + 1, timestamp=datetime(2024, 1, 1),
                          header="", author="Tester", text=row.text, kind=MessageKind.TEXT)
        results.append(Result(row, list(detector.detect(message, Window()))))
    return results


def rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def tier_metrics(results: Sequence[Result], tier: int) -> dict[str, float]:
    abuse = [r for r in results if r.row.label == "abuse"]
    ordinary = [r for r in results if r.row.label == "ordinary"]
    traps = [r for r in results if r.row.label == "trap"]
    tp = sum(r.top() >= tier for r in abuse)
    fp = sum(r.top() >= tier for r in ordinary + traps)
    fn, tn = len(abuse) - tp, len(ordinary) + len(traps) - fp
    recall = rate(tp, len(abuse))
    fpr = rate(sum(r.top() >= tier for r in ordinary), len(ordinary))
    denom = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    at_1pc = recall * 0.01 / (recall * 0.01 + fpr * 0.99) if recall or fpr else 0.0
    return {
        "recall": recall, "precision": rate(tp, tp + fp), "ordinary_flagged": fpr,
        "traps_flagged": rate(sum(r.top() >= tier for r in traps), len(traps)),
        "mcc": (tp * tn - fp * fn) / denom if denom else 0.0, "precision_at_1pc": at_1pc,
    }


def characteristic_metrics(results: Sequence[Result], tier: int) -> dict[str, tuple[int, float, float]]:
    """Per characteristic: (abuse rows, recall, precision of findings that name it)."""
    names = sorted({c for r in results for c in r.row.characteristics})
    out = {}
    for name in names:
        rows = [r for r in results if name in r.row.characteristics]
        found = sum(name in r.chars_at(tier) for r in rows)
        claimed = [r for r in results if name in r.chars_at(tier)]
        right = sum(name in r.row.characteristics for r in claimed)
        out[name] = (len(rows), rate(found, len(rows)), rate(right, len(claimed)))
    return out


def report(results: Sequence[Result], show_misses: bool = False) -> str:
    counts = {label: sum(r.row.label == label for r in results) for label in ("abuse", "trap", "ordinary")}
    lines = [f"labelled rows: {counts['abuse']} abuse, {counts['trap']} traps, {counts['ordinary']} ordinary", ""]
    lines.append(f"{'tier >=':<8} {'recall':>7} {'precision':>9} {'ordinary':>9} {'traps':>7} {'MCC':>6} {'P@1%':>6}")
    for name in TIERS:
        m = tier_metrics(results, RANK[name])
        lines.append(f"{name:<8} {m['recall']:>7.1%} {m['precision']:>9.1%} {m['ordinary_flagged']:>9.2%} "
                     f"{m['traps_flagged']:>7.1%} {m['mcc']:>6.2f} {m['precision_at_1pc']:>6.1%}")
    for name in ("low", "medium"):
        lines += ["", f"per characteristic (tier >= {name}): rows, recall, precision"]
        for char, (n, recall, precision) in characteristic_metrics(results, RANK[name]).items():
            lines.append(f"  {char:<28} {n:>4} {recall:>7.1%} {precision:>9.1%}")
    if show_misses:
        lines += ["", "missed abuse rows (row number, kind):"]
        lines += [f"  #{i + 1} {r.row.kind}" for i, r in enumerate(results) if r.row.label == "abuse" and not r.top()]
        lines += ["non-abuse rows flagged (row number, label, kind, top tier, rule):"]
        lines += [f"  #{i + 1} {r.row.label} {r.row.kind} {TIERS[r.top() - 1]} {r.findings[0].rule}"
                  for i, r in enumerate(results) if r.row.label != "abuse" and r.top()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=Path, default=DEFAULT_LABELLED)
    parser.add_argument("--patterns", type=Path, default=None, help="folder of discriminatory pattern files")
    parser.add_argument("--show-misses", action="store_true", help="list row numbers of misses and false alarms")
    args = parser.parse_args(argv)
    print(report(run(read_rows(args.labelled), args.patterns), args.show_misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
