"""Sexism without slurs, second pass (issue 13, EDOS recall): violence spelled out against a woman's
body, 'the female mind', the manosphere's words for women, advice to avoid women as a group, and
derived forms of slurs for women. Each shape is found at medium or above with characteristic "sex";
its look-alike (a report of an assault, a medical note, a fairground carousel, a women's refuge, a
quotation, counter-speech, women's football) stays quiet.

Every line is invented for this test in the shapes of the EDOS training posts, never copied from
them. CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported, scan

from whatsapp_audit.model import Confidence

SHAPES = [
    # Violence spelled out against a woman's body
    ("she wants to talk about rights, shove the leaflet down her throat", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("if she starts on me again I'll beat the shit out of her", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("I'd slap the stupid out of this woman honestly", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("that one needs a bullet in her head", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("should give her a good slap and see if she shuts up", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("lol stone the slag", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("they ought to stone her to death and be done with it", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("she should do us all a favour and kill herself", "DIS-PHRASE-VIOLENCE-WOMAN-BODY"),
    ("raping women is cool lol", "DIS-PHRASE-VIOLENCE-WOMAN-ENDORSE"),
    ("beating your missus is fine now and then", "DIS-PHRASE-VIOLENCE-WOMAN-ENDORSE"),
    # 'The female mind'
    ("no point arguing, that's your tiny female mind talking", "DIS-PHRASE-SEXIST-MIND"),
    ("all that female entitlement, wants the pay rise and none of the nights", "DIS-PHRASE-SEXIST-MIND"),
    # Manosphere words for women
    ("she's done with the cock carousel, now she wants a husband with a pension", "DIS-PHRASE-SEXIST-MANOSPHERE"),
    # Women as good only for sex
    ("women are only for shagging, nothing else", "DIS-PHRASE-SEXIST-FOR-SEX"),
    ("why buy the cow when you get the milk for free", "DIS-PHRASE-SEXIST-FOR-SEX"),
    # Women dismissed as incapable, or told to get out
    ("women can't be funny, never have been", "DIS-PHRASE-SEXIST-COMPETENCE"),
    ("women need to get out of firearms, it's not for them", "DIS-PHRASE-SEXIST-COMPETENCE"),
    ("the problem with women is they never know what they want", "DIS-PHRASE-SEXIST-COMPETENCE"),
    ("don't stress mate, girls are a dime a dozen", "DIS-PHRASE-SEXIST-COMPETENCE"),
    ("never listen to a woman, they just lie", "DIS-PHRASE-SEXIST-COMPETENCE"),
    # Derived forms of slurs for women
    ("she's been whoring herself out on that app", "DIS-SEX-DERIVED"),
    ("every femcunt on the panel clapped", "DIS-SEX-DERIVED"),
    ("she's sluttier than her sister", "DIS-SEX-DERIVED"),
]

TRAPS = [
    # Reports of assaults, first aid and ordinary police work
    "IP states he shoved a sock in her mouth and held her down",
    "suspect beat the shit out of her in 2019, DVPO still in place",
    "paramedics put a collar round her neck before moving her",
    "she put the bottle in her bag and walked out without paying",
    "he threatened to stone her to death, threats to kill recorded",
    "never put a hand on her face, that's the training",
    "give her a lift back to the nick after the interview",
    "hit her up about the overtime",
    "no one thinks beating your wife is fine, that's the point of the course",
    "hitting the gym is fine before nights",
    # 'Female' in medicine and research, and fairgrounds and software
    "research on the female brain and stroke risk, good read",
    "the female mind is as capable as the male one, simple as",
    "the kids want a go on the carousel at the Christmas fair",
    "beta version of the app is out, report bugs to IT",
    "female supremacy? she just got the promotion on merit",
    # Women's places, advice and sport
    "male officers avoid women's cells unless escorted",
    "stay away from the women's refuge address, it is protected",
    "women's football on the big screen in the canteen tonight",
    "women are advised to avoid walking alone on the towpath tonight",
    "the cow got out onto the A38 again",
    "the women need to get out of the flat before he's back, refuge arranged",
    "women can be funny, you just don't find anything funny",
    "the problem with the women's locker room is the heating",
    # Quotation and counter-speech
    "not all women are like that, grow up",
]

REVIEW_ONLY = [
    ("she left him for a richer bloke, hypergamy 101", "DIS-PHRASE-SEXIST-MANOSPHERE-REVIEW"),
    ("awalt mate, she'll do the same to you", "DIS-PHRASE-SEXIST-MANOSPHERE-REVIEW"),
    ("he's her beta bucks, she gets the alpha fucks elsewhere", "DIS-PHRASE-SEXIST-MANOSPHERE-REVIEW"),
    ("new equality policy is just female supremacy with a logo", "DIS-PHRASE-SEXIST-MANOSPHERE-REVIEW"),
    ("honestly lads, avoid women, they're nothing but grief", "DIS-PHRASE-SEXIST-AVOID"),
    ("steer clear of females and you'll keep your house", "DIS-PHRASE-SEXIST-AVOID"),
]


@pytest.mark.parametrize(("text", "rule"), SHAPES, ids=[f"{rule}-{i}" for i, (_, rule) in enumerate(SHAPES)])
def test_each_shape_is_found_with_characteristic_sex_and_a_reason(text: str, rule: str) -> None:
    found = [f for f in reported(text) if f.rule == rule]
    assert found, [(f.rule, f.confidence.value) for f in scan(text)]
    assert found[0].characteristics == ("sex",)
    assert "(sex)" in found[0].explanation.reason


@pytest.mark.parametrize("text", TRAPS)
def test_look_alikes_stay_quiet(text: str) -> None:
    assert reported(text) == []


@pytest.mark.parametrize(("text", "rule"), REVIEW_ONLY)
def test_weaker_manosphere_and_avoidance_shapes_are_kept_for_review_not_reported(text: str, rule: str) -> None:
    """Also discussed, quoted or said of oneself (EDOS training): a review lead, never a default finding."""
    assert reported(text) == []
    review = [f for f in scan(text) if f.rule == rule]
    assert review and review[0].confidence is Confidence.LOW


def test_a_narrower_violence_shape_yields_to_the_older_rule_on_the_same_words() -> None:
    found = reported("lol. slap her around a bit, she'll learn")
    assert {f.rule for f in found} <= {"DIS-PHRASE-VIOLENCE-WOMAN", "DIS-PHRASE-VIOLENCE-WOMAN-IMPERATIVE"}
    assert found
