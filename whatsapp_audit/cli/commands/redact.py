"""`whatsapp-audit redact`: a disclosure copy of an export, with its redaction log.

Every path is checked before anything is read: no output inside the exhibit's folder, and the case
key and the sealed record (which re-identify everyone) never in the folder of the copy that is
going to be disclosed.
"""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit import build_cache
from whatsapp_audit.cli.options import chosen_date_order, date_order_option, export_argument, refuse_beside_evidence
from whatsapp_audit.errors import UsageError
from whatsapp_audit.redact import load_key, redact_export, save_key
from whatsapp_audit.redact.copy import operational_patterns
from whatsapp_audit.redact.key import key_permission_problem, write_private_json
from whatsapp_audit.report.redaction_log import summary_lines, write_log


@click.command("redact", epilog="Exit codes: 0 copy written and checked, 1 copy written but the check found values or "
               "names still in it (see the warnings), 2 usage, 3 input, 5 internal error, 130 interrupted.")
@export_argument
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The redacted copy: a .zip gives a zip (the chat, and media only with --include-media); "
                   "any other name gives the chat text.")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Case key (JSON, created on first use, owner-only): the same name gets the same pseudonym "
                   "in every export redacted with it. Keep it apart from the copy: it re-identifies everyone.")
@click.option("--keep", multiple=True, metavar="NAME",
              help="Leave this participant as they are (e.g. the subject officer); their name as shown or "
                   "without invisible marks, '~ ' or rank. Repeatable.")
@click.option("--log", "log_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the redaction log [default: the copy's name + .redaction-log.json]. "
                   "It says what was replaced, by type and line, never the original values.")
@click.option("--sealed", "sealed_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the original value behind every replacement to this file (owner-only), for a "
                   "sealed record. Never disclose it.")
@click.option("--include-media", is_flag=True,
              help="Copy a zip export's media files into the copy (renamed like the text). Their content is "
                   "NOT redacted: review every file before disclosure.")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also mask what this folder's operational rules find (a force's own pack). Repeatable.")
@date_order_option
def command(export: Path, output: Path, key_path: Path | None, keep: tuple[str, ...], log_path: Path | None,
            sealed_path: Path | None, include_media: bool, patterns_dirs: tuple[Path, ...], date_order: str) -> int:
    """Write a redacted copy of an export that still parses as the same chat: participants and the
    people the detectors find become pseudonyms (Participant A, Person 1), operational values become
    typed markers ([PHONE], [VRM], [POSTCODE] ...). The export itself is never changed.

    \b
    Examples:
      whatsapp-audit redact chat.txt --output /disclosure/chat-redacted.txt --key /case/42/key.json
      whatsapp-audit redact export.zip -o /disclosure/b-relief.zip --key /case/42/key.json --keep "Cal Moss"
      whatsapp-audit redact chat.txt -o /disclosure/chat.txt --sealed /case/42/sealed/chat-originals.json
    """
    log_path = log_path or output.with_name(output.name + ".redaction-log.json")
    outputs = [("--output", output), ("--log", log_path), ("--key", key_path), ("--sealed", sealed_path)]
    chosen = [(flag, path) for flag, path in outputs if path is not None]
    for _, path in chosen:
        refuse_beside_evidence(path, [export])
    for flag, path in chosen:
        folder = path.expanduser().parent
        if not folder.is_dir():
            raise UsageError(f"{path}: {flag} names a folder that does not exist ({folder})")
    resolved = [path.expanduser().resolve() for _, path in chosen]
    if len(set(resolved)) != len(resolved):
        raise UsageError("--output, --log, --key and --sealed must be four different files")
    disclosed = output.expanduser().resolve().parent
    for flag, secret in (("--key", key_path), ("--sealed", sealed_path)):
        if secret is not None and secret.expanduser().resolve().parent == disclosed:
            raise UsageError(f"{secret}: {flag} must not be in the folder of the redacted copy (it re-identifies "
                             "everyone and would travel with the disclosure); keep it with the case papers")
    build_cache.keep_out_of([export.expanduser().parent])  # before the packs are loaded (and stored)
    key = load_key(key_path)
    if key_path is not None and not key.created and (problem := key_permission_problem(key_path)):
        click.echo(f"whatsapp-audit: warning: {problem}", err=True)
    result = redact_export(export, output, key=key, keep=keep, include_media=include_media,
                           date_order=chosen_date_order(date_order),
                           patterns=operational_patterns(patterns_dirs) if patterns_dirs else None)
    save_key(key)
    write_log(log_path, result.log)
    if sealed_path is not None:
        write_private_json(sealed_path, result.sealed())
    for line in summary_lines(result.log, log_path, key, sealed_path):
        click.echo(line, err=True)
    for note in result.warnings:
        click.echo(f"whatsapp-audit: warning: {note}", err=True)
    residual = result.log["check"]["residual"]
    return 1 if residual["values"] or residual["names"] or result.log["check"]["not_applied"] else 0
