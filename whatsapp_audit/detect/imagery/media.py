"""What the attachment itself adds: its name, and EXIF facts when the zip carried the original file.

EXIF supports a judgement and never makes one: bonuses apply only when the surrounding talk already
scored, and absence of EXIF is normal (WhatsApp strips it from ordinary sends).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from whatsapp_audit.detect.imagery.scoring import Contribution, Evidence, minutes
from whatsapp_audit.detect.imagery.settings import Scoring
from whatsapp_audit.model import Attachment, Message

if TYPE_CHECKING:
    from whatsapp_audit.ingest.media import MediaFacts

_COORDS = re.compile(r"(?:[?&](?:q|ll|query)=|@)(-?\d{1,2}\.\d+),\s*(-?\d{1,3}\.\d+)")
_EARTH_M = 6_371_000.0


def base_name(name: str) -> str:
    """Zip members and attachment names are matched by base name (exports nest media differently)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def exif_evidence(ev: Evidence, facts: MediaFacts, message: Message, seq: Sequence[Message], s: Scoring) -> None:
    """Add what the file's EXIF supports, and record every EXIF fact a reviewer should see."""
    ev.details.append(("media", f"{facts.name} sha256 {facts.sha256 or 'unknown'} ({facts.size} bytes)"))
    if facts.note:
        ev.details.append(("media_note", facts.note))
    if facts.datetime_original is not None:
        _capture_time(ev, facts, facts.datetime_original, message, s)
    if facts.gps is not None:
        _gps(ev, facts.gps, message, seq, s)
    device = " ".join(v for v in (facts.make, facts.model) if v)
    if device:
        ev.details.append(("exif_device", f"{device} (links images to one handset model; many officers share models)"))
    if facts.software:
        ev.details.append(("exif_software", facts.software))
    if facts.library:
        ev.details.append(("exif_library", facts.library))


def _capture_time(ev: Evidence, facts: MediaFacts, taken: datetime, message: Message, s: Scoring) -> None:
    posted = message.timestamp.replace(tzinfo=None)
    gap = (posted - taken).total_seconds() / 60.0
    zone = f" {facts.offset_original}" if facts.offset_original else " (no time zone in the file)"
    ev.details.append(("exif_datetime", f"DateTimeOriginal {taken:%Y-%m-%d %H:%M:%S}{zone}"))
    if 0 <= gap <= s.exif_recent_minutes:
        ev.add(Contribution(f"EXIF: photo taken {round(gap)} min before it was posted (likely first-hand)",
                            s.exif_recent_capture, None, "exif"))
    elif gap > s.exif_old_days * 1440:
        ev.details.append(("exif_age", f"taken {gap / 1440:.1f} days before it was posted: older or re-shared"))
    elif gap < 0:
        ev.details.append(("exif_age", f"camera clock {round(-gap)} min after the message time (clock drift or zone)"))
    if taken.hour < 6 or taken.hour >= 22:
        ev.details.append(("exif_night", f"taken at night ({taken:%H:%M} camera time)"))


def _gps(ev: Evidence, gps: tuple[float, float], message: Message, seq: Sequence[Message], s: Scoring) -> None:
    ev.details.append(("exif_gps", f"{gps[0]:.5f}, {gps[1]:.5f}"))
    nearest: tuple[float, Message] | None = None
    for m in seq:
        if minutes(m, message) > s.prior_minutes:
            continue
        for lat, lon in _COORDS.findall(m.text):
            d = distance_m(gps, (float(lat), float(lon)))
            if nearest is None or d < nearest[0]:
                nearest = (d, m)
    if nearest is None:
        return
    d, m = nearest
    ev.details.append(("exif_gps_place", f"{round(d)} m from the location shared on line {m.line}"))
    if d <= s.exif_gps_metres:
        ev.add(Contribution(f"EXIF: GPS {round(d)} m from the location shared on line {m.line}",
                            s.exif_gps_near, None, "exif"))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine); GPS error of tens of metres is normal."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def attachment_notes(att: Attachment, has_file: bool) -> list[tuple[str, str]]:
    """Limitations a reviewer must know about this attachment."""
    if att.omitted:
        kind = "media of unknown type" if att.media_type.value == "unknown" else f"{att.media_type.value}"
        return [("not_examined", f"placeholder only ({kind}): the export does not include the file")]
    if not has_file:
        return [("not_examined", "the file is referenced but was not examined (not in the zip, or a text-only export)")]
    return []
