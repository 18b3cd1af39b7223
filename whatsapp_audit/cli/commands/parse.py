"""`whatsapp-audit parse`: the export's messages as JSON Lines, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit import collector
from whatsapp_audit.cli.options import chosen_date_order, chosen_jobs, date_order_option, export_argument, output_stream
from whatsapp_audit.ingest.export import open_export
from whatsapp_audit.ingest.provenance import coverage_line, coverage_record, source_record
from whatsapp_audit.processes import jobs_for
from whatsapp_audit.report.message_parts import helpers, plan, write_jsonl_parts
from whatsapp_audit.report.messages import RECORDS, write_csv, write_json, write_jsonl_segments


@click.command("parse")
@export_argument
@click.option("--format", "fmt", type=click.Choice(("jsonl", "json", "csv")), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@date_order_option
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Processes that share the parsing of --format jsonl (json and csv use one); 0: one per core "
                   "once the export is big enough. The output is the same, byte for byte, whatever the number. "
                   "One process is the default: on two cores a second one measured no faster, since one process "
                   "writes every record.")
def command(export: Path, fmt: str, output: Path | None, date_order: str, jobs: int) -> int:
    """Print the messages of an export, one record per message, in file order.

    \b
    Examples:
      whatsapp-audit parse chat.txt > messages.jsonl
      whatsapp-audit parse export.zip --format csv --output /cases/42/messages.csv
      whatsapp-audit parse big-chat.txt --jobs 2 --output messages.jsonl
    """
    processes = jobs_for(export, chosen_jobs(jobs)) if fmt == "jsonl" else 1
    with (helpers(processes - 1, export) as pool, open_export(export, chosen_date_order(date_order)) as opened,
          output_stream(output, [export], bom=fmt == "csv") as out, collector.paused()):
        messages = opened.iter_messages()
        parts = plan(opened, processes) if pool is not None else []
        if fmt == "jsonl" and pool is not None and len(parts) > 1:
            write_jsonl_parts(pool, opened, parts, processes, out)
        elif fmt == "jsonl":
            write_jsonl_segments(opened.iter_record_segments(RECORDS), out)
        elif fmt == "csv":
            write_csv(messages, out)
        else:
            header = {"source": source_record(opened)}
            write_json(messages, out, header, lambda: {"coverage": coverage_record(opened.stats), "limitations": opened.warnings()})
        out.flush()
        click.echo(coverage_line(opened.stats), err=True)
        for note in opened.warnings():
            click.echo(f"note: {note}", err=True)
    return 0
