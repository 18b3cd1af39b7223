"""The engine wakes the operational detector only where one of its rules could match, not on any digit.

Rules that need no digit are woken by their keywords; the rules that need one by `wakes`: a word of
such a rule with a digit, or a digit shape some keyword-free rule needs (its message digits, its
prefilter, its own regexes). A message it turns away must hold no finding when the detector is run
on it anyway. Texts are generated from the packs' own words, examples and digit shapes.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.operational.detector import OperationalDetector
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns


@cache
def engine() -> Engine:
    return Engine.build(load_patterns().rules_for("operational"),
                        ("whatsapp_audit.detect.operational:OperationalDetector",))


def operational() -> OperationalDetector:
    detector = engine().detectors[0]
    assert isinstance(detector, OperationalDetector)
    return detector


@cache
def pack_words() -> tuple[str, ...]:
    """Every word of the rules' keywords, context words and examples (as written: case matters)."""
    words: set[str] = set()
    for rule in load_patterns().rules_for("operational"):
        words.update(rule.match.get("keywords", []))
        for item in (*rule.context.get("boost", []), *rule.context.get("reduce", [])):
            words.add(item if isinstance(item, str) else item["word"])
        for case in (*rule.examples_match, *rule.examples_no_match):
            words.update((case if isinstance(case, str) else str(case.get("text", ""))).split())
    return tuple(sorted(words))


def texts() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(pack_words()),
        st.from_regex(r"\A\+?[0-9]{1,12}\Z"),
        st.from_regex(r"\A[A-Z]{1,3}[0-9]{1,4}[A-Z]{0,3}\Z"),
        st.from_regex(r"\A[0-9]{1,4}[/\-. ][0-9]{1,6}([/\-][0-9A-Z]{1,4})?\Z"),
        st.sampled_from(["Road", "Parade", "St", "at", "room", "mins", "late", "Sarah Jones", ",", "(", ")"]),
    )
    return st.lists(piece, max_size=8).map(" ".join)


def assert_wake_changes_nothing(text: str) -> None:
    message = Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9), header="",
                      author="Kit Arden", text=text, kind=MessageKind.TEXT)
    found = list(operational().detect(message, Window()))  # run whatever the gates say
    woken = bool(engine()._filter.mask(text.lower())) or operational().wakes(text)
    assert woken or not found, f"turned away, yet found {[f.rule for f in found]}"
    assert list(engine().examine(message, (), ())) == found


@settings(max_examples=500, deadline=None)
@given(texts())
@example("Stopped a car reg AB12 CDE on the high street")
@example("Address is 14 Larkspur Road, BD7 1AZ")
@example("call me on 07700 900123")
@example("PC 1234 was there")
def test_a_message_the_wake_gate_turns_away_holds_no_finding(text: str) -> None:
    assert_wake_changes_nothing(text)


def test_plain_talk_with_a_short_number_does_not_wake_the_detector() -> None:
    for text in ("Running 5 late sorry", "Parade at 0700 tomorrow", "On my way, 10 mins",
                 "Training moved to room 4", "3-1 what a game"):
        assert not engine()._filter.mask(text.lower()) and not operational().wakes(text), text
    for text in ("Stop check on AB12 CDE", "ring 07700 900123", "PC 1234 said so", "BD7 1AZ"):
        assert operational().wakes(text), text


@settings(max_examples=500, deadline=None)
@given(texts())
@example("On my way, 10 mins")
@example("room 4 at Parade")
@example("ring 07700 900123")
def test_the_one_search_of_every_prefilter_answers_as_the_rules_one_by_one(text: str) -> None:
    """`wakes` first asks one pattern of all the digit rules' prefilters (and their digit floor):
    the same answer as asking each rule's gates in turn."""
    detector = operational()
    fast = detector.wakes(text)
    assert detector._quiet_gate() is not None  # the bundled prefilters can be asked as one
    kept = detector._quiet
    detector._quiet = None
    try:
        assert detector.wakes(text) == fast
    finally:
        detector._quiet = kept


def texts_around_streets_and_plates() -> st.SearchStrategy[str]:
    """Addresses and plates with the spacing people type (double spaces, a tab, a street word first
    or alone), beside the words a prefilter must not be fooled by."""
    piece = st.one_of(
        texts(),
        st.sampled_from(["Elm", "Harrow", "St", "Road", "Parade", "Court", "Close", "O'Neill", "the",
                         "14", "112a", "Flat 2,", "no.", "AB12", "lr71kzp", "YK 23 ABC", "0700", "tom", "mins"]),
        st.sampled_from([" ", "  ", "\t", "\u00a0", "-", ","]),
    )
    return st.lists(piece, max_size=10).map("".join)


@settings(max_examples=800, deadline=None)
@given(st.one_of(texts(), texts_around_streets_and_plates()))
@example("SD at 14 Elm  Close, PM booked")  # two spaces before the street word
@example("Suspect lives at 37 O'Neill\tRoad")
@example("reg is lr71kzp, silver Astra")
@example("Parade at 0700 tomorrow")
def test_a_prefilter_passes_wherever_its_rule_matches(text: str) -> None:
    """A prefilter only turns away text its rule's own regexes cannot match: sharpening one (the
    plate's three letters end the word, a street word follows a capitalised word) must keep that."""
    for compiled in operational()._text_rules:
        if compiled.prefilter is None:
            continue
        if any(next(iter(pattern.finditer(text)), None) is not None for pattern in compiled.patterns):
            assert compiled.prefilter.search(text) is not None, (compiled.rule.id, text)
