"""Align the messages of several exports of one chat into one timeline.

Exports are added one at a time. For each new export:

1. Clock: messages whose words are unmistakable (long enough, once in each export) give the time
   difference between the phones; a whole shift of 15 minutes or more (a phone on another time
   zone) is corrected, smaller differences are left to the matching tolerance.
2. People: an author named alike in the timeline is the same person; an author named differently
   (a number on one phone, a name on the other) is the person whose unmistakable messages they
   share, by majority.
3. Matching, in passes from the surest to the loosest, each in file order, within
   `TOLERANCE_MINUTES` and only between the same person's messages: the same words (or both media,
   both deleted); an edited message with other words; nearly the same words (a mention shown by
   name on one phone and by number on the other); a deleted placeholder against the message it
   replaced.
4. A message no pass matched is a new timeline entry, placed after the entry of the message before
   it in its own export; the timeline is finally ordered by minute, then by that placement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from whatsapp_audit.merge.normalise import MEDIA, PLACEHOLDER, TEXT, substantial
from whatsapp_audit.model import Message
from whatsapp_audit.redact.names import is_phone_name, name_key

TOLERANCE_MINUTES = 2  # phones and formats disagree by a minute at most (seconds cut, not rounded)
SIMILAR = 0.8  # SequenceMatcher ratio above which two texts of one person in one minute are one message
CLOCK_STEP = 15  # time zone offsets are whole quarters of an hour
MAX_CLOCK_OFFSET = 14 * 60  # no two time zones are further apart


@dataclass(eq=False)
class Item:
    """One message of one export, ready to compare."""

    export: int
    position: int
    message: Message
    name: str | None  # the author's display form
    minute: int  # on export 0's clock once the export's offset is applied
    group: str
    key: str
    person: int | None = None
    entry: Entry | None = None


@dataclass(eq=False)
class Entry:
    """One message of the timeline and its copies, by export."""

    rank: tuple[int, ...]
    minute: int
    person: int | None
    copies: dict[int, Item] = field(default_factory=dict)

    def groups(self) -> set[str]:
        return {item.group for item in self.copies.values()}


class People:
    """Who is who across exports: identity number -> the name each export gives them."""

    def __init__(self) -> None:
        self.names: list[dict[int, str]] = []
        self._by_key: dict[str, int] = {}

    def assign(self, export: int, names: Sequence[str], votes: dict[str, Counter[int]]) -> dict[str, int]:
        """Identities for the authors of one export (in order of first appearance)."""
        found: dict[str, int] = {}
        used: set[int] = set()
        for name in names:
            identity = self._by_key.get(name_key(name))
            if identity is not None and identity not in used:
                found[name] = identity
                used.add(identity)
        for name in names:
            if name in found:
                continue
            tally = votes.get(name, Counter())
            total = sum(tally.values())
            for identity, count in sorted(tally.items(), key=lambda item: (-item[1], item[0])):
                if identity not in used and count * 2 > total:
                    found[name] = identity
                    used.add(identity)
                    break
        for name in names:
            if name not in found:
                found[name] = len(self.names)
                self.names.append({})
        for name, identity in found.items():
            self.names[identity].setdefault(export, name)
            self._by_key.setdefault(name_key(name), identity)
        return found

    def display(self, identity: int) -> str:
        """The first name (not a number) any export gives the person, else the first number."""
        names = [self.names[identity][export] for export in sorted(self.names[identity])]
        return next((n for n in names if not is_phone_name(n)), names[0])


class Timeline:
    """The merged timeline, built one export at a time."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.people = People()
        self.offsets: dict[int, int] = {}  # export -> minutes added to read it on the first export's clock
        self.anchors: dict[int, int] = {}  # export -> unmistakable messages it shared with the timeline
        self._buckets: dict[int, list[Entry]] = {}
        self._sequence = 0

    def add(self, export: int, items: Sequence[Item]) -> None:
        """Match the items of one more export into the timeline."""
        first = not self.entries
        offset = self._clock_offset(items) if self.entries else 0
        for item in items:
            item.minute += offset
        self.offsets[export] = offset
        self.anchors[export] = len(self._anchors(items)) if self.entries else 0
        votes: dict[str, Counter[int]] = {}
        for entry, item in self._anchors(items, loose=True) if self.entries else []:
            if entry.person is not None and item.name is not None:
                votes.setdefault(item.name, Counter())[entry.person] += 1
        authors = list(dict.fromkeys(item.name for item in items if item.name is not None))
        identities = self.people.assign(export, authors, votes)
        for item in items:
            item.person = identities[item.name] if item.name is not None else None
        for rule in (_same, _edited, _similar, _placeholder):
            for item in items:
                if item.entry is None:
                    self._match(export, item, rule)
        previous: Entry | None = None
        for item in items:
            if item.entry is None:
                self._sequence += 1
                if first:
                    rank: tuple[int, ...] = (item.position,)
                else:
                    rank = (previous.rank if previous is not None else (-1,)) + (self._sequence,)
                self._insert(Entry(rank, item.minute, item.person), item, export)
            previous = item.entry

    def fit(self, items: Sequence[Item]) -> int:
        """How many unmistakable messages these items would share with the timeline (to choose
        between two readings of an export whose day/month order its own dates cannot settle)."""
        trial = [replace(item, minute=item.minute) for item in items]
        offset = self._clock_offset(trial)
        for item in trial:
            item.minute += offset
        return len(self._anchors(trial))

    def ordered(self) -> list[Entry]:
        return sorted(self.entries, key=lambda entry: (entry.minute, entry.rank))

    def _insert(self, entry: Entry, item: Item, export: int) -> None:
        entry.copies[export] = item
        item.entry = entry
        self.entries.append(entry)
        self._buckets.setdefault(entry.minute, []).append(entry)

    def _near(self, minute: int) -> list[Entry]:
        return [e for m in _window(minute) for e in self._buckets.get(m, ())]

    def _match(self, export: int, item: Item, rule: Callable[[Entry, Item], bool]) -> None:
        best: Entry | None = None
        for entry in self._near(item.minute):
            if export in entry.copies or entry.person != item.person or not rule(entry, item):
                continue
            if best is None or (abs(entry.minute - item.minute), entry.rank) < (abs(best.minute - item.minute), best.rank):
                best = entry
        if best is not None:
            best.copies[export] = item
            item.entry = best

    def _clock_offset(self, items: Sequence[Item]) -> int:
        """Minutes to add to this export's times to read them on the timeline's clock."""
        mine = Counter(item.key for item in items if item.group == TEXT and substantial(item.key))
        theirs: dict[str, list[Entry]] = {}
        for entry in self.entries:
            for key in {c.key for c in entry.copies.values() if c.group == TEXT and substantial(c.key)}:
                theirs.setdefault(key, []).append(entry)
        steps: Counter[int] = Counter()
        pairs = 0
        for item in items:
            if item.group == TEXT and mine[item.key] == 1 and len(theirs.get(item.key, ())) == 1:
                difference = theirs[item.key][0].minute - item.minute
                steps[round(difference / CLOCK_STEP) * CLOCK_STEP] += 1
                pairs += 1
        if not steps:
            return 0
        step, count = min(steps.items(), key=lambda item: (-item[1], abs(item[0])))
        if not step or abs(step) > MAX_CLOCK_OFFSET or count < 3 or count * 2 <= pairs:
            return 0
        return step

    def _anchors(self, items: Sequence[Item], loose: bool = False) -> list[tuple[Entry, Item]]:
        """Pairs that can only be one message: the same substantial words, once in this export and
        once in the timeline near that time. `loose`: any words ("ok" too), as long as they are
        the only such words within the matching tolerance on both sides (evidence of who is who,
        not of the clocks)."""
        if loose:
            by_minute: dict[int, Counter[str]] = {}
            for item in items:
                if item.group == TEXT:
                    by_minute.setdefault(item.minute, Counter())[item.key] += 1

            def once(item: Item) -> bool:
                return sum(by_minute.get(m, Counter())[item.key] for m in _window(item.minute)) == 1
        else:
            mine = Counter(item.key for item in items if item.group == TEXT)

            def once(item: Item) -> bool:
                return mine[item.key] == 1 and substantial(item.key)

        pairs = []
        for item in items:
            if item.group != TEXT or not item.key or not once(item):
                continue
            found = [e for e in self._near(item.minute) if any(c.key == item.key and c.group == TEXT for c in e.copies.values())]
            if len(found) == 1:
                pairs.append((found[0], item))
        return pairs


def _window(minute: int) -> range:
    return range(minute - TOLERANCE_MINUTES, minute + TOLERANCE_MINUTES + 1)


def _same(entry: Entry, item: Item) -> bool:
    return any(c.group == item.group and c.key == item.key for c in entry.copies.values())


def _edited(entry: Entry, item: Item) -> bool:
    if item.group != TEXT or TEXT not in entry.groups():
        return False
    return item.message.edited or any(c.message.edited for c in entry.copies.values())


def _similar(entry: Entry, item: Item) -> bool:
    if item.group != TEXT:
        return False
    for copy in entry.copies.values():
        if copy.group == TEXT:
            matcher = SequenceMatcher(None, copy.key, item.key, autojunk=False)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR:
                return True
    return False


def _placeholder(entry: Entry, item: Item) -> bool:
    groups = entry.groups()
    if item.group == PLACEHOLDER:
        return bool(groups & {TEXT, MEDIA})
    return item.group in (TEXT, MEDIA) and groups == {PLACEHOLDER}

