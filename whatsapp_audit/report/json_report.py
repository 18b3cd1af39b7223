"""The schema-versioned JSON report of a scan (schema documented in docs/json-report.md), and JSON Lines.

Same inputs and patterns give the same bytes apart from `generated_at`. The writer emits the
header, then one finding per line inside the `findings` array, so a large report streams out
without being built as one string; `report_dict` gives the same content as a dict for the library.
Fields are only ever added (schema version 1 is a public contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.fingerprint import PORTABLE_FINGERPRINT_VERSION
from whatsapp_audit.report.authors import display
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.safe import json_dumps
from whatsapp_audit.report.summary import (
    case_limitations,
    context_record,
    counts_record,
    numbered,
    participants_record,
    rule_texts,
    timeline_record,
    trimmed,
)
from whatsapp_audit.report.triage import allowlist_record, finding_review, review_record, search_record
from whatsapp_audit.rules.loader import PatternSet
from whatsapp_audit.rules.optional import model_in_use
from whatsapp_audit.scan import FINGERPRINT_VERSION, ScanFinding, ScanResult

SCHEMA_VERSION = "1"


def stamp(generated_at: datetime | None = None) -> str:
    """A UTC time as ISO 8601 with `Z` (now, unless a frozen time is given)."""
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def header(result: ScanResult | CaseResult, generated_at: datetime | None = None,
           context: int | None = None, case_details: CaseDetails | dict[str, str] | None = None) -> dict[str, Any]:
    """Everything except the findings, in the order it is written.

    Lists (media, regex_timeouts, participants, findings) hold the items of every export, each with
    its `source` index; `source` and `coverage` describe the export when there is one, and are
    null for several (each export's own are in `sources`)."""
    case = as_case(result)
    single = case.single
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": stamp(generated_at),
        "tool": {"name": "whatsapp-audit", "version": __version__, "fingerprint_version": FINGERPRINT_VERSION,
                 "portable_fingerprint_version": PORTABLE_FINGERPRINT_VERSION},
        "case": CaseDetails.of(case_details).record(),
        "patterns": patterns_record(case.patterns, case.skipped_rules),
        "source": single.source_record if single is not None else None,
        "coverage": single.coverage if single is not None else None,
        "limitations": case_limitations(case),
        "summary": counts_record(case.counts),
        "options": {"context": case.context if context is None else context, "min_confidence": case.min_confidence,
                    "model": model_in_use(case.patterns)},
        "media": [
            {"name": m.name, "size": m.size, "sha256": m.sha256, "note": m.note, "source": index}
            for index, export in case.scanned for m in export.media
        ],
        "regex_timeouts": [
            {"line": t.line, "rule": t.rule, "pattern": t.pattern, "source": index}
            for index, export in case.scanned for t in export.timeouts
        ],
        "participants": participants_record(case),
        "timeline": timeline_record(case),
        "sources": sources_record(case),
        "skipped": [{"path": item.path, "reason": item.reason} for item in case.skipped],
        "redaction": case.redaction,
        "search": search_record(case),
        "allowlist": allowlist_record(case),
        "review": review_record(case),
    }


def patterns_record(patterns: PatternSet, skipped_rules: tuple[str, ...]) -> dict[str, Any]:
    return {
        "files": [
            {
                "path": pack.relative, "origin": pack.origin, "sha256": pack.sha256,
                "pack": pack.name, "version": pack.version, "rules": list(pack.rule_ids),
            }
            for pack in patterns.files
        ],
        "rules_not_run": list(skipped_rules),
    }


def sources_record(case: CaseResult) -> list[dict[str, Any]]:
    """One object per export of the run, in input order (a finding's `source` is its index here)."""
    records = []
    for index, export in enumerate(case.exports):
        if isinstance(export, ExportFailure):
            records.append({
                "index": index, "status": "failed", "error": export.error, "path": export.path,
                "sha256": export.sha256, "size": export.size, "container": None, "chat_member": None,
                "chat_sha256": None, "encoding": None, "format": None, "coverage": None, "limitations": [],
                "summary": None,
            })
        else:
            records.append({
                "index": index, "status": "scanned", "error": None, **export.source_record,
                "coverage": export.coverage, "limitations": list(export.limitations),
                "summary": counts_record(export.counts),
            })
    return records


def finding_record(item: ScanFinding, titles: dict[str, str] | None = None,
                   result: ScanResult | CaseResult | None = None, context: int | None = None,
                   number: int | None = None) -> dict[str, Any]:
    """One finding as a JSON object (offsets are into the message text, in code points); `number` is
    its place in the report, from 1 (see `summary.numbered`)."""
    finding = item.finding
    why = finding.explanation
    reason, guidance = rule_texts(result, finding.rule) if result is not None else ("", "")
    size = context if context is not None else (result.context if result is not None else 0)
    before, after = trimmed(item, size)
    return {
        "id": item.id,
        "number": number,
        "source": item.source,
        "line": finding.line,
        "end_line": item.end_line,
        "category": finding.category.value,
        "characteristic": list(finding.characteristics),
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
        "why": reason,
        "guidance": guidance,
        "message_text": item.message.text if item.message is not None else None,
        "attachment": item.message.attachment if item.message is not None else None,
        "context_before": [context_record(m) for m in before],
        "context_after": [context_record(m) for m in after],
        "author_display": display(item.author),
        "portable_id": item.portable_id,
        "review": finding_review(item),
    }


def report_dict(result: ScanResult | CaseResult, generated_at: datetime | None = None,
                context: int | None = None, case_details: CaseDetails | dict[str, str] | None = None) -> dict[str, Any]:
    """The whole report as a dict (what `write_json` writes)."""
    case = as_case(result)
    record = header(case, generated_at, context, case_details)
    record["findings"] = [finding_record(item, case.titles, case, context, number) for number, item in numbered(case)]
    return record


def iter_json(result: ScanResult | CaseResult, generated_at: datetime | None = None,
              context: int | None = None, case_details: CaseDetails | dict[str, str] | None = None) -> Iterator[str]:
    """The report as text chunks: the header, then one finding per line."""
    result = as_case(result)
    head = json_dumps(header(result, generated_at, context, case_details), indent=2)
    yield head[:-2] + ',\n  "findings": ['
    for number, item in numbered(result):
        record = finding_record(item, result.titles, result, context, number)
        yield ("," if number > 1 else "") + "\n    " + json_dumps(record)
    yield ("\n  " if result.findings else "") + "]\n}\n"


def write_json(result: ScanResult | CaseResult, out: TextIO, generated_at: datetime | None = None,
               context: int | None = None, case_details: CaseDetails | dict[str, str] | None = None) -> None:
    for chunk in iter_json(result, generated_at, context, case_details):
        out.write(chunk)


def write_jsonl(result: ScanResult | CaseResult, out: TextIO, generated_at: datetime | None = None, context: int | None = None) -> None:
    """One finding object per line, the same objects as the JSON report's `findings`."""
    for number, item in numbered(result):
        out.write(json_dumps(finding_record(item, result.titles, result, context, number)))
        out.write("\n")
