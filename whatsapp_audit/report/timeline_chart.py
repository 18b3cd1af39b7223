"""The HTML report's timeline: findings per day (or week, or month) as a bar chart in inline SVG.

A table row per day does not scale to a year of chat; a chart does, and needs no script or remote
resource. Bars are stacked by category; each bar links to the report filtered to its dates
(`#from=...&to=...`). Only geometry and dates are computed here; the template draws it, escaped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from whatsapp_audit.model import Category
from whatsapp_audit.scan import ScanFinding
from whatsapp_audit.wording import plural

WIDTH = 960.0  # the SVG's own units; it scales to the page
PLOT_TOP = 14.0
PLOT_HEIGHT = 110.0
AXIS = 22.0
DAYS_UP_TO = 120  # one bar per day up to this many days, then per week
WEEKS_UP_TO = 3 * 365  # then per month
MAX_TICKS = 12
MAX_SLOT = 40.0  # a few days still draw as bars, not as blocks across the page


@dataclass(frozen=True)
class Segment:
    category: str
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    start: date
    end: date
    label: str  # "2024-05-02", "week of 2024-04-29", "May 2024"
    total: int
    x: float
    width: float
    segments: tuple[Segment, ...]

    @property
    def fragment(self) -> str:
        """The report's URL fragment that filters the findings to this bar's dates."""
        return f"#from={self.start.isoformat()}&to={self.end.isoformat()}"

    @property
    def title(self) -> str:
        return f"{self.label}: {plural(self.total, 'finding')}"


@dataclass(frozen=True)
class Chart:
    unit: str  # "day", "week" or "month"
    bars: tuple[Bar, ...]  # every period from the first finding to the last, empty ones included
    ticks: tuple[tuple[float, str, str], ...]  # (x, date label, SVG text-anchor) under the axis
    largest: int
    width: float = WIDTH
    height: float = PLOT_TOP + PLOT_HEIGHT + AXIS
    baseline: float = PLOT_TOP + PLOT_HEIGHT

    @property
    def busiest(self) -> list[Bar]:
        """The periods with most findings (at most five), most first: the chart in words, for print."""
        return sorted((b for b in self.bars if b.total), key=lambda b: (-b.total, b.start))[:5]


def _period(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _next(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _label(start: date, unit: str) -> str:
    return {"day": start.isoformat(), "week": f"week of {start.isoformat()}", "month": start.strftime("%B %Y")}[unit]


def timeline_chart(findings: list[ScanFinding] | tuple[ScanFinding, ...]) -> Chart | None:
    """The chart of these findings by date (the export's local dates), or None when there are none."""
    if not findings:
        return None
    days = [item.timestamp.date() for item in findings]
    span = (max(days) - min(days)).days + 1
    unit = "day" if span <= DAYS_UP_TO else "week" if span <= WEEKS_UP_TO else "month"
    counts: dict[date, Counter[str]] = {}
    for item, day in zip(findings, days, strict=True):
        counts.setdefault(_period(day, unit), Counter())[item.finding.category.value] += 1
    starts = []
    cursor, last = _period(min(days), unit), _period(max(days), unit)
    while cursor <= last:
        starts.append(cursor)
        cursor = _next(cursor, unit)
    largest = max(sum(c.values()) for c in counts.values())
    slot = min(WIDTH / len(starts), MAX_SLOT)
    bars = []
    for position, start in enumerate(starts):
        found = counts.get(start, Counter())
        y = PLOT_TOP + PLOT_HEIGHT
        segments = []
        for category in Category:
            n = found.get(category.value, 0)
            if n:
                height = PLOT_HEIGHT * n / largest
                y -= height
                segments.append(Segment(category.value, round(y, 2), round(height, 2)))
        end = _next(start, unit) - timedelta(days=1)
        bars.append(Bar(start, end, _label(start, unit), sum(found.values()), round(position * slot, 2),
                        round(max(slot * 0.8, 1.0), 2), tuple(segments)))
    return Chart(unit, tuple(bars), _ticks(bars, unit, slot), largest)


def _ticks(bars: list[Bar], unit: str, slot: float) -> tuple[tuple[float, str, str], ...]:
    """Date labels under the axis: the first period, then month (or year) starts, at most MAX_TICKS."""
    if len(bars) <= MAX_TICKS:
        candidates = list(range(len(bars)))
    else:
        candidates = [0] + [i for i, bar in enumerate(bars) if i and (
            bar.start.month != bars[i - 1].start.month if unit != "month" else bar.start.month == 1)]
    step = max(1, -(-len(candidates) // MAX_TICKS))
    ticks = []
    for i in candidates[::step]:
        start = bars[i].start
        text = start.isoformat() if unit != "month" else start.strftime("%b %Y")
        x = i * slot
        # a label that would run off the right edge ends at its bar's right edge instead
        ticks.append((round(x + slot, 2), text, "end") if x + 80 > WIDTH else (round(x, 2), text, "start"))
    return tuple(ticks)
