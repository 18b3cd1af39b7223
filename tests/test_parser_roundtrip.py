"""Property test: random messages rendered in every header shape parse back exactly."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from export_shapes import RENDERERS
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit import parse

# Names and text as people write them: letters, digits, punctuation, emoji, invisible marks
# inside (never first, where they would mean a system line on iOS), no line breaks in names.
_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
_names = st.text(_chars, min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and ":" not in s and s[0] not in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff\u061c~" and not s[0].isdigit() and s[0] != "["
)
_line = st.text(_chars, max_size=40).filter(lambda s: not s[:1].isdigit() and not s.startswith("[") and s[:1] not in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff\u061c")
_bodies = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_messages = st.lists(st.tuples(_names, _bodies, st.integers(0, 10_000)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from(sorted(RENDERERS)), messages=_messages)
def test_rendered_messages_parse_back_exactly(tmp_path_factory, shape, messages):
    render, order, seconds = RENDERERS[shape]
    when = datetime(2021, 5, 20, 7, 30, 15 if seconds else 0)
    lines, expected = [], []
    line = 1
    for author, body, gap in messages:
        when += timedelta(minutes=gap)
        lines.append(f"{render(when)}{author}: {body}")
        count = body.count("\n") + 1
        expected.append((line, line + count - 1, when, author, body))
        line += count
    path = Path(tmp_path_factory.mktemp("roundtrip")) / "chat.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    chat = parse(path, date_order=order)
    got = [(m.line, m.end_line, m.timestamp, m.author, m.text) for m in chat.messages]
    assert got == expected
    assert chat.stats.accounted and chat.stats.unparsed_lines == 0
