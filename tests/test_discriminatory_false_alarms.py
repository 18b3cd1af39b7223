"""False alarms (issue 13): ordinary messages stay below medium, and the abuse beside them still fires.

Each trap has a near neighbour that must keep firing, so a test fails whether the fix is lost or
grows into a blind spot. Every line is invented in the shapes the dev set showed (no dev-set text).
CONTENT WARNING: the positive cases are invented abusive chat lines; they are test data only.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import reported as shown
from discriminatory_detector import scan

from whatsapp_audit.detect.discriminatory.allow import AllowedNames, mask
from whatsapp_audit.model import Confidence

# (trap that must stay below medium, neighbour that must still be shown)
# fmt: off
PAIRS = [
    # a team, a region, a dish: the identity word names no one
    ("the All Blacks are shite at defending, 30 points down at half time",
     "blacks are shite, always causing bother on the estate"),
    ("all blacks are useless this season, worst rugby tour in years",
     "all blacks are useless, never seen one do a day's work"),
    ("Black Country lot are thick as mince at pub quizzes",
     "black lot are thick as mince, every one of them"),
    ("honestly I hate chinese 🍜 from that place, always cold",
     "honestly I hate chinese, can't stand them"),
    ("both men and women are trash at parking in the yard",
     "women are trash at everything, simple as"),
    # naming a word, not using it
    ("the term feminazi gets thrown about a lot in the comments",
     "shut up you feminazi"),
    # a quotation in single quotes, as British writing has it
    ("IP states the male shouted 'kill all the muslims' outside the shop, crime it as aggravated",
     "kill all the muslims, honestly"),
    # counter-speech that judges the words
    ("he said go back to where you came from, which was considered racist by the panel",
     "go back to where you came from mate"),
    # weak evidence: immigration status, a contest
    ("illegal immigrants should be deported, that's the law",
     "muslims should be deported, every last one"),
    ("we'll beat the Irish at the polls next year",
     "we'll beat the Irish senseless next time"),
    # someone else's plot or wish, reported
    ("the film is about a plot to kill all the jews in the village",
     "kill all the jews"),
    # an ordinary word for a sex worker
    ("two hookers working the lay-by off the A38 again, uniform aware",
     "shut up you hooker"),
    # a mention of blackface, not doing it
    ("documentary tonight on the history of blackface in music halls",
     "his blackface photo from the christmas party, absolute state"),
    # a verb, not the insult
    ("the new girl freaks people out with her spider impressions",
     "gay freaks, the lot of them"),
    ("don't let one bad shift cripple your confidence",
     "look at the cripple trying to park"),
    # the hat, the animal, a soap opera, a condition
    ("anyone seen my beanies, left two in the locker room",
     "bunch of beaners on the site again"),
    ("I hate birds, the gulls had my chips off the bonnet and left droppings everywhere",
     "I hate birds, always nagging about something"),
    ("the woman who wrote that soap opera lives on our patch",
     "get the fly spray out, the gypsies are back"),
    ("he'll struggle with the noise on nights if he is autistic.",
     "you are autistic. mate"),
    # someone else's hatred, reported
    ("the neighbours say people just hate muslims round here and won't report it",
     "honestly I just hate muslims"),
]
# fmt: on


def test_weak_evidence_drops_to_review_and_does_not_vanish() -> None:
    # A reviewer can still find them in the full report: lowered, labelled, not dropped.
    for text, rule in [
        ("IP states the male shouted 'kill all the muslims' outside the shop", "DIS-PHRASE-THREAT"),
        ("illegal immigrants should be deported, that's the law", "DIS-PHRASE-THREAT"),
        ("two hookers working the lay-by off the A38 again", "DIS-SEX-HOOKER"),
        ("documentary tonight on the history of blackface", "DIS-PHRASE-BLACKFACE-MENTION"),
    ]:
        found = [f for f in scan(text) if f.rule == rule]
        assert found and all(f.confidence is Confidence.LOW for f in found), (text, found)


def test_a_quotation_explains_itself() -> None:
    (finding,) = scan("his text said 'kill all the muslims' and nothing else")
    assert "inside quotation marks" in finding.explanation.reason


def test_apostrophes_do_not_open_a_quotation() -> None:
    # don't, the lads' van: apostrophes inside or after a word quote nothing
    for text in ("don't let the paki in", "the lads' van had paki sprayed on it"):
        (finding,) = scan(text)
        assert finding.confidence is not Confidence.LOW, text


def test_a_slur_inside_a_team_name_still_counts_outside_it() -> None:
    found = shown("the All Blacks won again, and the pakis next door had a party")
    assert [f.rule for f in found] == ["DIS-RACE-PAKI"]


def test_topical_names_apply_only_with_their_topic() -> None:
    allowed = AllowedNames.from_options({"names": ["chinese whispers"],
                                         "names_near": {"all blacks": ["rugby"]}})
    assert allowed.spans("all blacks are animals") == []
    assert allowed.spans("all blacks are animals at rugby") == [(0, 10)]
    assert mask("no chinese whispers here", allowed.spans("no chinese whispers here")) == "no xxxxxxx xxxxxxxx here"


# ----------------------------------------------------------------------------------------------
# Second false-alarm pass (issue 13, training splits): each shape fixed, beside its neighbour that
# must still be shown.
# fmt: off
PAIRS_SECOND_PASS = [
    # objecting to someone's view: the "you" is the person argued with, not a target
    ("you honestly think muslims should be shot?? that's racist mate",
     "you think muslims should be shot? too right they should"),
    # calling the claim false
    ("💩 = muslims is just a lie, stop forwarding that meme",
     "muslims = 💩"),
    # a construction does not reach across a full stop into the next sentence
    ("she's pregnant. so what's his excuse for missing the briefing",
     "she's pregnant again, another year of skiving then"),
    # the subject is a thing on the people, not the people
    ("the tattoos on romanians are trash, proper faded blue ink",
     "romanians are trash, the lot of them"),
    ("the lanyards on women are trash, strangle you in a scuffle",
     "women are trash at everything, the lot of them"),
    # people picked by star sign, not by a protected characteristic
    ("virgo women are sick with their planners, colour coded the whole rota",
     "women are sick in the head, every one"),
    # someone else pinning a name on people
    ("speak up on the relief and women get branded as hysterical cunts by the old guard",
     "she's a hysterical cunt, that new DC"),
    # Spanish, "black eyes"
    ("he keeps singing ojos negros on the way back from the match",
     "shut up whitey"),
]
# fmt: on


# ----------------------------------------------------------------------------------------------
# Third false-alarm pass (issue 13, training splits and the causes the second pass left).
# fmt: off
PAIRS_THIRD_PASS = [
    # someone else's belief, reported ("they're convinced", "some countries believe")
    ("the old sweats on nights? they're convinced women are useless at driving, dinosaurs",
     "women are useless at driving, every one of them"),
    ("some countries still believe gays = disease, read the Amnesty report",
     "gays = disease, end of"),
    # ... and someone else's complaint passed on
    ("the incels on that forum are always whining how women are cunts, grim reading",
     "women are cunts, all of them"),
    # a woman mocking her own "female brain"
    ("sorry lads, my tiny female brain forgot the door code again",
     "her tiny female brain can't handle a rota"),
    # a named man or "a man" as the subject of a reported assault
    ("Dean beat the shit out of her in 2021, DVPO still in place",
     "I'd beat the shit out of her tbh"),
    ("a man beat the shit out of her at the bus stop, CCTV requested",
     "Someone beat the shit out of her, she deserves it"),
    # the joke reversal "... not!"
    ("polish people are evil ....... not! best builders I've had",
     "polish people are evil, every one of them"),
    # a team in a match
    ("i hate them ⛹🏿 and hope they lose the derby on Saturday",
     "i hate them ⛹🏿 honestly"),
    # the subject is a view or a treatment of the group, not the group
    ("the tabloids' view of women is disgusting, page three in 2024",
     "women are disgusting, every last one"),
    ("the treatment of romanians is vile at that car wash, modern slavery referral done",
     "romanians are vile, the lot of them"),
    # the writer takes the group's side
    ("shelling unarmed palestinians is sick, whatever the politics",
     "palestinians are sick in the head, whatever the politics"),
    # a restaurant named by a nationality names no one
    ("nearly lamped the waiter at the Turkish restaurant 🤬 forty minutes for a kebab",
     "nearly lamped that turkish guy 🤬"),
]

# False-alarm pass of the trial-chat session (issue 13, training splits): a prediction is not a demand, and
# someone else's aim or schooling is relayed, not the writer's threat.
PAIRS_FOURTH_PASS = [
    # "[group] will be thrown out": a prediction (or a fear), where "should be" demands it
    ("the lads reckon the romanians will be thrown out of the flats when the landlord sells",
     "the romanians should be thrown out of the flats"),
    # a third party's aim, or its schooling of its own people
    ("the militia aims to kill all the minorities in the region, says the BBC report",
     "we need to kill all the minorities in the region"),
    ("the cult prepare their children to kill all the jews, the documentary says",
     "kill all the jews"),
    # counter-speech: the group is the object of a relative clause, the insult is said of its subject
    ("anyone who hates gays is scum, simple as",
     "gays are scum, simple as"),
    ("racists who attack muslims are vermin",
     "muslims are vermin"),
]

# False-alarm pass 5 (issue 13): a cue wrong in general, each beside the true shape next to it.
PAIRS_FIFTH_PASS = [
    # an emoji threat at one person of the writer's own life is not aimed at a group
    ("my wife 🔫 if she touches my fantasy team again 😂",
     "🔫 all women"),
    ("🔪 me missus if she moves my keys again",
     "i'd 🔪 every woman on that jury"),
    ("🔪 my girl if she eats my chips again 😂",
     "our women 🔪 if this carries on"),
    # "old" describing a thing, not people
    ("💣 the old 🏚️ on Mill Lane and build flats",
     "💣 old people"),
    ("old banger 🔫 finally, scrapped it this morning",
     "old folk 🔫"),
    # "foreign invaders" in history and armies names no protected group
    ("the castle kept out foreign invaders for 300 years, good school trip",
     "muslim invaders, the lot of them"),
    # objecting to a name-calling or a comparison
    ("it's wrong to call gay people 🤮, pack it in",
     "gay people 🤮"),
    ("never compare 👨🏿 to 🐒, it's vile",
     "👨🏿 🐒"),
    ("don't compare jews to 🐀, ever",
     "jews = 🐀"),
    # the group as the object of a relative clause with any verb: the insult is said of its subject
    ("men who hit women are cowards, every one of them",
     "women are cowards, every one of them"),
    ("anyone who threatens muslims is vermin",
     "people who are muslims are vermin"),
    ("lads that beat up gay lads are scum",
     "gay lads are scum"),
]
# fmt: on

ALL_PAIRS = PAIRS + PAIRS_SECOND_PASS + PAIRS_THIRD_PASS + PAIRS_FOURTH_PASS + PAIRS_FIFTH_PASS


@pytest.mark.parametrize(("trap", "neighbour"), ALL_PAIRS, ids=[p[0][:30] for p in ALL_PAIRS])
def test_trap_stays_below_medium_and_its_neighbour_is_shown(trap: str, neighbour: str) -> None:
    assert shown(trap) == [], [(f.rule, f.confidence.value, f.matched) for f in shown(trap)]
    assert shown(neighbour), neighbour


def test_a_reported_belief_lowers_a_construction_but_never_a_slur() -> None:
    # "they think ..." passes on a view; a slur inside it is still the writer's own word
    assert [f.rule for f in shown("they think the pakis next door are fine with it")] == ["DIS-RACE-PAKI"]
    assert shown("they think muslims are scum, that lot at the protest") == []
    # a belief word in the sentence before does not reach across the full stop
    assert shown("why do they think tall lads are fit. women are thick as mince")
