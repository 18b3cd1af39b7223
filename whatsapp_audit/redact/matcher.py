"""Find the people of an export wherever the text names them, and what replaces each.

Three searches, most specific first: phone numbers (any spacing, with or without the +, and the
national 0 form of a +44 number), names of two words or more (any case, any spacing: "ana  pike",
`@<U+2068>Ana Pike<U+2069>`), then single words (as written or in capitals: "Dee", "DEE"; a
capitalised word is a name, a lower-case one usually is not). A single word shared by several people's names is
replaced by [NAME], since no one pseudonym is right for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.redact.names import clean_name, is_phone_name, name_key, name_parts, phone_digits
from whatsapp_audit.redact.policy import RedactionPolicy
from whatsapp_audit.redact.spans import AMBIGUOUS, NAME, Replacement, uncovered

_GAP = "[ \t\u00a0\u202f\u2009]+"
_GAP_SENTINEL = "\x00"  # stands for the space between the words of a name while the trie is built
_PHONE_GAP = r"[\s\u00a0\u202f\u2011().\-]{0,2}"
Match = re.Match[str] | regex.Match[str]
KEPT = "kept"
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Person:
    """Someone to replace: their clean name, pseudonym (None when kept) and kind."""

    name: str
    pseudonym: str | None
    kind: str  # "participant" or "person"


class NameMatcher:
    """Replacements for every mention of the given people in a text."""

    def __init__(self, people: Sequence[Person], policy: RedactionPolicy) -> None:
        self._numbers: dict[str, Person] = {}
        self._phrases: dict[str, Person] = {}
        owners: dict[str, dict[str, Person]] = {}  # word (casefolded) -> people whose name holds it
        spellings: dict[str, set[str]] = {}
        for person in people:
            for word in self._add(person, policy):
                key = word.casefold()
                owners.setdefault(key, {})[name_key(person.name)] = person
                spellings.setdefault(key, set()).add(word)
        # A word of one person's name stands for them (a kept person's word is left alone); a word
        # of several people's names is [NAME].
        self._words: dict[str, Person | None] = {
            key: (next(iter(found.values())) if len(found) == 1 else None) for key, found in owners.items()
        }
        self._number_re = _alternation([_phone_pattern(d) for d in self._numbers])
        # Names are found with one trie-shaped alternation each (the standard library's engine is
        # fast on those), so the many texts that name nobody cost one failed search.
        self._phrase_re = _words_regex((key.replace(" ", _GAP_SENTINEL) for key in self._phrases), re.IGNORECASE)
        self._word_re = _words_regex(
            (form for key in self._words for word in spellings[key] for form in (word, word[:1].upper() + word[1:], word.upper())), 0)

    def _add(self, person: Person, policy: RedactionPolicy) -> list[str]:
        """Index the person's number or phrases; return the single words that stand for them."""
        clean = clean_name(person.name)
        if is_phone_name(clean):
            digits = phone_digits(clean).lstrip("+")
            self._numbers.setdefault(digits, person)
            if digits.startswith("44") and len(digits) > 10:
                self._numbers.setdefault("0" + digits[2:], person)
            return []
        bare, parts = name_parts(clean, policy)
        words = list(parts)
        for full in (clean, bare):
            if " " in full:
                self._phrases.setdefault(name_key(full), person)
            elif full:
                words.append(full)
        return words

    def find(self, text: str, start: int = 0, end: int | None = None,
             taken: Sequence[Replacement] = ()) -> list[Replacement]:
        """Replacements for people named in text[start:end], outside the `taken` spans. A kept
        person's name is found too, so that no word inside it is replaced, and then left out."""
        end = len(text) if end is None else end
        if start >= end:
            return []
        found: list[Replacement] = list(taken)
        numbers = self._number_re if self._number_re is not None and _DIGITS.search(text, start, end) else None
        for pattern, lookup in ((numbers, self._number_for), (self._phrase_re, self._phrase_for),
                                (self._word_re, self._word_for)):
            if pattern is None:
                continue
            for free_start, free_end in uncovered(len(text), found):
                lo, hi = max(free_start, start), min(free_end, end)
                if lo >= hi:
                    continue
                for match in pattern.finditer(text, lo, hi):
                    replacement = lookup(match)
                    if replacement is not None:
                        found.append(replacement)
        return [r for r in found[len(taken):] if r.kind != KEPT]

    def number_owner(self, text: str) -> Person | None:
        """The person whose phone number `text` is (any spacing), if any."""
        return self._numbers.get("".join(c for c in text if c.isdigit()))

    def _number_for(self, match: Match) -> Replacement | None:
        person = self._numbers.get("".join(c for c in match.group() if c.isdigit()))
        return _replace(match, person)

    def _phrase_for(self, match: Match) -> Replacement | None:
        return _replace(match, self._phrases.get(name_key(match.group())))

    def _word_for(self, match: Match) -> Replacement | None:
        key = match.group().casefold()
        if key not in self._words:
            return None
        person = self._words[key]
        if person is None:
            return Replacement(match.start(), match.end(), AMBIGUOUS, NAME, AMBIGUOUS)
        return _replace(match, person)

    def names_in(self, text: str) -> list[Replacement]:
        """Every mention of a replaced person left in `text` (for checking a redacted copy)."""
        return [r for r in self.find(text) if r.kind != NAME]


def _replace(match: Match, person: Person | None) -> Replacement | None:
    if person is None:
        return None
    if person.pseudonym is None:
        return Replacement(match.start(), match.end(), match.group(), KEPT, KEPT)
    return Replacement(match.start(), match.end(), person.pseudonym, person.kind, person.pseudonym)


def _alternation(patterns: Iterable[str]) -> regex.Pattern[str] | None:
    unique = sorted(set(patterns), key=lambda p: (-len(p), p))
    if not unique:
        return None
    return regex.compile("|".join(f"(?:{p})" for p in unique))


def _phone_pattern(digits: str) -> str:
    body = _PHONE_GAP.join(regex.escape(d) for d in digits)
    return rf"(?<![\d+])\+?{_PHONE_GAP}{body}(?!\d)" if not digits.startswith("0") else rf"(?<![\d+]){body}(?!\d)"


def _words_regex(words: Iterable[str], flags: int) -> re.Pattern[str] | None:
    """Whole words or phrases (spaces as any run of spaces), not inside a longer word."""
    unique = sorted({w.casefold() if flags & re.IGNORECASE else w for w in words if w})
    if not unique:
        return None
    body = trie_pattern(unique).replace(re.escape(_GAP_SENTINEL), _GAP)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)
