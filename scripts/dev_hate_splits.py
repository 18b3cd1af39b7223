"""Score a scan of the hate dev set split by split: the validation figures apart from the training ones.

The dev set (shared/data/dev/hate, not in this repository) marks each row's split in its source. Tune
on the training splits; report the validation splits (HateXplain `val`, EDOS `dev`, HatemojiBuild
`dev` + `test`). Davidson has no validation split: it is reported on its own. This script writes a
filtered copy of `dev.jsonl` per group to a temporary folder and runs the dev set's own `score.py` on
each, so the figures are exactly score.py's.

    whatsapp-audit scan DEV/dev_chat.txt --format json --output /tmp/hate.json
    python scripts/dev_hate_splits.py DEV /tmp/hate.json [--min-confidence medium] [--misses 10]

It also prints one figure score.py cannot: normal messages flagged that hold no slur of the public
lists *nor* of this project's own lexicon (patterns/discriminatory). score.py's "no slur" set uses the
public lists only, so a slur they lack (muzzie, mudslime, libtard ...) counts there as ordinary talk.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector  # noqa: E402
from whatsapp_audit.resources import default_patterns_dir  # noqa: E402
from whatsapp_audit.rules.loader import load_patterns  # noqa: E402

VALIDATION = {("hatexplain", "val"), ("edos", "dev"), ("hatemojibuild", "dev"), ("hatemojibuild", "test")}
GROUPS = ("validation", "training", "davidson")
LEVELS = {"low": 0, "medium": 1, "high": 2}


def group_of(row: dict[str, object]) -> str:
    if row["source"] == "davidson":
        return "davidson"
    return "validation" if (row["source"], row["split"]) in VALIDATION else "training"


def own_lexicon_hit(text: str, detector: DiscriminatoryDetector) -> bool:
    """Whether the project's lexicon finds a term in `text` (normalised as the detector does)."""
    return bool(detector._lexicon.scan(text.lower()))


def flagged_lines(findings_path: Path, min_confidence: str) -> set[int]:
    data = json.loads(findings_path.read_text(encoding="utf-8"))
    findings = data["findings"] if isinstance(data, dict) else data
    return {int(f["line"]) for f in findings if f.get("category") == "discriminatory_language"
            and LEVELS[str(f.get("confidence", "high"))] >= LEVELS[min_confidence]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev_dir", type=Path, help="the hate dev set folder (dev.jsonl, score.py ...)")
    parser.add_argument("findings", type=Path, help="JSON report of `whatsapp-audit scan DEV/dev_chat.txt`")
    parser.add_argument("--min-confidence", choices=sorted(LEVELS, key=LEVELS.get), default="medium")
    parser.add_argument("--misses", type=int, default=0, help="passed on to score.py")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in (args.dev_dir / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    detector = DiscriminatoryDetector()
    detector.configure(load_patterns([default_patterns_dir() / "discriminatory"],
                                     include_default=False).rules_for("discriminatory"))
    index = {json.loads(line)["id"]: json.loads(line) for line in
             (args.dev_dir / "dev_chat.index.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}
    lines = flagged_lines(args.findings, args.min_confidence)
    flagged = {key for key, where in index.items()
               if any(line in lines for line in range(where["line"], where["last_line"] + 1))}
    score_py = [sys.executable, str(args.dev_dir / "score.py"), str(args.findings),
                "--index", str(args.dev_dir / "dev_chat.index.jsonl"), "--min-confidence", args.min_confidence]
    if args.misses:
        score_py += ["--misses", str(args.misses)]
    with tempfile.TemporaryDirectory() as folder:
        for group in GROUPS:
            chosen = [r for r in rows if group_of(r) == group]
            path = Path(folder) / f"{group}.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in chosen), encoding="utf-8")
            print(f"## {group} ({len(chosen)} messages)\n", flush=True)
            subprocess.run([*score_py, "--dev", str(path)], check=True)
            normal = [r for r in chosen if r["label"] == "normal"
                      and not own_lexicon_hit(str(r["text"]), detector) and not public_slur(args.dev_dir, r)]
            hit = sum(1 for r in normal if r["id"] in flagged)
            share = 100 * hit / len(normal) if normal else 0.0
            print(f"normal messages with no slur of the public lists nor of this project's lexicon flagged: "
                  f"{share:.2f}% ({hit}/{len(normal)})\n", flush=True)
    return 0


_PUBLIC: dict[str, object] = {}


def public_slur(dev_dir: Path, row: dict[str, object]) -> bool:
    """score.py's own test for a slur of the public lists (imported from the dev set's score.py)."""
    if "module" not in _PUBLIC:
        sys.path.insert(0, str(dev_dir))
        import score  # type: ignore[import-not-found]

        _PUBLIC["module"] = score
        _PUBLIC["words"] = score.slur_words()
    module = _PUBLIC["module"]
    return bool(module.holds_slur(str(row["text"]), _PUBLIC["words"]))  # type: ignore[attr-defined]


if __name__ == "__main__":
    raise SystemExit(main())
