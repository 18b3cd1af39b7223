"""The schema-versioned JSON report of a scan (schema documented in docs/json-report.md).

Same inputs and patterns give the same bytes apart from `generated_at`. The writer emits the
header, then one finding per line inside the `findings` array, so a large report streams out
without being built as one string; `report_dict` gives the same content as a dict for the library.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from whatsapp_audit import __version__
from whatsapp_audit.scan import FINGERPRINT_VERSION, ScanFinding, ScanResult

SCHEMA_VERSION = "1"


def header(result: ScanResult, generated_at: datetime | None = None) -> dict[str, Any]:
    """Everything except the findings, in the order it is written."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    counts = result.counts
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "tool": {"name": "whatsapp-audit", "version": __version__, "fingerprint_version": FINGERPRINT_VERSION},
        "patterns": {
            "files": [
                {
                    "path": pack.relative, "origin": pack.origin, "sha256": pack.sha256,
                    "pack": pack.name, "version": pack.version, "rules": list(pack.rule_ids),
                }
                for pack in result.patterns.files
            ],
            "rules_not_run": list(result.skipped_rules),
        },
        "source": result.source_record,
        "coverage": result.coverage,
        "limitations": list(result.limitations),
        "summary": {
            "messages": counts.messages,
            "messages_examined": counts.examined,
            "findings": counts.findings,
            "by_category": counts.by_category,
            "by_severity": counts.by_severity,
            "by_confidence": counts.by_confidence,
            "by_rule": counts.by_rule,
        },
    }


def finding_record(item: ScanFinding, titles: dict[str, str] | None = None) -> dict[str, Any]:
    """One finding as a JSON object (offsets are into the message text, in code points)."""
    finding = item.finding
    why = finding.explanation
    return {
        "id": item.id,
        "line": finding.line,
        "end_line": item.end_line,
        "category": finding.category.value,
        "rule": finding.rule,
        "title": (titles or {}).get(finding.rule),
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "score": finding.score,
        "author": item.author,
        "timestamp": item.timestamp.isoformat(),
        "message_index": finding.message_index,
        "start": finding.start,
        "end": finding.end,
        "matched": finding.matched,
        "normalised": finding.normalised,
        "explanation": {
            "reason": why.reason,
            "pattern": why.pattern,
            "validator": why.validator,
            "context_words": list(why.context_words),
            "adjustments": [{"reason": reason, "delta": delta} for reason, delta in why.adjustments],
            "details": {key: value for key, value in why.details},
        },
        "extra": {key: value for key, value in finding.extra},
    }


def report_dict(result: ScanResult, generated_at: datetime | None = None) -> dict[str, Any]:
    """The whole report as a dict (what `write_json` writes)."""
    record = header(result, generated_at)
    record["findings"] = [finding_record(item, result.titles) for item in result.findings]
    return record


def iter_json(result: ScanResult, generated_at: datetime | None = None) -> Iterator[str]:
    """The report as text chunks: the header, then one finding per line."""
    head = json.dumps(header(result, generated_at), ensure_ascii=False, indent=2)
    yield head[:-2] + ',\n  "findings": ['
    for position, item in enumerate(result.findings):
        yield ("," if position else "") + "\n    " + json.dumps(finding_record(item, result.titles), ensure_ascii=False)
    yield ("\n  " if result.findings else "") + "]\n}\n"


def write_json(result: ScanResult, out: TextIO, generated_at: datetime | None = None) -> None:
    for chunk in iter_json(result, generated_at):
        out.write(chunk)
