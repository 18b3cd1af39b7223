"""`whatsapp-audit merge`: several exports of one chat as one timeline, and what each one lacks."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.cli.options import output_stream, refuse_beside_evidence
from whatsapp_audit.errors import UsageError
from whatsapp_audit.ingest.survey import DATE_ORDERS
from whatsapp_audit.merge import merge_exports
from whatsapp_audit.report.merge_report import FORMATS, render_merge


def _date_orders(values: tuple[str, ...], count: int) -> list[str | None]:
    """`--date-order ORDER` for every export, or `INDEX:ORDER` for one (repeatable)."""
    orders: list[str | None] = [None] * count
    for value in values:
        index, _, order = value.rpartition(":")
        if order not in DATE_ORDERS or (index and not index.isdigit()):
            raise UsageError(f"--date-order {value}: give {'|'.join(DATE_ORDERS)}, or INDEX:ORDER for one export")
        if not index:
            orders = [order] * count
        elif int(index) >= count:
            raise UsageError(f"--date-order {value}: there is no export {index} (exports are numbered from 0)")
        else:
            orders[int(index)] = order
    return orders


@click.command("merge")
@click.argument("exports", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True, exists=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: for reading; json: the documented record (docs/merge.md); html: one offline page.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here instead of stdout (never inside an export's folder).")
@click.option("--date-order", "date_orders", multiple=True, metavar="[INDEX:]ORDER",
              help="Day/month order (dmy, mdy, ymd) for every export, or INDEX:ORDER for one of them (numbered "
                   "from 0 in the order given). Default: each export's own dates settle it, and an export "
                   "they cannot settle is read the way that aligns with the others.")
def command(exports: tuple[Path, ...], fmt: str, output: Path | None, date_orders: tuple[str, ...]) -> int:
    """Align several exports of one chat (different phones, iOS or Android, any language) into one
    timeline: which exports hold each message, and per export the messages it lacks within the
    period it covers (deleted for me), before its first or after its last message (joined late,
    export cap, left early), deleted placeholders, and edits that differ.

    \b
    Examples:
      whatsapp-audit merge ios-export.txt android-export.zip
      whatsapp-audit merge a.txt b.txt c.zip --format json --output /cases/42/merge.json
      whatsapp-audit merge a.txt b.txt --format html -o /cases/42/merge.html --date-order 1:mdy
    """
    if len(exports) < 2:
        raise UsageError("merge needs at least two exports of the same chat")
    orders = _date_orders(date_orders, len(exports))
    if output is not None:
        refuse_beside_evidence(output, list(exports))
    result = merge_exports(exports, orders)
    with output_stream(output, list(exports)) as out:
        render_merge(fmt, result, out)
        out.flush()
    lacking = sum(len(g.within) for g in result.gaps)
    click.echo(f"{len(result.messages)} messages from {len(exports)} exports; {lacking} missing from an export "
               "within the period it covers", err=True)
    for note in result.warnings:
        click.echo(f"whatsapp-audit: warning: {note}", err=True)
    return 0
