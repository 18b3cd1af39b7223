"""The public reading API: `open_export` streams messages, `parse` returns them all.

Reading is two passes over the chat text: the survey settles format and date order from the whole
file, then the parse yields messages one at a time, so a million-message export is never held in
memory twice. Both passes hash what they read; if the two hashes differ the file changed while it
was being read, and the run stops rather than report on a moving target.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TypeVar

from whatsapp_audit.errors import InputError, UsageError
from whatsapp_audit.ingest.lines import (
    BadLineHandler,
    ByteReader,
    Encoding,
    LineTooLongError,
    iter_blocks,
    iter_raw_blocks,
    sniff_encoding,
)
from whatsapp_audit.ingest.parser import (
    ParseStats,
    RecordWriter,
    Segment,
    UnparsedRegion,
    count_messages,
    iter_message_batches,
    iter_messages,
    iter_record_segments,
)
from whatsapp_audit.ingest.ranges import Part, plan_parts
from whatsapp_audit.ingest.shapes import strict_regex
from whatsapp_audit.ingest.source import MediaMember, Source, SourceInfo, open_source
from whatsapp_audit.ingest.survey import DATE_ORDERS, FormatSurvey, survey, unreadable_headers
from whatsapp_audit.ingest.vocabulary import Vocabulary, load_vocabulary
from whatsapp_audit.model import Message
from whatsapp_audit.wording import plural

T = TypeVar("T")

# WhatsApp silently drops the oldest messages beyond these counts (export with / without media).
EXPORT_CAP_WITH_MEDIA = 10_000
EXPORT_CAP_WITHOUT_MEDIA = 40_000
PART_CHUNK = 128 << 10  # bytes read at a time by `iter_part` (see there)


class Export:
    """An export opened for reading. `iter_messages()` may be called more than once."""

    def __init__(self, source: Source, encoding: Encoding, survey: FormatSurvey, vocabulary: Vocabulary) -> None:
        self._source = source
        self.encoding = encoding
        self.survey = survey
        self.vocabulary = vocabulary
        self.stats = ParseStats()

    @property
    def source(self) -> SourceInfo:
        return self._source.info

    def __enter__(self) -> Export:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._source.close()

    def iter_messages(self) -> Iterator[Message]:
        """Yield every message in file order; `stats` is complete once the iterator is exhausted."""
        self.stats = stats = ParseStats()
        digests: list[str] = []
        blocks = _read_blocks(self._source, self.encoding, digests, stats.undecodable_lines.append)
        yield from iter_messages(blocks, self.survey, self.vocabulary, stats)
        _same_bytes(self.source, digests)
        self.check_readable(stats)

    def iter_message_batches(self) -> Iterator[list[Message]]:
        """`iter_messages` in lists (see `parser.iter_message_batches`), for readers that take them in bulk."""
        self.stats = stats = ParseStats()
        digests: list[str] = []
        blocks = _read_blocks(self._source, self.encoding, digests, stats.undecodable_lines.append)
        yield from iter_message_batches(blocks, self.survey, self.vocabulary, stats)
        _same_bytes(self.source, digests)
        self.check_readable(stats)

    def iter_record_segments(self, records: RecordWriter) -> Iterator[tuple[Segment, int]]:
        """The messages' JSON lines as `records` writes them (see `parser.iter_record_segments`);
        `stats` is complete once the iterator is exhausted."""
        self.stats = stats = ParseStats()
        digests: list[str] = []
        blocks = _read_blocks(self._source, self.encoding, digests, stats.undecodable_lines.append)
        yield from iter_record_segments(blocks, self.survey, self.vocabulary, stats, records)
        _same_bytes(self.source, digests)
        self.check_readable(stats)

    def count_messages(self, records: RecordWriter) -> int:
        """Read every message for `stats` alone (see `parser.count_messages`); returns how many."""
        self.stats = stats = ParseStats()
        digests: list[str] = []
        blocks = _read_blocks(self._source, self.encoding, digests, stats.undecodable_lines.append)
        count = count_messages(blocks, self.survey, self.vocabulary, stats, records)
        _same_bytes(self.source, digests)
        self.check_readable(stats)
        return count

    def check_readable(self, stats: ParseStats) -> None:
        """Raise InputError when headers were found but none could be read: a file whose every
        header has an impossible date or time is an input error, not an empty chat."""
        if stats.impossible_headers and not stats.messages:
            raise InputError(unreadable_headers(self.source.path, self.survey.date_order))

    def chat_size(self) -> int:
        """Bytes of chat text (the .txt file, or the chat member of a zip once decompressed)."""
        return self._source.chat_size()

    def plan_parts(self, parts: int, margin: int = 1 << 20) -> list[Part]:
        """Cut the chat text into about `parts` pieces for separate processes (see `ranges`);
        one part when the text is UTF-16 (LF bytes are not line ends there) or too small."""
        if parts <= 1 or self.encoding.name != "utf-8":
            return [Part(0, self._source.chat_size(), 0, 1, sys.maxsize)]  # one part: to the end
        header = strict_regex(self.survey.shape, self.survey.style)
        with self._source.open_chat() as stream:
            return plan_parts(stream, header, parts, margin, size=self._source.chat_size(), skip=self.encoding.bom_length)

    def iter_part(self, part: Part, stats: ParseStats) -> Iterator[Message]:
        """The messages parsed from one part, margins included; `stats` counts only its own span.

        Read in small blocks (`PART_CHUNK`): the scan's workers take these one message at a time,
        and a block's messages (about 8 MB of objects for the usual 1 MB block) stay alive until the
        next block's are made, which was the largest share of a worker's memory at its peak."""
        for batch in self.iter_part_batches(part, stats, PART_CHUNK):
            yield from batch

    def iter_part_batches(self, part: Part, stats: ParseStats, chunk: int | None = None) -> Iterator[list[Message]]:
        """`iter_part` in lists (see `parser.iter_message_batches`), read `chunk` bytes at a time
        (default `lines.CHUNK_SIZE`)."""
        yield from iter_message_batches(self._part_blocks(part, stats, chunk), self.survey, self.vocabulary, stats,
                                        line_offset=part.lines_before, counted=(part.first_line, part.end_line))

    def iter_part_segments(self, part: Part, stats: ParseStats, records: RecordWriter) -> Iterator[tuple[Segment, int]]:
        """`iter_record_segments` of one part (see `iter_part`)."""
        yield from iter_record_segments(self._part_blocks(part, stats), self.survey, self.vocabulary, stats, records,
                                        line_offset=part.lines_before, counted=(part.first_line, part.end_line))

    def _part_blocks(self, part: Part, stats: ParseStats, chunk: int | None = None) -> Iterator[str]:
        """The text of one part, margins included, in blocks; its undecodable lines go to `stats`."""
        encoding = self.encoding if part.parse_start == 0 else replace(self.encoding, bom=False, bom_length=0)

        def bad_line(local: int) -> None:
            line = part.lines_before + local
            if part.first_line <= line < part.end_line:
                stats.undecodable_lines.append(line)

        with self._source.open_chat_at(part.parse_start) as stream:
            yield from iter_blocks(_Bounded(stream, part.parse_end - part.parse_start), encoding, bad_line, chunk)

    def media_members(self) -> tuple[MediaMember, ...]:
        """Files in a zip export besides the chat, with size and SHA-256; empty for a .txt."""
        return self._source.media_members()

    def read_media(self, name: str, limit: int) -> bytes | None:
        """The first `limit` bytes of a zip member, matched by name or base name; None if absent."""
        return self._source.read_media(name, limit)

    def warnings(self) -> list[str]:
        """Limitations worth knowing about this export; never quotes message text."""
        return limitations(self.survey, self.stats, self.source, self.media_members())


@dataclass
class ParsedChat:
    """A whole export in memory: fine for small and medium exports and for tests."""

    source: SourceInfo
    survey: FormatSurvey
    messages: list[Message]
    stats: ParseStats
    media: tuple[MediaMember, ...] = ()
    warnings: list[str] = field(default_factory=list)

    @property
    def unparsed(self) -> list[UnparsedRegion]:
        return self.stats.unparsed


def open_export(path: str | os.PathLike[str], date_order: str | None = None) -> Export:
    """Open an export read-only and survey it; raise InputError if it can't be read as a chat."""
    if date_order is not None and date_order not in DATE_ORDERS:
        raise UsageError(f"--date-order must be one of {', '.join(DATE_ORDERS)}, not {date_order!r}")
    vocabulary = load_vocabulary()
    source = open_source(path, (vocabulary.chat_names, vocabulary.chat_prefixes))
    try:
        with source.open_chat() as stream:
            head = stream.read(4096)
            encoding = sniff_encoding(head)
        digests: list[str] = []
        surveyed = survey(lambda: _read_raw_blocks(source, encoding, digests), str(path), date_order,
                          vocabulary.dated_name)
        source.info = replace(source.info, chat_sha256=digests[0])
        _same_bytes(source.info, digests)
    except BaseException:
        source.close()
        raise
    return Export(source, encoding, surveyed, vocabulary)


def reopen_export(path: str | os.PathLike[str], encoding: Encoding, survey: FormatSurvey, sha256: str, chat_sha256: str) -> Export:
    """Open an export that was already surveyed (in another process), without surveying it again.

    The file is hashed again on opening; a different hash means a different file, and stops the run.
    """
    vocabulary = load_vocabulary()
    source = open_source(path, (vocabulary.chat_names, vocabulary.chat_prefixes))
    if source.info.sha256 != sha256:
        source.close()
        raise InputError(f"{path}: the file changed while it was being read; hash it again and re-run")
    source.info = replace(source.info, chat_sha256=chat_sha256)
    return Export(source, encoding, survey, vocabulary)


def parse(path: str | os.PathLike[str], date_order: str | None = None) -> ParsedChat:
    """Read a whole export into memory: `parse("chat.txt").messages`."""
    with open_export(path, date_order) as export:
        messages = list(export.iter_messages())
        return ParsedChat(export.source, export.survey, messages, export.stats, export.media_members(), export.warnings())


def limitations(survey: FormatSurvey, stats: ParseStats, source: SourceInfo, media: tuple[MediaMember, ...]) -> list[str]:
    """Plain statements of what this export cannot show or what the parser had to assume."""
    notes: list[str] = []
    if not survey.shape.is_export:
        notes.append(f"this is not a WhatsApp export but {survey.shape.description.split(':')[0]}; check it against the original")
    if not survey.order_settled:
        notes.append(f"date order {survey.date_order}: {survey.order_evidence}; pass --date-order if you know it")
    if survey.minute_precision:
        notes.append("timestamps are to the minute only (this export format has no seconds)")
    if stats.unrecognised_system:
        where = ", ".join(str(line) for line in stats.unrecognised_system[:10])
        more = f" and {len(stats.unrecognised_system) - 10} more" if len(stats.unrecognised_system) > 10 else ""
        notes.append(
            f"{plural(len(stats.unrecognised_system), 'system event')} "
            f"{'is not a known WhatsApp phrase and was' if len(stats.unrecognised_system) == 1 else 'are not known WhatsApp phrases and were'} "
            f"examined like messages, as {'it' if len(stats.unrecognised_system) == 1 else 'they'} might be a person's words (lines {where}{more})"
        )
    if stats.header_like_lines:
        notes.append(f"{plural(stats.header_like_lines, 'line')} inside messages "
                     f"{'looks like a header in another format and was' if stats.header_like_lines == 1 else 'look like headers in another format and were'} "
                     "kept as message text")
    if stats.unparsed_lines:
        where = ", ".join(f"{r.first_line}-{r.last_line}" if r.lines > 1 else str(r.first_line) for r in stats.unparsed[:10])
        notes.append(f"{plural(stats.unparsed_lines, 'line')} could not be read as {'a message' if stats.unparsed_lines == 1 else 'messages'} "
                     f"({'line' if stats.unparsed_lines == 1 else 'lines'} {where})")
    if stats.undecodable_lines:
        notes.append(f"{plural(len(stats.undecodable_lines), 'line')} held bytes that are not valid text; shown as U+FFFD")
    if stats.kinds.get("media", 0) and source.container == "txt":
        notes.append("no media files come with this input: images and files can only be judged from their names and context")
    cap = EXPORT_CAP_WITH_MEDIA if media else EXPORT_CAP_WITHOUT_MEDIA
    if stats.messages >= cap * 0.95:
        notes.append(
            f"{stats.messages} messages is near WhatsApp's export cap (about {cap:,}); the oldest messages were probably left out"
        )
    if stats.backward_steps:
        notes.append(f"{plural(stats.backward_steps, 'message')} {'is' if stats.backward_steps == 1 else 'are'} dated before the message above")
    if any(m.note for m in media):
        notes.append(f"{plural(sum(1 for m in media if m.note), 'zip member')} not read: unsafe or suspicious (see the media list)")
    return notes


def _read_blocks(source: Source, encoding: Encoding, digests: list[str], on_bad_line: BadLineHandler) -> Iterator[str]:
    """The chat text in blocks; appends the SHA-256 of the bytes read once they are all read."""
    return _read(source, digests, lambda stream: iter_blocks(stream, encoding, on_bad_line))


def _read_raw_blocks(source: Source, encoding: Encoding, digests: list[str]) -> Iterator[bytes | str]:
    """`_read_blocks` with UTF-8 blocks left undecoded (`lines.iter_raw_blocks`), for the survey."""
    return _read(source, digests, lambda stream: iter_raw_blocks(stream, encoding))


def _read(source: Source, digests: list[str], blocks_of: Callable[[ByteReader], Iterator[T]]) -> Iterator[T]:
    with source.open_chat() as stream:
        try:
            yield from blocks_of(stream)
        except LineTooLongError as error:
            raise InputError(f"{source.info.path}: {error}") from None
        _drain(stream)
        digests.append(stream.hexdigest())


def _same_bytes(info: SourceInfo, digests: list[str]) -> None:
    if any(digest != info.chat_sha256 for digest in digests):
        raise InputError(f"{info.path}: the file changed while it was being read; hash it again and re-run")


class _Bounded:
    """At most `limit` bytes of a stream."""

    def __init__(self, stream: ByteReader, limit: int) -> None:
        self._read = stream.read
        self._left = limit

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        data = self._read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data


def _drain(stream: ByteReader) -> None:
    read = stream.read
    while read(1 << 20):
        pass
