"""`whatsapp-audit rules [ID]`: list the rules, or explain one (what, why, examples, guidance)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from whatsapp_audit.cli.console import chat_text, make_console
from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.registry import detector_names
from whatsapp_audit.errors import UsageError
from whatsapp_audit.report.safe import visible
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.wording import plural


@click.command("rules")
@click.argument("rule_id", required=False)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--category", type=click.Choice(("operational_data", "crime_scene_image", "discriminatory_language")),
              help="Only rules of this category.")
@click.option("--patterns", "patterns_dirs", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Also load this folder of rules (a force's own pack). Repeatable.")
def command(rule_id: str | None, fmt: str, category: str | None, patterns_dirs: tuple[Path, ...]) -> int:
    """List every rule, or explain one rule: what it finds, why it matters, examples, guidance.

    In a terminal the list is a table; piped to another program, one tab-separated line per rule
    (id, category, severity, confidence, title), nothing cut short.

    \b
    Examples:
      whatsapp-audit rules
      whatsapp-audit rules OPS-VRM
      whatsapp-audit rules --category operational_data --format json
    """
    patterns = load_patterns(list(patterns_dirs))
    registered = set(detector_names())
    if rule_id is not None:
        rule = patterns.get(rule_id.upper())
        if rule is None:
            close = difflib.get_close_matches(rule_id.upper(), [r.id for r in patterns.rules], n=3)
            hint = f"did you mean {' or '.join(close)}?" if close else "run 'whatsapp-audit rules' to list them"
            raise UsageError(f"no rule with id {rule_id!r}; {hint}")
        record = rule_record(rule, registered)
        if fmt == "json":
            click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        else:
            _explain(record)
        return 0
    rules = [rule for rule in patterns.rules if category is None or rule.category.value == category]
    records = [rule_record(rule, registered, brief=True) for rule in rules]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    console = make_console()
    if not console.is_terminal:  # piped: one whole line per rule, tab-separated, for grep, cut and sort
        for record in records:
            fields = [record["id"], record["category"], record["severity"], record["confidence"], _title(record)]
            click.echo("\t".join(" ".join(visible(str(field)).split()) for field in fields))
        return 0
    table = Table(show_edge=False, title_justify="left")
    table.add_column("id", no_wrap=True, min_width=max((len(r["id"]) for r in records), default=2))
    table.add_column("category", no_wrap=True, min_width=max((len(r["category"]) for r in records), default=8))
    for column in ("severity", "confidence", "title"):
        table.add_column(column)
    for record in records:
        table.add_row(record["id"], record["category"], record["severity"], record["confidence"], Text(_title(record)))
    console.print(table)
    console.print(Text(f"{plural(len(records), 'rule')}; 'whatsapp-audit rules ID' explains one"))
    return 0


def _title(record: dict[str, Any]) -> str:
    return str(record["title"]) + ("" if record["runs"] else " (not run: no detector registered)")


def rule_record(rule: Rule, registered: set[str], *, brief: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": rule.id, "title": rule.title, "category": rule.category.value,
        "severity": rule.severity.value, "confidence": rule.confidence.value,
        "detector": rule.detector, "runs": rule.detector in registered,
    }
    if brief:
        return record
    record.update({
        "why": rule.why, "guidance": rule.guidance, "references": list(rule.references),
        "source": f"{rule.source}:{rule.source_line}",
        "examples": {"match": [_example(e) for e in rule.examples_match],
                     "no_match": [_example(e) for e in rule.examples_no_match]},
    })
    return record


def _example(example: Any) -> str:
    if isinstance(example, str):
        return example
    text = example.get("text", "")
    attachment = example.get("attachment")
    return f"[{attachment}] {text}".strip() if attachment else text


def _explain(record: dict[str, Any]) -> None:
    console = make_console()
    console.print(Text(f"{record['id']}: {record['title']}", style="bold"))
    console.print(Text(f"{record['category']} · severity {record['severity']} · confidence {record['confidence']}"
                       f" · detector {record['detector']}" + ("" if record["runs"] else " (not registered)")))
    console.print()
    console.print(Text("Why it matters", style="bold"))
    console.print(Text(record["why"]))
    console.print()
    console.print(Text("What to do / guidance", style="bold"))
    console.print(Text(record["guidance"]))
    for title, key in (("Flagged, for example", "match"), ("Not flagged, for example", "no_match")):
        if record["examples"][key]:
            console.print()
            console.print(Text(title, style="bold"))
            for example in record["examples"][key]:
                console.print(Text("  • ") + chat_text(example))
    if record["references"]:
        console.print()
        console.print(Text("References: " + "; ".join(record["references"])))
    console.print(Text(f"Defined in {record['source']}"))
