"""A slur named as a word (issue 13 false-alarm pass 4): "[slur] is a slur" is about the word.

A message that says a word is a slur, an offensive term or a racist word is guidance or a question, not
abuse: kept for review (low), never dropped. Using the word in the same breath, or calling someone it,
stays a finding. Every line is invented (no dev-set text).
CONTENT WARNING: the lines are invented abusive chat; they are test data only.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported as shown
from discriminatory_detector import scan

from whatsapp_audit.model import Confidence

ABOUT_THE_WORD = [
    "paki is a slur, leave it out of the group",
    "tranny is an offensive term these days",
    "faggot is a homophobic slur whatever the lads say",
    "is paki even a racist word? asking for the diversity input",
    "isn't dyke a derogatory term now",
    "spastic's an ableist insult, says the new guidance",
]

USING_THE_WORD = [
    "the word for you is paki",
    "call him a paki, it's just a word",
    "dyke is a slur but i'm using it anyway, fat dyke",
    "u dyke is the term for you",
    "paki is what you are mate",
    "what's the word for a paki lol",
    "he's the faggot word in human form",
]


@pytest.mark.parametrize("text", ABOUT_THE_WORD)
def test_a_slur_named_as_a_word_is_kept_for_review(text: str) -> None:
    found = scan(text)
    assert found, text
    assert all(f.confidence is Confidence.LOW for f in found), (text, found)
    assert any("named as a word" in f.explanation.reason for f in found), text


@pytest.mark.parametrize("text", USING_THE_WORD)
def test_using_the_word_still_shows(text: str) -> None:
    assert shown(text), text
