"""The passes that tell the discriminatory detector a message holds nothing to look at.

Most chat is ordinary, so the detector's cost is set by how fast it can say "no". Its matchers each
have a gate: the lexicon's prescan (a trie of every term's letter-run classes) and its test for
tokens mixing letters with digits or symbols, the phrase rules' required words, and the
normaliser's test for spaced-out letters. Run one after another they cost four passes over the
text, each starting a match attempt at every character.

`QuickGate` folds them into patterns that begin with one character class (a non-word character, a
digit or a stand-in symbol), so the regex engine skips the letters of ordinary words in C and tries
the gates only where one could begin. They are searched in `" " + text`: the leading space stands
in for the start of the text, where the gates' "not after a letter" lookbehinds also succeed. The
answer is exactly that of the four gates (tests/test_perf_equivalence.py checks it over generated
text), so a message it rejects is one the full path would have rejected too: nothing is lost.

Even folded, a trie of some 500 disguisable terms tried at every space cost 10-25 µs a message, on
every message. But most of the gates cannot cross whitespace: a one-word term's letter classes, a
phrase's required word, a token mixing letters and stand-ins all match inside one run of non-space
characters, and their lookarounds only ask whether a neighbour is a letter or digit, which a space
answers as the text's own whitespace (or its start or end) does. So their answer for a text is the
OR of their answers for its runs, each searched alone as `" " + run + " "`, and a run's answer is
kept: chat repeats its words, so most runs cost a dictionary lookup. The answers are a field of a
`RunTable` (text/runs.py) shared with the engine's and the other detectors' gates, so one walk over
a message serves them all. The gates that may span a
space (terms of several words, spaced-out letters) still search the whole text, but only when the
runs hold what such a match needs (a whole term inside a run, or a run ending with the words of a
term before a gap followed by one beginning with the word after it; spaced letters inside a run, or
a run ending with a lone letter followed by one beginning with one).
"""

from __future__ import annotations

import hashlib
import re

from whatsapp_audit.detect.discriminatory.lexicon import MIXED_REST, MIXED_START, bounded_for_gates
from whatsapp_audit.detect.text.normalise import SPACED_REST, SPACED_START
from whatsapp_audit.detect.text.runs import RunTable

_LONG_TEXT = 256  # bounded_for_gates leaves texts up to this long as they are
# What a run (searched alone) says; kept per run:
_GATE = 1  # an in-run gate accepts it
_INSIDE = 2  # the `inside` pattern occurs in it
_SPANS = 4  # a term of several words may lie here (in it, or it and the next): search the whole text
_SPACED = 8  # spaced-out letters lie inside it: search the whole text for them
_LONE_END = 16  # it ends with a lone letter, maybe then a separator ("a", "x.", "b-")
_LONE_START = 32  # it begins with a lone letter, maybe after a separator ("a", ".b", "c,")
_SPAN_END = 64  # it ends where a term of several words may go on past whitespace ("nig", not "night")
_SPAN_START = 128  # it begins as such a term may go on after whitespace ("nog", or separators alone: "-")
_WIDTH = 8
_LONE_PAIR = (4, 5, 3)  # _LONE_END then _LONE_START in the next run: _SPACED (bit numbers)
_SPAN_PAIR = (6, 7, 2)  # _SPAN_END then _SPAN_START in the next run: _SPANS
# Spaced-out letters (SPACED_SPEC: a lone letter or stand-in, then at least two more, each after
# one or two separators) lie inside one run, or cross the whitespace between two runs where the
# first ends with a lone letter (and maybe a separator) and the next begins with one.
_LONE = r"(?:[^\W_]|[@$!*])"
_ENDS_LONE = re.compile(rf"(?<![^\W_]){_LONE}[._\-]?\Z")  # searched in " " + run
_STARTS_LONE = re.compile(rf"[._\-]?{_LONE}(?![^\W_])")  # matched at the start of run + " "


class QuickGate:
    """Whether a (normalised or lower-cased ASCII) text could give the detector anything to do."""

    SHORT_TEXT = _LONG_TEXT  # longest text whose runs are read as they are (`wake_bits`)

    def __init__(self, word_bodies: tuple[str | None, ...], mixed: bool, spanning: str | None = None,
                 spanning_first: str | None = None, inside: re.Pattern[str] | None = None,
                 table: RunTable | None = None, like: QuickGate | None = None,
                 spanning_edges: tuple[str, str] | None = None) -> None:
        """`word_bodies` are trie alternations (no boundaries) of word gates whose matches never
        hold a whitespace character; `spanning` one whose matches may (a gap between the words of
        a term), `spanning_first` what every one of those matches begins with inside one run
        (None: no such test, `spanning` is always searched). `mixed` adds the lexicon's
        letters-mixed-with-stand-ins test (only meaningful when there are terms). `inside` is a
        plain pattern, without lookarounds, that never matches whitespace (the lexicon's compound
        terms), for `might_match_or_inside`. `like`: a gate built with the same `spanning`, whose
        whole-text searches this one shares (the detector asks both gates about one text in turn).
        `spanning_edges` (`Lexicon.spanning_edges`: what a run ends with where a `spanning` match may
        go on past whitespace, and what the next run then begins with) narrow the whole-text search
        to texts where some run holds a whole match or two neighbouring runs hold those edges; None:
        any run holding a `spanning_first` asks for it."""
        in_run = []
        bodies = [body for body in word_bodies if body]
        if bodies:
            in_run.append(r"(?<=[\W_])(?:" + "|".join(f"(?:{body})" for body in bodies) + r")(?![^\W_])")
        if mixed:
            in_run.append(f"(?<={MIXED_START})(?:{MIXED_REST})")
        self._in_run = re.compile(r"[\W_0-9](?:" + "|".join(in_run) + ")") if in_run else None
        # Its letters-mixed-with-stand-ins half alone (small: the word tries are not compiled twice, nor
        # kept twice in the build cache), searched first by a gate built `like` another (see `_bits`).
        self._mixed_only = re.compile(r"[\W_0-9](?:" + in_run[-1] + ")") if mixed else None
        self._spanning_first = re.compile(r"[\W_](?:" + spanning_first + ")") if spanning and spanning_first else None
        self._spanning_source: str | None = spanning
        self._spanning: _WholeSearch | None
        self._spaced: _WholeSearch
        if like is not None and like._spanning_source == spanning:
            self._spanning, self._spaced = like._spanning, like._spaced
        else:
            self._spanning = _WholeSearch(re.compile(
                r"[\W_0-9](?<=[\W_])(?:" + spanning + r")(?![^\W_])")) if spanning else None
            self._spaced = _WholeSearch(re.compile(f"[\\W_0-9](?<={SPACED_START})(?:{SPACED_REST})"))
        self._always_spanning = _SPANS if self._spanning is not None and self._spanning_first is None else 0
        # A match of `spanning` holds whitespace only in a gap between words: either it lies in one run
        # (searched alone, as the in-run gates are), or one run ends with the part before a gap (bar
        # the gap's separators) and the next begins with the part after it (or with separators alone,
        # a run of its own: "nig - nog"). So a run holding a first word ("night") asks for the search
        # only when one of those holds (the pair `_SPAN_PAIR`), not every time.
        edges = spanning_edges if self._spanning is not None and self._spanning_first is not None else None
        self._span_end = re.compile(r"[\W_](?:" + edges[0] + r")[\-_.]{0,2}\Z") if edges else None
        self._span_start = re.compile(r"[\-_.]{0,2}(?:" + edges[1] + r")|[\-_.]{1,2}\Z") if edges else None
        self._edges_source = edges
        self._inside = inside
        # A gate built `like` another with the same run tests but for the word bodies reads those
        # tests' bits of a new run from the other's answer (the table asks the gates about one run in
        # turn), and its own in-run search only when the other's answer leaves it open: with fewer
        # bodies (the terms-only gate) a run the other rejects is rejected; with more (the model's)
        # one it accepts is accepted. A run never seen before (a file name, a number) cost each gate
        # every search (4-12 µs), most of them the same searches.
        self._bodies = frozenset(hashlib.sha256(body.encode()).digest() for body in bodies)  # not the tries
        self._mixed = mixed
        self._spanning_first_source = spanning_first if spanning else None
        self._like: QuickGate | None = None
        self._narrower = self._wider = False
        if like is not None and like._mixed == mixed and like._inside is inside \
                and like._spanning_first_source == self._spanning_first_source \
                and like._spanning_source == spanning and like._edges_source == edges:
            self._like = like
            self._narrower = self._bodies <= like._bodies
            self._wider = self._bodies >= like._bodies
        self._last_run: str | None = None  # the last run `_bits` was asked about, and its answer
        self._last_bits = 0
        self.share(table if table is not None else RunTable())

    def share(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        self._table = table
        pairs = (_LONE_PAIR, _SPAN_PAIR) if self._span_end is not None else (_LONE_PAIR,)
        self._field = table.add(self._bits, _WIDTH, *pairs)

    def wake_bits(self) -> int | None:
        """The bits of the table's combined value (laid out) without which `might_match_or_inside`
        is False for a text of at most `SHORT_TEXT` characters; None: no such bits (a spanning gate
        with no first word is searched in every text)."""
        if self._always_spanning:
            return None
        return (_GATE | _INSIDE | _SPANS | _SPACED) << self._field.shift

    def might_match(self, text: str) -> bool:
        """False only when none of the gates folded in here would accept `text`."""
        return self._answer(bounded_for_gates(text), _GATE)

    def might_match_or_inside(self, text: str, combined: int | None = None) -> bool:
        """`might_match(text)`, or the `inside` pattern occurs in `text`: both in one walk over its runs
        (`combined`: the table's bits of `text`, when the caller has them)."""
        if len(text) > _LONG_TEXT:  # the gates read a bounded copy, `inside` the text itself
            return self.might_match(text) or (self._inside is not None and self._inside.search(text) is not None)
        return self._answer(text, _GATE | _INSIDE, combined)

    def _answer(self, text: str, wanted: int, combined: int | None = None) -> bool:
        if combined is None:
            combined = self._table.bits(text)
        seen = self._field.read(combined) | self._always_spanning  # runs ORed, _SPACED across runs
        if seen & wanted:
            return True
        if seen & _SPANS and self._spanning is not None and self._spanning(text):
            return True
        return bool(seen & _SPACED) and self._spaced(text)

    def _bits(self, run: str) -> int:
        """What the in-run gates, `inside` and the spanning gates say of one run of non-space
        characters searched alone.

        A run longer than `_LONG_TEXT` can only come from a text the gates read bounded (see
        `might_match`), so its bits here are never what decides; it is bounded too, because the
        table works out every field of every new run, and hostile runs ("1" x 40,000) make the
        in-run gates backtrack quadratically."""
        like = self._like
        if like is not None and like._last_run == run:
            known = like._last_bits
            bits = known & ~_GATE
            if self._narrower and not known & _GATE:
                return bits
            if self._wider and known & _GATE:
                return bits | _GATE
            alone = f" {bounded_for_gates(run) if len(run) > _LONG_TEXT else run} "
            # The letters-mixed-with-stand-ins half is the same in both gates: the other's answer has it
            # when it was accepted by that half ("wa0014" in a file name); else the word bodies decide.
            if (like._mixed_only is not None and like._mixed_only.search(alone) is not None) or (
                    self._in_run is not None and self._in_run.search(alone) is not None):
                bits |= _GATE
            return bits
        bits = self._own_bits(run)
        self._last_run, self._last_bits = run, bits
        return bits

    def _own_bits(self, run: str) -> int:
        """`_bits`, every search made here."""
        if len(run) > _LONG_TEXT:
            run = bounded_for_gates(run)
        alone = f" {run} "
        bits = 0
        if self._in_run is not None and self._in_run.search(alone) is not None:
            bits |= _GATE
        if self._inside is not None and self._inside.search(run) is not None:
            bits |= _INSIDE
        if self._spanning_first is not None and self._spanning_first.search(alone) is not None:
            if self._span_end is None or self._spanning is None:
                bits |= _SPANS
            else:  # (a whole match, or an edge, begins with a first word: searched only then)
                if self._spanning.pattern.search(alone) is not None:
                    bits |= _SPANS
                if self._span_end.search(alone, 0, len(alone) - 1) is not None:
                    bits |= _SPAN_END
        if self._span_start is not None and self._span_start.match(run) is not None:
            bits |= _SPAN_START
        if self._spaced.pattern.search(alone) is not None:
            bits |= _SPACED
        if _ENDS_LONE.search(alone, 0, len(alone) - 1) is not None:
            bits |= _LONE_END
        if _STARTS_LONE.match(alone, 1) is not None:
            bits |= _LONE_START
        return bits


class _WholeSearch:
    """A gate pattern searched in `" " + text`, its last answer kept: the detector's quick gates
    built alike ask the same text in turn, and the search (a trie of every term of several words,
    tried at each space) cost 2-5 µs each time."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._text: str | None = None
        self._found = False

    def __call__(self, text: str) -> bool:
        if text != self._text:
            self._found = self.pattern.search(" " + text) is not None
            self._text = text
        return self._found
