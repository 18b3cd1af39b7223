"""Words a user reads are plain English: no "finding(s)" in any message, report or log line.

Every count the tool prints goes through `wording.plural`; this keeps a hand-written "(s)" from
coming back in any string the package holds (messages, limitations, report text).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "whatsapp_audit"
HEDGED_PLURAL = re.compile(r"[A-Za-z]\((?:s|es)\)")


def strings_shown(source: str) -> list[tuple[int, str]]:
    """Every string constant in the module (f-string pieces included), docstrings left out: they are
    read by developers, not printed."""
    tree = ast.parse(source)
    docstrings = {id(body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_string_in_the_package_hedges_a_plural() -> None:
    found = [f"{path.relative_to(PACKAGE)}:{line}: {text[:60]}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for line, text in strings_shown(path.read_text(encoding="utf-8")) if HEDGED_PLURAL.search(text)]
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".html", ".j2", ".jinja", ".css", ".js", ".txt") and HEDGED_PLURAL.search(path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(PACKAGE)))
    assert not found, "use wording.plural: " + "; ".join(found)


def test_every_rule_reference_names_a_document_a_reader_can_find() -> None:
    """`rules ID` prints each rule's references; a bare file name such as `uk-police-data.md §4` names
    development notes that are not in the tool, so a reader cannot follow it."""
    from whatsapp_audit.rules.loader import load_patterns

    root = PACKAGE.parent
    missing = [f"{rule.id}: {reference}" for rule in load_patterns().rules for reference in rule.references
               for name in re.findall(r"[\w./-]+\.(?:md|txt|pdf|toml)\b", reference)
               if not any(root.rglob(Path(name).name))]
    assert not missing, missing
