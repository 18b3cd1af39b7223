"""`scan(path)`: read an export, run every registered detector, and return findings with provenance.

The library entry point behind `whatsapp-audit scan`. Messages stream from the parser through the
engine; only findings (and their message's author, time and text digest) are kept, so memory grows
with findings, not with the export.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.ingest.export import open_export
from whatsapp_audit.ingest.media import read_media_facts
from whatsapp_audit.ingest.parser import ParseStats
from whatsapp_audit.ingest.source import SourceInfo
from whatsapp_audit.ingest.survey import FormatSurvey
from whatsapp_audit.model import Category, Finding, Message, Severity
from whatsapp_audit.report.provenance import coverage_record, source_record
from whatsapp_audit.rules.loader import PatternSet, load_patterns

FINGERPRINT_VERSION = "1"


def fingerprint(finding: Finding, message: Message, occurrence: int = 0) -> str:
    """A finding's id: the same finding gets the same id on every run and in every re-export.

    Version 1 hashes (SHA-256, first 32 hex digits) these fields, joined by U+001F:
    "1", the rule id, the normalised match (or the matched text, or "" for whole-message findings),
    the author, the message timestamp (ISO 8601), the SHA-256 of the message text, and `occurrence`
    (0 for the first finding with these values in the message, 1 for the next ...).
    Line numbers, offsets and file paths are left out on purpose: a re-export of the same chat
    with more or fewer lines above gives the same ids. Changing these fields changes every id, so
    bump FINGERPRINT_VERSION when doing so.
    """
    text_digest = hashlib.sha256(message.text.encode("utf-8", "surrogatepass")).hexdigest()
    value = finding.normalised if finding.normalised is not None else (finding.matched or "")
    parts = (
        FINGERPRINT_VERSION, finding.rule, value, message.author or "",
        message.timestamp.isoformat(), text_digest, str(occurrence),
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True)
class ScanFinding:
    """A finding with what a report needs from its message (never the message text itself)."""

    id: str
    finding: Finding
    author: str | None
    timestamp: datetime
    end_line: int

    @property
    def sort_key(self) -> tuple[int, int, str]:
        start = self.finding.start
        return (self.finding.line, -1 if start is None else start, self.finding.rule)


@dataclass(frozen=True)
class Counts:
    """Summary counts for reports."""

    messages: int
    examined: int
    findings: int
    by_category: dict[str, int]
    by_severity: dict[str, int]
    by_confidence: dict[str, int]
    by_rule: dict[str, int]


@dataclass(frozen=True)
class ScanResult:
    """Everything a report needs: what was read, how, with which rules, and what was found."""

    source: SourceInfo
    source_record: dict[str, Any]
    survey: FormatSurvey
    stats: ParseStats
    coverage: dict[str, Any]
    limitations: tuple[str, ...]
    patterns: PatternSet
    skipped_rules: tuple[str, ...]
    findings: tuple[ScanFinding, ...]
    counts: Counts
    titles: dict[str, str] = field(default_factory=dict)

    def at_or_above(self, severity: Severity) -> int:
        return sum(1 for item in self.findings if item.finding.severity.rank >= severity.rank)

    def report(self, generated_at: datetime | None = None) -> dict[str, Any]:
        """The JSON report as a dict, exactly what `scan --format json` prints (docs/json-report.md)."""
        from whatsapp_audit.report.json_report import report_dict  # the report module imports this one

        return report_dict(self, generated_at)


def scan(
    path: str | os.PathLike[str],
    *,
    patterns_dirs: Sequence[Path] = (),
    include_default_patterns: bool = True,
    date_order: str | None = None,
    patterns: PatternSet | None = None,
) -> ScanResult:
    """Scan one export (.txt or .zip). Raises InputError / PatternError / UsageError."""
    pattern_set = patterns or load_patterns(list(patterns_dirs), include_default=include_default_patterns)
    engine = Engine.build(pattern_set.rules)
    with open_export(path, date_order) as export:
        if export.source.container == "zip":
            engine.provide_media(read_media_facts(export))
        findings = list(collect(engine, export.iter_messages()))
        record = source_record(export)
        stats = export.stats
        limitations = tuple(export.warnings())
        info, survey = export.source, export.survey
    findings.sort(key=lambda item: item.sort_key)
    examined = stats.messages - sum(stats.kinds.get(kind, 0) for kind in ("system", "deleted", "call", "pending"))
    return ScanResult(
        source=info, source_record=record, survey=survey, stats=stats, coverage=coverage_record(stats),
        limitations=limitations, patterns=pattern_set,
        skipped_rules=tuple(rule.id for rule in engine.skipped_rules),
        findings=tuple(findings), counts=count(findings, stats.messages, examined),
        titles={rule.id: rule.title for rule in pattern_set.rules},
    )


def collect(engine: Engine, messages: Iterable[Message]) -> Iterator[ScanFinding]:
    """Run the engine and attach ids, authors and times to each finding."""
    for message, found in engine.run_messages(messages):
        seen: Counter[tuple[str, str | None]] = Counter()
        for finding in found:
            key = (finding.rule, finding.normalised if finding.normalised is not None else finding.matched)
            yield ScanFinding(
                id=fingerprint(finding, message, seen[key]), finding=finding, author=message.author,
                timestamp=message.timestamp, end_line=message.end_line,
            )
            seen[key] += 1


def count(findings: Sequence[ScanFinding], messages: int, examined: int) -> Counts:
    by_category = {category.value: 0 for category in Category}
    by_severity = {severity.value: 0 for severity in Severity}
    by_confidence = {severity.value: 0 for severity in Severity}
    by_rule: Counter[str] = Counter()
    for item in findings:
        finding = item.finding
        by_category[finding.category.value] += 1
        by_severity[finding.severity.value] += 1
        by_confidence[finding.confidence.value] += 1
        by_rule[finding.rule] += 1
    return Counts(messages, examined, len(findings), by_category, by_severity, by_confidence,
                  dict(sorted(by_rule.items())))
