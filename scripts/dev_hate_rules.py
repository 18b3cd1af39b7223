"""Per-rule precision of the discriminatory detector on the hate dev set's TRAINING splits.

Which rule raises the false alarms, and what would demoting it cost? For each rule id (or rule and
one detail of its findings, `--by`) at `--min-confidence` and above, on the training splits only
(HateXplain `train`, EDOS `train`, HatemojiBuild `train`, Davidson; the validation splits are never
read), it counts the messages it flags that are:

- `tp`: labelled discriminatory;
- `n0`: labelled normal and holding no slur of the public lists (score.py's "normal messages with no
  slur", the figure issue 13 drives down); `n0_own`: of those, the ones holding no term of this
  project's own lexicon either (a slur the public lists lack is a finding by the officer standard);
- `ns`: labelled normal and holding a slur of the public lists;
- `off`: labelled offensive but not discriminatory;

- `n0_edos`: of the `n0_own`, the EDOS rows where the key's findings name a characteristic other than
  sex only: EDOS labels sexism alone, so its "not sexist" says nothing about racist or religious abuse;

and the same counts over the messages where it is the ONLY finding at that level (`sole_*`): those are
what demoting the rule to low would move. `prec` is the share of discriminatory ones among the sole
hits the labels judge: sole_tp / (sole_tp + sole_n0_own - sole_n0_edos).

    whatsapp-audit scan DEV/dev_chat.txt --format json --output /tmp/hate.json
    python scripts/dev_hate_rules.py DEV /tmp/hate.json [--by rule|characteristic|term|transformations|identity|matched]
        [--min-sole 1] [--sort sole_n0_own] [--rule DIS-PHRASE-THREAT]
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from dev_hate_splits import LEVELS, group_of, own_lexicon_hit, public_slur  # noqa: E402

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector  # noqa: E402
from whatsapp_audit.resources import default_patterns_dir  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402

KINDS = ("tp", "n0", "n0_own", "n0_edos", "ns", "off")
TRAINING_GROUPS = frozenset({"training", "davidson"})
Finding = dict[str, object]


def _characteristics(finding: Finding) -> list[str]:
    named = finding.get("characteristic")
    return [str(c) for c in named] if isinstance(named, list) else []


def _detail(finding: Finding, name: str) -> str:
    explanation = finding.get("explanation")
    details = explanation.get("details", {}) if isinstance(explanation, dict) else {}
    return str(details.get(name, "-")) if isinstance(details, dict) else "-"


KEYS: dict[str, Callable[[Finding], str]] = {
    "rule": lambda f: str(f["rule"]),
    "term": lambda f: f"{f['rule']} {_detail(f, 'lexicon') if _detail(f, 'lexicon') != '-' else f.get('normalised')}",
    "transformations": lambda f: f"{f['rule']} [{_detail(f, 'transformations')}]",
    "identity": lambda f: f"{f['rule']} [{_detail(f, 'identity_words') if _detail(f, 'emoji') == '-' else _detail(f, 'emoji')}]",
    "characteristic": lambda f: f"{f['rule']} [{','.join(_characteristics(f))}]",
    "matched": lambda f: f"{f['rule']} {str(f.get('normalised', '')).lower()!r}",
}


@dataclass
class Tally:
    """Messages of each kind a key flags, in all and where it is the message's only flagging key."""

    all: Counter[str] = field(default_factory=Counter)
    sole: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float | None:
        """Of the messages only this key flags, the share that are discriminatory (not ordinary)."""
        judged = self.sole["tp"] + self.sole["n0_own"] - self.sole["n0_edos"]
        return self.sole["tp"] / judged if judged else None


def kinds_of(row: dict[str, object], detector: DiscriminatoryDetector, dev_dir: Path) -> tuple[str, ...]:
    """The kinds (see KINDS) a training row counts as."""
    if row["discriminatory"]:
        return ("tp",)
    if row["label"] == "offensive":
        return ("off",)
    if row["label"] != "normal":
        return ()
    if public_slur(dev_dir, row):
        return ("ns",)
    return ("n0",) if own_lexicon_hit(str(row["text"]), detector) else ("n0", "n0_own")


def unjudged(row: dict[str, object], findings: Sequence[Finding]) -> bool:
    """An EDOS row's label judges sexism only: findings about other characteristics are not judged by it."""
    named = {c for f in findings for c in _characteristics(f)}
    return row["source"] == "edos" and bool(named) and "sex" not in named


def findings_by_message(report: Path, index_path: Path, min_confidence: str) -> dict[str, list[Finding]]:
    """The report's discriminatory findings at `min_confidence` and above, by dev-set message id."""
    data = json.loads(report.read_text(encoding="utf-8"))
    index = sorted((json.loads(line) for line in index_path.read_text(encoding="utf-8").splitlines() if line.strip()),
                   key=lambda r: r["line"])
    starts = [r["line"] for r in index]
    found: dict[str, list[Finding]] = defaultdict(list)
    for finding in data["findings"] if isinstance(data, dict) else data:
        if finding.get("category") != "discriminatory_language":
            continue
        if LEVELS[str(finding.get("confidence", "high"))] < LEVELS[min_confidence]:
            continue
        at = bisect.bisect_right(starts, int(finding["line"])) - 1
        if at >= 0 and int(finding["line"]) <= index[at]["last_line"]:
            found[index[at]["id"]].append(finding)
    return found


def tabulate(rows: Iterable[dict[str, object]], found: dict[str, list[Finding]], key: Callable[[Finding], str],
             detector: DiscriminatoryDetector, dev_dir: Path) -> tuple[dict[str, Tally], Counter[str]]:
    """Per key tallies over the training rows, and the totals of each kind flagged by any key."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    totals: Counter[str] = Counter()
    for row in rows:
        findings = found.get(str(row["id"]))
        if not findings:
            continue
        kinds = kinds_of(row, detector, dev_dir)
        by_key: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_key[key(finding)].append(finding)
        totals.update(kinds)
        for k, mine in by_key.items():
            counted = (*kinds, "n0_edos") if "n0_own" in kinds and unjudged(row, mine) else kinds
            tallies[k].all.update(counted)
            if len(by_key) == 1:
                tallies[k].sole.update(counted)
    return tallies, totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("dev_dir", type=Path, help="the hate dev set folder (dev.jsonl, dev_chat.index.jsonl ...)")
    parser.add_argument("findings", type=Path, help="JSON report of `whatsapp-audit scan DEV/dev_chat.txt`")
    parser.add_argument("--min-confidence", choices=sorted(LEVELS, key=LEVELS.__getitem__), default="medium")
    parser.add_argument("--by", choices=sorted(KEYS), default="rule", help="what a row of the table is")
    parser.add_argument("--rule", help="only this rule id (or ids starting with it)")
    parser.add_argument("--sort", choices=[f"sole_{k}" for k in KINDS] + list(KINDS), default="sole_n0_own")
    parser.add_argument("--min-sole", type=int, default=0, help="hide keys that alone flag fewer messages")
    args = parser.parse_args(argv)
    detector = DiscriminatoryDetector()
    detector.configure(load_patterns([default_patterns_dir() / "discriminatory"],
                                     include_default=False).rules_for("discriminatory"))
    rows = [row for row in (json.loads(line) for line in (args.dev_dir / "dev.jsonl").read_text(encoding="utf-8")
                            .splitlines() if line.strip()) if group_of(row) in TRAINING_GROUPS]
    found = findings_by_message(args.findings, args.dev_dir / "dev_chat.index.jsonl", args.min_confidence)
    key = KEYS[args.by]
    if args.rule:
        found = {i: fs for i, fs in found.items() if any(str(f["rule"]).startswith(args.rule) for f in fs)}
    tallies, totals = tabulate(rows, found, key, detector, args.dev_dir)
    sort_kind = args.sort.removeprefix("sole_")
    ordered = sorted(tallies.items(), key=lambda kv: (-(kv[1].sole if args.sort.startswith("sole_") else kv[1].all)
                                                      [sort_kind], kv[0]))
    print(f"training splits ({len(rows)} messages), {args.min_confidence} and above, by {args.by}; flagged: "
          + ", ".join(f"{k} {totals[k]}" for k in KINDS if k != "n0_edos") + "\n")
    print("| key | " + " | ".join(KINDS) + " | " + " | ".join(f"sole {k}" for k in KINDS) + " | prec % |")
    print("|---|" + "---:|" * (2 * len(KINDS) + 1))
    for name, tally in ordered:
        if args.rule and not name.startswith(args.rule):
            continue
        if sum(tally.sole.values()) < args.min_sole:
            continue
        prec = "-" if tally.precision is None else f"{100 * tally.precision:.0f}"
        print(f"| {name} | " + " | ".join(str(tally.all[k]) for k in KINDS) + " | "
              + " | ".join(str(tally.sole[k]) for k in KINDS) + f" | {prec} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
