"""Emoji used as slurs or insults beside an identity: "🏳️‍🌈🤮", a dark-skin-tone hand next to "🐒".

An insult emoji on its own is ordinary (monkeys, pigs and sick faces are everyday emoji), so a rule
fires only when an insult emoji sits within `max_gap` words/emoji of a target: an identity emoji
(rainbow or trans flag, religious symbols ...), an identity word from the vocabulary, a dark skin-tone
modifier, or a national flag, as the rule's `targets` list allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.text.graphemes import Item, items
from whatsapp_audit.errors import PatternError

TARGET_KINDS = frozenset({"identity-emoji", "identity-word", "skin-tone", "flag"})


@dataclass(frozen=True)
class EmojiRule:
    rule_id: str
    targets: frozenset[str]
    insults: frozenset[str]
    max_gap: int
    characteristic: tuple[str, ...]  # empty: taken from the target


@dataclass(frozen=True, slots=True)
class EmojiHit:
    rule_id: str
    start: int  # raw offsets
    end: int
    target: str
    insult: str
    characteristics: tuple[str, ...]


def _strip(emoji: str) -> str:
    return "".join(ch for ch in emoji if ch not in "\ufe0f\ufe0e")


class EmojiMatcher:
    """Compiled emoji rules plus the identity emoji/word tables they point at."""

    def __init__(self, rules: Sequence[Rule], identity_emoji: Mapping[str, Any],
                 identity_words: Mapping[str, tuple[str, ...]], tone_chars: Sequence[str],
                 negations: Sequence[str] = (), possessives: Sequence[str] = (),
                 adjectives: Iterable[str] = (), heads: Iterable[str] = ()) -> None:
        """`negations` ("≠", "🚫", "not") between a target and an insult mean the message denies the
        insult ("♿ ≠ 🤮"): no hit. A target just after one of `possessives` ("my wife", "my 👩") is one
        person of the writer's own life, not a group: it is no target. An identity adjective of
        `adjectives` (the data's `words.describing`: "old") names people alone, before the insult, or
        before one of `heads` ("old folk", "old 👨"); before any other word or emoji it describes that
        ("💣 the old 🏚️", "old banger 🔫"; in "💣 old 🕌" the mosque is the target): it is no target
        there."""
        self._emoji = {_strip(k): (v,) if isinstance(v, str) else tuple(v) for k, v in identity_emoji.items()}
        self._words = identity_words
        self._tones = frozenset(tone_chars)
        self._negations = tuple(n.lower() for n in negations if n)
        self._negation_words = frozenset(n for n in self._negations if n.isalpha())
        self._negation_marks = tuple("".join(n.split()) for n in self._negations if not n.isalpha())
        self._possessives = frozenset(p.lower() for p in possessives if p)
        self._adjectives = frozenset(a.lower() for a in adjectives)
        self._heads = frozenset(h.lower() for h in heads)
        self.rules: list[EmojiRule] = []
        insult_chars: set[str] = set()
        for rule in rules:
            opts = rule.options
            targets = frozenset(opts.get("targets", []))
            insults = frozenset(_strip(e) for e in opts.get("insults", []))
            if not targets or not targets <= TARGET_KINDS or not insults:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"emoji rules need options.targets (from {sorted(TARGET_KINDS)}) and options.insults")
            insult_chars.update(e[0] for e in insults)
            fixed = opts.get("characteristic", ())
            self.rules.append(EmojiRule(rule.id, targets, insults, int(opts.get("max_gap", 2)),
                                        (fixed,) if isinstance(fixed, str) else tuple(fixed)))
        # Insult emoji are rare in ordinary chat: one character-class search gates the grapheme work.
        # (A set, not a character class: `re` tries a class of many emoji as a list at every position.)
        self._gate = frozenset(insult_chars)

    def _target(self, item: Item, kinds: frozenset[str]) -> tuple[str, ...] | None:
        if item.emoji:
            if "identity-emoji" in kinds and _strip(item.base) in self._emoji:
                return self._emoji[_strip(item.base)]
            if "skin-tone" in kinds and item.tones & self._tones:
                return ("race",)
            if "flag" in kinds and item.flag:
                return ("race",)
            return None
        if "identity-word" in kinds:
            return self._words.get(item.text.lower())
        return None

    @property
    def insult_firsts(self) -> frozenset[str]:
        """The first characters of every rule's insults: `match` finds nothing in a text without one."""
        return self._gate

    def might_match(self, raw: str) -> bool:
        """False only when `match` would certainly find nothing (its own gate, exposed for callers)."""
        return not raw.isascii() and not self._gate.isdisjoint(raw)

    def match(self, raw: str) -> list[EmojiHit]:
        if raw.isascii() or self._gate.isdisjoint(raw):
            return []
        seq = items(raw)
        if not any(i.emoji for i in seq):
            return []
        hits: list[EmojiHit] = []
        for rule in self.rules:
            for n, item in enumerate(seq):
                if not item.emoji or _strip(item.base) not in rule.insults:
                    continue
                lo, hi = max(0, n - rule.max_gap), min(len(seq), n + rule.max_gap + 1)
                for m in sorted(range(lo, hi), key=lambda k: abs(k - n)):
                    if m == n:
                        continue
                    chars = self._target(seq[m], rule.targets)
                    if chars and (self._owned(seq, m) or self._describes(seq, m, n)):
                        continue
                    if chars:
                        first, last = (seq[m], item) if m < n else (item, seq[m])
                        if self._denied(raw, seq, first, last, min(m, n)):
                            break
                        hits.append(EmojiHit(rule.rule_id, first.start, last.end, seq[m].text, item.text,
                                             rule.characteristic or chars))
                        break
        return _merge(hits)


    def _owned(self, seq: Sequence[Item], m: int) -> bool:
        """The target at `m` follows a possessive word ("🔫 my wife"): one person, not a group."""
        return m > 0 and not seq[m - 1].emoji and seq[m - 1].text.lower() in self._possessives

    def _describes(self, seq: Sequence[Item], m: int, insult: int) -> bool:
        """The identity adjective at `m` describes the next word or emoji, which is no head noun
        ("old 🏚️"; in "old 🕌" the mosque is the target itself): the insult at `insult` is not aimed
        at people through the adjective."""
        item = seq[m]
        if item.emoji or item.text.lower() not in self._adjectives or m + 1 >= len(seq) or m + 1 == insult:
            return False
        return _strip(seq[m + 1].base) not in self._heads

    def _denied(self, raw: str, seq: Sequence[Item], first: Item, last: Item, left: int) -> bool:
        """A negation between the two ("♿ ≠ 🤮", "🧕🚫🐖"), or a negating word just before the pair."""
        between = "".join(raw[first.end:last.start].lower().split())  # marks are matched without spaces
        if any(mark in between for mark in self._negation_marks):
            return True
        around = [i for i in seq if first.end <= i.start < last.start]
        if left > 0:
            around.append(seq[left - 1])
        return any(i.text.lower() in self._negation_words for i in around)


def _merge(hits: list[EmojiHit]) -> list[EmojiHit]:
    kept: list[EmojiHit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start), h.rule_id)):
        if not any(hit.start < k.end and k.start < hit.end and hit.rule_id == k.rule_id for k in kept):
            kept.append(hit)
    return kept
