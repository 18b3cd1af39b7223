"""Which owners' keywords occur in a text, read run by run: the keyword gates of the engine and of
the operational detector.

A keyword gate asks which keywords occur anywhere in a message, inside words too ("op" in
"operation"). One search of a trie of every keyword at every character of the message cost 2-3 µs,
twice for most messages (the engine's gate, then the operational detector's own). A keyword
without whitespace occurs only inside one run of non-space characters, so the keywords of a text
are those of its runs (each searched alone, and its answer kept: chat repeats its words, so most
runs cost a dictionary lookup) plus the keywords holding a space, searched in the whole text only
when some run ends with what such a keyword has before its first space. The runs' answers are a
field of a `RunTable`, shared with the other gates that read runs (runs.py), so one walk over a
message serves them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from whatsapp_audit.detect.text.runs import RunTable
from whatsapp_audit.detect.text.trie import every_keyword, trie_pattern, with_inner_owners


class KeywordIndex:
    """The owners whose keywords occur in a (lower-cased) text, as a bit mask (bit n: owner n)."""

    def __init__(self, owners: Mapping[str, Iterable[int]], table: RunTable | None = None) -> None:
        """`owners`: each keyword (as it appears in lower-cased text) and the owners it wakes
        (small non-negative numbers: detectors, or rules of one detector); `table`: the runs' memo to
        share (None: one of its own)."""
        owned = with_inner_owners({word: tuple(sorted(set(mine))) for word, mine in owners.items() if word})
        self._bits = {word: sum(1 << n for n in mine) for word, mine in owned.items()}
        in_run = [word for word in owned if not _spans(word)]
        spanning = [word for word in owned if _spans(word)]
        self._in_run = re.compile(trie_pattern(in_run)) if in_run else None
        self._spanning = re.compile(trie_pattern(spanning)) if spanning else None
        # What a keyword holding a space has before its first whitespace ends a run (none: any text).
        heads = {word[:next(i for i, ch in enumerate(word) if ch.isspace())] for word in spanning}
        self._always = 1 if "" in heads else 0
        self._heads = re.compile(f"(?:{trie_pattern(heads - {''})})\\Z") if heads - {""} else None
        self._width = max((n for mine in owned.values() for n in mine), default=0) + 2  # owners from bit 1
        self.share(table if table is not None else RunTable())

    def share(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        self._table = table
        self._field = table.add(self._run_bits, self._width)

    def field_bits(self) -> int | None:
        """This index's bits in the table's combined value (laid out): a text whose runs give none of
        them holds no keyword. None when a keyword holding a space may begin anywhere (its search
        does not depend on the runs)."""
        if self._always:
            return None
        return self._field.mask << self._field.shift

    def mask(self, lowered: str) -> int:
        """Bit n set when a keyword of owner n occurs in `lowered` (overlapping keywords too)."""
        return self.mask_of(lowered, self._table.bits(lowered))

    def mask_of(self, lowered: str, combined: int) -> int:
        """`mask(lowered)`, given the table's combined bits of `lowered`."""
        found = self._field.read(combined) | self._always  # bit 0: search the keywords holding a space
        mask = found >> 1
        if found & 1 and self._spanning is not None:
            for word in every_keyword(self._spanning, lowered):
                mask |= self._bits[word]
        return mask

    def _run_bits(self, run: str) -> int:
        """The owners of the keywords in one run of non-space characters (shifted left one), and
        whether it ends as a keyword holding a space begins (bit 0)."""
        mask = 0
        if self._in_run is not None:
            for word in every_keyword(self._in_run, run):
                mask |= self._bits[word]
        return mask << 1 | (1 if self._heads is not None and self._heads.search(run) is not None else 0)


def owners_in(mask: int) -> list[int]:
    """The owners of a mask, in increasing order."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _spans(word: str) -> bool:
    return any(ch.isspace() for ch in word)
