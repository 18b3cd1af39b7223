"""Summaries every report shares: per-participant counts, a timeline of findings per day, rule texts.

Computed from a finished `ScanResult`, never by re-running detection, so the terminal, JSON and
HTML reports always agree with each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.model import Category, Severity, author_name
from whatsapp_audit.report.authors import display
from whatsapp_audit.scan import ContextMessage, Counts, ExportScan, ScanFinding, ScanResult
from whatsapp_audit.scope import unmatched_participants
from whatsapp_audit.wording import plural

CATEGORY_LABELS = {
    Category.OPERATIONAL_DATA.value: "Operational data",
    Category.CRIME_SCENE_IMAGE.value: "Crime-scene image",
    Category.DISCRIMINATORY_LANGUAGE.value: "Discriminatory language",
}


@dataclass(frozen=True)
class Participant:
    """One author: how many messages they sent and how many were flagged, by category."""

    name: str
    messages: int
    findings: int
    by_category: dict[str, int]
    highest: str | None  # highest severity among their findings
    source: int = 0  # the export they were read from (one row per author and export)


@dataclass(frozen=True)
class Day:
    """Findings on one calendar day (export local time), by category."""

    date: str
    findings: int
    by_category: dict[str, int]


def numbered(result: ScanResult | CaseResult) -> list[tuple[int, ScanFinding]]:
    """Every finding with its number: 1-based, in report order (the order of the JSON `findings`:
    export, then place in the file). The HTML, CSV, JSON and terminal reports give a finding the
    same number, so "finding 12" means one thing whichever of them a reader holds."""
    return list(enumerate(as_case(result).findings, 1))


def time_format(result: CaseResult, source: int) -> str:
    """strftime for a message time of this export: no seconds when the export has none (Android)."""
    export = result.exports[source] if source < len(result.exports) else None
    return "%H:%M" if isinstance(export, ExportScan) and export.survey.minute_precision else "%H:%M:%S"


def characteristic_text(characteristics: tuple[str, ...]) -> str:
    """Protected characteristics in plain words ("race, religion or belief"); "" when none."""
    return ", ".join(c.replace("_", " ") for c in characteristics)


def participants(result: ScanResult | CaseResult) -> list[Participant]:
    """Every author of each export: export by export, most findings first, then by name."""
    if isinstance(result, CaseResult):
        return [row for index, export in result.scanned for row in export_participants(export, index)]
    return export_participants(result)


def export_participants(result: ExportScan, source: int = 0) -> list[Participant]:
    """Every author of one export, most findings first, then by name (ties broken stably)."""
    flagged: dict[str, Counter[str]] = defaultdict(Counter)
    highest: dict[str, int] = {}
    for item in result.findings:
        name = item.author or ""
        flagged[name][item.finding.category.value] += 1
        highest[name] = max(highest.get(name, 0), item.finding.severity.rank)
    names = set(result.stats.authors) | {name for name in flagged if name}
    rows = []
    for name in names:
        counts = flagged.get(name, Counter())
        rank = highest.get(name)
        rows.append(Participant(
            name=name, messages=result.stats.authors.get(name, 0), findings=sum(counts.values()),
            by_category={category.value: counts.get(category.value, 0) for category in Category},
            highest=next((s.value for s in Severity if s.rank == rank), None), source=source,
        ))
    return sorted(rows, key=lambda row: (-row.findings, row.name))


def timeline(findings: tuple[ScanFinding, ...] | list[ScanFinding]) -> list[Day]:
    """Findings per day with at least one finding, in date order."""
    days: dict[str, Counter[str]] = defaultdict(Counter)
    for item in findings:
        days[item.timestamp.date().isoformat()][item.finding.category.value] += 1
    return [
        Day(date, sum(counts.values()), {category.value: counts.get(category.value, 0) for category in Category})
        for date, counts in sorted(days.items())
    ]


def participants_record(result: CaseResult) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "messages": p.messages, "findings": p.findings, "by_category": p.by_category,
         "highest_severity": p.highest, "display_name": display(p.name or None),
         "shown_as": author_name(p.name).shown_as.value if p.name else None, "source": p.source}
        for p in participants(result)
    ]


def timeline_record(result: ScanResult | CaseResult) -> list[dict[str, Any]]:
    return [{"date": d.date, "findings": d.findings, "by_category": d.by_category} for d in timeline(result.findings)]


def rule_texts(result: ScanResult | CaseResult, rule_id: str) -> tuple[str, str]:
    """The rule's plain-words `why` and its `guidance` ("" when the rule is unknown)."""
    rule = result.patterns.get(rule_id)
    return (rule.why, rule.guidance) if rule is not None else ("", "")


def context_record(message: ContextMessage) -> dict[str, Any]:
    """A neighbouring (or the flagged) message as JSON: verbatim text, never escaped here."""
    return {
        "index": message.index, "line": message.line, "end_line": message.end_line,
        "timestamp": message.timestamp.isoformat(), "author": message.author, "kind": message.kind,
        "text": message.text, "attachment": message.attachment, "author_display": display(message.author),
    }


def trimmed(item: ScanFinding, context: int) -> tuple[tuple[ContextMessage, ...], tuple[ContextMessage, ...]]:
    """The nearest `context` neighbours each side."""
    before = item.before[-context:] if context > 0 else ()
    return before, item.after[:max(0, context)]


def counts_record(counts: Counts) -> dict[str, Any]:
    """The `summary` object of the JSON report (for a case, or for one export in `sources`)."""
    return {
        "messages": counts.messages,
        "messages_examined": counts.examined,
        "findings": counts.findings,
        "by_category": counts.by_category,
        "by_severity": counts.by_severity,
        "by_confidence": counts.by_confidence,
        "by_rule": counts.by_rule,
    }


def case_limitations(case: CaseResult) -> list[str]:
    """The limitations every report states: one export's as they are; for several, each named by
    its exhibit's path, then the exports not scanned and the files passed over; first of all, that
    the report is redacted (scan --redact)."""
    single = case.single
    if single is not None:
        notes = list(single.limitations)
    else:
        notes = []
        for export in case.exports:
            if isinstance(export, ExportFailure):
                notes.append(f"{export.path}: not scanned: {export.reason}")
            else:
                notes += [f"{export.source.path}: {note}" for note in export.limitations]
    if case.search is not None:
        for _, export in case.scanned:
            where = "" if single is not None else f"{export.source.path}: "
            notes += [f"{where}--participant {given!r} names no author of this export: no message of theirs was examined"
                      for given in unmatched_participants(case.search, export.stats.authors)]
    if case.skipped:
        notes.append(f"{plural(len(case.skipped), 'file')} in the folders given {'was' if len(case.skipped) == 1 else 'were'} "
                     "not read (listed as skipped)")
    if case.redaction is not None:
        notes.insert(0, REDACTED_NOTE)
    return notes


REDACTED_NOTE = ("this report is redacted for disclosure (scan --redact): people are pseudonyms (Participant A, Person 1), "
                 "values are typed markers ([PHONE], [VRM] ...), file names are redacted; hashes and line numbers are "
                 "the exhibit's")
