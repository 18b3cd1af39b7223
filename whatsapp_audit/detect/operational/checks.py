"""Named validators for operational-data rules (`options.validator = "..."` in a pattern file).

A regex finds a candidate; its validator decides whether the candidate is really the thing (check
characters, age identifiers, prefixes, allowlisted numbers) and how to normalise it. Each takes the
match, the message and the rule's options, and returns a `Check` or None to drop the candidate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from whatsapp_audit.detect.operational import ukdata
from whatsapp_audit.model import Message, Severity

_SPACE = regex.compile(r"\s+")
SHOUT_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Check:
    """A validator's verdict on one candidate."""

    normalised: str
    validator: str | None = None
    severity: Severity | None = None  # overrides the rule's severity (e.g. administrative NINO)
    adjustments: tuple[tuple[str, float], ...] = ()


Validator = Callable[[regex.Match[str], Message, Mapping[str, Any], Sequence[Message]], Check | None]


def compact_upper(text: str) -> str:
    return _SPACE.sub("", text).upper()


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _group(match: regex.Match[str], name: str) -> str:
    try:
        return match.group(name) or ""
    except IndexError:
        return ""


def vrm_current(match: regex.Match[str], message: Message, options: Mapping[str, Any],
                neighbours: Sequence[Message]) -> Check | None:
    """Current-format plate: age identifier issued by the message's date; lower-case forms must
    be written without a space after the memory tag and not end in a unit such as 'hrs'."""
    written = match.group(0)
    if not written.isupper():
        if _group(match, "sp1") or _group(match, "rand").lower() in options.get("lowercase_stop", ()):
            return None
    age = int(match.group("age"))
    if not ukdata.vrm_age_valid(age, message.timestamp.date()):
        return None
    return Check(compact_upper(written), f"age identifier {age:02d} issued by {message.timestamp:%b %Y}")


def phonetic_vrm(match: regex.Match[str], message: Message, options: Mapping[str, Any],
                 neighbours: Sequence[Message]) -> Check | None:
    """A plate read out in the phonetic alphabet ('Alpha Bravo one two ...'), decoded and
    re-checked as a current or prefix-format plate."""
    alphabet: Mapping[str, str] = options.get("alphabet", {})
    decoded = []
    for word in regex.findall(r"[A-Za-z\-]+|\d", match.group(0)):
        symbol = word if word.isdigit() else alphabet.get(word.lower())
        if symbol is None:
            return None
        decoded.append(symbol)
    plate = "".join(decoded).upper()
    current = regex.fullmatch(r"[A-HJ-PR-Y]{2}(\d{2})[A-HJ-PR-Z]{3}", plate)
    if current and ukdata.vrm_age_valid(int(current.group(1)), message.timestamp.date()):
        return Check(plate, "phonetic read-out decodes to a current-format plate")
    if regex.fullmatch(r"[A-HJ-NPR-TV-Y][1-9]\d{0,2}[A-Z]{3}", plate):
        return Check(plate, "phonetic read-out decodes to a prefix-format plate")
    return None


def postcode(match: regex.Match[str], message: Message, options: Mapping[str, Any],
             neighbours: Sequence[Message]) -> Check | None:
    """Full postcode; lower-case candidates whose unit reads as an ordinal ('m6 2nd') are dropped."""
    written = match.group(0)
    compact = compact_upper(written)
    inward = compact[-3:]
    if not written.isupper() and inward[1:].lower() in options.get("lowercase_stop_units", ()):
        return None
    normalised = f"{compact[:-3]} {inward}"
    adjustments: tuple[tuple[str, float], ...] = ()
    if compact.startswith("ZZ99"):
        adjustments = (("NHS 'no postcode' pseudo-code", -0.4),)
    return Check(normalised, "postcode letter-position rules", adjustments=adjustments)


def nino(match: regex.Match[str], message: Message, options: Mapping[str, Any],
         neighbours: Sequence[Message]) -> Check | None:
    """NI number: prefix rules; administrative prefixes are low severity."""
    compact = compact_upper(match.group(0))
    prefix = compact[:2]
    if not ukdata.nino_prefix_valid(prefix, options.get("unallocated_prefixes", ())):
        return None
    if prefix in options.get("administrative_prefixes", ()):
        return Check(compact, f"administrative prefix {prefix}", Severity.LOW)
    return Check(compact, "NI number prefix rules")


def pnc(match: regex.Match[str], message: Message, options: Mapping[str, Any],
        neighbours: Sequence[Message]) -> Check | None:
    year, serial, check = match.group("year"), match.group("serial"), match.group("check")
    if not ukdata.pnc_valid(year, serial, check):
        return None
    adjustments = () if _group(match, "slash") else (("written without a slash", -0.2),)
    return Check(f"{year[-2:]}/{serial.lstrip('0') or '0'}{check.upper()}", "mod-23 check character",
                 adjustments=adjustments)


def cro(match: regex.Match[str], message: Message, options: Mapping[str, Any],
        neighbours: Sequence[Message]) -> Check | None:
    if _group(match, "sfyear"):
        year, serial, check = match.group("sfyear"), match.group("sfserial"), match.group("sfcheck")
        if not ukdata.cro_valid(serial, year, check, sf=True):
            return None
        return Check(f"SF{year}/{serial}{check.upper()}", "mod-23 check character (SF number)")
    serial, year, check = match.group("serial"), match.group("year"), match.group("check")
    if not ukdata.cro_valid(serial, year, check):
        return None
    return Check(f"{serial}/{year}{check.upper()}", "mod-23 check character")


def phone(match: regex.Match[str], message: Message, options: Mapping[str, Any],
          neighbours: Sequence[Message]) -> Check | None:
    """UK phone number, normalised; public helplines and Ofcom drama ranges are not flagged."""
    digits = ukdata.phone_digits(match.group(0))
    if digits in options.get("helplines", ()):
        return None
    if ukdata.starts_with_any(digits, options.get("fiction_prefixes", ())):
        return None
    kind = ukdata.phone_kind(digits)
    if kind is None:
        return None
    return Check(digits, f"{len(digits)}-digit {kind} number")


def dob(match: regex.Match[str], message: Message, options: Mapping[str, Any],
        neighbours: Sequence[Message]) -> Check | None:
    """Date of birth: the date must be in the past and give an age of 0-110."""
    when = message.timestamp.date()
    year = _group(match, "y")
    day, month = _group(match, "d"), _group(match, "m")
    months: Mapping[str, int] = options.get("months", {})
    if not day:  # "born 1989"
        born_year = int(year)
        if not 0 <= when.year - born_year <= 110:
            return None
        return Check(year, f"year of birth, age about {when.year - born_year}")
    found = ukdata.parse_date(day, month, year or str(when.year), dict(months))
    if found is None:
        return None
    born = ukdata.resolve_two_digit_year(found, year, when) if year else found
    age = ukdata.age_on(born, when)
    if born > when or not 0 <= age <= 110:
        return None
    return Check(born.isoformat(), f"date in the past, age {age}")


def person(match: regex.Match[str], message: Message, options: Mapping[str, Any],
           neighbours: Sequence[Message]) -> Check | None:
    """A name followed by an age, date of birth or address; words that are not names (teams,
    days, places) in `options.not_names` drop the candidate."""
    name = collapse(_group(match, "name"))
    not_names = options.get("not_names", ())
    if not name or any(part.lower() in not_names for part in regex.split(r"[\s\-']+", name)):
        return None
    age = _group(match, "age")
    if age and not 0 < int(age) <= 110:
        return None
    if _group(match, "dd"):  # a name and a date: only a date of birth if it is 10-110 years back
        when = message.timestamp.date()
        found = ukdata.parse_date(match.group("dd"), match.group("mm"), match.group("yy"), {})
        if found is None:
            return None
        born = ukdata.resolve_two_digit_year(found, match.group("yy"), when)
        if born > when or not 10 <= ukdata.age_on(born, when) <= 110:
            return None
        return Check(name, f"name with a date {ukdata.age_on(born, when)} years back (a date of birth)")
    return Check(name, "name with age, date of birth or address")


def marking(match: regex.Match[str], message: Message, options: Mapping[str, Any],
            neighbours: Sequence[Message]) -> Check | None:
    """Security marking in capitals. When the message around it is shouted in capitals, only a
    header-like marking counts: at the start of a line and alone there, or followed by a
    separator or a handling instruction. Looks at most SHOUT_CHARS each side, so a long message
    costs no more per candidate than a short one."""
    text, start, end = message.text, match.start(), match.end()
    near = max(0, start - SHOUT_CHARS)
    letters = [c for c in text[near:start] + text[end:end + SHOUT_CHARS] if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    if letters and upper / len(letters) > options.get("shouting_ratio", 0.6):
        line_start = text.rfind("\n", near, start) + 1 or near
        rest = text[end:end + SHOUT_CHARS].split("\n", 1)[0].strip().lower()
        header = not text[line_start:start].strip(" *_[(") and (
            not rest or rest[0] in "-–:|/" or rest.startswith(tuple(options.get("handling_words", ())))
        )
        if not header:
            return None
    return Check(collapse(match.group(0)).upper(), "security marking in capitals")


def needs_media(match: regex.Match[str], message: Message, options: Mapping[str, Any],
                neighbours: Sequence[Message]) -> Check | None:
    """Talk of police material counts only when a file is sent with the message or by the same
    author right next to it."""
    if message.attachments:
        return Check(collapse(match.group(0)).lower(), f"sent with {message.attachments[0].media_type.value}")
    for other in neighbours:
        if other.attachments and other.author == message.author:
            return Check(collapse(match.group(0)).lower(), "a file sent alongside by the same author")
    return None


VALIDATORS: dict[str, Validator] = {
    "vrm_current": vrm_current,
    "phonetic_vrm": phonetic_vrm,
    "postcode": postcode,
    "nino": nino,
    "pnc": pnc,
    "cro": cro,
    "phone": phone,
    "dob": dob,
    "person": person,
    "marking": marking,
    "needs_media": needs_media,
}
