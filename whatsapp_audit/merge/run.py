"""`merge_exports`: several exports of one chat as one timeline, and what each export lacks.

Read-only like every command: each export is parsed (and hashed) as `parse` does; nothing is
written. The result is deterministic: the same exports in the same order give the same timeline.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from whatsapp_audit.errors import InputError, UsageError
from whatsapp_audit.ingest.export import EXPORT_CAP_WITH_MEDIA, EXPORT_CAP_WITHOUT_MEDIA, ParsedChat, parse
from whatsapp_audit.ingest.survey import DATE_ORDERS
from whatsapp_audit.ingest.vocabulary import Vocabulary, load_vocabulary
from whatsapp_audit.merge.align import Entry, Item, Timeline
from whatsapp_audit.merge.membership import load_phrases, membership
from whatsapp_audit.merge.model import Author, Copy, Gaps, MergedExport, MergedMessage, MergeResult
from whatsapp_audit.merge.normalise import CALL, PLACEHOLDER, SYSTEM, comparable, minute_of
from whatsapp_audit.redact.names import clean_name
from whatsapp_audit.wording import plural


def merge_exports(paths: Sequence[str | os.PathLike[str]], date_orders: Sequence[str | None] | None = None) -> MergeResult:
    """Align the exports at `paths` (two or more of one chat). Raises InputError for an unreadable
    export and UsageError for fewer than two exports or the same file twice.

    Exports whose own dates settle their day/month order are aligned first; an export whose dates
    cannot settle it (no day above 12 anywhere) is read both ways, and the reading that shares more
    unmistakable messages with the others is kept (and the report says so).
    """
    if len(paths) < 2:
        raise UsageError("merge needs at least two exports of the same chat")
    orders = list(date_orders) if date_orders is not None else [None] * len(paths)
    chats = [parse(path, order) for path, order in zip(paths, orders, strict=True)]
    seen: dict[str, int] = {}
    for index, chat in enumerate(chats):
        if chat.source.sha256 in seen:
            first = seen[chat.source.sha256]
            raise UsageError(f"{chat.source.path}: the same file as export {first} ({chats[first].source.path}); "
                             "give each export once")
        seen[chat.source.sha256] = index
    vocabulary = load_vocabulary()
    timeline = Timeline()
    chosen: dict[int, str] = {}
    sequence = sorted(range(len(chats)), key=lambda i: (orders[i] is None and not chats[i].survey.order_settled, i))
    for index in sequence:
        chat = chats[index]
        items = _items(index, chat, vocabulary)
        if timeline.entries and orders[index] is None and not chat.survey.order_settled:
            chat, items, note = _best_reading(paths[index], chat, items, timeline, vocabulary)
            chats[index] = chat
            if note:
                chosen[index] = note
        timeline.add(index, items)
    ordered = timeline.ordered()
    messages = tuple(_merged(number, entry, chats, timeline) for number, entry in enumerate(ordered))
    exports = tuple(_export(index, chat, timeline, chosen.get(index)) for index, chat in enumerate(chats))
    gaps = tuple(_gaps(export, ordered) for export in exports)
    authors = tuple(
        Author(timeline.people.display(identity), tuple(sorted(names.items())))
        for identity, names in enumerate(timeline.people.names)
    )
    return MergeResult(exports, authors, messages, gaps, tuple(_warnings(exports, sequence[0], messages)))


def _items(index: int, chat: ParsedChat, vocabulary: Vocabulary) -> list[Item]:
    items = []
    for position, message in enumerate(chat.messages):
        found = comparable(message, vocabulary)
        name = clean_name(message.author) if message.author else None
        items.append(Item(index, position, message, name, minute_of(message.timestamp), found.group, found.key))
    return items


def _best_reading(path: str | os.PathLike[str], chat: ParsedChat, items: list[Item], timeline: Timeline,
                  vocabulary: Vocabulary) -> tuple[ParsedChat, list[Item], str | None]:
    best = (timeline.fit(items), chat, items)
    for order in DATE_ORDERS:
        if order == chat.survey.date_order:
            continue
        try:
            other = parse(path, order)
        except InputError:
            continue
        if other.stats.unparsed_lines > chat.stats.unparsed_lines:
            continue  # some dates are impossible read this way
        other_items = _items(items[0].export if items else 0, other, vocabulary)
        score = timeline.fit(other_items)
        if score > best[0]:
            best = (score, other, other_items)
    score, picked, picked_items = best
    if picked is chat:
        return chat, items, None
    note = (f"its dates could not settle the day/month order; read as {picked.survey.date_order}, which aligns "
            f"{plural(score, 'unmistakable message')} with the other exports")
    return picked, picked_items, note


def _export(index: int, chat: ParsedChat, timeline: Timeline, date_order_note: str | None) -> MergedExport:
    stamps = [m.timestamp for m in chat.messages]
    member = membership(chat.messages, load_phrases())
    cap = EXPORT_CAP_WITH_MEDIA if chat.media else EXPORT_CAP_WITHOUT_MEDIA
    return MergedExport(
        index=index, source=chat.source, survey=chat.survey, stats=chat.stats, date_order_note=date_order_note,
        limitations=tuple(chat.warnings), first_message=min(stamps, default=None), last_message=max(stamps, default=None),
        clock_offset_minutes=timeline.offsets[index], anchors=timeline.anchors[index],
        created_group=member.created, joined_at=member.joined_at, left_at=member.left_at,
        near_cap=len(chat.messages) >= cap * 0.95,
    )


def _merged(number: int, entry: Entry, chats: Sequence[ParsedChat], timeline: Timeline) -> MergedMessage:
    copies = [entry.copies[export] for export in sorted(entry.copies)]
    main = next((c for c in copies if c.group != PLACEHOLDER), copies[0])
    precise = next((c for c in copies if chats[c.export].survey.style.seconds), main)
    timestamp = precise.message.timestamp + timedelta(minutes=timeline.offsets[precise.export])
    author = timeline.people.display(entry.person) if entry.person is not None else None
    return MergedMessage(
        id=number, timestamp=timestamp, author=author, kind=main.message.kind.value, text=main.message.text,
        sources=tuple(c.export for c in copies),
        copies=tuple(Copy(c.export, c.message.line, c.message.end_line, c.message.timestamp, c.message.author,
                          c.message.kind.value, c.message.text, c.message.edited) for c in copies),
        comparable=any(c.group not in (SYSTEM, CALL) for c in copies),
    )


def _gaps(export: MergedExport, ordered: Sequence[Entry]) -> Gaps:
    index = export.index
    first = minute_of(export.first_message) + export.clock_offset_minutes if export.first_message else None
    last = minute_of(export.last_message) + export.clock_offset_minutes if export.last_message else None
    before: list[int] = []
    within: list[int] = []
    after: list[int] = []
    placeholders: list[int] = []
    differs: list[int] = []
    for number, entry in enumerate(ordered):
        copies = entry.copies
        if index not in copies:
            if not any(c.group not in (SYSTEM, CALL) for c in copies.values()):
                continue
            if first is None or last is None or entry.minute < first:
                before.append(number)
            elif entry.minute > last:
                after.append(number)
            else:
                within.append(number)
            continue
        mine = copies[index]
        others = [c for e, c in copies.items() if e != index]
        if mine.group == PLACEHOLDER and any(c.group != PLACEHOLDER for c in others):
            placeholders.append(number)
        elif mine.group not in (SYSTEM, CALL, PLACEHOLDER) and any(
                c.group == mine.group and c.key != mine.key for c in others):
            differs.append(number)
    return Gaps(index, tuple(before), tuple(within), tuple(after), tuple(placeholders), tuple(differs))


def _warnings(exports: Sequence[MergedExport], reference: int, messages: Sequence[MergedMessage]) -> list[str]:
    notes = []
    shared = Counter(source for m in messages if m.comparable and len(m.sources) > 1 for source in m.sources)
    for export in exports:
        if shared[export.index] == 0:
            notes.append(f"export {export.index} ({export.source.path}) shares no message with the other exports: "
                         "check that they are exports of the same chat")
        if export.index == reference:
            continue
        if export.clock_offset_minutes:
            notes.append(f"export {export.index} ({export.source.path}) reads {-export.clock_offset_minutes:+d} minutes "
                         f"against export {reference} (a phone on another time zone?); its times were shifted to match")
        if export.date_order_note:
            notes.append(f"export {export.index} ({export.source.path}): {export.date_order_note}")
    return notes
