"""The chat text as the parser's messages and the exact lines they came from, line ends included.

A redacted copy must be the original file with only names and values changed: same encoding, same
byte-order mark, same line ends (LF, CRLF, CR CR LF), same bytes on every line nothing was
replaced in. So the lines are read a second time, raw, beside the parser's messages: each message
(or unparsed stretch) comes with its lines, split the way the parser counts them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from whatsapp_audit.errors import InputError
from whatsapp_audit.ingest.export import Export
from whatsapp_audit.ingest.lines import Encoding
from whatsapp_audit.ingest.source import Source
from whatsapp_audit.model import Message


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line: its text (line end removed, as the parser sees it), its line end, and whether
    its bytes were valid text (if not, `text` holds U+FFFD where the parser does)."""

    text: str
    ending: str
    original: str  # the line as decoded losslessly (undecodable bytes as surrogate escapes)

    @property
    def clean(self) -> bool:
        return self.text == self.original


@dataclass
class Segment:
    """A message with its lines, or lines that belong to no message (`message` is None)."""

    first_line: int
    lines: list[RawLine] = field(default_factory=list)
    message: Message | None = None

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


def codec_errors(encoding: Encoding) -> str:
    return "surrogateescape" if encoding.name == "utf-8" else "surrogatepass"


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Raw(io.RawIOBase):
    """A stream that only has `read` (the hashing reader), as the raw stream a TextIOWrapper needs."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def iter_raw_lines(stream: Readable, encoding: Encoding) -> Iterator[RawLine]:
    """The lines of the chat text with their line ends, counted as `ingest.lines` counts them."""
    if encoding.bom_length:
        stream.read(encoding.bom_length)
    errors = codec_errors(encoding)
    text = io.TextIOWrapper(io.BufferedReader(_Raw(stream)), encoding=encoding.name, errors=errors, newline="\n")
    for line in text:
        body = line[:-1] if line.endswith("\n") else line
        stripped = body.rstrip("\r")
        ending = body[len(stripped):] + ("\n" if line.endswith("\n") else "")
        shown = stripped
        if errors == "surrogateescape" and _has_surrogate(stripped):
            shown = stripped.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        yield RawLine(shown, ending, stripped)


_SURROGATE = re.compile("[\udc80-\udcff]")


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def iter_segments(export: Export, raw: Source) -> Iterator[Segment]:
    """Messages of `export` with their raw lines from `raw` (the same file, opened again), and the
    lines between them; every line of the file is in exactly one segment, in file order."""
    with raw.open_chat() as stream:
        lines = iter_raw_lines(stream, export.encoding)
        number = 0
        pending = Segment(1)

        def take_until(last: int, into: Segment) -> None:
            nonlocal number
            while number < last:
                line = next(lines, None)
                if line is None:
                    raise InputError(f"{export.source.path}: the chat text changed while it was being read; hash it again and re-run")
                number += 1
                into.lines.append(line)

        for message in export.iter_messages():
            if message.line > number + 1:
                pending = Segment(number + 1)
                take_until(message.line - 1, pending)
                yield pending
            segment = Segment(message.line, message=message)
            take_until(message.end_line, segment)
            yield segment
        rest = Segment(number + 1)
        for line in lines:
            number += 1
            rest.lines.append(line)
        if rest.lines:
            yield rest
