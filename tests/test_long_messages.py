"""A finding never depends on the machine's speed: bundled rules find every match in a message of any length.

A 10 MB message (ordinary chat, long runs of capitals, digits and letters that once made bundled
patterns quadratic) ends with the shipped examples of every rule of a family; each must be found
there, and no rule may run out of time. Window search must give exactly what one pass gives.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import regex
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.registry import DETECTORS
from whatsapp_audit.detect.text import guard
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns

T0 = datetime(2024, 3, 14, 9, 0)
TEN_MB = 10_000_000
CHAT = ("Morning all, briefing at 0700 in room 12. Sgt Jones says the van is back on the road after the "
        "M25 closure; Dave and Priya are on lates. Ref the job from Tuesday, she called back at 14:20. ")
HOSTILE = "A" * 40_000 + " " + "1" * 40_000 + " " + "Ab" * 20_000 + " " + "a-" * 20_000 + " "


def filler(size: int) -> str:
    unit = CHAT * 200 + HOSTILE
    return (unit * (size // len(unit) + 1))[:size] + " "


def message(index: int, text: str, author: str = "Kit Arden", attachment: str | None = None) -> Message:
    attachments = (Attachment(attachment, MediaType.VIDEO if attachment.endswith(".mp4") else MediaType.IMAGE,
                              False),) if attachment else ()
    return Message(index=index, line=index + 1, end_line=index + 1, timestamp=T0 + timedelta(seconds=index),
                   header="", author=author, text=text, kind=MessageKind.MEDIA if attachments else MessageKind.TEXT,
                   attachments=attachments)


def only(family: str) -> tuple[str, ...]:
    """The registry entry of one detector: the others (and spaCy) stay out of these long runs."""
    return tuple(entry for entry in DETECTORS if f".{family}:" in entry)


def test_every_operational_rule_finds_its_example_at_the_end_of_a_10_mb_message() -> None:
    rules = load_patterns().rules_for("operational")
    examples = {rule.id: rule.examples_match[0] for rule in rules if rule.examples_match}
    tail = " . ".join(e if isinstance(e, str) else e["text"] for e in examples.values())
    long_text = filler(TEN_MB)
    # Sent with a video, so the rules about files and material sent with a file apply too.
    engine = Engine.build(rules, only("operational"))
    found = list(engine.run([message(0, long_text + tail, attachment="BWV_20240313_2215.mp4")]))
    at_end = {f.rule for f in found if f.start is None or f.start >= len(long_text)}
    assert engine.timeouts == ()
    assert set(examples) - at_end == set()


def test_scene_talk_at_the_end_of_a_10_mb_message_is_read_for_the_photo_beside_it() -> None:
    rules = load_patterns().rules_for("imagery")
    long_text = filler(TEN_MB)
    photo = "IMG-20240314-WA0001.jpg"
    engine = Engine.build(rules, only("imagery"))
    talk = list(engine.run([message(0, long_text + "sudden death at the flat, pics of the body"),
                            message(1, photo, attachment=photo)]))
    caption = list(engine.run([message(0, photo + "\n" + long_text + "fatal RTC, the forensic tent is up", attachment=photo)]))
    assert [(f.line, f.rule) for f in talk] == [(2, "IMG-BODY")]
    assert [(f.line, f.rule) for f in caption] == [(1, "IMG-SCENE")]
    assert engine.timeouts == ()


BUNDLED = [pytest.param(source, id=f"{rule.id}#{number}") for rule in load_patterns().rules_for("operational")
           for number, source in enumerate(rule.match.get("regex", []), 1)]
TEXT = st.lists(st.sampled_from([*"Aa1 -/,.:(\n", "AB12 CDE", "Ref ", "PC ", "Op Kestrel", "Jo Bloggs, 12"]),
                max_size=150).map("".join)


@pytest.mark.parametrize("source", BUNDLED)
@given(text=TEXT)
@settings(max_examples=20, deadline=None)
def test_window_search_finds_what_one_pass_finds(source: str, text: str) -> None:
    whole = [m.span() for m in regex.compile(source).finditer(text)]
    assume(all(end - start < 32 for start, end in whole))  # matches (and look-aheads) shorter than REACH
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(guard, "WINDOW", 32)  # tiny windows, so a few hundred characters span many
        patch.setattr(guard, "REACH", 64)
        pattern = guard.compile_rule_regex(source, trusted=True)
        windowed = [m.span() for m in pattern.finditer(text)]
        first = pattern.search(text)
    assert windowed == whole
    assert (first.span() if first else None) == (whole[0] if whole else None)
