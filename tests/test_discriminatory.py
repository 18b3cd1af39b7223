"""The discriminatory-language detector as a user meets it: what it flags, what it leaves alone, why.

CONTENT WARNING: the positive cases below are invented abusive chat lines; they are test data only.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit.detect.base import Detector, Window
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.model import Attachment, Category, Confidence, Finding, MediaType, Message, MessageKind, Severity
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns

RULES = load_patterns([default_patterns_dir() / "discriminatory"], include_default=False).rules_for("discriminatory")


@cache
def detector() -> DiscriminatoryDetector:
    found = DiscriminatoryDetector()
    found.configure(RULES)
    return found


def msg(text: str, kind: MessageKind = MessageKind.TEXT, attachments: tuple[Attachment, ...] = ()) -> Message:
    return Message(index=7, line=42, end_line=42, timestamp=datetime(2024, 3, 14, 9, 0), header="",
                   author="PC Example", text=text, kind=kind, attachments=attachments)


def scan(text: str) -> list[Finding]:
    return list(detector().detect(msg(text), Window()))


def details(finding: Finding) -> dict[str, str]:
    return dict(finding.explanation.details)


def only(text: str) -> Finding:
    found = scan(text)
    assert len(found) == 1, [f.rule for f in found]
    return found[0]


def test_it_is_a_detector_with_no_keyword_prefilter() -> None:
    found = detector()
    assert isinstance(found, Detector)
    assert found.name == "discriminatory"
    assert found.category is Category.DISCRIMINATORY_LANGUAGE
    assert found.keywords() == frozenset()  # disguised spellings would defeat a plain keyword filter


# fmt: off
SLURS = [
    ("shut up you paki", "DIS-RACE-PAKI", "race"),
    ("oi nigger get out of my shop", "DIS-RACE-NWORD", "race"),
    ("the raghead at the garage", "DIS-REL-RAGHEAD", "race,religion_or_belief"),
    ("the muzzies at the mosque", "DIS-REL-MUZZIE", "religion_or_belief"),
    ("she's a right slag", "DIS-SEX-SLAG", "sex"),
    ("shut up you faggot", "DIS-SO-FAGGOT", "sexual_orientation"),
    ("look at that tranny", "DIS-TRANS-TRANNY", "gender_reassignment"),
    ("you absolute retard", "DIS-DIS-RETARD", "disability"),
    ("shut up you mong", "DIS-DIS-MONG", "disability"),
    ("the coffin dodgers at the bowls club", "DIS-AGE-COFFINDODGER", "age"),
]
# fmt: on


@pytest.mark.parametrize(("text", "rule", "characteristic"), SLURS)
def test_slurs_of_every_characteristic_are_found(text: str, rule: str, characteristic: str) -> None:
    finding = only(text)
    assert finding.rule == rule
    assert finding.category is Category.DISCRIMINATORY_LANGUAGE
    assert details(finding)["characteristic"] == characteristic
    assert finding.matched == text[finding.start:finding.end]
    assert finding.message_index == 7 and finding.line == 42


# fmt: off
DISGUISED = [
    ("shut up you n1gger", "n1gger", "leet"),
    ("n i g g e r", "n i g g e r", "spacing"),
    ("p.a.k.i", "p.a.k.i", "spacing"),
    ("you n🌟gger", "n🌟gger", "wildcard"),
    ("what a f*ggot", "f*ggot", "wildcard"),
    ("niiiiiigger", "niiiiiigger", "repeats"),
    ("you nіgger", "nіgger", "confusable"),       # Cyrillic і
    ("oi pa\u200bki", "pa\u200bki", "invisible"),   # zero-width space inside the word
    ("ｐａｋｉ", "ｐａｋｉ", "unicode"),                 # full-width letters
    ("f9ggot", "f9ggot", "fuzzy"),                # one substitution by a digit on a long term
]
# fmt: on


@pytest.mark.parametrize(("text", "matched", "transformation"), DISGUISED)
def test_disguised_spellings_are_found_and_mapped_back_to_the_original(
        text: str, matched: str, transformation: str) -> None:
    finding = only(text)
    assert finding.matched == matched
    assert text[finding.start:finding.end] == matched
    assert transformation in details(finding)["transformations"].split(",")


# fmt: off
TRAPS = [
    # UK place names (substring and whole word)
    "Scunthorpe United at home Saturday", "roadworks at Penistone", "Clitheroe Castle open day",
    "Cockermouth floods again", "lovely walk on Plymouth Hoe", "Middlesex Hospital records",
    # personal names
    "Dick Van Dyke on telly tonight", "DCI Cockburn wants the file", "Tyson Gay ran a 9.69",
    "Chris Coons spoke at the conference",
    # ordinary words containing a listed term
    "don't snigger at the back", "flight to Pakistan is booked", "Montenegro friendly at Wembley",
    "raccoon escaped from the wildlife park", "cocoon of blankets", "Japan trip photos", "spice found in cell 3",
    "sauerkraut with the hot dogs", "among the witnesses", "Hong Kong trip", "the bigger picture",
    "where are the keys", "tyranny of the rota", "maggots in the bin",
    # British homonyms
    "just smoked a fag", "packet of fags from the garage", "nipping out for a fag, anyone want one",
    "faggots and peas for tea", "found the chink in the armour", "a chink of light under the door",
    "kitchen is spick and span now", "spic and span for the inspection", "nip to the shop for milk",
    "the bitch had a litter of six puppies", "borrowed the garden hoe from next door",
    "flame retardant foam in the sofa", "stop slagging off the new sarge", "went on a bender after the wedding",
    "tranny fluid leaking all over the yard", "let me tinker with the settings",
    # spellings that are other words, verb senses, terms of endearment
    "pollack and chips", "thanks hun, see you later", "ho ho ho", "barn dance hoe-down", "golf at Royal Troon",
    "ferry from Troon to Brodick", "hotel in Mong Kok", "Coon cheese on toast", "costs will cripple the budget", "feeling a bit muzzy",
    # cross-token joins: spaces are never stripped globally
    "hot water is off", "systems exist to stop this", "plan a b c",
    # digit-only strings never decode
    "the dealer's phone has 45s in it", "call sign 4471", "meet at the 7/11",
]
# fmt: on


@pytest.mark.parametrize("text", TRAPS)
def test_false_positive_traps_stay_quiet(text: str) -> None:
    assert scan(text) == []


# fmt: off
IDENTITY_MENTIONS = [
    "quite a few of the new intake are gay and nobody cares", "two witnesses, both Black women in their 20s",
    "Muslim chaplain is in on Friday", "trans staff network meets on Thursday", "the women's team won again",
    "disabled parking bay outside", "immigrant family reported the burglary", "Jewish community centre",
    "lesbian couple reported harassment", "pensioners are being targeted by this phone scam",
    "immigrants are all welcome at the drop-in",
]
# fmt: on


@pytest.mark.parametrize("text", IDENTITY_MENTIONS)
def test_identity_words_never_fire_on_their_own(text: str) -> None:
    assert scan(text) == []


def test_contested_words_are_kept_for_review_at_low_confidence() -> None:
    finding = only("dirty tinkers nicked the lead off the church")
    assert finding.rule == "DIS-RACE-TINKER"
    assert finding.confidence is Confidence.LOW


def test_addressed_sure_slur_is_high_and_unaddressed_is_medium() -> None:
    addressed = only("shut up you paki")
    plain = only("pakis parking on the pavement again")
    assert addressed.confidence is Confidence.HIGH
    assert plain.confidence is Confidence.MEDIUM
    assert addressed.score > plain.score
    assert "aimed at someone" in addressed.explanation.reason
    assert only("get out of my shop, paki").confidence is Confidence.HIGH  # vocative at the end
    assert only("the pakis you see on the high street").confidence is Confidence.MEDIUM  # "you" after is not address


def test_quoted_and_reported_abuse_is_kept_but_lowered_and_labelled() -> None:
    reported = only("IP says he called her a paki twice, crime it as racially aggravated?")
    quoted = only('whoever put "nigger" in the van chat, take it down')
    plain = only("pakis parking on the pavement again")
    for finding in (reported, quoted):
        assert finding.confidence is Confidence.LOW
        assert details(finding)["label"] == "quoted/reported"
        assert finding.score < plain.score
    assert "inside quotation marks" in quoted.explanation.reason


def test_counter_speech_lowers_confidence() -> None:
    finding = only("calling him a paki is out of order, not having it")
    assert finding.confidence is Confidence.LOW
    assert any(delta < 0 for _, delta in finding.explanation.adjustments)


def test_objecting_to_the_words_is_counter_speech_but_a_bare_racist_beside_a_slur_is_not() -> None:
    # aimed at the words: the officer objects, so the slur is kept for review at low confidence
    for text in ("he called the driver a paki, that's racist and I've told the sarge",
                 "screenshot of his racist comments about the pakis went to PSD"):
        assert only(text).confidence is Confidence.LOW, text
    # the prejudice named as the writer's own stance is no objection: the slur stays a finding
    for text in ("not being funny, I'm not racist but the pakis round here are a nightmare",
                 "call me racist if you like, pakis ruin every street they move to"):
        assert only(text).confidence.rank >= Confidence.MEDIUM.rank, text


def test_homonym_context_lowers_a_sure_word_instead_of_dropping_it() -> None:
    finding = only("the faggot recipe needs more onion gravy")
    assert finding.confidence is Confidence.LOW
    assert "gravy" in finding.explanation.context_words or "onion" in finding.explanation.context_words


def test_reclaimed_in_group_use_is_lowered() -> None:
    plain = only("you dyke")
    in_group = only("as a dyke myself I found that funny")
    assert in_group.score < plain.score
    assert in_group.confidence is Confidence.LOW


def test_explanation_names_characteristic_transformations_score_and_reason() -> None:
    finding = only("shut up you n1gger")
    info = details(finding)
    assert info["characteristic"] == "race"
    assert info["transformations"] == "leet"
    assert info["lexicon"] == "nigger"
    assert "MIT" in info["source"]
    assert finding.normalised == "n1gger"
    assert 0.0 <= finding.score <= 1.0
    assert "\n" not in finding.explanation.reason and finding.explanation.reason.endswith(".")
    assert finding.severity is Severity.HIGH


def test_overlapping_hits_merge_into_the_longest() -> None:
    finding = only("the sand nigger down the road")
    assert finding.rule == "DIS-REL-RAGHEAD"


def test_several_hits_in_one_message_come_out_in_text_order() -> None:
    found = scan("you paki, you faggot")
    assert [f.rule for f in found] == ["DIS-RACE-PAKI", "DIS-SO-FAGGOT"]
    assert found[0].start < found[1].start


# fmt: off
PHRASES = [
    ("immigrants are all just vermin", "DIS-PHRASE-DEHUMANISE", "race"),
    ("muslims are a disease on this country", "DIS-PHRASE-DEHUMANISE", "religion_or_belief"),
    ("black women are animals", "DIS-PHRASE-DEHUMANISE", "race,sex"),
    ("tell him to go back to where he came from", "DIS-PHRASE-GOBACK", "race"),
    ("send them all back", "DIS-PHRASE-GOBACK", "race"),
    ("gays should be shot", "DIS-PHRASE-THREAT", "sexual_orientation"),
    ("women belong in the kitchen", "DIS-PHRASE-MISOGYNY", "sex"),
    ("trans women are just blokes", "DIS-PHRASE-TRANSPHOBIA", "gender_reassignment"),
    ("she's pregnant again, another year of skiving", "DIS-PHRASE-MATERNITY", "pregnancy_maternity"),
    ("she's way too old for this job", "DIS-PHRASE-AGE", "age"),
]
# fmt: on


@pytest.mark.parametrize(("text", "rule", "characteristic"), PHRASES)
def test_phrase_rules_find_abuse_without_slurs(text: str, rule: str, characteristic: str) -> None:
    finding = only(text)
    assert finding.rule == rule
    assert details(finding)["characteristic"] == characteristic
    assert finding.matched == text[finding.start:finding.end]


# fmt: off
EMOJI = [
    ("👋🏿🐒", "DIS-EMOJI-APE", "race"),
    ("🏳️‍🌈🤮", "DIS-EMOJI-DISGUST", "sexual_orientation"),
    ("🏳️‍⚧️🔫", "DIS-EMOJI-THREAT", "gender_reassignment"),
    ("muslims 🐷🐷", "DIS-EMOJI-DISGUST", "religion_or_belief"),
]
# fmt: on


@pytest.mark.parametrize(("text", "rule", "characteristic"), EMOJI)
def test_emoji_used_as_insults_beside_an_identity(text: str, rule: str, characteristic: str) -> None:
    finding = only(text)
    assert finding.rule == rule
    assert details(finding)["characteristic"] == characteristic
    assert finding.matched == text[finding.start:finding.end]


@pytest.mark.parametrize("text", ["🐒 cheeky monkey at the zoo", "👍🏿 nice one", "🏳️‍🌈 happy Pride everyone!",
                                  "🤮 that kebab", "Proud of you all 🏳️‍🌈", "🐷 pigs in blankets"])
def test_emoji_alone_or_friendly_stay_quiet(text: str) -> None:
    assert scan(text) == []


def test_system_messages_are_not_scanned_but_media_captions_are() -> None:
    system = msg("Dave changed the group name to paki", kind=MessageKind.SYSTEM)
    assert list(detector().detect(system, Window())) == []
    photo = Attachment("IMG-20240314-WA0001.jpg", MediaType.IMAGE, omitted=False)
    caption = msg("look at this paki", kind=MessageKind.MEDIA, attachments=(photo,))
    assert [f.rule for f in detector().detect(caption, Window())] == ["DIS-RACE-PAKI"]


def test_output_is_deterministic() -> None:
    text = "you p4ki, immigrants are vermin 🏳️‍🌈🤮"
    assert scan(text) == scan(text)
    fresh = DiscriminatoryDetector()
    fresh.configure(RULES)
    assert list(fresh.detect(msg(text), Window())) == scan(text)


def test_an_at_mention_counts_as_addressed() -> None:
    finding = only("@Dave paki")
    assert "aimed at someone" in finding.explanation.reason
    assert "@mention" in finding.explanation.context_words


@pytest.mark.xfail(reason="contested: dog whistles are not in the lexicon yet (review list item)", strict=False)
def test_dog_whistles_are_kept_for_review() -> None:
    assert scan("13% of the population, 50% of the crime, just saying")


def test_ordinary_chat_is_never_high_confidence() -> None:
    from pathlib import Path

    path = Path(__file__).parent / "labelled" / "discriminatory.tsv"
    ordinary = [line.split("\t")[3] for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("ordinary\t")]
    assert len(ordinary) >= 200
    flagged = [f for text in ordinary for f in scan(text) if f.confidence is Confidence.HIGH]
    assert flagged == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["you", "p4ki", "n i g g e r", "🏳️‍🌈", "🤮", "f*g", " ", ".", "\u200b", "ｆａｇ",
                                 "immigrants", "are", "vermin", "Scunthorpe", "\"", "é", "1", "👋🏿", "🐒"]), max_size=12)
       .map("".join) | st.text(max_size=30))
def test_any_text_gives_spans_inside_the_original(text: str) -> None:
    for finding in scan(text):
        assert finding.start is not None and finding.end is not None
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.matched == text[finding.start:finding.end]
