"""A guard of first characters in front of a gate pattern, so the regex engine skips in C.

Python's `re` jumps straight to the places a match could begin only when a pattern opens with a
literal or a character class. A prefilter opening with `\\b` or a lookbehind
(`\\b(?:Road|Street|...)`, `(?<![A-Za-z])[A-Z]...`), and the alternation of every digit rule's
prefilter that the operational detector searches in each message with a digit, are instead tried in
full at every character of the text: 2-12 µs for one short chat message. Every match of such a
pattern begins with one of a set of characters that its parse tree names; `(?=[that set])` in front
changes no match (each match's first character is in the set, and the lookahead consumes nothing,
captures nothing) but turns most positions away with one class test.
"""

from __future__ import annotations

import re

# The stdlib's own regex parser reads the pattern's structure; private modules have no stubs.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

_ZERO_WIDTH = frozenset({_c.AT, _c.ASSERT, _c.ASSERT_NOT})
_REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)})
_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W",
}
_UNSURE = re.IGNORECASE | re.VERBOSE  # case folding and comments: left as they are


def guarded(source: str, flags: int = 0) -> str:
    """`source` with a lookahead of its possible first characters in front, or `source` itself when
    the engine already skips for it (it opens with a literal or a class) or the set is not certain."""
    return _with_firsts(source, flags, "(?=[{firsts}])(?:{source})")


def skipping(source: str, flags: int = 0) -> str:
    """A pattern that has a match in a text exactly when `source` has, for a caller that only asks
    whether there is one: the class of `source`'s first characters, then a one-character lookbehind
    asserting that `source` matches from that character (`[set](?<=(?=(?:source))(?s:.))`). Opening
    with a class, it lets `re` skip in C to the characters a match can begin with, where `guarded`'s
    lookahead is tried at every character (about a fifth of the search of a short chat message).
    Its match is that first character, not `source`'s match. `source` itself when the engine skips
    for it already or the set is not certain."""
    return _with_firsts(source, flags, "[{firsts}](?<=(?=(?:{source}))(?s:.))")


def _with_firsts(source: str, flags: int, template: str) -> str:
    """`template` filled with `source` and the class body of its possible first characters, or
    `source` itself where that set is not certain, `re` skips already, or the result will not compile
    (e.g. global inline flags, which must come first)."""
    try:
        tree = _parser.parse(source, flags)
    except (re.error, ValueError, RecursionError):
        return source
    if tree.state.flags & _UNSURE or _skips_already(list(tree.data)):
        return source
    found = _firsts(list(tree.data))
    if not found:
        return source
    candidate = template.format(firsts="".join(sorted(set(found))), source=source)
    try:
        re.compile(candidate, flags)
    except (re.error, ValueError, RecursionError):
        return source
    return candidate


def _skips_already(items: list[tuple[Any, Any]]) -> bool:
    """Whether `re` finds this pattern's possible starts itself: it opens with a literal, a class,
    or an alternation of literals."""
    while items and items[0][0] is _c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if op is _c.BRANCH:
        return all(branch and branch[0][0] is _c.LITERAL for branch in av[1])
    return op in (_c.LITERAL, _c.IN)


def _firsts(items: list[tuple[Any, Any]]) -> list[str] | None:
    """Class items holding the first character of every match of a sequence (zero-width assertions
    skipped); None when unsure, or when the sequence may match nothing at all."""
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        return _element(op, av)
    return None


def _element(op: Any, av: Any) -> list[str] | None:
    if op is _c.LITERAL:
        return [_escaped(av)]
    if op is _c.IN:
        return _class_items(av)
    if op is _c.BRANCH:
        found: list[str] = []
        for branch in av[1]:
            mine = _firsts(list(branch))
            if mine is None:
                return None
            found += mine
        return found
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        return None if (add_flags | del_flags) & _UNSURE else _firsts(list(body))
    if op in _REPEATS:
        low, _high, body = av
        return _firsts(list(body)) if low >= 1 else None
    return None  # any character, a backreference, a negated literal ...: no set to name


def _class_items(items: list[tuple[Any, Any]]) -> list[str] | None:
    found = []
    for op, av in items:
        if op is _c.LITERAL:
            found.append(_escaped(av))
        elif op is _c.RANGE:
            found.append(f"{_escaped(av[0])}-{_escaped(av[1])}")
        elif op is _c.CATEGORY and av in _CATEGORIES:
            found.append(_CATEGORIES[av])
        else:  # a negated class, or an unknown category
            return None
    return found


def _escaped(code: int) -> str:
    return f"\\U{code:08x}"
