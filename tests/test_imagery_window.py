"""The imagery detector's shortcut, kept as the window slides, answers as `Assessor.could_score` asked afresh.

`RaisingTalk` reads each message once, when it first enters a window, instead of every text of every
media message's 31-message window again. Its answer must be `could_score`'s for any sequence of
windows the engine can give: overlapping ones (an album), ones after a gap (photos far apart), and a
chat read again from the start with the same messages.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.detect.imagery.scoring import Assessor, RaisingTalk
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns

TEXTS = ["ok", "gym after shift", "body found at the scene", "delete that now", "cake in the canteen",
         "IMG-20240101-WA0001.jpg (file attached)", "lol", "cordon in place", "", "see you at 7"]


@cache
def assessor() -> Assessor:
    detector = ImageryDetector()
    detector.configure(load_patterns().rules_for("imagery"))
    assert detector._assessor is not None
    return detector._assessor


def chat(texts: list[str]) -> list[Message]:
    start = datetime(2024, 3, 14, 9)
    return [Message(index=i, line=i + 1, end_line=i + 1, timestamp=start + timedelta(minutes=i), header="",
                    author="Ash", text=text, kind=MessageKind.TEXT) for i, text in enumerate(texts)]


def windows() -> st.SearchStrategy[list[tuple[int, int]]]:
    """(position, neighbours each side) of the media messages asked about, in any order: the engine
    asks in chat order with one size, but nothing here may depend on it."""
    return st.lists(st.tuples(st.integers(min_value=0, max_value=59), st.integers(min_value=0, max_value=15)),
                    max_size=24)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=60), windows())
@example(["body found at the scene", *["ok"] * 12], [(8, 2), (5, 5)])  # a window reaching back past the last
@example(["ok"] * 3 + ["cordon in place"] + ["ok"] * 20, [(10, 2), (11, 2), (20, 1), (2, 1), (3, 15)])
def test_the_sliding_answer_is_could_score_asked_afresh(texts: list[str], asked: list[tuple[int, int]]) -> None:
    """Windows in chat order (overlapping, or far apart), then the chat read again, then any order."""
    messages = chat(texts)
    talk = RaisingTalk(assessor().raising)
    reading_memo = RaisingTalk(assessor().raising, assessor().known_raising)  # as the detector builds it
    in_order = sorted(asked)
    for at, k in [*in_order, *in_order, *asked]:
        at %= len(messages)
        before, after = messages[max(0, at - k):at], messages[at + 1:at + 1 + k]
        expected = assessor().could_score(messages[at], before, after)
        assert talk.any_in((*before, messages[at], *after)) == expected, (at, k)
        assert reading_memo.any_in((*before, messages[at], *after)) == expected, (at, k)
