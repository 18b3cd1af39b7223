"""Regenerate examples/reports/: what each bundled example export produces, in every human format,
plus a merge of the two phones' exports of one group and a redacted copy with its log.

The reports are made with a frozen report time, from paths relative to the repository root, so the
same code and patterns give the same bytes; tests/test_examples.py regenerates them and compares.
After a change to detectors or patterns, run this and review the diff:

    python examples/make_reports.py
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whatsapp_audit.case import scan_case  # noqa: E402
from whatsapp_audit.merge import merge_exports  # noqa: E402
from whatsapp_audit.redact import load_key, redact_export  # noqa: E402
from whatsapp_audit.report.check_report import render_check  # noqa: E402
from whatsapp_audit.report.merge_report import render_merge  # noqa: E402
from whatsapp_audit.report.redaction_log import write_log  # noqa: E402
from whatsapp_audit.report.render import plain_console, render  # noqa: E402
from whatsapp_audit.scan import scan  # noqa: E402

EXAMPLES = ("android-b-relief.txt", "ios-response-team.txt", "ios-night-turn-with-media.zip", "android-late-turn-banter.txt")
# Reported on its own, not in the case: a team chat of discriminatory jokes, generalisations and harassment
# among ordinary talk (issue 13's "Done when"; tests/test_discriminatory_officer_group.py).
SINGLE = ("android-response-4.txt",)
GENERATED_AT = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
FORMATS = (("text", "txt"), ("json", "json"), ("csv", "csv"), ("html", "html"))
MERGED = ("van-3-ios-priya.txt", "van-3-android-dan.txt")  # two phones' exports of one group
REDACTED = "android-b-relief.txt"  # a disclosure copy, and its log
# The investigator's walk-through in the README: its reports carry (invented) case details.
CASE_DETAILS = {"ios-night-turn-with-media.zip": {"case_ref": "CASE-0042/24", "exhibit_ref": "RQ/1",
                                                  "examiner": "DC Ash", "purpose": "PSD referral 17"}}


def make_reports(out_dir: Path) -> list[Path]:
    """Write every example's reports into `out_dir`; returns the files written, in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    here = Path.cwd()
    os.chdir(ROOT)  # reports name the export by the path given: keep it relative and the same everywhere
    try:
        for name in (*EXAMPLES, *SINGLE):
            stem = name.rsplit(".", 1)[0]
            result = scan(f"examples/{name}")
            for fmt, ext in FORMATS:
                target = out_dir / f"{stem}.{ext}"
                with open(target, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
                    render(fmt, result, out, generated_at=GENERATED_AT, case=CASE_DETAILS.get(name))
                written.append(target)
            private = scan(f"examples/{name}", context=2, min_confidence="medium")
            target = out_dir / f"{stem}.check.txt"
            with open(target, "w", encoding="utf-8", newline="") as out:
                render_check(private, plain_console(out))
            written.append(target)
        # the three examples as one case: one report naming every exhibit, findings by exhibit
        case = scan_case([f"examples/{name}" for name in EXAMPLES], jobs=1)
        for fmt, ext in FORMATS:
            target = out_dir / f"case.{ext}"
            with open(target, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as out:
                render(fmt, case, out, generated_at=GENERATED_AT)
            written.append(target)
        merged = merge_exports([f"examples/{name}" for name in MERGED])
        for fmt in ("txt", "json", "html"):
            target = out_dir / f"van-3.merge.{fmt}"
            with open(target, "w", encoding="utf-8", newline="") as out:
                render_merge("text" if fmt == "txt" else fmt, merged, out)
            written.append(target)
        stem = REDACTED.rsplit(".", 1)[0]
        copy = out_dir / f"{stem}.redacted.txt"
        redaction = redact_export(Path(f"examples/{REDACTED}"), copy, key=load_key(None))
        redaction.log["output"]["path"] = f"examples/reports/{copy.name}"  # as if written there from the repository root
        write_log(out_dir / f"{stem}.redaction-log.json", redaction.log)
        written += [copy, out_dir / f"{stem}.redaction-log.json"]
    finally:
        os.chdir(here)
    return written


if __name__ == "__main__":
    for path in make_reports(ROOT / "examples" / "reports"):
        print(path.relative_to(ROOT))
