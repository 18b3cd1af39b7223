"""Split one export's chat text into parts that separate processes can parse and scan.

Cuts fall only at the start of a header line in the file's own style, so every message lies
wholly in one part. Each part also reads a margin of whole messages either side of its own span,
so detectors that look at neighbours see the same window as in a single pass; only messages
starting inside the span are counted and reported by that part. Offsets are in bytes of the chat
text (after a zip member is decompressed), and each part knows how many lines come before it,
so line numbers stay those of the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whatsapp_audit.ingest.lines import ByteReader, count_lf

_WINDOW = 1 << 16  # bytes looked at per step when searching for the next header line


@dataclass(frozen=True)
class Part:
    """One process's share: parse bytes [parse_start, parse_end), count lines [first_line, end_line)."""

    parse_start: int
    parse_end: int
    lines_before: int  # lines of the file before parse_start
    first_line: int  # 1-based number of the first line this part counts
    end_line: int  # the line number just after this part's span


@dataclass(frozen=True)
class _Cut:
    offset: int  # byte offset of a header line's start, or the end of the text
    lines_before: int  # LFs before it


class _ForwardReader:
    """Reads a forward-only stream (a file or a zip member) at increasing offsets, counting LFs."""

    def __init__(self, stream: ByteReader) -> None:
        self._stream = stream
        self._buffer = b""
        self.offset = 0  # absolute offset of _buffer[0]
        self.lines = 0  # LFs before `offset`
        self.at_line_start = True  # the byte before `offset` is an LF (or there is none)

    def skip_to(self, target: int) -> None:
        while self.offset < target:
            if not self._buffer and not self._fill(1):
                return
            take = min(len(self._buffer), target - self.offset)
            self.lines += count_lf(self._buffer, take)
            self.at_line_start = self._buffer[take - 1] == 0x0A
            self._buffer = self._buffer[take:]
            self.offset += take

    def peek(self, size: int) -> bytes:
        self._fill(size)
        return self._buffer[:size]

    def _fill(self, size: int) -> bool:
        while len(self._buffer) < size:
            more = self._stream.read(max(1 << 20, size - len(self._buffer)))
            if not more:
                break
            self._buffer += more
        return bool(self._buffer)


def plan_parts(stream: ByteReader, header: re.Pattern[str], parts: int, margin: int, *, size: int, skip: int = 0) -> list[Part]:
    """Cut `size` bytes of chat text (read from `stream`) into about `parts` spans.

    `header` is the file's strict header regex (see `shapes.strict_regex`); `skip` is the BOM
    length; each part parses `margin` bytes (rounded to whole messages) beyond each end.
    """
    reader = _ForwardReader(stream)
    reader.skip_to(skip)
    targets = [skip + (size - skip) * k // parts for k in range(1, parts)]
    wanted = sorted({max(skip, min(size, t + d)) for t in targets for d in (-margin, 0, margin)})
    cuts: dict[int, _Cut] = {}
    for request in wanted:
        cuts[request] = _next_header(reader, max(request, reader.offset), header, size)
    reader.skip_to(size)
    ends_with_newline = reader.at_line_start and reader.offset > skip
    total_lines = reader.lines + (0 if ends_with_newline or reader.offset <= skip else 1)
    end = _Cut(size, reader.lines)

    def cut(offset: int) -> _Cut:
        return cuts[max(skip, min(size, offset))]

    later: list[tuple[_Cut, int]] = []  # (start of each span after the first, the target that cut it)
    for target in targets:
        found = cut(target)
        if (later[-1][0].offset if later else 0) < found.offset < size:
            later.append((found, target))
    spans: list[tuple[_Cut, int | None]] = [(_Cut(0, 0), None), *later]
    result = []
    for i, (span_start, cut_by) in enumerate(spans):
        before = _Cut(0, 0) if cut_by is None else cut(cut_by - margin)
        if i < len(later):
            next_start, next_target = later[i]
            after, end_line = cut(next_target + margin), next_start.lines_before + 1
        else:
            after, end_line = end, total_lines + 1
        result.append(Part(before.offset, after.offset, before.lines_before, span_start.lines_before + 1, end_line))
    return result


def _next_header(reader: _ForwardReader, request: int, header: re.Pattern[str], size: int) -> _Cut:
    """The first header line that starts at or after `request`."""
    reader.skip_to(request)
    while reader.offset < size:
        window = reader.peek(_WINDOW)
        if not reader.at_line_start:
            newline = window.find(b"\n")
            reader.skip_to(reader.offset + (len(window) if newline < 0 else newline + 1))
            continue
        newline = window.find(b"\n")
        line = window if newline < 0 else window[:newline]
        if header.match(line.decode("utf-8", "replace").rstrip("\r")):
            return _Cut(reader.offset, reader.lines)
        reader.skip_to(reader.offset + (len(window) if newline < 0 else newline + 1))
    return _Cut(size, reader.lines)
