"""What two exports of one message have in common, whatever the phone, its language or its app.

Two phones write one message differently: invisible marks (iOS wraps mentions and media lines in
them), the edited suffix in the phone's language, media as a file name or as `image omitted`,
`<Media omitted>` without a type, a location with or without its label, the deleted placeholder in
another language. `comparable` reduces a message to a group (what kind of thing it is, for
matching) and a key (its words, for equality).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import regex

from whatsapp_audit.ingest.vocabulary import Vocabulary
from whatsapp_audit.model import Message, MessageKind

TEXT, MEDIA, PLACEHOLDER, SYSTEM, CALL = "text", "media", "placeholder", "system", "call"
_MARKS = regex.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")
_SPACES = regex.compile(r"\s+")
_URL = regex.compile(r"https?://\S+")
# A mention names the person as the reading phone knows them: `@<U+2068>Sam Kerr<U+2069>` on one, `@447700900461`
# on another. Only that a mention is there is comparable.
_MENTION = regex.compile(r"@\u2068[^\u2069\n]{1,80}\u2069|@\+?\d{6,15}(?!\d)")
_EPOCH = datetime(1970, 1, 1)
PLACEHOLDER_KINDS = frozenset({MessageKind.DELETED, MessageKind.PENDING, MessageKind.VIEW_ONCE})


@dataclass(frozen=True, slots=True)
class Comparable:
    group: str  # text, media, placeholder, system or call
    key: str  # normalised words; "" for media and placeholders


def minute_of(moment: datetime) -> int:
    """Minutes since 1970 of a (zone-less, local) export time: the precision every format shares."""
    return (moment.replace(second=0, microsecond=0) - _EPOCH) // timedelta(minutes=1)


def plain(text: str) -> str:
    """Text without invisible marks, NFKC, spaces collapsed, casefolded."""
    text = _MARKS.sub("", _MENTION.sub("@", text))
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def comparable(message: Message, vocabulary: Vocabulary) -> Comparable:
    kind = message.kind
    if message.author is None or kind is MessageKind.SYSTEM:
        return Comparable(SYSTEM, plain(message.text))
    if kind in PLACEHOLDER_KINDS:
        return Comparable(PLACEHOLDER, "")
    if kind is MessageKind.CALL:
        return Comparable(CALL, "")
    if kind is MessageKind.MEDIA:
        return Comparable(MEDIA, "")
    text = _without_edited_suffix(_MENTION.sub("@", message.text), vocabulary)
    if kind is MessageKind.LOCATION:
        found = _URL.search(text)
        return Comparable(TEXT, found.group() if found else plain(text))
    return Comparable(TEXT, plain(text))


def _without_edited_suffix(text: str, vocabulary: Vocabulary) -> str:
    stripped = _MARKS.sub("", text).rstrip()
    for suffix in vocabulary.edited_suffixes:
        if stripped.endswith(suffix):
            return stripped[: -len(suffix)]
    return stripped


def substantial(key: str) -> bool:
    """Long enough that two equal keys a minute apart are one message, not a coincidence ("ok")."""
    return len(key) >= 12 or len(key.split()) >= 3
