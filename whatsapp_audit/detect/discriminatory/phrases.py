"""Phrase rules (dehumanising, exclusionary, threatening, misogynistic language) with spaCy's Matcher.

Most hateful messages carry no slur, so these rules match frames such as "[identity] are vermin" or
"send them all back". Patterns are data (`[rule.match] token_patterns`); a token `{ SLOT = "identity" }`
stands for an identity group from the vocabulary and is expanded here into "muslims", "black people",
"trans women" and so on, so the group list lives in one place. Identity words only ever fill that slot:
they never fire on their own. spaCy runs only on messages holding every required word of some pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.errors import PatternError

_WORD = regex.compile(r"[^\W_]+")


@dataclass(frozen=True)
class IdentityVocab:
    """Identity words: `groups` name a group on their own ("muslims"), `modifiers` need a head ("gay people")."""

    groups: Mapping[str, tuple[str, ...]]
    modifiers: Mapping[str, tuple[str, ...]]
    heads: tuple[str, ...]

    @classmethod
    def from_options(cls, identity: Mapping[str, Any]) -> IdentityVocab:
        def table(key: str) -> dict[str, tuple[str, ...]]:
            raw = identity.get(key, {})
            return {k.lower(): (v,) if isinstance(v, str) else tuple(v) for k, v in raw.items()}

        return cls(table("groups"), table("modifiers"), tuple(h.lower() for h in identity.get("heads", [])))

    def words(self) -> frozenset[str]:
        return frozenset(self.groups) | frozenset(self.modifiers)

    def characteristics(self, words: Sequence[str]) -> tuple[str, ...]:
        found: list[str] = []
        for word in words:
            for c in self.groups.get(word, ()) + self.modifiers.get(word, ()):
                if c not in found:
                    found.append(c)
        return tuple(found)

    def slot_variants(self) -> list[list[dict[str, Any]]]:
        groups = sorted(self.groups)
        heads = sorted(set(self.heads) | set(groups))
        return [
            [{"LOWER": {"IN": groups}}],
            [{"LOWER": {"IN": sorted(self.modifiers)}}, {"LOWER": {"IN": heads}}],
        ]


@dataclass(frozen=True, slots=True)
class PhraseHit:
    rule_id: str
    start: int  # offsets in the normalised text
    end: int
    characteristics: tuple[str, ...]
    identity_words: tuple[str, ...]


class PhraseMatcher:
    """All phrase rules compiled into one spaCy Matcher, with a required-word pre-filter."""

    def __init__(self, rules: Sequence[Rule], identity: IdentityVocab, make_nlp: Callable[[], Any],
                 common: frozenset[str] = frozenset()) -> None:
        """`common` lists everyday words, so the pre-filter gates on a pattern's rarest required word."""
        self._identity = identity
        self._make_nlp = make_nlp
        self._nlp: Any = None
        self._matcher: Any = None
        self._patterns: dict[str, list[list[dict[str, Any]]]] = {}
        self._fixed: dict[str, tuple[str, ...]] = {}
        self._rules = {rule.id: rule for rule in rules}
        self._required: list[list[frozenset[str]]] = []
        for rule in rules:
            expanded: list[list[dict[str, Any]]] = []
            for position, pattern in enumerate(rule.match.get("token_patterns", []), 1):
                for variant in self._expand(pattern, rule, position):
                    expanded.append(variant)
                    self._required.append(_required_words(variant, rule, position))
            self._patterns[rule.id] = expanded
            fixed = rule.options.get("characteristic", ())
            self._fixed[rule.id] = (fixed,) if isinstance(fixed, str) else tuple(fixed)
        self._by_word: dict[str, list[int]] = {}  # rarest required word -> patterns it gates
        for index, sets in enumerate(self._required):
            for word in _rarest(sets, common):
                self._by_word.setdefault(word, []).append(index)
        # A prefix trie, not a flat alternation: the engine rejects most word starts on one character.
        self.gate_body = trie_pattern(self._by_word) if self._by_word and self._required else None
        self._gate = re.compile(r"(?<![^\W_])(?:" + self.gate_body + r")(?![^\W_])") if self.gate_body else None

    def _expand(self, pattern: list[dict[str, Any]], rule: Rule, position: int) -> list[list[dict[str, Any]]]:
        variants: list[list[dict[str, Any]]] = [[]]
        for token in pattern:
            if any(isinstance(v, dict) and "REGEX" in v for v in token.values()):
                # spaCy runs these with the standard library's `re`, which cannot be time-limited
                # (see guard.py): a pattern file must not be able to hang a scan.
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"token pattern #{position}: REGEX cannot be time-limited; use LOWER or IN lists")
            slot = token.get("SLOT")
            if slot is None:
                variants = [v + [dict(token)] for v in variants]
            elif slot == "identity":
                if not self._identity.groups:
                    raise PatternError(rule.source, rule.source_line, rule.id,
                                       "token pattern uses SLOT identity but no identity vocabulary is loaded")
                variants = [v + s for v in variants for s in self._identity.slot_variants()]
            else:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"token pattern #{position}: unknown SLOT (only 'identity')")
        return variants

    def _ensure(self) -> Any:
        if self._matcher is None:
            from spacy.matcher import Matcher

            self._nlp = self._make_nlp()
            self._matcher = Matcher(self._nlp.vocab)
            for rule_id, patterns in self._patterns.items():
                if patterns:
                    try:
                        self._matcher.add(rule_id, patterns)
                    except ValueError as error:
                        rule = self._rules[rule_id]
                        raise PatternError(rule.source, rule.source_line, rule_id,
                                           f"invalid token pattern: {type(error).__name__}") from None
        return self._matcher

    def might_match(self, text: str) -> bool:
        """False only when `match` would certainly find nothing (its first gate, exposed for callers)."""
        return bool(self._required) and self._gate is not None and self._gate.search(text) is not None

    def wanted(self, text: str) -> bool:
        """Whether any phrase could match: every required plain word slot of one pattern is present."""
        if self._gate is None or not self._gate.search(text):
            return False
        words = set(_WORD.findall(text))
        candidates = {i for w in words & self._by_word.keys() for i in self._by_word[w]}
        return any(all(not words.isdisjoint(s) for s in self._required[i]) for i in candidates)

    def validate(self) -> None:
        """Compile the Matcher now, so a bad pattern fails at configure time."""
        if any(self._patterns.values()):
            self._ensure()

    def match(self, text: str) -> list[PhraseHit]:
        if not self._required or not self.wanted(text):
            return []
        matcher = self._ensure()
        doc = self._nlp.make_doc(text)
        found: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in matcher(doc):
            found.setdefault(self._nlp.vocab.strings[match_id], []).append((start, end))
        best: dict[str, list[tuple[int, int]]] = {}
        for rule_id, spans in found.items():
            kept: list[tuple[int, int]] = []
            for start, end in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):  # longest first
                if not any(start < e and s < end for s, e in kept):
                    kept.append((start, end))
            best[rule_id] = kept
        hits = []
        identity_words = self._identity.words()
        for rule_id, spans in best.items():
            for start, end in sorted(spans):
                span = doc[start:end]
                words = tuple(t.lower_ for t in span if t.lower_ in identity_words)
                chars = self._fixed.get(rule_id) or self._identity.characteristics(words)
                hits.append(PhraseHit(rule_id, span.start_char, span.end_char, chars, words))
        return sorted(hits, key=lambda h: (h.start, h.rule_id))


def _rarest(sets: Sequence[frozenset[str]], common: frozenset[str]) -> frozenset[str]:
    """The required word set least likely in ordinary chat: fewest everyday words, then longest words."""
    return min(sets, key=lambda s: (len(s & common), -min(len(w) for w in s), len(s)))


def _required_words(pattern: list[dict[str, Any]], rule: Rule, position: int) -> list[frozenset[str]]:
    """For each required token given as plain words, the words it may be (the pre-filter)."""
    sets: list[frozenset[str]] = []
    for token in pattern:
        op = token.get("OP", "")
        if op in {"?", "*", "!"} or op.startswith(("{0", "{,")):
            continue
        value = token.get("LOWER")
        options = {value} if isinstance(value, str) else set(value.get("IN", [])) if isinstance(value, dict) else set()
        if options and all(_WORD.fullmatch(o) for o in options):
            sets.append(frozenset(options))
    if not sets:
        raise PatternError(rule.source, rule.source_line, rule.id, f"token pattern #{position} needs one "
                           "required token given as a LOWER word or an IN-list of plain words (the pre-filter)")
    return sets
