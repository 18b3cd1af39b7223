"""Words a user reads are plain English: no "finding(s)" in any message, report or log line.

Every count the tool prints goes through `wording.plural`; this keeps a hand-written "(s)" from
coming back in any string the package holds (messages, limitations, report text).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "whatsapp_audit"
HEDGED_PLURAL = re.compile(r"[A-Za-z]\((?:s|es)\)")


def test_no_string_in_the_package_hedges_a_plural() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "wording.py":  # its docstring names what it replaces
            continue
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and HEDGED_PLURAL.search(token.string):
                found.append(f"{path.relative_to(PACKAGE)}:{token.start[0]}: {token.string[:60]}")
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".html", ".j2", ".jinja", ".css", ".js", ".txt") and HEDGED_PLURAL.search(path.read_text(encoding="utf-8")):
            found.append(str(path.relative_to(PACKAGE)))
    assert not found, "use wording.plural: " + "; ".join(found)
