"""One walk over a message's runs of non-space characters, shared by every gate that reads runs.

Most of a scan's time went on saying "nothing here" to ordinary chat, and most gates ask a question
whose answer for a text is the OR of its answers for each run of non-space characters: which
keywords occur inside a word (the engine's gate, the operational rules'), whether a lexicon term's
letters, a phrase's gate word or a digit is there (the discriminatory quick gates, the phrase
candidates). Asked gate by gate, each split the same text and looked every run up in its own memo:
four to six walks per message. Here each gate registers a field (its bits for one run); a run's
bits for every field are worked out once and kept in one memo, a message's bits are the OR of its
runs' in ONE walk, and each gate reads its own field from that. The walk runs in C when the
accelerator is built (`_native.or_runs`); `walk` below is the reference and the fallback, and
tests/test_perf_equivalence.py checks that both agree.

A gate whose answer also depends on neighbouring runs (spaced-out letters crossing a space: a run
ending with a lone letter, then one beginning with one) declares pairs of its bits, each with a bit
to set when a run with the first is followed by a run with the second.

A gate whose answer needs all the runs together (which woken phrase constructions have every plain
test satisfied by some run) adds a filter: a step after the walk that clears the bits the whole text
rules out, so a text whose runs only wake what the others rule out reads as quiet as one that wakes
nothing (the engine's one AND, `Engine._quiet_bits`).

The last text's bits are kept, so the engine and the detectors asking about one message pay for
one walk between them.

Runs never seen before are mostly digits in a known shape: a file name the phone made
(`IMG-20210110-WA3015.jpg`), a time, a phone number. A field may declare that its bits do not depend
on the values of a run's ASCII digits (`blind`, asked of the run's *shape*: its ASCII digits read as
"0"); such a field's bits are worked out once per shape, and only the others for each new run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from whatsapp_audit import native

_RUNS_KEPT = 65_536  # runs kept in the memo before it starts again (bounds memory, not results)
_PAIRS_MAX = 32  # pairs the C walk takes (its pair bits must lie in the first 64 bits; else the Python walk)
_LOW_BITS = 64

RunBits = Callable[[str], int]
Filter = Callable[[int], int]  # combined bits -> the same with some cleared (`RunTable.add_filter`)
# A field's `blind(shape)`: True when its bits are the same for every ASCII run of that shape (`shape_of`).
Blind = Callable[[str], bool]
_ZEROS = str.maketrans("123456789", "000000000")
_ASCII_DIGITS = frozenset("0123456789")


def shape_of(run: str) -> str:
    """A run with each ASCII digit read as "0": "img-20210110-wa3015.jpg" -> "img-00000000-wa0000.jpg"."""
    return run.translate(_ZEROS)


def every_shape(_shape: str) -> bool:
    """`blind` for a field whose bits never depend on the values of an ASCII run's digits."""
    return True


class WithoutWords:
    """`blind` for a field whose bits depend on an ASCII run's digits only through the words it looks
    for in the run (literal strings; `starts`: only at its start, `ends`: only at its end): a shape in
    which no such word holding a digit, its digits read as "0", occurs (where it is looked for) has
    no run in which that word occurs (an occurrence in a run is one of its shape in the run's shape).
    Every word found in such a run holds no digit, so it lies where the run and its shape have the
    same characters: the field finds the same words in both."""

    def __init__(self, words: Iterable[str], starts: Iterable[str] = (), ends: Iterable[str] = ()) -> None:
        shapes = [*_digit_shapes(words), *(f"\\A(?:{s})" for s in _digit_shapes(starts)),
                  *(f"(?:{s})\\Z" for s in _digit_shapes(ends))]
        self._shapes = re.compile("|".join(shapes)) if shapes else None

    def __call__(self, shape: str) -> bool:
        return self._shapes is None or self._shapes.search(shape) is None


def _digit_shapes(words: Iterable[str]) -> list[str]:
    """The shapes of the words holding an ASCII digit, escaped, longest first."""
    shapes = {shape_of(word) for word in words if not _ASCII_DIGITS.isdisjoint(word)}
    return [re.escape(shape) for shape in sorted(shapes, key=lambda shape: (-len(shape), shape))]


class RunField:
    """A gate's bits inside a table's combined value (`read` takes them out). Where they lie is
    decided when the table is first walked: narrow fields first, so most runs' bits fit in a
    machine word, however wide the phrase candidates' field is."""

    __slots__ = ("bits_of", "width", "pairs", "blind", "shift", "mask", "placed")

    def __init__(self, bits_of: RunBits, width: int, pairs: tuple[tuple[int, int, int], ...] = (),
                 blind: Blind | None = None) -> None:
        self.bits_of = bits_of
        self.width = width
        self.pairs = pairs  # each (bit ending a run, bit beginning the next, bit set when both), in the field
        self.blind = blind  # None: its bits are worked out for every run
        self.mask = (1 << width) - 1
        self.place(0)

    def place(self, shift: int) -> None:
        """Put the field at `shift` in the combined value."""
        self.shift = shift
        self.placed = self.mask << shift  # the field's bits where they lie

    def read(self, combined: int) -> int:
        # Masked before shifted (the same bits): a text's combined value is as wide as its widest
        # field's bits (the phrase candidates': about 2,000), and shifting all of it first made a
        # copy that wide on every read of a narrow field.
        return (combined & self.placed) >> self.shift


class RunTable:
    """The fields of every gate sharing one memo of runs, and the walk that ORs a text's runs."""

    def __init__(self) -> None:
        self._fields: list[RunField] = []
        self._memo: dict[str, int] = {}
        # shape -> (bits of the fields blind to it, the other fields): `_run_bits` of a new ASCII run with digits
        self._shapes: dict[str, tuple[int, tuple[RunField, ...]]] = {}
        self._sighted: dict[tuple[RunField, ...], tuple[RunField, ...]] = {}
        self._blind = False  # some field has a `blind` test (`lay_out`)
        self._pairs: tuple[tuple[int, int, int], ...] = ()
        self._laid_out = False
        self._walk: Callable[[str, dict[str, int], RunBits, tuple[tuple[int, int, int], ...]], int] | None = None
        self._native_pairs = True  # the C walk can take this layout's pairs (`lay_out`)
        self._last_raw: str | None = None
        self._last_lowered: str | None = None
        self._last_bits = 0
        self._filter_makers: list[Callable[[], Filter]] = []
        self._filters: tuple[Filter, ...] | None = None  # made on the first walk (they read the layout)

    def add(self, bits_of: RunBits, width: int, *pairs: tuple[int, int, int] | None,
            blind: Blind | None = None) -> RunField:
        """A new field: `bits_of(run)` gives `width` bits for one run (lower-cased, no whitespace), and
        `pairs` its (end, start, out) bit numbers read across runs (None: no pair); `blind(shape)`, when
        given, says the bits are the same for every ASCII run of that shape (`shape_of`). The memo starts
        again: every run is read by every field."""
        field = RunField(bits_of, max(1, width), tuple(pair for pair in pairs if pair is not None), blind)
        self._fields.append(field)
        self._laid_out = False
        self._last_raw = self._last_lowered = None
        return field

    def add_filter(self, make: Callable[[], Filter]) -> None:
        """A step after the walk: `make()` (called on the first walk, once fields are laid out) gives a
        function of a text's combined bits that clears those its whole text rules out."""
        self._filter_makers.append(make)
        self._filters = None
        self._last_raw = self._last_lowered = None

    def bits(self, lowered: str) -> int:
        """The combined bits of a text (all its runs ORed, plus the pairs' bits, then the filters). The
        last answer is kept."""
        if lowered == self._last_lowered:
            return self._last_bits
        if not self._laid_out:
            self.lay_out()
        walk = self._walk
        if walk is None:
            accelerator = native.accelerator()
            walk = self._walk = accelerator.or_runs if accelerator is not None and self._native_pairs else python_walk
        filters = self._filters
        if filters is None:
            filters = self._filters = tuple(make() for make in self._filter_makers)
        found = walk(lowered, self._memo, self._run_bits, self._pairs)
        for keep in filters:  # (`refine`, inlined: this runs once per message)
            found = keep(found)
        self._last_raw, self._last_lowered, self._last_bits = None, lowered, found
        return found

    def refine(self, walked: int) -> int:
        """The walk's bits of a text after the filters (`add_filter`)."""
        filters = self._filters
        if filters is None:
            filters = self._filters = tuple(make() for make in self._filter_makers)
        for keep in filters:
            walked = keep(walked)
        return walked

    def of_text(self, raw: str) -> tuple[str, int]:
        """`raw.lower()` and its combined bits: kept for the same text object, so the engine's question
        and then each detector's about one message cost one lower-casing and one walk. (`bits`, inlined:
        the engine asks this of every message.)"""
        if raw is self._last_raw and self._last_lowered is not None:
            return self._last_lowered, self._last_bits
        lowered = raw.lower()
        if lowered == self._last_lowered:
            found = self._last_bits
        else:
            walk, filters = self._walk, self._filters
            if walk is None or filters is None or not self._laid_out:
                found = self.bits(lowered)  # the first walk: lays out, chooses the walk and filters
            else:
                found = walk(lowered, self._memo, self._run_bits, self._pairs)
                for keep in filters:
                    found = keep(found)
                self._last_lowered, self._last_bits = lowered, found
        self._last_raw = raw
        return lowered, found

    def walk_parts(self) -> tuple[dict[str, int], RunBits, tuple[tuple[int, int, int], ...], tuple[Filter, ...]]:
        """(memo, compute, pairs, filters): what a walk of this table takes (`of_text` gives a text's
        bits as `filters` applied in turn to `walk(lowered, memo, compute, pairs)`), laid out and made
        now, for a caller that walks many texts in one call (the engine's block gate)."""
        if not self._laid_out:
            self.lay_out()
        filters = self._filters
        if filters is None:
            filters = self._filters = tuple(make() for make in self._filter_makers)
        return self._memo, self._run_bits, self._pairs, filters

    def walks_natively(self) -> bool:
        """Whether this table's walk can run in C (`_native.or_runs`, the engine's block gate): the
        accelerator is built and takes the layout's pairs."""
        if not self._laid_out:
            self.lay_out()
        return self._native_pairs and native.accelerator() is not None

    def remember(self, raw: str, lowered: str, found: int) -> None:
        """Keep `raw.lower()` and its combined bits, worked out by a caller from `walk_parts`, as
        `of_text` keeps its last answer: the detectors then asking about the same text walk it no more."""
        self._last_raw, self._last_lowered, self._last_bits = raw, lowered, found

    def _run_bits(self, run: str) -> int:
        """Every field's bits for one run (a memo miss), kept. For an ASCII run with a digit other than
        "0", the fields blind to its shape give the bits they gave the shape (`_by_shape`)."""
        shape = shape_of(run) if self._blind and run.isascii() else run
        if shape == run:  # no shape to share: no field blind, not ASCII, or no digit but 0
            fields: tuple[RunField, ...] | list[RunField] = self._fields
            combined = 0
        else:
            combined, fields = self._by_shape(shape)
        for field in fields:
            bits = field.bits_of(run)
            if bits:
                combined |= (bits & field.mask) << field.shift
        memo = self._memo
        if len(memo) >= _RUNS_KEPT:
            memo.clear()
        memo[run] = combined
        return combined

    def _by_shape(self, shape: str) -> tuple[int, tuple[RunField, ...]]:
        """(the bits of the fields blind to `shape`, worked out on it; the fields that are not), kept."""
        known = self._shapes.get(shape)
        if known is None:
            blind = 0
            others: list[RunField] = []
            for field in self._fields:
                if field.blind is not None and field.blind(shape):
                    bits = field.bits_of(shape)
                    if bits:
                        blind |= (bits & field.mask) << field.shift
                else:
                    others.append(field)
            if len(self._shapes) >= _RUNS_KEPT:
                self._shapes.clear()
            sighted = tuple(others)
            sighted = self._sighted.setdefault(sighted, sighted)  # one copy of each (most shapes share it)
            known = self._shapes[shape] = (blind, sighted)
        return known

    def lay_out(self) -> None:
        """Place the fields (before the first walk, or now for a caller that reads `RunField.shift`): those with a pair first (the C walk reads pairs in the first 64 bits),
        then by width."""
        shift = 0
        pairs: list[tuple[int, int, int]] = []
        for field in sorted(self._fields, key=lambda f: (not f.pairs, f.width)):
            field.place(shift)
            for end, start, out in field.pairs:
                pairs.append((1 << end << shift, 1 << start << shift, 1 << out << shift))
            shift += field.width
        # More pairs than the C walk takes, or a pair's bits past its first 64 (a force's pack with many
        # keywords of several words, the optional model's gate words): the same bits, walked in Python.
        self._native_pairs = len(pairs) <= _PAIRS_MAX and all(max(p) < 1 << _LOW_BITS for p in pairs)
        self._walk = None
        self._pairs = tuple(pairs)
        self._memo = {}
        self._shapes = {}
        self._sighted = {}
        self._blind = any(field.blind is not None for field in self._fields)
        self._filters = None
        self._last_raw = self._last_lowered = None
        self._laid_out = True

    def __getstate__(self) -> dict[str, Any]:
        """Kept in the build cache without what one run learnt (its memo, its last text) or the walk
        and filters it chose (the accelerator may be off in the run that reads it back)."""
        state = self.__dict__.copy()
        state.update(_memo={}, _shapes={}, _sighted={}, _walk=None, _filters=None, _last_raw=None,
                     _last_lowered=None, _last_bits=0)
        return state


def python_walk(text: str, memo: dict[str, int], compute: RunBits,
                pairs: tuple[tuple[int, int, int], ...]) -> int:
    """The reference walk (and the fallback of `_native.or_runs`): OR of the runs' bits from `memo`
    (else `compute(run)`, which keeps them), plus each pair's bit where a run with its first bit is
    followed by one with its second."""
    found = 0
    before = 0
    for run in text.split():
        bits = memo.get(run)
        if bits is None:
            bits = compute(run)
        if pairs and before:
            for end, start, out in pairs:
                if before & end and bits & start:
                    found |= out
        found |= bits
        before = bits
    return found
