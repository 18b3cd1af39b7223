"""Allowlists and a review file applied to a finished case, after detection and never inside it.

Order: a finding whose value an allowlist entry sets aside is suppressed (counted against the first
entry that matches it); every other finding gets its reviewer's verdict, found by id, else by
portable id; findings whose verdict is in `hide` are then left out of the reports (counted by
verdict). Every export's counts and the case's are recomputed over the findings that remain, so the
summary always counts what the reports list, and `Triage` says what was set aside and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from whatsapp_audit.case import CaseResult
from whatsapp_audit.scan import ExportScan, ScanFinding, count
from whatsapp_audit.triage.allowlist import Allowlist
from whatsapp_audit.triage.review import VERDICTS, ReviewFile, Reviews


@dataclass(frozen=True)
class Triage:
    """What the allowlists and the review file did to a case's findings."""

    allowlists: tuple[Allowlist, ...] = ()
    suppressed: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)  # (file, entry) -> ids
    review: ReviewFile | None = None
    hide: tuple[str, ...] = ()  # verdicts left out of the reports
    by_verdict: dict[str, int] = field(default_factory=dict)  # findings with each verdict (hidden included)
    by_portable_id: int = 0  # verdicts found by portable id (given on another export of the chat)
    unreviewed: int = 0  # findings (after the allowlists) with no verdict
    hidden: dict[str, int] = field(default_factory=dict)  # findings left out, by verdict
    unmatched: int = 0  # review entries that matched no finding of this run

    @property
    def suppressed_total(self) -> int:
        return sum(len(ids) for ids in self.suppressed.values())

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())

    def suppressed_by(self, file: int, entry: int) -> tuple[str, ...]:
        return self.suppressed.get((file, entry), ())


def apply_triage(case: CaseResult, allowlists: Sequence[Allowlist] = (), review: ReviewFile | None = None,
                 hide: Sequence[str] = ()) -> CaseResult:
    """The case with suppressed and hidden findings left out and verdicts attached (see the module doc)."""
    if not allowlists and review is None:
        return case
    suppressed: dict[tuple[int, int], list[str]] = {}
    lookup = Reviews(review) if review is not None else None
    used: set[str] = set()
    by_verdict: Counter[str] = Counter()
    hidden: Counter[str] = Counter()
    portable = unreviewed = 0
    kept: dict[int, list[ScanFinding]] = {index: [] for index, _ in case.scanned}
    for item in case.findings:
        where = _allowed(item, allowlists)
        if where is not None:
            suppressed.setdefault(where, []).append(item.id)
            continue
        if lookup is not None:
            verdict = lookup.find(item.id, item.portable_id)
            if verdict is None:
                unreviewed += 1
            else:
                item = replace(item, review=verdict)
                used.add(verdict.id)
                by_verdict[verdict.verdict] += 1
                portable += verdict.matched_by == "portable_id"
                if verdict.verdict in hide:
                    hidden[verdict.verdict] += 1
                    continue
        kept[item.source].append(item)
    exports = tuple(_recounted(export, kept[index]) if isinstance(export, ExportScan) else export
                    for index, export in enumerate(case.exports))
    findings = tuple(item for index, _ in case.scanned for item in kept[index])
    triage = Triage(
        allowlists=tuple(allowlists), suppressed={k: tuple(v) for k, v in sorted(suppressed.items())},
        review=review, hide=tuple(v for v in VERDICTS if v in hide),
        by_verdict={v: by_verdict[v] for v in VERDICTS} if review is not None else {},
        by_portable_id=portable, unreviewed=unreviewed if review is not None else 0,
        hidden={v: hidden[v] for v in VERDICTS if v in hide},
        unmatched=sum(1 for r in review.reviews if r.id not in used) if review is not None else 0,
    )
    return replace(case, exports=exports, findings=findings,
                   counts=count(findings, case.counts.messages, case.counts.examined), triage=triage)


def _allowed(item: ScanFinding, allowlists: Sequence[Allowlist]) -> tuple[int, int] | None:
    for file_index, allowlist in enumerate(allowlists):
        for entry_index, entry in enumerate(allowlist.entries):
            if entry.matches(item.finding):
                return file_index, entry_index
    return None


def _recounted(export: ExportScan, findings: list[ScanFinding]) -> ExportScan:
    return replace(export, findings=tuple(findings),
                   counts=count(findings, export.counts.messages, export.counts.examined))
