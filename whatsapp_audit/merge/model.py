"""What `merge_exports` returns: the exports, who is who across them, one timeline, and per export
what it lacks or shows differently. Reports render these (report/merge_report.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whatsapp_audit.ingest.parser import ParseStats
from whatsapp_audit.ingest.source import SourceInfo
from whatsapp_audit.ingest.survey import FormatSurvey


@dataclass(frozen=True)
class MergedExport:
    """One input export: what it is, the period it covers and what it says about its own phone."""

    index: int
    source: SourceInfo
    survey: FormatSurvey
    stats: ParseStats
    limitations: tuple[str, ...]
    first_message: datetime | None
    last_message: datetime | None
    clock_offset_minutes: int  # minutes added to this export's times to read them on the reference export's clock
    anchors: int  # messages with the same unmistakable text found in the timeline before this export
    created_group: bool  # the phone made the group (saw it from the start)
    joined_at: datetime | None  # the phone joined (its export starts there for a reason)
    left_at: datetime | None
    near_cap: bool  # WhatsApp's export cap probably cut the oldest messages
    date_order_note: str | None = None  # how merge chose the day/month order, when the export could not say


@dataclass(frozen=True)
class Copy:
    """A message as one export holds it."""

    export: int
    line: int
    end_line: int
    timestamp: datetime  # as written in that export
    author: str | None  # as written in that export
    kind: str
    text: str
    edited: bool


@dataclass(frozen=True)
class MergedMessage:
    """One message of the chat and the exports that hold it (`sources`: indexes into the exports)."""

    id: int
    timestamp: datetime  # on the reference export's clock; with seconds when an export that has them holds it
    author: str | None  # the person's name as the first export that names them (not by number) shows it
    kind: str
    text: str
    sources: tuple[int, ...]
    copies: tuple[Copy, ...]
    comparable: bool  # a person's message (not a system event or call): its absence means something


@dataclass(frozen=True)
class Author:
    """One person and how each export names them."""

    name: str
    names: tuple[tuple[int, str], ...]  # (export index, name as written there)


@dataclass(frozen=True)
class Gaps:
    """What one export lacks or shows differently, as ids of merged messages."""

    export: int
    before_first: tuple[int, ...]  # messages from before its first message (joined late, or the export cap)
    within: tuple[int, ...]  # messages inside the period it covers that it does not hold (deleted for me ...)
    after_last: tuple[int, ...]  # messages after its last message (left early, or exported earlier)
    placeholders: tuple[int, ...]  # it shows "This message was deleted" where another export has the message
    differs: tuple[int, ...]  # it holds the message with other words (an edit, or a different rendering)


@dataclass(frozen=True)
class MergeResult:
    exports: tuple[MergedExport, ...]
    authors: tuple[Author, ...]
    messages: tuple[MergedMessage, ...]
    gaps: tuple[Gaps, ...]
    warnings: tuple[str, ...]
