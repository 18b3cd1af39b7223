"""People's names as exports write them, and how to recognise the same person again.

An export writes one person in many forms: `<U+202A>+44 7700 900123<U+202C>` (bidi marks, no-break spaces),
`~ Michelle` (a number not saved in the phone), `Sgt Dee Hart` as author and `Dee` in the text,
`@<U+2068>Ana Pike<U+2069>` as a mention. `clean_name` gives the display form people read; `name_key` the form
two spellings of one name share (case, spacing and phone-number punctuation ignored).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import regex

from whatsapp_audit.model import author_name
from whatsapp_audit.redact.policy import RedactionPolicy

# Bidi marks and isolates, zero-width characters, BOM, Arabic letter mark.
_INVISIBLE = regex.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")
_SPACES = regex.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_NOT_CONTACT = regex.compile(r"^~[\s\u00a0\u202f]*")  # "~ Name": a number not saved in the phone
_PHONE_NAME = regex.compile(r"^\+?[\d\s\u00a0\u202f\u2011().\-]{7,}$")
_WORD = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’\-]*")


def clean_name(name: str) -> str:
    """The parser's display form of a name (`model.author_name`: WhatsApp's marks and the `~ ` of a
    non-contact removed, no-break spaces and hyphens made plain), with the invisible characters it
    leaves for outputs to show (zero-width, overrides) removed too: two spellings of one name must
    compare equal."""
    text = _INVISIBLE.sub("", author_name(name).display)
    text = _NOT_CONTACT.sub("", text.strip())
    return _SPACES.sub(" ", text).strip()


def is_phone_name(name: str) -> bool:
    """True when a (clean) name is a phone number, as WhatsApp shows unsaved participants."""
    return _PHONE_NAME.match(name) is not None and sum(c.isdigit() for c in name) >= 7


def phone_digits(name: str) -> str:
    """`+447700900123` for `+44 7700 900123`: the digits with the leading plus kept."""
    digits = "".join(c for c in name if c.isdigit())
    return ("+" if name.lstrip().startswith("+") else "") + digits


def name_key(name: str) -> str:
    """What two spellings of one name have in common: the digits of a number, else the casefolded
    clean form (NFKC, so full-width and composed letters agree)."""
    clean = clean_name(name)
    if is_phone_name(clean):
        return phone_digits(clean)
    return unicodedata.normalize("NFKC", clean).casefold()


def name_parts(name: str, policy: RedactionPolicy) -> tuple[str, tuple[str, ...]]:
    """The name without titles ("Sgt Dee Hart" -> "Dee Hart"), and the words that may stand for the
    person on their own ("Dee", "Hart"): long enough and not common words."""
    words = _WORD.findall(clean_name(name))
    kept = [w for w in words if w.casefold().rstrip(".") not in policy.titles]
    bare = " ".join(kept)
    parts = tuple(
        w for w in kept
        if len(w) >= policy.min_part_length and w.casefold() not in policy.common_words and w.casefold() not in policy.titles
    )
    return bare, parts if len(kept) > 1 else ()


def pseudonym_label(prefix: str, number: int, letters: bool) -> str:
    """`Participant A` ... `Participant Z`, `Participant AA` ...; or `Person 1`, `Person 2` ..."""
    if not letters:
        return f"{prefix} {number + 1}"
    label = ""
    n = number
    while True:
        label = chr(ord("A") + n % 26) + label
        n = n // 26 - 1
        if n < 0:
            break
    return f"{prefix} {label}"


def system_event_names(text: str, policy: RedactionPolicy) -> list[str]:
    """People a system event names ("Ana added Bo, Cal and Dee" -> Ana, Bo, Cal, Dee), in order."""
    bare = clean_name(text)
    for pattern in policy.system_events:
        match = pattern.match(bare)
        if match is None:
            continue
        found: list[str] = []
        groups = match.groupdict()
        if groups.get("who"):
            found.append(groups["who"])
        if groups.get("whom"):
            found.extend(policy.list_separators.split(groups["whom"]))
        return [name for name in (clean_name(n) for n in found) if _plausible_name(name, policy)]
    return []


def _plausible_name(name: str, policy: RedactionPolicy) -> bool:
    if not name or name.casefold() in policy.not_names or len(name) > 60 or len(name.split()) > 6:
        return False
    if any(c.isdigit() for c in name):
        return is_phone_name(name)  # "4 weitere Personen" is no name; a number is
    return any(c.isalpha() for c in name)


def unique_in_order(names: Iterable[str]) -> list[str]:
    """Names with repeats (by `name_key`) removed, first spelling kept."""
    seen: set[str] = set()
    out = []
    for name in names:
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out
