"""The HTML report: one self-contained offline file an investigator can open, filter and print.

Python builds a plain view of the result (`Page`, `FindingView`, `Filter`); the Jinja2 templates in
`report/templates/` draw it with autoescaping on, and every value goes through `safe.visible` first,
so chat text can never become markup and invisible characters show as `⟨U+202E⟩`. The style sheet
and script are the package's own files; the Content-Security-Policy forbids every load but them
(by SHA-256) and, when the page shows pictures from a zip exhibit, `data:` images.

Built to be extended: a finding's filterable facts are its `data` (data-* attributes) and the
filters are a list of `Filter`s the script applies generically, so a new filter is one more
`Filter` and one more `data` key; per-finding controls have a marked place in `finding.html.j2`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any, TextIO
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from whatsapp_audit import __version__
from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.model import Category
from whatsapp_audit.report.authors import display, distinct_displays, label, unsaved
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.html_review import (
    ReviewBar,
    review_bar,
    review_controls,
    review_data,
    verdict_filter_choices,
)
from whatsapp_audit.report.image_evidence import exif_evidence
from whatsapp_audit.report.json_report import stamp
from whatsapp_audit.report.safe import visible, whatsapp_mark
from whatsapp_audit.report.summary import (
    CATEGORY_LABELS,
    case_limitations,
    characteristic_text,
    numbered,
    participants,
    rule_texts,
    time_format,
    trimmed,
)
from whatsapp_audit.report.thumbnails import ImageStore, Thumbnail
from whatsapp_audit.report.timeline_chart import Chart, timeline_chart
from whatsapp_audit.report.triage import search_lines, triage_lines
from whatsapp_audit.scan import ContextMessage, ScanFinding, ScanResult
from whatsapp_audit.wording import noun, plural

LEVELS = ("low", "medium", "high")


def _asset(name: str) -> str:
    return (files("whatsapp_audit.report") / "templates" / name).read_text(encoding="utf-8")


CSS = _asset("report.css")
JS = _asset("report.js") + _asset("review.js")  # the filters, then the reviewer (html_review.py): one script


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(style: str, images: bool) -> str:
    """Nothing loads but this page's own style sheet and script; pictures only as `data:` URIs."""
    img = "data:" if images else "'none'"
    return (f"default-src 'none'; style-src {csp_hash(style)}; script-src {csp_hash(JS)}; img-src {img}; "
            "connect-src 'none'; base-uri 'none'; form-action 'none'")


def css_string(text: str) -> str:
    """A CSS string literal for any text: everything but plain letters, digits and a few marks is a
    `\\HHHHHH` escape, so no quote, backslash, `<` or line break can end the string or the style element."""
    safe = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_/.,:()#+·")
    return '"' + "".join(ch if ch in safe else f"\\{ord(ch):06x}" for ch in visible(text)) + '"'


def print_style(case: CaseDetails, subject: str) -> str:
    """The printed page: A4, the case and exhibit references at the top of every page, the exhibit at
    the bottom, page N of M. (No run time here: the style's hash is in the CSP, and the same run must
    give the same page apart from the time it states.)"""
    header = case.running_header() or "no case reference given"
    return (
        "\n@page { size: A4; margin: 18mm 14mm 16mm;\n"
        f"  @top-left {{ content: {css_string(header)}; font: 9pt system-ui, sans-serif; color: #333; }}\n"
        '  @top-right { content: "WhatsApp audit report"; font: 9pt system-ui, sans-serif; color: #333; }\n'
        f"  @bottom-left {{ content: {css_string(subject)}; font: 8pt system-ui, sans-serif; color: #555; }}\n"
        '  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9pt system-ui, sans-serif; }\n'
        "}\n"
    )


def _finalize(value: Any) -> Any:
    """Every value printed by a template: invisible and bidi characters made visible (then autoescaped)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("whatsapp_audit.report", "templates"), autoescape=True,
                       undefined=StrictUndefined, finalize=_finalize, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


# --- the view -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Filter:
    """One control of the findings filter. The script compares the control's value with each
    finding's `data-<field>`: `equals`; `level` (exact, or "medium+" for medium or higher, ranks in
    `order`); `from` / `to` (ISO dates); `text` (in the finding's heading, flagged message or explanation)."""

    name: str  # form field, and key in the URL fragment (#rule=OPS-VRM)
    label: str
    match: str
    field: str
    kind: str = "select"  # "select", "date" or "search"
    choices: tuple[Choice, ...] = ()
    order: str = ""


@dataclass(frozen=True)
class Piece:
    text: str
    marked: bool = False


@dataclass(frozen=True)
class MessageView:
    """One message in a finding's context list."""

    role: str  # "before", "flagged" or "after"
    time: str
    line: int
    author: str
    attachment: str | None  # shown on its own line when the text does not already say it
    pieces: tuple[Piece, ...]  # the text, the matched span marked
    thumbnail: Thumbnail | None = None


@dataclass
class FindingView:
    number: int
    data: dict[str, str]  # data-* attributes the filters read
    severity: str
    confidence: str
    score: str
    category: str
    rule: str
    title: str
    author: str
    when: str
    where: str
    exhibit: str | None
    messages: list[MessageView]
    matched: str | None
    reason: str
    exif: str | None
    why: str
    guidance: str
    how: list[tuple[str, str]]
    characteristic: str = ""  # protected characteristics in plain words; "" when none
    controls: list[Markup] = field(default_factory=list)  # per-finding controls, rendered in the header


@dataclass(frozen=True)
class SummaryRow:
    name: str
    count: int
    link: str
    title: str = ""


@dataclass(frozen=True)
class SummaryTable:
    heading: str
    rows: tuple[SummaryRow, ...]
    code: bool = False
    with_title: bool = False


@dataclass(frozen=True)
class ParticipantRow:
    exhibit: int
    name: str
    messages: int
    findings: int
    by_category: tuple[int, ...]
    highest: str
    link: str


@dataclass(frozen=True)
class ExhibitRow:
    number: int
    index: int
    path: str
    chat: str
    sha256: str
    size: str
    lines: str = ""
    findings: int = 0
    failure: str = ""


@dataclass
class Page:
    title: str
    csp: Markup
    style: Markup
    script: Markup
    case: list[tuple[str, str]]
    meta: list[tuple[str, str]]
    several: bool
    exhibits: list[ExhibitRow]
    skipped: list[tuple[str, str]]
    skipped_heading: str
    limitations: list[str]
    headline: str
    summary: list[SummaryTable]
    participants: list[ParticipantRow]
    chart: Chart | None
    categories: list[tuple[str, str]]
    shown: str
    filters: list[Filter]
    findings: list[FindingView]
    scope: list[str]  # a narrowed search, the allowlists and the review file, in the terminal report's words
    review: ReviewBar


def fragment(**values: str | int) -> str:
    """A link to the report filtered by these values: `#rule=OPS-VRM&source=1`."""
    return "#" + "&".join(f"{key}={quote(str(value), safe='')}" for key, value in values.items())


# --- building it --------------------------------------------------------------------------------
def _pieces(text: str, start: int | None, end: int | None) -> tuple[Piece, ...]:
    if start is not None and end is not None and 0 <= start <= end <= len(text):
        return tuple(p for p in (Piece(text[:start]), Piece(text[start:end], True), Piece(text[end:])) if p.text)
    return (Piece(text),) if text else ()


def _message(m: ContextMessage, role: str, clock: str, thumb: Thumbnail | None = None,
             start: int | None = None, end: int | None = None) -> MessageView:
    attachment = m.attachment if m.attachment and m.attachment not in m.text else None
    cut = whatsapp_mark(m.text, m.kind)  # iOS's mark before its own notices: formatting, not the sender's
    if cut and start is not None and end is not None:
        start, end = max(0, start - cut), max(0, end - cut)
    return MessageView(role, f"{m.timestamp:%Y-%m-%d} {m.timestamp.strftime(clock)}", m.line, display(m.author),
                       attachment, _pieces(m.text[cut:], start, end), thumb)


def finding_view(run: CaseResult, item: ScanFinding, number: int, context: int, images: ImageStore,
                 review: ReviewBar | None = None) -> FindingView:
    f = item.finding
    why, guidance = rule_texts(run, f.rule)
    clock = time_format(run, item.source)
    before, after = trimmed(item, context)
    pictures = f.category is Category.CRIME_SCENE_IMAGE  # the flagged picture and the ones posted around it

    def thumb(m: ContextMessage) -> Thumbnail | None:
        return images.thumbnail(item.source, m.attachment) if pictures else None

    messages = [_message(m, "before", clock, thumb(m)) for m in before]
    if item.message is not None:
        messages.append(_message(item.message, "flagged", clock, thumb(item.message), f.start, f.end))
    messages += [_message(m, "after", clock, thumb(m)) for m in after]
    explain = f.explanation
    how = [("pattern", explain.pattern), ("validator", explain.validator),
           ("context words", ", ".join(explain.context_words) or None),
           ("score adjustments", "; ".join(f"{r} ({d:+.2f})" for r, d in explain.adjustments) or None),
           *((key, value) for key, value in explain.details), ("normalised", f.normalised), ("fingerprint", item.id)]
    lines = "line " + (f"{f.line}" if item.end_line == f.line else f"{f.line}-{item.end_line}")
    exif = exif_evidence(item, redacted=run.redaction is not None)
    return FindingView(
        number=number,
        data={"source": str(item.source), "category": f.category.value, "rule": f.rule, "author": item.author or "",
              "date": item.timestamp.date().isoformat(), "severity": f.severity.value, "confidence": f.confidence.value,
              "id": item.id, **review_data(item)},
        severity=f.severity.value, confidence=f.confidence.value, score=f"{f.score:.2f}",
        category=CATEGORY_LABELS.get(f.category.value, ""), rule=f.rule, title=run.titles.get(f.rule, ""),
        author=label(item.author), when=f"{item.timestamp:%Y-%m-%d} {item.timestamp.strftime(clock)}", where=lines,
        exhibit=None if run.single is not None else f"{item.source + 1} ({run.label(item.source)})",
        messages=messages, matched=f.matched, reason=explain.reason, exif=exif.line() if exif else None,
        why=why, guidance=guidance, how=[(k, str(v)) for k, v in how if v],
        characteristic=characteristic_text(f.characteristics),
        controls=[review_controls(item, number, review.editable)] if review is not None and review.controls else [],
    )


def filters(run: CaseResult, findings: list[ScanFinding], verdicts: bool = True) -> list[Filter]:
    """The filter controls, in the order shown. Choices list only values some finding has; the
    verdict filter when the findings show verdicts."""
    counts = run.counts
    level_order = " ".join(LEVELS)

    def levels(by: dict[str, int]) -> tuple[Choice, ...]:
        choices = []
        for level in reversed(LEVELS):
            choices.append(Choice(level, f"{level} ({by.get(level, 0)})"))
            if level not in ("low", "high"):  # "low or higher" is every finding, "high or higher" is "high"
                at_least = sum(by.get(x, 0) for x in LEVELS[LEVELS.index(level):])
                choices.append(Choice(level + "+", f"{level} or higher ({at_least})"))
        return tuple(choices)

    authors = sorted({item.author or "" for item in findings})
    out = []
    if run.single is None:
        out.append(Filter("source", "Exhibit", "equals", "source",
                          choices=tuple(Choice(str(i), f"{i + 1}. {run.label(i)}") for i, _ in run.scanned)))
    out += [
        Filter("severity", "Severity", "level", "severity", choices=levels(counts.by_severity), order=level_order),
        Filter("confidence", "Confidence", "level", "confidence", choices=levels(counts.by_confidence), order=level_order),
        Filter("category", "Category", "equals", "category",
               choices=tuple(Choice(c, CATEGORY_LABELS[c]) for c, n in counts.by_category.items() if n)),
        Filter("rule", "Rule", "equals", "rule",
               choices=tuple(Choice(r, f"{r} {run.titles.get(r, '')}") for r in sorted(counts.by_rule))),
        Filter("author", "Participant", "equals", "author", choices=tuple(Choice(a, label(a)) for a in authors)),
        Filter("from", "From", "from", "date", kind="date"),
        Filter("to", "To", "to", "date", kind="date"),
        Filter("q", "Text", "text", "text", kind="search"),
    ]
    if verdicts:
        out.append(Filter("verdict", "Verdict", "equals", "verdict",
                          choices=tuple(Choice(value, text) for value, text in verdict_filter_choices())))
    return out


def _summary(run: CaseResult) -> list[SummaryTable]:
    counts = run.counts
    return [
        SummaryTable("Category", tuple(SummaryRow(CATEGORY_LABELS.get(c, c), n, fragment(category=c))
                                       for c, n in counts.by_category.items())),
        SummaryTable("Severity", tuple(SummaryRow(s, counts.by_severity.get(s, 0), fragment(severity=s))
                                       for s in reversed(LEVELS))),
        SummaryTable("Confidence", tuple(SummaryRow(s, counts.by_confidence.get(s, 0), fragment(confidence=s))
                                         for s in reversed(LEVELS))),
        SummaryTable("Rule", tuple(SummaryRow(r, n, fragment(rule=r), run.titles.get(r, ""))
                                   for r, n in counts.by_rule.items()), code=True, with_title=True),
    ]


def _participants(run: CaseResult) -> list[ParticipantRow]:
    rows = participants(run)
    names = distinct_displays(p.name for p in rows)
    out = []
    for p in rows:
        how = unsaved(p.name)
        link = fragment(author=p.name, **({"source": p.source} if run.single is None else {}))
        out.append(ParticipantRow(p.source + 1, f"{names[p.name]} ({how}, not saved in the phone)" if how else names[p.name],
                                  p.messages, p.findings, tuple(p.by_category.values()), p.highest or "-", link))
    return out


def _exhibits(run: CaseResult) -> list[ExhibitRow]:
    rows = []
    for index, export in enumerate(run.exports):
        if isinstance(export, ExportFailure):
            rows.append(ExhibitRow(index + 1, index, export.path, "", export.sha256 or "",
                                   f"{export.size:,} bytes" if export.size is not None else "", failure=export.reason))
            continue
        source = export.source
        rows.append(ExhibitRow(index + 1, index, source.path, source.chat_member or "", source.sha256,
                               f"{source.size:,} bytes", coverage_line(export.stats), export.counts.findings))
    return rows


def build_page(result: ScanResult | CaseResult, images: ImageStore, generated_at: datetime | None = None,
               context: int = 5, case: CaseDetails | dict[str, str] | None = None) -> Page:
    run = as_case(result)
    details = CaseDetails.of(case)
    single = run.single
    items = numbered(run)
    findings = [item for _, item in items]
    generated = f"{stamp(generated_at)} (UTC) by whatsapp-audit {__version__}"
    meta: list[tuple[str, str]]
    if single is not None:
        source = single.source
        title = source.path
        subject = f"{source.path} · SHA-256 {source.sha256[:16]}…"
        meta = [("Export", source.path), ("SHA-256", source.sha256), ("Size", f"{source.size:,} bytes"),
                ("Chat in zip", source.chat_member or ""), ("Lines", coverage_line(single.stats))]
    else:
        failed = len(run.failed)
        title = subject = f"{len(run.exports)} exports"
        meta = [("Exhibits", f"{len(run.exports)} exports: {len(run.scanned)} scanned"
                 + (f", {failed} not scanned" if failed else "") + " (listed below)")]
    meta += [("Generated", generated),
             ("Shown", (f"findings of {run.min_confidence} confidence and above, "
                        f"{plural(context, 'message')} of context each side"))]
    review = review_bar(run, findings, details.examiner)
    views = [finding_view(run, item, number, context, images, review) for number, item in items]
    total = len(views)
    style = CSS + print_style(details, subject)
    counts = run.counts
    by_severity = ", ".join(f"{counts.by_severity.get(s, 0)} {s}" for s in reversed(LEVELS))
    return Page(
        title=title,
        csp=Markup(content_security_policy(style, images=any(m.thumbnail and m.thumbnail.data_uri for v in views for m in v.messages))),
        style=Markup(style), script=Markup(JS),  # the package's own files: trusted, and hashed in the CSP
        case=details.given(), meta=[(k, v) for k, v in meta if v], several=single is None,
        exhibits=_exhibits(run) if single is None else [],
        skipped=[(s.path, s.reason) for s in run.skipped],
        skipped_heading=f"{plural(len(run.skipped), 'file')} in the folders given "
                        f"{'was' if len(run.skipped) == 1 else 'were'} not read",
        limitations=case_limitations(run),
        headline=(f"{plural(total, 'finding')} ({by_severity} severity) in {plural(counts.messages, 'message')}."),
        summary=_summary(run), participants=_participants(run), chart=timeline_chart(findings),
        categories=[(c.value, CATEGORY_LABELS[c.value]) for c in Category],
        shown=f"Showing all {total} {noun(total, 'finding')} (no filter).",
        filters=filters(run, findings, review.controls), findings=views,
        scope=search_lines(run) + triage_lines(run),
        review=review,
    )


def render_page(page: Page) -> Iterator[str]:
    """The page's HTML in chunks, as the template produces them."""
    yield from environment().get_template("report.html.j2").generate(page=page)


def write_html(result: ScanResult | CaseResult, out: TextIO, generated_at: datetime | None = None, context: int = 5,
               case: CaseDetails | dict[str, str] | None = None, exhibit_paths: Sequence[str] | None = None) -> None:
    """Write the whole page to `out`. Pictures of a zip exhibit are read from it again, read-only, at
    `exhibit_paths` (by export index) when given, else at the path the report names."""
    run = as_case(result)
    with ImageStore(run, paths=exhibit_paths) as images:
        page = build_page(run, images, generated_at, context, case)
    for chunk in render_page(page):
        out.write(chunk)
