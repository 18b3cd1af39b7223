"""`whatsapp-audit verify DIR`: re-check every hash of an evidence pack (exit 4 on any problem), and
with `--rescan` run its scan again on the exhibits to check the reports themselves."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.discover import find_exports
from whatsapp_audit.errors import ExitCode
from whatsapp_audit.report.verify import verify_pack
from whatsapp_audit.wording import plural


@click.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--export", "exports", multiple=True, type=click.Path(path_type=Path),
              help="Also check this export (or every export in this folder) against the exhibits' SHA-256 "
                   "recorded in the manifest. Repeatable.")
@click.option("--rescan", "rescan", multiple=True, type=click.Path(path_type=Path), metavar="EXPORT",
              help="Run the pack's scan again on these exhibits (files, or folders of them; found by SHA-256) with "
                   "the options, patterns and report time the manifest records, and check that the reports are "
                   "exactly what it gives: catches a pack edited and re-hashed. Repeatable.")
def command(folder: Path, exports: tuple[Path, ...], rescan: tuple[Path, ...]) -> int:
    """Check an evidence pack made by `scan --out`: every file present, unchanged, nothing added.

    Hashes show the pack was not changed after it was written, but someone who edits a report can
    write new hashes; --rescan re-runs the recorded scan from the exhibits and compares every report.
    Prints one line per problem and exits 4 if there is any; exits 0 when everything matches.

    \b
    Examples:
      whatsapp-audit verify /cases/42/pack
      whatsapp-audit verify /cases/42/pack --export /exhibits/DH-1/chat.zip
      whatsapp-audit verify /cases/42/pack --rescan /exhibits/DH-1 --rescan /exhibits/DH-2
    """
    verdict = verify_pack(folder, find_exports([*exports, *rescan]).exports if exports or rescan else ())
    _show(verdict.problems)
    if verdict.ok:
        click.echo(f"OK: {plural(len(verdict.checked), 'hash', 'hashes')} match ({', '.join(verdict.checked)})")
    problems = list(verdict.problems)
    if rescan:
        from whatsapp_audit.cli.rescan import rescan_pack  # loads the detectors: only when asked

        again = rescan_pack(folder, rescan)
        _show(again.problems)
        if not again.problems:
            click.echo(f"OK: {again.summary}; {', '.join(again.matched)} are exactly what it gives")
        problems += [p for p in again.problems if not p.startswith(" ")]
    if not problems:
        if not rescan:
            click.echo("note: hashes show the pack is as it was written, not that nobody edited a report and wrote "
                       "new hashes; --rescan EXPORT runs the recorded scan again to check the reports themselves",
                       err=True)
        return int(ExitCode.OK)
    click.echo(f"verify failed: {plural(len(problems), 'problem')}", err=True)
    return int(ExitCode.VERIFY_FAILED)


def _show(problems: list[str]) -> None:
    """One FAILED line per problem; the details of one (lines starting with spaces) indented under it."""
    for problem in problems:
        click.echo(f"        {problem.strip()}" if problem.startswith(" ") else f"FAILED: {problem}")
