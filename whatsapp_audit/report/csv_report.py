"""Findings as CSV for spreadsheets: one row per finding, formula-safe, UTF-8 with a BOM for Excel.

Chat text goes through `safe.csv_text` (formula guard, invisible characters shown), so opening the
file in a spreadsheet can never run a formula or reorder text; findings.json keeps the verbatim text.
Columns are only ever added, at the end: `number` is the finding's number in every report of the
run, `exif_taken`/`exif_gps` what a flagged photo's own EXIF says, and the case details repeat on
every row so a row copied out of the sheet still names its case.
"""

from __future__ import annotations

import csv
from typing import TextIO

from whatsapp_audit.case import CaseResult, as_case
from whatsapp_audit.report.authors import display, label
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.image_evidence import exif_evidence
from whatsapp_audit.report.safe import csv_cell, csv_text
from whatsapp_audit.report.summary import CATEGORY_LABELS, numbered, rule_texts, time_format, trimmed
from whatsapp_audit.scan import ContextMessage, ScanResult
from whatsapp_audit.triage.review import Review

FIELDS = (
    "id", "timestamp", "line", "end_line", "author", "category", "rule", "title", "severity", "confidence",
    "score", "matched", "normalised", "reason", "why", "guidance", "message_text", "attachment",
    "context_before", "context_after", "export_sha256", "author_display", "export", "chat_member",
    "portable_id", "verdict", "review_note", "reviewer", "reviewed_at",
    "number", "exif_taken", "exif_gps", "case_ref", "exhibit_ref", "examiner", "purpose", "characteristic",
)


def _context(messages: tuple[ContextMessage, ...], clock: str) -> str:
    return "\n".join(f"[{m.timestamp:%Y-%m-%d} {m.timestamp.strftime(clock)}] line {m.line} {display(m.author)}: {m.text}"
                     for m in messages)


def write_csv(result: ScanResult | CaseResult, out: TextIO, context: int | None = None,
              case: CaseDetails | dict[str, str] | None = None) -> None:
    """Write the header row and one row per finding (CRLF line ends, as spreadsheets expect)."""
    result = as_case(result)
    details = [csv_text(value) for value in CaseDetails.of(case).record().values()]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    size = result.context if context is None else context
    sources = {index: export.source for index, export in result.scanned}
    for number, item in numbered(result):
        source = sources[item.source]
        finding = item.finding
        why, guidance = rule_texts(result, finding.rule)
        before, after = trimmed(item, size)
        message = item.message
        clock = time_format(result, item.source)
        exif = exif_evidence(item, redacted=result.redaction is not None)
        writer.writerow([
            item.id, item.timestamp.isoformat(), finding.line, item.end_line, csv_text(item.author),
            CATEGORY_LABELS.get(finding.category.value, finding.category.value), finding.rule,
            csv_cell(result.titles.get(finding.rule, "")), finding.severity.value, finding.confidence.value,
            f"{finding.score:.2f}", csv_text(finding.matched), csv_text(finding.normalised),
            csv_text(finding.explanation.reason), csv_cell(why), csv_cell(guidance),
            csv_text(message.text if message else ""), csv_text(message.attachment if message else ""),
            csv_text(_context(before, clock)), csv_text(_context(after, clock)), source.sha256, csv_text(label(item.author)),
            csv_text(source.path), csv_text(source.chat_member), item.portable_id, *_review(item.review),
            number, csv_text(exif.taken_text if exif else ""), csv_text(exif.gps_text if exif else ""), *details,
            ";".join(finding.characteristics),
        ])


def _review(review: Review | None) -> list[str]:
    """verdict, note, reviewer and time (empty cells when the finding has no verdict); the note and the
    reviewer's name are typed by people, so they get the chat text's formula guard."""
    if review is None:
        return ["", "", "", ""]
    return [review.verdict, csv_text(review.note), csv_text(review.reviewer), csv_text(review.at or "")]
