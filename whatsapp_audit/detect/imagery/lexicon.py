"""Vocabulary of the imagery detector: compiled from pattern data, scanned over neighbour texts.

The scene, body and injury words, the removal replies and the ordinary contexts that explain them
away all come from `patterns/imagery/*.toml`; this module turns those lists into one token index
and scans a text in a single pass (every media message looks at ~30 neighbours, so this is the hot
path), keeping overlapping matches ("full body" and "body") so nothing is silently swallowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.errors import PatternError

# Invisible marks real exports carry (LRM, RLM, bidi embeddings/isolates, zero-width characters).
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                    "\u200b\u200c\u200d\ufeff"))
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "-": " ", "\u2010": " ", "\u2011": " ",
                       "\u2013": " ", "\u2014": " ", "_": " ", "\u00a0": " ", "\u202f": " "})
_TOKEN = re.compile(r"\w+|[^\w\s]")

ROLE_TALK = "talk"
ROLE_REPLY = "reply"


def normalise(text: str) -> str:
    """Case kept; invisible marks dropped; hyphens, underscores and odd spaces become spaces."""
    return text.translate(_INVISIBLE).translate(_FOLD)


def tokens(text: str) -> tuple[str, ...]:
    """Words and single symbols (emoji, apostrophes): terms match on whole tokens only."""
    return tuple(_TOKEN.findall(text))


@dataclass(frozen=True)
class SignalRule:
    """One imagery rule's vocabulary: what it looks for and what explains it away."""

    rule: Rule
    role: str
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    abbreviations: tuple[str, ...]  # matched in the case given (PM, SD, DB), only beside another term
    ignore: tuple[str, ...]  # ordinary phrases ("dead tired", "crime scene tape"): the words inside do not count
    explain_away: tuple[tuple[str, tuple[str, ...]], ...]  # (class label, terms)


@dataclass(frozen=True)
class Hit:
    """A term found in one message, with the rule it belongs to and its strength."""

    rule_id: str
    role: str
    term: str
    strength: str  # "strong" | "weak" | "negative" | "ignore" (never returned by a scan)
    label: str = ""  # the explain-away class of a negative term


def _str_list(rule: Rule, table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and tokens(normalise(v)) for v in value):
        raise PatternError(rule.source, rule.source_line, rule.id, f"{where}.{key} must be a list of words or phrases")
    return tuple(value)


def compile_rule(rule: Rule) -> SignalRule:
    """Check one rule's `match` and `options.explain_away` tables."""
    role = rule.options.get("role", ROLE_TALK)
    if role not in (ROLE_TALK, ROLE_REPLY):
        raise PatternError(rule.source, rule.source_line, rule.id, "options.role must be 'talk' or 'reply'")
    unknown = set(rule.match) - {"strong", "weak", "abbreviations", "ignore"}
    if unknown:
        raise PatternError(rule.source, rule.source_line, rule.id, f"unknown match keys: {sorted(unknown)}")
    strong = _str_list(rule, rule.match, "strong", "match")
    weak = _str_list(rule, rule.match, "weak", "match")
    if not strong and not weak:
        raise PatternError(rule.source, rule.source_line, rule.id, "match needs 'strong' or 'weak' terms")
    away = rule.options.get("explain_away", {})
    if not isinstance(away, Mapping):
        raise PatternError(rule.source, rule.source_line, rule.id, "options.explain_away must be a table")
    return SignalRule(
        rule=rule, role=role, strong=strong, weak=weak,
        abbreviations=_str_list(rule, rule.match, "abbreviations", "match"),
        ignore=_str_list(rule, rule.match, "ignore", "match"),
        explain_away=tuple((label, _str_list(rule, away, label, "options.explain_away")) for label in sorted(away)),
    )


# One index entry: the term's tokens, its display form, and the hit it produces.
_Entry = tuple[tuple[str, ...], str, Hit]


class _Index:
    """Terms keyed by their first token; a text is matched token by token, overlaps included.

    Phrases are also keyed by their second token, so a common first word ("the deceased was",
    "on the cordon") costs one more lookup rather than a loop over every phrase it starts.
    Hits at one position keep the order their terms were added in."""

    def __init__(self, fold_case: bool) -> None:
        self.fold_case = fold_case
        self.by_first: dict[str, list[_Entry]] = {}
        # first token -> (single-token hits, second token -> phrases), each item with its order
        self._index: dict[str, tuple[list[tuple[int, Hit]], dict[str, list[tuple[int, tuple[str, ...], Hit]]]]] = {}
        self._added = 0

    def add(self, term: str, hit_of: Any) -> None:
        norm = normalise(term)
        toks = tokens(norm.casefold() if self.fold_case else norm)
        shown = " ".join(norm.split())
        hit = hit_of(shown)
        self.by_first.setdefault(toks[0], []).append((toks, shown, hit))
        singles, phrases = self._index.setdefault(toks[0], ([], {}))
        if len(toks) == 1:
            singles.append((self._added, hit))
        else:
            phrases.setdefault(toks[1], []).append((self._added, toks, hit))
        self._added += 1

    def find(self, toks: Sequence[str]) -> list[tuple[Hit, int, int]]:
        out: list[tuple[Hit, int, int]] = []
        get = self._index.get
        last = len(toks) - 1
        for i, tok in enumerate(toks):
            entry = get(tok)
            if entry is None:
                continue
            singles, phrases = entry
            candidates = phrases.get(toks[i + 1]) if phrases and i < last else None
            if candidates is None:
                out.extend((hit, i, i + 1) for _, hit in singles)
                continue
            found = [(order, hit, 1) for order, hit in singles]
            for order, term_toks, hit in candidates:
                n = len(term_toks)
                if n == 2 or tuple(toks[i:i + n]) == term_toks:
                    found.append((order, hit, n))
            found.sort(key=lambda item: item[0])
            out.extend((hit, i, i + n) for _, hit, n in found)
        return out


class Scanner:
    """Finds every rule's terms in a text; remembers recent texts because bursts share neighbours."""

    def __init__(self, rules: Sequence[SignalRule], cache_size: int = 4096) -> None:
        self.rules = tuple(rules)
        self._terms = _Index(fold_case=True)
        self._abbr = _Index(fold_case=False)
        for sr in self.rules:
            rid, role = sr.rule.id, sr.role
            for term in sr.strong:
                self._terms.add(term, lambda t, rid=rid, role=role: Hit(rid, role, t, "strong"))
            for term in sr.weak:
                self._terms.add(term, lambda t, rid=rid, role=role: Hit(rid, role, t, "weak"))
            for label, terms in sr.explain_away:
                for term in terms:
                    self._terms.add(term, lambda t, rid=rid, role=role, label=label: Hit(rid, role, t, "negative", label))
            for term in sr.ignore:
                self._terms.add(term, lambda t, rid=rid, role=role: Hit(rid, role, t, "ignore"))
            for term in sr.abbreviations:
                self._abbr.add(term, lambda t, rid=rid, role=role: Hit(rid, role, t, "weak"))
        # Abbreviations are rare: one search keeps the second, case-sensitive pass off most texts.
        self._abbr_gate = _first_token_gate(self._abbr.by_first)
        self._cache: dict[str, tuple[Hit, ...]] = {}
        self._cache_size = cache_size
        self._raising_gate = _raising_gate(self._terms, self._abbr)

    def may_raise(self, text: str) -> bool:
        """False only when `scan(text)` holds no strong or weak hit: an ASCII text in which no token is
        the first token of a strong, weak or abbreviation term (every such hit begins at one). Asked
        before a scan of each text entering an imagery window: a file name ("IMG-20190101-WA0014.jpg
        (file attached)") and most short talk are new texts, and a scan (two translations, a tokenising
        regex, a lookup per token) cost ~20 us each; this is one search. Non-ASCII texts are scanned."""
        if not text.isascii():
            return True
        return self._raising_gate.search(text.lower()) is not None

    def scan(self, text: str) -> tuple[Hit, ...]:
        if not text:
            return ()
        cached = self._cache.get(text)
        if cached is None:
            cached = self._scan(normalise(text))
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[text] = cached
        return cached

    def _scan(self, text: str) -> tuple[Hit, ...]:
        found = self._terms.find(tokens(text.casefold()))
        # a term inside an ordinary phrase of its rule ("dead" in "dead tired") does not count
        hidden = [(h.rule_id, a, b) for h, a, b in found if h.strength == "ignore"]
        if hidden:
            found = [(h, a, b) for h, a, b in found if h.strength != "ignore"
                     and not any(rid == h.rule_id and sa <= a and b <= sb for rid, sa, sb in hidden)]
        if self._abbr.by_first:
            # abbreviations (PM, SD, DB) count only beside another scene term in the same message, or
            # beside another abbreviation ("SD at the flats, PM tomorrow")
            talk = any(h.role == ROLE_TALK and h.strength != "negative" for h, _, _ in found)
            if talk or (any(a in text for a in self._abbr.by_first) and self._abbr_gate.search(text)):
                abbreviations = self._abbr.find(tokens(text))
                if talk or len({h.term for h, _, _ in abbreviations}) > 1:
                    found += abbreviations
        if not found:
            return ()
        # a weak word inside a strong phrase ("body" in "dead body") is not counted twice
        spans = [(a, b) for h, a, b in found if h.strength == "strong"]
        kept = [(h, a) for h, a, b in found
                if h.strength != "weak" or not any(sa <= a and b <= sb for sa, sb in spans)]
        ordered = sorted(kept, key=lambda x: (x[1], x[0].strength == "negative"))
        return tuple(dict.fromkeys(h for h, _ in ordered))


def _raising_gate(terms: _Index, abbreviations: _Index) -> re.Pattern[str]:
    """A regex that finds, in a lower-cased ASCII text, every place where a token of
    `tokens(normalise(text).casefold())` could be the first token of a strong or weak term (the
    case-folded index), or of an abbreviation (the case-kept index: its token, lower-cased, is a token
    of the lower-cased text). On ASCII, `normalise` only turns "-" and "_" into spaces and casefold is
    lower, so a word token is a maximal run of [a-z0-9]: the lookarounds bound a word by exactly
    that. A symbol token is one character other than "-" and "_". Non-ASCII first tokens cannot occur
    in an ASCII text and are left out; so are negative and ignored terms (they never raise a score)."""
    firsts = {first for first, entries in terms.by_first.items()
              if any(hit.strength in ("strong", "weak") for _, _, hit in entries)}
    firsts.update(first.lower() for first in abbreviations.by_first)
    plain = {first for first in firsts if first.isascii()}
    words = sorted(first for first in plain if re.fullmatch(r"[a-z0-9]+", first))
    symbols = sorted(first for first in plain if len(first) == 1 and first not in "-_" and not re.match(r"[\w\s]", first))
    odd = plain - set(words) - set(symbols)
    if odd:  # a first token of another shape (never one of `tokens`): no gate, every text is scanned
        return re.compile("")
    parts = []
    if words:
        parts.append(r"(?<![a-z0-9])(?:" + trie_pattern(words) + r")(?![a-z0-9])")
    parts += map(re.escape, symbols)
    return re.compile("|".join(parts) if parts else r"(?!)")


def _first_token_gate(by_first: Mapping[str, Any]) -> re.Pattern[str]:
    """A regex that finds any of these first tokens as a whole token (a word, or one symbol)."""
    words = sorted(t for t in by_first if re.match(r"\w", t))
    symbols = sorted(t for t in by_first if not re.match(r"\w", t))
    parts = []
    if words:
        parts.append(r"(?<!\w)(?:" + trie_pattern(words) + r")(?!\w)")
    parts += map(re.escape, symbols)
    return re.compile("|".join(parts) if parts else r"(?!)")
