"""Which owners' keywords occur in a text, read run by run: the keyword gates of the engine and of
the operational detector.

A keyword gate asks which keywords occur anywhere in a message, inside words too ("op" in
"operation"). One search of a trie of every keyword at every character of the message cost 2-3 µs,
twice for most messages (the engine's gate, then the operational detector's own). A keyword
without whitespace occurs only inside one run of non-space characters, so the keywords of a text
are those of its runs (each searched alone, and its answer kept: chat repeats its words, so most
runs cost a dictionary lookup) plus the keywords holding a space, searched in the whole text only
when some run ends with what such a keyword has before its first space and the run after it begins
with what the keyword has after that space (a pair of the run table: "again" ends like "in
confidence" begins, but "again the" holds no such keyword, and the whole-text search is not made).
The runs' answers are a field of a `RunTable`, shared with the other gates that read runs (runs.py),
so one walk over a message serves them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from whatsapp_audit.detect.text.runs import RunTable, WithoutWords
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
        # A keyword holding a space occurs where a run ends with what it has before its first
        # whitespace (its head; none: any text may hold it) and, when something follows that
        # whitespace, the next run begins with what follows, up to the keyword's next whitespace (its
        # tail): the text's characters there are the keyword's, and whitespace ends and starts runs.
        # A keyword ending in whitespace has no tail: its head alone sends the text to the search.
        heads_alone: set[str] = set()
        heads: set[str] = set()
        tails: set[str] = set()
        for word in spanning:
            head, _space, rest = word.partition(next(ch for ch in word if ch.isspace()))
            tail = rest.split(maxsplit=1)[0] if rest.split() else ""
            if tail:
                heads.add(head)
                tails.add(tail)
            else:
                heads_alone.add(head)
        self._always = 1 if "" in heads or "" in heads_alone else 0
        self._heads_alone = _ending(heads_alone - {""})
        self._heads = _ending(heads - {""})
        self._tails = re.compile(trie_pattern(sorted(tails))) if tails and not self._always else None
        self._pair = self._heads is not None and self._tails is not None
        self._width = max((n for mine in owned.values() for n in mine), default=0) + 1 + _OWNERS  # owners from bit 3
        # What `_run_bits` looks for in a run: keywords, heads and tails, all literal strings (most
        # hold no digit: a new file name's or number's bits are then worked out once per shape).
        self._blind = WithoutWords(in_run, starts=tails, ends=heads_alone | heads)
        self.share(table if table is not None else RunTable())

    def share(self, table: RunTable) -> None:
        """Read runs through `table` (the engine's, shared by every gate)."""
        self._table = table
        self._field = table.add(self._run_bits, self._width, (_HEAD, _TAIL, _SEARCH) if self._pair else None,
                                blind=self._blind)

    def field_bits(self) -> int | None:
        """This index's bits in the table's combined value (laid out): a text whose runs give none of
        them holds no keyword (a head or a tail alone is none). None when a keyword holding a space
        may begin anywhere (its search does not depend on the runs)."""
        if self._always:
            return None
        return (self._field.mask & ~(1 << _HEAD | 1 << _TAIL)) << self._field.shift

    def mask(self, lowered: str) -> int:
        """Bit n set when a keyword of owner n occurs in `lowered` (overlapping keywords too)."""
        return self.mask_of(lowered, self._table.bits(lowered))

    def mask_of(self, lowered: str, combined: int) -> int:
        """`mask(lowered)`, given the table's combined bits of `lowered`."""
        found = self._field.read(combined) | self._always  # bit 0: search the keywords holding a space
        mask = found >> _OWNERS
        if found & 1 and self._spanning is not None:
            for word in every_keyword(self._spanning, lowered):
                mask |= self._bits[word]
        return mask

    def _run_bits(self, run: str) -> int:
        """The owners of the keywords in one run of non-space characters (from bit 3), whether it ends
        with the head of a keyword holding a space (bit 1; bit 0 when that keyword has no tail, or
        has one but no pair can be made) and whether it begins with a tail (bit 2). The walk sets bit
        0 where a run with bit 1 is followed by one with bit 2 (the field's pair)."""
        mask = 0
        if self._in_run is not None:
            for word in every_keyword(self._in_run, run):
                mask |= self._bits[word]
        bits = mask << _OWNERS
        if self._heads_alone is not None and self._heads_alone.search(run) is not None:
            bits |= 1 << _SEARCH
        if self._heads is not None and self._heads.search(run) is not None:
            bits |= 1 << (_HEAD if self._pair else _SEARCH)
        if self._tails is not None and self._tails.match(run) is not None:
            bits |= 1 << _TAIL
        return bits


_SEARCH, _HEAD, _TAIL = 0, 1, 2  # a field's bits: search the keywords holding a space; a head ends the run; a tail begins it
_OWNERS = 3  # the owners' bits start here


def _ending(heads: set[str]) -> re.Pattern[str] | None:
    """A search for a run ending with one of `heads` (None: no heads)."""
    return re.compile(f"(?:{trie_pattern(sorted(heads))})\\Z") if heads else None


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
