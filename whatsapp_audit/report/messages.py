"""Write parsed messages as JSON Lines, JSON or CSV: the public output of `whatsapp-audit parse`.

The field names are a public contract; add fields, never rename or remove them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from whatsapp_audit import __version__
from whatsapp_audit.model import Message, author_name
from whatsapp_audit.report.safe import csv_cell

PARSE_SCHEMA = "whatsapp-audit/messages/1"
CSV_FIELDS = ("line", "end_line", "timestamp", "author", "kind", "attachment", "media_type", "text", "system_prefix", "edited", "header",
              "author_display", "author_shown_as", "system_recognised")


def message_record(message: Message) -> dict[str, Any]:
    """The JSON object for one message (jsonl line, json array item)."""
    attachment = message.attachment
    return {
        "line": message.line,
        "end_line": message.end_line,
        "timestamp": message.timestamp.isoformat(timespec="seconds"),
        "author": message.author,
        "text": message.text,
        "kind": message.kind.value,
        "attachment": attachment.name if attachment else None,
        "media_type": attachment.media_type.value if attachment else None,
        "attachment_omitted": attachment.omitted if attachment else None,
        "attachments": [a.name for a in message.attachments],
        "system_prefix": message.system_prefix,
        "edited": message.edited,
        "header": message.header,
        "author_display": author_name(message.author).display if message.author else None,
        "author_shown_as": author_name(message.author).shown_as.value if message.author else None,
        "system_recognised": message.system_recognised,
    }


def write_jsonl(messages: Iterable[Message], out: TextIO) -> int:
    count = 0
    for message in messages:
        out.write(json.dumps(message_record(message), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def write_json(messages: Iterable[Message], out: TextIO, header: dict[str, Any], footer: Any) -> int:
    """A JSON document written as it goes: `header` keys, then `messages`, then `footer()` keys."""
    out.write("{\n")
    for key, value in {"schema": PARSE_SCHEMA, "tool": {"name": "whatsapp-audit", "version": __version__}, **header}.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    out.write('  "messages": [')
    count = 0
    for message in messages:
        out.write(",\n    " if count else "\n    ")
        out.write(json.dumps(message_record(message), ensure_ascii=False))
        count += 1
    out.write("\n  ]" if count else "]")
    for key, value in footer().items():
        out.write(f",\n  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    out.write("\n}\n")
    return count


def write_csv(messages: Iterable[Message], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for message in messages:
        record = message_record(message)
        writer.writerow([csv_cell(record[name]) for name in CSV_FIELDS])
        count += 1
    return count
