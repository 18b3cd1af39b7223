"""Whole-token lexicon matching that sees through leet, wildcards, repeats and spacing.

Candidates come from a dictionary lookup on a *key* per token (leet characters folded to letters,
letter runs squeezed), so an ordinary message costs one lookup per word and substrings never match
(Pakistan, snigger, Scunthorpe). Every candidate is then verified with the term's own pattern, in
which each letter run `x` of length n becomes `[x + its leet characters]{n,}`: "coon" needs two o's,
so the key collision with "con" is rejected. Tokens holding a wildcard or an unknown mix of letters
and symbols fall back to per-term patterns, including the `regex` module's fuzzy matching limited to
one substitution *by a leet/symbol character* on terms of 6+ letters: plain one-edit fuzz would
turn mong into among and fag into bag.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import regex

from whatsapp_audit.detect.text.normalise import WILDCARD
from whatsapp_audit.detect.text.trie import pieces_pattern, tailed_pieces_pattern

WILDCARDS = WILDCARD + "#%"
MASKS = "*#"  # characters that hide a letter in a censored spelling
_TOKEN = regex.compile(r"(?:[^\W_]|[@$!|+*#%])+")
# A token mixing letters with digits or stand-in symbols: only these can need the fallback.
# Stand-ins between letters ("n1gger"), or one at a word edge next to 3+ letters ("pak1", "$lut");
# ordinals, times and plates ("14th", "6am", "AB12") do not qualify.
MIXED_SPEC = (
    r"[^\W\d_][0-9@$!|+*#%]+[^\W\d_]|[^\W\d_]{3}[0-9@$|*#%](?![^\W_])|(?<![^\W_])[0-9@$|*#%][^\W\d_]{3}"
)
# The same test anchored on the stand-in character, so the engine skips ordinary text at C speed
# instead of trying three alternatives at every letter (tests/test_perf_equivalence.py checks that
# both give the same answer).
_LONG_TEXT = 256
_RUN_KEPT = 16
_LONG_RUN = re.compile(r"(.)\1{%d,}" % _RUN_KEPT, re.DOTALL)
_LONG_TOKEN = 64
_LONG_WORD = re.compile(r"\S{%d,}" % (_LONG_TOKEN + 1))


def bounded_for_gates(text: str) -> str:
    """`text` with runs of one character cut to 16 and words cut to 64 characters, for the gates.

    Hostile text ("1" x 40,000, "|1|1..." in crash text) makes the gates' overlapping leet classes
    backtrack quadratically. Terms are matched with runs squeezed (see `Lexicon.key`) and no term,
    however disguised, is longer than 64 characters, so the gates' answer cannot change.
    """
    if len(text) <= _LONG_TEXT:
        return text
    text = _LONG_RUN.sub(lambda m: m.group()[:_RUN_KEPT], text)
    return _LONG_WORD.sub(lambda m: m.group()[:_LONG_TOKEN], text)

MIXED_START = "[0-9@$!|+*#%]"
MIXED_REST = (  # what must follow (and precede) a stand-in character just consumed
    r"(?<=[^\W\d_][\s\S])[0-9@$!|+*#%]*[^\W\d_]"
    r"|(?<=[^\W\d_]{3}[0-9@$|*#%])(?![^\W_])"
    r"|(?<=[0-9@$|*#%])(?<![^\W_][\s\S])[^\W\d_]{3}"
)
_MIXED = re.compile(f"{MIXED_START}(?:{MIXED_REST})")
_GAP = regex.compile(r"[\s\-_.]{1,3}")
GAP_PIECE = r"[\s\-_.]{0,3}"  # between the words of a term in the prescan (may be a space, or nothing)
_BOUND_L = r"(?<![^\W_])"
_BOUND_R = r"(?![^\W_])"
SENTENCE_END = frozenset("!?.,;:")
_RUNS = regex.compile(r"(.)\1*")
_SQUEEZE = regex.compile(r"(.)\1+")
MAX_WORDS = 3
FUZZY_MIN_LETTERS = 6
DERIVE_MIN_LETTERS = 4  # shorter terms ("wog", "fag") are not derived: too many ordinary words begin so
COMPOUND_MIN_LETTERS = 5  # shorter terms hide in ordinary words ("hebe" in "shebeen")
COMPOUND_REST = 3  # a compound needs this many other letters: "snigger" is not "s" + a slur
_KEY_CACHE = 65536
_SCAN_WINDOW = 4096  # a long text is scanned in windows of this many characters ...
_SCAN_OVERLAP = 512  # ... overlapping by this much  # a compound needs this many other letters: "snigger" is not "s" + a slur


@dataclass(frozen=True, slots=True)
class Term:
    """One matchable string of a lexicon rule (its canonical form or a variant)."""

    rule_id: str
    text: str
    key: str
    letters: int
    prefix: bool
    source: str  # the verifying pattern; compiled on first use (`pattern`)
    fuzzy_source: str | None  # the constrained fuzzy pattern (BESTMATCH), for long single words

    # Compiling every term's patterns (about 1,400 with the `regex` module) took over half a second of
    # each run's start-up, yet a scan of ordinary chat verifies only the few terms a token's key finds.
    @property
    def pattern(self) -> regex.Pattern[str]:
        return _compiled(self.source, 0)

    @property
    def fuzzy(self) -> regex.Pattern[str] | None:
        return None if self.fuzzy_source is None else _compiled(self.fuzzy_source, regex.BESTMATCH)


_COMPILED: dict[tuple[str, int], regex.Pattern[str]] = {}  # terms' patterns, compiled once per process


def _compiled(source: str, flags: int) -> regex.Pattern[str]:
    found = _COMPILED.get((source, flags))
    if found is None:
        found = _COMPILED[source, flags] = regex.compile(source, flags)
    return found


@dataclass(frozen=True, slots=True)
class LexHit:
    """A verified match: span in the normalised text, and how the spelling was disguised."""

    term: Term
    start: int
    end: int
    transformations: tuple[str, ...]


class Lexicon:
    """Compiled terms of all lexicon rules, indexed by key."""

    def __init__(self, entries: Iterable[tuple[str, str, bool]], leet: Mapping[str, str], *,
                 derive: Iterable[tuple[str, str]] = (), compound: Iterable[tuple[str, str]] = (),
                 suffixes: Sequence[str] = ()) -> None:
        """`entries` are (rule id, term, prefix mode); `leet` maps a letter to its stand-in characters.

        `derive` (rule id, term) pairs also match with one of `suffixes` added ("niglets", "kikey",
        "faggotry", the last letter doubled as in "thottie"); `compound` pairs also match inside a
        longer word with at least COMPOUND_REST other letters ("sandnigger", "niggerlover")."""
        self._leet = {letter: "".join(sorted(set(chars))) for letter, chars in leet.items()}
        folds: dict[str, str] = {}
        for letter, chars in sorted(self._leet.items()):
            for ch in chars:
                folds.setdefault(ch, letter)
        # 'l' and 'i' share '1' and '|': fold both to one key letter so either reading finds a candidate.
        if "l" in self._leet and "i" in self._leet:
            folds["l"] = "i"
            for ch in self._leet["l"]:
                folds[ch] = "i"
        self._fold = str.maketrans(folds)
        self._symbols = frozenset(ch for chars in self._leet.values() for ch in chars)
        # Built once, not per term: what a fuzzy substitution may be, and each letter run's class.
        self._fuzzy_subs = regex.escape("".join(sorted(self._symbols | set(WILDCARDS) | set("0123456789"))))
        self._classes: dict[tuple[str, bool, bool], str] = {}
        self.terms: list[Term] = []
        self._by_key: dict[str, list[Term]] = {}
        self._prefix: dict[str, list[Term]] = {}
        for rule_id, text, prefix in entries:
            term = self._compile(rule_id, text, prefix)
            self.terms.append(term)
            index = self._prefix if prefix else self._by_key
            index.setdefault(term.key[:3] if prefix else term.key, []).append(term)
        self._fuzzy_terms = [t for t in self.terms if t.fuzzy_source is not None]
        # For the fallback: which terms hold each letter. A disguised token's letters are all letters of
        # the term it spells (stand-ins and wildcards are not letters), so intersecting these sets
        # leaves the few terms worth a regex, instead of trying every term on every such token.
        self._with_letter: dict[str, set[int]] = {}
        for position, term in enumerate(self.terms):
            if not term.prefix:
                for ch in set(term.text):
                    if ch.isalpha():
                        self._with_letter.setdefault(ch, set()).add(position)
        self._key_cache: dict[str, str] = {}
        # Censored spellings ("n****r", "p**i", "c***"): terms by length and first letter.
        self._by_shape: dict[tuple[int, str], list[Term]] = {}
        for term in self.terms:
            if not term.prefix and term.text.isalpha():
                self._by_shape.setdefault((len(term.text), term.text[0]), []).append(term)
        # One C-speed pass decides whether a message needs the token loop at all: a trie of every
        # term's letter-run classes, plus "a token mixing letters with digits or symbols". The
        # standard `re` engine runs this plain pattern about ten times faster than `regex`.
        # Each letter run is written "[x..][x..]*" (not "[x..]+") so the engine can reject a branch
        # on its first character without entering a repeat.
        self._derived: dict[str, Term] = {}
        for rule_id, text in derive:
            if text.isalpha() and len(text) >= DERIVE_MIN_LETTERS:
                self._derived.setdefault(text, self._compile(rule_id, text, False))
        self._suffix_piece = (f"(?:[a-z]?(?:{pieces_pattern([[re.escape(x)] for x in sorted(set(suffixes)) if x.isalpha()])}))?"
                              if suffixes else "")
        self.prescan_body = self._prescan_body(suffixes)
        # Compiled on first use (a quarter of a second): the detector's QuickGate holds the same
        # alternation and turns ordinary chat away before the lexicon is asked.
        self._prescan_source = f"{_BOUND_L}(?:{self.prescan_body}){_BOUND_R}" if self.terms else r"(?!)"
        self._prescan_compiled: re.Pattern[str] | None = None
        self._suffixes = tuple(sorted({s for s in suffixes if s.isalpha()}, key=len, reverse=True))
        self._compound: dict[str, Term] = {}
        for rule_id, text in compound:
            if text.isalpha() and len(text) >= COMPOUND_MIN_LETTERS:
                self._compound.setdefault(text, self._compile(rule_id, text, False))
        # Where derived forms may be (for the scan), and compounds: one plain alternation anywhere.
        derived_body = (f"(?:{pieces_pattern([[re.escape(t)] for t in self._derived])})[a-z]?"
                        f"(?:{pieces_pattern([[re.escape(s)] for s in self._suffixes])})"
                        if self._derived and self._suffixes else None)
        parts = [f"{_BOUND_L}{derived_body}{_BOUND_R}"] if derived_body else []
        if self._compound:
            parts.append(pieces_pattern([[re.escape(t)] for t in self._compound]))
        self._affix_gate = re.compile("|".join(parts)) if parts else None
        # A compound holds one of these: terms containing a shorter compound term add nothing.
        self.compound_terms = tuple(sorted(t for t in self._compound
                                           if not any(o != t and o in t for o in self._compound)))
        self._compound_re = re.compile(pieces_pattern([[re.escape(t)] for t in self._compound])) if self._compound else None

    def prepare(self) -> None:
        """Compile the prescan now (for an engine kept in `build_cache`, which stores it compiled)."""
        self._prescan  # noqa: B018 - the property compiles it

    @property
    def _prescan(self) -> re.Pattern[str]:
        if self._prescan_compiled is None:
            self._prescan_compiled = re.compile(self._prescan_source)
        return self._prescan_compiled

    def key(self, token: str) -> str:
        """Leet folded, separators removed, runs squeezed: the lookup key of a token or term."""
        cache: dict[str, str] | None = getattr(self, "_key_cache", None)
        if cache is None:  # while terms are compiled, before the cache exists
            return self._key(token)
        found = cache.get(token)
        if found is None:
            if len(cache) > _KEY_CACHE:
                cache.clear()
            found = cache[token] = self._key(token)
        return found

    def _key(self, token: str) -> str:
        folded = token.translate(self._fold)
        folded = "".join(ch for ch in folded if ch.isalpha() or ch in WILDCARDS)
        return _SQUEEZE.sub(r"\1", folded)

    def accepts(self, joined: str) -> bool:
        """Whether a joined run of spaced letters is a lexicon term (the normaliser's join test)."""
        key = self.key(joined)
        return any(t.pattern.fullmatch(joined) for t in self._by_key.get(key, ()))

    def might_match(self, text: str) -> bool:
        """False only when `scan` would certainly find nothing (its own gate, exposed for callers)."""
        if self.affix_might_match(text):
            return True
        text = bounded_for_gates(text)
        return bool(self.terms) and (self._prescan.search(text) is not None or _MIXED.search(text) is not None)

    def affix_might_match(self, text: str) -> bool:
        """Whether a compound could be present (derived forms are covered by the prescan)."""
        return self.compound_in(text)

    @property
    def compound_pattern(self) -> re.Pattern[str] | None:
        """The plain alternation of compound-enabled terms (letters only, no lookarounds), or None."""
        return self._compound_re

    def prescan_bodies(self) -> tuple[str | None, str | None, str | None]:
        """The prescan's trie split for `gate.QuickGate`: terms of one word, whose gate match never
        holds a whitespace character; terms of several words, whose gap between words may (so may
        every term's, should a leet character be whitespace); and the first words of the latter
        (the part of their match before the first gap, which stays inside one run of non-space
        characters, so a text none of whose runs holds one cannot match the second; None: no such
        shortcut, search the second always)."""
        if not self.terms:
            return None, None, None
        if any(ch.isspace() for ch in self._symbols):
            return None, self.prescan_body, None
        one, more, firsts = [], [], []
        for term in self.terms:
            pieces = self.gate_pieces(term, explicit_first=True)
            if GAP_PIECE in pieces:
                more.append(pieces)
                firsts.append(pieces[:pieces.index(GAP_PIECE)])
            else:
                one.append(pieces)
        return (pieces_pattern(one) if one else None, pieces_pattern(more) if more else None,
                pieces_pattern(firsts) if firsts else None)

    def spanning_edges(self) -> tuple[str, str] | None:
        """For `gate.QuickGate`, where a term of several words may cross whitespace, as two tries read
        on one run each (their gaps, `GAP_PIECE`, are the only pieces that hold whitespace): `ends`,
        each such term's pieces before one of its gaps (a run the term leaves at that gap ends with
        them, bar up to two of the gap's separators), and `starts`, the piece after each gap (the
        next run begins with it, after up to two separators). None: no terms of several words, or a
        leet symbol is whitespace (`prescan_bodies` then leaves no shortcut either)."""
        if not self.terms or any(ch.isspace() for ch in self._symbols):
            return None
        ends: list[list[str]] = []
        starts: list[list[str]] = []
        for term in self.terms:
            pieces = self.gate_pieces(term, explicit_first=True)
            for position, piece in enumerate(pieces):
                if piece == GAP_PIECE:
                    ends.append(pieces[:position])
                    starts.append(pieces[position + 1:position + 2])
        return (pieces_pattern(ends), pieces_pattern(starts)) if ends else None

    def compound_in(self, text: str) -> bool:
        """Whether a compound-enabled term occurs anywhere in `text` (one plain alternation, C speed)."""
        return self._compound_re is not None and self._compound_re.search(text) is not None

    def scan(self, text: str) -> list[LexHit]:
        """All verified hits in a normalised text, in text order (may overlap; callers merge)."""
        if not self.might_match(text):
            return []
        if len(text) <= _SCAN_WINDOW:
            return self._scan(text, 0, len(text))
        # A long text: only the windows a gate accepts are read token by token. Windows overlap by
        # more than any hit is long (three words of at most _LONG_TOKEN ... plus gaps), so a hit lies
        # whole in some window; hits found twice are kept once.
        hits: dict[tuple[int, int, str], LexHit] = {}
        for lo in range(0, len(text), _SCAN_WINDOW - _SCAN_OVERLAP):
            hi = min(len(text), lo + _SCAN_WINDOW)
            if self.might_match(text[lo:hi]):
                for hit in self._scan(text, lo, hi):
                    hits.setdefault((hit.start, hit.end, hit.term.text), hit)
            if hi == len(text):
                break
        return sorted(hits.values(), key=lambda h: (h.start, h.end))

    def _scan(self, text: str, lo: int, hi: int) -> list[LexHit]:
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text, lo, hi)]
        # A token cut by the window's edge is not a token ("snigger" cut to "nigger"): leave it to
        # the neighbouring window, which holds it whole.
        if tokens and tokens[0][0] == lo and lo > 0 and _TOKEN.match(text, lo - 1):
            tokens.pop(0)
        if tokens and tokens[-1][1] == hi and hi < len(text) and _TOKEN.match(text, hi):
            tokens.pop()
        hits: list[LexHit] = []
        # Derived and compound forms are only tried in stretches the affix gate accepts.
        affix_starts = ({m.start() for m in self._affix_gate.finditer(text, lo, hi)}
                        if self._affix_gate is not None else set())
        affix_ends = sorted(affix_starts)
        for i, (start, end) in enumerate(tokens):
            joined = ""
            for j in range(i, min(i + MAX_WORDS, len(tokens))):
                if j > i and not _GAP.fullmatch(text, tokens[j - 1][1], tokens[j][0]):
                    break
                joined += text[tokens[j][0]:tokens[j][1]]
                for term in self._by_key.get(self.key(joined), ()):
                    self._verify(term, text, start, tokens[j][1], hits)
            token = text[start:end]
            key = self.key(token)
            for term in self._prefix.get(key[:3], ()):
                if key.startswith(term.key):
                    self._verify(term, text, start, end, hits)
            if not token.isalpha() and not any(h.start >= start and h.end <= end for h in hits):
                self._fallback(text, start, end, hits)
            elif (affix_ends and token.isalpha() and len(token) <= _LONG_TOKEN
                  and not (hits and hits[-1].end > start) and _any_in(affix_ends, start, end)):
                self._affixed(token, start, hits)
        return hits

    def _affixed(self, token: str, start: int, hits: list[LexHit]) -> None:
        """A derived form (term + suffix) or a compound (term inside a longer word) of a plain token."""
        for suffix in self._suffixes:
            if len(token) > len(suffix) and token.endswith(suffix):
                stem = token[: -len(suffix)]
                term = self._derived.get(stem)
                if term is None and len(stem) > 2 and stem[-1] == stem[-2]:
                    term = self._derived.get(stem[:-1])
                if term is not None:
                    hits.append(LexHit(term, start, start + len(token), ("derived",)))
                    return
        if self._compound_re is not None:
            found = self._compound_re.search(token)
            if found and len(token) - len(found.group()) >= COMPOUND_REST:
                hits.append(LexHit(self._compound[found.group()], start, start + len(token), ("compound",)))

    def _verify(self, term: Term, text: str, start: int, end: int, hits: list[LexHit]) -> None:
        found = term.pattern.search(text, start, end)
        if found and self._plausible(term, found.group()):
            hits.append(LexHit(term, found.start(), found.end(), self._transformations(term, found.group())))

    def _fallback(self, text: str, start: int, end: int, hits: list[LexHit]) -> None:
        """Tokens with wildcards or unmapped symbols: censored spellings, per-term patterns, then
        constrained fuzz."""
        token = text[start:end]
        if len(token) > _LONG_TOKEN or not any(ch.isalpha() for ch in token):
            return  # digit-only and symbol-only strings never decode; no disguised term is this long
        if sum(ch in MASKS for ch in token) >= 2 and self._masked(token, start, hits):
            return
        letters = {ch for ch in token if ch.isalpha()}
        candidates: set[int] | None = None
        for ch in letters:
            holding = self._with_letter.get(ch, set())
            candidates = set(holding) if candidates is None else candidates & holding
            if not candidates:
                return
        chosen = [self.terms[i] for i in sorted(candidates or ())]
        for term in chosen:
            if abs(len(token) - len(term.text)) <= 3:
                before = len(hits)
                self._verify(term, text, start, end, hits)
                if len(hits) > before:
                    return
        for term in chosen:
            if term.fuzzy is None:
                continue
            found = term.fuzzy.search(text, start, end)
            if found and self._plausible(term, found.group()):
                extra = self._transformations(term, found.group())
                hits.append(LexHit(term, found.start(), found.end(), tuple(sorted({*extra, "fuzzy"}))))
                return

    def _masked(self, token: str, start: int, hits: list[LexHit]) -> bool:
        """A censored spelling: the visible letters in place, one star per hidden letter. With two or
        more letters showing and one concept fitting, it is that concept ("n****r"); with one letter
        showing, every fitting concept is returned marked "masked-context", and the caller keeps one
        only when an identity word beside it names that concept's characteristic ("black c***")."""
        if not token[0].isalpha() or not all(ch.isalpha() or ch in MASKS for ch in token):
            return False
        shown = [(i, ch) for i, ch in enumerate(token) if ch.isalpha()]
        fitting = [t for t in self._by_shape.get((len(token), token[0]), ())
                   if all(t.text[i] == ch for i, ch in shown)]
        by_rule: dict[str, Term] = {}
        for term in fitting:
            by_rule.setdefault(term.rule_id, term)
        if not by_rule:
            return False
        end = start + len(token)
        if len(shown) >= 2 and len(by_rule) == 1:
            hits.append(LexHit(next(iter(by_rule.values())), start, end, ("masked",)))
        else:
            hits.extend(LexHit(term, start, end, ("masked", "masked-context")) for term in by_rule.values())
        return True

    def _plausible(self, term: Term, matched: str) -> bool:
        """Limit stand-ins so a mostly-symbol string never counts as a word. A fuzzy stand-in for the
        last letter that is sentence punctuation is the end of the sentence ("white!" is not "whitey")."""
        if matched and matched[-1] in SENTENCE_END and not term.text.endswith(matched[-1]):
            return False
        letters = sum(ch.isalpha() for ch in matched)
        wild = sum(ch in WILDCARDS for ch in matched)
        stand_ins = sum(not ch.isalpha() and not ch.isspace() and ch not in "-_." for ch in matched)
        if letters < 2 or wild > (1 if term.letters <= 4 else 2):
            return False
        return stand_ins <= max(1, term.letters // 2)

    def _transformations(self, term: Term, matched: str) -> tuple[str, ...]:
        found: set[str] = set()
        if any(ch in self._symbols or ch.isdigit() for ch in matched):
            found.add("leet")
        if any(ch in WILDCARDS for ch in matched):
            found.add("wildcard")
        if not term.prefix and len(_letters_only(matched)) > len(_letters_only(term.text)):
            found.add("repeats")
        return tuple(sorted(found))

    def _prescan_body(self, suffixes: Sequence[str]) -> str:
        """The trie of every term's gate pieces (`gate_pieces`), with the suffix written once per
        branch of derivable terms rather than after each of the ~230 of them: the same language and
        the same one-trie search, in well under half the 76,000 characters (compiling that pattern
        was a fifth of a second of every scan's start-up)."""
        words = [[re.escape(x)] for x in sorted(set(suffixes)) if x.isalpha()]
        tailed = bool(self._suffix_piece)
        return tailed_pieces_pattern([(self._pieces(t.text, t.prefix, True), tailed and t.text in self._derived)
                                      for t in self.terms], f"[a-z]?(?:{pieces_pattern(words)})")

    def gate_pieces(self, term: Term, explicit_first: bool = False) -> list[str]:
        """The prescan's pieces for a term: its letter runs, and for a derivable term an optional
        suffix ("niglets"), tried only once the term has matched, so the gate costs what it did."""
        pieces = self._pieces(term.text, term.prefix, explicit_first)
        return pieces + [self._suffix_piece] if self._suffix_piece and term.text in self._derived else pieces

    def _pieces(self, text: str, prefix: bool, explicit_first: bool = False) -> list[str]:
        """The term as a list of regex pieces: one class per letter run, a gap between words."""
        words = text.split()
        pieces: list[str] = []
        for w_index, word in enumerate(words):
            if w_index:
                pieces.append(GAP_PIECE)
            runs = [m.group() for m in _RUNS.finditer(word)]
            for r_index, run in enumerate(runs):
                edge = (w_index == 0 and r_index == 0) or (w_index == len(words) - 1 and r_index == len(runs) - 1)
                pieces.append(self._run_class(run, edge, explicit_first))
        if prefix:
            pieces.append(r"[^\W_]*")
        return pieces

    def _compile(self, rule_id: str, text: str, prefix: bool) -> Term:
        words = text.split()
        letters = sum(ch.isalpha() for ch in text)
        pattern = f"{_BOUND_L}{''.join(self._pieces(text, prefix))}{_BOUND_R}"
        fuzzy = None
        if not prefix and len(words) == 1 and letters >= FUZZY_MIN_LETTERS:
            fuzzy = f"{_BOUND_L}(?:{regex.escape(text)}){{s<=1:[{self._fuzzy_subs}]}}{_BOUND_R}"
        return Term(rule_id, text, self.key(text), letters, prefix, pattern, fuzzy)

    def _run_class(self, run: str, edge: bool, explicit_first: bool = False) -> str:
        """The regex piece of one letter run (memoised: ~9,000 runs of ~500 terms are mostly repeats)."""
        key = (run, edge, explicit_first)
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = self._new_run_class(run, edge, explicit_first)
        return found

    def _new_run_class(self, run: str, edge: bool, explicit_first: bool) -> str:
        letter = run[0]
        if not letter.isalpha():
            return regex.escape(run)
        extra = self._leet.get(letter, "")
        if edge:  # "!", "|" and "+" at a word edge are usually just punctuation ("paki!")
            extra = "".join(ch for ch in extra if ch not in "!|+")
        else:
            extra += WILDCARDS
        chars = regex.escape(letter + extra) if extra else regex.escape(letter)
        cls = f"[{chars}]" if extra else chars
        count = len(run)
        if explicit_first:  # same language, but the first character is a plain class test
            return f"{cls}{cls}{{{count - 1},}}" if count > 1 else f"{cls}{cls}*"
        return f"{cls}{{{count},}}" if count > 1 else f"{cls}+"


def _any_in(sorted_positions: Sequence[int], start: int, end: int) -> bool:
    """Whether some position lies in [start, end)."""
    i = bisect.bisect_left(sorted_positions, start)
    return i < len(sorted_positions) and sorted_positions[i] < end


def _letters_only(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_.")
