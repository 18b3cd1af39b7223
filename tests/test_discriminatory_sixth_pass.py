"""Sixth HatemojiBuild pass (issue 13): slurs the training misses used that the lexicon lacked, and
templates whose look-alike swaps the group for a job, a thing or a kind emoji.

Each abusive line is found with its characteristic; its twin (the same shape with no protected group,
a kind word, or the ordinary sense of the word) stays quiet; officer-chat traps stay quiet too.
Every line is invented for this test in the shapes of the dev set, never copied from it.
CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import assert_found_and_twin_quiet, assert_kept_for_review, assert_quiet, scan

# (abusive line, characteristic it concerns, its twin that must stay quiet)
PAIRS = [
    # Lexicon: antisemitic names, East Asians named by a food myth, a Muslim slur that is also a mosquito
    ("mind your wallet, the sheenies are in", "religion_or_belief", "mind your wallet, the scousers are in"),
    ("the bat eaters from the takeaway again", "race", "the bat boxes in the loft again"),
    ("more mozzies on the high street burning flags", "religion_or_belief",
     "more mozzies on the night shift, bring the repellent"),
    ("send them back to apefrica", "race", "send them back to africa house on the industrial estate"),
    # Identity lexicon: asexual people
    ("asexuals aren't all there in the 🧠", "sexual_orientation", "asexuals are welcome at the staff network"),
    # A group not right in the head
    ("lesbians aren't all there in the 🧠", "sexual_orientation", "the probationers aren't all there in the 🧠 yet"),
    # The slogan mocked
    ("black lives matter 🙄😂", "race", "black lives matter ✊🏿"),
    ("🦍 lives matter", "race", "all lives matter at a road traffic collision"),
    ("blm is short for 🐒", "race", "blm march went past the nick, all calm 👍"),
    # Reduced to sex or money
    ("refugees are only after 💰", "race", "burglars are only after 💰"),
    # Laughed at for what they can't do
    ("♿ can't even reach the bar 🤣", "disability", "🧒 can't even reach the bar 🤣"),
    # Losing sleep over the neighbours
    ("how do i sleep at night knowing the new neighbours are muslims 👁️👁️", "religion_or_belief",
     "how do i sleep at night knowing the new neighbours are drummers 👁️👁️"),
    # Praise called a lie
    ("saying travellers are honest is pure 🧢", "race", "saying travellers are honest is pure ❤️"),
    # Apes from Africa, or filling a town
    ("too many 🐒 from africa in this town", "race", "too many 🐒 at the zoo this summer"),
    # A person drawn with a dark skin tone, then laughter
    ("guess who nicked the bike, 👨🏿 🤣", "race", "guess who nicked the bike, 🦊 🤣"),
    # Rights for women called a mistake
    ("letting women vote was a total mistake", "sex", "letting the probationers vote on the rota was a total mistake"),
    ("time to bring back the patriarchy", "sex", "time to bring back the old tea fund"),
    # Sexist objectification and incel words
    ("she's nothing but a breeding machine", "sex", "it's nothing but a bread machine"),
]


@pytest.mark.parametrize(("text", "characteristic", "twin"), PAIRS, ids=[p[0] for p in PAIRS])
def test_sixth_pass_found_and_twin_quiet(text: str, characteristic: str, twin: str) -> None:
    assert_found_and_twin_quiet(text, characteristic, twin)


@pytest.mark.parametrize("text", [
    # Officer chat the new rules must leave alone
    "be careful with the polish translation on the witness statement",
    "careful of the IP, she's got a blade in her bag",
    "saying muslims are all terrorists is bollocks, report that post",
    "mozzies are eating me alive on this scene guard",
    "can't even get a brew on this shift 😂",
    "the 🦍 from africa on the wildlife documentary was unreal",
    "black lives matter march is on the briefing for Saturday",
    "only interested in 💰 these burglars, left the passports",
    "me and 👨🏿 at the christmas do 😂",
    "no one thinks women's suffrage was a mistake",
])
def test_sixth_pass_officer_chat_stays_quiet(text: str) -> None:
    assert_quiet(text)


@pytest.mark.parametrize(("text", "twin"), [
    ("careful with the 🧕 near your bags", "careful with the 🍵 near your bags"),
    ("be wary of those 👨🏿 lads", "be wary of those 🐕 lads"),
])
def test_group_held_up_as_a_danger_is_kept_for_review(text: str, twin: str) -> None:
    # DIS-EMOJI-CAREFUL is weak evidence on its own (README, sixth pass): a lead at low, not in `check`
    assert_kept_for_review(text, "DIS-EMOJI-CAREFUL")
    assert not any(f.rule == "DIS-EMOJI-CAREFUL" for f in scan(twin))
