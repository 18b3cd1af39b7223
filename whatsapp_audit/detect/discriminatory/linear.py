"""A small linear model over words: an extra, explained signal for the discriminatory detector.

The rules find slurs and the constructions they are written for; ordinary wording of a
generalisation or a sexist remark ("women should ...", "they all ...") slips past them. The model
scores a message by summing the weights of the words and word pairs it holds and so can flag such a
message with the words that drove it. Format 2 has one head that decides (`discriminatory`: is the
message discriminatory at all) and one per protected characteristic that names which; format 1 had
only the characteristic heads (one-vs-rest logistic regression) and decided on the likeliest. Its weights are data (`options.model` of a rule in
`patterns/discriminatory/`, written by `scripts/train_discriminatory_model.py`), hashed and versioned
like every pattern file; inference is a sparse sum in pure Python.

Features are built from the detector's own normalised text and tokens (leet joins, confusable
letters, emoji letters, emoji forms with dark skin tones) so that training and scanning see the
same forms. A message is scored only when it holds one of the model's gate words (words that
carry enough weight to make a finding possible), so ordinary chat costs one regex search.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.discriminatory.tokens import Token, iter_tokens
from whatsapp_audit.detect.text.graphemes import is_emoji
from whatsapp_audit.detect.text.normalise import Normalised, normalise
from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.errors import PatternError

MODEL_FORMAT = 2
MODEL_FORMATS = (1, 2)  # 1: characteristic heads only; 2: plus the deciding `discriminatory` head
OVERALL = "discriminatory"  # format 2's deciding head, in `bias` and `weights` beside the characteristics
TOP_WORDS = 4  # contributions named in a finding's reason
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Featuriser:
    """The detector's normalisation and tokenisation, as the model's features need them."""

    confusables: Mapping[str, str] = field(default_factory=dict)
    letters: Mapping[str, str] = field(default_factory=dict)
    accept_join: Callable[[str], bool] | None = None
    ascii_confusables: bool = False
    dark_tones: frozenset[str] = frozenset()
    keep_emoji: frozenset[str] = frozenset()

    def normalise(self, text: str) -> Normalised:
        return normalise(text, confusables=self.confusables, accept_join=self.accept_join,
                         ascii_confusables=self.ascii_confusables, letters=self.letters)

    def tokens(self, norm_text: str) -> list[Token]:
        """Word and emoji tokens of a normalised text (punctuation and bare numbers left out)."""
        kept = []
        for token in iter_tokens(norm_text, self.dark_tones, self.keep_emoji):
            form = token.form
            if _DIGITS.fullmatch(form):
                continue
            if form[0].isalnum() or form[0] in "*'" or form in self.dark_tones or is_emoji(form):
                kept.append(token)
        return kept


def features(tokens: Sequence[Token]) -> dict[str, list[tuple[int, int]]]:
    """Unigrams and bigrams of the tokens, each with the spans (normalised offsets) where it occurs."""
    found: dict[str, list[tuple[int, int]]] = {}
    previous: Token | None = None
    for token in tokens:
        found.setdefault(token.form, []).append((token.start, token.end))
        if previous is not None:
            found.setdefault(f"{previous.form} {token.form}", []).append((previous.start, token.end))
        previous = token
    return found


@dataclass(frozen=True)
class Verdict:
    """The model's reading of one message: the likeliest characteristic and why."""

    characteristic: str
    probability: float
    others: tuple[str, ...]  # further characteristics that also reach the low threshold
    contributions: tuple[tuple[str, float], ...]  # the top positive (feature, weight) for `characteristic`
    spans: tuple[tuple[int, int], ...]  # normalised spans of those features


@dataclass(frozen=True)
class LinearModel:
    """Weights per characteristic, thresholds and the gate, read from a rule's `options.model`."""

    rule_id: str
    characteristics: tuple[str, ...]
    bias: tuple[float, ...]  # per head: the characteristics, then (format 2) the deciding head
    weights: Mapping[str, tuple[tuple[int, float], ...]]  # feature -> (head index, weight)
    low: float
    medium: float
    gate: re.Pattern[str] | None
    enabled: bool = True
    gate_body: str | None = None  # the gate's trie alternation, for the detector's one-pass gate (gate.py)
    overall: int | None = None  # index of the deciding head (format 2); None: the likeliest characteristic decides

    @classmethod
    def from_rule(cls, rule: Rule) -> LinearModel:
        spec = rule.options.get("model")

        def fail(problem: str) -> PatternError:
            return PatternError(rule.source, rule.source_line, rule.id, f"options.model: {problem}")

        if not isinstance(spec, dict):
            raise fail("must be a table")
        if spec.get("format") not in MODEL_FORMATS:
            raise fail(f"format must be one of {', '.join(map(str, MODEL_FORMATS))}")
        chars = spec.get("characteristics")
        bias = spec.get("bias")
        table = spec.get("weights")
        if not isinstance(chars, list) or not all(isinstance(c, str) for c in chars) or not chars or OVERALL in chars:
            raise fail("characteristics must be a list of names")
        heads = [*chars, OVERALL] if spec["format"] == 2 else list(chars)
        if not isinstance(bias, dict) or set(bias) != set(heads) or not all(_number(v) for v in bias.values()):
            raise fail("bias must give a number for each characteristic"
                       + (f" and for {OVERALL!r}" if len(heads) > len(chars) else ""))
        if not isinstance(table, dict) or not set(table) <= set(heads):
            raise fail("weights must be a table per characteristic")
        weights: dict[str, list[tuple[int, float]]] = {}
        for index, char in enumerate(heads):
            column = table.get(char, {})
            if not isinstance(column, dict) or not all(_number(v) for v in column.values()):
                raise fail(f"weights.{char} must map words to numbers")
            for feature, weight in column.items():
                weights.setdefault(feature, []).append((index, float(weight)))
        low, medium = spec.get("low"), spec.get("medium")
        if not _number(low) or not _number(medium) or not 0.0 < low <= medium < 1.0:
            raise fail("low and medium must be probabilities with 0 < low <= medium < 1")
        gate_words = spec.get("gate", [])
        if not isinstance(gate_words, list) or not all(isinstance(w, str) and w for w in gate_words):
            raise fail("gate must be a list of words")
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            raise fail("enabled must be true or false")
        body = trie_pattern(sorted(gate_words)) if gate_words else None
        # Anchored on the character before a word, so the engine skips letters at C speed (as gate.py does).
        gate = re.compile(r"[\W_](?:" + body + r")(?![^\W_])") if body else None
        return cls(rule.id, tuple(chars), tuple(float(bias[c]) for c in heads),
                   {f: tuple(ws) for f, ws in weights.items()}, float(low), float(medium), gate, enabled, body,
                   len(chars) if len(heads) > len(chars) else None)

    def might_apply(self, text: str) -> bool:
        """False when the (lower-cased or normalised) text holds no gate word: no finding is possible."""
        return self.gate is None or self.gate.search(" " + text) is not None

    def read(self, found: Mapping[str, Sequence[tuple[int, int]]]) -> Verdict | None:
        """The verdict on a message's features, or None when no characteristic reaches `low`."""
        sums = list(self.bias)
        for feature in found:
            for index, weight in self.weights.get(feature, ()):
                sums[index] += weight
        probs = [_sigmoid(s) for s in sums]
        count = len(self.characteristics)
        best = max(range(count), key=lambda i: (probs[i], -i))
        decides = best if self.overall is None else self.overall
        if probs[decides] < self.low:
            return None
        # The words named are those that pushed the deciding head up; a second characteristic is named
        # when its own head also reads the message as about it (format 1: reaches `low`; format 2: even odds).
        contributions = sorted(((f, w) for f in found for i, w in self.weights.get(f, ()) if i == decides and w > 0),
                               key=lambda fw: (-fw[1], fw[0]))[:TOP_WORDS]
        spans = tuple(sorted(span for f, _ in contributions for span in found[f]))
        floor = self.low if self.overall is None else 0.5
        others = tuple(self.characteristics[i] for i in sorted(range(count), key=lambda i: (-probs[i], i))
                       if i != best and probs[i] >= floor)
        return Verdict(self.characteristics[best], probs[decides], others,
                       tuple((f, round(w, 2)) for f, w in contributions), spans)


def probabilities(model: LinearModel, found: Iterable[str]) -> dict[str, float]:
    """Every head's probability for a message's features (for scripts and tests): each characteristic's,
    and with format 2 the deciding head's under `discriminatory`."""
    sums = list(model.bias)
    for feature in set(found):
        for index, weight in model.weights.get(feature, ()):
            sums[index] += weight
    heads = (*model.characteristics, OVERALL) if model.overall is not None else model.characteristics
    return {c: _sigmoid(s) for c, s in zip(heads, sums, strict=True)}


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)
