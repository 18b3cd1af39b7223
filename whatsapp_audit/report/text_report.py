"""The investigator's terminal report: the case details, then findings with context, then summaries.

Findings come in report order (export, then place in the file), numbered as in every other format.

Each finding shows rule, severity, confidence, author, time, line, the message with the match
highlighted, a few messages either side, the reason and the guidance. The summary gives counts by
category, rule and participant and a timeline of findings per day. Rendered from a finished
`ScanResult`; never re-runs detection.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from whatsapp_audit.case import CaseResult, ExportFailure, as_case
from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.report.authors import distinct_displays, label
from whatsapp_audit.report.authors import unsaved as unsaved_as
from whatsapp_audit.report.case_details import CaseDetails
from whatsapp_audit.report.image_evidence import exif_evidence
from whatsapp_audit.report.summary import (
    CATEGORY_LABELS,
    case_limitations,
    characteristic_text,
    numbered,
    participants,
    rule_texts,
    time_format,
    timeline,
    trimmed,
)
from whatsapp_audit.report.terminal import bar, context_line, inert
from whatsapp_audit.report.triage import search_lines, triage_lines, verdict_line
from whatsapp_audit.scan import ExportScan, ScanFinding, ScanResult
from whatsapp_audit.wording import plural

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def render_text(result: ScanResult | CaseResult, console: Console, context: int = 2,
                case: CaseDetails | dict[str, str] | None = None) -> None:
    """Print the whole report to `console` (made by cli.console, markup and emoji off)."""
    run = as_case(result)
    single = run.single
    for name, value in CaseDetails.of(case).given(short=True):
        console.print(Text(f"{name:<14}", style="bold") + inert(value))
    if single is not None:
        _export_header(single, console)
    else:
        _case_header(run, console)
    for note in case_limitations(run):
        console.print(Text("note          ") + inert(note))
    if run.skipped_rules:
        console.print(Text(f"note          {plural(len(run.skipped_rules), 'rule')} not run: no detector registered for them"))
    if run.min_confidence != "low":
        console.print(Text(f"note          only findings of {run.min_confidence} confidence or above are listed"))
    for line in search_lines(run) + triage_lines(run):
        console.print(Text("note          ") + inert(line))
    console.print()
    shown = -1
    for number, item in numbered(run):
        if single is None and item.source != shown:
            shown = item.source
            console.print(Text(f"Exhibit {shown + 1}  ", style="bold") + inert(run.path(shown), style="bold"))
            console.print()
        console.print(finding_block(run, item, number, context))
        console.print()
    render_summary(run, console)


def _export_header(export: ExportScan, console: Console) -> None:
    name = export.source.chat_member or export.source.path.replace("\\", "/").rsplit("/", 1)[-1]
    console.print(Text("Conversation  ", style="bold") + inert(name, style="bold"))
    console.print(Text("Export        ") + inert(export.source.path))
    console.print(Text(f"sha256        {export.source.sha256}"))
    console.print(Text(f"lines         {coverage_line(export.stats)}"))


def _case_header(case: CaseResult, console: Console) -> None:
    failed = len(case.failed)
    console.print(Text(f"Case          {len(case.exports)} exports: {len(case.scanned)} scanned"
                       + (f", {failed} NOT SCANNED" if failed else ""), style="bold"))
    for index, export in enumerate(case.exports):
        console.print(Text(f"Exhibit {index + 1:<5} ", style="bold") + inert(case.path(index), style="bold"))
        if isinstance(export, ExportFailure):
            console.print(Text("  NOT SCANNED ", style="bold red") + inert(export.reason))
            if export.sha256:
                console.print(Text(f"  sha256      {export.sha256}"))
            continue
        if export.source.chat_member:
            console.print(Text("  chat        ") + inert(export.source.chat_member))
        console.print(Text(f"  sha256      {export.source.sha256}"))
        console.print(Text(f"  lines       {coverage_line(export.stats)}"))
        console.print(Text(f"  findings    {export.counts.findings}"))
    if case.skipped:
        console.print(Text(f"Skipped       {plural(len(case.skipped), 'file')} that {'was' if len(case.skipped) == 1 else 'were'} not read:"))
        for item in case.skipped:
            console.print(Text("  ") + inert(item.path) + Text(f": {item.reason}"))


def finding_block(result: ScanResult | CaseResult, item: ScanFinding, number: int, context: int) -> Group:
    result = as_case(result)
    finding = item.finding
    clock = time_format(result, item.source)
    head = Text(f"#{number} ", style="bold")
    head.append(f"{finding.rule}", style="bold")
    head.append(f"  {result.titles.get(finding.rule, '')}  ")
    head.append(f"severity {finding.severity.value}", style=SEVERITY_STYLE[finding.severity.value])
    head.append(f"  confidence {finding.confidence.value} ({finding.score:.2f})")
    where = Text("    ") + inert(label(item.author), style="bold")
    where.append(f"  {item.timestamp:%Y-%m-%d} {item.timestamp.strftime(clock)}  line {finding.line}")
    if item.end_line != finding.line:
        where.append(f"-{item.end_line}")
    if result.single is None:
        where.append(f"  exhibit {item.source + 1} ")
        where.append_text(inert(result.label(item.source)))
    lines: list[Text] = [head, where]
    before, after = trimmed(item, context)
    lines += [context_line(m, clock=clock) for m in before]
    if item.message is not None:
        lines.append(context_line(item.message, marker="> ", style="", start=finding.start, end=finding.end, clock=clock))
    lines += [context_line(m, clock=clock) for m in after]
    if finding.matched is not None:
        lines.append(Text("    match:    ") + inert(finding.matched))
    lines.append(Text("    reason:   ") + inert(finding.explanation.reason))
    exif = exif_evidence(item, redacted=result.redaction is not None)
    if exif is not None:
        lines.append(Text("              ") + inert(exif.line(), style="bold"))
    if finding.characteristics:
        lines.append(Text(f"    concerns: {characteristic_text(finding.characteristics)} (protected characteristic)"))
    if finding.explanation.context_words:
        lines.append(Text("    context:  ") + inert(", ".join(finding.explanation.context_words)))
    why, guidance = rule_texts(result, finding.rule)
    if why:
        lines.append(Text(f"    why:      {why}"))
    if guidance:
        lines.append(Text(f"    guidance: {guidance}"))
    if item.review is not None:
        lines.append(Text("    review:   ", style="bold") + inert(verdict_line(item.review), style="bold"))
    return Group(*lines)


def render_summary(result: ScanResult | CaseResult, console: Console) -> None:
    result = as_case(result)
    several = result.single is None
    counts = result.counts
    by_category = Table(title="Findings by category", title_justify="left", show_edge=False)
    by_category.add_column("category")
    by_category.add_column("findings", justify="right")
    for category, value in counts.by_category.items():
        by_category.add_row(CATEGORY_LABELS.get(category, category), str(value))
    console.print(by_category)
    if counts.by_rule:
        by_rule = Table(title="Findings by rule", title_justify="left", show_edge=False)
        by_rule.add_column("rule")
        by_rule.add_column("title")
        by_rule.add_column("findings", justify="right")
        for rule_id, value in counts.by_rule.items():
            by_rule.add_row(rule_id, result.titles.get(rule_id, ""), str(value))
        console.print(by_rule)
    if several:
        exhibits = Table(title="Findings by exhibit", title_justify="left", show_edge=False)
        for name, justify in (("exhibit", "right"), ("file", "left"), ("messages", "right"), ("findings", "right")):
            exhibits.add_column(name, justify=justify)  # type: ignore[arg-type]
        for index, export in enumerate(result.exports):
            if isinstance(export, ExportScan):
                exhibits.add_row(str(index + 1), inert(result.label(index)), f"{export.counts.messages:,}",
                                 str(export.counts.findings))
            else:
                exhibits.add_row(str(index + 1), inert(result.label(index)), "-", "not scanned")
        console.print(exhibits)
    people = Table(title="Participants", title_justify="left", show_edge=False)
    columns = ("exhibit",) * several + ("participant", "messages", "findings", "operational", "images",
                                        "discriminatory", "highest")
    for name in columns:
        people.add_column(name, justify="left" if name in ("participant", "highest") else "right")
    unsaved: list[str] = []
    rows = participants(result)
    names = distinct_displays(row.name for row in rows)
    for row in rows:
        values = list(row.by_category.values())
        people.add_row(*(str(row.source + 1),) * several, inert(names[row.name]), str(row.messages),
                       str(row.findings), *(str(v) for v in values), row.highest or "-")
        if unsaved_as(row.name):
            unsaved.append(f"{names[row.name]} ({unsaved_as(row.name)})")
    console.print(people)
    if unsaved:
        console.print(Text("Not saved in the exporting phone: ") + inert(", ".join(unsaved)))
    days = timeline(result.findings)
    if days:
        largest = max(day.findings for day in days)
        line = Table(title="Timeline (findings per day)", title_justify="left", show_edge=False)
        line.add_column("date")
        line.add_column("findings", justify="right")
        line.add_column("")
        for day in days:
            line.add_row(day.date, str(day.findings), bar(day.findings, largest))
        console.print(line)
    by_severity = ", ".join(f"{name} {value}" for name, value in counts.by_severity.items())
    console.print()
    console.print(Text(f"{plural(counts.findings, 'finding')} in {plural(counts.messages, 'message')} ({by_severity})"))
