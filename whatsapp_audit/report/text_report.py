"""The investigator's terminal report: findings in time order with context, then summaries.

Each finding shows rule, severity, confidence, author, time, line, the message with the match
highlighted, a few messages either side, the reason and the guidance. The summary gives counts by
category, rule and participant and a timeline of findings per day. Rendered from a finished
`ScanResult`; never re-runs detection.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.report.authors import distinct_displays, label
from whatsapp_audit.report.authors import unsaved as unsaved_as
from whatsapp_audit.report.summary import CATEGORY_LABELS, participants, rule_texts, timeline, trimmed
from whatsapp_audit.report.terminal import bar, context_line, inert
from whatsapp_audit.scan import ScanFinding, ScanResult

SEVERITY_STYLE = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def in_time_order(result: ScanResult) -> list[ScanFinding]:
    """Findings by message time, then by place in the file (exports can step backwards in time)."""
    return sorted(result.findings, key=lambda item: (item.timestamp, item.sort_key))


def render_text(result: ScanResult, console: Console, context: int = 2) -> None:
    """Print the whole report to `console` (made by cli.console, markup and emoji off)."""
    name = result.source.chat_member or result.source.path.replace("\\", "/").rsplit("/", 1)[-1]
    console.print(Text("Conversation  ", style="bold") + inert(name, style="bold"))
    console.print(Text("Export        ") + inert(result.source.path))
    console.print(Text(f"sha256        {result.source.sha256}"))
    console.print(Text(f"lines         {coverage_line(result.stats)}"))
    for note in result.limitations:
        console.print(Text("note          ") + inert(note))
    if result.skipped_rules:
        console.print(Text(f"note          {len(result.skipped_rules)} rule(s) not run: no detector registered for them"))
    if result.min_confidence != "low":
        console.print(Text(f"note          only findings of {result.min_confidence} confidence or above are listed"))
    console.print()
    for number, item in enumerate(in_time_order(result), 1):
        console.print(finding_block(result, item, number, context))
        console.print()
    render_summary(result, console)


def finding_block(result: ScanResult, item: ScanFinding, number: int, context: int) -> Group:
    finding = item.finding
    head = Text(f"#{number} ", style="bold")
    head.append(f"{finding.rule}", style="bold")
    head.append(f"  {result.titles.get(finding.rule, '')}  ")
    head.append(f"severity {finding.severity.value}", style=SEVERITY_STYLE[finding.severity.value])
    head.append(f"  confidence {finding.confidence.value} ({finding.score:.2f})")
    where = Text("    ") + inert(label(item.author), style="bold")
    where.append(f"  {item.timestamp:%Y-%m-%d %H:%M:%S}  line {finding.line}")
    if item.end_line != finding.line:
        where.append(f"-{item.end_line}")
    lines: list[Text] = [head, where]
    before, after = trimmed(item, context)
    lines += [context_line(m) for m in before]
    if item.message is not None:
        lines.append(context_line(item.message, marker="> ", style="", start=finding.start, end=finding.end))
    lines += [context_line(m) for m in after]
    if finding.matched is not None:
        lines.append(Text("    match:    ") + inert(finding.matched))
    lines.append(Text("    reason:   ") + inert(finding.explanation.reason))
    if finding.explanation.context_words:
        lines.append(Text("    context:  ") + inert(", ".join(finding.explanation.context_words)))
    why, guidance = rule_texts(result, finding.rule)
    if why:
        lines.append(Text(f"    why:      {why}"))
    if guidance:
        lines.append(Text(f"    guidance: {guidance}"))
    return Group(*lines)


def render_summary(result: ScanResult, console: Console) -> None:
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
    people = Table(title="Participants", title_justify="left", show_edge=False)
    for name in ("participant", "messages", "findings", "operational", "images", "discriminatory", "highest"):
        people.add_column(name, justify="left" if name in ("participant", "highest") else "right")
    unsaved: list[str] = []
    rows = participants(result)
    names = distinct_displays(row.name for row in rows)
    for row in rows:
        values = list(row.by_category.values())
        people.add_row(inert(names[row.name]), str(row.messages), str(row.findings),
                       *(str(v) for v in values), row.highest or "-")
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
    console.print(Text(f"{counts.findings} finding(s) in {counts.messages:,} messages ({by_severity})"))
