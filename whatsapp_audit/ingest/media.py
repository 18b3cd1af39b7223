"""Facts about the media files inside a zip export: hash, size and the EXIF a reviewer can weigh.

Read in place through `export.read_media(name, limit)` (bounded, never extracted to disk), hashed
before parsing, and parsed with ExifRead, which reads metadata only (pure Python, never decodes
pixels, reads HEIC). A file that cannot be read is recorded as "not examined", never an error:
exports carry hostile and truncated files, and one bad file must not stop an audit.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

_LOG = logging.getLogger(__name__)

# Formats ExifRead can read; anything else is hashed and noted, not parsed.
EXIF_EXTENSIONS = frozenset({"jpg", "jpeg", "tif", "tiff", "heic", "heif", "png", "webp", "dng", "jxl"})
DEFAULT_LIMIT = 64 * 1024 * 1024  # a bigger member is hashed by the export layer only, not parsed here


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What one zip member shows without looking at its pixels."""

    name: str
    size: int
    sha256: str | None
    examined: bool  # False: not read or not parseable (the note says why)
    note: str = ""
    datetime_original: datetime | None = None  # EXIF DateTimeOriginal, camera clock, no zone
    offset_original: str | None = None  # EXIF OffsetTimeOriginal, e.g. "+01:00"
    gps: tuple[float, float] | None = None  # decimal degrees (lat, lon)
    make: str | None = None
    model: str | None = None
    software: str | None = None
    library: str = ""  # the EXIF reader and version, for the manifest

    @property
    def has_exif(self) -> bool:
        return any(v is not None for v in (self.datetime_original, self.gps, self.make, self.model, self.software))


class MediaSource(Protocol):
    """The part of the parser's `Export` this module needs."""

    @property
    def source(self) -> Any: ...

    def read_media(self, name: str, limit: int) -> bytes | None: ...


def library_version() -> str:
    try:
        import exifread
    except ImportError:
        return "exifread (not installed)"
    return f"exifread {getattr(exifread, '__version__', '?')}"


def read_media_facts(export: MediaSource, limit: int = DEFAULT_LIMIT) -> dict[str, MediaFacts]:
    """Facts for every media member of a zip export, keyed by member name; {} for a .txt export."""
    members_of = getattr(export, "media_members", None)
    members = members_of() if callable(members_of) else (getattr(export.source, "media", ()) or ())
    facts: dict[str, MediaFacts] = {}
    for member in members:
        name, size = member.name, int(getattr(member, "size", 0) or 0)
        known_hash = getattr(member, "sha256", None)
        if getattr(member, "note", None):
            facts[name] = MediaFacts(name, size, known_hash, False, f"not examined: {member.note}")
            continue
        if size > limit:
            facts[name] = MediaFacts(name, size, known_hash, False,
                                     f"not examined: larger than the {limit // (1024 * 1024)} MB read limit")
            continue
        try:
            data = export.read_media(name, limit)
        except Exception as exc:  # noqa: BLE001 - hostile or damaged member: record, keep going
            _LOG.warning("media member could not be read (%s)", type(exc).__name__)
            data = None
        if data is None:
            facts[name] = MediaFacts(name, size, known_hash, False, "not examined: the member could not be read safely")
            continue
        facts[name] = facts_from_bytes(name, data)
    return facts


def facts_from_bytes(name: str, data: bytes) -> MediaFacts:
    """Hash first, then read EXIF; never raises for a bad file."""
    digest = hashlib.sha256(data).hexdigest()
    ext = name.rpartition(".")[2].casefold()
    if ext not in EXIF_EXTENSIONS:
        return MediaFacts(name, len(data), digest, False, f"not examined: no EXIF reader for .{ext} files",
                          library=library_version())
    try:
        tags = _read_tags(data)
    except ImportError:
        return MediaFacts(name, len(data), digest, False, "not examined: EXIF reader not installed")
    except Exception as exc:  # noqa: BLE001 - ExifRead on a hostile file: any exception means "not examined"
        _LOG.warning("EXIF could not be read from a media member (%s)", type(exc).__name__)
        return MediaFacts(name, len(data), digest, False, f"not examined: unreadable metadata ({type(exc).__name__})",
                          library=library_version())
    facts = MediaFacts(
        name=name, size=len(data), sha256=digest, examined=True,
        datetime_original=_parse_datetime(_text(tags, "EXIF DateTimeOriginal")),
        offset_original=_text(tags, "EXIF OffsetTimeOriginal"),
        gps=_gps(tags),
        make=_text(tags, "Image Make"), model=_text(tags, "Image Model"), software=_text(tags, "Image Software"),
        library=library_version(),
    )
    if not facts.has_exif:
        return _with_note(facts, "no EXIF (normal for images WhatsApp compressed)")
    return facts


def _with_note(facts: MediaFacts, note: str) -> MediaFacts:
    return replace(facts, note=note)


def _read_tags(data: bytes) -> Mapping[str, Any]:
    import exifread

    # details=False skips maker notes (the most fragile part); no thumbnail: reviewers choose to view.
    return exifread.process_file(io.BytesIO(data), details=False, extract_thumbnail=False)


def _text(tags: Mapping[str, Any], key: str) -> str | None:
    tag = tags.get(key)
    if tag is None:
        return None
    value = getattr(tag, "printable", tag)
    text = str(value).replace("\x00", "").strip()
    return text[:200] or None


def _parse_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            return datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
    return None


def _gps(tags: Mapping[str, Any]) -> tuple[float, float] | None:
    lat = _degrees(tags.get("GPS GPSLatitude"), _text(tags, "GPS GPSLatitudeRef"), "S")
    lon = _degrees(tags.get("GPS GPSLongitude"), _text(tags, "GPS GPSLongitudeRef"), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def _degrees(tag: Any, ref: str | None, negative_ref: str) -> float | None:
    values = getattr(tag, "values", None)
    # ExifRead gives numbers as a list but text as a str: a position written as text ("523") must not
    # be read one character at a time as 5 degrees 2 minutes 3 seconds.
    if not isinstance(values, list):
        return None
    parts = [p for p in (_ratio(v) for v in values[:3]) if p is not None]
    if len(parts) != 3:
        return None
    d, m, s = parts
    value = d + m / 60 + s / 3600
    return -value if (ref or "").upper().startswith(negative_ref) else value


def _ratio(value: Any) -> float | None:
    try:
        num, den = getattr(value, "numerator", value), getattr(value, "denominator", 1)
        return float(num) / float(den) if den else None
    except (TypeError, ValueError, ZeroDivisionError):
        return None
