"""`whatsapp-audit scan`: find operational data, crime-scene images and discriminatory language.

For investigators: any report format (several in one run), an evidence pack with `--out DIR`, and
exit 1 when findings reach `--fail-on`. Every output path is checked before the scan starts, so a
long run never ends in a refusal.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from whatsapp_audit.cli.console import color_option, make_console, progress_bar, progress_option
from whatsapp_audit.cli.options import (
    chosen_date_order,
    chosen_jobs,
    date_order_option,
    export_argument,
    jobs_option,
    output_stream,
    refuse_beside_evidence,
)
from whatsapp_audit.errors import UsageError
from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.model import Severity
from whatsapp_audit.report.pack import EvidencePack, prepare_folder, utc_now
from whatsapp_audit.report.render import FORMATS, render
from whatsapp_audit.scan import DEFAULT_CONTEXT, ScanResult, scan

FAIL_ON = ("low", "medium", "high", "never")
LEVELS = ("low", "medium", "high")


def parse_report(value: str) -> tuple[str, Path | None]:
    """`FORMAT` (to stdout) or `FORMAT:PATH`."""
    fmt, _, path = value.partition(":")
    if fmt not in FORMATS:
        raise UsageError(f"--report {value}: format must be one of {', '.join(FORMATS)}")
    return fmt, (Path(path) if path else None)


def frozen_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--generated-at {value}: not an ISO 8601 time such as 2024-05-01T09:00:00Z") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@click.command("scan", epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration, "
               "3 input, 5 internal error, 130 interrupted.")
@export_argument
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the terminal report; json: the full report (docs/json-report.md); jsonl: one finding "
                   "per line; csv: for spreadsheets; html: one offline page with filters; sarif: SARIF 2.1.0.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the --format report here instead of stdout (never inside the export's folder).")
@click.option("--report", "reports", multiple=True, metavar="FORMAT[:PATH]",
              help="Another output, e.g. --report html:case.html --report csv:case.csv. Repeatable; at most one to stdout.")
@click.option("--out", "pack_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write an evidence pack to this new folder: findings.json, report.html, findings.csv, "
                   "manifest.json, audit.log.jsonl, search-strategy.md, SHA256SUMS.")
@click.option("--case-ref", default="", help="Case reference, recorded in the pack.")
@click.option("--exhibit-ref", default="", help="Exhibit reference, recorded in the pack.")
@click.option("--examiner", default="", help="Who ran the examination, recorded in the pack.")
@click.option("--purpose", default="", help="Why the examination was made, recorded in the pack.")
@click.option("--force", is_flag=True, help="Replace an earlier evidence pack in the --out folder.")
@click.option("--context", "context", type=click.IntRange(0, 50), default=None,
              help="Messages shown each side of a finding [default: 2 in the terminal, 5 in HTML/JSON/CSV].")
@click.option("--min-confidence", type=click.Choice(LEVELS), default="low", show_default=True,
              help="Leave out findings below this confidence.")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also load this folder (or .toml file) of rules, e.g. a force's own pack. Repeatable.")
@click.option("--no-default-patterns", is_flag=True, help="Use only the --patterns given, not the bundled rules.")
@date_order_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Exit 1 when a finding has at least this severity (never: always exit 0).")
@color_option
@progress_option
@click.option("--generated-at", default=None, metavar="ISO-TIME",
              help="Use this time as the report time (reproducible reports for tests and examples).")
@jobs_option
@click.pass_context
def command(ctx: click.Context, export: Path, fmt: str, output: Path | None, reports: tuple[str, ...],
            pack_dir: Path | None, case_ref: str, exhibit_ref: str, examiner: str, purpose: str, force: bool,
            context: int | None, min_confidence: str, patterns_dirs: tuple[Path, ...], no_default_patterns: bool,
            date_order: str, fail_on: str, color: str, no_progress: bool, generated_at: str | None,
            jobs: int) -> int:
    """Scan an export (.txt or .zip) and report every indicator for review, with why it was raised.

    \b
    Examples:
      whatsapp-audit scan chat.txt
      whatsapp-audit scan export.zip --report html:/cases/42/report.html --report csv:/cases/42/findings.csv
      whatsapp-audit scan export.zip --out /cases/42/pack --case-ref 42/2024 --exhibit-ref DH/1 --examiner "DC Ash"
      whatsapp-audit verify /cases/42/pack
    """
    when = frozen_time(generated_at)
    outputs = _outputs(ctx, fmt, output, reports, pack_dir)
    for _, path in outputs:  # refuse before reading anything, not after a long scan
        if path is not None:
            refuse_beside_evidence(path, [export])
    pack = None
    if pack_dir is not None:
        refuse_beside_evidence(pack_dir, [export])
        replaced = prepare_folder(pack_dir, force)
        options = _resolved(ctx)
        case = {"case_ref": case_ref, "exhibit_ref": exhibit_ref, "examiner": examiner, "purpose": purpose}
        argv = (ctx.find_root().obj or {}).get("argv") or ["whatsapp-audit", *sys.argv[1:]]
        pack = EvidencePack(pack_dir, argv, options, case, clock=(lambda: when) if when else utc_now)
        pack.log("started", export=str(export), options=options)
        if replaced:
            pack.log("replaced", files=replaced, reason="--force")
    capture = max(DEFAULT_CONTEXT, context or 0)
    try:
        with progress_bar(not no_progress, color) as progress:
            result = scan(export, patterns_dirs=patterns_dirs, include_default_patterns=not no_default_patterns,
                          date_order=chosen_date_order(date_order), context=capture,
                          min_confidence=min_confidence, progress=progress, jobs=chosen_jobs(jobs))
        if pack is not None:
            _log_scan(pack, result)
            pack.finish(result, context)
    except BaseException as error:
        if pack is not None:
            pack.abort("interrupted" if isinstance(error, KeyboardInterrupt) else type(error).__name__)
        raise
    for report_fmt, path in outputs:
        _write(report_fmt, path, result, export, when, context, color)
    if pack is not None or any(path is not None or f != "text" for f, path in outputs):
        click.echo(coverage_line(result.stats), err=True)
        click.echo(f"{result.counts.findings} finding(s)", err=True)
    if pack is not None:
        click.echo(f"evidence pack written to {pack_dir}; check it with: whatsapp-audit verify {pack_dir}", err=True)
    if fail_on == "never":
        return 0
    return 1 if result.at_or_above(Severity(fail_on)) else 0


def _outputs(ctx: click.Context, fmt: str, output: Path | None, reports: tuple[str, ...],
             pack_dir: Path | None) -> list[tuple[str, Path | None]]:
    explicit = any(ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE for name in ("fmt", "output"))
    outputs = [parse_report(value) for value in reports]
    if explicit or not (outputs or pack_dir):
        outputs.insert(0, (fmt, output))
    if sum(1 for _, path in outputs if path is None) > 1:
        raise UsageError("only one report can go to stdout; give the others a path (--report FORMAT:PATH)")
    paths = [path.expanduser().resolve() for _, path in outputs if path is not None]
    if len(paths) != len(set(paths)):
        raise UsageError("two reports would be written to the same file")
    return outputs


def _write(fmt: str, path: Path | None, result: ScanResult, export: Path, when: datetime | None,
           context: int | None, color: str) -> None:
    with output_stream(path, [export], bom=fmt == "csv" and path is not None) as out:
        console = make_console(color=color) if fmt == "text" and path is None else None
        render(fmt, result, out, generated_at=when, context=context, console=console)
        out.flush()


def _resolved(ctx: click.Context) -> dict[str, Any]:
    """Every option's value and where it came from (command line, environment or default), for the manifest."""
    resolved: dict[str, Any] = {}
    flags = {param.name: (param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0]) for param in ctx.command.params}
    for name, value in sorted(ctx.params.items()):
        source = ctx.get_parameter_source(name)
        shown = [str(v) for v in value] if isinstance(value, tuple) else (str(value) if isinstance(value, Path) else value)
        resolved[name] = {"value": shown, "source": source.name.lower() if source else "default", "flag": flags.get(name, name)}
    return resolved


def _log_scan(pack: EvidencePack, result: ScanResult) -> None:
    pack.log("input_hashed", sha256=result.source.sha256, size=result.source.size, container=result.source.container)
    pack.log("patterns_loaded", files=len(result.patterns.files), rules=len(result.patterns.rules),
             rules_not_run=list(result.skipped_rules))
    pack.log("media_listed", members=len(result.media), not_read=sum(1 for m in result.media if m.note))
    pack.log("parsed", lines=result.stats.total_lines, messages=result.counts.messages,
             unparsed_lines=result.stats.unparsed_lines, accounted=result.stats.accounted)
    pack.log("detected", examined=result.counts.examined, findings=result.counts.findings,
             by_category=result.counts.by_category)
    for note in result.limitations:
        pack.log("limitation", note=note)
