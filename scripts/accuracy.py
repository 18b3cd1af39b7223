"""Accuracy of the detectors on every development set found under ../shared/data/dev/, in one table.

    python scripts/accuracy.py [--dev-root DIR] [--only operational,hate] [--misses N] [--json FILE]

Each dev set is scanned with this checkout (`python -m whatsapp_audit scan ... --format json`) and its
findings are counted the way the set's own `score.py` counts them (item level: a finding on the first line
of a message, or on an attachment's own line). A set found but not known here is listed as skipped.

Every figure is given twice, for a tuning part and a hold-out part, so that the figure reported for a
change is not the one it was tuned on:

- operational (`operational/`): the set has no split marks, so the hold-out is fixed here: an item is held
  out when the SHA-256 of its *source key* (its `source_url`; the item id for constructed items, which
  share the url "constructed"), read as a fraction of 2**256, is below 0.30. Keying on the source page
  keeps sentences from one article on one side. A media attachment follows the message it is attached
  to. `--misses` lists misses and false alarms of the tuning part only: the hold-out is never shown.
- hate (`hate/`): the sources' own validation splits (`split` other than `train` / `hatesonar_train70`)
  are the hold-out, as the set's README asks; figures at medium confidence and above (what `check`
  shows), with the slur lists of `../shared/data/lexicons` as used by the set's `score.py`.

A development aid: it reads data outside the repository, so CI and the tests never depend on it. It exits 0
whatever the figures, 2 when no dev set is found.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT_SHARE = 0.30
PARTS = ("tuning", "hold-out")


def find_dev_root(explicit: Path | None) -> Path | None:
    """`--dev-root`, else $WHATSAPP_AUDIT_DEV, else the nearest `shared/data/dev` beside the checkout or above it."""
    if explicit is not None:
        return explicit
    if os.environ.get("WHATSAPP_AUDIT_DEV"):
        return Path(os.environ["WHATSAPP_AUDIT_DEV"])
    for folder in (ROOT, *ROOT.parents):
        candidate = folder / "shared" / "data" / "dev"
        if candidate.is_dir():
            return candidate
    return None


def held_out(key: str) -> bool:
    """The operational set's fixed hold-out: about 30 % of source keys, the same on every machine."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest, "big") < HOLDOUT_SHARE * 2**256


def scan(chat: Path, out: Path) -> list[dict[str, Any]]:
    """Findings of this checkout on one dev chat (the public JSON report, as score.py reads it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "whatsapp_audit", "scan", str(chat), "--format", "json",
                          "--output", str(out)], capture_output=True, text=True, cwd=ROOT, env=env)
    if not out.exists():
        raise SystemExit(f"scan of {chat} failed (exit {run.returncode}): {run.stderr.strip()[-400:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    findings: list[dict[str, Any]] = report.get("findings", [])
    return findings


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Ratio:
    hit: int = 0
    total: int = 0

    def add(self, flagged: bool) -> None:
        self.hit += flagged
        self.total += 1

    def __str__(self) -> str:
        return f"{self.hit / self.total:.3f} ({self.hit}/{self.total})" if self.total else "-"


@dataclass
class Row:
    dev_set: str
    measure: str
    parts: dict[str, Ratio] = field(default_factory=dict)
    target: str = ""


@dataclass
class Outcome:
    rows: list[Row]
    notes: list[str] = field(default_factory=list)


# --- operational data and crime-scene images ------------------------------------------------------------

OPS, IMG = "operational_data", "crime_scene_image"


def operational(folder: Path, work: Path, misses: int) -> Outcome:
    findings = scan(folder / "dev_chat.txt", work / "operational.json")
    index = load_jsonl(folder / "dev_chat.index.jsonl")
    items = {r["id"]: r for r in load_jsonl(folder / "positives.jsonl") + load_jsonl(folder / "negatives.jsonl")}

    def part(item_id: str) -> str:
        url = items[item_id].get("source_url", "constructed")
        return PARTS[held_out(item_id if url == "constructed" else url)]

    by_line: dict[int, set[str]] = {}
    rules: dict[int, set[str]] = {}
    for f in findings:
        by_line.setdefault(f.get("line", -1), set()).add(f.get("category", ""))
        rules.setdefault(f.get("line", -1), set()).add(str(f.get("rule", "?")))
    ops = Row("operational", "operational recall", target=">= 0.95")
    ops_benign = Row("operational", "ordinary messages flagged", target="<= 0.01")
    img = Row("operational", "scene media recall", target=">= 0.90")
    img_benign = Row("operational", "ordinary media flagged", target="<= 0.04")
    for row in (ops, ops_benign, img, img_benign):
        row.parts = {name: Ratio() for name in PARTS}
    notes: list[str] = []

    def note(kind: str, record: dict[str, Any], item_id: str) -> None:
        if part(item_id) == "tuning" and sum(n.startswith(kind) for n in notes) < misses:
            text = " ".join(items[item_id]["text"].split())
            shown = sorted(rules.get(record["line"], ())) if "false" in kind else sorted(
                set(items[item_id].get("categories", [])) - {"crime_scene"})
            notes.append(f"{kind} line {record['line']} {item_id} {shown}: {text[:150]}")

    for record in index:
        if record.get("kind") == "text" and record.get("id"):
            item_id = record["id"]
            flagged = OPS in by_line.get(record["line"], ())
            if record["label"] == "positive":
                if not set(items[item_id]["categories"]) - {"crime_scene"}:
                    continue
                ops.parts[part(item_id)].add(flagged)
                if not flagged:
                    note("operational miss", record, item_id)
            else:
                ops_benign.parts[part(item_id)].add(flagged)
                if flagged:
                    note("operational false alarm", record, item_id)
        elif record.get("kind") == "attachment" and record.get("media_label") != "operational_document":
            item_id = record["attached_to"]
            flagged = IMG in by_line.get(record["line"], ())
            if record["media_label"] == "crime_scene":
                img.parts[part(item_id)].add(flagged)
                if not flagged:
                    note(f"scene media miss ({record.get('position')})", record, item_id)
            else:
                img_benign.parts[part(item_id)].add(flagged)
                if flagged:
                    note("scene media false alarm", record, item_id)
    return Outcome([ops, ops_benign, img, img_benign], notes)


# --- discriminatory language ---------------------------------------------------------------------------

TRAIN_SPLITS = frozenset({"train", "hatesonar_train70"})
REAL_POSTS = frozenset({"hatexplain", "davidson", "edos"})


def hate(folder: Path, work: Path, misses: int) -> Outcome:
    scorer = load_module(folder / "score.py", "hate_score")
    findings = [f for f in scan(folder / "dev_chat.txt", work / "hate.json")
                if str(f.get("confidence", "")).lower() in ("medium", "high")]
    items = load_jsonl(folder / "dev.jsonl")
    flagged, _, _ = scorer.flagged_ids(findings, load_jsonl(folder / "dev_chat.index.jsonl"),
                                       "discriminatory_language", None)
    slurs = scorer.slur_words()
    measures: list[tuple[str, str, Callable[[dict[str, Any]], bool]]] = [
        ("normal messages with no slur flagged", "<= 0.003",
         lambda r: r["label"] == "normal" and not scorer.holds_slur(r["text"], slurs)),
        ("recall, real posts", ">= 0.75", lambda r: r["discriminatory"] and r["source"] in REAL_POSTS),
        ("recall, EDOS", ">= 0.60", lambda r: r["discriminatory"] and r["source"] == "edos"),
        ("recall, HatemojiBuild", ">= 0.60", lambda r: r["discriminatory"] and r["source"] == "hatemojibuild"),
    ]
    rows = []
    for measure, target, chosen in measures:
        row = Row("hate (medium+)", measure, {name: Ratio() for name in PARTS}, target)
        for r in items:
            if chosen(r):
                row.parts["tuning" if r.get("split") in TRAIN_SPLITS else "hold-out"].add(r["id"] in flagged)
        rows.append(row)
    notes = [] if not misses else ["hate: list misses with the set's own score.py --misses N (tuning split only)"]
    return Outcome(rows, notes)


DEV_SETS: dict[str, Callable[[Path, Path, int], Outcome]] = {"operational": operational, "hate": hate}


def table(rows: Iterable[Row]) -> str:
    header = ("dev set", "measure", *PARTS, "target")
    body = [(r.dev_set, r.measure, *(str(r.parts.get(p, "-")) for p in PARTS), r.target) for r in rows]
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in (header, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-root", type=Path, default=None, help="folder holding the dev sets")
    parser.add_argument("--only", default="", help="comma-separated dev sets to run (default: every one found)")
    parser.add_argument("--misses", type=int, default=0, metavar="N",
                        help="list up to N misses and false alarms of each kind (tuning part only)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    root = find_dev_root(args.dev_root)
    if root is None or not root.is_dir():
        print("no dev sets found (looked for shared/data/dev beside or above the checkout; use --dev-root)")
        return 2
    wanted = {name for name in args.only.split(",") if name}
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="whatsapp-audit-accuracy-") as tmp:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if wanted and folder.name not in wanted:
                continue
            run = DEV_SETS.get(folder.name)
            if run is None:
                notes.append(f"skipped {folder}: no scorer for this dev set in scripts/accuracy.py")
                continue
            outcome = run(folder, Path(tmp), args.misses)
            rows += outcome.rows
            notes += outcome.notes
    print(f"dev sets under {root}; hold-out: see scripts/accuracy.py")
    print(table(rows))
    for line in notes:
        print(line)
    if args.json:
        args.json.write_text(json.dumps([{"dev_set": r.dev_set, "measure": r.measure, "target": r.target,
                                          **{p: [r.parts[p].hit, r.parts[p].total] for p in r.parts}}
                                         for r in rows], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
