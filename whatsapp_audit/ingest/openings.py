"""Which ASCII characters can open a match of a regex: a gate that turns most texts away before the
regex runs.

`special_start` (vocabulary.py) is one anchored alternation of about thirty phrases, most of them
case-insensitive; the standard `re` tries every branch at position 0, about 2.5 µs per message, for
a test that almost every message fails. The set of characters that can open a match, read from the
pattern's own parse tree, settles most messages with one set lookup. The gate is sound: anything it
cannot analyse (a wildcard, a class by category, a back reference, a pattern that can match empty)
gives no gate, and a text opening with a non-ASCII character always goes to the regex.
"""

from __future__ import annotations

import re

# The stdlib's own regex parser, as detect/text/guard.py uses it; private modules have no stubs.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any


class _Unknown(Exception):
    """A construct the analysis does not follow: no gate."""


def ascii_openings(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case ASCII characters that can be the first character of a match of `pattern` (as
    `pattern.match` runs it), or None when that cannot be told. A text whose first character is
    ASCII and whose lower case is not in the set cannot match."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
        chars, nullable = _sequence(list(tree), bool(pattern.flags & re.IGNORECASE))
    except (_Unknown, re.error, RecursionError):
        return None
    return None if nullable else frozenset(chars)


def may_open(text: str, openings: frozenset[str] | None) -> bool:
    """Whether a match of the pattern behind `openings` can start at the beginning of `text`."""
    if openings is None:
        return True
    if not text:
        return False
    first = text[0]
    return not first.isascii() or first.lower() in openings


def _sequence(items: list[tuple[Any, Any]], ignore_case: bool) -> tuple[set[str], bool]:
    """Opening characters of a sequence, and whether it can match empty."""
    chars: set[str] = set()
    for op, av in items:
        found, nullable = _item(op, av, ignore_case)
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _item(op: Any, av: Any, ignore_case: bool) -> tuple[set[str], bool]:
    if op is _c.LITERAL:
        return _literal(av, ignore_case), False
    if op is _c.IN:
        return _charset(av, ignore_case), False
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, pattern = av
        if add_flags & re.IGNORECASE:
            ignore_case = True
        if del_flags & re.IGNORECASE:
            ignore_case = False
        return _sequence(list(pattern), ignore_case)
    if op is _c.BRANCH:
        chars: set[str] = set()
        nullable = False
        for branch in av[1]:
            found, empty = _sequence(list(branch), ignore_case)
            chars |= found
            nullable = nullable or empty
        return chars, nullable
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, pattern = av
        found, empty = _sequence(list(pattern), ignore_case)
        return found, empty or low == 0
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return set(), True  # consumes nothing: the next item opens the match
    raise _Unknown(op)


def _literal(code: int, ignore_case: bool) -> set[str]:
    char = chr(code)
    if char.isascii():
        return {char.lower()}
    if ignore_case:  # a non-ASCII letter may match ASCII ones case-insensitively (U+017F and "s"): ask `re`
        pattern = re.compile(re.escape(char), re.IGNORECASE)
        return {chr(a).lower() for a in range(128) if pattern.fullmatch(chr(a))}
    return set()  # only non-ASCII text can match, and the gate lets all of it through


def _charset(items: list[tuple[Any, Any]], ignore_case: bool) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars |= _literal(av, ignore_case)
        elif op is _c.RANGE and av[1] - av[0] < 256:
            for code in range(av[0], av[1] + 1):
                chars |= _literal(code, ignore_case)
        else:  # negation, categories (\w, \d ...), wide ranges
            raise _Unknown(op)
    return chars
