"""`whatsapp-audit patterns validate [DIR...]`: check pattern packs and run their examples."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.detect.registry import create_detectors
from whatsapp_audit.errors import PatternError
from whatsapp_audit.rules.examples import check_examples
from whatsapp_audit.rules.loader import load_patterns


@click.group("patterns")
def command() -> None:
    """Work with pattern packs (rules as TOML files; see patterns/README.md)."""


@command.command("validate")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path, exists=True))
def validate(dirs: tuple[Path, ...]) -> int:
    """Validate the bundled packs plus each DIR: schema, regexes, duplicate ids, and every example.

    \b
    Examples:
      whatsapp-audit patterns validate
      whatsapp-audit patterns validate ./force-pack
    """
    patterns = load_patterns(list(dirs))
    detectors = {detector.name: detector for detector in create_detectors()}
    for pack in patterns.files:
        click.echo(f"ok  {pack.origin}:{pack.relative}  {len(pack.rule_ids)} rule(s)  sha256 {pack.sha256}")
    for name in sorted({rule.detector for rule in patterns.rules} - set(detectors)):
        ids = [rule.id for rule in patterns.rules if rule.detector == name]
        click.echo(f"warning: no detector named {name}; {len(ids)} rule(s) will not run ({', '.join(ids)})", err=True)
    failures = check_examples(patterns, detectors)
    for failure in failures:
        click.echo(f"{failure.source}:{failure.line}: rule {failure.rule}: {failure.problem}", err=True)
    checked = sum(len(r.examples_match) + len(r.examples_no_match) for r in patterns.rules if r.detector in detectors)
    if failures:
        first = failures[0]
        raise PatternError(first.source, first.line, first.rule, f"{len(failures)} example(s) failed (listed above)")
    click.echo(f"{len(patterns.rules)} rule(s) in {len(patterns.files)} file(s); {checked} example(s) pass")
    return 0
