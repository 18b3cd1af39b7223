"""Hostile and awkward text for the discriminatory detector: crash text stays cheap without hiding
a term, and a spaced-out word after single-letter words is still read."""

from __future__ import annotations

from datetime import datetime

import pytest

from whatsapp_audit.detect.discriminatory.lexicon import bounded_for_gates
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(load_patterns().rules)


def rules_for(engine: Engine, text: str) -> list[str]:
    message = Message(0, 1, 1, datetime(2024, 3, 14, 22, 0), "h", "Kit Arden", text, MessageKind.TEXT)
    return [f.rule for f in engine.run([message]) if f.rule.startswith("DIS-")]


def test_gate_input_is_bounded_but_short_text_is_untouched():
    assert bounded_for_gates("you p.a.k.i") == "you p.a.k.i"
    bounded = bounded_for_gates("1" * 40_000 + " " + "x" * 300)
    assert bounded == "1" * 16 + " " + "x" * 16


@pytest.mark.parametrize("crash", ["1" * 40_000, "|1" * 20_000, "i1l|" * 10_000, "\u0301" * 30_000])
def test_a_term_after_crash_text_is_still_found(engine, crash):
    assert "DIS-RACE-PAKI" in rules_for(engine, crash + " oi p4ki")
    assert rules_for(engine, crash) == []


@pytest.mark.parametrize("text", ["he is a f a g", "what a f a g"])
def test_spaced_word_after_single_letter_words(engine, text):
    assert rules_for(engine, text) == ["DIS-SO-FAG"]


def test_spaced_single_letters_that_spell_nothing_stay_quiet(engine):
    assert rules_for(engine, "I got a b c d e f g h in the quiz") == []
