"""A lookahead of a gate's possible first characters (`text.firsts.guarded`) changes no match.

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
from whatsapp_audit.detect.text.firsts import guarded
from whatsapp_audit.detect.text.guard import Guarded
from whatsapp_audit.rules.loader import load_patterns


@cache
def operational() -> OperationalDetector:
    detector = OperationalDetector()
    detector.configure(load_patterns().rules_for("operational"))
    return detector


@cache
def gates() -> tuple[tuple[str, int], ...]:
    """Every bundled operational prefilter (source, flags), and the one pattern of the digit rules'."""
    found: list[tuple[str, int]] = []
    for compiled in operational()._rules:
        gate = compiled.prefilter
        if isinstance(gate, Guarded) and gate.plain is not None:
            found.append((gate.pattern, gate.plain.flags))
    quiet = operational()._quiet_gate()
    assert quiet is not None  # the bundled packs have one: this test would check nothing without it
    return (*found, (quiet[0].pattern, quiet[0].flags))


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


def test_only_a_pattern_the_engine_cannot_skip_for_is_guarded() -> None:
    assert guarded(r"\b(?:Road|Rd)(?!\w)").startswith("(?=[")  # a word boundary first
    assert guarded(r"(?<![A-Za-z])[A-Z][a-z]+").startswith("(?=[")  # a lookbehind first
    assert guarded(r"\d[A-Za-z]{2}") == r"\d[A-Za-z]{2}"  # a class first: `re` skips by itself
    for unsure in (r"a?\d", r"(?i)\bop", r"(?i:\bop)", r"\b[^a]b", r"\b.x", r"(?x)\b a  # note"):
        assert guarded(unsure) == unsure, unsure
