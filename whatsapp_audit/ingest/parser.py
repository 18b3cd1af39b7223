"""Assemble the text into messages, once the survey has fixed the file's format.

Every line ends up in exactly one place: a message (its header line or a continuation of it), or
an unparsed region (lines before the first header, or a header whose date is impossible, with the
lines that follow it). Nothing is dropped and nothing is merged across a damaged header.

Headers are found with one MULTILINE regex scan per block of text, so the Python work is per
message, not per line; line numbers come from counting LFs between matches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from whatsapp_audit.ingest.body import classify, split_author
from whatsapp_audit.ingest.shapes import ANY_HEADER, Timestamper, strict_regex
from whatsapp_audit.ingest.survey import FormatSurvey
from whatsapp_audit.ingest.vocabulary import Vocabulary
from whatsapp_audit.model import Attachment, Message, MessageKind


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


class _Open:
    """The message (or unparsed region) still collecting continuation lines."""

    __slots__ = ("line", "header", "timestamp", "rest", "more", "reason")

    def __init__(self, line: int, header: str, timestamp: datetime | None, rest: str, reason: str = "") -> None:
        self.line, self.header, self.timestamp, self.rest, self.reason = line, header, timestamp, rest, reason
        self.more: list[str] = []


class MessageBuilder:
    """Turns header matches and continuation text into Messages and fills the stats."""

    def __init__(self, survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
                 counted: tuple[int, int] | None = None) -> None:
        self.shape = survey.shape.name
        self.order = survey.date_order
        self.vocabulary = vocabulary
        self.stats = stats
        self._ignored = ParseStats()  # where messages outside `counted` are tallied, and forgotten
        self.counted = counted
        self.index = 0
        self._other_headers = ANY_HEADER

    def _stats_for(self, line: int) -> ParseStats:
        counted = self.counted
        if counted is None or counted[0] <= line < counted[1]:
            return self.stats
        return self._ignored

    def count_header_like(self, text: str, line: int) -> None:
        self._stats_for(line).header_like_lines += sum(1 for _ in self._other_headers.finditer(text))

    def count_impossible(self, line: int) -> None:
        self._stats_for(line).impossible_headers += 1

    def finish(self, pending: _Open, end_line: int) -> Message | None:
        stats = self.stats if self.counted is None else self._stats_for(pending.line)
        span = end_line - pending.line + 1
        if pending.timestamp is None:
            region = UnparsedRegion(pending.line, end_line, pending.reason)
            stats.unparsed.append(region)
            stats.unparsed_lines += span
            return None
        author, prefix, text, recognised = split_author(pending.rest, self.shape, self.vocabulary)
        if pending.more:
            text = text + "\n" + "\n".join(pending.more)
        system_recognised: bool | None = None
        attachments: tuple[Attachment, ...]
        if author is None:
            kind, attachments, edited = MessageKind.SYSTEM, (), False
            stats.system_lines += span
            system_recognised = recognised and not pending.more  # WhatsApp's events are one line
            if not system_recognised:
                stats.unrecognised_system.append(pending.line)
        else:
            kind, attachments, edited = classify(text, self.shape, self.vocabulary)
            stats.message_lines += span
            stats.authors[author] += 1
        stats.kinds[kind] += 1
        timestamp = pending.timestamp
        # Time order, for the limitations: steps back, and the range (messages are mostly in order).
        if stats.closing_timestamp is not None and timestamp < stats.closing_timestamp:
            stats.backward_steps += 1
        stats.closing_timestamp = timestamp
        if stats.opening_timestamp is None:
            stats.opening_timestamp = timestamp
        if stats.last_timestamp is None or timestamp > stats.last_timestamp:
            stats.last_timestamp = timestamp
        if stats.first_timestamp is None or timestamp < stats.first_timestamp:
            stats.first_timestamp = timestamp
        message = Message(
            self.index, pending.line, end_line, timestamp, pending.header, author, text, kind, attachments, prefix, edited,
            system_recognised,
        )
        self.index += 1
        return message


def iter_messages(
    blocks: Iterable[str], survey: FormatSurvey, vocabulary: Vocabulary, stats: ParseStats,
    *, line_offset: int = 0, counted: tuple[int, int] | None = None,
) -> Iterator[Message]:
    """Yield the messages of the text in `blocks` (see `lines.iter_blocks`) in file order.

    For a part of a file (see `ranges`): `line_offset` is the number of lines before the text,
    so line numbers stay those of the whole file, and `counted` (first line, line after the last)
    limits the stats to the messages that start in that span; `stats.total_lines` is then the
    span's line count. Messages outside it are still yielded, as context for the detectors.
    """
    regex = strict_regex(survey.shape, survey.style)
    builder = MessageBuilder(survey, vocabulary, stats, counted)
    timestamp_of = Timestamper(survey.date_order)
    pending: _Open | None = None
    line_no = line_offset  # lines consumed before the current block
    for block in blocks:
        position = 0
        block_line = line_no  # line number of the line before `position`
        for match in regex.finditer(block):
            start = match.start()
            if start > position:
                block_line, pending = _continuation(block[position : start - 1], block_line, pending, builder)
            header_line = block_line + 1
            if pending is not None:
                message = builder.finish(pending, header_line - 1)
                if message is not None:
                    yield message
            timestamp = timestamp_of(match)
            rest_start = match.start("rest")
            if timestamp is None:
                reason = f"a header with an impossible date or time (read as {survey.date_order})"
                pending = _Open(header_line, "", None, "", reason)
                builder.count_impossible(header_line)
            else:
                pending = _Open(header_line, block[start:rest_start], timestamp, match["rest"])
            block_line = header_line
            position = match.end() + 1
        if position <= len(block):
            block_line, pending = _continuation(block[position:], block_line, pending, builder)
        line_no = block_line
    if pending is not None:
        message = builder.finish(pending, line_no)
        if message is not None:
            yield message
    stats.total_lines = line_no if counted is None else min(counted[1], line_no + 1) - counted[0]


def _continuation(text: str, block_line: int, pending: _Open | None, builder: MessageBuilder) -> tuple[int, _Open | None]:
    """Attach whole lines of non-header text to the open message, or to an unparsed region."""
    count = text.count("\n") + 1
    if pending is None:
        pending = _Open(block_line + 1, "", None, "", "before the first message header")
    if pending.timestamp is not None:
        builder.count_header_like(text, pending.line)
    pending.more.append(text)
    return block_line + count, pending
