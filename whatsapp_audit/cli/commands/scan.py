"""`whatsapp-audit scan`: find operational data, crime-scene images and discriminatory language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console
from rich.text import Text

from whatsapp_audit.cli.console import chat_text, make_console
from whatsapp_audit.cli.options import (
    chosen_date_order, date_order_option, export_argument, output_stream, refuse_beside_evidence,
)
from whatsapp_audit.model import Severity
from whatsapp_audit.report.json_report import write_json
from whatsapp_audit.report.provenance import coverage_line
from whatsapp_audit.scan import ScanResult, scan

FAIL_ON = ("low", "medium", "high", "never")


@click.command("scan")
@export_argument
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text: a plain listing; json: the full report (docs/json-report.md).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report here instead of stdout (never inside the export's folder).")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also load this folder (or .toml file) of rules, e.g. a force's own pack. Repeatable.")
@click.option("--no-default-patterns", is_flag=True, help="Use only the --patterns given, not the bundled rules.")
@date_order_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Exit 1 when a finding has at least this severity (never: always exit 0).")
def command(export: Path, fmt: str, output: Path | None, patterns_dirs: tuple[Path, ...],
            no_default_patterns: bool, date_order: str, fail_on: str) -> int:
    """Scan an export (.txt or .zip) and list every indicator for review, with why it was raised.

    \b
    Examples:
      whatsapp-audit scan chat.txt
      whatsapp-audit scan export.zip --format json --output /cases/42/findings.json
      whatsapp-audit scan chat.txt --patterns ./force-pack --fail-on high
    """
    if output is not None:  # refuse before reading anything, not after a long scan
        refuse_beside_evidence(output, [export])
    result = scan(export, patterns_dirs=patterns_dirs, include_default_patterns=not no_default_patterns,
                  date_order=chosen_date_order(date_order))
    with output_stream(output, [export]) as out:
        if fmt == "json":
            write_json(result, out)
        else:
            _write_text(result, out)
        out.flush()
    if fmt == "json" or output is not None:
        click.echo(coverage_line(result.stats), err=True)
        click.echo(f"{result.counts.findings} finding(s)", err=True)
    if fail_on == "never":
        return 0
    return 1 if result.at_or_above(Severity(fail_on)) else 0


def _write_text(result: ScanResult, out: TextIO) -> None:
    if out is sys.stdout:
        console = make_console()
    else:  # a file: plain text, no colour codes, never interpreting markup in chat text
        console = Console(file=out, markup=False, emoji=False, highlight=False, no_color=True,
                          color_system=None, soft_wrap=True)
    console.print(Text("Export  ") + chat_text(result.source.path))
    console.print(Text(f"sha256  {result.source.sha256}"))
    console.print(Text(f"lines   {coverage_line(result.stats)}"))
    for note in result.limitations:
        console.print(Text(f"note    {note}"))
    if result.skipped_rules:
        console.print(Text(f"note    {len(result.skipped_rules)} rule(s) not run: no detector registered for them"))
    console.print()
    for item in result.findings:
        finding = item.finding
        where = Text(f"line {finding.line:>6}  ", style="bold")
        head = Text(f"{finding.rule:<22} {finding.severity.value:<6} {finding.confidence.value:<6} ")
        who = chat_text(item.author or "(system)") + Text(f"  {item.timestamp:%Y-%m-%d %H:%M}")
        console.print(where + head + who)
        matched = chat_text(finding.matched) if finding.matched is not None else Text("(whole message)")
        console.print(Text("             ") + Text("match: ") + matched)
        console.print(Text("             ") + Text(finding.explanation.reason))
        if finding.explanation.context_words:
            console.print(Text("             context: ") + chat_text(", ".join(finding.explanation.context_words)))
    counts = result.counts
    by_severity = ", ".join(f"{name} {value}" for name, value in counts.by_severity.items())
    console.print()
    console.print(Text(f"{counts.findings} finding(s) in {counts.messages:,} messages ({by_severity})"))
