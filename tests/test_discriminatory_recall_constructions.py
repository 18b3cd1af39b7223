"""Recall pass (issue 13): general constructions a force would recognise, and identity words spelled
with digits or symbols, found in a group chat with the characteristic; the look-alike lines of the
same chat (football banter, operational talk, quoted guidance, counter-speech) stay quiet.

Every line is invented for this test in the shapes the dev set's training splits miss, never copied
from it. CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported, scan

from whatsapp_audit.detect.discriminatory.leet_words import LeetWords

# (line an officer might post, the characteristic it concerns)
FOUND = [
    # A group reduced to one use
    ("travellers are only good for nicking lead off the church roof", "race"),
    ("all those asylum seekers are good for is claiming, every one of them", "race"),
    ("polish lads do nothing but drink on the rec", "race"),
    ("all 🧕 are only good for nothing but 💣", "religion_or_belief"),
    # A group told to leave
    ("somalis need to get out, simple as", "race"),
    ("muslims should all just fuck off", "religion_or_belief"),
    ("romanians need to leave our country", "race"),
    # Hedged generalisations
    ("tbh women are kind of thick", "sex"),
    ("nigerians are pretty dishonest, seen it on every job", "race"),
    ("albanians are literal 🐀", "race"),
    # Questioning a group's right to be here or to vote
    ("why are immigrants even allowed to vote, mental", "race"),
    # Sexist stereotypes
    ("girls only want money and a lad with a car", "sex"),
    ("all women want is your wallet mate", "sex"),
    ("women are just less intelligent, not being funny", "sex"),
    ("leave the heavy lifting to us, she's the weaker sex", "sex"),
    ("women lie about rape to get out of trouble", "sex"),
    ("don't cross her, she'll cry rape", "sex"),
    ("men are just better at this job than women, end of", "sex"),
    ("new DS on CID, wonder who she shagged to get that", "sex"),
    ("she slept her way up to inspector, everyone knows", "sex"),
    ("did she shag her sarge to get promoted or what", "sex"),
    ("she deserves to be brutally raped for that", "sex"),
    ("honestly I just see women as sex objects", "sex"),
    # Word classes added to the predicate lexicon, read by every construction over them
    ("gypsies are thugs, the lot of them", "race"),
    ("muslims are nothing more than cockroaches", "religion_or_belief"),
    ("somalis are sub human", "race"),
    ("pakistanis are considered filthy round here", "race"),
    # Identity words spelled with digits, symbols or keycap emoji
    ("w0men are all liars", "sex"),
    ("g4ys are disgusting", "sexual_orientation"),
    ("why are 1mm1grants allowed to vote", "race"),
    ("w0️⃣men are all liars", "sex"),
]

QUIET = [
    # Football and shift banter, operational talk
    "the new radios are only good for about six hours",
    "the lads did nothing but moan all shift",
    "spurs are literal 🤡 this season",
    "the refugees need to get out of the lorry, medics on scene",
    "travellers need to get out of the rain, site's flooded",
    "immigrants need to leave early to get the last bus",
    "why are prisoners allowed to vote now?",
    "the women only want the early shift, sort the rota",
    "women are less likely to be stopped and searched, per the stats",
    "she was crying after the rape, ABE booked for tomorrow",
    "we are pretty tired after that night shift",
    "the men are better at darts than us lot",
    "she slept her way through the night shift on the sofa",
    "the lads are thugs on the pitch, proper leg breakers",
    "who she spoke to to get the address is in the log",
    "she rang her boss to get the day off",
    "she deserves to be properly paid for the overtime",
    "we treat them as property till the owner turns up",
    # Counter-speech and quoted guidance
    "not saying immigrants are only good for labour, they built the NHS",
    "it's a myth that women only want money",
    "women rarely lie about rape, the data is clear",
    "women are not objects, grow up",
    "no woman deserves to be brutally beaten, ever",
    "you look at women as objects and it shows",
    "not saying women are less capable, the course is the problem",
    # Numbers and leet that spell no identity word
    "2nd shift at 10am, 4 on the van",
    "h8 nights, c u at 6",
]


@pytest.mark.parametrize(("line", "characteristic"), FOUND)
def test_construction_found_with_its_characteristic(line: str, characteristic: str) -> None:
    found = reported(line)
    assert found, f"missed: {line!r}"
    assert any(characteristic in f.characteristics for f in found), [f.characteristics for f in found]


@pytest.mark.parametrize("line", QUIET)
def test_look_alike_stays_quiet(line: str) -> None:
    assert reported(line) == [], [(f.rule, f.matched) for f in reported(line)]


def test_leet_identity_word_reported_against_the_raw_text() -> None:
    line = "honestly w0️⃣men are all liars"
    found = reported(line)
    assert found
    finding = found[0]
    assert line[finding.start:finding.end] == finding.matched
    assert finding.matched.startswith("w0️⃣men")


def test_leet_reading_keeps_length_and_reads_identity_words_only() -> None:
    reader = LeetWords(["women", "gays", "immigrants", "muslims"], {"a": "4@", "i": "1!|", "l": "1|", "o": "0", "s": "5$"})
    text = "w0men, g4ys and 1mm1grants; mu$lims. 45s at 10:30, c0ck, 2nd, gays! @w0men w0men!"
    read = reader.read(text)
    assert len(read) == len(text)
    assert read == "women, gays and immigrants; muslims. 45s at 10:30, c0ck, 2nd, gays! @women women!"
    assert reader.read("nothing to read here") == "nothing to read here"


def test_quoted_construction_is_kept_for_review_not_reported() -> None:
    line = 'IP says the suspect shouted "pakistanis need to get out" at her twice'
    assert reported(line) == []
    assert any(f.rule == "DIS-PHRASE-GET-OUT" for f in scan(line))
