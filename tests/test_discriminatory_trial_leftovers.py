"""The trial chat's leftovers (issue 13): user-visible faults found by running `check` on a response team's
group chat, each fixed in its general shape and tried here on lines written for this test (never copied from
the dev set), with the traps a user would meet: family banter, football, quoting and counter-speech.

CONTENT WARNING: abusive lines below are invented to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported, scan

# (line, characteristic its finding must name)
FOUND = [
    # "old bat" at a stranger or colleague is an ageist insult
    ("the old bat at the front counter wants a word about her bins again", "age"),
    ("tell that senile old crone on the switchboard to put me through", "age"),
    # a post put down to who someone is, without "only"
    ("she got the job because she's a woman, end of", "sex"),
    ("he got the sergeant's job cos he's a Sikh", "religion_or_belief"),
    ("shes obviously got the promotion because she's female", "sex"),
    # an expulsion that ends in drowning, the group named nearby
    ("the Albanians at the car wash? load them onto a plane and dump them at sea", "race"),
    ("every one of those migrants should be loaded onto a plane and dumped at sea", "race"),
    ("Somalis, stick the lot on a leaky boat and sink it", "race"),
    ("refugees should be dumped at sea", "race"),
    # the writer's own "it" for a colleague who asked for other pronouns
    ("Jordan wants to be called they/them from Monday, I'm going with 'it'", "gender_reassignment"),
    ("new probie says pronouns are xe/xir, I'll just call them it lol", "gender_reassignment"),
    # a riddle whose punchline is rape
    ("what's pink and wet and can't say no? the rape victim in cell 3", "sex"),
    # an older colleague mocked as frail
    ("crewed with the old boy from C relief, make sure he doesn't have a heart attack on the stairs", "age"),
    ("don't let the old dinosaur break a hip getting in the car lol", "age"),
    # a person of a nationality the group list holds in the plural only, until this pass
    ("typical Latvian, nicked the charger off the desk again", "race"),
    ("typical slovak, late for parade again", "race"),
]

QUIET = [
    # a person of a nationality, named in a report or beside food
    "a Latvian man was arrested for the burglary on Elm Road, he's in cell 4",
    "the Hungarian place on the high street does a cracking goulash",
    # family banter, the cricket bat and the animal
    "my old bat of a mum is on the phone again",
    "me nan's a right old bat but I love her",
    "my old bat has cracked, need a new one before cricket on Sunday",
    "old bats roosting in the church loft, ecology survey needed before the search",
    # a post and a reason that is not who someone is; discrimination reported or denied
    "she got the job because she's brilliant",
    "she got the job because she's a woman who knows firearms inside out",
    "he got stopped again because he's black, third time this month",
    "she didn't get the job because she's a woman, that's discrimination",
    "people assume she got the job because she's a woman, she was top of the board",
    # the same words with no group, a report of an event, football
    "load the kit onto the plane and dump your bags at the hotel",
    "the cargo was loaded onto a ship and dumped at sea, says the NCA",
    "Spurs should be loaded onto a plane and dumped in the channel",
    "the French back four should be loaded onto a plane and dumped at sea after that match",
    # going with "it" about a plan; the officer asked about it
    "codename for the op? I'm going with 'it' lol",
    "call her back, it's about the burglary",
    # a case asked about, not a riddle
    "what's the update on the Fir Street rape? victim's at the SARC",
    "what's the plan and who's got the rape job? I'll take it",
    # sincere welfare of a member of the public; a jibe at no one's age; the writer's own family
    "elderly IP on the floor, make sure she doesn't have another fall, ambulance en route",
    "make sure he doesn't have a heart attack at the sight of the overtime form",
    "my old grandad is 80 next week, make sure he doesn't have a heart attack when he sees the cake",
]

# Quoted or objected to: kept for review (low), never shown by `check`.
REVIEW = [
    'he shouted "load the Syrians onto a plane and dump them at sea" at the officers',
    "saying refugees should be loaded onto a boat and dumped at sea is disgusting and racist",
]


@pytest.mark.parametrize(("line", "characteristic"), FOUND)
def test_each_leftover_shape_is_found_with_its_characteristic(line: str, characteristic: str) -> None:
    found = reported(line)
    assert found, f"not flagged at medium or above: {line!r}"
    assert characteristic in {c for f in found for c in f.characteristics}


@pytest.mark.parametrize("line", QUIET)
def test_the_traps_stay_quiet(line: str) -> None:
    assert reported(line) == []


@pytest.mark.parametrize("line", REVIEW)
def test_quoted_or_objected_to_is_kept_for_review_only(line: str) -> None:
    assert reported(line) == []
    assert scan(line), "kept for review, not dropped"


def test_a_threat_at_a_member_names_the_group_in_its_reason() -> None:
    found = reported("another Lithuanian gave me grief at the petrol station, if he does it again I'll stamp on his head")
    assert [f.rule for f in found] == ["DIS-PHRASE-VIOLENCE-MEMBER"]
    assert "'lithuanian'" in found[0].explanation.reason
    assert "race" in found[0].characteristics
