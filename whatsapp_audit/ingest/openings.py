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
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

# The stdlib's own regex parser, as detect/text/guard.py uses it; private modules have no stubs.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any


class _Unknown(Exception):
    """A construct the analysis does not follow: no gate."""


# The gate: each lower-case ASCII character a match can open with -> the lower-case ASCII characters
# that can follow it (None: any character, or the match can end after it).
Openings = dict[str, frozenset[str] | None]

_WILD = "any"  # among characters: any character at all can stand there
_OTHER = "non-ascii"  # among characters: some non-ASCII characters can stand there
_START, _PAST = "start", "past"  # states: nothing consumed yet; two or more characters consumed
# A state after one character is that character (lower-case ASCII, _OTHER or _WILD).


def ascii_openings(pattern: re.Pattern[str]) -> Openings | None:
    """The first two characters a match of `pattern` (as `pattern.match` runs it) can open with, or
    None when that cannot be told (a wildcard or a class by category first, a pattern that can match
    empty, a construct the analysis does not follow)."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
        pairs: dict[str, set[str]] = {}
        ends = _walk(list(tree), frozenset({_START}), bool(pattern.flags & re.IGNORECASE), partial(_pairs_step, pairs))
    except (_Unknown, re.error, RecursionError):
        return None
    if _START in ends or _WILD in ends or _WILD in pairs:
        return None
    gate: Openings = {}
    for first in {*pairs, *(state for state in ends if state != _PAST)}:
        if first == _OTHER:
            continue  # a text opening with a non-ASCII character always goes to the regex
        seconds = pairs.get(first, set())
        gate[first] = None if first in ends or _WILD in seconds else frozenset(seconds - {_OTHER})
    return gate


def may_open(text: str, openings: Openings | None) -> bool:
    """Whether a match of the pattern behind `openings` can start at the beginning of `text`."""
    if openings is None:
        return True
    if not text:
        return False
    head = text[0]
    if not head.isascii():
        return True
    if (key := head.lower()) not in openings:
        return False
    seconds = openings[key]
    if seconds is None or len(text) < 2:
        return True
    head = text[1]
    return not head.isascii() or head.lower() in seconds


Step = Callable[[frozenset[str], set[str]], frozenset[str]]
"""How one consumed character (any of `chars`) moves the walk's states; it records what it learns."""


def _walk(items: list[tuple[Any, Any]], states: frozenset[str], ignore_case: bool, step: Step) -> frozenset[str]:
    """The states a sequence can end in from `states`, each character it consumes handed to `step`."""
    for op, av in items:
        if states <= {_PAST}:
            break  # past the characters looked at: the rest cannot change them
        states = _walk_item(op, av, states, ignore_case, step)
    return states


def _walk_item(op: Any, av: Any, states: frozenset[str], ignore_case: bool, step: Step) -> frozenset[str]:
    if op in (_c.LITERAL, _c.IN, _c.ANY, _c.NOT_LITERAL):
        chars = _literal(av, ignore_case) if op is _c.LITERAL else _charset(av, ignore_case) if op is _c.IN else {_WILD}
        return step(states, chars)
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, pattern = av
        if add_flags & re.IGNORECASE:
            ignore_case = True
        if del_flags & re.IGNORECASE:
            ignore_case = False
        return _walk(list(pattern), states, ignore_case, step)
    if op is _c.BRANCH:
        ends: set[str] = set()
        for branch in av[1]:
            ends |= _walk(list(branch), states, ignore_case, step)
        return frozenset(ends)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, pattern = av
        # Any number of repeats: every state reachable after one or more of them (until no new one
        # appears), and no repeat at all when that is allowed. More states than can occur only widen the gate.
        reached: set[str] = set(states) if low == 0 else set()
        current = states
        while True:
            current = _walk(list(pattern), current, ignore_case, step)
            if current <= reached:
                break
            reached |= current
        return frozenset(reached)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return states  # consumes nothing
    raise _Unknown(op)


def _pairs_step(pairs: dict[str, set[str]], states: frozenset[str], chars: set[str]) -> frozenset[str]:
    """`ascii_openings`' step: the states are _START, the one character consumed, or _PAST; the first
    two characters are added to `pairs`."""
    after: set[str] = set()
    for state in states:
        if state == _START:
            after |= chars
        elif state == _PAST:
            after.add(_PAST)
        else:
            pairs.setdefault(state, set()).update(chars)
            after.add(_PAST)
    return frozenset(after)


def _literal(code: int, ignore_case: bool) -> set[str]:
    char = chr(code)
    if char.isascii():
        # Case-insensitively an ASCII letter also matches a few non-ASCII ones (U+212A and "k").
        return {char.lower(), _OTHER} if ignore_case else {char.lower()}
    if ignore_case:  # a non-ASCII letter may match ASCII ones case-insensitively (U+017F and "s"): ask `re`
        pattern = re.compile(re.escape(char), re.IGNORECASE)
        return {_OTHER, *(chr(a).lower() for a in range(128) if pattern.fullmatch(chr(a)))}
    return {_OTHER}


def _charset(items: list[tuple[Any, Any]], ignore_case: bool) -> set[str]:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars |= _literal(av, ignore_case)
        elif op is _c.RANGE and av[1] - av[0] < 256:
            for code in range(av[0], av[1] + 1):
                chars |= _literal(code, ignore_case)
        else:  # negation, categories (\w, \d ...), wide ranges: any character, as far as the gate knows
            return {_WILD}
    return chars


@dataclass(frozen=True)
class Prefixes:
    """A deeper gate than `Openings`: the lower-case ASCII prefixes, up to `depth` characters, that a
    match can open with. `open` holds the prefixes after which the analysis cannot tell (a wildcard
    or a class by category follows, or the match may end there): a text opening with one goes to the
    regex. The C loop reads it as a table (`parser._prefix_table`); `may_open_prefixes` is its
    reference."""

    depth: int
    allowed: frozenset[str]
    open: frozenset[str]


_MAX_PREFIXES = 20_000  # a class repeated at the start could make this grow as 26 ** depth: no gate then


def ascii_prefixes(pattern: re.Pattern[str], depth: int = 3) -> Prefixes | None:
    """The first `depth` characters a match of `pattern` (as `pattern.match` runs it) can open with,
    or None when the first character cannot be told (see `ascii_openings`)."""
    allowed: set[str] = set()
    unknown: set[str] = set()
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
        ends = _walk(list(tree), frozenset({""}), bool(pattern.flags & re.IGNORECASE),
                     partial(_prefixes_step, depth, allowed, unknown))
    except (_Unknown, re.error, RecursionError):
        return None
    unknown |= {state for state in ends if state != _PAST}  # the match may end there
    if "" in unknown:
        return None
    return Prefixes(depth, frozenset(allowed), frozenset(unknown))


def may_open_prefixes(text: str, prefixes: Prefixes | None) -> bool:
    """Whether a match of the pattern behind `prefixes` can start at the beginning of `text`."""
    if prefixes is None:
        return True
    prefix = ""
    for at in range(prefixes.depth):
        if prefix in prefixes.open or at >= len(text) or not text[at].isascii():
            return True  # nothing more to tell, a shorter text (the regex decides), a non-ASCII character
        prefix += text[at].lower()
        if prefix not in prefixes.allowed:
            return False
    return True


def _prefixes_step(depth: int, allowed: set[str], unknown: set[str], states: frozenset[str],
                   chars: set[str]) -> frozenset[str]:
    """`ascii_prefixes`' step: the states are the prefixes consumed so far (fewer than `depth`
    characters) or _PAST."""
    after: set[str] = set()
    for state in states:
        if state == _PAST:
            after.add(_PAST)
            continue
        if _WILD in chars:
            unknown.add(state)  # any character may follow: a text with this prefix goes to the regex
        for char in chars - {_WILD, _OTHER}:  # (a non-ASCII character always goes to the regex)
            prefix = state + char
            allowed.add(prefix)
            after.add(prefix if len(prefix) < depth else _PAST)
    if len(allowed) > _MAX_PREFIXES:
        raise _Unknown("too many prefixes")
    return frozenset(after)
