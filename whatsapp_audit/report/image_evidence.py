"""What a photo's own EXIF says, as one line every report prints beside the finding's reason.

"taken 1 min before it was posted, 11 m from the location shared on line 5" is often the strongest
fact about an image, so it is not left inside a finding's details: the terminal, `check`, CSV
(columns `exif_taken`, `exif_gps`) and HTML all show it. The facts are read from the finding's
explanation details, as the imagery detector recorded them (`exif_datetime`, `exif_gps`,
`exif_gps_place`); nothing is re-read from the file and no detection is re-run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from whatsapp_audit.scan import ScanFinding
from whatsapp_audit.wording import plural

_TAKEN = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


@dataclass(frozen=True)
class ExifEvidence:
    """The EXIF facts of a flagged image, each as a reviewer reads it (None when the file had none)."""

    taken: str | None  # "2024-05-02 01:11:58 +01:00", as the camera wrote it
    taken_gap: str | None  # "1 min before it was posted"
    gps: str | None  # "53.79618, -1.75871"
    place: str | None  # "11 m from the location shared on line 5"

    @property
    def taken_text(self) -> str:
        """The capture time and how it compares with the message time (the CSV `exif_taken` cell)."""
        return ", ".join(part for part in (self.taken, self.taken_gap) if part)

    @property
    def gps_text(self) -> str:
        """The position and how it compares with a location shared in the chat (the CSV `exif_gps` cell)."""
        return ", ".join(part for part in (self.gps, self.place) if part)

    def line(self) -> str:
        """"EXIF: taken 2024-05-02 01:11:58 +01:00, 1 min before it was posted; GPS 53.79618, -1.75871, 11 m ..."."""
        parts = [f"taken {self.taken_text}" if self.taken_text else "", f"GPS {self.gps_text}" if self.gps_text else ""]
        return "EXIF: " + "; ".join(part for part in parts if part)

    def plain(self) -> str:
        """For an officer (`check`): when it was taken and where, compared with the chat, no coordinates."""
        parts = [f"taken {self.taken_gap}" if self.taken_gap else (f"taken {self.taken}" if self.taken else ""),
                 self.place or ("it carries a GPS position" if self.gps else "")]
        return "The photo's own data (EXIF) says it was " + ", ".join(part for part in parts if part) + "."


def exif_evidence(item: ScanFinding, redacted: bool = False) -> ExifEvidence | None:
    """The EXIF facts the detector recorded for this finding's image, or None when there are none.

    `redacted` (a `scan --redact` report): the coordinates are left out, where the photo was taken
    being as telling as an address; how far it was from a location shared in the chat stays."""
    details = dict(item.finding.explanation.details)
    raw_taken = details.get("exif_datetime")
    gps = details.get("exif_gps")
    if raw_taken is None and gps is None:
        return None
    if redacted and gps is not None:
        gps = "(coordinates redacted)"
    taken = raw_taken.removeprefix("DateTimeOriginal ").strip() if raw_taken else None
    return ExifEvidence(taken=taken, taken_gap=_gap(raw_taken, item.timestamp) if raw_taken else None,
                        gps=gps, place=details.get("exif_gps_place"))


def _gap(raw: str, posted: datetime) -> str | None:
    """How long before the message the photo was taken, by the camera's clock against the export's."""
    found = _TAKEN.search(raw)
    if found is None:
        return None
    taken = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S")
    minutes = (posted.replace(tzinfo=None) - taken).total_seconds() / 60
    if 0 <= minutes < 0.5:
        return "less than a minute before it was posted"
    if -0.5 < minutes < 0:
        return "within a minute of when it was posted"
    if minutes > 0:
        return f"{_span(minutes)} before it was posted"
    return f"{_span(-minutes)} after the message time (the camera clock is ahead, or in another time zone)"


def _span(minutes: float) -> str:
    if minutes < 90:
        return f"{round(minutes)} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return plural(round(minutes / 1440), "day")
