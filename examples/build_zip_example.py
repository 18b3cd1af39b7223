"""Build examples/ios-night-turn-with-media.zip: an invented iOS group export with its media.

Deterministic: fixed member times, stored (uncompressed) members, fixed attributes, so the zip's
bytes and SHA-256 are the same on every machine. The photos are tiny hand-built JPEGs (blocky
drawings, 96x64 pixels, one colour per 8x8 block, so any browser shows them in the HTML report): one
"original" with EXIF (capture time and GPS, as a camera writes them) and one as WhatsApp re-encodes
photos (JFIF, no EXIF). No real picture, person or chat is in here.

Run from the repository root:  python examples/build_zip_example.py
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "ios-night-turn-with-media.zip"
WHEN = (2024, 5, 2, 7, 0, 0)

CHAT = """\
[02/05/2024, 00:58:10] Night Turn: \u200eMessages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them.
[02/05/2024, 00:58:11] Night Turn: \u200eRae Quill created this group
[02/05/2024, 00:58:12] Night Turn: \u200eRae Quill added Tom Vale and Sam Orr
[02/05/2024, 01:05:33] Rae Quill: Stabbing outside the Fox and Hounds, cordon on Mill Street from the bridge
[02/05/2024, 01:06:02] Rae Quill: \u200eLocation: https://maps.google.com/?q=53.79610,-1.75880
\u200e[02/05/2024, 01:12:40] Tom Vale: \u200e<attached: 00000014-PHOTO-2024-05-02-01-12-40.jpg>
[02/05/2024, 01:12:55] Tom Vale: scene tent going up now, blood all over the pavement
[02/05/2024, 01:13:30] Rae Quill: Tom take that down, it's not for here
[02/05/2024, 01:40:11] Sam Orr: suspect vehicle YX19 KPT, silver hatchback, last seen heading for the ring road
[02/05/2024, 02:15:45] Tom Vale: victim's sister says ring her on 07700 900 418 in the morning
[02/05/2024, 04:20:00] Tom Vale: the old codger in cell 4 has pressed the buzzer 30 times
[02/05/2024, 04:21:30] Sam Orr: he's 82 Tom, he's confused
\u200e[02/05/2024, 05:45:00] Sam Orr: \u200e<attached: 00000015-PHOTO-2024-05-02-05-45-00.jpg>
[02/05/2024, 05:45:10] Sam Orr: sunrise over the canal, almost worth the night shift
[02/05/2024, 06:30:00] Rae Quill: Who's up for Scunthorpe away on Saturday?
[02/05/2024, 06:58:20] Rae Quill: Handover done. Night all
"""


def _ascii(tag: int, text: str) -> tuple[int, int, int, bytes]:
    raw = text.encode("ascii") + b"\0"
    return tag, 2, len(raw), raw


def _degrees(tag: int, value: float) -> tuple[int, int, int, bytes]:
    """Degrees, minutes, seconds as three RATIONALs (seconds to 1/100)."""
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60 * 100)
    return tag, 5, 3, struct.pack("<6I", d, 1, m, 1, s, 100)


def _ifd(entries: list[tuple[int, int, int, bytes]], at: int) -> bytes:
    """A little-endian TIFF IFD placed at offset `at`; long values follow the entry table."""
    table, data = b"", b""
    data_at = at + 2 + 12 * len(entries) + 4
    for tag, kind, count, value in sorted(entries):
        if len(value) <= 4:
            table += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")
        else:
            table += struct.pack("<HHII", tag, kind, count, data_at + len(data))
            data += value + b"\0" * (len(value) % 2)
    return struct.pack("<H", len(entries)) + table + b"\0\0\0\0" + data


# Drawings, one character per 8x8 block: a tent under a night sky and street lights; a sunrise over a canal.
SCENE = ("kkkkkkkkkkkk", "kkkykkkkkykk", "kkkkkkkkkkkk", "kkkkkwwkkkkk", "kkkkwwwwkkkk", "kkkwwwwwwkkk",
         "ggggggggggrg", "ggrggggggggg")
SUNRISE = ("bbbbbbbbbbbb", "bbboooobbbbb", "ooooyyoooooo", "yyyyyyyyyyyy", "ggggggggggdg", "cccccccccccc",
           "cdcccccccdcc", "cccccccccccc")
COLOURS = {"k": (20, 24, 48), "y": (250, 220, 90), "w": (235, 235, 240), "g": (90, 90, 95), "r": (150, 20, 20),
           "b": (110, 150, 210), "o": (240, 140, 60), "d": (40, 60, 40), "c": (40, 80, 110)}


class _Bits:
    """The entropy-coded segment: bits packed MSB first, 0xFF bytes stuffed with 0x00."""

    def __init__(self) -> None:
        self.out, self.byte, self.used = bytearray(), 0, 0

    def put(self, value: int, count: int) -> None:
        for shift in range(count - 1, -1, -1):
            self.byte = (self.byte << 1) | ((value >> shift) & 1)
            self.used += 1
            if self.used == 8:
                self.out += b"\xff\x00" if self.byte == 0xFF else bytes([self.byte])
                self.byte, self.used = 0, 0

    def done(self) -> bytes:
        if self.used:
            self.put((1 << (8 - self.used)) - 1, 8 - self.used)  # pad with 1 bits
        return bytes(self.out)


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _image(drawing: tuple[str, ...]) -> bytes:
    """Baseline JPEG segments (DQT, SOF0, DHT, SOS and data) of a drawing: each block one flat colour,
    so only DC coefficients are coded (4-bit codes for categories 0-11, end-of-block for the rest)."""
    rows, cols = len(drawing), len(drawing[0])
    dqt = _segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = _segment(0xC0, struct.pack(">BHHB", 8, rows * 8, cols * 8, 3) + b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3)))
    dc = _segment(0xC4, b"\x00" + bytes([0, 0, 0, 12] + [0] * 12) + bytes(range(12)))
    ac = _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00")
    sos = _segment(0xDA, b"\x03" + b"".join(bytes([c, 0x00]) for c in (1, 2, 3)) + b"\x00\x3f\x00")
    bits, previous = _Bits(), [0, 0, 0]
    for row in drawing:
        for key in row:
            r, g, b = COLOURS[key]
            levels = (0.299 * r + 0.587 * g + 0.114 * b,
                      128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                      128 + 0.5 * r - 0.418688 * g - 0.081312 * b)
            for component, level in enumerate(levels):
                value = round(8 * (level - 128))  # the DC coefficient of a flat block (quantiser 1)
                diff, previous[component] = value - previous[component], value
                size = abs(diff).bit_length()
                bits.put(size, 4)
                if size:
                    bits.put(diff if diff > 0 else diff + (1 << size) - 1, size)
                bits.put(0, 1)  # end of block: every AC coefficient is zero
    return dqt + sof + dc + ac + sos + bits.done()


def camera_jpeg(taken: str, lat: float, lon: float) -> bytes:
    """A JPEG as a phone camera writes it: an EXIF block (Make, Model, DateTimeOriginal, GPS), then the picture."""
    ifd0 = [_ascii(0x010F, "Examplecam"), _ascii(0x0110, "EC-7")]
    exif = [_ascii(0x9003, taken), _ascii(0x9011, "+01:00")]
    gps = [_ascii(0x0001, "N" if lat >= 0 else "S"), _degrees(0x0002, abs(lat)),
           _ascii(0x0003, "E" if lon >= 0 else "W"), _degrees(0x0004, abs(lon))]
    size0 = len(_ifd(ifd0 + [(0x8769, 4, 1, b"\0" * 4), (0x8825, 4, 1, b"\0" * 4)], 8))
    exif_at = 8 + size0
    exif_ifd = _ifd(exif, exif_at)
    gps_at = exif_at + len(exif_ifd)
    pointers = [(0x8769, 4, 1, struct.pack("<I", exif_at)), (0x8825, 4, 1, struct.pack("<I", gps_at))]
    tiff = b"II*\0" + struct.pack("<I", 8) + _ifd(ifd0 + pointers, 8) + exif_ifd + _ifd(gps, gps_at)
    app1 = b"Exif\0\0" + tiff
    return b"\xff\xd8\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + _image(SCENE) + b"\xff\xd9"


def whatsapp_jpeg() -> bytes:
    """A JPEG as WhatsApp re-encodes a photo: JFIF header, no EXIF."""
    app0 = b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + _image(SUNRISE) + b"\xff\xd9"


def members() -> list[tuple[str, bytes]]:
    return [
        ("_chat.txt", CHAT.encode("utf-8")),
        ("00000014-PHOTO-2024-05-02-01-12-40.jpg", camera_jpeg("2024:05:02 01:11:58", 53.79618, -1.75871)),
        ("00000015-PHOTO-2024-05-02-05-45-00.jpg", whatsapp_jpeg()),
    ]


def build(target: Path = TARGET) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members():
            info = zipfile.ZipInfo(name, date_time=WHEN)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return target


if __name__ == "__main__":
    print(build())
