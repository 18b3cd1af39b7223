"""Validated lexicon concepts, shared vocabulary and scoring weights for the discriminatory detector.

Turns the rules' `[rule.options]` tables into typed objects once, at configure time, so a mistake in
a pattern file fails with the file, line and rule named, and detection never re-reads raw options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Confidence

CHARACTERISTICS = frozenset({
    "age", "disability", "gender_reassignment", "marriage_civil_partnership", "pregnancy_maternity",
    "race", "religion_or_belief", "sex", "sexual_orientation",
})
MATCH_MODES = frozenset({"token", "prefix"})
EXCEPTION_CHARS = 200


@dataclass(frozen=True)
class Concept:
    """One lexicon record: a slur concept with its spellings and the contexts that defuse it."""

    rule_id: str
    canonical: str
    terms: tuple[str, ...]
    characteristics: tuple[str, ...]
    abusive_rate: int  # 0-2: how often the string is abusive at all (cuss's "sureness")
    prefix: bool
    exceptions: tuple[tuple[str | None, str | None], ...]  # regex sources, compiled on first use (`_pattern`)
    homonyms: frozenset[str]
    reclaimable: bool
    uk: bool
    attribution: str
    allow: frozenset[str] = frozenset()  # exact matched spellings that are another word ("pollack")
    derive: bool = False  # also match with a derivational suffix ("kikey", "faggotry")
    compound: bool = False  # also match inside a longer word ("sandnigger")

    def excepted(self, text: str, start: int, end: int) -> bool:
        """Whether a whole-phrase exception ("van *", "* and span") surrounds the hit (looked for
        within EXCEPTION_CHARS each side, so a hit costs the same however long the message)."""
        for before, after in self.exceptions:
            if before is not None and not _pattern(before).search(text, max(0, start - EXCEPTION_CHARS), start):
                continue
            if after is not None and not _pattern(after).match(text, end, end + EXCEPTION_CHARS):
                continue
            return True
        return False


@cache
def _pattern(source: str) -> regex.Pattern[str]:
    """An exception's regex, compiled once per process when a hit first needs it: built from escaped
    words, it always compiles, and compiling all ~150 up front cost every scan's start-up."""
    return regex.compile(source)


def _words(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _exception(pattern: str, fail: Any) -> tuple[str | None, str | None]:
    if pattern.count("*") != 1:
        raise fail(f"exception needs exactly one '*' for the hit (got {pattern.count('*')})")
    left, right = (part.strip().lower() for part in pattern.split("*"))

    def words(part: str) -> str:
        return r"\s+".join(regex.escape(w) for w in part.split())

    before = rf"(?<![^\W_]){words(left)}[\s\-]+$" if left else None
    after = rf"(?:['’]s)?[\s\-]+{words(right)}(?![^\W_])" if right else None
    return before, after


def build_concept(rule: Rule, identity_words: frozenset[str]) -> Concept:
    """Validate a lexicon rule's options; identity words may never be lexicon terms."""
    opts = rule.options

    def fail(problem: str) -> PatternError:
        return PatternError(rule.source, rule.source_line, rule.id, problem)

    canonical = opts.get("canonical")
    if not isinstance(canonical, str) or not canonical.strip():
        raise fail("options.canonical must be a non-empty string")
    terms = tuple(dict.fromkeys(t.strip().lower() for t in [canonical, *_words(opts.get("variants"))]))
    for term in terms:
        if term in identity_words:
            raise fail("an identity word is never a lexicon term (use it in a phrase rule's target slot)")
    chars = tuple(_words(opts.get("characteristic")))
    if not chars or not set(chars) <= CHARACTERISTICS:
        raise fail(f"options.characteristic must list ids from {sorted(CHARACTERISTICS)}")
    rate = opts.get("abusive_rate")
    if rate not in (0, 1, 2):
        raise fail("options.abusive_rate must be 0, 1 or 2")
    mode = opts.get("match_mode", "token")
    if mode not in MATCH_MODES:
        raise fail("options.match_mode must be 'token' or 'prefix' (substring matching is never safe)")
    attribution = opts.get("attribution")
    if not isinstance(attribution, str) or not attribution.strip():
        raise fail("options.attribution must say where the entry came from")
    return Concept(
        rule_id=rule.id, canonical=canonical.strip().lower(), terms=terms, characteristics=chars,
        abusive_rate=rate, prefix=mode == "prefix",
        exceptions=tuple(_exception(e, fail) for e in _words(opts.get("exceptions"))),
        homonyms=frozenset(w.lower() for w in _words(opts.get("homonym_contexts"))),
        reclaimable=bool(opts.get("reclaimable", False)), uk=bool(opts.get("uk", False)),
        attribution=attribution.strip(), allow=frozenset(a.strip().lower() for a in rule.allow),
        derive=_flag(opts, "derive", rate == 2, fail), compound=_flag(opts, "compound", False, fail),
    )


def review_scope(rule: Rule) -> frozenset[str] | None:
    """`options.review`: which of a rule's hits go to the review tier (low) whatever their score.

    `true`: every hit; a list of characteristic ids: the hits whose characteristics all fall in it
    (a construction that is weak evidence for one group only, e.g. threats read about women, which
    the stricter woman-specific rules cover); absent or `false`: none (returns None).
    """
    raw = rule.options.get("review", False)
    if raw is False:
        return None
    if raw is True:
        return CHARACTERISTICS
    if isinstance(raw, list) and raw and all(isinstance(c, str) for c in raw) and set(raw) <= CHARACTERISTICS:
        return frozenset(raw)
    raise PatternError(rule.source, rule.source_line, rule.id,
                       f"options.review must be true, false or a list of ids from {sorted(CHARACTERISTICS)}")


def _flag(opts: Mapping[str, Any], key: str, default: bool, fail: Any) -> bool:
    value = opts.get(key, default)
    if not isinstance(value, bool):
        raise fail(f"options.{key} must be true or false")
    return value


@dataclass(frozen=True)
class Scoring:
    """Base scores and tier thresholds (from `vocabulary.scoring`)."""

    base_rates: tuple[float, float, float]
    base_confidence: Mapping[str, float]
    high_at: float
    medium_at: float
    min_score: float

    @classmethod
    def from_options(cls, vocab: Mapping[str, Any]) -> Scoring:
        raw = vocab.get("scoring", {})
        rates = tuple(float(x) for x in raw.get("base_by_abusive_rate", (0.3, 0.5, 0.7)))
        if len(rates) != 3:
            raise PatternError("patterns/discriminatory", None, None,
                               "vocabulary.scoring.base_by_abusive_rate needs three numbers")
        return cls(
            base_rates=(rates[0], rates[1], rates[2]),
            base_confidence={"low": 0.35, "medium": 0.6, "high": 0.7, **raw.get("base_by_confidence", {})},
            high_at=float(raw.get("high_at", 0.8)),
            medium_at=float(raw.get("medium_at", 0.45)),
            min_score=float(raw.get("min_score", 0.15)),
        )

    def base_for(self, rule: Rule) -> float:
        return float(self.base_confidence[rule.confidence.value])

    def tier(self, score: float, discounted: bool, sure: bool) -> Confidence:
        """High needs a sure term (or a sure phrase rule), a high score and no discount at all."""
        if sure and not discounted and score >= self.high_at:
            return Confidence.HIGH
        return Confidence.MEDIUM if score >= self.medium_at else Confidence.LOW


def merge_vocabularies(rules: Sequence[Rule]) -> dict[str, Any]:
    """Union of every rule's `options.vocabulary` (a force's pack can add words or allowlist names)."""
    merged: dict[str, Any] = {}
    seen: list[Any] = []
    for rule in rules:
        vocab = rule.options.get("vocabulary")
        if not vocab or any(vocab is s or vocab == s for s in seen):
            continue
        if not isinstance(vocab, dict):
            raise PatternError(rule.source, rule.source_line, rule.id, "options.vocabulary must be a table")
        seen.append(vocab)
        _deep_merge(merged, vocab)
    return merged


def _deep_merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        old = into.get(key)
        if isinstance(old, dict) and isinstance(value, Mapping):
            _deep_merge(old, value)
        elif isinstance(old, list) and isinstance(value, list):
            into[key] = old + [v for v in value if v not in old]
        elif isinstance(value, Mapping):
            into[key] = {}
            _deep_merge(into[key], value)
        else:
            into[key] = value
