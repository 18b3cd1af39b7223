"""Validators for UK police data formats: pure functions over strings and dates.

Public facts: plate age identifiers (DVLA INF104), the mod-23 check character of PNC and CRO ids,
NI number prefix rules (HMRC NIM39110), telephone normalisation (Ofcom's numbering plan). Word lists
(helplines, drama ranges, prefixes) are passed in from the pattern files, never written here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

import regex

CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"  # mod-23 check characters: I, O and S are skipped
_NOT_DIGIT = regex.compile(r"\D")


def vrm_age_valid(age: int, when: date) -> bool:
    """True if a current-format age identifier had been issued by `when`.

    March-August plates carry the year (`24`), September-February the year + 50 (`74`); the first
    was `51` (September 2001), and `00`, `01` and `50` were never issued.
    """
    yy = when.year % 100
    latest_march = yy if when.month >= 3 else yy - 1
    latest_september = (yy if when.month >= 9 else yy - 1) + 50
    return 2 <= age <= latest_march or 51 <= age <= latest_september


def pnc_valid(year: str, serial: str, check: str) -> bool:
    """PNC id check: the 2-digit year + serial padded to 7 digits, mod 23."""
    if not serial or len(serial) > 7:
        return False
    return CHECK_ALPHABET[int(year[-2:] + serial.zfill(7)) % 23] == check.upper()


def cro_valid(serial: str, year: str, check: str, *, sf: bool = False) -> bool:
    """CRO number check: year + serial (padded to 6, or as written for SF numbers), mod 23."""
    if not serial or len(serial) > 6:
        return False
    digits = year + (serial if sf else serial.zfill(6))
    return CHECK_ALPHABET[int(digits) % 23] == check.upper()


def nino_prefix_valid(prefix: str, unallocated: Collection[str]) -> bool:
    """NI number prefix rules: no D, F, I, Q, U, V; second letter not O; not an unallocated pair."""
    pair = prefix.upper()
    if len(pair) != 2:  # a pack's own regex may match less than a whole NI number
        return False
    first, second = pair[0], pair[1]
    if first in "DFIQUV" or second in "DFIQUVO":
        return False
    return prefix.upper() not in unallocated


def phone_digits(raw: str) -> str:
    """Normalise a written phone number to national digits: `+44 (0)20 ...` -> `020...`."""
    text = raw.strip()
    digits = _NOT_DIGIT.sub("", text)
    international = text.startswith(("+44", "0044")) or (text.startswith("44") and len(digits) == 12)
    if international:
        digits = digits[4:] if digits.startswith("0044") else digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
        elif digits.startswith("00"):
            digits = digits[1:]
    return digits


def phone_kind(digits: str) -> str | None:
    """What a national number is (mobile, geographic ...), or None if it is not a valid shape."""
    if len(digits) not in (10, 11) or not digits.startswith("0"):
        return None
    second = digits[1]
    if second == "7":
        return "mobile" if len(digits) == 11 else None
    kinds = {"1": "geographic", "2": "geographic", "3": "UK-wide", "5": "corporate",
             "8": "freephone or special rate", "9": "premium rate"}
    if second not in kinds:
        return None
    if second in "2357" and len(digits) != 11:
        return None
    return kinds[second]


def starts_with_any(digits: str, prefixes: Iterable[str]) -> bool:
    return any(digits.startswith(prefix) for prefix in prefixes)


def parse_date(day: str, month: str, year: str, month_names: dict[str, int]) -> date | None:
    """A date from its written parts (month as digits or a name); two-digit years are resolved
    later against the message date, so they come back as years 00-99."""
    try:
        d = int(day)
        m = int(month) if month.isdigit() else month_names.get(month.lower()[:3], 0)
        y = int(year)
        return date(y if y >= 100 else 2000 + y, m, d)
    except ValueError:
        return None


def resolve_two_digit_year(found: date, written_year: str, when: date) -> date:
    """`12/03/88` is 1988 and `12/03/09` is 2009 when written in 2024: a year after the message's
    year is last century; a later date in the message's own year stays in the future (an event,
    which the callers reject as a date of birth)."""
    if len(written_year) > 2:
        return found
    try:
        candidate = found.replace(year=2000 + found.year % 100)
        if candidate.year > when.year:
            candidate = candidate.replace(year=candidate.year - 100)
    except ValueError:  # 29 February in a year that has none
        return found
    return candidate


def age_on(born: date, when: date) -> int:
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))
