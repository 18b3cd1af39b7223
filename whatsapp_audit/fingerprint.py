"""Finding ids: content fingerprints that survive re-exports, so reviews and suppressions carry over.

Two recipes, both frozen (changing one changes every id it makes, so each has a version):

- `fingerprint` (the finding's `id`) hashes the message as this export wrote it: the author verbatim,
  the timestamp to the second, the text byte for byte. The same export, or a re-export from the
  same phone with more or fewer lines above, gives the same ids.
- `portable_fingerprint` (the finding's `portable_id`) hashes what two phones on different platforms
  write alike for the same message: the author as a person reads the name, the time to the minute
  (Android exports have no seconds), and the text without WhatsApp's invisible marks, mentions (a
  mention names the person as the reading phone knows them), spacing, case or the edited marker.
  A review keyed on `id` is matched by `portable_id` when no finding has its `id`, so a verdict
  given on an iPhone export carries over to the Android export of the same chat.

Neither uses line numbers, offsets or paths. Both are computed here only, from the parser's
`Message`, with their own normalisation (not the merge or detection normalisers, which may change):
an id must mean the same thing in every release that writes its version.
"""

from __future__ import annotations

import hashlib
import unicodedata

import regex

from whatsapp_audit.model import Finding, Message, author_name

FINGERPRINT_VERSION = "1"
PORTABLE_FINGERPRINT_VERSION = "1"

_MARKS = regex.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")
_MENTION = regex.compile(r"@\u2068[^\u2069\n]{1,80}\u2069|@\+?\d{6,15}(?!\d)")
_SPACES = regex.compile(r"\s+")
_EDITED_MARKER = regex.compile(r"\s*<[^<>\n]{1,80}>$")  # the parser set `edited`: the text ends with one


def _digest(parts: tuple[str, ...]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _value(finding: Finding) -> str:
    return finding.normalised if finding.normalised is not None else (finding.matched or "")


def fingerprint(finding: Finding, message: Message, occurrence: int = 0) -> str:
    """A finding's id: the same finding gets the same id on every run and in every re-export.

    Version 1 hashes (SHA-256, first 32 hex digits) these fields, joined by U+001F:
    "1", the rule id, the normalised match (or the matched text, or "" for whole-message findings),
    the author, the message timestamp (ISO 8601), the SHA-256 of the message text, and `occurrence`
    (0 for the first finding with these values in the message, 1 for the next ...).
    """
    text_digest = hashlib.sha256(message.text.encode("utf-8", "surrogatepass")).hexdigest()
    return _digest((FINGERPRINT_VERSION, finding.rule, _value(finding), message.author or "",
                    message.timestamp.isoformat(), text_digest, str(occurrence)))


def comparable_text(message: Message) -> str:
    """The message text as every platform's export of it reads (see the module docstring)."""
    text = _MARKS.sub("", _MENTION.sub("@", message.text))
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if message.edited:
        text = _EDITED_MARKER.sub("", text)
    return text.casefold()


def portable_fingerprint(finding: Finding, message: Message, occurrence: int = 0) -> str:
    """A second id for the same finding that also survives an export from a phone on the other platform.

    Version 1 hashes, joined by U+001F: "portable-1", the rule id, the normalised match (or the
    matched text, or "") after NFKC and casefolding, the author's display name casefolded (or ""),
    the message time to the minute (`YYYY-MM-DDTHH:MM`), the SHA-256 of `comparable_text`, and
    `occurrence` (as in `fingerprint`).
    """
    value = unicodedata.normalize("NFKC", _value(finding)).casefold()
    author = author_name(message.author).display.casefold() if message.author else ""
    minute = message.timestamp.strftime("%Y-%m-%dT%H:%M")
    text_digest = hashlib.sha256(comparable_text(message).encode("utf-8", "surrogatepass")).hexdigest()
    return _digest((f"portable-{PORTABLE_FINGERPRINT_VERSION}", finding.rule, value, author, minute, text_digest,
                    str(occurrence)))
