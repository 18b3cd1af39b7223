"""`whatsapp-audit verify DIR`: re-check every hash of an evidence pack (exit 4 on any problem)."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.errors import ExitCode
from whatsapp_audit.report.verify import verify_pack


@click.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--export", "export", type=click.Path(path_type=Path, dir_okay=False),
              help="Also check this export against the input SHA-256 recorded in the manifest.")
def command(folder: Path, export: Path | None) -> int:
    """Check an evidence pack made by `scan --out`: every file present, unchanged, nothing added.

    Prints one line per problem and exits 4 if there is any; exits 0 when every hash matches.

    \b
    Examples:
      whatsapp-audit verify /cases/42/pack
      whatsapp-audit verify /cases/42/pack --export /exhibits/DH-1/chat.zip
    """
    verdict = verify_pack(folder, export)
    for problem in verdict.problems:
        click.echo(f"FAILED: {problem}")
    if verdict.ok:
        click.echo(f"OK: {len(verdict.checked)} hash(es) match ({', '.join(verdict.checked)})")
        return int(ExitCode.OK)
    click.echo(f"verify failed: {len(verdict.problems)} problem(s)", err=True)
    return int(ExitCode.VERIFY_FAILED)
