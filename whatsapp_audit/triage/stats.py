"""`review stats`: reviewers' verdicts turned into the validation figures a force needs for its use
of the tool (FSR-G-218): per rule and per category, how many findings were confirmed, judged not a
concern or left unsure, and the precision that implies, with a 95 % Wilson interval (small counts
are the norm, and a bare ratio of 3 of 3 says less than it seems).

Precision is confirmed / (confirmed + not a concern); `unsure` verdicts are counted but left out of
it. A verdict is attributed to a rule by the entry's own `rule` (the HTML report writes it), else by
the finding with its id (or portable id) in a JSON report given. The same id in several files counts
once when the verdicts agree and as `disagreed` when they do not (`review merge` lists them).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UsageError
from whatsapp_audit.triage.review import Review, ReviewFile

STATS_VERSION = "1"
UNKNOWN = "(unknown)"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class ReportFinding:
    """What stats needs of a finding in a JSON report."""

    id: str
    portable_id: str | None
    rule: str
    category: str


@dataclass(frozen=True)
class LoadedReport:
    path: str
    sha256: str
    findings: tuple[ReportFinding, ...]


def load_report_findings(path: str | Path) -> LoadedReport:
    """The findings of a JSON report (`scan --format json`, or an evidence pack's findings.json)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
        data = json.loads(raw.decode("utf-8-sig"))
    except OSError as error:
        raise UsageError(f"{name}: the report cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UsageError(f"{name}: not a JSON report (give the findings.json of a pack or a scan --format json)") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        raise UsageError(f"{name}: not a JSON report: it has no findings list")
    out = []
    for position, item in enumerate(findings):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "rule", "category")):
            raise UsageError(f"{name}: findings[{position}] has no id, rule and category")
        portable = item.get("portable_id")
        out.append(ReportFinding(item["id"], portable if isinstance(portable, str) else None, item["rule"],
                                 item["category"]))
    return LoadedReport(name, hashlib.sha256(raw).hexdigest(), tuple(out))


@dataclass
class Tally:
    """Verdict counts for one rule, one category or the whole."""

    confirmed: int = 0
    not_a_concern: int = 0
    unsure: int = 0
    disagreed: int = 0
    unreviewed: int | None = None  # findings of the reports given with no verdict (None: no report given)

    def add(self, verdict: str | None) -> None:
        if verdict is None:
            self.disagreed += 1
        else:
            setattr(self, verdict, getattr(self, verdict) + 1)

    @property
    def judged(self) -> int:
        return self.confirmed + self.not_a_concern

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.judged if self.judged else None

    def interval(self) -> tuple[float, float] | None:
        """The 95 % Wilson score interval of the precision."""
        n = self.judged
        if not n:
            return None
        p = self.confirmed / n
        centre = (p + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / (1 + Z95 ** 2 / n)
        return max(0.0, centre - half), min(1.0, centre + half)

    def record(self) -> dict[str, Any]:
        bounds = self.interval()
        precision = self.precision
        return {"confirmed": self.confirmed, "not_a_concern": self.not_a_concern, "unsure": self.unsure,
                "disagreed": self.disagreed, "unreviewed": self.unreviewed,
                "precision": None if precision is None else round(precision, 4),
                "precision_low": None if bounds is None else round(bounds[0], 4),
                "precision_high": None if bounds is None else round(bounds[1], 4)}


@dataclass
class ReviewStats:
    files: Sequence[ReviewFile]
    reports: Sequence[LoadedReport]
    total: Tally = field(default_factory=Tally)
    by_category: dict[str, Tally] = field(default_factory=dict)
    by_rule: dict[str, Tally] = field(default_factory=dict)
    rule_category: dict[str, str] = field(default_factory=dict)
    unattributed: int = 0  # verdicts whose rule is unknown (no `rule` in the entry, no report with the finding)

    def record(self) -> dict[str, Any]:
        return {
            "review_stats_version": STATS_VERSION,
            "files": [{"path": f.path, "sha256": f.sha256, "entries": len(f.reviews)} for f in self.files],
            "reports": [{"path": r.path, "sha256": r.sha256, "findings": len(r.findings)} for r in self.reports],
            "total": self.total.record(),
            "by_category": {name: tally.record() for name, tally in sorted(self.by_category.items())},
            "by_rule": {name: {"category": self.rule_category.get(name, UNKNOWN), **tally.record()}
                        for name, tally in sorted(self.by_rule.items())},
            "unattributed": self.unattributed,
        }


def review_stats(files: Sequence[ReviewFile], reports: Sequence[LoadedReport] = ()) -> ReviewStats:
    """Verdict counts and precision per rule and category over every file given (see the module doc)."""
    stats = ReviewStats(files, reports)
    known: dict[str, ReportFinding] = {}
    for report in reports:
        for item in report.findings:
            known.setdefault(item.id, item)
            if item.portable_id:
                known.setdefault(item.portable_id, item)
    verdicts = _agreed(files)
    for review, verdict in verdicts.values():
        finding = known.get(review.id) or (known.get(review.portable_id) if review.portable_id else None)
        rule = review.rule or (finding.rule if finding else None)
        category = review.category or (finding.category if finding else None) or UNKNOWN
        stats.total.add(verdict)
        if rule is None:
            stats.unattributed += 1
            rule = UNKNOWN
        stats.rule_category.setdefault(rule, category)
        stats.by_rule.setdefault(rule, Tally()).add(verdict)
        stats.by_category.setdefault(category, Tally()).add(verdict)
    if reports:
        _count_unreviewed(stats, reports, verdicts)
    return stats


def _agreed(files: Iterable[ReviewFile]) -> dict[str, tuple[Review, str | None]]:
    """Each id once: its entry and verdict, or None as the verdict when files disagree."""
    seen: dict[str, list[Review]] = defaultdict(list)
    for file in files:
        for review in file.reviews:
            seen[review.id].append(review)
    return {finding_id: (reviews[0], reviews[0].verdict if len({r.verdict for r in reviews}) == 1 else None)
            for finding_id, reviews in seen.items()}


def _count_unreviewed(stats: ReviewStats, reports: Sequence[LoadedReport],
                      verdicts: dict[str, tuple[Review, str | None]]) -> None:
    portable = {review.portable_id for review, _ in verdicts.values() if review.portable_id}
    tallies = [stats.total, *stats.by_rule.values(), *stats.by_category.values()]
    for tally in tallies:
        tally.unreviewed = 0
    counted: set[str] = set()
    for report in reports:
        for finding in report.findings:
            if finding.id in counted:
                continue
            counted.add(finding.id)
            if finding.id in verdicts or (finding.portable_id and finding.portable_id in portable):
                continue
            stats.rule_category.setdefault(finding.rule, finding.category)
            for tally in (stats.total, stats.by_rule.setdefault(finding.rule, Tally(unreviewed=0)),
                          stats.by_category.setdefault(finding.category, Tally(unreviewed=0))):
                tally.unreviewed = (tally.unreviewed or 0) + 1
