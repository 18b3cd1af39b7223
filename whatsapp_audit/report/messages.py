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
    module = native.accelerator()
    if module is not None:
        return _write_jsonl_native(module.encode_jsonl, messages, out)
    count = 0
    batch: list[dict[str, Any]] = []
    for message in messages:
        batch.append(message_record(message, native=True))
        if len(batch) == _BATCH:
            out.write(encode.lines(batch))
            count += len(batch)
            batch.clear()
    if batch:
        out.write(encode.lines(batch))
    return count + len(batch)


def _write_jsonl_native(encode_jsonl: Any, messages: Iterable[Message], out: TextIO) -> int:
    """`write_jsonl` with each batch's records written in C (`_native.encode_jsonl`); a batch it
    declines (a value only the Python path writes exactly, such as a lone surrogate) is written by
    `encode.lines` as before. UTF-8 bytes go straight to the binary layer under a UTF-8 text stream."""
    names: dict[str, tuple[str, str]] = {}  # author -> (display, shown_as), as author_name gives them
    binary = _utf8_buffer(out)
    count = 0
    for batch in _batches(messages):
        data = encode_jsonl(batch, names, author_name)
        if binary is None or data is None:
            out.write(data.decode("utf-8") if data is not None else encode.lines([message_record(m, native=True) for m in batch]))
        else:
            out.flush()
            binary.write(data)
        count += len(batch)
        if len(names) > 4096:
            names.clear()
    if binary is not None:
        binary.flush()
    return count


def _batches(messages: Iterable[Message]) -> Iterator[list[Message]]:
    iterator = iter(messages)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


def _utf8_buffer(out: TextIO) -> Any:
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
