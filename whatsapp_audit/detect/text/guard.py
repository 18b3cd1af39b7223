"""Regexes that come from pattern files: searched in bounded windows, time-limited when untrusted.

A rule's regex is data. Two guarantees keep a scan's findings independent of the machine's speed:

- Every pattern-file regex is run over a long message in overlapping windows (`WINDOW` characters,
  overlapping by `REACH`), so one call never sees more than about 70 KB and the work grows linearly
  with the message, and a match of up to `REACH` characters anywhere in a message of any length is
  found exactly as one pass over the whole text would find it.
- The bundled patterns (`patterns/`, shipped and tested with the tool) run with no time limit: each
  is written to run in linear time, and a test scans a 10 MB hostile message with every rule family.
  A force's own pack is untrusted: one careless pattern such as `(a+)+$` backtracks for hours on a
  long run of "a"s, so its regexes run with `timeout=REGEX_TIMEOUT` (seconds per call). A call that
  runs out of time skips that rule on that message and is recorded here, and the report says which
  rule was not applied where, instead of the scan hanging or crashing.

Regexes the code builds itself from escaped words (context words, lexicon terms, keyword tries) are
not covered: their shape is fixed by the code and cannot backtrack badly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# The stdlib's own regex parser, to analyse a pattern's structure; private modules have no stubs.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import regex

from whatsapp_audit.detect.text.firsts import guarded
from whatsapp_audit.detect.text.literals import Needs, needs

REGEX_TIMEOUT = 0.25
WINDOW = 1 << 16  # characters a window search starts matches in
REACH = 1 << 12  # how far past its window a match (with its look-ahead) may run; longer ones are not reported


@dataclass(frozen=True, order=True, slots=True)
class RegexTimeout:
    """One rule not applied to one message because its regex ran out of time."""

    line: int  # first line of the message in the export
    rule: str
    pattern: str  # which regex of the rule, e.g. "match.regex #2", "options.prefilter"


@dataclass
class TimeoutLog:
    """The timeouts one detector met (kept in order, each recorded once)."""

    items: list[RegexTimeout] = field(default_factory=list)
    _seen: set[RegexTimeout] = field(default_factory=set, repr=False)

    def record(self, line: int, rule: str, pattern: str) -> None:
        item = RegexTimeout(line, rule, pattern)
        if item not in self._seen:
            self._seen.add(item)
            self.items.append(item)


class Guarded:
    """A regex from a pattern file: `search`, `finditer` and `fullmatch` work in windows (see the
    module docstring); for an untrusted pattern each call raises TimeoutError after REGEX_TIMEOUT
    seconds.

    Arming the timer costs about 2 µs a call in the `regex` module, several times a short search.
    So a *tame* untrusted pattern (no repeat inside a repeat, no alternation inside a repeat, no
    backreference, at most two unbounded repeats) runs without it on texts of at most SHORT_TEXT
    characters: its backtracking is then at most polynomial of degree three in the length, a
    fraction of a second at worst. Everything else untrusted always runs with the timer.
    """

    __slots__ = ("_regex", "pattern", "_tame", "_plain", "_plain_known", "trusted", "_flags", "_gate", "_needs",
                 "_needs_known")

    def __init__(self, source: str, flags: int = 0, gate: bool = False, trusted: bool = False) -> None:
        """`gate`: the pattern is only ever asked "is there a match?" (a prefilter), so a tame one
        may answer short texts with the standard library's engine, faster on such simple patterns.
        `trusted`: a bundled pattern, run without a time limit. An untrusted pattern is compiled
        here, so a mistake in a force's pack is reported before the scan; a bundled one (checked by
        the test suite and `patterns validate`) when a message first reaches it, since most of a
        run's rules never see a candidate and compiling them all was part of every scan's start."""
        self.pattern = source  # as on a compiled pattern: the source text
        self.trusted = trusted
        self._flags = flags
        self._gate = gate
        self._tame: bool | None = None  # see `tame`
        self._plain: re.Pattern[str] | None = None
        self._plain_known = False  # see `plain`
        self._regex: regex.Pattern[str] | None = None
        self._needs: Needs | None = None
        self._needs_known = False  # see `needs`
        if not trusted:
            self._regex = regex.compile(source, flags)
            self.plain  # noqa: B018 - worked out now, as the pattern is

    @property
    def compiled(self) -> regex.Pattern[str]:
        """The pattern compiled with the `regex` module (for a bundled one, now if not yet)."""
        if self._regex is None:
            self._regex = regex.compile(self.pattern, self._flags)
        return self._regex

    @property
    def plain(self) -> re.Pattern[str] | None:
        """The standard-library twin of a tame gate, for callers that check the length themselves."""
        if not self._plain_known:
            self._plain_known = True
            if self._gate and self.tame:
                try:
                    self._plain = re.compile(guarded(self.pattern, self._flags), self._flags)  # same matches
                except (re.error, ValueError):
                    self._plain = None
        return self._plain

    @property
    def needs(self) -> Needs | None:
        """The words one of which every match holds (text/literals.py), for a bundled pattern that is
        not a gate (a gate is itself the cheap test); a caller may skip the regex on an ASCII text
        holding none of them. Worked out when first asked."""
        if not self._needs_known:
            self._needs_known = True
            if self.trusted and not self._gate:
                self._needs = needs(self.pattern, self._flags)
        return self._needs

    def ruled_out(self, lowered: str | None) -> bool:
        """True when a text certainly holds no match: `lowered` is the text lower-cased when it is
        ASCII (None otherwise, which never rules out) and holds none of the necessary words."""
        wanted = self.needs
        return wanted is not None and lowered is not None and wanted.search.search(lowered) is None

    @property
    def tame(self) -> bool:
        """Whether the pattern's backtracking is provably polynomial (`is_tame`), worked out when
        first asked: a bundled pattern that is not a gate never asks (it runs without a timer)."""
        if self._tame is None:
            self._tame = is_tame(self.pattern, self._flags)
        return self._tame

    def _limit(self, text: str) -> float | None:
        if self.trusted or (self.tame and len(text) <= SHORT_TEXT):
            return None
        return REGEX_TIMEOUT

    def search(self, text: str) -> regex.Match[str] | re.Match[str] | None:
        plain = self.plain
        if plain is not None and len(text) <= SHORT_TEXT:
            return plain.search(text)
        limit = self._limit(text)
        compiled = self.compiled
        if len(text) <= WINDOW + REACH:
            return compiled.search(text, timeout=limit)
        for start, end, reach in _windows(len(text)):
            found = compiled.search(text, start, reach, timeout=limit)
            if found is not None and found.start() < end and (found.end() < reach or reach == len(text)):
                return found
        return None

    def fullmatch(self, text: str) -> regex.Match[str] | None:
        return self.compiled.fullmatch(text, timeout=self._limit(text))

    def finditer(self, text: str) -> Iterator[regex.Match[str]]:
        limit = self._limit(text)
        if len(text) <= WINDOW + REACH:
            return self.compiled.finditer(text, timeout=limit)
        return self._windowed(text, limit)

    def _windowed(self, text: str, limit: float | None) -> Iterator[regex.Match[str]]:
        """Every match one pass would give, from window-sized calls: a window reports the matches
        that start inside it; the next one resumes where the last reported match ended."""
        resume = 0
        for start, end, reach in _windows(len(text)):
            for found in self.compiled.finditer(text, max(start, resume), reach, timeout=limit):
                if found.start() >= end:
                    break  # the next window reports it, with its full look-ahead
                if found.end() >= reach and reach < len(text):
                    break  # cut short by the window: longer than REACH, not reported
                resume = found.end()
                yield found


def _windows(length: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, reach) of each window over a text: matches start in [start, end) and may run to reach."""
    for start in range(0, length, WINDOW):
        yield start, min(start + WINDOW, length), min(start + WINDOW + REACH, length)


SHORT_TEXT = 256
_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)})


def is_tame(source: str, flags: int = 0) -> bool:
    """Whether a pattern's backtracking is provably polynomial (see Guarded); False when unsure."""
    try:
        tree = _parser.parse(source, flags & ~regex.VERSION1)  # only syntax the standard `re` knows
    except Exception:  # noqa: BLE001 - regex-only syntax (fuzzy, \p{..}, ...): not analysed
        return False
    unbounded = 0

    def walk(items: Any, in_repeat: bool) -> bool:
        nonlocal unbounded
        for op, av in items:
            if op in _REPEATS:
                _, high, sub = av
                if in_repeat:
                    return False
                if high == _c.MAXREPEAT or high > 32:
                    unbounded += 1
                if not walk(sub, True):
                    return False
            elif op is _c.BRANCH:
                if in_repeat or not all(walk(alt, in_repeat) for alt in av[1]):
                    return False
            elif op is _c.SUBPATTERN:
                if not walk(av[-1], in_repeat):
                    return False
            elif op in (_c.ASSERT, _c.ASSERT_NOT):
                if not walk(av[1], in_repeat):
                    return False
            elif op in (_c.GROUPREF, _c.GROUPREF_EXISTS) or op is getattr(_c, "ATOMIC_GROUP", None):
                return False
        return True

    return walk(tree, False) and unbounded <= 2


def compile_rule_regex(source: str, flags: int = 0, gate: bool = False, trusted: bool = False) -> Guarded:
    """A regex from a pattern file, searched in windows and, unless `trusted` (bundled), time-limited."""
    return Guarded(source, flags, gate, trusted)
