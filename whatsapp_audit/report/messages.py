"""Write parsed messages as JSON Lines, JSON or CSV: the public output of `whatsapp-audit parse`.

The field names are a public contract; add fields, never rename or remove them.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TextIO

from whatsapp_audit import __version__, native
from whatsapp_audit.ingest.parser import RecordWriter, Segment
from whatsapp_audit.model import Message, author_name
from whatsapp_audit.report import encode
from whatsapp_audit.report.safe import csv_cell

PARSE_SCHEMA = "whatsapp-audit/messages/1"
CSV_FIELDS = ("line", "end_line", "timestamp", "author", "kind", "attachment", "media_type", "text", "system_prefix", "edited", "header",
              "author_display", "author_shown_as", "system_recognised")


def message_record(message: Message, *, native: bool = False) -> dict[str, Any]:
    """The JSON object for one message (jsonl line, json array item).

    `native=True` leaves the timestamp a datetime and the kinds StrEnum members, for `encode` to
    write in C: the same text as `isoformat(timespec="seconds")` and the enums' values.
    """
    attachments = message.attachments
    attachment = attachments[0] if attachments else None
    author = message.author
    name = author_name(author) if author else None
    record: dict[str, Any] = {
        "line": message.line,
        "end_line": message.end_line,
        "timestamp": message.timestamp,
        "author": author,
        "text": message.text,
        "kind": message.kind,
        "attachment": attachment.name if attachment else None,
        "media_type": attachment.media_type if attachment else None,
        "attachment_omitted": attachment.omitted if attachment else None,
        "attachments": [a.name for a in attachments],
        "system_prefix": message.system_prefix,
        "edited": message.edited,
        "header": message.header,
        "author_display": name.display if name else None,
        "author_shown_as": name.shown_as if name else None,
        "system_recognised": message.system_recognised,
    }
    if not native:  # plain values: same keys, same order
        record["timestamp"] = message.timestamp.isoformat(timespec="seconds")
        record["kind"] = message.kind.value
        record["media_type"] = attachment.media_type.value if attachment else None
        record["author_shown_as"] = name.shown_as.value if name else None
    return record


_BATCH = 2000  # records encoded and written together


def write_jsonl(messages: Iterable[Message], out: TextIO) -> int:
    """Each message as one line of compact JSON; returns how many were written."""
    return write_jsonl_batches(_batches(messages), out)


def write_jsonl_batches(batches: Iterable[list[Message]], out: TextIO) -> int:
    """`write_jsonl` for messages that come in lists (`Export.iter_message_batches`)."""
    return write_jsonl_segments(jsonl_segments(batches), out)


def write_jsonl_segments(segments: Iterable[tuple[Segment, int]], out: TextIO) -> int:
    """Write JSON Lines segments (`jsonl_segments`, `Export.iter_record_segments`); returns how many
    records they held."""
    binary = utf8_buffer(out)
    count = 0
    for segment, records in segments:
        put_segment(segment, out, binary)
        count += records
    if binary is not None:
        binary.flush()
    return count


def one_record(message: Message) -> str:
    """One message's JSON line (LF included): the reference the C writer falls back on."""
    return encode.lines([message_record(message, native=True)])




def jsonl_segments(batches: Iterable[list[Message]]) -> Iterator[tuple[Segment, int]]:
    """The JSON Lines of each list of messages, with its number of records.

    A list's records are written in C (`_native.encode_jsonl`) when the accelerator is built; a
    list it declines (a value only the Python path writes exactly, such as a lone surrogate), and
    every list without it, is written by `encode.lines`. The text is the same however the
    messages are grouped."""
    module = native.accelerator()
    if module is None:
        for batch in batches:
            yield encode.lines([message_record(m, native=True) for m in batch]), len(batch)
        return
    encode_jsonl = module.encode_jsonl
    names: dict[str, tuple[str, str]] = {}  # author -> (display, shown_as), as author_name gives them
    for messages in batches:
        for start in range(0, len(messages), _BATCH):  # a block's messages in a few pieces: less held at once
            batch = messages[start : start + _BATCH]
            data = encode_jsonl(batch, names, author_name)
            yield (data if data is not None else encode.lines([message_record(m, native=True) for m in batch])), len(batch)
            if len(names) > 4096:
                names.clear()


# How `Export.iter_record_segments` writes the records of `parse --format jsonl`: the same text as
# `jsonl_segments`, written from the text itself by the C loop where it can (see `parser`).
RECORDS = RecordWriter(author_name, one_record, jsonl_segments)


def put_segment(segment: Segment, out: TextIO, binary: Any) -> None:
    """Write one segment to `out`; UTF-8 bytes go straight to `binary` (`utf8_buffer(out)`) when
    there is one, which gives the same file."""
    if isinstance(segment, str):
        out.write(segment)
    elif binary is None:
        out.write(segment.decode("utf-8"))
    else:
        out.flush()
        binary.write(segment)


def _batches(messages: Iterable[Message]) -> Iterator[list[Message]]:
    iterator = iter(messages)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def utf8_buffer(out: TextIO) -> Any:
    """The binary stream under `out` when writing UTF-8 bytes there gives the same file, else None."""
    if not isinstance(out, io.TextIOWrapper):
        return None
    try:
        if codecs.lookup(out.encoding).name != "utf-8":
            return None
    except LookupError:
        return None
    return getattr(out, "buffer", None)


def write_json(messages: Iterable[Message], out: TextIO, header: dict[str, Any], footer: Any) -> int:
    """A JSON document written as it goes: `header` keys, then `messages`, then `footer()` keys."""
    out.write("{\n")
    for key, value in {"schema": PARSE_SCHEMA, "tool": {"name": "whatsapp-audit", "version": __version__}, **header}.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('  "messages": [')
    count = 0
    batch: list[dict[str, Any]] = []
    for message in messages:
        batch.append(message_record(message, native=True))
        if len(batch) == _BATCH:
            out.write(_items(batch, count))
            count += len(batch)
            batch.clear()
    if batch:
        out.write(_items(batch, count))
        count += len(batch)
    out.write("\n  ]" if count else "]")
    for key, value in footer().items():
        out.write(f",\n  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    out.write("\n}\n")
    return count


def _items(records: list[dict[str, Any]], written: int) -> str:
    """Array items, one a line: `records` after `written` items already in the array."""
    text = encode.lines(records)[:-1].replace("\n", ",\n    ")
    return (",\n    " if written else "\n    ") + text


def write_csv(messages: Iterable[Message], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for message in messages:
        record = message_record(message)
        writer.writerow([csv_cell(record[name]) for name in CSV_FIELDS])
        count += 1
    return count
