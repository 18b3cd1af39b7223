"""Seventh pass (issue 13): homonyms the lexicon read as slurs, and general shapes for what it missed.

Each abusive line is found with its characteristic; its twin (the ordinary sense of the word, or the
same shape with no protected group) stays quiet at medium and above. Every line is invented for this
test in the shapes of the dev set, never copied from it.
CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import assert_found_and_twin_quiet, assert_kept_for_review, assert_quiet, reported

# (abusive line, characteristic it concerns, its twin that must stay quiet)
PAIRS = [
    # a count of expulsions offered as proof ("kicked out of 109 countries")
    ("funny how the jews got booted out of 109 countries, makes you think", "religion_or_belief",
     "funny how the lads got booted out of 3 pubs, makes you think"),
    ("jews expelled from over 100 countries and it's never their fault", "race",
     "jews expelled from spain in 1492, on the history syllabus"),
    # one member made the whole group by a quantifier: the threat, the expulsion, the generalisation
    ("honestly i'd shoot every last romanian in the town", "race",
     "honestly i'd shoot every last clay pigeon in the town"),
    ("deport each and every somali, job done", "race", "deport each and every offender we nick, job done"),
    ("every pakistani round here is a groomer", "race", "every taxi driver round here is a groomer's best friend"),
    ("each and every muslim is a potential terrorist", "religion_or_belief",
     "each and every bag is a potential bomb at the checkpoint"),
    # the animal beside the insult: only the insult is a finding
    ("that stupid cow in the control room hung up on me", "sex",
     "that stupid cow in the bottom field is off her feed, the farmer called the vet"),
]


@pytest.mark.parametrize(("text", "characteristic", "twin"), PAIRS, ids=[p[0] for p in PAIRS])
def test_seventh_pass_found_and_twin_quiet(text: str, characteristic: str, twin: str) -> None:
    assert_found_and_twin_quiet(text, characteristic, twin)


@pytest.mark.parametrize("text", [
    "kicked out of 2 countries already, this lad, and he's only 24",
    "the jews were expelled from england in 1290, that's the exhibition at the museum",
    "old cow mooing at the gate all night, the herd got out again",
    "not every muslim is a terrorist, read the prevent guidance",
    "search every male in the vehicle and every bag is a potential exhibit",
    "deport every illegal overstayer is the home office line, not ours",
])
def test_seventh_pass_ordinary_talk_stays_quiet(text: str) -> None:
    assert_quiet(text)


@pytest.mark.parametrize(("text", "twin"), [
    ("come on you spurs, up the yids! coys", "typical yid, wouldn't split the bill"),
    ("thfc away day, yid army on the train", "some yid on the train wouldn't move his bag"),
])
def test_terrace_name_is_kept_for_review(text: str, twin: str) -> None:
    # Tottenham's contested terrace name: a lead at low (not in `check`), never dropped; the same word
    # about a person is the slur
    assert_kept_for_review(text, "DIS-REL-KIKE")
    assert any(f.rule == "DIS-REL-KIKE" for f in reported(twin))


@pytest.mark.parametrize(("text", "rule", "twin"), [
    # violence deplored beside the weapon emoji, and the 💩 a group has to put up with: for review; the same
    # emoji as a threat or an insult stays a finding
    ("knife crime round here has to stop, another one 👨🔪👩, thoughts with the victims", "DIS-EMOJI-THREAT",
     "another 🔪👩 tonight, that is what they deserve"),
    ("🕌💣 prayers for the victims", "DIS-EMOJI-THREAT", "🕌💣 about time"),
    ("the 💩 women have to deal with on nights is unreal", "DIS-EMOJI-DISGUST", "women 💩 the lot of them"),
])
def test_deplored_or_endured_is_kept_for_review(text: str, rule: str, twin: str) -> None:
    assert_kept_for_review(text, rule)
    assert reported(twin), f"missed: {twin!r}"
