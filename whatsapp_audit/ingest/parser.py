"""Assemble the text into messages, once the survey has fixed the file's format.

Every line ends up in exactly one place: a message (its header line or a continuation of it), or
an unparsed region (lines before the first header, or a header whose date is impossible, with the
lines that follow it). Nothing is dropped and nothing is merged across a damaged header.

Headers are found with one MULTILINE regex scan per block of text, so the Python work is per
message, not per line; line numbers come from counting LFs between matches.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import chain, islice
from typing import Any

from whatsapp_audit import native
from whatsapp_audit.ingest.body import QUOTE as _QUOTE
from whatsapp_audit.ingest.body import classify, split_author
from whatsapp_audit.ingest.openings import ascii_prefixes
from whatsapp_audit.ingest.shapes import MARKS, Timestamper, any_header, strict_regex
from whatsapp_audit.ingest.survey import FormatSurvey
from whatsapp_audit.ingest.vocabulary import Vocabulary
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind


@dataclass(frozen=True)
class UnparsedRegion:
    """Lines that belong to no message, and why."""

    first_line: int
    last_line: int
    reason: str

    @property
    def lines(self) -> int:
        return self.last_line - self.first_line + 1


@dataclass
class ParseStats:
    """Counts that must add up: total lines = message lines + system lines + unparsed lines."""

    total_lines: int = 0
    message_lines: int = 0
    system_lines: int = 0
    unparsed_lines: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    authors: Counter[str] = field(default_factory=Counter)
    first_timestamp: datetime | None = None
    last_timestamp: datetime | None = None
    backward_steps: int = 0  # messages dated before the message above them
    opening_timestamp: datetime | None = None  # first and last counted message, so that parts
    closing_timestamp: datetime | None = None  # can be joined (a step back across a cut counts)
    header_like_lines: int = 0  # message lines shaped like a header of another style (kept as text)
    impossible_headers: int = 0  # headers whose date or time cannot be (their lines are unparsed)
    unrecognised_system: list[int] = field(default_factory=list)  # lines of system events in no known phrase
    undecodable_lines: list[int] = field(default_factory=list)
    unparsed: list[UnparsedRegion] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(self.kinds.values())

    @property
    def accounted(self) -> bool:
        return self.total_lines == self.message_lines + self.system_lines + self.unparsed_lines


def merge_stats(parts: Iterable[ParseStats]) -> ParseStats:
    """The stats of a whole file from the stats of its parts, in file order (see `ranges`)."""
    merged = ParseStats()
    for stats in parts:
        merged.total_lines += stats.total_lines
        merged.message_lines += stats.message_lines
        merged.system_lines += stats.system_lines
        merged.unparsed_lines += stats.unparsed_lines
        merged.kinds.update(stats.kinds)
        merged.authors.update(stats.authors)
        merged.backward_steps += stats.backward_steps
        if stats.opening_timestamp is not None:
            if merged.closing_timestamp is not None and stats.opening_timestamp < merged.closing_timestamp:
                merged.backward_steps += 1
            merged.opening_timestamp = merged.opening_timestamp or stats.opening_timestamp
            merged.closing_timestamp = stats.closing_timestamp
        merged.header_like_lines += stats.header_like_lines
        merged.impossible_headers += stats.impossible_headers
        merged.unrecognised_system.extend(stats.unrecognised_system)
        merged.undecodable_lines.extend(stats.undecodable_lines)
        merged.unparsed.extend(stats.unparsed)
        for moment in (stats.first_timestamp, stats.last_timestamp):
            if moment is not None:
                if merged.first_timestamp is None or moment < merged.first_timestamp:
                    merged.first_timestamp = moment
                if merged.last_timestamp is None or moment > merged.last_timestamp:
                    merged.last_timestamp = moment
    return merged


class _Assembler:
    """Builds each Message from its header's parts and keeps the counts.

    The per-message counts live in plain attributes and reach the ParseStats once, at the end
    (`flush`): a million messages then cost a million attribute updates, not a million updates of
    a dataclass through `stats.` lookups. Messages outside `counted` (the margins of a part, see
    `ranges`) are built, since detectors need them as neighbours, but not counted.
    """

    __slots__ = ("shape", "vocabulary", "stats", "kinds", "authors", "lo", "hi", "index", "message_lines",
                 "system_lines", "backward", "opening", "closing", "first", "last", "header_like", "impossible",
                 "unparsed_lines", "line_no")

    def __init__(self, survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
                 counted: tuple[int, int] | None) -> None:
        self.shape = survey.shape.name
        self.vocabulary = vocabulary
        self.stats = stats
        self.kinds = stats.kinds
        self.authors = stats.authors
        self.lo, self.hi = counted if counted is not None else (0, sys.maxsize)
        self.index = 0
        self.message_lines = self.system_lines = self.backward = self.header_like = self.impossible = 0
        self.unparsed_lines = 0
        self.line_no = 0  # lines read so far (the whole file's numbering)
        self.opening: datetime | None = None
        self.closing: datetime | None = None
        self.first: datetime | None = None
        self.last: datetime | None = None

    def message(self, line: int, end_line: int, header: str, timestamp: datetime, rest: str,
                more: list[str] | None) -> Message:
        cut = rest.find(": ")
        if cut > 0:
            name = rest[:cut]
            text = rest[cut + 2 :]
            author: str | None = name
            prefix: str | None = None
            recognised = False
            # split_author's rule, decided here for the common case: a name without quotes and a
            # text that does not open with an invisible mark is a person's message.
            if text[:1] in MARKS or '"' in name or (not name.isascii() and _QUOTE.search(name)):
                author, prefix, text, recognised = split_author(rest, self.shape, self.vocabulary)
        else:
            author, prefix, text, recognised = split_author(rest, self.shape, self.vocabulary)
        if more:
            text = text + "\n" + "\n".join(more)
        counted = self.lo <= line < self.hi
        system_recognised: bool | None = None
        attachments: tuple[Attachment, ...]
        if author is None:
            kind, attachments, edited = MessageKind.SYSTEM, (), False
            system_recognised = recognised and not more  # WhatsApp's events are one line
            if counted:
                self.system_lines += end_line - line + 1
                if not system_recognised:
                    self.stats.unrecognised_system.append(line)
        else:
            kind, attachments, edited = classify(text, self.shape, self.vocabulary)
            if counted:
                self.message_lines += end_line - line + 1
                self.authors[author] += 1
        if counted:
            self.kinds[kind] += 1
            # Time order, for the limitations: steps back, and the range (messages are mostly in order).
            # The first and last times are the smallest and largest so far; both lie on the side
            # of the previous message's time that this one moved to.
            closing, first, last = self.closing, self.first, self.last
            if closing is None or first is None or last is None:
                self.opening = self.first = self.last = timestamp
            elif timestamp < closing:
                self.backward += 1
                if timestamp < first:
                    self.first = timestamp
            elif timestamp > last:
                self.last = timestamp
            self.closing = timestamp
        message = Message(self.index, line, end_line, timestamp, header, author, text, kind, attachments, prefix, edited,
                          system_recognised)
        self.index += 1
        return message

    def unparsed(self, line: int, end_line: int, reason: str) -> None:
        if self.lo <= line < self.hi:
            self.stats.unparsed.append(UnparsedRegion(line, end_line, reason))
            self.unparsed_lines += end_line - line + 1

    def finish_from(self, counts: tuple[Any, ...]) -> None:
        """Take the C loop's counts (`Scanner.counts()`, in these attributes' order), then `flush`."""
        (self.line_no, self.message_lines, self.system_lines, self.unparsed_lines, self.backward, self.header_like,
         self.impossible, self.opening, self.closing, self.first, self.last) = counts
        self.flush()

    def flush(self) -> None:
        """Add the counts to the ParseStats (which started empty)."""
        stats = self.stats
        stats.message_lines += self.message_lines
        stats.system_lines += self.system_lines
        stats.unparsed_lines += self.unparsed_lines
        stats.backward_steps += self.backward
        stats.header_like_lines += self.header_like
        stats.impossible_headers += self.impossible
        stats.opening_timestamp, stats.closing_timestamp = self.opening, self.closing
        stats.first_timestamp, stats.last_timestamp = self.first, self.last
        self.message_lines = self.system_lines = self.unparsed_lines = self.backward = self.header_like = 0
        self.impossible = 0


_BEFORE_FIRST = "before the first message header"


def iter_messages(
    blocks: Iterable[str], survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
    *, line_offset: int = 0, counted: tuple[int, int] | None = None,
) -> Iterator[Message]:
    """Yield the messages of the text in `blocks` (see `lines.iter_blocks`) in file order.

    `stats` is a fresh ParseStats, complete once the iterator is exhausted. For a part of a file
    (see `ranges`): `line_offset` is the number of lines before the text, so line numbers stay
    those of the whole file, and `counted` (first line, line after the last) limits the stats to
    the messages that start in that span; `stats.total_lines` is then the span's line count.
    Messages outside it are still yielded, as context for the detectors.

    The loop is the hot path of every command, so it is written flat: one regex scan per block,
    the header's fields pulled out in one call, the timestamp reused while the header repeats
    (messages sent within the same minute), and the message being collected kept in local
    variables until the next header (or the end) closes it.
    """
    impossible = f"a header with an impossible date or time (read as {survey.date_order})"
    build = _Assembler(survey, vocabulary, stats, counted)
    scanner = _native_scanner(survey, vocabulary, build, impossible, line_offset)
    if scanner is not None:
        yield from _native_messages(scanner, blocks, build)
    else:
        yield from _python_messages(blocks, survey, build, impossible, line_offset)
    stats.total_lines = build.line_no if counted is None else min(counted[1], build.line_no + 1) - counted[0]


def iter_message_batches(
    blocks: Iterable[str], survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
    *, line_offset: int = 0, counted: tuple[int, int] | None = None,
) -> Iterator[list[Message]]:
    """The messages of `iter_messages`, in lists (a block's worth from the C loop, a few thousand
    from the Python one): for a reader that takes them in bulk, such as the `parse` output, one
    Python step per list instead of one per message through each generator."""
    impossible = f"a header with an impossible date or time (read as {survey.date_order})"
    build = _Assembler(survey, vocabulary, stats, counted)
    scanner = _native_scanner(survey, vocabulary, build, impossible, line_offset)
    if scanner is not None:
        yield from _native_batches(scanner, blocks, build)
    else:
        messages = _python_messages(blocks, survey, build, impossible, line_offset)
        while batch := list(islice(messages, _PYTHON_BATCH)):
            yield batch
    stats.total_lines = build.line_no if counted is None else min(counted[1], build.line_no + 1) - counted[0]


_PYTHON_BATCH = 2000

Segment = bytes | str  # JSON Lines text: UTF-8 bytes (from C) or a str (from Python)


@dataclass(frozen=True)
class RecordWriter:
    """How `parse --format jsonl` writes records, given by the layer that owns that output
    (`report.messages`): the parser does not know the record, it only hands messages over."""

    author_name: Callable[[str], Any]  # model.author_name: `author_display` and `author_shown_as`
    one: Callable[[Message], str]  # one message's JSON line, LF included (the reference)
    batches: Callable[[Iterable[list[Message]]], Iterator[tuple[Segment, int]]]  # lists of messages' lines


def iter_record_segments(
    blocks: Iterable[str], survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats, records: RecordWriter,
    *, line_offset: int = 0, counted: tuple[int, int] | None = None,
) -> Iterator[tuple[Segment, int]]:
    """The JSON lines of the messages of `iter_messages`, in segments, each with the number of
    records it ends (a segment is bytes, or rarely a str; the text is the same however it is cut).

    With the C loop, a block goes straight to its JSON lines (`_native.feed_jsonl`): a person's
    plain text in the simple form is written from the block's characters, with no Message built;
    every other message is built as `iter_messages` builds it and written by `records`. Without
    it, `records.batches` writes the messages of `iter_message_batches`."""
    impossible = f"a header with an impossible date or time (read as {survey.date_order})"
    build = _Assembler(survey, vocabulary, stats, counted)
    scanner = _native_scanner(survey, vocabulary, build, impossible, line_offset)
    module = native.accelerator()
    if scanner is None or module is None:
        yield from records.batches(iter_message_batches(blocks, survey, vocabulary, stats, line_offset=line_offset,
                                                        counted=counted))
        return
    yield from _native_segments(module.feed_jsonl, scanner, blocks, build, records)
    stats.total_lines = build.line_no if counted is None else min(counted[1], build.line_no + 1) - counted[0]


def count_messages(blocks: Iterable[str], survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
                   records: RecordWriter) -> int:
    """Read the messages of `iter_messages` for `stats` alone, and return how many there are (`inspect`).

    With the C loop this is `iter_record_segments` writing nothing (`feed_jsonl(..., discard=True)`):
    a person's plain text, or an attached file, is counted from the block's characters with no
    Message built; every other message is built as `iter_messages` builds it, then dropped. Without
    it, the messages of `iter_message_batches` are built and dropped."""
    impossible = f"a header with an impossible date or time (read as {survey.date_order})"
    build = _Assembler(survey, vocabulary, stats, None)
    scanner = _native_scanner(survey, vocabulary, build, impossible, 0)
    module = native.accelerator()
    if scanner is None or module is None:
        return sum(len(batch) for batch in iter_message_batches(blocks, survey, vocabulary, stats))
    def discard(*arguments: Any) -> tuple[int, list[Segment]]:
        return module.feed_jsonl(*arguments, True)  # type: ignore[no-any-return]

    count = sum(closed for closed, _nothing in _fed(discard, scanner, blocks, build, records))
    stats.total_lines = build.line_no
    return count


def _native_segments(feed: Callable[..., tuple[int, list[Segment]]], scanner: Any, blocks: Iterable[str],
                     build: _Assembler, records: RecordWriter) -> Iterator[tuple[Segment, int]]:
    for count, segments in _fed(feed, scanner, blocks, build, records):
        last = len(segments) - 1
        for at, segment in enumerate(segments):
            yield segment, count if at == last else 0


def _fed(feed: Callable[..., tuple[int, list[Segment]]], scanner: Any, blocks: Iterable[str],
         build: _Assembler, records: RecordWriter) -> Iterator[tuple[int, list[Segment]]]:
    """`feed`'s answer for each block (messages closed, records written), then the end of the text;
    the scanner's counts reach `build` however the caller stops."""
    names: dict[str, tuple[str, str]] = {}  # author -> (display, shown_as), as records.author_name gives them
    try:
        for block in chain(blocks, (None,)):  # None: the end of the text closes the last message
            yield feed(scanner, block, names, records.author_name, records.one)
            if len(names) > 4096:
                names.clear()
    finally:
        build.finish_from(scanner.counts())


def _python_messages(blocks: Iterable[str], survey: FormatSurvey, build: _Assembler, impossible: str,
                     line_offset: int) -> Iterator[Message]:
    """The reference loop (and the fallback of the C one, `_native_messages`)."""
    regex = strict_regex(survey.shape, survey.style)
    date_groups = tuple(regex.groupindex[name] for name in ("d1", "d2", "d3", "h", "mi", "s", "ampm", "pre"))
    rest_group = regex.groupindex["rest"]
    timestamp_of = Timestamper(survey.date_order).of_parts
    message_of, lo, hi = build.message, build.lo, build.hi
    # The open message (or unparsed region): first line (0: nothing open), header, timestamp
    # (None: an unparsed region), first line's text after the header, continuation lines, reason.
    p_line, p_header, p_timestamp, p_rest, p_reason = 0, "", None, "", ""
    p_more: list[str] | None = None
    last_header: str | None = None
    last_timestamp: datetime | None = None
    line_no = line_offset  # lines consumed before the current block
    try:
        for block in blocks:
            position = 0
            block_line = line_no  # line number of the line before `position`
            for match in regex.finditer(block):
                start = match.start()
                if start > position:  # whole lines of non-header text before this header
                    text = block[position : start - 1]
                    if not p_line:
                        p_line, p_header, p_timestamp, p_rest, p_reason = block_line + 1, "", None, "", _BEFORE_FIRST
                    elif p_timestamp is not None and lo <= p_line < hi:
                        build.header_like += len(any_header().findall(text))
                    if p_more is None:
                        p_more = [text]
                    else:
                        p_more.append(text)
                    block_line += text.count("\n") + 1
                if p_line:
                    if p_timestamp is not None:
                        yield message_of(p_line, block_line, p_header, p_timestamp, p_rest, p_more)
                    else:
                        build.unparsed(p_line, block_line, p_reason)
                block_line += 1
                rest_start, position = match.span(rest_group)
                header = block[start:rest_start]
                if header != last_header:
                    last_header, last_timestamp = header, timestamp_of(match.group(*date_groups))
                p_line, p_more = block_line, None
                if last_timestamp is None:
                    p_header, p_timestamp, p_rest, p_reason = "", None, "", impossible
                    if lo <= block_line < hi:
                        build.impossible += 1
                else:
                    p_header, p_timestamp, p_rest = header, last_timestamp, block[rest_start:position]
                position += 1
            if position <= len(block):
                text = block[position:]
                if not p_line:
                    p_line, p_header, p_timestamp, p_rest, p_reason = block_line + 1, "", None, "", _BEFORE_FIRST
                elif p_timestamp is not None and lo <= p_line < hi:
                    build.header_like += len(any_header().findall(text))
                if p_more is None:
                    p_more = [text]
                else:
                    p_more.append(text)
                block_line += text.count("\n") + 1
            line_no = block_line
        if p_line:
            if p_timestamp is not None:
                yield message_of(p_line, line_no, p_header, p_timestamp, p_rest, p_more)
            else:
                build.unparsed(p_line, line_no, p_reason)
    finally:
        build.line_no = line_no
        build.flush()


# The header clocks the C loop reads (shapes.HeaderStyle.clock); CJK and Arabic markers stay Python's.
_NATIVE_CLOCKS = {"24h": 0, "am/pm": 1, "a.m.": 2}
_NATIVE_SHAPES = frozenset({"android", "ios", "ios-legacy"})


def _header_like(text: str) -> int:
    return len(any_header().findall(text))


def _native_scanner(survey: FormatSurvey, vocabulary: Vocabulary, build: _Assembler, impossible: str,
                    line_offset: int) -> Any:
    """The C loop for this export, or None: not built, turned off (`WHATSAPP_AUDIT_PURE`), or a
    header style it does not read (see docs/native.md); the Python loop then does the work."""
    module = native.accelerator()
    style = survey.style
    clock = _NATIVE_CLOCKS.get(style.clock)
    if module is None or clock is None or survey.shape.name not in _NATIVE_SHAPES:
        return None
    if len(style.date_sep) != 1 or len(style.time_sep) != 1 or not 1 <= style.year_digits <= 4:
        return None
    stats = build.stats
    scanner = module.Scanner(
        Message, survey.shape.name, (style.date_sep, style.year_first, style.year_digits, style.seconds, style.time_sep, clock),
        survey.date_order, (build.lo, build.hi), vocabulary, split_author, classify, vocabulary.special_start.match,
        _prefix_table(vocabulary.special_start),
        vocabulary.whole_body, vocabulary.omitted_last_words, _header_like, UnparsedRegion, stats.kinds, stats.authors,
        stats.unrecognised_system, stats.unparsed, MessageKind.TEXT, MessageKind.SYSTEM, _BEFORE_FIRST, impossible,
        line_offset,
    )
    # Media messages of the attached-file form ("IMG-...jpg (file attached)") read in C: classify's
    # answer for an ASCII first line (see docs/native.md); every other media message is classify's.
    module.media_vocabulary(scanner, vocabulary.file_attached, vocabulary.ios_name_types, vocabulary.extension_types,
                            MediaType.DOCUMENT, MediaType.UNKNOWN, MessageKind.MEDIA, Attachment)
    return scanner


@cache
def _prefix_table(pattern: re.Pattern[str]) -> bytes | None:
    """The C loop's gate before `pattern` (`special_start`), from `openings.ascii_prefixes` (None: no
    gate, always match): a byte per 1- and 2-character prefix (1: a match can open so, 2: the
    analysis cannot tell what follows), then 128 bits per 2-character prefix, one per third
    character. Prefixes are lower case: the C loop lowers the text's characters before looking."""
    prefixes = ascii_prefixes(pattern, 3)
    if prefixes is None:
        return None
    table = bytearray(128 + 128 * 128 + 128 * 128 * 16)
    for prefix in prefixes.allowed:
        codes = [ord(char) for char in prefix]
        if len(codes) == 1:
            table[codes[0]] |= 1
        elif len(codes) == 2:
            table[128 + codes[0] * 128 + codes[1]] |= 1
        else:
            table[128 + 128 * 128 + (codes[0] * 128 + codes[1]) * 16 + codes[2] // 8] |= 1 << (codes[2] % 8)
    for prefix in prefixes.open:
        codes = [ord(char) for char in prefix]
        table[codes[0] if len(codes) == 1 else 128 + codes[0] * 128 + codes[1]] |= 2
    return bytes(table)


def _native_batches(scanner: Any, blocks: Iterable[str], build: _Assembler) -> Iterator[list[Message]]:
    """`_native_messages` a block at a time."""
    try:
        for block in blocks:
            batch = scanner.feed(block)
            if batch:
                yield batch
        batch = scanner.finish()
        if batch:
            yield batch
    finally:
        build.finish_from(scanner.counts())


def _native_messages(scanner: Any, blocks: Iterable[str], build: _Assembler) -> Iterator[Message]:
    """The same messages and counts as `_python_messages`, from the C loop (`_native.Scanner`)."""
    try:
        for block in blocks:
            yield from scanner.feed(block)
        yield from scanner.finish()
    finally:
        build.finish_from(scanner.counts())
