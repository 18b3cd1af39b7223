"""`whatsapp-audit inspect`: what the export is, how it was read, and what it cannot show."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from whatsapp_audit import collector
from whatsapp_audit.cli.console import chat_text, make_console
from whatsapp_audit.cli.options import chosen_date_order, date_order_option, export_argument
from whatsapp_audit.ingest.export import Export, open_export
from whatsapp_audit.ingest.provenance import coverage_line, coverage_record, source_record
from whatsapp_audit.model import author_name
from whatsapp_audit.report.authors import distinct_displays, saved_column
from whatsapp_audit.report.messages import RECORDS
from whatsapp_audit.wording import plural


@click.command("inspect")
@export_argument
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@date_order_option
def command(export: Path, fmt: str, date_order: str) -> int:
    """Describe an export: format, date order and why, participants, date range, counts, coverage.

    \b
    Examples:
      whatsapp-audit inspect chat.txt
      whatsapp-audit inspect export.zip --format json
    """
    with open_export(export, chosen_date_order(date_order)) as opened, collector.paused():
        opened.count_messages(RECORDS)  # the counts are what is wanted, not the messages
        record = inspect_record(opened)
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        _print(record)
    return 0


def inspect_record(opened: Export) -> dict[str, Any]:
    stats = opened.stats
    return {
        "source": source_record(opened),
        "coverage": coverage_record(stats),
        "coverage_summary": coverage_line(stats),
        "date_range": {
            "first": stats.first_timestamp.isoformat(timespec="seconds") if stats.first_timestamp else None,
            "last": stats.last_timestamp.isoformat(timespec="seconds") if stats.last_timestamp else None,
        },
        "participants": [
            {"name": name, "messages": count, "display_name": author_name(name).display,
             "shown_as": author_name(name).shown_as.value}
            for name, count in sorted(stats.authors.items(), key=lambda i: (-i[1], i[0]))
        ],
        "media_members": [
            {"name": m.name, "size": m.size, "sha256": m.sha256, "note": m.note} for m in opened.media_members()
        ],
        "limitations": opened.warnings(),
    }


def _print(record: dict[str, Any]) -> None:
    console = make_console()
    source, fmt = record["source"], record["source"]["format"]
    console.print(Text("Export", style="bold"))
    console.print(Text("  file      ") + chat_text(source["path"]))
    console.print(f"  sha256    {source['sha256']}")
    if source["chat_member"]:
        console.print(Text("  chat      ") + chat_text(source["chat_member"]) + Text(f" (sha256 {source['chat_sha256']})"))
    console.print(f"  format    {fmt['description']} ({source['encoding']}, {fmt['clock']} clock)")
    console.print(f"  dates     {fmt['date_order']}: {fmt['date_order_evidence']}")
    console.print(f"  range     {record['date_range']['first']} to {record['date_range']['last']}")
    console.print(f"  lines     {record['coverage_summary']}")
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in record["coverage"]["by_kind"].items())
    console.print(f"  kinds     {kinds}")
    coverage = record["coverage"]
    if coverage["system_unrecognised"]:
        lines = ", ".join(str(line) for line in coverage["system_unrecognised_lines"][:20])
        more = " ..." if coverage["system_unrecognised"] > 20 else ""
        console.print(f"  system    {plural(coverage['system_unrecognised'], 'system event')} not recognised "
                      f"(examined like messages): lines {lines}{more}")
    table = Table(title="Participants", title_justify="left", show_edge=False)
    table.add_column("name")
    table.add_column("messages", justify="right")
    table.add_column("saved in phone")
    names = distinct_displays(person["name"] for person in record["participants"])
    for person in record["participants"]:
        table.add_row(chat_text(names[person["name"]]), f"{person['messages']:,}", saved_column(person["name"]))
    console.print(table)
    if record["media_members"]:
        console.print(Text(f"Media files in the zip: {len(record['media_members'])}", style="bold"))
        for member in record["media_members"]:
            line = Text("  ") + chat_text(member["name"]) + Text(f"  {member['size']:,} bytes  {member['sha256'] or member['note']}")
            console.print(line)
    if record["limitations"]:
        console.print(Text("Limitations", style="bold"))
        for note in record["limitations"]:
            console.print(Text(f"  - {note}"))
