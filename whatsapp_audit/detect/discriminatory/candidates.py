"""`PhraseMatcher.could_match` read from the runs' table instead of the text.

A quarter of ordinary chat holds some phrase rule's gate word ("all", "them", "back"), so the test
that some construction has every required token here ran on a quarter of all messages, building
the text's word and character sets each time (7 µs a message). A word token never holds whitespace,
so the text's words and characters are the union of its runs' (whitespace aside: no gate is a
whitespace character, which `applies` checks), as long as no grapheme cluster crosses whitespace:
one does only where a run begins with a mark that extends what precedes it (a combining accent, a
joiner, a spacing mark: " \u0301") or ends with a prepended mark ("\u0600 "), which only non-ASCII
text can hold and each run reports (`CROSSES`); such a text is read whole, as before. Each run
contributes, once and memoised with every other gate's bits (text/runs.py), the constructions it
could wake (one bit per distinct tuple of required-token tests) and the required-token tests whose
need it meets alone (one bit per test: "one of these words or first characters", exactly the test
for a plain one, a necessary part of it for one that also takes joined phrases or emoji clusters:
`needs`); a message is a candidate when some woken construction has every test's need met by some
run, and only then are its other tests (joined phrases, emoji clusters) read from the whole text,
exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import regex

from whatsapp_audit import native
from whatsapp_audit.detect.discriminatory.tokens import token_words
from whatsapp_audit.detect.text.runs import RunTable, WithoutWords

if TYPE_CHECKING:  # phrases.py imports this module
    from whatsapp_audit.detect.discriminatory.phrases import _Presence as Presence

_RUN_WORDS_KEPT = 65_536  # runs whose words are kept before the memo starts again (bounds memory)
_ASCII_WORD = re.compile(r"(?:[^\W_]|\*)+")  # phrases._ASCII_WORD: a word the gate reads on ASCII text
# A run whose first character joins the whitespace before it into one grapheme cluster, or whose last
# character joins the whitespace after it (the tokenizer's `\X`: Unicode's rules GB9, GB9a, GB9b).
CROSSES = regex.compile(r"^[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}]|\p{GCB=Prepend}$")


def text_words(text: str) -> set[str]:
    """The words `could_match` reads in a text (those of its word tokens; on ASCII text, where both
    agree, by the faster regex): each word, and each ending in "n" less it."""
    words = set(_ASCII_WORD.findall(text)) if text.isascii() else token_words(text)
    return words | {w[:-1] for w in words if w.endswith("n")}


class PhraseCandidates:
    """The phrase matcher's field in a `RunTable`: woken constructions and satisfied tests per run."""

    def __init__(self, presence: Sequence[tuple[Presence, ...]], by_gate: Mapping[str, set[int]],
                 emoji_firsts: Mapping[str, set[int]], table: RunTable,
                 weights: Mapping[str, float] | None = None) -> None:
        """`presence[i]`: the required-token tests of pattern i; `by_gate` and `emoji_firsts`: the
        patterns woken by a gate word, or by an emoji's first character; `weights`: how everyday a
        word is (the packs' `words.common`: the n-th weighs 1/n), to number the tests (`_numbered`)."""
        groups: dict[tuple[Presence, ...], int] = {}
        group_of = [groups.setdefault(tests, len(groups)) for tests in presence]
        self._groups = len(groups)
        number = _numbered([test for tests in groups for test in tests if not test.always], weights or {})
        self._words: dict[str, int] = {}  # word -> tests whose need it meets (bits)
        self._chars: dict[str, int] = {}  # character -> tests whose need it meets
        for test in {id(test): test for tests in groups for test in tests if not test.always}.values():
            bit = 1 << number[id(test)]
            words, firsts = needs(test)
            for word in words:
                self._words[word] = self._words.get(word, 0) | bit
            for first in firsts:
                self._chars[first] = self._chars.get(first, 0) | bit
        tests_in: list[tuple[int, tuple[Presence, ...]]] = []  # per group: its tests' bits, tests not plain
        for tests in groups:
            needed, others = 0, []
            for test in tests:
                if test.always:
                    continue
                if not test.plain:
                    others.append(test)  # read from the whole text, once the runs cover what it needs
                needed |= 1 << number[id(test)]
            tests_in.append((needed, tuple(others)))
        self._tests = tuple(tests_in)
        # Per group, the numbers of the tests it needs (the bits of `needed`), for `Cover`.
        self._needed = tuple(tuple(n for n in range(needed.bit_length()) if needed >> n & 1) for needed, _ in tests_in)
        self._wakes = {word: _bits(group_of[i] for i in indices) for word, indices in by_gate.items()}
        self._wakes_char = {first: _bits(group_of[i] for i in indices) for first, indices in emoji_firsts.items()}
        # The field, low bits first: [tests whose need a run meets][crosses][constructions it wakes].
        # Everyday words ("the", "in", "all") meet some test, few wake a construction (its rarest
        # word does): so most runs' bits, and most texts', stay a few machine words long, and the
        # filter (`Cover`) returns at once for a text that wakes nothing. With the constructions
        # first, every run meeting a test carried bits past the thousandth, and each text's walk,
        # filter and AND worked through all of them.
        self._ntests = len(number)
        self._crosses = 1 << self._ntests  # `CROSSES`
        self._woken_at = self._ntests + 1
        self._word_keys = frozenset(self._wakes) | frozenset(self._words)
        # A word ending in "n" counts also without it (`text_words`): the keys that way, as the word holds them.
        self._n_keys = frozenset(key + "n" for key in self._word_keys)
        self._char_keys = frozenset(self._wakes_char) | frozenset(self._chars)
        self._run_words: dict[str, frozenset[str]] = {}  # a run's words (`_text_words`)
        # An ASCII run's bits depend on its digits only through the keys it holds ("m8", "19th"): its
        # words are the same spans in any run of its shape (a digit is a word character, whichever), a
        # word holding a digit is a key only where a key holding one occurs, and a character key is a
        # digit only where a digit occurs. So where none of those occurs, the shape's bits serve.
        self._blind = WithoutWords([*self._word_keys, *self._n_keys, *self._char_keys])
        self._width = self._woken_at + self._groups
        self.share(table)

    @staticmethod
    def applies(presence: Sequence[tuple[Presence, ...]], emoji_firsts: Mapping[str, set[int]]) -> bool:
        """Whether no gate, nor any character a test needs, is a whitespace character (which a run never holds)."""
        return not any(first.isspace() for first in emoji_firsts) and not any(
            first.isspace() for tests in presence for test in tests if not test.always for first in needs(test)[1])

    def share(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        self._table = table
        self._field = table.add(self._run_bits, self._width, blind=self._blind)
        table.add_filter(self._keeper)

    def woken_bits(self) -> int:
        """The constructions' bits in the table's combined value (laid out, filtered): an ASCII text
        with none of them has no construction `could_match` finds."""
        return ((1 << self._groups) - 1) << self._field.shift + self._woken_at

    def could_match(self, text: str) -> bool | None:
        """`PhraseMatcher.could_match(text)`, or None when a grapheme cluster may cross whitespace
        in it (then the runs cannot be read alone)."""
        return self.could_match_bits(text, self._table.bits(text))

    def could_match_bits(self, text: str, combined: int) -> bool | None:
        """`could_match(text)`, given the table's combined bits of `text` (filtered: `_keeper`)."""
        value = self._field.read(combined)
        if value & self._crosses:
            return None
        groups = value >> self._woken_at
        if not groups:
            return False  # the common case: no run wakes a construction whose tests' needs are here
        words: set[str] | None = None
        chars: set[str] = set()
        tests = self._tests
        while groups:  # each covered construction, lowest first (as `owners_in`, without its list)
            low = groups & -groups
            groups ^= low
            others = tests[low.bit_length() - 1][1]
            if others:
                if words is None:
                    words, chars = self._text_words(text), set(text)
                if not all(test.maybe_in(words, chars) for test in others):
                    continue
            return True
        return False

    def _keeper(self) -> Callable[[int], int]:
        """The table's filter for this field (`RunTable.add_filter`): a woken construction's bit stays
        only when the need of every test it has is met by some run (`needs`), so the field's construction
        bits say "some construction may be here" and most text with a gate word ("anyone", "all", "👍")
        reads as quiet. The accelerator's `Cover` when it is built (and not turned off), else `keep_covered`."""
        shift = self._field.shift
        accelerator = native.accelerator()
        if accelerator is not None:
            keep: Callable[[int], int] = accelerator.Cover(self._groups, self._needed, shift, self._ntests)
            return keep
        groups, masks, ntests = self._groups, tuple(sum(1 << n for n in tests) for tests in self._needed), self._ntests
        return lambda combined: keep_covered(combined, shift, groups, masks, ntests)

    def _text_words(self, text: str) -> set[str]:
        """`text_words(text)`, for a text no grapheme cluster crosses whitespace in: on ASCII text one
        regex call; otherwise the union of its runs' words, each run's kept, so an emoji message
        ("cheers all 👍") is not cut into tokens again each time (the union is the text's words, as
        for the tests' bits)."""
        if text.isascii():
            return text_words(text)
        memo = self._run_words
        words: set[str] = set()
        for run in text.split():
            mine = memo.get(run)
            if mine is None:
                if len(memo) >= _RUN_WORDS_KEPT:
                    memo.clear()
                mine = memo[run] = frozenset(text_words(run))
            words |= mine
        return words

    def _run_bits(self, run: str) -> int:
        """The tests whose needs this run meets (low bits), whether it may join a cluster across
        whitespace, and the constructions it wakes (above them)."""
        woken = satisfied = 0
        wakes, word_tests = self._wakes, self._words
        # Only the run's words and characters that wake or satisfy something are looked up: a new run
        # (a file name, a number) is mostly neither, and the loops cost a lookup pair per character.
        plain = run.isascii()
        keys: frozenset[str] | set[str]
        if plain:
            # `text_words(run) & self._word_keys` without building the run's word sets: a new run (a
            # file name, a number) holds none of the keys, and the sets were most of its cost here.
            words = _ASCII_WORD.findall(run)
            keys = self._word_keys.intersection(words)
            if not self._n_keys.isdisjoint(words):
                keys = keys | {word[:-1] for word in self._n_keys.intersection(words)}
        else:
            keys = text_words(run) & self._word_keys
        for word in keys:
            woken |= wakes.get(word, 0)
            satisfied |= word_tests.get(word, 0)
        for char in self._char_keys.intersection(run):
            woken |= self._wakes_char.get(char, 0)
            satisfied |= self._chars.get(char, 0)
        crosses = 0 if plain or CROSSES.search(run) is None else self._crosses
        return satisfied | crosses | woken << self._woken_at


def needs(test: Presence) -> tuple[frozenset[str], frozenset[str]]:
    """(words, characters): a text satisfies `test` (`_Presence.maybe_in`) only when one of the words is
    among its words or one of the characters among its characters. For a plain test, exactly its
    words and first characters; for another, also each joined phrase's word that `maybe_in` looks it up
    by (all of its words must be there) and every character of a form made only of clusters (all of
    one form's must be there): "n't" asks for the word "t". So a construction over "[group] are not 👍"
    is ruled out, run by run, in "cheers all 👍", which has none of "not", "never", "t" or "🚫"."""
    words, firsts = test.words, test.firsts
    if test.plain:
        return words, firsts
    return words | frozenset(test.parted), firsts.union(*test.clusters)


def keep_covered(combined: int, shift: int, groups: int, needed: Sequence[int], tests: int) -> int:
    """The reference of `_native.Cover`: `combined` without the bit of each woken group (in the field
    at `shift`: [`tests` bits: tests whose need is met][crosses][groups woken]) that has some needed
    test (`needed[group]`, bits) unmet; unchanged when the crosses bit is set (the text is then read whole)."""
    value = combined >> shift
    woken = value >> tests + 1 & ((1 << groups) - 1)
    if not woken or value >> tests & 1:
        return combined
    satisfied = value & ((1 << tests) - 1)
    dropped = 0
    while woken:
        low = woken & -woken
        woken ^= low
        need = needed[low.bit_length() - 1]
        if need & satisfied != need:
            dropped |= low
    return combined & ~(dropped << shift + tests + 1) if dropped else combined


def _numbered(tests: Sequence[Presence], weights: Mapping[str, float]) -> dict[int, int]:
    """Each distinct test's bit number (by id), the tests whose need an everyday word meets first (by
    the weight of their most everyday word; then in the order given): the runs of ordinary chat then
    meet only low-numbered tests, and their bits stay short (see `PhraseCandidates`)."""
    distinct = list({id(test): test for test in tests}.values())
    order = sorted(range(len(distinct)), key=lambda i: -max(
        (weights.get(word, 0.0) for word in needs(distinct[i])[0]), default=0.0))
    return {id(distinct[i]): n for n, i in enumerate(order)}


def _bits(positions: Iterable[int]) -> int:
    found = 0
    for position in positions:
        found |= 1 << position
    return found
