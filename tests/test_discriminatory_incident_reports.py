"""Incident reports (issue 13 false-alarm pass 4): an officer relaying what a suspect said is not abuse.

Officers' groups pass on incidents ("IP says the suspect called him a ...", "s4A POA: male shouted
... at the victim"). The standard keeps reporting of abuse below medium (for review, never dropped),
while the officer's own slur or joke beside the same police words stays a finding. Every line is
invented (no dev-set text).
CONTENT WARNING: the lines are invented abusive chat; they are test data only.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported as shown
from discriminatory_detector import scan

from whatsapp_audit import parse
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.registry import DETECTORS
from whatsapp_audit.model import Category, Confidence, Finding
from whatsapp_audit.rules.loader import load_patterns

# An officer relaying the incident: kept for review (low), labelled as reported.
REPORTS = [
    "Neighbour shouted at IP. Paki go home.",
    "Suspect shouted across the road at the victim. Dirty paki get out of my street.",
    "suspect called the owner a dirty paki",
    'IP says suspect shouted "go back home you paki" then left',
    'Victim: "you paki, go home"',
    "s4A POA: male shouted go home paki at the victim",
    "witness heard him shout paki bastard twice",
    "victim alleges suspect called him a n*gger",
    "Witness states the male kept calling her a fat dyke",
    "paki go home, he shouted at the IP",
    "Complainant reports racial abuse, suspect said go back to your own country",
    "Crime ref 4456. Suspect quote: go back to where you came from",
    "IP rang re neighbour dispute\nSuspect yelled at her from the window\nyou fucking paki",
    "IP states the male shouted abuse. Paki go home.",
    "Suspect became aggressive and shouted. You fucking paki",
    "go back home you paki was what the suspect said",
    # an officer's report is indirect speech to the end of its sentence
    "Suspect in interview said he's not racist, he just hates pakis",
]

# The officer's own words next to the same police words: still a finding.
OWN_WORDS = [
    "the IP is a paki lol",
    "victim was a paki, no wonder",
    "IP reports racial abuse. tbh the paki deserved it",
    "IP says suspect called him a paki. fair enough he is a paki tbh",
    "IP says suspect called him a paki. the paki deserved it",
    "Suspect arrested for s4A. Paki lover of a victim kept crying lol",
    "suspect in custody. fucking pakis everywhere round here",
    "Attended s5 POA job, victim paki shopkeeper, no further action",
    "I told the IP he's a paki and to stop wasting our time",
    # the report beside it passes on other words ("she said she was ...", "IP says her neighbour is ...")
    "IP is a fat dyke, she said she was assaulted lol",
    "IP says her neighbour is harassing her. Dyke though",
    # after the report, a bare name for someone is the officer's, not an utterance
    "IP shouted at me for ten minutes. Paki prick.",
    # the officer's comment after a comma: a police word or "tbh" ends the report
    "IP says suspect called him a paki, the IP is a paki too",
    "IP says suspect called him a paki, fair enough he is a paki tbh",
    # a police topic word ("racist abuse", "hate crime", "PSD") objects to nothing outside its sentence
    "IP reports racist abuse. tbh the paki deserved it",
    "hate crime job on the estate. paki shop again, no wonder",
    "PSD are looking at the van chat lol. fucking pakis everywhere",
]


@pytest.mark.parametrize("text", REPORTS)
def test_a_relayed_incident_is_kept_for_review_not_flagged(text: str) -> None:
    found = scan(text)
    assert found, text  # evidence of the words: kept, not dropped
    assert all(f.confidence is Confidence.LOW for f in found), (text, found)
    assert all(dict(f.explanation.details).get("label") == "quoted/reported" for f in found), text


@pytest.mark.parametrize("text", OWN_WORDS)
def test_the_officers_own_slur_beside_police_words_still_shows(text: str) -> None:
    assert shown(text), text


def test_a_quotation_followed_by_its_speaker_is_reported_without_police_words() -> None:
    found = scan('"go back home you paki" was what he said')
    assert found and all(f.confidence is Confidence.LOW for f in found)
    assert shown("go back home you paki was what i said")


def test_police_words_alone_change_nothing() -> None:
    # No reporting word, no quotation: "suspect" does not make a slur someone else's.
    assert shown("suspect is a paki, obviously")
    # A report in a message without police words keeps the ordinary sentence scope.
    assert shown("he said he'd be late again. paki prick")


def test_a_police_topic_word_still_lowers_a_slur_in_its_own_sentence() -> None:
    found = scan("whoever put paki in the van chat, report it to PSD")
    assert found and all(f.confidence is Confidence.LOW for f in found)


# An invented response team's group: officers relay three incidents and make two comments of their own.
CHAT = """\
14/03/2024, 19:58 - Sgt Hal Moreby created group "D Relief Response"
14/03/2024, 20:05 - Kit Arden: s4A POA on Marsh Lane: male shouted go home paki at the victim outside the shop
14/03/2024, 20:07 - Kit Arden: Neighbour shouted at IP over the fence. Paki go back home.
14/03/2024, 20:09 - Sgt Hal Moreby: Get a statement, crime it as racially aggravated and get BWV uploaded
14/03/2024, 20:40 - Jo Penrose: Crime ref 2211. IP states the suspect called her a fat dyke and spat at her
Suspect quote: "go back to where you came from"
14/03/2024, 20:44 - Ben Tull: the IP is a dyke anyway lol
14/03/2024, 21:15 - Kit Arden: witness heard him shout p*ki bastard twice, BWV on
14/03/2024, 21:20 - Ben Tull: Victim reports racist abuse. tbh the paki deserved it
14/03/2024, 21:30 - Sgt Hal Moreby: Ben, that's not on. Take it down
"""


@pytest.fixture(scope="module")
def chat_findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    path = tmp_path_factory.mktemp("incidents") / "WhatsApp Chat with D Relief Response.txt"
    path.write_text(CHAT, encoding="utf-8")
    engine = Engine.build(load_patterns().rules, DETECTORS)
    return [f for f in engine.run(parse(path).messages) if f.category is Category.DISCRIMINATORY_LANGUAGE]


def test_in_an_officers_group_only_the_officers_own_slurs_show(chat_findings: list[Finding]) -> None:
    shown_lines = sorted({f.line for f in chat_findings if f.confidence.rank >= Confidence.MEDIUM.rank})
    assert shown_lines == [7, 9], [(f.line, f.confidence, f.matched) for f in chat_findings]
    # every relayed incident is still there for review, labelled as reported (line 5's message runs
    # on to the quoted words on line 6)
    relayed = [f for f in chat_findings if f.line in (2, 3, 5, 8)]
    assert sorted(f.line for f in relayed) == [2, 3, 5, 5, 8]
    assert all(dict(f.explanation.details).get("label") == "quoted/reported" for f in relayed)
