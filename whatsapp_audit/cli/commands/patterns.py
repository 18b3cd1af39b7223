"""`whatsapp-audit patterns validate [DIR...]`: check pattern packs and run their examples."""

from __future__ import annotations

from pathlib import Path

import click

from whatsapp_audit.detect.registry import create_detectors
from whatsapp_audit.errors import PatternError, UsageError
from whatsapp_audit.rules.examples import check_examples
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.rules.optional import choose_model
from whatsapp_audit.wording import plural


@click.group("patterns")
def command() -> None:
    """Work with pattern packs (rules as TOML files; see patterns/README.md)."""


@command.command("validate")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path, exists=True))
def validate(dirs: tuple[Path, ...]) -> int:
    """Validate the bundled packs plus each DIR: schema, regexes, duplicate ids, and every example.

    Every problem is listed (file:line: rule: what), not only the first; exit 2 if there is any.

    \b
    Examples:
      whatsapp-audit patterns validate
      whatsapp-audit patterns validate ./force-pack
    """
    problems: list[PatternError] = []
    patterns = load_patterns(list(dirs), problems=problems)
    detectors = {detector.name: detector for detector in create_detectors()}
    broken = {problem.source for problem in problems}
    for pack in patterns.files:
        status = "bad" if str(pack.path) in broken else "ok "
        click.echo(f"{status} {pack.origin}:{pack.relative}  {plural(len(pack.rule_ids), 'rule')}  sha256 {pack.sha256}")
    for name in sorted({rule.detector for rule in patterns.rules} - set(detectors)):
        ids = [rule.id for rule in patterns.rules if rule.detector == name]
        click.echo(f"warning: no detector named {name}; {plural(len(ids), 'rule')} will not run ({', '.join(ids)})",
                   err=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    failures = check_examples(choose_model(patterns, True), detectors)  # an optional model's examples too
    for failure in failures:
        click.echo(f"{failure.source}:{failure.line}: rule {failure.rule}: {failure.problem}", err=True)
    checked = sum(len(r.examples_match) + len(r.examples_no_match) for r in patterns.rules if r.detector in detectors)
    if problems or failures:
        found = [plural(len(problems), "invalid file or rule", "invalid files or rules")] if problems else []
        found += [plural(len(failures), "failed example")] if failures else []
        raise UsageError(f"{' and '.join(found)} (listed above)")
    click.echo(f"{plural(len(patterns.rules), 'rule')} in {plural(len(patterns.files), 'file')}; "
               f"{plural(checked, 'example')} pass")
    return 0
