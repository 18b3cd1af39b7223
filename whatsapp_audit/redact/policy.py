"""The redaction policy (`patterns/redact/redaction.toml`): which findings are masked and how, which
words are titles, which file names WhatsApp made up, and how system events name people.

Data, not code, so that what a disclosure copy hides is reviewable (and versioned) like the rules.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from whatsapp_audit.errors import PatternError
from whatsapp_audit.resources import default_patterns_dir

PERSON = "person"  # span kind: the finding names a person, who gets a pseudonym
SPANS = ("value", "match", PERSON)


@dataclass(frozen=True)
class MarkerRule:
    """How the findings of some rules are masked."""

    rules: tuple[str, ...]  # rule ids; a trailing `*` matches any id starting with the rest
    marker: str  # written as [MARKER]; empty for span "person"
    span: str  # "value", "match" or "person"
    place_marker: str = ""  # span "person": also mask the place after "of"/"from" with this marker

    def applies_to(self, rule_id: str) -> bool:
        return any(_id_matches(pattern, rule_id) for pattern in self.rules)


@dataclass(frozen=True)
class Masking:
    """What to do with one finding: mask it with `marker` over `span`, or give a person a pseudonym."""

    marker: str
    span: str
    place_marker: str = ""


@dataclass(frozen=True)
class RedactionPolicy:
    """The compiled policy; build with `load_policy`."""

    source: str
    sha256: str
    version: str
    markers: tuple[MarkerRule, ...]
    fallback_marker: str
    keep: tuple[str, ...]
    titles: frozenset[str]
    common_words: frozenset[str]
    min_part_length: int
    generated_files: tuple[regex.Pattern[str], ...]
    system_events: tuple[regex.Pattern[str], ...]
    list_separators: regex.Pattern[str]
    not_names: frozenset[str]
    rule_options: tuple[tuple[str, dict[str, Any]], ...] = ()

    def options_for(self, rule_id: str) -> dict[str, Any]:
        """The option overrides for a rule run for redaction (wildcard entries first)."""
        merged: dict[str, Any] = {}
        for pattern, options in sorted(self.rule_options, key=lambda item: (item[0] != "*", item[0])):
            if pattern == "*" or _id_matches(pattern, rule_id):
                merged.update(options)
        return merged

    def masking_for(self, rule_id: str) -> Masking | None:
        """How a finding of this operational rule is masked; None when it is kept as it is."""
        if any(_id_matches(pattern, rule_id) for pattern in self.keep):
            return None
        for rule in self.markers:
            if rule.applies_to(rule_id):
                return Masking(rule.marker, rule.span, rule.place_marker)
        return Masking(self.fallback_marker, "match")

    def marker_names(self) -> set[str]:
        """Every marker a copy may hold (without brackets), [NAME] included."""
        named = {rule.marker for rule in self.markers} | {rule.place_marker for rule in self.markers}
        return (named - {""}) | {self.fallback_marker, "NAME"}

    def is_generated_file(self, name: str) -> bool:
        return any(pattern.fullmatch(name) for pattern in self.generated_files)

    def record(self) -> dict[str, str]:
        return {"path": "redact/redaction.toml", "sha256": self.sha256, "version": self.version}


def _id_matches(pattern: str, rule_id: str) -> bool:
    return rule_id.startswith(pattern[:-1]) if pattern.endswith("*") else rule_id == pattern


@lru_cache(maxsize=4)
def load_policy(path: Path | None = None) -> RedactionPolicy:
    """Read and compile the policy file; a broken file is a PatternError naming it."""
    path = path or default_patterns_dir() / "redact" / "redaction.toml"
    try:
        raw = path.read_bytes()
        return _compile(str(path), hashlib.sha256(raw).hexdigest(), tomllib.loads(raw.decode("utf-8")))
    except OSError as error:
        raise PatternError(str(path), None, None, f"cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise PatternError(str(path), None, None, f"invalid TOML: {error}") from None
    except (KeyError, TypeError, ValueError, regex.error) as error:
        raise PatternError(str(path), None, None, f"invalid redaction policy ({type(error).__name__}: {error})") from None


def _compile(source: str, sha256: str, data: dict[str, Any]) -> RedactionPolicy:
    markers = []
    for entry in data["marker"]:
        span = entry.get("span", "match")
        if span not in SPANS:
            raise ValueError(f"span must be one of {', '.join(SPANS)}, not {span!r}")
        marker = str(entry.get("marker", ""))
        if span != PERSON and not marker:
            raise ValueError(f"marker entry for {entry['rules']} has no marker")
        markers.append(MarkerRule(tuple(entry["rules"]), marker, span, str(entry.get("place_marker", ""))))
    names, files, system = data["names"], data["files"], data["system"]
    separators = sorted(system["list_separators"], key=len, reverse=True)
    return RedactionPolicy(
        source=source,
        sha256=sha256,
        version=str(data.get("pack", {}).get("version", "0")),
        markers=tuple(markers),
        fallback_marker=str(data["masking"]["fallback_marker"]),
        keep=tuple(data["masking"]["keep"]),
        titles=frozenset(word.casefold() for word in names["titles"]),
        common_words=frozenset(word.casefold() for word in names["common_words"]),
        min_part_length=int(names["min_part_length"]),
        generated_files=tuple(regex.compile(p) for p in files["generated"]),
        system_events=tuple(regex.compile(p) for p in system["events"]),
        list_separators=regex.compile("|".join(regex.escape(s) for s in separators)),
        not_names=frozenset(word.casefold() for word in system["not_names"]),
        rule_options=tuple((str(k), dict(v)) for k, v in data.get("rule_options", {}).items()),
    )
