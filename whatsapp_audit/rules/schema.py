"""Validation of one pack file's parsed TOML into `Rule` objects.

Kept apart from file handling so every check is a plain function of data plus a way to find lines.
Every problem is a `PatternError` naming the file, the line and the rule, because a force writing
its own pack needs to know exactly where to look; messages never echo rule text back beyond keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Category, Confidence, Severity

ID_RE = regex.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
DETECTOR_RE = regex.compile(r"^[a-z][a-z0-9_]*$")

TOP_KEYS = frozenset({"pack", "defaults", "rule"})
PACK_KEYS = frozenset({"name", "version", "description"})
RULE_KEYS = frozenset(
    {
        "id", "title", "category", "detector", "severity", "confidence", "why", "guidance",
        "references", "allow", "match", "context", "options", "examples",
    }
)
DEFAULT_KEYS = RULE_KEYS - {"id", "title", "examples"}
REQUIRED = ("id", "title", "category", "detector", "severity", "confidence", "why", "guidance")
MATCH_KEYS = frozenset({"regex", "keywords", "phrases", "token_patterns"})
EXAMPLE_KEYS = frozenset({"text", "attachment", "before", "after", "author"})
NEIGHBOUR_KEYS = frozenset({"text", "attachment", "author"})

LineFinder = Callable[[str | None, str | None], int | None]


@dataclass(frozen=True)
class PackMeta:
    """The optional `[pack]` table."""

    name: str
    version: str
    description: str


def validate_pack(data: Mapping[str, Any], source: str, line_of: LineFinder, stem: str) -> PackMeta:
    """Check the top level and `[pack]`; the pack name defaults to the file name."""
    for key in data:
        if key not in TOP_KEYS:
            raise PatternError(source, line_of(None, key), None,
                               f"unknown top-level key '{key}' (expected [pack], [defaults], [[rule]])")
    pack = data.get("pack", {})
    if not isinstance(pack, dict):
        raise PatternError(source, line_of(None, "pack"), None, "[pack] must be a table")
    for key, value in pack.items():
        if key not in PACK_KEYS:
            raise PatternError(source, line_of(None, key), None, f"unknown key '{key}' in [pack]")
        if not isinstance(value, str):
            raise PatternError(source, line_of(None, key), None, f"[pack] {key} must be a string")
    return PackMeta(pack.get("name", stem), str(pack.get("version", "0")), pack.get("description", ""))


def validate_defaults(data: Mapping[str, Any], source: str, line_of: LineFinder) -> dict[str, Any]:
    """`[defaults]` may hold any rule key except the ones that must be unique per rule."""
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise PatternError(source, line_of(None, "defaults"), None, "[defaults] must be a table")
    for key in defaults:
        if key not in DEFAULT_KEYS:
            raise PatternError(source, line_of(None, key), None,
                               f"key '{key}' is not allowed in [defaults]")
    return dict(defaults)


def build_rule(raw: Mapping[str, Any], defaults: Mapping[str, Any], source: str,
               line_of: LineFinder, position: int, *, compile_regexes: bool = True) -> Rule:
    """Merge defaults into one `[[rule]]` table and validate every field. Without `compile_regexes`
    (the bundled packs in a scan: the test suite and `patterns validate` compile them) `match.regex`
    is not compiled here: the detector compiles each when a message first reaches its rule."""
    if not isinstance(raw, dict):
        raise PatternError(source, None, f"#{position}", "[[rule]] must be a table")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid:
        raise PatternError(source, line_of(f"#{position}", None), f"#{position}",
                           "missing 'id' (a stable upper-case id such as OPS-VRM)")
    rule_line = line_of(rid, None)

    def fail(key: str | None, problem: str) -> PatternError:
        return PatternError(source, line_of(rid, key) or rule_line, rid, problem)

    if not ID_RE.match(rid):
        raise fail("id", "id must be upper-case PREFIX-NAME, e.g. OPS-VRM")
    for key in raw:
        if key not in RULE_KEYS:
            raise fail(key, f"unknown key '{key}'")
    merged: dict[str, Any] = {}
    for key, value in defaults.items():
        merged[key] = value
    for key, value in raw.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key in {"context", "options"}:
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    for key in REQUIRED:
        if key not in merged:
            raise fail(None, f"missing required key '{key}'")
    for key in ("title", "why", "guidance", "detector"):
        if not isinstance(merged[key], str) or not merged[key].strip():
            raise fail(key, f"'{key}' must be a non-empty string")
    if not DETECTOR_RE.match(merged["detector"]):
        raise fail("detector", "detector must be a lower-case name such as 'operational'")
    category = _enum(Category, merged["category"], "category", fail)
    severity = _enum(Severity, merged["severity"], "severity", fail)
    confidence = _enum(Confidence, merged["confidence"], "confidence", fail)
    references = _str_list(merged.get("references", []), "references", fail)
    allow = _str_list(merged.get("allow", []), "allow", fail)
    match = _match(merged.get("match", {}), fail, compile_regexes)
    context = _context(merged.get("context", {}), fail)
    options = merged.get("options", {})
    if not isinstance(options, dict):
        raise fail("options", "[rule.options] must be a table")
    ex_match, ex_no = _examples(merged.get("examples"), fail)
    return Rule(
        id=rid, category=category, title=merged["title"].strip(), severity=severity,
        confidence=confidence, why=merged["why"].strip(), guidance=merged["guidance"].strip(),
        detector=merged["detector"], source=source, source_line=rule_line or 0,
        references=references, match=match, context=context, allow=allow, options=options,
        examples_match=ex_match, examples_no_match=ex_no,
    )


def _enum(kind: Any, value: Any, key: str, fail: Callable[[str | None, str], PatternError]) -> Any:
    allowed = [member.value for member in kind]
    if value not in allowed:
        raise fail(key, f"'{key}' must be one of {', '.join(allowed)}")
    return kind(value)


def _str_list(value: Any, key: str, fail: Callable[[str | None, str], PatternError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise fail(key, f"'{key}' must be a list of non-empty strings")
    return tuple(value)


def _match(value: Any, fail: Callable[[str | None, str], PatternError], compile_regexes: bool = True) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail("match", "[rule.match] must be a table")
    for key, items in value.items():
        if key not in MATCH_KEYS:
            continue  # detector-specific key: the detector that runs the rule checks it
        if key == "token_patterns":
            if not isinstance(items, list) or not all(
                isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in items
            ):
                raise fail("match", "token_patterns must be a list of spaCy patterns (lists of tables)")
            continue
        _str_list(items, f"match.{key}", fail)
        if key == "regex" and compile_regexes:
            for position, pattern in enumerate(items, 1):
                try:
                    regex.compile(pattern, regex.VERSION1 if pattern.startswith("(?V1)") else 0)
                except regex.error as error:
                    raise fail("match.regex", f"match.regex #{position} does not compile: {error}") from None
        if key == "keywords" and any(item != item.strip() for item in items):
            raise fail("match.keywords", "match.keywords must not start or end with spaces")
    return dict(value)


def _context(value: Any, fail: Callable[[str | None, str], PatternError]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail("context", "[rule.context] must be a table")
    for key in ("boost", "reduce"):
        items = value.get(key, [])
        if not isinstance(items, list):
            raise fail(f"context.{key}", f"context.{key} must be a list")
        for item in items:
            ok = isinstance(item, str) and bool(item.strip())
            if isinstance(item, dict):
                word = item.get("word")
                weight = item.get("weight", 0.0)
                ok = (isinstance(word, str) and bool(word.strip()) and set(item) <= {"word", "weight"}
                      and isinstance(weight, int | float) and not isinstance(weight, bool))
            if not ok:
                raise fail(f"context.{key}", f"context.{key} entries must be words or {{word=..., weight=...}}")
    if "window" in value and (not isinstance(value["window"], int) or value["window"] < 0):
        raise fail("context", "context.window must be a whole number >= 0")
    return dict(value)


def _examples(value: Any, fail: Callable[[str | None, str], PatternError]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    if value is None:
        raise fail(None, "no [rule.examples]: every rule needs at least one 'match' example")
    if not isinstance(value, dict) or not set(value) <= {"match", "no_match"}:
        raise fail("examples", "[rule.examples] may only hold 'match' and 'no_match' lists")
    out: list[tuple[Any, ...]] = []
    for key in ("match", "no_match"):
        items = value.get(key, [])
        if not isinstance(items, list):
            raise fail(f"examples.{key}", f"examples.{key} must be a list")
        for position, item in enumerate(items, 1):
            _example(item, f"examples.{key} #{position}", partial(fail, f"examples.{key}"))
        out.append(tuple(items))
    if not out[0]:
        raise fail("examples.match", "every rule needs at least one 'match' example")
    return out[0], out[1]


def _example(item: Any, where: str, fail: Callable[[str], PatternError]) -> None:
    if isinstance(item, str):
        return
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise fail(f"{where} must be a string or a table with 'text'")
    unknown = set(item) - EXAMPLE_KEYS
    if unknown:
        raise fail(f"{where} has unknown {'key' if len(unknown) == 1 else 'keys'} {', '.join(sorted(unknown))}")
    for key in ("attachment", "author"):
        if key in item and not isinstance(item[key], str):
            raise fail(f"{where} '{key}' must be a string")
    for key in ("before", "after"):
        neighbours = item.get(key, [])
        if not isinstance(neighbours, list):
            raise fail(f"{where} '{key}' must be a list")
        for neighbour in neighbours:
            if isinstance(neighbour, str):
                continue
            if (not isinstance(neighbour, dict) or not isinstance(neighbour.get("text"), str)
                    or not set(neighbour) <= NEIGHBOUR_KEYS
                    or not all(isinstance(v, str) for v in neighbour.values())):
                raise fail(f"{where} '{key}' entries must be strings or {{author, text}}")
