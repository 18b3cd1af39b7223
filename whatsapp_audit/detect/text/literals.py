"""Literal words one of which every match of a regex must hold, read from the regex itself.

Most of the operational rules' regexes that a message's gates let through still find nothing in it:
"Anyone fancy a brew before briefing?" wakes the shared-material rule by its keyword "briefing", and
its regex (which wants "briefing pack", "witness statement", ...) then spends about 13 µs on the
text; an address line runs eight personal-details regexes (about 90 µs) that all want words such as
"date of birth" or "dob". Every match of such a regex holds one of a few literal words, which its
parse tree names; a text holding none of them cannot match, and one search for the words (in C)
says so before the regex is tried at all.

`Needs.excludes(text)` answers only for ASCII text, where a case-insensitive match of an ASCII
literal is exactly that literal in `text.lower()`; any other text is left to the regex (Unicode case
folding matches "K" to the Kelvin sign and "s" to the long s).

A word the regex asks to stand after no letter (`(?<![a-z])MG` under `(?i)`: a negative lookbehind
of a class holding every ASCII letter, just before the word) is searched with the same condition:
"mg" inside "IMG-20240101-WA0001.jpg" is no "MG11" form, and with the plain word every WhatsApp
photo name ran OPS-DOC-FILE's regex (about 20 µs) for nothing. The condition is only ever kept or
dropped, never invented: a word after other characters of the match loses it. The words are a lower bound worked
out from the standard library's parse, as `operational.digits` does: anything the walk is unsure of
(a negated class, a category, a backreference, an optional part, syntax the `regex` module reads
differently) gives no word, which only means the regex still runs.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from whatsapp_audit.detect.text.trie import trie_pattern

_REPEAT_BRACE = re.compile(r"\\.|\{(?:\d+|\d+,\d*|,\d+)\}|(\{)")  # an escape, a repeat, or another "{"
_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)})
_ZERO_WIDTH = frozenset({_c.AT, _c.ASSERT, _c.ASSERT_NOT})
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
_MOST_STRINGS = 64  # strings a finite set may hold before the walk stops spelling them out
_MOST_CLASS = 8  # characters a class may hold to be spelled out as strings
_SHORT_WORD = 3  # see `_best`

# What the walk knows of a part of a pattern: every string it can match (None: too many or unknown),
# and words one of which each of its matches holds (None: none known).
_Info = tuple[frozenset[str] | None, frozenset[str] | None]
_UNKNOWN: _Info = (None, None)
_EMPTY: _Info = (frozenset({""}), None)
# Leads a string (only ever its first character) whose match the regex asks to stand after no ASCII
# letter (`_after_no_letter`). Not a character any parsed ASCII literal gives (they are printable or
# escapes the walk reads as themselves, and NUL is never lower-cased into).
_NO_LETTER = "\x00"
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True)
class Needs:
    """The words (lower-cased) one of which every match holds, as one search."""

    words: tuple[str, ...]  # without their conditions
    search: re.Pattern[str]  # the words, those the regex wants after no letter with that condition

    def excludes(self, text: str) -> bool:
        """True when `text` certainly holds no match: it is ASCII and holds none of the words."""
        return text.isascii() and self.search.search(text.lower()) is None


def needs(source: str, flags: int = 0) -> Needs | None:
    """The words every match of `source` (compiled with `flags`) must hold one of; None when the walk
    finds no set selective enough to be worth a search."""
    marked = _marked_words(source, flags)
    if not marked:
        return None
    plain = {word for word in marked if not word.startswith(_NO_LETTER)}
    bounded = {word[1:] for word in marked if word.startswith(_NO_LETTER)} - plain
    parts = [trie_pattern(sorted(plain))] if plain else []
    if bounded:
        # Searched in text.lower() of an ASCII text: "not after [a-z]" there is "not after a letter".
        parts.append(f"(?<![a-z])(?:{trie_pattern(sorted(bounded))})")
    return Needs(tuple(sorted(plain | bounded)), re.compile("|".join(parts)))


def reads_alike(source: str) -> bool:
    """Whether the `regex` module and `re` read `source` alike: every `{` is a plain repeat (`regex`
    reads `{e<=1}` as fuzzy matching, `re` as text) and no version or fuzzy flag changes the syntax."""
    if "(?V1" in source or "(?V0" in source or "(?f" in source or "(?b" in source or "(?e" in source:
        return False
    return not any(m.group(1) for m in _REPEAT_BRACE.finditer(source))


def necessary_words(source: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-cased ASCII words one of which every match of `source` holds; None when unsure."""
    marked = _marked_words(source, flags)
    return None if marked is None else frozenset(word.lstrip(_NO_LETTER) for word in marked)


def _marked_words(source: str, flags: int = 0) -> frozenset[str] | None:
    """`necessary_words`, a word led by `_NO_LETTER` when the regex wants it after no letter."""
    if not reads_alike(source):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": `regex` reads [[:alpha:]] as a class
            tree = _parser.parse(source, flags)
    except (re.error, FutureWarning, DeprecationWarning, RecursionError, OverflowError, ValueError):
        return None
    folded = bool(tree.state.flags & re.IGNORECASE)
    _exact, words = _sequence(list(tree.data), folded)
    if words is None or _holds_empty(words):
        return None
    return frozenset(word.lower() for word in words)


def _holds_empty(strings: frozenset[str]) -> bool:
    return "" in strings or _NO_LETTER in strings


def _after_no_letter(op: Any, av: Any, folded: bool) -> bool:
    """Whether an item is a negative lookbehind of one character from a class that holds every ASCII
    letter (`(?<![a-z])` under `(?i)`, `(?<![A-Za-z0-9])`): what follows it stands after no letter."""
    if op is not _c.ASSERT_NOT or av[0] != -1:
        return False
    body = list(av[1])
    if len(body) != 1:
        return False
    inner_op, inner_av = body[0]
    if inner_op is _c.LITERAL:
        items = [(inner_op, inner_av)]
    elif inner_op is _c.IN:
        items = list(inner_av)
    else:
        return False
    held: set[str] = set()
    for item_op, item_av in items:
        if item_op is _c.LITERAL:
            held.add(chr(item_av))
        elif item_op is _c.RANGE:
            low, high = item_av
            held.update(chr(code) for code in range(max(low, 0), min(high, 127) + 1))
        else:  # a negated class, a category ...: not read
            return False
    if folded:
        held |= {ch.swapcase() for ch in held if ch in _ASCII_LETTERS}
    return _ASCII_LETTERS <= held


def _sequence(items: list[tuple[Any, Any]], folded: bool) -> _Info:
    """A concatenation: runs of parts with spelled-out strings join into longer strings; the best
    of those runs' sets and the parts' own word sets is the sequence's."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})
    whole: frozenset[str] | None = frozenset({""})  # every string of the whole sequence, while known

    def flush() -> None:
        if run is not None and not _holds_empty(run):
            candidates.append(run)

    for op, av in items:
        if run == _START and _after_no_letter(op, av, folded):
            run = _START_NO_LETTER  # the next strings stand after no letter (a zero-width item)
            if whole == _START:
                whole = _START_NO_LETTER
            continue
        exact, words = _element(op, av, folded)
        if exact is not None:
            whole = _product(whole, exact) if whole is not None else None
            joined = _product(run, exact) if run is not None else None
            if joined is None:
                flush()
                run = exact
            else:
                run = joined
        else:
            whole = None
            flush()
            run = frozenset({""})
            if words is not None and not _holds_empty(words):
                candidates.append(words)
    flush()
    return whole, _best(candidates)


_START = frozenset({""})
_START_NO_LETTER = frozenset({_NO_LETTER})


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """Any of the sets would do (each is necessary). The last with no word shorter than three letters
    is taken: a rule's regex usually opens with its keyword ("briefing"), which the keyword gate has
    already found in the text, and the words after it ("pack", "slides") are what turn texts away.
    Without such a set, the one whose shortest word is longest."""
    for words in reversed(candidates):
        if min(map(_length, words)) >= _SHORT_WORD:
            return words
    return max(candidates, key=lambda words: (min(map(_length, words)), -len(words)), default=None)


def _length(word: str) -> int:
    return len(word) - word.startswith(_NO_LETTER)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MOST_STRINGS:
        return None
    return frozenset(_joined(a, b) for a in left for b in right)


def _joined(left: str, right: str) -> str:
    """`left + right`, a condition kept only where it leads the whole (after other characters of the
    match it is dropped: a weaker test, never a wrong one)."""
    if right.startswith(_NO_LETTER) and left:
        right = right[1:]
    return left + right


def _element(op: Any, av: Any, folded: bool) -> _Info:
    if op in _ZERO_WIDTH:
        return _EMPTY  # consumes nothing: what it asserts is not part of the match
    if op is _c.LITERAL:
        char = chr(av)
        return (frozenset({char.lower() if folded else char}), None) if char.isascii() else _UNKNOWN
    if op is _c.IN:
        chars = _class(av, folded)
        return (chars, None) if chars is not None else _UNKNOWN
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        inner = (folded or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _with_words(_sequence(list(body), inner))
    if op is _ATOMIC:
        return _with_words(_sequence(list(av), folded))
    if op is _c.BRANCH:
        return _branch(av[1], folded)
    if op in _REPEATS:
        low, high, body = av
        exact, words = _with_words(_sequence(list(body), folded))
        if low == 0:
            return (exact | {""}, None) if high == 1 and exact is not None else _UNKNOWN
        if low == high and exact is not None:
            spelled: frozenset[str] | None = exact
            for _ in range(low - 1):
                spelled = _product(spelled, exact) if spelled is not None else None
            if spelled is not None:
                return spelled, None
        return None, words
    return _UNKNOWN  # any character, a negated literal, a backreference, a conditional ...


def _with_words(info: _Info) -> _Info:
    """A part's word set: its own, or its strings when they are all spelled out and none is empty."""
    exact, words = info
    if words is None and exact is not None and not _holds_empty(exact):
        words = exact
    return exact, words


def _branch(alternatives: list[Any], folded: bool) -> _Info:
    exact: frozenset[str] | None = frozenset()
    words: frozenset[str] | None = frozenset()
    for alternative in alternatives:
        mine_exact, mine_words = _with_words(_sequence(list(alternative), folded))
        exact = exact | mine_exact if exact is not None and mine_exact is not None else None
        if exact is not None and len(exact) > _MOST_STRINGS:
            exact = None
        words = words | mine_words if words is not None and mine_words is not None else None
    return exact, words


def _class(items: list[tuple[Any, Any]], folded: bool) -> frozenset[str] | None:
    """The characters of a small class of ASCII literals and ranges; None for anything else."""
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            found = [chr(av)]
        elif op is _c.RANGE and av[1] - av[0] < _MOST_CLASS:
            found = [chr(code) for code in range(av[0], av[1] + 1)]
        else:  # a negated class, a category, a wide range
            return None
        if not all(char.isascii() for char in found):
            return None
        chars.update(char.lower() if folded else char for char in found)
    return frozenset(chars) if chars and len(chars) <= _MOST_CLASS else None
