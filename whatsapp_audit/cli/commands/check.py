"""`whatsapp-audit check`: an officer checks their own groups, privately, in plain words."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.cli.batch import find_inputs, run_case
from whatsapp_audit.cli.console import color_option, make_console, progress_option
from whatsapp_audit.cli.narrowing import read_narrowing, search_options, triage_options
from whatsapp_audit.cli.options import (
    chosen_date_order,
    chosen_jobs,
    date_order_option,
    exports_argument,
    jobs_option,
    model_option,
)
from whatsapp_audit.report.check_report import render_check
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.rules.optional import choose_model
from whatsapp_audit.triage.apply import apply_triage

LEVELS = ("low", "medium", "high")


@click.command("check")
@exports_argument
@click.option("--min-confidence", type=click.Choice(LEVELS), default="medium", show_default=True,
              help="Show findings of at least this confidence.")
@click.option("--context", "context", type=click.IntRange(0, 20), default=2, show_default=True,
              help="Messages shown each side of a finding.")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also use this folder of rules (e.g. your force's own pack).")
@model_option
@date_order_option
@color_option
@progress_option
@jobs_option
@search_options
@triage_options
def command(exports: tuple[Path, ...], min_confidence: str, context: int, patterns_dirs: tuple[Path, ...],
            model: bool | None, date_order: str, color: str, no_progress: bool, jobs: int, categories: tuple[str, ...],
            rule_globs: tuple[str, ...], participants: tuple[str, ...], since: str | None, until: str | None,
            review_file: Path | None, hide_reviewed: tuple[str, ...], allowlists: tuple[Path, ...]) -> int:
    """Check your own group chats privately: what could be a problem, why, and what to do next.

    Give one exported chat, several, or a folder of them. Nothing is written to disk and nothing
    leaves this computer. Exits 0 unless something went wrong (2 usage, 3 no chat could be read,
    5 internal error, 130 interrupted); a chat that cannot be read is named and the others checked.

    \b
    Examples:
      whatsapp-audit check "WhatsApp Chat with Team.txt"
      whatsapp-audit check ~/Downloads/exports
      whatsapp-audit check chat.txt --participant "Me" --since 2024-01-01
    """
    narrowing = read_narrowing(categories, rule_globs, participants, since, until, review_file, hide_reviewed,
                               allowlists)
    patterns = load_patterns(list(patterns_dirs))
    patterns = choose_model(patterns, model)
    narrowing.check_against(patterns)
    inputs = find_inputs(exports)
    result = run_case(inputs, show_progress=not no_progress, color=color, patterns=patterns,
                      date_order=chosen_date_order(date_order), context=context, min_confidence=min_confidence,
                      jobs=chosen_jobs(jobs), search=narrowing.search)
    result = apply_triage(result, narrowing.allowlists, narrowing.review, narrowing.hide)
    render_check(result, make_console(color=color), context=context)
    return 0
