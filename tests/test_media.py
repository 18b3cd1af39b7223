"""Media facts from zip exports: hashes, EXIF from original files, and hostile files noted, not fatal.

Test images are built here byte by byte (a JPEG header with an EXIF block and no picture), so the
repository holds no photographs.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit.ingest.media import MediaFacts, facts_from_bytes, read_media_facts


def _entry(tag: int, typ: int, count: int, value: bytes) -> tuple[int, int, int, bytes]:
    return tag, typ, count, value


def _ifd(entries: list[tuple[int, int, int, bytes]], offset: int) -> bytes:
    """One little-endian IFD at `offset`, values longer than 4 bytes stored after it."""
    head = struct.pack("<H", len(entries))
    data_at = offset + 2 + 12 * len(entries) + 4
    body, extra = b"", b""
    for tag, typ, count, value in sorted(entries):
        if len(value) <= 4:
            body += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\0")
        else:
            body += struct.pack("<HHII", tag, typ, count, data_at + len(extra))
            extra += value + (b"\0" if len(value) % 2 else b"")
    return head + body + struct.pack("<I", 0) + extra


def _ascii(tag: int, text: str) -> tuple[int, int, int, bytes]:
    raw = text.encode() + b"\0"
    return _entry(tag, 2, len(raw), raw)


def _rationals(tag: int, *pairs: tuple[int, int]) -> tuple[int, int, int, bytes]:
    return _entry(tag, 5, len(pairs), b"".join(struct.pack("<II", n, d) for n, d in pairs))


def exif_jpeg(taken: str | None = "2024:03:14 02:31:10", gps: bool = True, make: str = "Examplecam",
              latitude: tuple[int, int, int, bytes] | None = None) -> bytes:
    """A JPEG with only an EXIF block: Make/Model/Software, DateTimeOriginal and GPS (52.5 N, 1.9 W)."""
    exif_entries = [_ascii(0x9003, taken), _ascii(0x9011, "+00:00")] if taken else [_ascii(0x9000 + 0x10, "x")]
    gps_entries = [
        _ascii(0x0001, "N"), latitude or _rationals(0x0002, (52, 1), (30, 1), (0, 1)),
        _ascii(0x0003, "W"), _rationals(0x0004, (1, 1), (54, 1), (0, 1)),
    ]
    ifd0_entries = [_ascii(0x010F, make), _ascii(0x0110, "Model 7"), _ascii(0x0131, "Camera 1.0")]
    ifd0_count = len(ifd0_entries) + 1 + (1 if gps else 0)
    # Lay out: header(8) | IFD0 | Exif IFD | GPS IFD; pointers need the later offsets, so size first.
    probe = _ifd(ifd0_entries + [_entry(0x8769, 4, 1, b"\0" * 4)] + ([_entry(0x8825, 4, 1, b"\0" * 4)] if gps else []), 8)
    assert probe.startswith(struct.pack("<H", ifd0_count))
    exif_at = 8 + len(probe)
    exif_ifd = _ifd(exif_entries, exif_at)
    gps_at = exif_at + len(exif_ifd)
    pointers = [_entry(0x8769, 4, 1, struct.pack("<I", exif_at))]
    if gps:
        pointers.append(_entry(0x8825, 4, 1, struct.pack("<I", gps_at)))
    tiff = b"II*\0" + struct.pack("<I", 8) + _ifd(ifd0_entries + pointers, 8) + exif_ifd
    if gps:
        tiff += _ifd(gps_entries, gps_at)
    app1 = b"Exif\0\0" + tiff
    return b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + b"\xff\xd9"


def plain_jpeg() -> bytes:
    """A JPEG as WhatsApp re-encodes it: a JFIF header and no EXIF."""
    app0 = b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def test_document_photo_keeps_capture_time_gps_and_device() -> None:
    data = exif_jpeg()
    facts = facts_from_bytes("IMG_20240314_023110.jpg", data)
    assert facts.examined and facts.has_exif
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert facts.datetime_original == datetime(2024, 3, 14, 2, 31, 10)
    assert facts.offset_original == "+00:00"
    assert facts.gps == pytest.approx((52.5, -1.9))
    assert (facts.make, facts.model, facts.software) == ("Examplecam", "Model 7", "Camera 1.0")
    assert facts.library.startswith("exifread")


@pytest.mark.parametrize("latitude", [
    _ascii(0x0002, "523"),  # text, not numbers: must not be read digit by digit as 5 deg 2' 3"
    _rationals(0x0002, (52, 0), (30, 1), (0, 1)),  # a zero denominator
    _rationals(0x0002, (52, 1), (30, 1)),  # seconds missing
])
def test_malformed_gps_position_is_left_out_not_invented(latitude: tuple[int, int, int, bytes]) -> None:
    facts = facts_from_bytes("IMG_20240314_023110.jpg", exif_jpeg(latitude=latitude))
    assert facts.examined and facts.make == "Examplecam"
    assert facts.gps is None


def test_whatsapp_compressed_image_has_no_exif_and_that_is_not_an_error() -> None:
    facts = facts_from_bytes("IMG-20240314-WA0012.jpg", plain_jpeg())
    assert facts.examined and not facts.has_exif
    assert "no EXIF" in facts.note


@pytest.mark.parametrize("data", [b"", b"\xff\xd8\xff\xe1\xff\xff" + b"Exif\0\0II*\0" + b"\xff" * 40,
                                  b"\xff\xd8" + b"\0" * 100, exif_jpeg()[:60]])
def test_hostile_or_truncated_files_are_noted_not_fatal(data: bytes) -> None:
    facts = facts_from_bytes("IMG_20240314_023110.jpg", data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert facts.datetime_original is None
    assert facts.examined is False or not facts.has_exif


def test_formats_without_exif_reader_are_hashed_and_marked_not_examined() -> None:
    facts = facts_from_bytes("VID-20240314-WA0003.mp4", b"\0\0\0\x18ftypmp42")
    assert not facts.examined and "not examined" in facts.note and facts.sha256


@dataclass
class _Member:
    name: str
    size: int
    sha256: str | None = None
    note: str | None = None


class _FakeExport:
    """Stands in for the parser's Export: a list of members and bounded reads."""

    def __init__(self, files: dict[str, bytes], notes: dict[str, str] | None = None) -> None:
        self.files, self.reads = files, []
        self.notes = notes or {}
        self.source = None

    def media_members(self) -> tuple[_Member, ...]:
        return tuple(_Member(n, len(b), None, self.notes.get(n)) for n, b in self.files.items())

    def read_media(self, name: str, limit: int) -> bytes | None:
        self.reads.append((name, limit))
        if name == "boom.jpg":
            raise OSError("bad member")
        return self.files[name][:limit]


def test_read_media_facts_reads_each_member_once_bounded_and_survives_bad_members() -> None:
    export = _FakeExport({"Media/IMG_20240314_023110.jpg": exif_jpeg(), "boom.jpg": b"x",
                          "big.jpg": b"\xff" * 2000, "unsafe.jpg": b"y"}, notes={"unsafe.jpg": "path escapes the zip"})
    facts = read_media_facts(export, limit=1000)
    assert facts["Media/IMG_20240314_023110.jpg"].datetime_original == datetime(2024, 3, 14, 2, 31, 10)
    assert not facts["boom.jpg"].examined
    assert not facts["big.jpg"].examined and "read limit" in facts["big.jpg"].note
    assert not facts["unsafe.jpg"].examined and "escapes" in facts["unsafe.jpg"].note
    assert all(limit == 1000 for _, limit in export.reads)
    assert ("big.jpg", 1000) not in export.reads and ("unsafe.jpg", 1000) not in export.reads


def test_zip_export_end_to_end_without_extracting(tmp_path: Path) -> None:
    from whatsapp_audit import open_export

    chat = ("14/03/2024, 02:11 - Sam Hollis: SD at Elm Court, on scene guard till 6\n"
            "14/03/2024, 02:40 - Sam Hollis: IMG_20240314_023110.jpg (file attached)\n"
            "14/03/2024, 02:41 - Sam Hollis: IMG-20240314-WA0012.jpg (file attached)\n")
    path = tmp_path / "WhatsApp Chat with Night Turn.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Night Turn.txt", chat)
        zf.writestr("IMG_20240314_023110.jpg", exif_jpeg())
        zf.writestr("IMG-20240314-WA0012.jpg", plain_jpeg())
    before = sorted(p.name for p in tmp_path.iterdir())
    with open_export(path) as export:
        facts = read_media_facts(export)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted next to the exhibit
    assert facts["IMG_20240314_023110.jpg"].gps == pytest.approx((52.5, -1.9))
    assert facts["IMG-20240314-WA0012.jpg"].has_exif is False
    assert isinstance(facts["IMG-20240314-WA0012.jpg"], MediaFacts)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=16))
def test_corrupted_exif_never_escapes_as_an_error(position: int, junk: bytes) -> None:
    data = bytearray(exif_jpeg())
    at = position % len(data)
    data[at:at + len(junk)] = junk
    facts = facts_from_bytes("IMG_20240314_023110.jpg", bytes(data))
    assert facts.sha256 == hashlib.sha256(bytes(data)).hexdigest()
    assert facts.gps is None or (-90 <= facts.gps[0] <= 90 and -180 <= facts.gps[1] <= 180)


def test_zip_export_findings_carry_exif_reasons_and_hashes(tmp_path: Path) -> None:
    from whatsapp_audit import open_export, parse
    from whatsapp_audit.detect.engine import Engine
    from whatsapp_audit.rules.loader import load_patterns

    chat = ("14/03/2024, 02:38 - Sam Hollis: Location: https://maps.google.com/?q=52.5003,-1.9001\n"
            "14/03/2024, 02:39 - Sam Hollis: sudden death at Elm Court, dead body in the bath\n"
            "14/03/2024, 02:40 - Sam Hollis: IMG_20240314_023110.jpg (file attached)\n"
            "14/03/2024, 02:40 - Sam Hollis: IMG-20240314-WA0012.jpg (file attached)\n"
            "14/03/2024, 09:00 - Jo Pike: IMG-20240314-WA0013.jpg (file attached)\n"
            "new pup, meet Biscuit\n")
    path = tmp_path / "export.zip"
    images = {"IMG_20240314_023110.jpg": exif_jpeg(), "IMG-20240314-WA0012.jpg": plain_jpeg(),
              "IMG-20240314-WA0013.jpg": plain_jpeg()}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("WhatsApp Chat with Night Turn.txt", chat)
        for name, data in images.items():
            zf.writestr(f"Media/{name}", data)
    engine = Engine.build(load_patterns().rules_for("imagery"), entries=("whatsapp_audit.detect.imagery:ImageryDetector",))
    with open_export(path) as export:
        facts = read_media_facts(export)
    for d in engine.detectors:
        d.set_media_facts(facts)  # type: ignore[attr-defined]
    found = {f.line: f for f in engine.run(parse(path).messages)}
    assert sorted(found) == [3, 4]  # the pup photo at 09:00 stays quiet
    doc = found[3]
    adjustments = " | ".join(r for r, _ in doc.explanation.adjustments)
    assert "photo taken 9 min before it was posted" in adjustments and "GPS" in adjustments
    assert "camera-original" in adjustments
    assert dict(doc.extra)["sha256"] == hashlib.sha256(images["IMG_20240314_023110.jpg"]).hexdigest()
    compressed = dict(found[4].explanation.details)
    assert "no EXIF" in compressed["media_note"] and "EXIF" not in " ".join(r for r, _ in found[4].explanation.adjustments)
