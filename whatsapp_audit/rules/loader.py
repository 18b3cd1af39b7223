"""Load pattern packs: every `*.toml` under the bundled `patterns/` and any force's own folders.

The TOML is read with the standard library (`tomllib`), validated rule by rule (`schema.py`), and
each file's SHA-256 and pack version recorded so a report says exactly which rules produced it.
`patterns/export/`, `patterns/redact/` and `patterns/merge/` (parser, redaction and merge data) hold
no rules and are skipped. Rules for a detector that is not registered load fine: `patterns validate`
warns about them and `scan` skips them, so a pack can be written before its detector exists.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import regex

from whatsapp_audit import build_cache, collector
from whatsapp_audit.detect.base import Rule
from whatsapp_audit.errors import PatternError
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.schema import build_rule, validate_defaults, validate_pack

SKIPPED_DIRS = frozenset({"export", "redact", "merge"})  # parser, redaction and merge data: no rules
_RULE_HEADER = regex.compile(r"^\s*\[\[\s*rule\s*\]\]")
_TOML_LINE = regex.compile(r"\(at line (\d+), column \d+\)")
_ID_START = regex.compile(r"""^\s*id\s*=\s*["']""")  # an `id = "...` line, up to its opening quote


@dataclass(frozen=True)
class PackFile:
    """Provenance of one loaded pack file, for reports and `patterns validate`."""

    path: Path
    relative: str  # path inside its patterns folder, with forward slashes
    origin: str  # "bundled", or the folder given with --patterns
    sha256: str
    name: str
    version: str
    description: str
    rule_ids: tuple[str, ...]


@dataclass(frozen=True)
class PatternSet:
    """All rules loaded, in a stable order (folder order, then file path, then file order)."""

    rules: tuple[Rule, ...]
    files: tuple[PackFile, ...]
    # The first rule of each id: reports ask for a rule's texts once per finding (a walk of a
    # thousand rules each time was half of writing a finding's JSON).
    _by_id: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Rule] = {}
        for rule in self.rules:
            by_id.setdefault(rule.id, rule)
        object.__setattr__(self, "_by_id", by_id)

    def rules_for(self, detector: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.detector == detector)

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    @property
    def detectors(self) -> tuple[str, ...]:
        return tuple(sorted({rule.detector for rule in self.rules}))


@collector.paused()
def load_patterns(dirs: Sequence[Path] | None = None, *, include_default: bool = True,
                  problems: list[PatternError] | None = None) -> PatternSet:
    """Load the bundled packs (unless told not to) plus each folder (or single file) in `dirs`.

    The first invalid file, rule or duplicate id raises PatternError; with `problems` given, each is
    added there and left out instead, so `patterns validate` can list every one in one run."""
    roots: list[tuple[Path, str]] = []
    if include_default:
        roots.append((default_patterns_dir(), "bundled"))
    for extra in dirs or ():
        roots.append((Path(extra), str(extra)))
    seen_roots: set[Path] = set()
    rules: list[Rule] = []
    files: list[PackFile] = []
    owner: dict[str, Rule] = {}
    for root, origin in roots:
        resolved = root.resolve()
        if resolved in seen_roots:
            continue
        seen_roots.add(resolved)
        try:
            paths = _pack_files(root)
        except PatternError as error:
            _keep_going(error, problems)
            continue
        for path in paths:
            relative = path.name if root.is_file() else path.relative_to(root).as_posix()
            try:
                pack_file, file_rules = load_file(path, relative=relative, origin=origin, problems=problems)
            except PatternError as error:
                _keep_going(error, problems)
                continue
            for rule in file_rules:
                if rule.id in owner:
                    first = owner[rule.id]
                    _keep_going(PatternError(rule.source, rule.source_line, rule.id, "duplicate rule id, already "
                                             f"defined in {first.source}:{first.source_line}"), problems)
                    continue
                owner[rule.id] = rule
                rules.append(rule)
            files.append(pack_file)
    return PatternSet(tuple(rules), tuple(files))


def _keep_going(error: PatternError, problems: list[PatternError] | None) -> None:
    """Raise the first problem, or note it and carry on when every problem is being collected."""
    if problems is None:
        raise error
    problems.append(error)


def _pack_files(root: Path) -> list[Path]:
    if root.is_file():
        if root.suffix != ".toml":
            raise PatternError(str(root), None, None, "a pattern file must end in .toml")
        return [root]
    if not root.is_dir():
        raise PatternError(str(root), None, None, "pattern folder not found")
    found = []
    for path in root.rglob("*.toml"):
        parts = path.relative_to(root).parts
        if parts and parts[0] in SKIPPED_DIRS:
            continue
        if any(part.startswith(".") for part in parts):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


# Pack files already loaded by this process, by the same key as the build cache (bytes, place, origin):
# a run that loads the packs again (a case of many exports, the tests) neither re-reads the disk cache
# nor parses again (the model pack alone is 0.8 MB of TOML). Rules are frozen, so sharing them is safe.
_LOADED: dict[str, tuple[PackFile, tuple[Rule, ...]]] = {}


def load_file(path: Path, *, relative: str | None = None, origin: str = "bundled",
              problems: list[PatternError] | None = None) -> tuple[PackFile, list[Rule]]:
    """Read, hash, parse and validate one pack file. A problem with the file raises; one with a rule
    raises too, unless `problems` collects them (the rule is then left out)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PatternError(source, None, None, f"cannot read ({error.strerror})") from None
    # A file loaded before, byte for byte, at the same place: its rules as they were (build_cache).
    # Only a load that stops at the first problem uses it; one that lists them all reads afresh.
    cache_key = None if problems is not None else build_cache.key(raw, source, relative or "", origin)
    if cache_key is not None:
        cached = _LOADED.get(cache_key) or build_cache.load("pack", cache_key)
        if cached is not None:
            _LOADED[cache_key] = cached
            pack_file, pack_rules = cached
            return pack_file, list(pack_rules)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PatternError(source, None, None, "not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        problem = _TOML_LINE.sub("", str(error)).strip()
        raise PatternError(source, int(found.group(1)) if found else None, None,
                           f"invalid TOML: {problem}") from None
    lines = _LineIndex(text)
    meta = validate_pack(data, source, lines.find, path.stem)
    defaults = validate_defaults(data, source, lines.find)
    raw_rules = data.get("rule", [])
    if not isinstance(raw_rules, list):
        raise PatternError(source, lines.find(None, "rule"), None, "'rule' must be an array of [[rule]] tables")
    rules: list[Rule] = []
    ids: set[str] = set()
    # A bundled pack's regexes are compiled by the detectors when first used, except when every
    # problem is being listed (`patterns validate`); a force's own pack is checked here, before a scan.
    compile_regexes = origin != "bundled" or problems is not None
    for position, raw_rule in enumerate(raw_rules, 1):
        try:
            rule = build_rule(raw_rule, defaults, source, lines.find, position, compile_regexes=compile_regexes)
        except PatternError as error:
            _keep_going(error, problems)
            continue
        if origin == "bundled":
            rule = replace(rule, bundled=True)
        if rule.id in ids:
            _keep_going(PatternError(source, rule.source_line, rule.id, "duplicate rule id in this file"), problems)
            continue
        ids.add(rule.id)
        rules.append(rule)
    pack = PackFile(
        path=path, relative=relative or path.name, origin=origin,
        sha256=hashlib.sha256(raw).hexdigest(), name=meta.name, version=meta.version,
        description=meta.description, rule_ids=tuple(rule.id for rule in rules),
    )
    if cache_key is not None:
        _LOADED[cache_key] = (pack, tuple(rules))
        build_cache.store("pack", cache_key, (pack, tuple(rules)))
    return pack, rules


class _LineIndex:
    """Finds the line of a rule (its `id = "..."`) or of a key inside it, in the raw text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers = [n for n, line in enumerate(self.lines, 1) if _RULE_HEADER.match(line)]
        # (line number, text after the opening quote) of every `id = "...` line, in file order: a
        # rule's line is looked up here instead of by a regex per rule over every line of the file.
        self.id_lines = [(n, line[found.end():]) for n, line in enumerate(self.lines, 1)
                         if (found := _ID_START.match(line)) is not None]

    def _block(self, line: int) -> tuple[int, int]:
        start, end = 1, len(self.lines) + 1
        for header in self.headers:
            if header <= line:
                start = header
            else:
                end = header
                break
        return start, end

    def _key_line(self, key: str, start: int, end: int) -> int | None:
        if "." in key:  # "match.regex": the line of `regex =` inside [rule.match], else the table
            table, _, inner = key.partition(".")
            header = self._key_line(table, start, end)
            if header is None:
                return None
            stop = next((n for n in range(header + 1, end) if self.lines[n - 1].lstrip().startswith("[")), end)
            return self._key_line(inner, header + 1, stop) or header
        pattern = regex.compile(
            rf"^\s*(?:{regex.escape(key)}\s*=|{regex.escape(key)}\.|\[\s*(?:rule\.)?{regex.escape(key)}(?:\.|\s*\]))"
        )
        for number in range(start, min(end, len(self.lines) + 1)):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def find(self, rule: str | None, key: str | None) -> int | None:
        if rule is None:
            if key is None:
                return None
            first_rule = self.headers[0] if self.headers else len(self.lines) + 1
            return self._key_line(key, 1, first_rule) or self._key_line(key, 1, len(self.lines) + 1)
        if rule.startswith("#"):
            position = int(rule[1:])
            return self.headers[position - 1] if 0 < position <= len(self.headers) else None
        id_line = next((n for n, rest in self.id_lines
                        if rest.startswith(rule) and rest[len(rule):len(rule) + 1] in ('"', "'")), None)
        if id_line is None or key is None:
            return id_line
        start, end = self._block(id_line)
        return self._key_line(key, start, end)
