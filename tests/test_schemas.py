"""The JSON outputs keep their documented shape: docs/schemas/ validates them, and agrees with the docs.

Three things together make a removed field fail CI: the schemas require every field the docs'
tables list (read from the docs here, so the two cannot drift apart), every nested field a schema
requires is named in its doc, and fresh outputs of every example export are validated against the
schemas. No schema forbids additional properties: the docs promise readers ignore unknown fields,
so adding a field never breaks a reader or these tests.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from whatsapp_audit.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCHEMAS = {path.name.removesuffix(".schema.json"): json.loads(path.read_text(encoding="utf-8"))
           for path in sorted((DOCS / "schemas").glob("*.schema.json"))}
REGISTRY = Registry().with_resources((s["$id"], DRAFT202012.create_resource(s)) for s in SCHEMAS.values())
DOC_OF = {"scan-report": "json-report.md", "parse-output": "parse-output.md", "evidence-manifest": "evidence-pack.md",
          "merge-report": "merge.md", "redaction-log": "redaction.md", "redaction-key": "redaction.md",
          "review-file": "review.md", "review-stats": "review.md", "allowlist": "allowlist.md",
          "audit-log-entry": "evidence-pack.md"}
EXPORTS = sorted(p for p in (ROOT / "examples").iterdir() if p.suffix in (".txt", ".zip"))
FROZEN = "2024-06-01T09:00:00Z"


def validator(schema: str, definition: str | None = None) -> Draft202012Validator:
    root = SCHEMAS[schema]
    target = {"$ref": f"{root['$id']}#/$defs/{definition}"} if definition else root
    return Draft202012Validator(target, registry=REGISTRY)


def problems(schema: str, instance: Any, definition: str | None = None) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(schema, definition).iter_errors(instance)]


# --- what the docs promise ----------------------------------------------------------------------
def section(doc: str, heading: str) -> str:
    """The text under the first heading that starts with `heading`, up to the next heading."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    match = re.search(rf"^#+ {re.escape(heading)}.*\n", text, re.MULTILINE)
    assert match, f"{doc} has no heading {heading!r}"
    return re.split(r"^#+ ", text[match.end():], maxsplit=1, flags=re.MULTILINE)[0]


def table_fields(doc: str, heading: str) -> list[str]:
    """The field names in the first column of the tables under a heading (`a`, `b` gives both)."""
    rows = [line.split("|")[1] for line in section(doc, heading).splitlines() if line.startswith("| `")]
    return [name for cell in rows for name in re.findall(r"`([A-Za-z0-9_]+)`", cell)]


# (schema, definition or None for the top level, doc, heading of the table that documents it)
TABLES = [
    ("scan-report", None, "json-report.md", "Top level"),
    ("scan-report", "finding", "json-report.md", "A finding"),
    ("parse-output", None, "parse-output.md", "The JSON document"),
    ("parse-output", "message", "parse-output.md", "A message"),
    ("evidence-manifest", None, "evidence-pack.md", "`manifest.json`"),
]


def required(schema: str, definition: str | None) -> set[str]:
    node = SCHEMAS[schema]["$defs"][definition] if definition else SCHEMAS[schema]
    return set(node["required"]) | set(node.get("then", {}).get("required", ()))  # manifest: when COMPLETE


def test_schemas_are_draft_2020_12_and_never_close_an_object() -> None:
    assert set(SCHEMAS) == set(DOC_OF)
    for name, schema in SCHEMAS.items():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        assert '"additionalProperties": false' not in json.dumps(schema), f"{name} forbids unknown fields"


@pytest.mark.parametrize(("schema", "definition", "doc", "heading"), TABLES, ids=[f"{t[0]}:{t[3]}" for t in TABLES])
def test_the_schema_requires_exactly_the_documented_fields(schema: str, definition: str | None, doc: str,
                                                           heading: str) -> None:
    documented = table_fields(doc, heading)
    assert len(documented) >= 6, f"the table under {heading!r} in {doc} was not read"
    assert set(documented) == required(schema, definition), (
        f"docs/{doc} ({heading}) and docs/schemas/{schema}.schema.json disagree: "
        "a field documented as stable must be required by the schema, and the schema must require no other")


def _required_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from node.get("required", ()) if isinstance(node.get("required"), list) else ()
        for value in node.values():
            yield from _required_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _required_names(value)


@pytest.mark.parametrize("schema", sorted(DOC_OF))
def test_every_field_a_schema_requires_is_named_in_its_doc(schema: str) -> None:
    text = re.sub(r"^```.*?^```", "", (DOCS / DOC_OF[schema]).read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    quoted = " ".join(re.findall(r"`([^`]+)`", text))
    missing = sorted({name for name in _required_names(SCHEMAS[schema]) if not re.search(rf"\b{name}\b", quoted)})
    assert not missing, f"docs/{DOC_OF[schema]} does not mention these required fields: {missing}"


# --- what the tool writes -----------------------------------------------------------------------
def run(*argv: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    assert code in (0, 1), f"{argv} exited {code}"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """For each example export: a fresh evidence pack (JSON report + manifest) and parse output."""
    outputs: dict[str, dict[str, Any]] = {}
    for export in EXPORTS:
        out = tmp_path_factory.mktemp(export.stem)
        run("scan", str(export), "--out", str(out / "pack"), "--no-progress", "--generated-at", FROZEN)
        run("parse", str(export), "--format", "json", "--output", str(out / "messages.json"))
        run("parse", str(export), "--format", "jsonl", "--output", str(out / "messages.jsonl"))
        outputs[export.name] = {
            "scan-report": json.loads((out / "pack" / "findings.json").read_text(encoding="utf-8")),
            "evidence-manifest": json.loads((out / "pack" / "manifest.json").read_text(encoding="utf-8")),
            "parse-output": json.loads((out / "messages.json").read_text(encoding="utf-8")),
            "messages.jsonl": [json.loads(line) for line in (out / "messages.jsonl").read_text("utf-8").splitlines()],
        }
    return outputs


def schema_of_example(report: Path) -> str:
    """Which schema a committed example report follows (merge and redaction examples sit beside the scans')."""
    for suffix, schema in ((".merge.json", "merge-report"), (".redaction-log.json", "redaction-log")):
        if report.name.endswith(suffix):
            return schema
    return "scan-report"


@pytest.mark.parametrize("report", sorted((ROOT / "examples" / "reports").glob("*.json")), ids=lambda p: p.name)
def test_committed_example_reports_match_the_schema(report: Path) -> None:
    assert problems(schema_of_example(report), json.loads(report.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("export", [p.name for p in EXPORTS])
@pytest.mark.parametrize("schema", ["scan-report", "evidence-manifest", "parse-output"])
def test_fresh_outputs_of_every_example_match_the_schemas(fresh: dict[str, dict[str, Any]], export: str,
                                                          schema: str) -> None:
    assert problems(schema, fresh[export][schema]) == []


def test_json_lines_records_match_their_definitions(fresh: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    lines = [record for outputs in fresh.values() for record in outputs["messages.jsonl"]]
    assert lines and all(problems("parse-output", record, "message") == [] for record in lines)
    run("scan", str(EXPORTS[0]), "--format", "jsonl", "--output", str(tmp_path / "findings.jsonl"))
    findings = [json.loads(line) for line in (tmp_path / "findings.jsonl").read_text("utf-8").splitlines()]
    assert findings and all(problems("scan-report", record, "finding") == [] for record in findings)


def test_an_incomplete_manifest_needs_only_what_a_stopped_run_knows(fresh: dict[str, dict[str, Any]]) -> None:
    manifest = copy.deepcopy(next(iter(fresh.values()))["evidence-manifest"])
    for key in ("patterns", "input", "counts", "coverage", "limitations"):
        del manifest[key]
    assert problems("evidence-manifest", manifest) != []
    manifest["status"], manifest["outputs"] = "INCOMPLETE", []
    assert problems("evidence-manifest", manifest) == []


# --- a documented field that disappears fails -----------------------------------------------------
def _without(instance: dict[str, Any], definition: str | None, name: str) -> dict[str, Any]:
    changed = copy.deepcopy(instance)
    target = changed["findings"][0] if definition == "finding" else changed["messages"][0] if definition else changed
    del target[name]
    return changed


REMOVALS = [(schema, definition, name) for schema, definition, doc, heading in TABLES
            for name in table_fields(doc, heading)]


@pytest.mark.parametrize(("schema", "definition", "name"), REMOVALS, ids=[f"{s}:{d or 'top'}:{n}" for s, d, n in REMOVALS])
def test_removing_a_documented_field_fails_validation(fresh: dict[str, dict[str, Any]], schema: str,
                                                      definition: str | None, name: str) -> None:
    instance = fresh["ios-night-turn-with-media.zip"][schema]
    assert problems(schema, instance) == []
    assert any(f"'{name}' is a required property" in p for p in problems(schema, _without(instance, definition, name)))


# --- the evidence pack's processing log ----------------------------------------------------------
LOGGED_EVENTS = sorted(set(re.findall(r"\.log\(\"([a-z_]+)\"", "".join(
    path.read_text(encoding="utf-8") for path in (ROOT / "whatsapp_audit").rglob("*.py")))))


def test_every_event_the_code_logs_is_in_the_log_schema_and_its_doc() -> None:
    documented = table_fields("evidence-pack.md", "`audit.log.jsonl`")
    assert LOGGED_EVENTS and set(LOGGED_EVENTS) == set(SCHEMAS["audit-log-entry"]["properties"]["event"]["enum"])
    assert set(LOGGED_EVENTS) <= set(documented)


def test_every_line_of_a_full_processing_log_matches_the_schema(tmp_path: Path) -> None:
    """A batch with an allowlist, a review file and a narrowed search logs every kind of event a
    finished run can; each line must validate, and a line without its event's counts must not."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "allow.toml").write_text('[[allow]]\nvalue = "unused value"\nreason = "test"\n', encoding="utf-8")
    (papers / "review.json").write_text(json.dumps({"reviews": []}), encoding="utf-8")
    pack = tmp_path / "pack"
    run("scan", *map(str, EXPORTS[:2]), "--out", str(pack), "--no-progress", "--since", "2020-01-01",
        "--allowlist", str(papers / "allow.toml"), "--review", str(papers / "review.json"))
    entries = [json.loads(line) for line in (pack / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {e["event"] for e in entries} >= {"started", "patterns_loaded", "input_hashed", "media_listed", "parsed",
                                             "detected", "search_narrowed", "allowlist_applied", "review_applied",
                                             "wrote", "finished"}
    assert [p for entry in entries for p in problems("audit-log-entry", entry)] == []
    detected = next(e for e in entries if e["event"] == "detected")
    del detected["findings"]
    assert any("'findings' is a required property" in p for p in problems("audit-log-entry", detected))
