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
folding matches "K" to the Kelvin sign and "s" to the long s). The words are a lower bound worked
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


@dataclass(frozen=True, slots=True)
class Needs:
    """The words (lower-cased) one of which every match holds, as one search."""

    words: tuple[str, ...]
    search: re.Pattern[str]

    def excludes(self, text: str) -> bool:
        """True when `text` certainly holds no match: it is ASCII and holds none of the words."""
        return text.isascii() and self.search.search(text.lower()) is None


def needs(source: str, flags: int = 0) -> Needs | None:
    """The words every match of `source` (compiled with `flags`) must hold one of; None when the walk
    finds no set selective enough to be worth a search."""
    words = necessary_words(source, flags)
    if not words:
        return None
    ordered = tuple(sorted(words))
    return Needs(ordered, re.compile(trie_pattern(ordered)))


def reads_alike(source: str) -> bool:
    """Whether the `regex` module and `re` read `source` alike: every `{` is a plain repeat (`regex`
    reads `{e<=1}` as fuzzy matching, `re` as text) and no version or fuzzy flag changes the syntax."""
    if "(?V1" in source or "(?V0" in source or "(?f" in source or "(?b" in source or "(?e" in source:
        return False
    return not any(m.group(1) for m in _REPEAT_BRACE.finditer(source))


def necessary_words(source: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-cased ASCII words one of which every match of `source` holds; None when unsure."""
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
    if words is None or "" in words:
        return None
    return frozenset(word.lower() for word in words)


def _sequence(items: list[tuple[Any, Any]], folded: bool) -> _Info:
    """A concatenation: runs of parts with spelled-out strings join into longer strings; the best
    of those runs' sets and the parts' own word sets is the sequence's."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})
    whole: frozenset[str] | None = frozenset({""})  # every string of the whole sequence, while known

    def flush() -> None:
        if run is not None and "" not in run:
            candidates.append(run)

    for op, av in items:
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
            if words is not None and "" not in words:
                candidates.append(words)
    flush()
    return whole, _best(candidates)


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """Any of the sets would do (each is necessary). The last with no word shorter than three letters
    is taken: a rule's regex usually opens with its keyword ("briefing"), which the keyword gate has
    already found in the text, and the words after it ("pack", "slides") are what turn texts away.
    Without such a set, the one whose shortest word is longest."""
    for words in reversed(candidates):
        if min(map(len, words)) >= _SHORT_WORD:
            return words
    return max(candidates, key=lambda words: (min(map(len, words)), -len(words)), default=None)


def _product(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > _MOST_STRINGS:
        return None
    return frozenset(a + b for a in left for b in right)


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
    if words is None and exact is not None and "" not in exact:
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
