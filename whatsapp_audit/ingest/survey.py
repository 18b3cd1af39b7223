"""Read the whole file once to settle its header shape, its header style and its date order.

Day/month order can only be settled from the whole file: `03/04/2022` is ambiguous, and a single
`14/03/2022` anywhere settles it. When no date has a day above 12, time running forwards decides
(messages are written in time order, so the wrong order makes dates jump backwards); when even that
cannot decide, the survey says so and the user can pass `--date-order`.

Speed: the style is read from the first block of headers (an export is written in one style);
the evidence for the date order is then looked for in every block with one regex search each, in
C. Only a file that shows no day above 12 anywhere is read again header by header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from whatsapp_audit import native
from whatsapp_audit.errors import InputError
from whatsapp_audit.ingest.lines import count_lf, decode_block
from whatsapp_audit.ingest.shapes import (
    ABOVE_12,
    MARKS,
    SHAPES,
    SHAPES_BY_NAME,
    HeaderStyle,
    Shape,
    date_parts,
    strict_regex,
    style_of,
)

DATE_ORDERS = ("dmy", "mdy", "ymd")
SAMPLE_HEADERS = 2_000
_CHRONOLOGY_SAMPLE = 50_000
_HEADER_START = frozenset("0123456789[") | frozenset("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")


@dataclass
class _Tally:
    """Evidence for one (shape, style) seen in the file."""

    count: int = 0
    first_line: int = 0
    first_above_12: int | None = None  # line of the first header whose first number is > 12
    second_above_12: int | None = None
    first_above_count: int = 0
    second_above_count: int = 0
    named_votes: dict[str, int] = field(default_factory=lambda: {"dmy": 0, "mdy": 0})  # file-name dates
    dates: list[tuple[int, int, int]] = field(default_factory=list)  # (a, b, c) when the date changes


@dataclass(frozen=True)
class FormatSurvey:
    """What the whole file says about its own format."""

    shape: Shape
    style: HeaderStyle
    date_order: str  # "dmy", "mdy" or "ymd"
    order_settled: bool
    order_evidence: str  # one sentence a user can check

    @property
    def minute_precision(self) -> bool:
        return not self.style.seconds


Blocks = Callable[[], Iterator[str | bytes]]  # text, or raw UTF-8 blocks (lines.iter_raw_blocks), decoded when read


def _text(block: str | bytes) -> str:
    return block if isinstance(block, str) else decode_block(block)


def survey(open_blocks: Blocks, source: str, date_order: str | None = None, dated_name: Any = None) -> FormatSurvey:
    """Survey the text that `open_blocks()` yields; raise InputError if no line is a header.

    `dated_name` finds media file names that carry their date year first (groups y, m, d): when
    no day above 12 settles the order, they are compared with the headers' dates."""
    tallies: dict[tuple[str, HeaderStyle], _Tally] = {}
    chosen: tuple[str, HeaderStyle] | None = None
    searches: list[Search] = []
    line_offset = 0
    for raw in open_blocks():
        if chosen is None:
            block = _text(raw)
            _tally_lines(block.split("\n"), line_offset, tallies)
            if sum(t.count for t in tallies.values()) >= SAMPLE_HEADERS:
                chosen = _dominant(tallies)
                searches = _evidence_searches(*chosen)
        elif _may_hold_evidence(raw, tallies[chosen], searches, chosen[1].date_sep):
            block = _text(raw)
            _search_evidence(block, line_offset, tallies[chosen], searches, chosen[1].date_sep)
        line_offset += (raw.count("\n") if isinstance(raw, str) else count_lf(raw)) + 1  # (an LF is one byte in UTF-8)
    if not tallies:
        raise InputError(f"{source}: no WhatsApp message headers found (not a chat export, or a format this version does not know)")
    complete = chosen is None  # every header was tallied
    if chosen is None:
        chosen = _dominant(tallies)  # the whole file was sampled line by line
    tally = tallies[chosen]
    shape_name, style = chosen
    unsettled = (tally.first_above_12 is None) == (tally.second_above_12 is None)  # no evidence, or both
    if date_order is None and not style.year_first and unsettled:
        tally = _exact_tally(open_blocks, shape_name, style, dated_name)  # read every header to weigh it
        complete = True
    order, settled, evidence = _date_order(style, tally, date_order)
    if complete and len(tally.dates) < _CHRONOLOGY_SAMPLE and not any(_possible(d, order) for d in tally.dates):
        raise InputError(unreadable_headers(source, order))
    shape = SHAPES_BY_NAME[shape_name]
    return FormatSurvey(shape, style, order, settled, evidence)


def _tally_lines(lines: Iterable[str], line_offset: int, tallies: dict[tuple[str, HeaderStyle], _Tally]) -> None:
    styles: dict[tuple[object, ...], HeaderStyle] = {}
    for line_no, line in enumerate(lines, start=line_offset + 1):
        head = line[:1]
        if head in MARKS:
            head = line.lstrip(MARKS)[:1]
        if head not in _HEADER_START:
            continue
        for shape in SHAPES:
            match = shape.regex.match(line)
            if match is None:
                continue
            ds, d1, d3, sec, ts, ampm, pre = match.group("ds", "d1", "d3", "s", "ts", "ampm", "pre")
            spelling = (ds, len(d1), len(d3), sec is None, ts, ampm, pre)
            style = styles.get(spelling)
            if style is None:
                style = styles[spelling] = style_of(match)
            tally = tallies.get((shape.name, style))
            if tally is None:
                tally = tallies[(shape.name, style)] = _Tally(first_line=line_no)
            _record(tally, line_no, int(d1), int(match["d2"]), int(d3))
            break


def _dominant(tallies: dict[tuple[str, HeaderStyle], _Tally]) -> tuple[str, HeaderStyle]:
    return max(tallies, key=lambda key: (tallies[key].count, -tallies[key].first_line))


Search = tuple[str, re.Pattern[str], re.Pattern[str]]


def _evidence_searches(shape_name: str, style: HeaderStyle) -> list[Search]:
    """Each search as two regexes: the header at the start of a block, and LF + header after it.
    A pattern that opens with a literal LF is searched for with a fast scan for that character; a
    MULTILINE `^` is tried at every position (half the survey's time on a file whose order is
    settled by one of the two numbers only, so that the other is looked for to the end)."""
    if style.year_first:
        return []
    shape = SHAPES_BY_NAME[shape_name]
    searches: list[Search] = []
    for which, pattern in (("first", strict_regex(shape, style, first=ABOVE_12)),
                           ("second", strict_regex(shape, style, second=ABOVE_12))):
        assert pattern.pattern.startswith("^")
        searches.append((which, pattern, re.compile("\n" + pattern.pattern[1:], pattern.flags)))
    return searches


def _may_hold_evidence(block: str | bytes, tally: _Tally, searches: list[Search], date_sep: str) -> bool:
    """Whether a search still open can find its number in `block`. The C accelerator turns away a
    block where no header can hold it (`may_hold_date`: a scan for the separator beside a number
    above 12, a superset of the regex; on raw UTF-8 bytes, without decoding them), so that a file
    settled by one of the two numbers is not decoded and searched line by line to its end for the
    other. Without it, every block with a search open is searched."""
    module = native.accelerator()
    return any(getattr(tally, f"{which}_above_12") is None
               and (module is None or module.may_hold_date(block, date_sep, which == "second"))
               for which, _pattern, _after_newline in searches)


def _search_evidence(block: str, line_offset: int, tally: _Tally, searches: list[Search], date_sep: str) -> None:
    module = native.accelerator()
    for which, pattern, after_newline in searches:
        if getattr(tally, f"{which}_above_12") is not None:
            continue
        if module is not None and not module.may_hold_date(block, date_sep, which == "second"):
            continue  # (see _may_hold_evidence)
        if pattern.match(block) is not None:
            setattr(tally, f"{which}_above_12", line_offset + 1)
            continue
        match = after_newline.search(block)
        if match is not None:
            setattr(tally, f"{which}_above_12", line_offset + block.count("\n", 0, match.start()) + 2)


def _exact_tally(open_blocks: Blocks, shape_name: str, style: HeaderStyle, dated_name: Any) -> _Tally:
    shape = SHAPES_BY_NAME[shape_name]
    regex = strict_regex(shape, style)
    tally = _Tally()
    line_offset = 0
    for raw in open_blocks():
        block = _text(raw)
        for match in regex.finditer(block):
            line_no = line_offset + block.count("\n", 0, match.start()) + 1
            a, b, c = int(match["d1"]), int(match["d2"]), int(match["d3"])
            _record(tally, line_no, a, b, c)
            named = dated_name.search(match["rest"]) if dated_name is not None else None
            if named is not None and int(named["y"]) % 100 == c % 100:
                month, day = int(named["m"]), int(named["d"])
                tally.named_votes["dmy"] += (a, b) == (day, month)
                tally.named_votes["mdy"] += (a, b) == (month, day)
        line_offset += block.count("\n") + 1
    return tally


def _record(tally: _Tally, line_no: int, a: int, b: int, c: int) -> None:
    tally.count += 1
    if a > 12:
        tally.first_above_count += 1
        if tally.first_above_12 is None:
            tally.first_above_12 = line_no
    if b > 12:
        tally.second_above_count += 1
        if tally.second_above_12 is None:
            tally.second_above_12 = line_no
    dates = tally.dates
    if len(dates) < _CHRONOLOGY_SAMPLE and (not dates or dates[-1] != (a, b, c)):
        dates.append((a, b, c))


def _date_order(style: HeaderStyle, tally: _Tally, forced: str | None) -> tuple[str, bool, str]:
    if forced is not None:
        return forced, True, f"set by --date-order {forced}"
    if style.year_first:
        return "ymd", True, "the year is written first"
    day_first, month_first = tally.first_above_12, tally.second_above_12
    if day_first is not None and month_first is None:
        return "dmy", True, f"the first number is above 12 (first at line {day_first}), so it is the day"
    if month_first is not None and day_first is None:
        return "mdy", True, f"the second number is above 12 (first at line {month_first}), so it is the day"
    votes = tally.named_votes
    if day_first is None and month_first is None and votes["dmy"] != votes["mdy"]:
        order = "dmy" if votes["dmy"] > votes["mdy"] else "mdy"
        return order, True, (
            f"no number above 12; media file names carry their dates year first, and "
            f"{max(votes.values())} agree with the headers read as {order} ({min(votes.values())} as the other order)"
        )
    backwards = {order: _backward_jumps(tally.dates, order) for order in ("dmy", "mdy")}
    if day_first is not None and month_first is not None:
        order = "dmy" if tally.first_above_count >= tally.second_above_count else "mdy"
        return order, False, (
            f"contradictory: the first number is above 12 in {tally.first_above_count} headers (first at line "
            f"{day_first}) and the second in {tally.second_above_count} (first at line {month_first}); "
            f"assumed {order}, the majority; headers impossible in that order are reported as unparsed"
        )
    if backwards["dmy"] != backwards["mdy"]:
        order = min(backwards, key=lambda o: backwards[o])
        other = "mdy" if order == "dmy" else "dmy"
        return order, True, (
            f"no number above 12; time runs forwards as {order} "
            f"({backwards[order]} backward jumps against {backwards[other]} as {other})"
        )
    return "dmy", False, "cannot be settled: no number above 12 and time order does not decide; assumed day first (UK)"


def unreadable_headers(source: str, date_order: str) -> str:
    """The one-line error for a file whose only headers are unreadable (not an empty success)."""
    return (f"{source}: every message header has an impossible date or time (read as {date_order}), "
            "so no message can be read; not a WhatsApp export this version can read")


def _possible(date: tuple[int, int, int], order: str) -> bool:
    year, month, day = date_parts(*date, order)
    try:
        datetime(year, month, day)
    except ValueError:
        return False
    return True


def _backward_jumps(dates: list[tuple[int, int, int]], order: str) -> int:
    keys = [(c, b, a) if order == "dmy" else (c, a, b) for a, b, c in dates]
    return sum(1 for earlier, later in pairwise(keys) if later < earlier)
