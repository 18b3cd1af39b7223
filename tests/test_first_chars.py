"""A lookahead of a gate's possible first characters (`text.firsts.guarded`) changes no match, and a
class of them (`text.firsts.skipping`) finds a match exactly where the gate does.

The operational detector's prefilters, and the one pattern of them all it searches in each message
with a digit, are led by such a lookahead so the regex engine skips in C; a gate that then answers
differently would wake a detector less often than its rules need, or more often. Texts are built
from the prefilters' own shapes: street words, capitals after a comma, digits beside letters.
"""

from __future__ import annotations

import re
from functools import cache

from hypothesis import example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.operational.detector import OperationalDetector
from whatsapp_audit.detect.text.firsts import guarded, skipping
from whatsapp_audit.detect.text.guard import Guarded
from whatsapp_audit.rules.loader import load_patterns


@cache
def operational() -> OperationalDetector:
    detector = OperationalDetector()
    detector.configure(load_patterns().rules_for("operational"))
    return detector


@cache
def gates() -> tuple[tuple[str, int], ...]:
    """Every bundled operational prefilter (source, flags), and the one pattern of all the digit rules'."""
    found: list[tuple[str, int]] = []
    digit_rules: list[str] = []
    for compiled in operational()._rules:
        gate = compiled.prefilter
        if isinstance(gate, Guarded) and gate.plain is not None:
            found.append((gate.pattern, gate.plain.flags))
            if compiled.requires_digit and not compiled.gate_words:
                digit_rules.append(gate.pattern)
    return (*found, ("|".join(f"(?:{source})" for source in digit_rules), found[0][1]))


def texts() -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(["Road", "Rd", "Parade", "Way", "way", "Street", "St", "Ann Lee", "Op", "inc", "No.", "_I_"]),
        st.from_regex(r"\A[0-9]{1,6}[A-Za-z]{0,3}\Z"),
        st.from_regex(r"\A[A-Z][a-z]{0,5}\Z"),
        st.text(alphabet="aAbBdDzZ0123456789 /_-,.\n\u0661\u00e9", max_size=6),
    )
    return st.lists(piece, max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(texts())
@example("Parade at 0700 tomorrow")
@example("On my way, 10 mins")
@example("Address is 14 Larkspur Road, BD7 1AZ")
@example("ref \u0661\u0662/34567")  # a digit outside ASCII: `\d` in the lookahead takes it too
def test_a_gate_led_by_its_first_characters_matches_where_it_did(text: str) -> None:
    for source, flags in gates():
        plain = re.compile(source, flags).search(text)
        fast = re.compile(guarded(source, flags), flags).search(text)
        assert (plain and plain.span()) == (fast and fast.span()), source


@settings(max_examples=400, deadline=None)
@given(texts())
@example("Parade at 0700 tomorrow")
@example("Address is 14 Larkspur Road, BD7 1AZ")
@example("ref \u0661\u0662/34567")
@example("Ann Lee\nRoad")  # the class's lookbehind sees across a line end (`(?s:.)`)
def test_a_gate_led_by_a_class_of_its_first_characters_finds_a_match_where_it_did(text: str) -> None:
    for source, flags in gates():
        plain = re.compile(source, flags).search(text)
        fast = re.compile(skipping(source, flags), flags).search(text)
        assert (plain is None) == (fast is None), source


def test_the_digit_rules_searches_by_count_are_led_by_a_class() -> None:
    quiet = operational()._quiet_gate()
    assert quiet is not None  # the bundled packs have one: the engine's C digit test would not run without it
    searches, _floor = quiet
    assert len(searches) > 1 and all(pattern.pattern.startswith("[") for pattern in searches)


def test_only_a_pattern_the_engine_cannot_skip_for_is_guarded() -> None:
    assert guarded(r"\b(?:Road|Rd)(?!\w)").startswith("(?=[")  # a word boundary first
    assert guarded(r"(?<![A-Za-z])[A-Z][a-z]+").startswith("(?=[")  # a lookbehind first
    assert guarded(r"\d[A-Za-z]{2}") == r"\d[A-Za-z]{2}"  # a class first: `re` skips by itself
    for unsure in (r"a?\d", r"(?i)\bop", r"(?i:\bop)", r"\b[^a]b", r"\b.x", r"(?x)\b a  # note"):
        assert guarded(unsure) == unsure, unsure
        assert skipping(unsure) == unsure, unsure
    assert skipping(r"(?<![A-Za-z])[A-Z][a-z]+").startswith("[")
