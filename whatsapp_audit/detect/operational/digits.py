"""How many digits every match of a rule's regex must hold, read from the regex itself.

The operational detector drops a match that holds a digit and overlaps a file name in the text
(`IMG-20190101-WA0014.jpg (file attached)`: dates and counters, not phone numbers). On a line whose
every digit is in a file name, a rule whose every match holds a digit can therefore find nothing,
and is not run there: the phone and date-of-birth rules cost about 70 µs on every media line only
to have their matches thrown away.

The count is a lower bound worked out from the pattern's parse (the standard library's parser: the
`regex` module reads bundled patterns the same way, checked by `reads_alike`); anything it is unsure
of counts as no digit, which only means the rule still runs.
"""

from __future__ import annotations

import re
import warnings
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from whatsapp_audit.detect.text.literals import reads_alike

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


def least_digits(source: str) -> int:
    """The fewest digits (Unicode decimal digits, as `\\d`) any match of `source` holds; 0 when unsure."""
    if not reads_alike(source):
        return 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parsed = _parser.parse(source)
    except (re.error, FutureWarning, DeprecationWarning, RecursionError, OverflowError, ValueError):
        return 0
    return _least(parsed.data)


def _least(items: Any) -> int:
    total = 0
    for op, av in items:
        if op is sre.LITERAL:
            total += chr(av).isdecimal()
        elif op is sre.IN:
            total += _all_digits(av)
        elif op in _REPEATS:
            low, _high, sub = av
            total += low * _least(sub.data) if low else 0
        elif op is sre.SUBPATTERN:
            total += _least(av[-1].data)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            total += _least(av.data)
        elif op is sre.BRANCH:
            total += min(_least(branch.data) for branch in av[1])
        # Anything else (assertions, any character, negated literals, backreferences, conditionals)
        # adds no digit for sure.
    return total


def _all_digits(items: Any) -> bool:
    """Whether a character class matches only decimal digits."""
    for op, av in items:
        if op is sre.LITERAL:
            if not chr(av).isdecimal():
                return False
        elif op is sre.RANGE:
            low, high = av
            if not (ord("0") <= low <= high <= ord("9")):
                return False
        elif op is sre.CATEGORY:
            if av is not sre.CATEGORY_DIGIT:
                return False
        else:  # NEGATE and anything else
            return False
    return bool(items)
