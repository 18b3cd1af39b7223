"""Read what follows a header: who wrote it (or that nobody did), what kind of message it is, and
which files it carries.

The rule that tells a system event from a person's message (the vocabulary's [system] section):
a line with no `Name: ` part is a system event; `Prefix: text` is a system event only when the text
opens with an invisible mark (iOS writes U+200E there) and is a known system phrase, as in
`Group name: <U+200E>Ana added Bo`; every other `Name: text` is a person's message, whatever
invisible marks surround the name (`<U+202A>+44 7700 900123<U+202C>`, `~<U+202F>Ana`) or open the
text. A mark alone never makes a system event: people's messages open with U+200E too, and unsaved
numbers come wrapped in marks.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from whatsapp_audit.ingest.openings import may_open
from whatsapp_audit.ingest.shapes import MARKS
from whatsapp_audit.ingest.vocabulary import Vocabulary, bare_placeholder, is_system_phrase
from whatsapp_audit.model import Attachment, MediaType, MessageKind

QUOTE = re.compile('["“„«]')  # a name with one of these may be a quoted system event
_MARK = re.compile(f"[{MARKS}]")
_WS_AND_MARKS = MARKS + " \t\u00a0\u202f"
# Deleted, pending and call stubs are left unexamined because their text is WhatsApp's own: one
# short line. A longer or multi-line text that merely opens like one is a person's message.
_STUB_MAX = 200


class Speaker(NamedTuple):
    """The author split off a header's remainder (a tuple: built once per message, so cheap)."""

    author: str | None
    system_prefix: str | None
    text: str  # the first line of the body
    recognised: bool = False  # a system event (author None) whose text is a known system phrase


def split_author(rest: str, shape: str, vocabulary: Vocabulary) -> Speaker:
    """Split `Name: text` into author and text, or recognise a system event (see the module's rule)."""
    cut = rest.find(": ")
    if cut <= 0:
        if rest.endswith(":") and len(rest) > 1:  # "Ana:" with an empty body (iOS album header)
            return Speaker(rest[:-1], None, "")
        if shape == "ios" and (colon := rest.find(":")) > 0 and " " not in rest[:colon]:
            return Speaker(rest[:colon], None, rest[colon + 1 :])  # zh/ja "Name:text"
        return Speaker(None, None, rest, is_system_phrase(rest, vocabulary))
    name, text = rest[:cut], rest[cut + 2 :]
    if QUOTE.search(name) and any(r.match(rest) for r in vocabulary.quoted_event_regexes):
        return Speaker(None, None, rest, True)  # 'Ana changed the subject to "Nights: 2"'
    if text[:1] in MARKS and is_system_phrase(text, vocabulary):
        return Speaker(None, name, text, True)  # "Group name: <U+200E>Ana added Bo"
    return Speaker(name, None, text)


def classify(text: str, shape: str, vocabulary: Vocabulary) -> tuple[MessageKind, tuple[Attachment, ...], bool]:
    """Kind, attachments and edited flag of an authored message's full text."""
    newline = text.find("\n")
    first = (text if newline < 0 else text[:newline]).strip(_WS_AND_MARKS)
    edited = text.endswith(">") and _is_edited(text, vocabulary)
    folded = first.casefold()
    if newline < 0 or not text[newline:].strip(_WS_AND_MARKS):
        kind = vocabulary.whole_body.get(folded)
        if kind is not None:
            return kind, (), edited
    if "<" in first or first.endswith((")", ">")) or folded.rstrip(">").endswith(vocabulary.omitted_last_words):
        attachments = _attachments(first, folded, vocabulary)
        if attachments:
            return MessageKind.MEDIA, attachments, edited
    special = vocabulary.special_start.match(first) if may_open(first, vocabulary.special_openings) else None
    if special is not None:
        kind = _SPECIAL_KINDS.get(special.lastgroup or "")
        if kind is MessageKind.POLL and not (newline >= 0 or text[:1] in MARKS):
            kind = None
        elif kind in _STUB_KINDS and (newline >= 0 or len(first) > _STUB_MAX):
            kind = None  # WhatsApp's stubs are one short line: this is a person's text
        elif kind is MessageKind.CALL and not (shape == "ios" and _MARK.search(text)):
            kind = None  # real call lines are iOS's and carry U+200E; typed words do not
        if kind is not None:
            return kind, (), edited
    return (MessageKind.EDITED if edited else MessageKind.TEXT), (), edited


_STUB_KINDS = frozenset({MessageKind.DELETED, MessageKind.PENDING, MessageKind.CALL})
_SPECIAL_KINDS = {
    "deleted": MessageKind.DELETED,
    "pending": MessageKind.PENDING,
    "location": MessageKind.LOCATION,
    "poll": MessageKind.POLL,
    "call": MessageKind.CALL,
}


def _is_edited(text: str, vocabulary: Vocabulary) -> bool:
    tail = text.rstrip(_WS_AND_MARKS)
    return tail.endswith(vocabulary.edited_suffixes)


def _attachments(first: str, folded: str, vocabulary: Vocabulary) -> tuple[Attachment, ...]:
    if "<" in first:
        if folded in vocabulary.omitted_whole:  # Android "<Media omitted>" in any language
            return (Attachment(first, MediaType.UNKNOWN, True),)
        found = vocabulary.attached.findall(first)
        if found:
            return tuple(Attachment(name, media_type_of(name, vocabulary), False) for name in found)
    if first.endswith(">"):  # old iOS "NAME <attached>", also with U+200E before or inside it, or U+2039 for "<"
        plain = _MARK.sub("", first).replace("\u2039", "<")
        if plain.endswith(vocabulary.attached_bare):
            name = plain[: -len(vocabulary.attached_bare)].strip(_WS_AND_MARKS)
            return (Attachment(name, media_type_of(name, vocabulary), False),) if name else ()
    if first.endswith(")"):
        for suffix in vocabulary.file_attached:
            if first.endswith(suffix):
                name = first[: -len(suffix)].strip(_WS_AND_MARKS)
                return (Attachment(name, media_type_of(name, vocabulary), False),) if name else ()
    return _omitted_ios(first, folded, vocabulary)


def _omitted_ios(first: str, folded: str, vocabulary: Vocabulary) -> tuple[Attachment, ...]:
    bare = bare_placeholder(folded)
    for words, media_type in vocabulary.omitted_suffix.items():
        if not bare.endswith(words):
            continue
        head = bare[: len(bare) - len(words)].strip()
        if media_type is MediaType.DOCUMENT and head:
            name = head.split(" • ", 1)[0].strip()  # "FILE.pdf • 3 pages"
            return (Attachment(first[: len(name)] if folded.startswith(name) else name, MediaType.DOCUMENT, True),)
        if not head:
            return (Attachment(first, media_type, True),)
        return (Attachment(first[-len(words) :] if folded.endswith(words) else words, media_type, True),)
    return ()


def media_type_of(name: str, vocabulary: Vocabulary) -> MediaType:
    """Media type from an iOS type word in the file name, else from its extension."""
    upper = name.upper()
    for word, media_type in vocabulary.ios_name_types.items():
        if f"-{word}-" in upper:
            return media_type
    extension = _suffix(name).lower().lstrip(".")
    return vocabulary.extension_types.get(extension, MediaType.DOCUMENT if extension else MediaType.UNKNOWN)


def _suffix(name: str) -> str:
    """`PurePosixPath(name).suffix` without building a path (a tenth of the time of a media message):
    the last part that is not empty or ".", from its last dot, unless the dot opens or ends it."""
    base = ""
    for part in reversed(name.split("/")):
        if part and part != ".":
            base = part
            break
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""
