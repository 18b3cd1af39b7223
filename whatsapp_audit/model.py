"""The data model shared by every stage: parsed messages in, findings out.

Nothing here imports from the rest of the package, so the parser, the detectors and the reporters
can all depend on it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MessageKind(StrEnum):
    """What a message is, as far as the export shows it."""

    TEXT = "text"
    SYSTEM = "system"
    MEDIA = "media"
    DELETED = "deleted"
    EDITED = "edited"
    CALL = "call"
    LOCATION = "location"
    POLL = "poll"
    VIEW_ONCE = "view_once"
    PENDING = "pending"


class MediaType(StrEnum):
    """The kind of an attachment, from its placeholder text or file name."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    STICKER = "sticker"
    GIF = "gif"
    DOCUMENT = "document"
    CONTACT = "contact"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: a real file name, or a placeholder when media was left out."""

    name: str
    media_type: MediaType
    omitted: bool  # True for "<Media omitted>", "image omitted" ...: no file name, no file


@dataclass(slots=True)
class Message:
    """One message (or system event) of an export, with its place in the original file.

    `text` is the verbatim body, invisible marks and internal newlines kept; detectors match on a
    normalised copy and map offsets back. `line`/`end_line` are 1-based lines of the original file.
    """

    index: int
    line: int
    end_line: int
    timestamp: datetime
    header: str
    author: str | None
    text: str
    kind: MessageKind
    attachments: tuple[Attachment, ...] = ()
    system_prefix: str | None = None  # iOS "Group name: " / actor prefix of a system event
    edited: bool = False

    @property
    def attachment(self) -> Attachment | None:
        return self.attachments[0] if self.attachments else None


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANK[self.value]


_RANK = {"low": 1, "medium": 2, "high": 3}


class Category(StrEnum):
    OPERATIONAL_DATA = "operational_data"
    CRIME_SCENE_IMAGE = "crime_scene_image"
    DISCRIMINATORY_LANGUAGE = "discriminatory_language"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was raised: enough for an investigator to explain it without the code."""

    reason: str  # one plain sentence
    pattern: str | None = None  # the pattern, keyword or lexicon entry that matched
    validator: str | None = None  # e.g. "mod-23 check letter", "age identifier 71"
    context_words: tuple[str, ...] = ()
    adjustments: tuple[tuple[str, float], ...] = ()  # (why, delta) applied to the score
    details: tuple[tuple[str, str], ...] = ()  # detector-specific facts (EXIF, neighbours ...)


@dataclass(frozen=True, slots=True)
class Finding:
    """A detector's indicator for human review, tied to one message of the export.

    `start`/`end` are offsets into `Message.text` (None when the finding is about the message as a
    whole, such as an image judged from its neighbours).
    """

    rule: str
    category: Category
    severity: Severity
    confidence: Confidence
    score: float
    message_index: int
    line: int
    start: int | None
    end: int | None
    matched: str | None
    normalised: str | None
    explanation: Explanation
    extra: tuple[tuple[str, str], ...] = field(default=())
