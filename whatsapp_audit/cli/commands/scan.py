"""`whatsapp-audit scan`: find operational data, crime-scene images and discriminatory language.

For investigators: one export or many (files and folders, one case report), any report format
(several in one run), an evidence pack with `--out DIR`, and exit 1 when findings reach
`--fail-on`. Every output path is checked before the scan starts, so a long run never ends in a
refusal.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from whatsapp_audit.case import CaseResult, Finished, Outcome
from whatsapp_audit.cli.batch import check_cluster_options, find_inputs, run_case
from whatsapp_audit.cli.console import color_option, make_console, progress_option
from whatsapp_audit.cli.narrowing import read_narrowing, search_options, triage_options
from whatsapp_audit.cli.options import (
    chosen_date_order,
    chosen_jobs,
    cluster_option,
    date_order_option,
    exports_argument,
    jobs_option,
    model_option,
    output_stream,
    refuse_beside_evidence,
)
from whatsapp_audit.discover import Inputs
from whatsapp_audit.errors import UsageError
from whatsapp_audit.ingest.provenance import coverage_line
from whatsapp_audit.model import Severity
from whatsapp_audit.report.render import FORMATS, render
from whatsapp_audit.report.summary import case_limitations
from whatsapp_audit.report.triage import search_log, triage_lines
from whatsapp_audit.rules.loader import PatternSet, load_patterns
from whatsapp_audit.rules.optional import choose_model
from whatsapp_audit.scan import DEFAULT_CONTEXT, ExportScan, rules_not_run
from whatsapp_audit.triage.apply import apply_triage
from whatsapp_audit.wording import plural

if TYPE_CHECKING:  # redaction's modules only by a run with --redact, the evidence pack's with --out
    from whatsapp_audit.redact.key import CaseKey
    from whatsapp_audit.report.pack import EvidencePack

FAIL_ON = ("low", "medium", "high", "never")
LEVELS = ("low", "medium", "high")


def parse_report(value: str) -> tuple[str, Path | None]:
    """`FORMAT` (to stdout) or `FORMAT:PATH`."""
    fmt, _, path = value.partition(":")
    if fmt not in FORMATS:
        raise UsageError(f"--report {value}: format must be one of {', '.join(FORMATS)}")
    return fmt, (Path(path) if path else None)


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl", ".csv": "csv",
                   ".sarif": "sarif", ".txt": "text"}


def refuse_report_as_pack(pack_dir: Path) -> None:
    """`--out report.html` would make a folder called report.html: say what was probably meant."""
    suffix = pack_dir.suffix.lower()
    start = f"--out {pack_dir}: --out makes an evidence pack folder, not a report file"
    if suffix == ".pdf":
        html = pack_dir.with_suffix(".html")
        raise UsageError(f"{start}; for a PDF write the HTML report (--output {html} --format html) and print it "
                         "from a browser (each page carries the case details and page numbers)")
    fmt = REPORT_SUFFIXES.get(suffix)
    if fmt is not None:
        raise UsageError(f"{start}; to write one report use --output {pack_dir} --format {fmt} "
                         f"(or --report {fmt}:{pack_dir})")


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
@exports_argument
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
@click.option("--case-ref", default="", help="Case reference: in every report (and on every printed page of the HTML).")
@click.option("--exhibit-ref", default="", help="Exhibit reference: in every report (and on every printed page of the HTML).")
@click.option("--examiner", default="", help="Who ran the examination: in every report.")
@click.option("--purpose", default="", help="Why the examination was made: in every report.")
@click.option("--force", is_flag=True, help="Replace an earlier evidence pack in the --out folder.")
@click.option("--context", "context", type=click.IntRange(0, 50), default=None,
              help="Messages shown each side of a finding [default: 2 in the terminal, 5 in HTML/JSON/CSV].")
@click.option("--min-confidence", type=click.Choice(LEVELS), default="low", show_default=True,
              help="Leave out findings below this confidence.")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also load this folder (or .toml file) of rules, e.g. a force's own pack. Repeatable.")
@click.option("--no-default-patterns", is_flag=True, help="Use only the --patterns given, not the bundled rules.")
@model_option
@date_order_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Exit 1 when a finding has at least this severity (never: always exit 0).")
@color_option
@progress_option
@click.option("--generated-at", default=None, metavar="ISO-TIME",
              help="Use this time as the report time (reproducible reports for tests and examples).")
@jobs_option
@cluster_option
@click.option("--redact", "redact", is_flag=True,
              help="Redact every report for disclosure the way `whatsapp-audit redact` redacts a copy: people become "
                   "pseudonyms, operational values typed markers (docs/redaction.md). Not with --out: an evidence "
                   "pack holds the evidence as it is.")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False),
              help="With --redact: the case key, as `redact --key` (the same pseudonyms as the redacted copies).")
@click.option("--keep", multiple=True, metavar="NAME", help="With --redact: leave this participant as they are. Repeatable.")
@search_options
@triage_options
@click.pass_context
def command(ctx: click.Context, exports: tuple[Path, ...], fmt: str, output: Path | None, reports: tuple[str, ...],
            pack_dir: Path | None, case_ref: str, exhibit_ref: str, examiner: str, purpose: str, force: bool,
            context: int | None, min_confidence: str, patterns_dirs: tuple[Path, ...], no_default_patterns: bool,
            model: bool | None, date_order: str, fail_on: str, color: str, no_progress: bool, generated_at: str | None,
            jobs: int, cluster: str | None, redact: bool, key_path: Path | None, keep: tuple[str, ...],
            categories: tuple[str, ...], rule_globs: tuple[str, ...],
            participants: tuple[str, ...], since: str | None, until: str | None, review_file: Path | None,
            hide_reviewed: tuple[str, ...], allowlists: tuple[Path, ...]) -> int:
    """Scan exports (.txt or .zip, or folders of them) and report every indicator for review, with why.

    Several exports give one case report that names every exhibit and its SHA-256; an export that
    cannot be read is reported (here and in the report) and the others are still scanned.

    \b
    Examples:
      whatsapp-audit scan chat.txt
      whatsapp-audit scan export.zip --report html:/cases/42/report.html --report csv:/cases/42/findings.csv
      whatsapp-audit scan /exhibits/DH-1 /exhibits/DH-2/chat.zip --out /cases/42/pack --case-ref 42/2024 --examiner "DC Ash"
      whatsapp-audit scan chat.txt --category discriminatory_language --participant "Dan Cole" --since 2024-03-01
      whatsapp-audit scan chat.txt --review review.json --hide-reviewed not_a_concern --allowlist force.toml
      whatsapp-audit verify /cases/42/pack
    """
    when = frozen_time(generated_at)
    check_cluster_options(cluster, jobs)
    if pack_dir is not None:
        refuse_report_as_pack(pack_dir)
    case = {"case_ref": case_ref, "exhibit_ref": exhibit_ref, "examiner": examiner, "purpose": purpose}
    outputs = _outputs(ctx, fmt, output, reports, pack_dir)
    narrowing = read_narrowing(categories, rule_globs, participants, since, until, review_file, hide_reviewed,
                               allowlists)
    patterns = load_patterns(list(patterns_dirs), include_default=not no_default_patterns)
    patterns = choose_model(patterns, model)
    narrowing.check_against(patterns)
    inputs = find_inputs(exports)
    for _, path in outputs:  # refuse before reading anything, not after a long scan
        if path is not None:
            refuse_beside_evidence(path, inputs.exports, inputs.folders)
    key = _redaction_key(redact, key_path, keep, pack_dir, outputs, inputs)
    pack = None
    if pack_dir is not None:
        refuse_beside_evidence(pack_dir, inputs.exports, inputs.folders)
        from whatsapp_audit.report.pack import EvidencePack, prepare_folder, utc_now  # only a run with --out

        replaced = prepare_folder(pack_dir, force)
        options = _resolved(ctx)
        argv = (ctx.find_root().obj or {}).get("argv") or ["whatsapp-audit", *sys.argv[1:]]
        pack = EvidencePack(pack_dir, argv, options, case, clock=(lambda: when) if when else utc_now)
        pack.log("started", exports=[str(path) for path in inputs.exports], options=options)
        if replaced:
            pack.log("replaced", files=replaced, reason="--force")
        _log_start(pack, inputs, patterns)
    capture = max(DEFAULT_CONTEXT, context or 0)
    try:
        result = run_case(inputs, show_progress=not no_progress, color=color, patterns=patterns,
                          date_order=chosen_date_order(date_order), context=capture, min_confidence=min_confidence,
                          jobs=chosen_jobs(jobs), cluster=cluster, search=narrowing.search,
                          finished=None if pack is None else _export_logger(pack, several=len(inputs.exports) > 1))
        result = apply_triage(result, narrowing.allowlists, narrowing.review, narrowing.hide)
        if pack is not None:
            _log_results(pack, result)
            pack.finish(result, context)
    except BaseException as error:
        if pack is not None:
            pack.abort("interrupted" if isinstance(error, KeyboardInterrupt) else type(error).__name__)
        raise
    if key is not None:  # the one hook: every report below is rendered from the redacted case
        from whatsapp_audit.redact.key import save_key
        from whatsapp_audit.report.redaction import redact_case

        result = redact_case(result, key, keep)
        save_key(key)
    for report_fmt, path in outputs:
        _write(report_fmt, path, result, inputs, when, context, color, case)
    if pack is not None or any(path is not None or f != "text" for f, path in outputs):
        single = result.single
        if single is not None:
            click.echo(coverage_line(single.stats), err=True)
        else:
            click.echo(f"{len(result.exports)} exports: {len(result.scanned)} scanned, {len(result.failed)} not scanned; "
                       f"{result.counts.messages:,} messages", err=True)
        click.echo(plural(result.counts.findings, "finding"), err=True)
        for line in triage_lines(result):
            click.echo(line, err=True)
    if pack is not None:
        click.echo(f"evidence pack written to {pack_dir}; check it with: whatsapp-audit verify {pack_dir}", err=True)
    if fail_on == "never":
        return 0
    return 1 if result.at_or_above(Severity(fail_on)) else 0


def _redaction_key(redact: bool, key_path: Path | None, keep: tuple[str, ...], pack_dir: Path | None,
                   outputs: list[tuple[str, Path | None]], inputs: Inputs) -> CaseKey | None:
    """The case key for `--redact` (a throw-away one without --key), after every refusal; None without it."""
    if not redact:
        if key_path is not None or keep:
            raise UsageError("--key and --keep go with --redact")
        return None
    if pack_dir is not None:
        raise UsageError("--redact cannot make an evidence pack (--out): the pack holds the evidence as it is; "
                         "write redacted reports with --report FORMAT:PATH in a separate run")
    if key_path is not None:
        refuse_beside_evidence(key_path, inputs.exports, inputs.folders)
        folders = {path.expanduser().resolve().parent for _, path in outputs if path is not None}
        if key_path.expanduser().resolve().parent in folders:
            raise UsageError(f"{key_path}: --key must not be in the folder of a redacted report (it re-identifies "
                             "everyone and would travel with the disclosure); keep it with the case papers")
    from whatsapp_audit.redact.key import key_permission_problem, load_key

    key = load_key(key_path)
    if key_path is not None and not key.created and (problem := key_permission_problem(key_path)):
        click.echo(f"whatsapp-audit: warning: {problem}", err=True)
    return key


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


def _write(fmt: str, path: Path | None, result: CaseResult, inputs: Inputs, when: datetime | None,
           context: int | None, color: str, case: dict[str, str]) -> None:
    with output_stream(path, inputs.exports, bom=fmt == "csv" and path is not None, folders=inputs.folders) as out:
        console = make_console(color=color) if fmt == "text" and path is None else None
        render(fmt, result, out, generated_at=when, context=context, console=console, case=case)
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


def _log_start(pack: EvidencePack, inputs: Inputs, patterns: PatternSet) -> None:
    """What is known before the scan: the files passed over, the rules loaded."""
    for item in inputs.skipped:
        pack.log("skipped", file=item.path, reason=item.reason)
    pack.log("patterns_loaded", files=len(patterns.files), rules=len(patterns.rules),
             rules_not_run=list(rules_not_run(patterns)))


def _export_logger(pack: EvidencePack, several: bool) -> Finished:
    """Logs each export as soon as it is scanned (or fails), at that time: hashed, read, examined."""

    def finished(index: int, export: Outcome) -> None:
        where = {"source": index} if several else {}
        if not isinstance(export, ExportScan):
            pack.log("input_failed", **where, file=export.path, sha256=export.sha256, size=export.size,
                     reason=export.reason)
            return
        source = export.source
        pack.log("input_hashed", **where, **({"file": source.path} if several else {}), sha256=source.sha256,
                 size=source.size, container=source.container)
        pack.log("media_listed", **where, members=len(export.media), not_read=sum(1 for m in export.media if m.note))
        pack.log("parsed", **where, lines=export.stats.total_lines, messages=export.counts.messages,
                 unparsed_lines=export.stats.unparsed_lines, accounted=export.stats.accounted)
        pack.log("detected", **where, examined=export.counts.examined, findings=export.counts.findings,
                 by_category=export.counts.by_category)

    return finished


def _log_results(pack: EvidencePack, result: CaseResult) -> None:
    """What the run concluded, once every export is in: the search's extent, triage, limitations."""
    if result.search is not None:
        pack.log("search_narrowed", **search_log(result))
    triage = result.triage
    if triage is not None:
        for allowlist_index, allowlist in enumerate(triage.allowlists):
            pack.log("allowlist_applied", file=allowlist.path, sha256=allowlist.sha256, entries=len(allowlist.entries),
                     suppressed=[len(triage.suppressed_by(allowlist_index, i)) for i in range(len(allowlist.entries))])
        if triage.review is not None:
            pack.log("review_applied", file=triage.review.path, sha256=triage.review.sha256,
                     entries=len(triage.review.reviews), by_verdict=triage.by_verdict, unreviewed=triage.unreviewed,
                     hidden=triage.hidden)
    for note in case_limitations(result):
        pack.log("limitation", note=note)
