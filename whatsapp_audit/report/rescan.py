"""`verify --rescan`: the reports of an evidence pack against the same scan run again.

Hashes show a pack was not changed after it was written; they cannot show it was not edited and
re-hashed (SHA256SUMS and the manifest rewritten to match). Running the recorded scan again on the
exhibits can: every report of a pack is deterministic given the exhibits, the options, the patterns
and the report time the manifest records, so `findings.json`, `report.html`, `findings.csv` and
`search-strategy.md` must come out byte for byte the same. When `findings.json` differs, the
findings are compared one by one so the problem can be named ("finding 3 ... score 0.92 in the
pack, 0.85 re-run").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from whatsapp_audit.case import CaseResult
from whatsapp_audit.report.json_report import report_dict
from whatsapp_audit.report.pack import REPORTS, write_report
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.verify import file_sha256

MAX_DIFFERENCES = 12  # findings named one by one; the rest are counted


class _Digest:
    """A text sink that only hashes what is written, encoded as the file would be."""

    def __init__(self, bom: bool) -> None:
        self.hash = hashlib.sha256("\ufeff".encode() if bom else b"")

    def write(self, text: str) -> int:
        self.hash.update(text.encode("utf-8"))
        return len(text)

    def flush(self) -> None:
        """Nothing to flush: the writers call it on real files."""


def compare_reports(folder: Path, result: CaseResult, started: datetime, context: int | None, case: dict[str, str],
                    options: dict[str, Any], exhibit_paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(reports that match, problems): each report of the pack written again from `result`."""
    matched: list[str] = []
    problems: list[str] = []
    for name in REPORTS:
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing, so it cannot be compared with the re-run")
            continue
        digest = _Digest(bom=name == "findings.csv")
        write_report(name, result, digest, started, context, case, options, exhibit_paths)  # type: ignore[arg-type]
        if digest.hash.hexdigest() == file_sha256(path):
            matched.append(name)
            continue
        problems.append(f"{name}: not what the recorded scan gives when run again on the exhibits"
                        + (" (the pack was changed after it was made, or the exhibits or tool differ)"
                           if name != "findings.json" else ""))
        if name == "findings.json":
            problems += findings_differences(path, report_dict(result, started, context, case))
    return matched, problems


def findings_differences(path: Path, fresh: dict[str, Any]) -> list[str]:
    """The findings of the pack's findings.json against the re-run's, named one by one."""
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ["  findings.json: not valid JSON"]
    before = {(f.get("source"), f.get("id")): f for f in recorded.get("findings", []) if isinstance(f, dict)}
    after = {(f["source"], f["id"]): f for f in fresh["findings"]}
    lines = []
    for key, finding in before.items():
        if key not in after:
            lines.append(f"  {_name(finding)}: in the pack, not found by the re-run")
        elif finding != after[key]:
            fields = sorted(k for k in finding.keys() | after[key].keys() if finding.get(k) != after[key].get(k))
            shown = "; ".join(f"{k} {_short(finding.get(k))} in the pack, {_short(after[key].get(k))} re-run"
                              for k in fields[:3])
            lines.append(f"  {_name(finding)}: {shown}" + (f" (and {len(fields) - 3} more fields)" if len(fields) > 3 else ""))
    lines += [f"  {_name(finding)}: found by the re-run, not in the pack" for key, finding in after.items() if key not in before]
    for field in ("summary", "sources", "case", "options"):
        if recorded.get(field) != fresh.get(field):
            lines.append(f"  findings.json '{field}' differs from the re-run's")
    if len(lines) > MAX_DIFFERENCES:
        lines = lines[:MAX_DIFFERENCES] + [f"  ... and {len(lines) - MAX_DIFFERENCES} more differences"]
    return lines


def _name(finding: dict[str, Any]) -> str:
    number = finding.get("number")
    return (f"finding {'#' + str(number) + ' ' if number else ''}{finding.get('rule')} line {finding.get('line')}"
            f" (id {str(finding.get('id'))[:12]}...)")


def _short(value: Any) -> str:
    text = json_dumps(value)  # invisible and bidi characters escaped: safe to print in a terminal
    return text if len(text) <= 40 else text[:37] + "..."
