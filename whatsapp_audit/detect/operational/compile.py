"""Compile operational rules once: regexes, allowlists, context words, gates and validators.

Kept apart from the detector so that `operational.py` is only the per-message work. Everything a
rule says in its pattern file is checked here, and a problem is a PatternError naming the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.operational.checks import VALIDATORS, collapse
from whatsapp_audit.detect.operational.digits import least_digits
from whatsapp_audit.detect.text.guard import Guarded, compile_rule_regex
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Confidence

BASE_SCORE = {Confidence.LOW: 0.4, Confidence.MEDIUM: 0.6, Confidence.HIGH: 0.85}
DIGITS = frozenset("0123456789")
HAS_DIGIT = re.compile(r"\d")  # gates use the standard library's engine: faster on short, simple patterns
MATCH_KEYS = frozenset({"regex", "keywords"})


@dataclass(slots=True)
class _Words:
    """Context words of one kind (boost or reduce), as one case-insensitive regex. It is compiled
    when a candidate first needs its context (`_word_pattern`): most rules never get one in a run,
    and compiling all of them cost every scan's start-up a thirtieth of a second."""

    weights: dict[str, float]
    source: str | None

    def hits(self, text: str) -> list[str]:
        if self.source is None:
            return []
        return sorted({collapse(found.lower()) for found in _word_pattern(self.source).findall(text)})


@cache
def _word_pattern(source: str) -> regex.Pattern[str]:
    return regex.compile(source, regex.I)


@dataclass(slots=True)
class Compiled:
    """One rule, ready to run."""

    rule: Rule
    patterns: tuple[Guarded, ...]
    allow: tuple[Guarded, ...]
    validator: Any
    boost: _Words
    reduce: _Words
    window: int | None
    gate_words: tuple[str, ...]
    requires_digit: bool
    message_digits: int
    prefilter: Guarded | None
    on_attachment: bool
    options: Mapping[str, Any]
    base: float
    min_score: float
    group: str | None
    require_context: bool
    min_digits: int
    match_digits: int = 0  # every match holds at least this many digits (bundled rules; 0: unsure)


def _words(items: Sequence[Any], default: float) -> _Words:
    weights: dict[str, float] = {}
    for item in items:
        word, weight = (item, default) if isinstance(item, str) else (item["word"], float(item.get("weight", default)))
        weights[collapse(word.lower())] = weight
    if not weights:
        return _Words({}, None)
    alternation = "|".join(
        regex.escape(word).replace(r"\ ", r"\s+") for word in sorted(weights, key=len, reverse=True)
    )
    return _Words(weights, rf"(?<![\w]){'(?:' + alternation + ')'}(?![\w])")  # escaped words: always compiles


def compile_rule(rule: Rule) -> Compiled:
    """Compile one rule; raise PatternError naming the rule for anything this detector rejects."""

    def fail(problem: str) -> PatternError:
        return PatternError(rule.source, rule.source_line, rule.id, problem)

    options = dict(rule.options)
    unknown = set(rule.match) - MATCH_KEYS
    if unknown:
        raise fail(f"the operational detector does not use match.{sorted(unknown)[0]} (use regex and keywords)")
    name = options.get("validator")
    if name is not None and name not in VALIDATORS:
        raise fail(f"unknown validator '{name}' (known: {', '.join(sorted(VALIDATORS))})")
    sources = rule.match.get("regex", [])
    if not sources:
        raise fail("the operational detector needs at least one match.regex")
    target = options.get("target", "text")
    if target not in ("text", "attachment"):
        raise fail("options.target must be 'text' or 'attachment'")
    try:
        patterns = tuple(compile_rule_regex(source, trusted=rule.bundled) for source in sources)
        allow = tuple(compile_rule_regex(entry, regex.I, trusted=rule.bundled) for entry in rule.allow)
        prefilter = _gate(options["prefilter"], rule.bundled) if options.get("prefilter") else None
    except regex.error as error:
        raise fail(f"pattern does not compile: {error}") from None
    window = rule.context.get("window")
    require_context = bool(options.get("require_context", False))
    gate_words = tuple(word.lower() for word in rule.match.get("keywords", []))
    if not gate_words and require_context:  # no boost word anywhere in the message: cannot fire
        gate_words = tuple(collapse(w if isinstance(w, str) else w["word"]).lower() for w in rule.context.get("boost", []))
    return Compiled(
        rule=rule, patterns=patterns, allow=allow,
        validator=VALIDATORS[name] if name else None,
        boost=_words(rule.context.get("boost", []), float(options.get("boost_weight", 0.15))),
        reduce=_words(rule.context.get("reduce", []), float(options.get("reduce_weight", 0.3))),
        window=int(window) if window else None,
        gate_words=gate_words,
        requires_digit=bool(options.get("requires_digit", False)),
        message_digits=int(options.get("message_digits", 0)), prefilter=prefilter,
        on_attachment=target == "attachment", options=options,
        base=BASE_SCORE[rule.confidence], min_score=float(options.get("min_score", 0.35)),
        group=options.get("group"), require_context=require_context,
        min_digits=int(options.get("min_digits", 0)),
        # Only for bundled rules: a force's regex may read differently in the `regex` module.
        match_digits=min(least_digits(source) for source in sources) if rule.bundled else 0,
    )


CONTEXT_CHARS = 2000  # "the whole message" as context: at most this many characters each side of a match
TOKEN_CHARS = 100  # a context token longer than this is cut (bounds the work per candidate)


def window_text(text: str, start: int, end: int, size: int | None) -> str:
    """The text around a match, `size` tokens each side (the whole message, up to CONTEXT_CHARS each
    side, when size is None). Bounded, so a long message costs the same per candidate as a short one."""
    if size is None:
        return f"{text[max(0, start - CONTEXT_CHARS):start]} \u2063 {text[end:end + CONTEXT_CHARS]}"
    reach = size * TOKEN_CHARS
    left = text[max(0, start - reach):start].rsplit(maxsplit=size)
    right = text[end:end + reach].split(maxsplit=size)
    return f"{' '.join(left[-size:])} \u2063 {' '.join(right[:size])}"


def _gate(source: str, trusted: bool) -> Guarded:
    """A prefilter. Compiled with `regex` like the rule's own patterns, so it runs in windows and,
    from a force's pack, with a time limit: a prefilter comes from a pattern file too."""
    return compile_rule_regex(source, gate=True, trusted=trusted)
