"""Phrase rules: constructions over the identity and predicate lexicons, matched with spaCy's Matcher.

Most discriminatory messages hold no slur: "[group] are all [vermin]", "send them all back", "I'd
happily [rape] her", a group beside a gas chamber. Such constructions are data (`[rule.match]
token_patterns`, spaCy Matcher patterns over `spacy.blank("en")`'s vocabulary); `{ SLOT = ... }` tokens
stand for the identity and predicate lexicons (slots.py), so the word lists live in one place.

Cost and limits, by design:
- a pre-filter (the rarest required word of each pattern, as one regex trie, plus emoji) keeps spaCy
  off ordinary messages; `wanted` then checks every required token of some pattern is present;
- every pattern has a bounded length (unbounded repeats are refused at configure time), so a long
  message is matched in overlapping windows of tokens and every match, however far into a message of
  any length, is found exactly once, in time linear in the message.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from whatsapp_audit.detect.base import Rule
from whatsapp_audit.detect.discriminatory.candidates import PhraseCandidates
from whatsapp_audit.detect.discriminatory.slots import IDENTITY_SLOTS, IdentityVocab, PredicateVocab, form_of
from whatsapp_audit.detect.discriminatory.tokens import CLITICS, PhraseJoiner, Token, strip_emoji, token_words, tokenize
from whatsapp_audit.detect.discriminatory.vocab import CHARACTERISTICS
from whatsapp_audit.detect.text.runs import RunTable
from whatsapp_audit.detect.text.trie import trie_pattern
from whatsapp_audit.errors import PatternError

_WORD = regex.compile(r"(?:[^\W_]|\*)+")  # a word the pre-filter can gate on (censoring stars included)
_ASCII_WORD = re.compile(r"(?:[^\W_]|\*)+")  # the same on ASCII text, where both engines agree (and `re` is faster)
_BOUNDED_OP = regex.compile(r"^\{(\d*),?(\d*)\}$")
MAX_PATTERN_TOKENS = 40  # the longest a phrase pattern may match; windows overlap by this much
WINDOW_TOKENS = 2000  # tokens matched at a time in a long message
REGION_CHARS = 4096  # in a long text, the stretch read each side of a pre-filter word


@dataclass(frozen=True, slots=True)
class PhraseHit:
    rule_id: str
    start: int  # offsets in the normalised text
    end: int
    characteristics: tuple[str, ...]
    identity_words: tuple[str, ...]


@dataclass(frozen=True)
class PhraseOptions:
    """Per-rule options read once: a fixed characteristic, and whether an identity must be near."""

    characteristics: tuple[str, ...]
    requires_identity: int  # 0: no; n: an identity term (or slur) within n tokens of the hit
    nearby_words: frozenset[str] = frozenset()  # one of these must be within `nearby_within` tokens
    nearby_within: int = 0
    not_followed_by: frozenset[str] = frozenset()  # the hit is dropped when the next token is one of these
    not_preceded_by: frozenset[str] = frozenset()  # ... or when the token(s) just before it spell one of these
    clause_start: bool = False  # the hit must open the message, a line or a sentence (an imperative)
    yields_to: frozenset[str] = frozenset()  # rule ids whose overlapping hit makes this one redundant
    not_object_of: frozenset[str] = frozenset()  # "who", "men that": the hit's group is a relative clause's object


class PhraseMatcher:
    """All phrase rules compiled into one spaCy Matcher, with a required-word pre-filter."""

    def __init__(self, rules: Sequence[Rule], identity: IdentityVocab, make_nlp: Callable[[], Any],
                 common: Sequence[str] = (), predicates: PredicateVocab | None = None,
                 table: RunTable | None = None, not_verbs: Iterable[str] = ()) -> None:
        """`common` lists everyday words, so the pre-filter gates on a pattern's rarest required word;
        `table`: the runs' memo to share (None: one of its own); `not_verbs`: words that cannot be the
        verb of a relative clause ("all", "the", "are"), for a rule's `not_object_of`."""
        self._not_verbs = frozenset(form_of(w) for w in not_verbs)
        self._identity = identity
        self._predicates = predicates or PredicateVocab({})
        self._make_nlp = make_nlp
        self._nlp: Any = None
        self._matchers: list[Any] | None = None
        self._patterns: dict[str, list[list[dict[str, Any]]]] = {}
        self._options: dict[str, PhraseOptions] = {}
        self._rules = {rule.id: rule for rule in rules}
        self._required: list[list[frozenset[str]]] = []
        self._pattern_rule: list[str] = []  # rule id of each expanded pattern, in order
        spelled = {pair for rule in rules for pattern in rule.match.get("token_patterns", [])
                   for pair in _spelled_pairs(pattern)}
        # Multi-word slot entries become one token, unless a pattern spells out their first two words.
        self._joined = frozenset(p for p in identity.phrases() | self._predicates.phrases()
                                 if tuple(p.split(" ")[:2]) not in spelled)
        self._joiner = PhraseJoiner(self._joined)
        self._keep_emoji = frozenset(identity.emoji)
        self._identity_forms = identity.word_characteristics() | {p: identity.characteristics(p.split(" "))
                                                                  for p in identity.phrases() & self._joined}
        # Slot fills repeat across patterns: one object per distinct set keeps the built matcher (in
        # every worker, and in the build cache) a fraction of the size (3,445 sets, 845 distinct).
        distinct: dict[frozenset[str], frozenset[str]] = {}
        for rule in rules:
            expanded: list[list[dict[str, Any]]] = []
            for position, pattern in enumerate(rule.match.get("token_patterns", []), 1):
                for variant in self._expand(pattern, rule, position):
                    _check_length(variant, rule, position)
                    expanded.append(variant)
                    self._required.append([distinct.setdefault(words, words)
                                           for words in _required_words(variant, rule, position)])
                    self._pattern_rule.append(rule.id)
            self._patterns[rule.id] = expanded
            fixed = rule.options.get("characteristic", ())
            near = rule.options.get("requires_identity_within", 0)
            if not isinstance(near, int) or isinstance(near, bool) or not 0 <= near <= MAX_PATTERN_TOKENS:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"options.requires_identity_within must be a number of tokens, 0-{MAX_PATTERN_TOKENS}")
            clause_start = rule.options.get("at_clause_start", False)
            if not isinstance(clause_start, bool):
                raise PatternError(rule.source, rule.source_line, rule.id, "options.at_clause_start must be true or false")
            self._options[rule.id] = PhraseOptions((fixed,) if isinstance(fixed, str) else tuple(fixed), near,
                                                   *_nearby(rule), _word_list(rule, "not_followed_by"),
                                                   _word_list(rule, "not_preceded_by"), clause_start,
                                                   frozenset(_word_list(rule, "yields_to", lower=False)),
                                                   _word_list(rule, "not_object_of"))
        for rule in rules:
            unknown = sorted(self._options[rule.id].yields_to - self._rules.keys())
            if unknown:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"options.yields_to names no phrase rule: {', '.join(unknown)}")
        self._weights = _weights(common)
        self._gate_words: dict[str, str] = {}  # form -> gate_word(form), filled as forms are seen
        ranks: dict[frozenset[str], tuple[bool, float, int, int] | None] = {}  # rank of each set (slot fills repeat)
        self._by_word: dict[str, list[int]] = {}  # rarest required word -> patterns it gates
        for index, sets in enumerate(self._required):
            for word in _rarest(sets, self._weights, ranks, self._gate_word):
                self._by_word.setdefault(word, []).append(index)
        self._by_gate: dict[str, set[int]] = {}
        for form, indices in self._by_word.items():
            self._by_gate.setdefault(self._gate_word(form), set()).update(indices)
        self._word_sets = [[s for s in sets if _words_only(s)] for sets in self._required]
        # Every required set as the test `could_match` makes of it (slot fills repeat: one per set).
        # Smallest sets first: the cheapest to test and the least often present.
        presence: dict[frozenset[str], _Presence] = {}
        self._presence = [tuple(presence.setdefault(s, _Presence.of(s)) for s in sorted(sets, key=len))
                          for sets in self._required]
        self._emoji_gates = [(form, indices) for form, indices in self._by_gate.items() if not _WORD.fullmatch(form)]
        # The same, by first character: a text holds few distinct characters, the gates are many.
        self._emoji_firsts: dict[str, set[int]] = {}
        for form, gated in self._emoji_gates:
            self._emoji_firsts.setdefault(form[0], set()).update(gated)
        self._ascii_firsts = frozenset(first for first in self._emoji_firsts if first.isascii())
        words = sorted({self._gate_word(w) for w in self._by_word if _WORD.fullmatch(self._gate_word(w))})
        emoji = sorted({w[0] for w in self._by_word if not _WORD.fullmatch(self._gate_word(w)) and not w.isascii()})
        # A prefix trie, not a flat alternation: the engine rejects most word starts on one character.
        self.gate_body = trie_pattern(words) if words else None
        self._gate_compiled: re.Pattern[str] | None = None  # compiled on first use (`_gate`)
        self._emoji_gate = re.compile("[" + "".join(map(re.escape, emoji)) + "]") if emoji else None
        # The same characters as a set: a class of a few hundred emoji costs `re` a scan of the list at
        # every position (7 µs on a short line), a set one lookup per character.
        self._emoji_chars = frozenset(emoji)
        # `could_match`, read run by run from the shared table (candidates.py).
        self._candidates = PhraseCandidates(self._presence, self._by_gate, self._emoji_firsts,
                                            table if table is not None else RunTable(), self._weights) if (
            self._required and PhraseCandidates.applies(self._presence, self._emoji_firsts)) else None

    def share_runs(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        if self._candidates is not None:
            self._candidates.share(table)

    def run_bits(self) -> int | None:
        """The bits of the shared table (laid out) without which `could_match` is False for ASCII text:
        those of the constructions some run wakes and whose plain tests the runs satisfy (0: no phrase
        rule; None: `could_match` reads the whole text)."""
        if not self._required:
            return 0
        return self._candidates.woken_bits() if self._candidates is not None else None

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
                _check_single_tokens(token, rule, position)
                variants = [v + [dict(token)] for v in variants]
                continue
            if set(token) - {"SLOT"}:
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"token pattern #{position}: a SLOT token takes no other keys")
            if str(slot).partition(":")[0] in IDENTITY_SLOTS:
                if str(slot).partition(":")[2] not in ("", *CHARACTERISTICS):
                    raise PatternError(rule.source, rule.source_line, rule.id,
                                       f"token pattern #{position}: unknown characteristic in SLOT {slot!r}")
                if not self._identity:
                    raise PatternError(rule.source, rule.source_line, rule.id,
                                       f"token pattern uses SLOT {slot} but no identity vocabulary is loaded")
                fills = self._identity.slot_variants(str(slot), self._joined)
            else:
                found = self._predicates.slot_variants(str(slot), self._joined)
                if found is None:
                    known = ", ".join([*IDENTITY_SLOTS, *sorted(self._predicates.classes)])
                    raise PatternError(rule.source, rule.source_line, rule.id,
                                       f"token pattern #{position}: unknown SLOT {slot!r} (known: {known})")
                fills = found
            variants = [v + s for v in variants for s in fills]
        return variants

    def _ensure(self) -> list[Any]:
        """One Matcher per expanded pattern: spaCy's Matcher tries every pattern it holds at every
        token, so a message is matched only against the patterns whose required words it holds."""
        if self._matchers is None:
            from spacy.matcher import Matcher

            self._nlp = self._make_nlp()
            matchers = []
            patterns = [p for rule_patterns in self._patterns.values() for p in rule_patterns]
            for rule_id, pattern in zip(self._pattern_rule, patterns, strict=True):
                matcher = Matcher(self._nlp.vocab)
                try:
                    matcher.add(rule_id, [pattern])
                except ValueError as error:
                    rule = self._rules[rule_id]
                    raise PatternError(rule.source, rule.source_line, rule_id,
                                       f"invalid token pattern: {type(error).__name__}") from None
                matchers.append(matcher)
            self._matchers = matchers
        return self._matchers

    def might_match(self, text: str) -> bool:
        """False only when `match` would certainly find nothing (its first gate, exposed for callers)."""
        if not self._required:
            return False
        if self._gate is not None and self._gate.search(text) is not None:
            return True
        return not text.isascii() and not self._emoji_chars.isdisjoint(text)

    def prepare(self) -> None:
        """Compile the pre-filter now (for an engine kept in `build_cache`, which stores it compiled)."""
        self._gate  # noqa: B018 - the property compiles it

    @property
    def _gate(self) -> re.Pattern[str] | None:
        """The required-word pre-filter on its own. The detector's QuickGate holds the same trie and
        turns ordinary chat away first, so this is compiled only once a message gets past that."""
        if self._gate_compiled is None and self.gate_body:
            self._gate_compiled = re.compile(r"(?<![^\W_])(?:" + self.gate_body + r")(?![^\W_])")
        return self._gate_compiled

    def _gate_word(self, form: str) -> str:
        """What the pre-filter looks for: a word, or the least everyday word of a joined phrase."""
        found = self._gate_words.get(form)
        if found is None:
            found = self._gate_words[form] = gate_word(form, self._weights)
        return found

    def emoji_might_match(self, text: str) -> bool:
        """The emoji half of `might_match` (False for ASCII text)."""
        return not text.isascii() and not self._emoji_chars.isdisjoint(text)

    def _plausible(self, text: str) -> bool:
        """A cheap second gate on plain words, before any tokenizing: some pattern has its rarest word
        here and, for each of its other required tokens given as plain words, one of them. ("don't"
        gives "don" and "t"; "do" is added, so contractions never rule a pattern out.)"""
        words = set(_WORD.findall(text))
        words |= {w[:-1] for w in words if w.endswith("n")}
        candidates = {i for w in words & self._by_gate.keys() for i in self._by_gate[w]}
        if not text.isascii():  # patterns gated on an emoji: its first character is enough here
            for first in self._emoji_firsts.keys() & set(text):
                candidates.update(self._emoji_firsts[first])
        return any(all(not words.isdisjoint(s) for s in self._word_sets[i]) for i in candidates)

    def could_match(self, text: str, combined: int | None = None) -> bool:
        """False only when no pattern can match `text` as it is (a normalised text, or one that
        normalising would only lower-case), whatever allowed names `match` masks in it: some pattern
        gated on a word or emoji here has every required token possibly here (`_Presence`). Unlike
        `_plausible` it reads emoji, punctuation, contractions and joined phrases too, so "cheers all
        👍" is turned away although a construction over "[group] are not 👍" is gated on the emoji."""
        if not self._required:
            return False
        candidates = self._candidates
        found = None if candidates is None else candidates.could_match(text) if combined is None else (
            candidates.could_match_bits(text, combined))
        return self._could_match_in_text(text) if found is None else found

    def _could_match_in_text(self, text: str) -> bool:
        """`could_match` read from the whole text: the reference, and the path for text where a
        grapheme cluster may cross whitespace (so runs cannot be read alone: candidates.py)."""
        if not self._required:
            return False
        # (On ASCII text the runs of the whole text are those of its word tokens; elsewhere a cluster
        # may end in a character the regex engine counts as a word's, so the tokens' own are read.)
        words = set(_ASCII_WORD.findall(text)) if text.isascii() else token_words(text)
        words |= {w[:-1] for w in words if w.endswith("n")}
        candidates = {i for w in words & self._by_gate.keys() for i in self._by_gate[w]}
        chars = set(text)
        if not text.isascii() or self._ascii_firsts:
            for first in self._emoji_firsts.keys() & chars:
                candidates.update(self._emoji_firsts[first])
        presence = self._presence
        known: dict[_Presence, bool] = {}  # slot fills repeat: each set is tested once
        for tests in {presence[i] for i in candidates}:
            for test in tests:
                here = known.get(test)
                if here is None:
                    here = known[test] = test.maybe_in(words, chars)
                if not here:
                    break
            else:
                return True
        return False

    def wanted(self, forms: set[str]) -> list[int]:
        """The patterns that could match: those whose every required token is present."""
        candidates = {i for w in forms & self._by_word.keys() for i in self._by_word[w]}
        return sorted(i for i in candidates if all(not forms.isdisjoint(s) for s in self._required[i]))

    def validate(self, *, bundled_too: bool = False) -> None:
        """Compile the Matchers now, so a bad pattern fails at configure time: for a pack from outside
        the tool (a force's own), or for every pack with `bundled_too`. The bundled patterns are
        checked by the test suite, so a scan with them alone does not load spaCy (about a second
        and a half of start-up) until a message first needs tokens; ordinary chat never does."""
        if any(self._patterns.values()) and (bundled_too or not all(r.bundled for r in self._rules.values())):
            self._ensure()

    def match(self, text: str, slur_spans: Sequence[tuple[int, int, tuple[str, ...]]] = ()) -> list[PhraseHit]:
        """Phrase hits in a normalised text; `slur_spans` (lexicon hits: start, end, characteristics)
        count as identity terms for rules that need one nearby."""
        if not self.might_match(text):
            return []
        if len(text) <= 2 * REGION_CHARS and not self._plausible(text):
            return []
        slurs = sorted(slur_spans)
        if len(text) <= 2 * REGION_CHARS:
            return self._match_region(text, 0, len(text), slurs)
        # A long text: only the stretches around a pre-filter word are tokenized. Every match holds
        # such a word, and a match with the tokens its checks look at lies within REGION_CHARS of it.
        hits: dict[tuple[str, int, int], PhraseHit] = {}
        for lo, hi in self._regions(text):
            for hit in self._match_region(text, lo, hi, slurs):
                hits.setdefault((hit.rule_id, hit.start, hit.end), hit)
        return sorted(hits.values(), key=lambda h: (h.start, h.rule_id))

    def _regions(self, text: str) -> list[tuple[int, int]]:
        spots = [m.start() for m in self._gate.finditer(text)] if self._gate is not None else []
        if self._emoji_gate is not None and not text.isascii():
            spots += [m.start() for m in self._emoji_gate.finditer(text)]
        regions: list[tuple[int, int]] = []
        for spot in sorted(spots):
            lo, hi = max(0, spot - REGION_CHARS), min(len(text), spot + REGION_CHARS)
            if regions and lo <= regions[-1][1]:
                regions[-1] = (regions[-1][0], hi)
            else:
                regions.append((lo, hi))
        return regions

    def _match_region(self, text: str, lo: int, hi: int,
                      slurs: Sequence[tuple[int, int, tuple[str, ...]]]) -> list[PhraseHit]:
        tokens = [Token(t.form, t.start + lo, t.end + lo)
                  for t in tokenize(text[lo:hi], self._identity.dark_tones, self._keep_emoji)]
        if lo > 0 and tokens and tokens[0].start == lo and _WORD.match(text, lo - 1):
            tokens.pop(0)  # a word cut by the region's edge
        if hi < len(text) and tokens and tokens[-1].end == hi and _WORD.match(text, hi):
            tokens.pop()
        tokens = self._joiner.join(tokens)
        if not self.wanted({t.form for t in tokens}):
            return []
        matchers = self._ensure()
        from spacy.tokens import Doc

        found: dict[str, set[tuple[int, int]]] = {}
        step = WINDOW_TOKENS - MAX_PATTERN_TOKENS
        for first in range(0, max(len(tokens) - MAX_PATTERN_TOKENS, 1), step):
            window = tokens[first:first + WINDOW_TOKENS]
            wanted = self.wanted({t.form for t in window})
            if not wanted:
                continue
            doc = Doc(self._nlp.vocab, words=[t.form for t in window])
            for index in wanted:
                for _, start, end in matchers[index](doc):
                    found.setdefault(self._pattern_rule[index], set()).add((first + start, first + end))
        hits = []
        for rule_id, spans in found.items():
            kept: list[tuple[int, int]] = []
            for start, end in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):  # longest first
                if not any(start < e and s < end for s, e in kept):
                    kept.append((start, end))
            options = self._options[rule_id]
            for start, end in sorted(kept):
                near: tuple[str, ...] = ()
                named: list[str] = []  # the identity words that made a `requires_identity_within` hit
                if options.requires_identity:
                    near, named = self._identity_near(tokens, start, end, options.requires_identity, slurs)
                    if not near:
                        continue
                if options.nearby_within and not _word_near(tokens, start, end, options):
                    continue
                if end < len(tokens) and tokens[end].form in options.not_followed_by:
                    continue
                if start > 0 and _preceded_by(tokens, start, options.not_preceded_by):
                    continue
                if options.not_object_of and self._object_of_relative(tokens, start, options.not_object_of):
                    continue
                if options.clause_start and not starts_clause(text, tokens[start].start):
                    continue
                forms = [t.form for t in tokens[start:end] if t.form in self._identity_forms] or named
                chars = options.characteristics or self._identity.characteristics(
                    [t.form for t in tokens[start:end]]) or near
                hits.append(PhraseHit(rule_id, tokens[start].start, tokens[end - 1].end, chars, tuple(forms)))
        return sorted(_without_redundant(hits, self._options), key=lambda h: (h.start, h.rule_id))

    def _object_of_relative(self, tokens: Sequence[Token], start: int, heads: frozenset[str]) -> bool:
        """The hit opens with a group that is the object of a relative clause: one of `heads` ("who",
        "men that"), then one or two words that may be its verb (none of `not_verbs` nor an identity
        word), then the hit: "men who hit [group] are cowards" says "cowards" of the men."""
        for between in (1, 2):
            opening = start - between
            if opening < 1:
                break
            verbs = tokens[opening:start]
            if any(t.form in self._not_verbs or t.form in self._identity_forms or not t.form.replace(" ", "").isalpha()
                   for t in verbs):
                continue
            if _preceded_by(tokens, opening, heads):
                return True
        return False

    def _identity_near(self, tokens: Sequence[Token], start: int, end: int, within: int,
                       slurs: Sequence[tuple[int, int, tuple[str, ...]]]) -> tuple[tuple[str, ...], list[str]]:
        """The characteristics named by identity words or slurs within `within` tokens (empty: none), and
        the identity words that named them (the group a member threatened belongs to, for the reason)."""
        lo, hi = max(0, start - within), min(len(tokens), end + within)
        words = [t.form for t in tokens[lo:hi] if t.form in self._identity_forms]
        found = self._identity.characteristics(words)
        if found:
            return found, list(dict.fromkeys(words))
        left, right = tokens[lo].start, tokens[hi - 1].end
        i = bisect.bisect_left(slurs, (left, -1, ()))
        chars: list[str] = []
        while i < len(slurs) and slurs[i][1] <= right:
            chars += [c for c in slurs[i][2] if c not in chars]
            i += 1
        return tuple(chars), []


_CLAUSE_MARKS = frozenset(".!?;:…")
_CLAUSE_LOOKBACK = 200  # characters read back to find what precedes a hit


def starts_clause(text: str, at: int) -> bool:
    """Whether offset `at` opens the text, a line or a sentence: where an imperative ("hang her")
    stands, as against the same words inside a clause ("went to hang her coat up")."""
    before = text[max(0, at - _CLAUSE_LOOKBACK):at]
    kept = before.rstrip()
    if not kept or "\n" in before[len(kept):]:
        return True
    last = kept[-1]
    return last in _CLAUSE_MARKS or not (last.isalnum() or last in ",'*-&")


def _spelled_pairs(pattern: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Word pairs a pattern spells out in consecutive literal tokens (an optional token may be skipped)."""
    pairs: set[tuple[str, str]] = set()
    for i, token in enumerate(pattern):
        if "SLOT" in token:
            continue
        for nxt in pattern[i + 1:]:
            if "SLOT" in nxt:
                break
            pairs.update((a, b) for a in _token_words(token) for b in _token_words(nxt))
            if str(nxt.get("OP", "")) not in {"?", "*"} and not str(nxt.get("OP", "")).startswith("{0"):
                break
    return pairs


def _token_words(token: dict[str, Any]) -> list[str]:
    value = token.get("LOWER", token.get("ORTH"))
    words = [value] if isinstance(value, str) else list(value.get("IN", [])) if isinstance(value, dict) else []
    return [w.lower() for w in words if isinstance(w, str)]


def _check_single_tokens(token: dict[str, Any], rule: Rule, position: int) -> None:
    """Every word a token may be must be one token as the detector cuts text ("do not" is two)."""
    for key in ("LOWER", "ORTH"):
        value = token.get(key)
        words = [value] if isinstance(value, str) else list(value.get("IN", [])) if isinstance(value, dict) else []
        for word in words:
            if not isinstance(word, str) or word.lower() in CLITICS:
                continue
            parts = _token_forms(word.lower())
            if len(parts) != 1 or parts[0] != strip_emoji(word.lower()):
                raise PatternError(rule.source, rule.source_line, rule.id,
                                   f"token pattern #{position}: {word!r} is {len(parts)} tokens "
                                   f"({' + '.join(parts)}); give each token its own pattern entry")


@cache
def _token_forms(word: str) -> tuple[str, ...]:
    """How the detector cuts a pattern's word into tokens (the same IN lists recur in many patterns)."""
    return tuple(t.form for t in tokenize(word))


def _word_near(tokens: Sequence[Token], start: int, end: int, options: PhraseOptions) -> bool:
    lo, hi = max(0, start - options.nearby_within), min(len(tokens), end + options.nearby_within)
    return any(t.form in options.nearby_words for t in tokens[lo:hi])


def _preceded_by(tokens: Sequence[Token], start: int, words: frozenset[str]) -> bool:
    """Whether the token before `start`, or the tokens just before it, spell one of `words`
    (several words: "in the" before "🕌 is not 🆗" makes the emoji a place, not a group)."""
    if tokens[start - 1].form in words:
        return True
    return any(" " in w and start >= w.count(" ") + 1
               and " ".join(t.form for t in tokens[start - w.count(" ") - 1:start]) == w for w in words)


def _word_list(rule: Rule, key: str, *, lower: bool = True) -> frozenset[str]:
    raw = rule.options.get(key, [])
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise PatternError(rule.source, rule.source_line, rule.id, f"options.{key} must be a list of words")
    return frozenset(form_of(w) if lower else w for w in raw)


def _without_redundant(hits: Sequence[PhraseHit], options: Mapping[str, PhraseOptions]) -> list[PhraseHit]:
    """Drop a hit of a rule that `yields_to` another when that rule's hit overlaps it: a narrower
    construction ("women are animals" as sexism) adds nothing where a general one already fired."""
    return [hit for hit in hits if not any(
        other.rule_id in options[hit.rule_id].yields_to and other.start < hit.end and hit.start < other.end
        for other in hits)]


def _nearby(rule: Rule) -> tuple[frozenset[str], int]:
    """`options.requires_nearby = { words = [...], within = N }`: the hit needs one of the words close by."""
    raw = rule.options.get("requires_nearby")
    if raw is None:
        return frozenset(), 0
    within = raw.get("within") if isinstance(raw, dict) else None
    words = raw.get("words") if isinstance(raw, dict) else None
    if (not isinstance(within, int) or isinstance(within, bool) or not 1 <= within <= MAX_PATTERN_TOKENS
            or not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words)):
        raise PatternError(rule.source, rule.source_line, rule.id, "options.requires_nearby needs words = [...] "
                           f"and within = a number of tokens, 1-{MAX_PATTERN_TOKENS}")
    return frozenset(form_of(w) for w in words), within


def _check_length(pattern: list[dict[str, Any]], rule: Rule, position: int) -> None:
    """Refuse unbounded repeats: a match must fit in the overlap of two windows of a long message."""
    longest = 0
    for token in pattern:
        op = token.get("OP")
        if op in (None, "?", "!", "1"):
            longest += 1
            continue
        bounded = _BOUNDED_OP.match(str(op))
        if op in ("*", "+") or bounded is None or (not bounded.group(2) and "," in str(op)):
            raise PatternError(rule.source, rule.source_line, rule.id,
                               f"token pattern #{position}: OP {op!r} is unbounded; write {{0,N}} or {{1,N}} "
                               "so every match can be found in a message of any length")
        longest += int(bounded.group(2) or bounded.group(1) or 0)
    if longest > MAX_PATTERN_TOKENS:
        raise PatternError(rule.source, rule.source_line, rule.id,
                           f"token pattern #{position} can match {longest} tokens; at most {MAX_PATTERN_TOKENS}")


_ALL_X = regex.compile(r"x+")  # a word `allow.mask` may have blanked


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed as itself: one per distinct set
class _Presence:
    """Whether a text may hold a token whose form is one of a required set's forms.

    The tokenizer (tokens.py) cuts a text into words, contractions and other grapheme clusters, and
    the joiner makes one token of a phrase's tokens. A word token (it begins with a letter, a digit or
    "*") is a word of the text as `_WORD` finds it, or one less its final "n" ("do" of "don't"), or a
    word with apostrophes inside ("o'neill": each of its words is one of the text's); a contraction
    is the text's word after the apostrophe ("n't": "t"); any other token is a cluster of the text
    (an emoji less its selectors and skin tones, a dark tone, a punctuation mark), so its first
    character is one of the text's. A form with a word made only of "x" may come from an allowed
    name blanked by `allow.mask`: always possible."""

    words: frozenset[str]  # forms that are one word
    firsts: frozenset[str]  # first characters of forms that are one cluster
    parted: Mapping[str, tuple[tuple[frozenset[str], frozenset[str]], ...]]  # other forms' (words, first
    # characters of clusters), by one of their words
    clusters: tuple[frozenset[str], ...]  # other forms with no word: the first characters of their clusters
    always: bool

    @classmethod
    def of(cls, forms: frozenset[str]) -> _Presence:
        words: set[str] = set()
        firsts: set[str] = set()
        parted: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}
        clusters: list[frozenset[str]] = []
        always = False
        for form in forms:
            runs: list[str] = []
            starts: set[str] = set()
            for part in form.split(" "):
                if not part:
                    continue
                if part in CLITICS:
                    runs += _WORD.findall(part.rpartition("'")[2])
                elif part[0].isalnum() or part[0] == "*":
                    runs += _WORD.findall(part)
                else:
                    starts.add(part[0])
            if any(_ALL_X.fullmatch(run) for run in runs):
                always = True
            elif " " not in form and runs and _WORD.fullmatch(form):
                words.add(form)
            elif " " not in form and not runs and starts:
                firsts.update(starts)
            elif runs:
                parted.setdefault(max(runs, key=len), []).append((frozenset(runs), frozenset(starts)))
            elif starts:
                clusters.append(frozenset(starts))
        return cls(frozenset(words), frozenset(firsts), {key: tuple(found) for key, found in parted.items()},
                   tuple(clusters), always)

    @property
    def plain(self) -> bool:
        """Whether the test only asks for one of `words` or one of `firsts` (read run by run: candidates.py)."""
        return not self.always and not self.parted and not self.clusters

    def maybe_in(self, words: set[str], chars: set[str]) -> bool:
        """`words`: the text's words (and each ending in "n" less it); `chars`: its characters."""
        if self.always or not words.isdisjoint(self.words) or not self.firsts.isdisjoint(chars):
            return True
        parted = self.parted
        if any(runs <= words and starts <= chars for key in words if key in parted for runs, starts in parted[key]):
            return True
        return any(starts <= chars for starts in self.clusters)


def _words_only(forms: frozenset[str]) -> bool:
    """Whether every form is a plain word (so a plain-word check can rule the set out)."""
    return all(_WORD.fullmatch(w) for w in forms)


def _first(form: str) -> str:
    """What the pre-filter looks for: a joined phrase is gated on its first word."""
    return form.split(" ")[0]


def _gateable(forms: frozenset[str]) -> bool:
    """Words (found by one word-boundary regex) or emoji (by a character class), not punctuation."""
    return all(_WORD.fullmatch(_first(w)) or not w.isascii() for w in forms)


def _weights(common: Sequence[str]) -> dict[str, float]:
    """How everyday a word is: `common` is most frequent first, the n-th weighs 1/n; others 0."""
    return {word: 1 / rank for rank, word in enumerate(common, 1)}


def gate_word(form: str, weights: Mapping[str, float]) -> str:
    """The word the pre-filter looks for: the form, or the least everyday word of a joined phrase."""
    return min(form.split(" "), key=lambda w: (weights.get(w, 0.0), not _WORD.fullmatch(w), -len(w)))


def _rarest(sets: Sequence[frozenset[str]], weights: Mapping[str, float],
            ranks: dict[frozenset[str], tuple[bool, float, int, int] | None] | None = None,
            gate_of: Callable[[str], str] | None = None) -> frozenset[str]:
    """The required set least likely in ordinary chat. First a set of emoji and symbols alone: a
    construction that cannot match without one cannot match plain ASCII text at all, so its words
    ("more", "even") must not open the pre-filter for such text. Then the smallest summed weight of
    the words the pre-filter would look for, then the longest words. `ranks` keeps each set's rank (None: not
    gateable) and `gate_of` is a memoised `gate_word`: expanded slots repeat the same sets hundreds
    of times, and ranking them again was a tenth of a second of every scan's start-up."""
    ranks = {} if ranks is None else ranks
    gate_of = gate_of or (lambda w: gate_word(w, weights))

    def rank(s: frozenset[str]) -> tuple[bool, float, int, int] | None:
        if s not in ranks:
            ranks[s] = ((any(w.isascii() for w in s), sum(weights.get(gate_of(w), 0.0) for w in s),
                         -min(len(w) for w in s), len(s)) if _gateable(s) else None)
        return ranks[s]

    ranked = [(r, s) for s in sets if (r := rank(s)) is not None]
    return min(ranked, key=lambda pair: pair[0])[1]


def _required_words(pattern: list[dict[str, Any]], rule: Rule, position: int) -> list[frozenset[str]]:
    """For each required token given as plain words or emoji, the forms it may be (the pre-filter)."""
    sets: list[frozenset[str]] = []
    for token in pattern:
        op = str(token.get("OP", ""))
        if op in {"?", "*", "!"} or op.startswith(("{0", "{,")):
            continue
        value = token.get("LOWER", token.get("ORTH"))
        options = {value} if isinstance(value, str) else set(value.get("IN", [])) if isinstance(value, dict) else set()
        if options:
            sets.append(frozenset(o.lower() for o in options))
    if not any(_gateable(s) for s in sets):
        raise PatternError(rule.source, rule.source_line, rule.id, f"token pattern #{position} needs one "
                           "required token given as a LOWER word or an IN-list of plain words or emoji (the pre-filter)")
    return sets
