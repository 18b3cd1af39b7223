"""The merge report, the redaction log and the case key keep their documented shape (docs/merge.md,
docs/redaction.md, docs/schemas/): the same three checks as tests/test_schemas.py for the scan's
outputs: the schema requires exactly the fields the docs' tables list, fresh outputs validate, and
removing a documented field makes validation fail."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_schemas import problems, required, run, table_fields

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# (schema, definition or None for the top level, doc, heading of its table, where an instance of it is)
TABLES = [
    ("merge-report", None, "merge.md", "Top level", ()),
    ("merge-report", "export", "merge.md", "An export", ("exports", 1)),
    ("merge-report", "message", "merge.md", "A message of the timeline", ("messages", 0)),
    ("merge-report", "copy", "merge.md", "A copy", ("messages", 0, "copies", 0)),
    ("redaction-log", None, "redaction.md", "The log file", ()),
    ("redaction-log", "replacement", "redaction.md", "A replacement", ("replacements", 0)),
    ("redaction-key", None, "redaction.md", "The key file", ()),
    ("redaction-key", "entry", "redaction.md", "A key entry", ("entries", 0)),
]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("disclosure")
    (out / "copies").mkdir()
    (out / "case").mkdir()
    run("merge", str(EXAMPLES / "van-3-ios-priya.txt"), str(EXAMPLES / "van-3-android-dan.txt"),
        "--format", "json", "--output", str(out / "merge.json"))
    logs = []
    for export in sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".zip")):
        copy_path = out / "copies" / export.name
        run("redact", str(export), "--output", str(copy_path), "--key", str(out / "case" / "key.json"), "--include-media")
        logs.append(json.loads(Path(f"{copy_path}.redaction-log.json").read_text(encoding="utf-8")))
    return {"merge-report": json.loads((out / "merge.json").read_text(encoding="utf-8")), "redaction-log": logs,
            "redaction-key": json.loads((out / "case" / "key.json").read_text(encoding="utf-8"))}


@pytest.mark.parametrize(("schema", "definition", "doc", "heading", "path"), TABLES, ids=[f"{t[0]}:{t[3]}" for t in TABLES])
def test_the_schema_requires_exactly_the_documented_fields(schema: str, definition: str | None, doc: str,
                                                           heading: str, path: tuple[Any, ...]) -> None:
    documented = table_fields(doc, heading)
    assert len(documented) >= 3, f"the table under {heading!r} in {doc} was not read"
    assert set(documented) == required(schema, definition)


def test_fresh_outputs_match_their_schemas(fresh: dict[str, Any]) -> None:
    assert problems("merge-report", fresh["merge-report"]) == []
    assert problems("redaction-key", fresh["redaction-key"]) == []
    assert len(fresh["redaction-log"]) == 7  # one log per example export
    for log in fresh["redaction-log"]:
        assert problems("redaction-log", log) == []
    assert any(log["output"]["media"] for log in fresh["redaction-log"])  # the zip's media, with --include-media


def _instance(fresh: dict[str, Any], schema: str) -> Any:
    return fresh[schema][0] if schema == "redaction-log" else fresh[schema]


REMOVALS = [(schema, path, name) for schema, definition, doc, heading, path in TABLES for name in table_fields(doc, heading)]


@pytest.mark.parametrize(("schema", "path", "name"), REMOVALS, ids=[f"{s}:{'/'.join(map(str, p)) or 'top'}:{n}" for s, p, n in REMOVALS])
def test_removing_a_documented_field_fails_validation(fresh: dict[str, Any], schema: str, path: tuple[Any, ...],
                                                      name: str) -> None:
    changed = copy.deepcopy(_instance(fresh, schema))
    target = changed
    for step in path:
        target = target[step]
    del target[name]
    assert any(f"'{name}' is a required property" in p for p in problems(schema, changed))
