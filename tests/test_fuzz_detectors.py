"""Fuzzing the detectors: hostile message text never crashes the engine, and every finding
points inside its own message."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns

FRAGMENTS = [
    "\u0301", "\u202e", "\u200e", "\u200d", "\ufe0f", "\U0001f3ff", "\x1b[31m", "[bold]", "\r", "\t", "\x00", "\ufeff",
    "=cmd|", "<script>", "AB12 CDE", "BD7 1AZ", "07911 400 812", "24/123456F", "DOB 12/07/1986", "p.a.k.i", "f a g",
    "Scunthorpe", "body", "cordon", "IMG-20240114-WA0007.jpg", "🐒", "👳", "1" * 40, "a" * 300, "(((", "\\", "$1",
]
TEXT = st.lists(st.one_of(st.characters(), st.sampled_from(FRAGMENTS)), max_size=40).map("".join)
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(load_patterns().rules)


def _messages(texts: list[tuple[str, bool]]) -> list[Message]:
    start = datetime(2024, 3, 14, 22, 0)
    out = []
    for i, (text, media) in enumerate(texts):
        attachments = (Attachment(f"IMG-20240314-WA{i:04d}.jpg", MediaType.IMAGE, False),) if media else ()
        kind = MessageKind.MEDIA if media else MessageKind.TEXT
        out.append(Message(i, i + 1, i + 1, start + timedelta(minutes=i), "h", f"Author {i % 3}", text, kind, attachments))
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=SUPPRESS)
@given(texts=st.lists(st.tuples(TEXT, st.booleans()), min_size=1, max_size=12))
def test_hostile_text_never_crashes_and_spans_stay_inside_the_message(engine, texts):
    messages = _messages(texts)
    by_index = {m.index: m for m in messages}
    for finding in engine.run(messages):
        message = by_index[finding.message_index]
        assert finding.line == message.line
        if finding.start is not None:
            assert 0 <= finding.start <= finding.end <= len(message.text)
            assert message.text[finding.start : finding.end] == finding.matched
