"""What officers actually write (issue 13, step 2): each form is found at medium confidence or above
with the protected characteristic it concerns, and the traps of the design reference stay quiet.

Every line is invented for this test, in the shapes of the public misconduct reporting and of the
dev set, never copied from them. CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from discriminatory_detector import reported, scan

from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns

FORMS = [
    # Slurs in derived and compound forms
    ("they're turning this town into pakiland", "DIS-RACE-PAKI", "race"),
    ("bunch of niglets outside the chippy", "DIS-RACE-NWORD", "race"),
    ("proper faggotry going on in that bar", "DIS-SO-FAGGOT", "sexual_orientation"),
    ("the sandniggers at the car wash", "DIS-REL-RAGHEAD", "religion_or_belief"),
    ("the kikey landlord wants his rent", "DIS-REL-KIKE", "religion_or_belief"),
    ("his missus is a right mudshark", "DIS-RACE-MUDSHARK", "sex"),
    ("another dinghy full of rapefugees", "DIS-RACE-RAPEFUGEE", "race"),
    # Censored where the context makes the word certain
    ("another black c**n on the estate", "DIS-RACE-COON", "race"),
    ("typical pakistani p**i driving", "DIS-RACE-PAKI", "race"),
    ("shut up you n****r", "DIS-RACE-NWORD", "race"),
    # Identity words used as insults
    ("you're so gay mate", "DIS-INSULT-GAY", "sexual_orientation"),
    ("sleep is for gays", "DIS-INSULT-GAY", "sexual_orientation"),
    ("are you autistic or what", "DIS-INSULT-DISABILITY", "disability"),
    # Generalisations and exclusion
    ("romanians are all thieves", "DIS-PHRASE-DEHUMANISE", "race"),
    ("muslims are scum the lot of them", "DIS-PHRASE-DEHUMANISE", "religion_or_belief"),
    ("women are too emotional to lead a shift", "DIS-PHRASE-GENERALISE", "sex"),
    ("typical woman driver, three goes to park", "DIS-PHRASE-TYPICAL", "sex"),
    ("travellers don't belong here", "DIS-PHRASE-NOT-BELONG", "race"),
    ("tell him to go back to where he came from", "DIS-PHRASE-GOBACK", "race"),
    # Threats and violence aimed at a group or one of its members
    ("keep the force white or else", "DIS-PHRASE-GOBACK", "race"),
    ("someone should gas all the jews", "DIS-PHRASE-THREAT", "religion_or_belief"),
    ("I think immigrants are vermin", "DIS-PHRASE-DEHUMANISE", "race"),  # an opinion, not a report
    ("saw the tranny again, should have stamped on its head", "DIS-PHRASE-VIOLENCE-IT", "gender_reassignment"),
    # Sexual violence and harassment aimed at women or a colleague
    ("I'd happily rape you", "DIS-PHRASE-SEXUAL-VIOLENCE", "sex"),
    ("grab her by the pussy and see what she does", "DIS-PHRASE-SEXUAL-VIOLENCE", "sex"),
    ("nice tits on the new probationer", "DIS-PHRASE-OBJECTIFY", "sex"),
    # Jokes pairing an identity with death, animals, extermination or dirt; mocking a trans person
    ("what's a jew's favourite room, the gas chamber lol", "DIS-PHRASE-DEATHJOKE", "religion_or_belief"),
    ("get the fly spray out, the gypsies are back", "DIS-PHRASE-DEATHJOKE", "race"),
    ("somalis should be fed to the dog food factory", "DIS-PHRASE-DEATHJOKE", "race"),
    ("going to blacken up for the fancy dress", "DIS-PHRASE-BLACKFACE", "race"),
    ("he/she/it is on the front desk again", "DIS-PHRASE-TRANSPHOBIA", "gender_reassignment"),
    ("whatever it calls itself this week", "DIS-PHRASE-TRANSPHOBIA", "gender_reassignment"),
    # Emoji and emoji letters
    ("f🅰️ggot", "DIS-SO-FAGGOT", "sexual_orientation"),
    ("🏳️‍🌈🤮", "DIS-EMOJI-DISGUST", "sexual_orientation"),
    ("asylum seekers are 👽 the lot of them", "DIS-PHRASE-DEHUMANISE", "race"),
]


@pytest.mark.parametrize(("text", "rule", "characteristic"), FORMS)
def test_each_form_is_found_with_its_characteristic(text: str, rule: str, characteristic: str) -> None:
    found = [f for f in reported(text) if f.rule == rule]
    assert found, [(f.rule, f.confidence.value) for f in scan(text)]
    assert characteristic in found[0].characteristics
    assert dict(found[0].explanation.details)["characteristic"].split(",") == list(found[0].characteristics)


TRAPS = [
    "Scunthorpe lot want the file for the Penistone job",
    "anyone fancy a fag before we go out",
    "smoked a fag outside the custody suite",
    "guidance says never use words like that about travellers, report it to PSD",
    "the victim says he called her a p**i twice, crime it as racially aggravated",
    "flight to Pakistan is booked for the witness",
    "he was sniggering at the back of the briefing",
    "stop being so tardy with your statements",
    "flame retardant foam in the sofa",
    "the fishmonger on the high street rang in",
    "the faggots and peas were lovely",
    "two witnesses, both black women in their 20s",
    "half the relief is gay and nobody cares",
    "you absolute cunt, you ate my sandwich",
    "send them the statement by five please",
    "rape allegation, CID attending, victim is a woman in her 30s",
    "I hate nights",
    "the suspects are animals, the way they left that flat",
    "Holocaust Memorial Day talk at the synagogue, volunteers please",
    "put the pie in the oven before you go",
    "♿ ≠ 🤮",
    "she honestly thought he was white!",  # the '!' ends the sentence: not a stand-in for the y of "whitey"
    "in the film they did not kill all the migrants, it was a set-up",
    "you are a 🤡 mate, the van keys were in your pocket",
    "ugh men are the worst at washing up",
]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_and_ordinary_talk_stay_below_medium(text: str) -> None:
    assert reported(text) == [], [(f.rule, f.matched, f.confidence.value) for f in reported(text)]


def test_a_force_extends_the_identity_and_predicate_lists_without_code(tmp_path: Path) -> None:
    """The force's words reach the bundled constructions (its own rule only carries them)."""
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "words.toml").write_text(
        '[defaults]\ncategory = "discriminatory_language"\ndetector = "discriminatory"\nseverity = "high"\n'
        'confidence = "medium"\nwhy = "Force words."\nguidance = "Force policy."\n\n'
        '[defaults.options.vocabulary.identity.race]\ngroups = ["zorblanians"]\n\n'
        '[defaults.options.vocabulary.predicates]\ndehumanising = ["gremlins"]\n\n'
        '[[rule]]\nid = "FRC-SWARM"\ntitle = "People likened to a swarm"\n[rule.match]\n'
        'token_patterns = [[{ SLOT = "identity" }, { LOWER = "like" }, { SLOT = "dehumanising" }]]\n'
        '[rule.examples]\nmatch = ["zorblanians like gremlins round here"]\n',
        encoding="utf-8")
    rules = load_patterns([default_patterns_dir() / "discriminatory", pack], include_default=False)
    extended = DiscriminatoryDetector()
    extended.configure(rules.rules_for("discriminatory"))
    message = Message(0, 1, 1, datetime(2024, 3, 14, 22, 0), "h", "Kit Arden",
                      "zorblanians are all gremlins", MessageKind.TEXT)
    found = list(extended.detect(message, Window()))
    assert [(f.rule, f.characteristics) for f in found] == [("DIS-PHRASE-DEHUMANISE", ("race",))]
    assert scan("zorblanians are all gremlins") == []
