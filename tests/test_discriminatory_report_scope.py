"""Reporting scope (issue 13 recall pass): a reporting word lowers a slur only where it governs it.

"said", "called" and the like mark abuse someone else spoke (kept, at low, for review). They stop
governing at the end of their sentence, when the writer is the speaker ("I called him a ..."), and
inside idioms that report no one ("so called"). Each narrowing has a positive that now shows and a
genuine report beside it that stays quiet. Every line is invented (no dev-set text).
CONTENT WARNING: the positive cases are invented abusive chat lines; they are test data only.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported as shown
from discriminatory_detector import scan

from whatsapp_audit.model import Confidence

# (now shown, genuine report that stays below medium)
# fmt: off
PAIRS = [
    # the report ends with its sentence
    ("he said he'd be late again. paki prick",
     "he said paki prick to the shopkeeper"),
    ("Sarge called me into the office. Dyke in there again",
     "IP states she was called a dyke. Suspect then left on foot"),
    # the writer's own words: "I called", "we called", "i would have said", "im just gonna say"
    ("i called him a paki to his face and i'd do it again",
     "i said the male called me a paki at the kiosk"),
    ("we called them pakis back in the day",
     "the lad was called a paki on his way home"),
    ("i would have said dyke tbh",
     "I never said dyke, sarge, check the bodycam"),
    ("im just gonna say it, he's a faggot",
     "i told the inspector he called me a faggot"),
    # an idiom with a reporting word in it reports no one
    ("these so called pakis down the road are at it again",
     "victim says the suspect kept calling her a paki"),
    # the writer as the subject of "for calling": "I got banned for calling ...", not "my mate got ..."
    ("i got a warning for calling him a paki",
     "my mate got a warning for calling him a paki"),
    ("will i get sacked for saying dyke on here",
     "he got sacked for saying dyke on the radio"),
    # the words said are "so" or "what", or a thing is named: what follows is the writer's
    ("do what they say paki",
     "a man called me a paki outside the shop"),
    ("it's called work ethic, something a paki wouldn't know",
     "she says the suspect called her a paki"),
    # a construction in the writer's own words ("i said ..."), or after "with that said"
    ("i said it at briefing, all muslims are terrorists",
     "he said at briefing that all muslims are terrorists"),
    ("with that said, the paki lad can stay",
     "she said the paki lad can stay"),
    # "allow" reports no one's words ("we allow a ... in here now")
    ("they allow a paki on the team now",
     "the IP said the male kept shouting paki at her"),
]
# fmt: on


@pytest.mark.parametrize(("positive", "report"), PAIRS)
def test_a_report_lowers_only_the_slur_it_governs(positive: str, report: str) -> None:
    assert shown(positive), positive
    found = scan(report)
    assert found, report  # kept for review, not dropped
    assert all(f.confidence is Confidence.LOW for f in found), (report, found)
    assert any("reporting word" in f.explanation.reason for f in found), report


@pytest.mark.parametrize("text", [
    # a quotation or guidance stays quiet whoever speaks
    "I said to him 'paki' is not a word we use here",
    "the word paki should never be used in this group",
    # a construction after the writer's "I posted about" names a topic: it keeps the discount
    "i posted about how all muslims are terrorists",
])
def test_quotation_guidance_and_topics_stay_quiet(text: str) -> None:
    assert scan(text), text
    assert not shown(text), text


def test_a_shown_slur_explains_no_report() -> None:
    (finding,) = shown("i called him a paki to his face and i'd do it again")
    assert "reporting word" not in finding.explanation.reason


# Counter-speech: "not having" and "not on" object only as "not having it", "not on here" (and the
# like); "not having a good week", "not on the rota" object to nothing.
# fmt: off
COUNTER_PAIRS = [
    ("the dyke next door is not having a good week", "calling her a dyke? not having it"),
    ("the paki lad is not on the rota again", "he keeps saying paki, mate that's not on"),
]
# fmt: on


@pytest.mark.parametrize(("positive", "objection"), COUNTER_PAIRS)
def test_weak_objections_object_only_when_aimed_at_the_words(positive: str, objection: str) -> None:
    assert shown(positive), positive
    found = scan(objection)
    assert found and all(f.confidence is Confidence.LOW for f in found), (objection, found)
    assert any("objects to" in f.explanation.reason for f in found), objection

