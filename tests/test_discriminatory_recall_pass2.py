"""Recall pass 2 (issue 13): one person of a group called an animal or vermin, a group word before a singular
insult, a word of filth before a group or its member ("filthy muslim"), the collective "the Jew" of antisemitic propaganda, threats with an adverb ("must simply be ...") or at
"any" member, and an insult aimed at several people of a group ("you filthy [group]"). Each shape is found
with its characteristic; the look-alikes of the same shape (sport, pets and pests, a suspect's conduct,
nativity plays and literature, history, "fucking" as a verb) stay quiet.

Every line is invented for this test, never copied from the dev set. CONTENT WARNING: abusive lines below
are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported, scan

# (line an officer might post, the rule that must report it, the characteristic it concerns)
FOUND = [
    # One person of a group as an animal or vermin (DIS-PHRASE-DEHUMANISE only reads groups)
    ("that pakistani is an animal", "DIS-PHRASE-DEHUMANISE-ONE", "race"),
    ("the somali bloke is a rat", "DIS-PHRASE-DEHUMANISE-ONE", "race"),
    ("the nigerian fella's a proper animal", "DIS-PHRASE-DEHUMANISE-ONE", "race"),
    ("that jew is nothing but a parasite", "DIS-PHRASE-DEHUMANISE-ONE", "religion_or_belief"),
    ("that gay lad is a maggot", "DIS-PHRASE-DEHUMANISE-ONE", "sexual_orientation"),
    ("honestly that traveller is a 🐀", "DIS-PHRASE-DEHUMANISE-ONE", "race"),
    # A group word before a singular insult
    ("some albanian piece of shit keyed the van", "DIS-PHRASE-DEHUMANISE-ONE", "race"),
    ("that muslim leech is claiming again", "DIS-PHRASE-DEHUMANISE-ONE", "religion_or_belief"),
    # The collective singular of antisemitic propaganda
    ("the jew wants us to fight his wars", "DIS-PHRASE-ANTISEMITIC-COLLECTIVE", "religion_or_belief"),
    ("time people started to name the jew", "DIS-PHRASE-ANTISEMITIC-COLLECTIVE", "religion_or_belief"),
    ("the real problem is the jews", "DIS-PHRASE-ANTISEMITIC-COLLECTIVE", "religion_or_belief"),
    ("jews are behind every one of these wars", "DIS-PHRASE-ANTISEMITIC-COLLECTIVE", "race"),
    # Threats with an adverb before the violence, and at any member of a group
    ("somalis should simply be shot on sight", "DIS-PHRASE-THREAT", "race"),
    ("gays must immediately be culled", "DIS-PHRASE-THREAT", "sexual_orientation"),
    ("death to any muslim who comes round here", "DIS-PHRASE-THREAT", "religion_or_belief"),
    # A word of filth or degeneracy before a group or a person of it
    ("the filthy muslim at number 4 is at it again", "DIS-PHRASE-FILTHY-MEMBER", "religion_or_belief"),
    ("degenerate jews run that club", "DIS-PHRASE-FILTHY-MEMBER", "religion_or_belief"),
    ("some inbred pakistani cut me up on the ring road", "DIS-PHRASE-FILTHY-MEMBER", "race"),
    ("disgusting queers snogging by the war memorial", "DIS-PHRASE-FILTHY-MEMBER", "sexual_orientation"),
    ("smelly romanian in cell 4 wants a solicitor", "DIS-PHRASE-FILTHY-MEMBER", "race"),
    # An insult aimed at several people of a group
    ("get off my patch you filthy gypsies", "DIS-INSULT-IDENTITY", "race"),
    ("you fucking immigrants make me sick", "DIS-INSULT-IDENTITY", "race"),
]

QUIET = [
    # Praise, sport and animals
    "the polish lad is an animal in the scrum",
    "that welsh winger is an animal on the pitch",
    "the black rat is a protected species on the island",
    "the irish setter is a lovely dog, chipped and returned",
    "brown rat in the custody kitchen again, pest control booked",
    "my black lab is a pig for sausages",
    "that pakistani is a brilliant surgeon, sorted my knee",
    # A suspect's conduct described without an animal or vermin word
    "the albanian is a scumbag, three burglaries this week",
    "the romanian male is a menace on that scooter",
    # Food, vans, clothes, age and innuendo after a filth word
    "smelly indian takeaway on the corner does a cracking curry",
    "stinky chinese food left in the fridge again",
    "filthy white van parked across the drive",
    "dirty old man on the 42 bus again, flashing",
    "dirty black trainers all over the clean floor",
    "she's a dirty girl for the radio banter lol",
    # Literature, the nativity, history and reporting
    "king of the jews at the nativity, the kids were great",
    "the jew of malta is on at the playhouse next week",
    "the nazis blamed the jew for everything, it's on the syllabus",
    "they said the jews are behind it, which is an antisemitic lie",
    "crimes against the jews were documented at nuremberg",
    # Reported and denied threats
    "the suspect shouted death to any muslim, reported as a hate incident",
    "nobody is saying refugees should simply be deported",
    # "fucking" as a verb, and exasperated banter
    "are you fucking women on the side or what",
    "you lazy lads on B relief, get the kettle on",
    "thank you lovely women of the control room",
    "you two fucking legends, cheers for the cover",
]


@pytest.mark.parametrize(("line", "rule", "characteristic"), FOUND)
def test_shape_found_by_its_rule_with_its_characteristic(line: str, rule: str, characteristic: str) -> None:
    found = reported(line)
    assert any(f.rule == rule for f in found), f"missed: {line!r} -> {[(f.rule, f.matched) for f in found]}"
    assert any(characteristic in f.characteristics for f in found if f.rule == rule), [f.characteristics for f in found]


@pytest.mark.parametrize("line", QUIET)
def test_look_alike_stays_quiet(line: str) -> None:
    assert reported(line) == [], [(f.rule, f.matched) for f in reported(line)]


def test_quoted_dehumanising_of_one_person_is_kept_for_review() -> None:
    line = 'IP states the male shouted "that somali is a rat" at him in the shop'
    assert reported(line) == []
    assert any(f.rule == "DIS-PHRASE-DEHUMANISE-ONE" for f in scan(line))
