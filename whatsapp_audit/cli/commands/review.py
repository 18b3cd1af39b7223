"""`whatsapp-audit review`: what reviewers' verdicts add up to (`stats`), and two reviewers' files as one (`merge`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from whatsapp_audit.cli.console import color_option, make_console
from whatsapp_audit.cli.options import output_stream
from whatsapp_audit.errors import UsageError
from whatsapp_audit.report.review_report import render_disagreements, render_stats, write_review_file, write_stats_json
from whatsapp_audit.triage.merge import merge_reviews
from whatsapp_audit.triage.review import load_review
from whatsapp_audit.triage.stats import load_report_findings, review_stats
from whatsapp_audit.wording import plural

_FILE = click.Path(path_type=Path, dir_okay=False, exists=True)


@click.group("review")
def command() -> None:
    """Review files (docs/review.md): validation figures from verdicts, and reviewers' files combined.

    A review file records a verdict (confirmed, not_a_concern, unsure) and a note per finding id; the
    HTML report saves one, and `scan --review FILE` shows the verdicts in every report.
    """


@command.command("stats")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--report", "reports", multiple=True, type=_FILE, metavar="JSON",
              help="The JSON report (or a pack's findings.json) the verdicts were given on: puts verdicts against "
                   "their rules and counts the findings still without one. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="text: tables; json: the same figures (docs/review.md).")
@color_option
def stats(files: tuple[Path, ...], reports: tuple[Path, ...], fmt: str, color: str) -> int:
    """Per rule and per category: confirmed, not a concern and unsure verdicts, and the precision they imply.

    The figures a force records to validate its use of the tool (FSR-G-218). Several files are counted
    together; a finding two files give different verdicts is counted as disagreed.

    \b
    Examples:
      whatsapp-audit review stats review.json --report /cases/42/pack/findings.json
      whatsapp-audit review stats reviews/*.json --format json
    """
    result = review_stats([load_review(path) for path in files], [load_report_findings(path) for path in reports])
    if fmt == "json":
        write_stats_json(result, sys.stdout)
    else:
        render_stats(result, make_console(color=color))
    return 0


@command.command("merge")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the merged review file here instead of stdout.")
@color_option
def merge(files: tuple[Path, ...], output: Path | None, color: str) -> int:
    """Combine two (or more) reviewers' files into one, and list the findings where they disagree.

    Where they agree the verdict is kept with every reviewer and note; where they disagree the merged
    entry is `unsure`, its note names each verdict, and `disagreement` keeps their entries. Exit 1
    when they disagree on any finding, 0 otherwise.

    \b
    Examples:
      whatsapp-audit review merge ash.json birch.json -o review.json
    """
    if len(files) < 2:
        raise UsageError("review merge needs at least two review files")
    loaded = [load_review(path) for path in files]
    merged, disagreements = merge_reviews(loaded)
    if output is not None and output.expanduser().resolve() in {path.expanduser().resolve() for path in files}:
        raise UsageError(f"{output}: would overwrite one of the review files being merged; choose another name")
    with output_stream(output, []) as out:
        write_review_file(merged, out, merged_from=[{"path": f.path, "sha256": f.sha256} for f in loaded])
        out.flush()
    console = make_console(stderr=True, color=color)
    console.print(f"{len(merged)} entries from {len(files)} files; reviewers disagree on {plural(len(disagreements), 'finding')}"
                  + (":" if disagreements else ""))
    render_disagreements(disagreements, console)
    return 1 if disagreements else 0
