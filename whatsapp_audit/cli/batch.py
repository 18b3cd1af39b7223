"""What `scan` and `check` share for a run over one or more exports: finding them, scanning them
as one case with a progress display, and saying on stderr which could not be read.

Exit 3 only when no export could be read; with one export given, its error is the one line it
always was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from whatsapp_audit.case import CaseResult, scan_case
from whatsapp_audit.cli.console import batch_progress_bar, progress_bar
from whatsapp_audit.discover import Inputs, find_exports
from whatsapp_audit.errors import InputError, UsageError
from whatsapp_audit.wording import plural


def find_inputs(paths: Sequence[Path]) -> Inputs:
    """The exports to read; InputError (exit 3) when the paths hold none."""
    inputs = find_exports(paths)
    if not inputs.exports:
        given = ", ".join(str(p) for p in paths)
        skipped = f" ({plural(len(inputs.skipped), 'other file')} found, none an export)" if inputs.skipped else ""
        raise InputError(f"{given}: no .txt or .zip export found{skipped}")
    return inputs


def check_cluster_options(cluster: str | None, jobs: int) -> None:
    if cluster is not None and jobs != 0:
        raise UsageError("--jobs and --cluster cannot be used together: the cluster's workers set how many "
                         "exports run at once")


def run_case(inputs: Inputs, *, show_progress: bool, color: str, **options: Any) -> CaseResult:
    """Scan every export of `inputs` as one case; report the ones that failed on stderr."""
    if len(inputs.exports) == 1 and options.get("cluster") is None:
        with progress_bar(show_progress, color) as progress:
            case = scan_case(inputs.exports, inputs=inputs, part_progress=progress, **options)
    else:
        with batch_progress_bar(show_progress, len(inputs.exports), color) as batch:
            case = scan_case(inputs.exports, inputs=inputs, progress=batch, **options)
    report_failures(case)
    return case


def report_failures(case: CaseResult) -> None:
    """One line per export that could not be read; InputError when none could."""
    failed = case.failed
    if not failed:
        return
    if len(case.exports) == 1:
        raise InputError(failed[0][1].error)
    for _, failure in failed:
        click.echo(f"whatsapp-audit: error: {failure.error}", err=True)
    if not case.scanned:
        raise InputError(f"none of the {len(case.exports)} exports could be read")
    click.echo(f"whatsapp-audit: {len(failed)} of {len(case.exports)} exports could not be read (named above); "
               f"{_others_scanned(len(case.scanned))}", err=True)


def _others_scanned(count: int) -> str:
    return "the other was scanned" if count == 1 else f"the other {count:,} were scanned"
