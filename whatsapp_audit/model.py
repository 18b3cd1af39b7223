"""The data model shared by every stage: parsed messages in, findings out.

Nothing here imports from the rest of the package, so the parser, the detectors and the reporters
can all depend on it without depending on each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from operator import attrgetter
from typing import Any, TypeVar

_Class = TypeVar("_Class", bound=type)


def pickled_by_fields(cls: _Class) -> _Class:
    """Pickle a slotted dataclass as a call of itself with its field values.

    A large export's findings and their neighbours (about ten per finding) are pickled by each scan
    worker and unpickled by the main process. A slotted dataclass's own `__getstate__`/`__setstate__`
    call `dataclasses.fields()` and set each slot in Python, per object; this is one C attribute fetch
    out and one `__init__` back, about half the time both ways, and the same object (every field is an
    `__init__` argument, checked here)."""
    names = tuple(f.name for f in fields(cls))
    if not all(f.init for f in fields(cls)) or len(names) < 2:
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument (and at least two)")
    values: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[assignment]
    return cls


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


@pickled_by_fields
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
    # For a system event: True when its text is a known WhatsApp phrase, False when not (then it
    # might be a person's words, and the detectors examine it); None for every other kind.
    system_recognised: bool | None = None

    @property
    def attachment(self) -> Attachment | None:
        return self.attachments[0] if self.attachments else None

    @property
    def examined(self) -> bool:
        """Whether the detectors examine this message: anything a person may have written."""
        return self.kind not in WHATSAPP_WORDS or self.system_recognised is False


# Kinds whose whole text is WhatsApp's own (a recognised system event, a deleted-message, call or
# pending stub), never a person's: they are context for the detectors but not examined themselves.
WHATSAPP_WORDS = frozenset({MessageKind.SYSTEM, MessageKind.DELETED, MessageKind.CALL, MessageKind.PENDING})


class ShownAs(StrEnum):
    """How the export names an author, which says whether the exporting phone had them saved."""

    NAME = "name"  # a contact's saved name (or the exporter's own name)
    NUMBER = "number"  # a phone number: not saved in the exporting phone's contacts
    PROFILE_NAME = "profile_name"  # "~ Name": not saved; the name they chose for themselves


@dataclass(frozen=True, slots=True)
class AuthorName:
    """An author as written in the export and as a person should read it.

    The verbatim form (bidi isolates round a number, `~` and its no-break space, ...) is what the
    record keeps and what ids are made from; `display` is for human-facing outputs only.
    """

    verbatim: str
    display: str
    shown_as: ShownAs

    @property
    def saved(self) -> bool:
        return self.shown_as is ShownAs.NAME


# The invisible marks WhatsApp itself wraps names and numbers in (LRM, RLM, ALM, embeddings and their
# PDF, isolates) are removed for display; the no-break spaces and hyphens inside numbers and after
# "~" become plain ones. Overrides (U+202D, U+202E) and zero-width characters are not WhatsApp's:
# they stay, and outputs show them as visible codes.
_DISPLAY = str.maketrans({
    **dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u2066\u2067\u2068\u2069")),
    **dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009"), " "),
    **dict.fromkeys(map(ord, "\u2010\u2011"), "-"),
})
_PHONE_NUMBER = re.compile(r"\+[\d ()-]{6,24}")
_SPACES = re.compile(" {2,}")


@lru_cache(maxsize=4096)
def author_name(verbatim: str) -> AuthorName:
    """The display form of an author: `<U+202A>+44<U+00A0>7700<U+00A0>900123<U+202C>` reads
    `+44 7700 900123` (a number not saved in the phone), `~<U+202F>Ana` reads `Ana` (a profile
    name, not saved)."""
    clean = _SPACES.sub(" ", verbatim.translate(_DISPLAY)).strip()
    shown_as = ShownAs.NAME
    if clean.startswith("~ ") and clean[2:].strip():
        clean, shown_as = clean[1:].strip(), ShownAs.PROFILE_NAME
    if _PHONE_NUMBER.fullmatch(clean) and sum(c.isdigit() for c in clean) >= 6:
        shown_as = ShownAs.NUMBER
    return AuthorName(verbatim, clean or verbatim, shown_as)


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


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a finding was raised: enough for an investigator to explain it without the code."""

    reason: str  # one plain sentence
    pattern: str | None = None  # the pattern, keyword or lexicon entry that matched
    validator: str | None = None  # e.g. "mod-23 check letter", "age identifier 71"
    context_words: tuple[str, ...] = ()
    adjustments: tuple[tuple[str, float], ...] = ()  # (why, delta) applied to the score
    details: tuple[tuple[str, str], ...] = ()  # detector-specific facts (EXIF, neighbours ...)


@pickled_by_fields
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
    # Equality Act 2010 protected characteristics the finding concerns (discriminatory language):
    # race, religion_or_belief, sex, sexual_orientation, gender_reassignment, disability, age ...
    characteristics: tuple[str, ...] = field(default=())
