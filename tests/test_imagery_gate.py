"""The imagery detector's first-token gate (`Scanner.may_raise`) changes no finding.

Every text entering an imagery window is asked whether it holds a scene or reply term that can raise
a score. A file name ("IMG-20240101-WA0001.jpg (file attached)") and most short talk are new texts,
so the gate answers "no" for an ASCII text in which no token is the first token of a raising term,
without the scan. It must never say "no" where the scan finds a raising hit, and the findings of
media lines beside scene talk must be those of the scan alone.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.detect.imagery.lexicon import Scanner
from whatsapp_audit.ingest.export import open_export
from whatsapp_audit.model import Finding
from whatsapp_audit.rules.loader import load_patterns

_RAISING = ("strong", "weak")


@cache
def scanner() -> Scanner:
    detector = ImageryDetector()
    detector.configure(load_patterns().rules_for("imagery"))
    assert detector._assessor is not None
    return detector._assessor.scanner


@cache
def firsts() -> tuple[str, ...]:
    """The first tokens of every term, as they are indexed (case-folded; abbreviations as written)."""
    index = scanner()
    return tuple(sorted({*index._terms.by_first, *index._abbr.by_first}))


FILES = ["IMG-20240101-WA0001.jpg", "VID-20231231-WA0107.mp4", "PTT-20240202-WA0003.opus",
         "00000012-PHOTO-2024-01-01-10-00-00.jpg", "00000031-VIDEO-2024-01-01-10-00-07.mp4",
         "DOC-20240105-WA0002.pdf", "Scene_body-photo.JPG", "STK-20240101-WA0009.webp"]
WORDS = ["ok", "gym", "after", "shift", "cake", "canteen", "see", "you", "lol", "7", "file", "attached",
         "Body", "SCENE", "pm", "PM", "sd", "DB", "GSW", "dead-tired", "tape", "omg", "why"]
SEPARATORS = [" ", " ", "-", "_", ".", "'", "\u2019", "\u200b", "(", ")", "<attached: ", ">", "\U0001f62e", "\n"]


def texts() -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(FILES), st.sampled_from(WORDS),
                      st.sampled_from(firsts()),
                      st.sampled_from(firsts()).map(str.upper), st.text(max_size=6))
    parts = st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=8)
    return parts.map(lambda items: "".join(word + gap for word, gap in items))


def raising_by_scan(text: str) -> bool:
    return any(hit.strength in _RAISING for hit in scanner().scan(text))


@settings(max_examples=600, deadline=None)
@given(texts())
@example("IMG-20240101-WA0001.jpg (file attached)")
@example("<attached: 00000012-PHOTO-2024-01-01-10-00-00.jpg>")
@example("body_found")
@example("SD and PM")
@example("dead tired")
def test_the_gate_says_no_only_where_the_scan_finds_no_raising_term(text: str) -> None:
    assert scanner().may_raise(text) or not raising_by_scan(text), text


def test_a_file_name_alone_is_turned_away_without_a_scan() -> None:
    assert not scanner().may_raise("IMG-20240101-WA0001.jpg (file attached)")
    assert not scanner().may_raise("VID-20231231-WA0107.mp4 (file attached)")


# An invented Android export: photos beside scene talk (reported) and beside ordinary talk (not).
CHAT = """\
14/03/2024, 09:00 - Ash: morning all
14/03/2024, 09:01 - Ash: IMG-20240314-WA0001.jpg (file attached)
14/03/2024, 09:02 - Bea: lovely sunrise
14/03/2024, 10:00 - Cal: on scene now, body in the stairwell, cordon going up
14/03/2024, 10:01 - Cal: IMG-20240314-WA0002.jpg (file attached)
14/03/2024, 10:01 - Cal: IMG-20240314-WA0003.jpg (file attached)
grim one
14/03/2024, 10:02 - Dee: delete that mate
14/03/2024, 10:03 - Ash: ok
14/03/2024, 11:30 - Bea: VID-20240314-WA0004.mp4 (file attached)
14/03/2024, 11:31 - Bea: gym after shift?
14/03/2024, 12:00 - Cal: stabbed victim at the RTC, SD and PM booked
14/03/2024, 12:01 - Cal: DOC-20240314-WA0005.jpg (file attached)
14/03/2024, 12:02 - Ash: why would you send that
"""


def findings(path: Path) -> list[Finding]:
    engine = Engine.configured(load_patterns().rules)
    with open_export(path) as opened:
        return list(engine.run(opened.iter_messages()))


@pytest.mark.parametrize("pure", [False, True])
def test_media_findings_are_those_of_the_scan_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    pure: bool) -> None:
    if pure:
        monkeypatch.setenv("WHATSAPP_AUDIT_PURE", "1")
    path = tmp_path / "WhatsApp Chat with Night shift.txt"
    path.write_text(CHAT, encoding="utf-8")
    gated = findings(path)
    monkeypatch.setattr(Scanner, "may_raise", lambda self, text: True)
    assert findings(path) == gated
    imagery = [f for f in gated if f.category.value == "crime_scene_image"]
    assert imagery, "the chat must give imagery findings, or this test proves nothing"
