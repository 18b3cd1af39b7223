"""Allowed names: places, people and set phrases in which a listed word names no one.

A lexicon term inside a place or person's name is another word (Scunthorpe, Dick Van Dyke), and an
identity word inside a team's name, a dish or an idiom is no target ("the All Blacks were shite",
"I hate Chinese whispers", "men and women are trash" is about everyone). Some names are only names
in a topic: `names_near` keeps "all blacks" a team when rugby is mentioned, and a generalisation
about Black people otherwise. The lists live in `vocabulary.allow` (patterns/discriminatory/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from whatsapp_audit.detect.discriminatory.context import phrase_pattern

_WORD_CHAR = regex.compile(r"[^\W_]")


@dataclass(frozen=True)
class AllowedNames:
    """Compiled allowlists: names that always apply, and names that apply when a topic word is near."""

    always: regex.Pattern[str] | None
    topical: tuple[tuple[regex.Pattern[str], regex.Pattern[str]], ...]  # (name, topic words)
    names: tuple[str, ...]  # every listed name, for the check that none is itself a lexicon term
    by_identity: regex.Pattern[str] | None = None  # an identity adjective + an `after_identity` noun

    @classmethod
    def from_options(cls, allow: Mapping[str, Any], modifiers: Sequence[str] = ()) -> AllowedNames:
        """`modifiers`: the identity adjectives ("vietnamese", "jewish"); each before one of
        `allow.after_identity` ("restaurant", "ocean") is a name too (issue 13 false-alarm pass 3)."""
        always = [*allow.get("places", []), *allow.get("people", []), *allow.get("names", [])]
        topical: list[tuple[regex.Pattern[str], regex.Pattern[str]]] = []
        for name, words in sorted(allow.get("names_near", {}).items()):
            name_pattern, topic_pattern = phrase_pattern([name]), phrase_pattern(words)
            if name_pattern is not None and topic_pattern is not None:
                topical.append((name_pattern, topic_pattern))
        heads = [h for h in allow.get("after_identity", []) if h.strip()]
        # Word modifiers only: masking blanks letters, so "🇵🇰 food" would keep its flag and lose the
        # "food" a rule's not_followed_by reads.
        words = [m for m in modifiers if any(ch.isalpha() for ch in m)]
        by_identity = None
        if heads and words:
            first, then = phrase_pattern(words), phrase_pattern(heads)
            if first is not None and then is not None:
                by_identity = regex.compile(first.pattern + r"\s+" + then.pattern)
        return cls(phrase_pattern(always), tuple(topical),
                   tuple([*always, *allow.get("names_near", {})]), by_identity)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where allowed names sit in a normalised, lower-case text, in order."""
        found = [m.span() for m in self.always.finditer(text)] if self.always is not None else []
        if self.by_identity is not None:
            found += [m.span() for m in self.by_identity.finditer(text)]
        for name, topic in self.topical:
            if name.search(text) and topic.search(text):
                found += [m.span() for m in name.finditer(text)]
        return sorted(found)


def mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with the letters and digits of each span blanked to "x": same length, so offsets hold,
    and no word inside a name can fill a slot of a construction."""
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        for i in range(start, end):
            if _WORD_CHAR.match(out[i]):
                out[i] = "x"
    return "".join(out)
