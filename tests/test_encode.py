"""The fast JSON encoding (orjson) writes exactly what the standard library would, `parse` output
carries the same values as the reference record, and the reports the same values as before."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit import parse
from whatsapp_audit.model import MessageKind, ShownAs
from whatsapp_audit.report import encode
from whatsapp_audit.report.messages import message_record, write_json, write_jsonl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text()
    | st.sampled_from(list(MessageKind) + list(ShownAs))
    | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0)),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_fast_and_standard_encodings_give_the_same_text(value):
    assert encode.dumps(value) == encode.standard_dumps(value)
    assert encode.dumps(value, indent=True) == encode.standard_dumps(value, indent=True)
    assert encode.lines([value, value]) == encode.standard_dumps(value) + "\n" + encode.standard_dumps(value) + "\n"


def test_values_orjson_refuses_go_through_the_standard_library():
    lone = "half of a pair: \ud83d"
    assert encode.dumps({"t": lone}) == json.dumps({"t": lone}, ensure_ascii=False, separators=(",", ":"))
    assert encode.lines([{"n": 2**70}, {"n": 1}]) == '{"n":%d}\n{"n":1}\n' % 2**70


def test_parse_output_has_the_reference_values_for_every_message(monkeypatch):
    monkeypatch.setattr("whatsapp_audit.report.messages._BATCH", 7)  # several batches per export
    for path in sorted(EXAMPLES.glob("*.txt")) + sorted(EXAMPLES.glob("*.zip")):
        chat = parse(path)
        out = io.StringIO()
        assert write_jsonl(chat.messages, out) == len(chat.messages)
        lines = out.getvalue().splitlines()
        assert [json.loads(line) for line in lines] == [message_record(m) for m in chat.messages]
        document = io.StringIO()
        write_json(chat.messages, document, {"source": {"path": path.name}}, lambda: {"coverage": {}})
        assert json.loads(document.getvalue())["messages"] == [message_record(m) for m in chat.messages]


def test_a_report_keeps_its_values_and_escapes_invisible_characters():
    from whatsapp_audit.report.safe import json_dumps

    record = {"text": "a\u202eb\u200bc\x7f", "score": 0.85, "n": None, "list": [1, "ü"]}
    compact = json_dumps(record)
    assert json.loads(compact) == record
    assert "\u202e" not in compact and "\\u202e" in compact and "\\u007f" in compact
    assert json.loads(json_dumps(record, indent=2)) == record
    # All-ASCII text takes a short way out: a DEL or a control character must still come out escaped.
    plain = {"text": "ring 0161\x7f back\x1b[2J\tnow", "line": 12}
    for text in (json_dumps(plain), json_dumps(plain, indent=2)):
        assert json.loads(text) == plain
        assert "\x7f" not in text and "\x1b" not in text and "\\u007f" in text and "\\u001b" in text
