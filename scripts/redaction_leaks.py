"""How much of what a disclosure copy must hide `whatsapp-audit redact` hides, on a labelled dev set.

    python scripts/redaction_leaks.py /work/shared/data/dev/operational

Redacts the set's `dev_chat.txt` into a temporary folder, then looks for every annotated span of a
kind a copy must hide (addresses, people, phone numbers, plates, references ...) in the copy's lines
of the message it belongs to. Prints, per category, how many spans no longer appear. A span still
there is a leak: what the operational detectors do not find, redaction cannot mask (the names of
participants are replaced whether or not a detector finds them). Reads the set's `positives.jsonl`
and `dev_chat.index.jsonl` (see its README); prints no message text unless `--show-leaks`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whatsapp_audit.redact import load_key, redact_export  # noqa: E402

# The annotation categories a disclosure copy must hide (markings, gradings and scene talk need not be).
HIDDEN = ("address", "person_identifying", "phone", "vehicle_registration", "postcode", "date_of_birth", "pnc_id",
          "cro_number", "ni_number", "email", "crime_reference", "custody_number", "collar_number", "operation_name")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dev_set", type=Path, help="folder with dev_chat.txt, dev_chat.index.jsonl and positives.jsonl")
    parser.add_argument("--show-leaks", action="store_true", help="print each span still in the copy, with its line")
    args = parser.parse_args()
    positives = {}
    for line in (args.dev_set / "positives.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        positives[item["id"]] = item
    index = [json.loads(line) for line in (args.dev_set / "dev_chat.index.jsonl").read_text(encoding="utf-8").splitlines()]
    starts = sorted({record["line"] for record in index})
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy.txt"
        redaction = redact_export(args.dev_set / "dev_chat.txt", copy, key=load_key(None))
        lines = copy.read_text(encoding="utf-8").split("\n")
    total: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    for record in index:
        item = positives.get(record["id"] or "")
        if item is None:
            continue
        first = record["line"]
        after = next((n for n in starts if n > first), len(lines) + 1)
        text = "\n".join(lines[first - 1:after - 1])
        for span in {(s["category"], s["text"]) for s in item["spans"]}:
            category, value = span
            if category not in HIDDEN:
                continue
            total[category] += 1
            if value in text:
                leaked[category] += 1
                if args.show_leaks:
                    print(f"  leak line {first} {category}: {value}")
    print(f"{'category':22s} hidden / spans")
    for category in HIDDEN:
        if total[category]:
            print(f"{category:22s} {total[category] - leaked[category]:6d} / {total[category]}")
    hidden = sum(total.values()) - sum(leaked.values())
    print(f"{'all':22s} {hidden:6d} / {sum(total.values())} ({100 * hidden / max(1, sum(total.values())):.1f}%)")
    residual = redaction.log["check"]["residual"]
    print(f"residual check of the copy: {sum(residual['values'].values())} value(s), {residual['names']} name(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
