"""The header shapes of WhatsApp exports, and turning a matched header into its parts.

A header is the date and time that opens each message. The shapes differ by platform and era
(Android `14/03/2022, 18:05 - `, iOS `[14/03/2022, 18:05:09] `, legacy iOS `14/03/14, 18:05:09: `)
and every locale varies the pieces: date separator, year first, dot times, `à` or `klo` between
date and time, 12-hour markers written `PM`, `p. m.`, `pm` after U+202F, `下午` or `م`, and
Arabic-Indic digits. One regex per shape captures the pieces; `HeaderStyle` records the pieces'
spelling so that a date-shaped line pasted inside a message, in another style, is not taken for a
header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any

# Invisible marks seen before and inside headers (LRM, RLM, embeddings, isolates, ZWSP, BOM, ALM).
MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff\u061c"
_M = f"[{MARKS}]*"
_S = "[ \u00a0\u202f\u2009]"  # spaces: plain, no-break, narrow no-break, thin
_AMPM_AFTER = r"[AaPp]\.?" + _S + r"?[Mm]\.?|上午|下午|午前|午後|오전|오후|ص|م"
_AMPM_BEFORE = "上午|下午|午前|午後|오전|오후"
PM_MARKERS = frozenset({"p", "下午", "午後", "오후", "م"})


def _date(sep: str = "[./-]", first: str = r"\d{1,4}", last: str = r"\d{1,4}", second: str = r"\d{1,2}") -> str:
    return rf"(?P<d1>{first}){_M}(?P<ds>{sep}){_M}(?P<d2>{second}){_M}(?P=ds){_M}(?P<d3>{last}){_M}"


_DT_SEP = rf"(?P<dts>[,،]{_S}*(?:klo{_S}+)?|{_S}+(?:(?:à|klo){_S}+)?)"
_AMPM_BY_CLOCK = {
    "am/pm": r"[AaPp][Mm]",
    "a.m.": r"[AaPp]\." + _S + r"?[Mm]\.?",
    "cjk": "上午|下午|午前|午後|오전|오후",
    "arabic": "ص|م",
}


def _time(seconds: str = "?", sep: str = "[:.]", clock: str | None = None) -> str:
    """The time part. `seconds`: "?" optional, "" required, "forbid" never; `clock` None accepts
    any 12/24-hour spelling, else exactly that clock."""
    seconds_part = rf"(?:(?P=ts)(?P<s>\d{{2}})){seconds}"
    if seconds == "forbid":  # the group can never match, so a time with seconds is no header
        seconds_part = r"(?:(?P=ts)(?P<s>\d{2})(?!))?"
    before = after = ""
    if clock is None:
        before = rf"(?:(?P<pre>{_AMPM_BEFORE}){_S}*)?"
        after = rf"(?:{_S}*(?P<ampm>{_AMPM_AFTER}))?"
    elif clock == "cjk":
        before = rf"(?:(?P<pre>{_AMPM_BY_CLOCK['cjk']}){_S}*)?"
        after = rf"(?:{_S}*(?P<ampm>{_AMPM_BY_CLOCK['cjk']}))?"
    elif clock != "24h":
        after = rf"{_S}*(?P<ampm>{_AMPM_BY_CLOCK[clock]})"
    if "pre" not in before:
        before += "(?P<pre>(?!))?"
    if "ampm" not in after:
        after += "(?P<ampm>(?!))?"
    return (
        rf"{before}(?P<h>\d{{1,2}})(?P<ts>{sep})(?P<mi>\d{{2}}){seconds_part}{after}{_M}"
    )


@dataclass(frozen=True)
class Shape:
    """One family of header layouts, e.g. Android's `DATE, TIME - `."""

    name: str
    description: str
    source: str  # the header regex, compiled when first used (`regex`)
    is_export: bool = True  # False for text copied from the chat view or a desktop viewer

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use: an export's survey usually needs one or two of the shapes, and
        compiling all of them (and `any_header`) was a thirtieth of a second of every command's start."""
        return re.compile(self.source)


_LAYOUTS: dict[str, tuple[str, str, bool, bool]] = {
    # name: (description, layout with {date}, {sep}, {time}; seconds required?, is an export?)
    "android": ("Android: DATE, TIME - Name: text", rf"^{_M}{{date}}{{sep}}{{time}}{_S}*[-–]{_S}(?P<rest>.*)", False, True),
    "ios": ("iOS: [DATE, TIME] Name: text", rf"^{_M}\[{_M}{{date}}{{sep}}{{time}}\]{_S}?(?P<rest>.*)", False, True),
    "ios-legacy": ("iOS before 2017: DATE, TIME: Name: text", rf"^{_M}{{date}}{{sep}}{{time}}:{_S}(?P<rest>.*)", True, True),
    "chat-view": (
        "copied from the chat view, not an export: [TIME, DATE] Name: text",
        rf"^{_M}\[{{time}},{_S}*{{date}}\]{_S}?(?P<rest>.*)",
        False,
        False,
    ),
    "whatsapp-viewer": (
        "WhatsApp Viewer output, not an export: DATE - TIME; Name: text",
        rf"^{_M}{{date}}{_S}*-{_S}*{{time}};{_S}(?P<rest>.*)",
        False,
        False,
    ),
}


def _shape(name: str) -> Shape:
    description, layout, seconds_required, is_export = _LAYOUTS[name]
    time = _time("" if seconds_required else "?")
    return Shape(name, description, layout.format(date=_date(), sep=_DT_SEP, time=time), is_export)


SHAPES: tuple[Shape, ...] = tuple(_shape(name) for name in _LAYOUTS)



def _unnamed(pattern: str) -> str:
    pattern = re.sub(r"\(\?P<\w+>", "(?:", pattern)
    return re.sub(r"\(\?P=\w+\)", "[./:-]", pattern)


@cache
def any_header() -> re.Pattern[str]:
    """Any header of any shape and style, for counting header-like lines kept inside messages
    (compiled when an export first has a message of several lines)."""
    return re.compile("|".join(f"(?:{_unnamed(s.source)})" for s in SHAPES), re.MULTILINE)


SHAPES_BY_NAME = {shape.name: shape for shape in SHAPES}


@dataclass(frozen=True)
class HeaderStyle:
    """How a file spells its headers; all real headers of one export share one style."""

    date_sep: str
    year_first: bool
    year_digits: int
    seconds: bool
    time_sep: str
    clock: str  # "24h", or the 12-hour marker's spelling: "am/pm" (any case), "a.m.", "cjk", "arabic"


def style_of(match: re.Match[str]) -> HeaderStyle:
    d1, d3 = match["d1"], match["d3"]
    year_first = len(d1) == 4
    return HeaderStyle(
        date_sep=match["ds"],
        year_first=year_first,
        year_digits=len(d1) if year_first else len(d3),
        seconds=match["s"] is not None,
        time_sep=match["ts"],
        clock=_clock(match["ampm"] or match["pre"]),
    )


ABOVE_12 = r"(?:0?1[3-9]|0?2\d|0?3[01])"  # a day that cannot be a month


def strict_regex(shape: Shape, style: HeaderStyle, first: str | None = None, second: str | None = None) -> re.Pattern[str]:
    """A header regex that matches only `style`, compiled MULTILINE to scan whole blocks of text.

    The parse pass uses it so that a date-shaped line in another style (text pasted into a
    message) stays message text. `first`/`second` narrow the first or second date number, which
    is how the survey looks for a day above 12 without a Python step per line.
    """
    _, layout, _, _ = _LAYOUTS[shape.name]
    year = rf"\d{{{style.year_digits}}}"
    date = _date(
        re.escape(style.date_sep),
        first or (year if style.year_first else r"\d{1,2}"),
        r"\d{1,2}" if style.year_first else year,
        second or r"\d{1,2}",
    )
    time = _time("" if style.seconds else "forbid", re.escape(style.time_sep), style.clock)
    return re.compile(layout.format(date=date, sep=_DT_SEP, time=time), re.MULTILINE)


def _clock(marker: str | None) -> str:
    if marker is None:
        return "24h"
    if marker in ("ص", "م"):
        return "arabic"
    if not marker[0].isascii():
        return "cjk"
    if "." in marker:
        return "a.m."
    return "am/pm"


def hour_24(hour: int, marker: str | None) -> int:
    """Convert a 12-hour clock reading to 24 hours (12 AM is midnight, 12 PM is noon)."""
    if marker is None:
        return hour
    is_pm = marker[0].lower() == "p" or marker in PM_MARKERS
    hour %= 12
    return hour + 12 if is_pm else hour


class Timestamper:
    """Turns header matches into timestamps under one date order, caching each distinct date
    (a chat has a few thousand days and a million messages)."""

    def __init__(self, order: str) -> None:
        self.order = order
        self._dates: dict[tuple[str, str, str], tuple[int, int, int]] = {}

    def __call__(self, match: re.Match[str]) -> datetime | None:
        """The header's timestamp, or None if the date or time is impossible."""
        return self.of_parts(match.group("d1", "d2", "d3", "h", "mi", "s", "ampm", "pre"))

    def of_parts(self, parts: tuple[str | Any, ...]) -> datetime | None:
        """The same from the groups d1, d2, d3, h, mi, s, ampm, pre (as `match.group(...)` gives them)."""
        d1, d2, d3, hour, minute, second, ampm, pre = parts
        key = (d1, d2, d3)
        ymd = self._dates.get(key)
        if ymd is None:
            ymd = self._dates[key] = date_parts(int(d1), int(d2), int(d3), self.order)
        try:
            hours = int(hour) if ampm is None and pre is None else hour_24(int(hour), ampm or pre)
            return datetime(ymd[0], ymd[1], ymd[2], hours, int(minute), int(second) if second else 0)
        except ValueError:
            return None


def date_parts(a: int, b: int, c: int, order: str) -> tuple[int, int, int]:
    """(year, month, day) of a header's three date numbers read in `order`; not yet checked."""
    if order == "ymd":
        year, month, day = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    else:
        day, month, year = a, b, c
    return (year + 2000 if year < 100 else year), month, day
