"""`whatsapp-audit verify DIR`: re-check every hash of an evidence pack (exit 4 on any problem)."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.discover import find_exports
from whatsapp_audit.errors import ExitCode
from whatsapp_audit.report.verify import verify_pack


@click.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--export", "exports", multiple=True, type=click.Path(path_type=Path),
              help="Also check this export (or every export in this folder) against the exhibits' SHA-256 "
                   "recorded in the manifest. Repeatable.")
def command(folder: Path, exports: tuple[Path, ...]) -> int:
    """Check an evidence pack made by `scan --out`: every file present, unchanged, nothing added.

    Prints one line per problem and exits 4 if there is any; exits 0 when every hash matches.

    \b
    Examples:
      whatsapp-audit verify /cases/42/pack
      whatsapp-audit verify /cases/42/pack --export /exhibits/DH-1/chat.zip
      whatsapp-audit verify /cases/42/pack --export /exhibits/DH-1 --export /exhibits/DH-2
    """
    verdict = verify_pack(folder, find_exports(exports).exports if exports else ())
    for problem in verdict.problems:
        click.echo(f"FAILED: {problem}")
    if verdict.ok:
        click.echo(f"OK: {len(verdict.checked)} hash(es) match ({', '.join(verdict.checked)})")
        return int(ExitCode.OK)
    click.echo(f"verify failed: {len(verdict.problems)} problem(s)", err=True)
    return int(ExitCode.VERIFY_FAILED)
