"""`scan(path)`: read an export, run every registered detector, and return findings with provenance.

The library entry point behind `whatsapp-audit scan`. Messages stream from the parser through the
engine; only findings, their message and a few neighbours each side (for the reports' context) are
kept: a small deque of recent messages plus findings still waiting for their after-context, so memory
grows with findings, not with the export.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit import build_cache
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.registry import detector_names
from whatsapp_audit.detect.text.guard import RegexTimeout
from whatsapp_audit.fingerprint import FINGERPRINT_VERSION, fingerprint, portable_fingerprint
from whatsapp_audit.ingest.export import open_export
from whatsapp_audit.ingest.media import read_media_facts
from whatsapp_audit.ingest.parser import ParseStats
from whatsapp_audit.ingest.provenance import coverage_record, source_record
from whatsapp_audit.ingest.source import MediaMember, SourceInfo
from whatsapp_audit.ingest.survey import FormatSurvey
from whatsapp_audit.model import WHATSAPP_WORDS, Category, Confidence, Finding, Message, Severity, pickled_by_fields
from whatsapp_audit.rules.loader import PatternSet, load_patterns
from whatsapp_audit.scope import MessageScope, SearchScope
from whatsapp_audit.triage.review import Review

if TYPE_CHECKING:  # the pool's module (and multiprocessing) is imported only by a run that uses one
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["FINGERPRINT_VERSION", "ExportScan", "ScanFinding", "ScanOptions", "ScanResult", "fingerprint", "scan"]

DEFAULT_CONTEXT = 5  # messages kept each side of a flagged one; reporters show fewer if they like
PROGRESS_EVERY = 2000  # messages between progress callbacks

# Called now and then while scanning with (messages read so far, last line read so far).
ProgressCallback = Callable[[int, int], None]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ContextMessage:
    """A message as reports show it: a flagged message or one of its neighbours (verbatim text).

    Slotted: a large export's findings carry about ten of these each, held by the worker that made
    them, pickled back and held again by the main process (a dict per object was half their size)."""

    index: int
    line: int
    end_line: int
    timestamp: datetime
    author: str | None
    kind: str
    text: str
    attachment: str | None = None

    @classmethod
    def of(cls, message: Message) -> ContextMessage:
        attachment = message.attachment
        return cls(message.index, message.line, message.end_line, message.timestamp, message.author,
                   message.kind.value, message.text, attachment.name if attachment else None)


@dataclass(frozen=True)
class ScanFinding:
    """A finding with what a report needs from its message: who, when, the text and its neighbours."""

    id: str
    finding: Finding
    author: str | None
    timestamp: datetime
    end_line: int
    message: ContextMessage | None = None
    before: tuple[ContextMessage, ...] = ()
    after: tuple[ContextMessage, ...] = ()
    source: int = 0  # which export of the run it comes from (its index in the report's `sources`)
    portable_id: str = ""  # the id that also survives an export on the other platform (fingerprint.py)
    review: Review | None = None  # the reviewer's verdict, when a review file gave one (triage.apply)

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
class ScanOptions:
    """How every export of a run is read and what is kept (the same for each export of a case)."""

    date_order: str | None = None  # None: settled per export from its own dates
    context: int = DEFAULT_CONTEXT  # neighbours kept each side of a flagged message
    min_confidence: str = "low"  # findings below this confidence are left out
    rules: frozenset[str] | None = None  # only these rules' findings are kept (None: every rule's)
    messages: MessageScope | None = None  # only these messages are examined (None: every one)

    def keeps(self, item: ScanFinding, floor: int) -> bool:
        finding = item.finding
        return finding.confidence.rank >= floor and (self.rules is None or finding.rule in self.rules)


@dataclass(frozen=True)
class ExportScan:
    """What one export gave: what was read, how, and what was found (no run-wide settings).

    The unit of work of a run over many exports: made in whichever process (or cluster worker)
    scanned the export, and small enough to send back (findings, counts and provenance only)."""

    source: SourceInfo
    source_record: dict[str, Any]
    survey: FormatSurvey
    stats: ParseStats
    coverage: dict[str, Any]
    limitations: tuple[str, ...]
    findings: tuple[ScanFinding, ...]
    counts: Counts
    media: tuple[MediaMember, ...] = ()  # zip members besides the chat, with their hashes
    timeouts: tuple[RegexTimeout, ...] = ()  # (line, rule, pattern) where a rule was not applied


@dataclass(frozen=True, kw_only=True)
class ScanResult(ExportScan):
    """One export's scan with the run's settings: everything a report on that export needs."""

    patterns: PatternSet
    skipped_rules: tuple[str, ...]
    titles: dict[str, str] = field(default_factory=dict)
    context: int = DEFAULT_CONTEXT  # neighbours kept each side of a flagged message
    min_confidence: str = "low"  # findings below this confidence were left out

    @classmethod
    def of(cls, export: ExportScan, patterns: PatternSet, options: ScanOptions) -> ScanResult:
        values = {f.name: getattr(export, f.name) for f in fields(ExportScan)}
        return cls(**values, patterns=patterns, skipped_rules=rules_not_run(patterns),
                   titles={rule.id: rule.title for rule in patterns.rules},
                   context=options.context, min_confidence=options.min_confidence)

    def at_or_above(self, severity: Severity) -> int:
        return sum(1 for item in self.findings if item.finding.severity.rank >= severity.rank)


def rules_not_run(patterns: PatternSet) -> tuple[str, ...]:
    """Ids of rules loaded but not run: no detector of that name is registered."""
    known = detector_names()
    return tuple(rule.id for rule in patterns.rules if rule.detector not in known)


def scan(
    path: str | os.PathLike[str],
    *,
    patterns_dirs: Sequence[Path] = (),
    include_default_patterns: bool = True,
    date_order: str | None = None,
    patterns: PatternSet | None = None,
    context: int = DEFAULT_CONTEXT,
    min_confidence: str = "low",
    progress: ProgressCallback | None = None,
    jobs: int | None = 1,
    search: SearchScope | None = None,
) -> ScanResult:
    """Scan one export (.txt or .zip). Raises InputError / PatternError / UsageError.

    `context` neighbours each side are kept with every finding; findings below `min_confidence`
    are left out (and the counts say so); `progress` is called every few thousand messages.
    `jobs` processes share a large export (None: one per core when the export is big enough);
    the result is the same whatever the number. `search` narrows the search (`scope.py`).
    For several exports, see `case.scan_case`.
    """
    from whatsapp_audit import parallel  # imports this module: keep the cycle out of import time

    # The model file's own default (off for the bundled one) applies: the run's rules are those that run.
    # Imported here: pool workers import this module, and must not pay for the detector's imports at start-up.
    from whatsapp_audit.rules.optional import choose_model

    build_cache.keep_out_of([Path(path).parent])
    pattern_set = patterns or choose_model(load_patterns(list(patterns_dirs), include_default=include_default_patterns),
                                           None)
    options, engine_set = scan_options(pattern_set, search, date_order, context, min_confidence)
    workers = parallel.jobs_for(path, jobs)
    pool = parallel.start_pool(workers, engine_set) if workers > 1 else None
    try:
        export = scan_export(path, options, EngineCache(engine_set), pool=pool, workers=workers, progress=progress)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if progress is not None:
        progress(export.stats.messages, export.stats.total_lines)
    return ScanResult.of(export, pattern_set, options)


def scan_options(patterns: PatternSet, search: SearchScope | None, date_order: str | None, context: int,
                 min_confidence: str) -> tuple[ScanOptions, PatternSet]:
    """The options every export of a run is scanned with, and the rules to build the engine from
    (fewer than `patterns` when the search is narrowed to some detectors' rules)."""
    if search is None or not search.narrowed:
        return ScanOptions(date_order, max(0, context), min_confidence), patterns
    selected = search.selected_rules(patterns)
    options = ScanOptions(date_order, max(0, context), min_confidence, selected, search.message_scope())
    return options, search.engine_patterns(patterns, selected)


class EngineCache:
    """Builds the engine for a pattern set on first use, then hands out the same one: spaCy and
    the pattern-file regexes are set up once per process, however many exports it scans."""

    def __init__(self, patterns: PatternSet) -> None:
        self.patterns = patterns
        self._engine: Engine | None = None

    def __call__(self) -> Engine:
        if self._engine is None:
            self._engine = Engine.build(self.patterns.rules)
        return self._engine

    def forget(self) -> None:
        """Let the engine go (built again if asked for): a process that has scanned its last part
        of a large export frees its memory for the findings it then gathers and reports."""
        self._engine = None


def scan_export(
    path: str | os.PathLike[str],
    options: ScanOptions,
    engine: Callable[[], Engine],
    *,
    index: int = 0,
    shown: str | None = None,
    pool: ProcessPoolExecutor | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> ExportScan:
    """Read and scan one export with `engine()` (or, given a `pool`, in parts across its `workers`
    processes).

    `index` is the export's place in its case (every finding carries it as `source`); `shown` is
    the path reports name when it differs from the one opened (a cluster worker opens an absolute
    path on shared storage, the report names the file as the user gave it). Raises InputError."""
    from whatsapp_audit import parallel

    floor = Confidence(options.min_confidence).rank
    with open_export(path, options.date_order) as export:
        media = export.media_members()
        facts = read_media_facts(export) if export.source.container == "zip" else {}
        parts = export.plan_parts(workers * parallel.PARTS_PER_JOB, parallel.MARGIN_BYTES) if pool else []
        in_scope = options.messages.accepts if options.messages is not None else None
        if pool is not None and len(parts) > 1:
            found, export.stats, timeouts, selected = parallel.scan_parts(
                pool, export, parts, options.context, facts, progress, options.messages, engine, workers)
        else:
            scanner = engine()
            scanner.begin_export(facts)
            capture = ContextCapture(options.context, scanner.lookahead, progress)
            found = list(capture.collect(scanner, export.iter_messages(), in_scope))
            timeouts, selected = scanner.timeouts, capture.selected
        record = source_record(export)
        stats = export.stats
        limitations = tuple(export.warnings()) + tuple(
            f"rule {t.rule} was not applied to the message on line {t.line}: its pattern ran out of time"
            for t in timeouts
        )
        info, survey = export.source, export.survey
    if shown is not None and shown != info.path:
        info, record = replace(info, path=shown), {**record, "path": shown}
    findings = [item if index == 0 else replace(item, source=index) for item in found if options.keeps(item, floor)]
    findings.sort(key=lambda item: item.sort_key)
    if options.messages is None:
        examined = examinable(stats)
    else:  # counted as they went by: only those inside the narrowed search were examined
        examined = selected
    return ExportScan(
        source=info, source_record=record, survey=survey, stats=stats, coverage=coverage_record(stats),
        limitations=limitations, findings=tuple(findings), counts=count(findings, stats.messages, examined),
        media=media, timeouts=timeouts,
    )


def examinable(stats: ParseStats) -> int:
    """Messages a person may have written: what the detectors examine when the search is not narrowed
    (everything but WhatsApp's own words; a system event in no known phrase counts)."""
    return stats.messages - sum(stats.kinds.get(kind, 0) for kind in WHATSAPP_WORDS) + len(stats.unrecognised_system)


def _scan_findings(message: Message, found: Sequence[Finding], before: tuple[ContextMessage, ...] = (),
                   after: tuple[ContextMessage, ...] = (), flagged: ContextMessage | None = None) -> Iterator[ScanFinding]:
    seen: Counter[tuple[str, str | None]] = Counter()
    if flagged is None:
        flagged = ContextMessage.of(message)
    for finding in found:
        key = (finding.rule, finding.normalised if finding.normalised is not None else finding.matched)
        yield ScanFinding(
            id=fingerprint(finding, message, seen[key]), finding=finding, author=message.author,
            timestamp=message.timestamp, end_line=message.end_line, message=flagged, before=before, after=after,
            portable_id=portable_fingerprint(finding, message, seen[key]),
        )
        seen[key] += 1


class ContextCapture:
    """Keeps the last few messages and the findings still waiting for their after-context.

    The engine yields a message's findings at most `lookahead` messages after reading it
    (`Engine.lookahead`), so a deque of `context + lookahead + 1` recent messages always holds the
    before-context (and the after-context read so far); each message read later is added to the
    after-context of the findings still waiting for it.
    """

    def __init__(self, context: int, lookahead: int, progress: ProgressCallback | None) -> None:
        self.context = context
        self.recent: deque[Message] = deque(maxlen=context + lookahead + 1)  # the parser's own objects: no copy
        self.pending: list[tuple[Message, list[Finding], list[ContextMessage]]] = []
        self.progress = progress
        self.selected = 0  # messages `examine` accepted that a person may have written (see `collect`)
        # One ContextMessage per message however many findings show it (neighbours of flagged messages
        # close together are shared), for the messages `recent` may still hold: less to hold and pickle.
        self._shown: dict[int, ContextMessage] = {}
        self._keep = 2 * (context + lookahead + 1)

    def _show(self, message: Message) -> ContextMessage:
        shown = self._shown.get(message.index)
        if shown is None:
            if len(self._shown) > self._keep:
                oldest = message.index - self._keep // 2  # what `recent` can still hold
                self._shown = {index: kept for index, kept in self._shown.items() if index >= oldest}
            shown = self._shown[message.index] = ContextMessage.of(message)
        return shown

    def _tap(self, messages: Iterable[Message]) -> Iterator[Message]:
        for count_read, message in enumerate(messages, 1):
            self.recent.append(message)
            for flagged, _found, around in self.pending:
                if flagged.index < message.index <= flagged.index + self.context:
                    around.append(self._show(message))
            if self.progress is not None and count_read % PROGRESS_EVERY == 0:
                self.progress(count_read, message.end_line)
            yield message

    def collect(self, engine: Engine, messages: Iterable[Message],
                examine: Callable[[Message], bool] | None = None) -> Iterator[ScanFinding]:
        """Findings with their context; `examine` limits which messages are examined (see
        `Engine.run_messages`), the others still serve as context; `selected` counts the accepted
        messages the detectors examine (not WhatsApp's own words)."""
        chosen = None
        if examine is not None:
            def chosen(message: Message) -> bool:
                accepted = examine(message)
                if accepted and message.examined:
                    self.selected += 1
                return accepted

        for message, found in engine.run_messages(self._tap(messages), chosen):
            around = [self._show(m) for m in self.recent if 0 < abs(m.index - message.index) <= self.context]
            self.pending.append((message, found, around))
            yield from self._ready(done=False)
        yield from self._ready(done=True)

    def _ready(self, done: bool) -> Iterator[ScanFinding]:
        """Findings whose after-context is complete (all of them once the export has been read)."""
        newest = self.recent[-1].index if self.recent else -1
        waiting = []
        for message, found, around in self.pending:
            if done or newest >= message.index + self.context:
                before = tuple(sorted((m for m in around if m.index < message.index), key=lambda m: m.index))
                after = tuple(sorted((m for m in around if m.index > message.index), key=lambda m: m.index))
                yield from _scan_findings(message, found, before, after, self._show(message))
            else:
                waiting.append((message, found, around))
        self.pending = waiting


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
