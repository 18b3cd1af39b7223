"""Render invented messages in each header shape of the export field guide, for round-trip tests.

Each renderer takes a datetime and returns the header exactly as that WhatsApp version writes it,
invisible characters included (written as escapes, because copy-paste loses them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

NNBSP = "\u202f"
NBSP = "\u00a0"
LRM = "\u200e"


def _h12(when: datetime) -> tuple[int, str]:
    hour = when.hour % 12 or 12
    return hour, "AM" if when.hour < 12 else "PM"


def _a3(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"{w:%d/%m/%Y}, {h}:{w:%M}{NNBSP}{ampm.lower()} - "


def _a4(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"{w.month}/{w.day}/{w:%y}, {h}:{w:%M} {ampm} - "


def _a7(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"{w:%Y-%m-%d}, {h}:{w:%M}{NNBSP}{'a.m.' if ampm == 'AM' else 'p.m.'} - "


def _a13(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"{w.day}/{w.month}/{w:%Y} {h}:{w:%M}{NBSP}{'a.' if ampm == 'AM' else 'p.'}{NBSP}m. - "


def _i9(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"[{w.month}/{w.day}/{w:%y}, {h}:{w:%M:%S}{NNBSP}{ampm}] "


def _i13(w: datetime) -> str:
    return f"[{w.year}/{w.month}/{w.day} {w:%H:%M:%S}] "


def _l2(w: datetime) -> str:
    h, ampm = _h12(w)
    return f"{w.month}/{w.day}/{w:%y}, {h}:{w:%M:%S} {ampm}: "


# shape id -> (renderer, date order to parse with, has seconds)
RENDERERS: dict[str, tuple[Callable[[datetime], str], str, bool]] = {
    "A1": (lambda w: f"{w:%d/%m/%Y, %H:%M} - ", "dmy", False),
    "A3": (_a3, "dmy", False),
    "A4": (_a4, "mdy", False),
    "A7": (_a7, "ymd", False),
    "A9": (lambda w: f"{w:%d.%m.%y, %H:%M} - ", "dmy", False),
    "A11": (lambda w: f"{w:%d/%m/%Y}, {w.hour}.{w:%M} - ", "dmy", False),
    "A12": (lambda w: f"{w:%d/%m/%Y} à {w:%H:%M} - ", "dmy", False),
    "A13": (_a13, "dmy", False),
    "klo": (lambda w: f"{w.day}.{w.month}.{w.year} klo {w:%H.%M} - ", "dmy", False),
    "I1": (lambda w: f"[{w:%d/%m/%Y, %H:%M:%S}] ", "dmy", True),
    "I4": (lambda w: f"[{w:%d/%m/%Y %H:%M:%S}] ", "dmy", True),
    "I5": (lambda w: f"[{w:%d-%m-%Y, %H:%M:%S}] ", "dmy", True),
    "I6": (lambda w: f"[{w:%d.%m.%y, %H:%M:%S}] ", "dmy", True),
    "I7": (lambda w: f"[{w:%d/%m/%y %H.%M.%S}] ", "dmy", True),
    "I9": (_i9, "mdy", True),
    "I13": (_i13, "ymd", True),
    "I14": (lambda w: f"[{w:%m-%d-%Y, %H:%M:%S}] ", "mdy", True),
    "L1": (lambda w: f"{w:%d/%m/%y, %H:%M:%S}: ", "dmy", True),
    "L2": (_l2, "mdy", True),
}
