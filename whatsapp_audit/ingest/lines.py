"""Turn the bytes of an export into numbered lines of text, exactly as a text editor would count them.

Line ends are LF, CRLF or CR CR LF (all seen in real exports); a lone CR inside a line is kept as
text, because an LF file with a stray CR still shows it as one line. The encoding is UTF-8 (with
or without BOM) or UTF-16 (with BOM, or recognised from its zero bytes). Bytes that are not valid
UTF-8 are replaced with U+FFFD and the line is reported, so one damaged line never stops the file.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from whatsapp_audit import native

CHUNK_SIZE = 1 << 20  # bytes read at a time, cut back to the last whole line (a block)
MAX_LINE_BYTES = 64 << 20  # a chat line this long is no chat: refuse rather than exhaust memory


class LineTooLongError(ValueError):
    """A line longer than MAX_LINE_BYTES; carries the line number."""

    def __init__(self, line_no: int) -> None:
        super().__init__(f"line {line_no} is longer than {MAX_LINE_BYTES >> 20} MiB; this is not a chat export")
_LINE_END = re.compile(r"\r+\n")


@dataclass(frozen=True)
class Encoding:
    """How the text is encoded, and how many bytes of byte-order mark to skip."""

    name: str  # "utf-8", "utf-16-le", "utf-16-be"
    bom: bool
    bom_length: int


def sniff_encoding(head: bytes) -> Encoding:
    """Pick the encoding from the first bytes of the file."""
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8", True, 3)
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("utf-16-le", True, 2)
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("utf-16-be", True, 2)
    sample = head[:200]
    if len(sample) >= 8:
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        half = len(sample) // 2
        if odd_zeros > half * 0.6 and even_zeros == 0:
            return Encoding("utf-16-le", False, 0)
        if even_zeros > half * 0.6 and odd_zeros == 0:
            return Encoding("utf-16-be", False, 0)
    return Encoding("utf-8", False, 0)


BadLineHandler = Callable[[int], None]


class ByteReader(Protocol):
    """All the reading code asks of a stream: an open file, a zip member, or a wrapper of either."""

    def read(self, size: int = -1, /) -> bytes: ...


def iter_blocks(stream: ByteReader, encoding: Encoding, on_bad_line: BadLineHandler,
                chunk: int | None = None) -> Iterator[str]:
    """Yield the text in blocks of whole lines joined by LF (line ends normalised, no final LF).

    Splitting the text into blocks of whole lines lets the parser find headers with one regex scan
    per block, in C, instead of a Python step per line. `on_bad_line(n)` is called for every line
    whose bytes could not be decoded cleanly. UTF-8 is read `chunk` bytes at a time (default
    CHUNK_SIZE: the blocks' size; the text is the same whatever it is).
    """
    if encoding.bom_length:
        stream.read(encoding.bom_length)
    if encoding.name == "utf-8":
        yield from _utf8_blocks(stream, on_bad_line, chunk)
    else:
        yield from _wide_blocks(stream, encoding.name, on_bad_line)


def iter_raw_blocks(stream: ByteReader, encoding: Encoding) -> Iterator[bytes | str]:
    """The blocks of `iter_blocks`, UTF-8 ones still undecoded (`decode_block` gives the text): for
    a reader that looks at most blocks only for a few ASCII characters and the line count (an LF
    is the same byte before and after decoding), such as the survey once it knows the format."""
    if encoding.bom_length:
        stream.read(encoding.bom_length)
    if encoding.name == "utf-8":
        for data, _first_line in _utf8_raw(stream):
            yield data
    else:
        yield from _wide_blocks(stream, encoding.name, lambda _n: None)


def decode_block(data: bytes) -> str:
    """The text of a raw UTF-8 block of `iter_raw_blocks`, as `iter_blocks` gives it."""
    return _decode_block(data, 0, lambda _n: None)


def _utf8_blocks(stream: ByteReader, on_bad_line: BadLineHandler, chunk: int | None = None) -> Iterator[str]:
    for data, first_line in _utf8_raw(stream, chunk):
        yield _decode_block(data, first_line, on_bad_line)


def _utf8_raw(stream: ByteReader, chunk: int | None = None) -> Iterator[tuple[bytes, int]]:
    """Whole lines of UTF-8 bytes joined by LF (no final LF), with the number of lines before them."""
    chunk = chunk or CHUNK_SIZE
    # Blocks are cut at the last LF (LF can't occur inside a UTF-8 sequence).
    carry = b""
    line_no = 0
    while True:
        data = stream.read(max(chunk, len(carry)))  # a line longer than `chunk`: reads double, not crawl
        if not data:
            break
        data = carry + data
        cut = data.rfind(b"\n")
        if cut < 0:
            if len(data) > MAX_LINE_BYTES:
                raise LineTooLongError(line_no + 1)
            carry = data
            continue
        carry = data[cut + 1 :]
        yield data[:cut], line_no
        line_no += count_lf(data, cut) + 1
    if carry:
        yield carry, line_no


def count_lf(data: bytes, stop: int | None = None) -> int:
    """`data.count(b"\\n", 0, stop)`, by the C accelerator when it is built (a memchr per line
    instead of a test per byte: a tenth of the time on chat text, counted once or twice a pass)."""
    stop = len(data) if stop is None else stop
    module = native.accelerator()
    return module.count_lf(data, stop) if module is not None else data.count(b"\n", 0, stop)


def _decode_block(data: bytes, first: int, on_bad_line: BadLineHandler) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\n".join(_decode_one(raw, first + i + 1, on_bad_line) for i, raw in enumerate(data.split(b"\n")))
    if "\r" in text:
        text = _LINE_END.sub("\n", text)
        if text.endswith("\r"):  # CR(s) before the LF the block was cut at
            text = text.rstrip("\r")
    return text


def _decode_one(raw: bytes, line_no: int, on_bad_line: BadLineHandler) -> str:
    raw = raw.rstrip(b"\r")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        on_bad_line(line_no)
        return raw.decode("utf-8", errors="replace")


def _wide_blocks(stream: ByteReader, name: str, on_bad_line: BadLineHandler) -> Iterator[str]:
    text = io.TextIOWrapper(_NoClose(stream), encoding=name, errors="replace", newline="\n")
    batch: list[str] = []
    for line_no, line in enumerate(text, start=1):
        if line.endswith("\n"):
            line = line[:-1]
        line = line.rstrip("\r")
        if "\ufffd" in line:
            on_bad_line(line_no)
        batch.append(line)
        if len(batch) >= 10_000:
            yield "\n".join(batch)
            batch = []
    if batch:
        yield "\n".join(batch)


class _NoClose(io.RawIOBase):
    """Lets a TextIOWrapper read a stream it does not own (closing it stays the caller's job)."""

    def __init__(self, stream: ByteReader) -> None:
        self._stream = stream

    @property
    def name(self) -> str:  # TextIOWrapper's buffer protocol asks for one; the stream has none to give
        return "<chat text>"

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)
