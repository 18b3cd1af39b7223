"""Abuse written in emoji (issue 13, HatemojiBuild shapes): an emoji standing for the group or for
what is said about it is found, with the characteristic and a plain reason, and its contrastive twin
(the same shape with no protected group, a kind word, or the emoji alone) stays quiet.

Every line is invented for this test in the shapes of the dev set, never copied from it.
CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import assert_found_and_twin_quiet, assert_quiet, reported

# (abusive line, characteristic it concerns, its contrastive twin that must stay quiet)
SHAPES = [
    # A flag standing for a nationality, a vermin or clown emoji for the insult
    ("🇵🇰 are all just 🤡", "race", "🇵🇰 v 🇮🇳 on the telly tonight, who's in?"),
    ("🇷🇴 are 🐀, the lot of them", "race", "🐀 in the yard bins again, ring the council"),
    # The turban emoji with its gender sign, as phones send it
    ("👳🏾‍♂️ cant be trusted", "religion_or_belief", "👮🏻 cant be trusted with the biscuits"),
    # Distrust needs its negation: a group that "can be trusted" is praise
    ("gay lads can not be trusted on a night out", "sexual_orientation", "gay lads can be trusted with the float"),
    # A same-sex couple emoji beside disgust
    ("👨‍❤️‍💋‍👨 make me 🤮", "sexual_orientation", "mondays make me 🤮"),
    ("🖕 = 🏳️‍🌈", "sexual_orientation", "🏳️‍🌈 = ❤️ happy pride all"),
    # Killing written as an emoji
    ("gonna 💣 all of the 🇸🇦 lot", "race", "gonna 💣 all of the paperwork before rest days"),
    ("muslims should be 🔥", "religion_or_belief", "muslims should be able to pray on nights 🙏"),
    # Hatred written as an emoji
    ("i h8 🧕", "religion_or_belief", "i h8 mondays"),
    # A group crossed out
    ("♿ ⛔ in our country", "disability", "🚗 ⛔ in the bus lane"),
    # Sarcastic welcome or praise
    ("oh great, more immigrants 🙃", "race", "oh great, more paperwork 🙃"),
    ("I love jews 🤥", "religion_or_belief", "I love my job 🤥"),
    # Stereotype emoji beside a group
    ("✡️💰💰", "religion_or_belief", "💰 pay day lads"),
    # Distrust, avoidance, disgust and "too many", in words or emoji
    ("never trust a pole with your tools", "race", "never trust a sat nav round here"),
    ("stay away from 👨🏿 on the estate", "race", "stay away from the edge of the cordon"),
    ("travellers make me sick", "race", "night shifts make me sick"),
    ("too many 🇳🇬 round here", "race", "too many jobs on the board"),
    ("this town is full of romanians now", "race", "this town is full of tourists now"),
    # Letters written as emoji inside a slur
    ("another pi🔑 site on the common", "race", "🔑 left in the van, who has it?"),
    # Deserving nothing, or harm
    ("asylum seekers don't deserve benefits", "race", "asylum seekers don't deserve to be treated like that"),
    ("♿ deserve to be homeless", "disability", "nonces deserve to be homeless"),
    # Withdrawing help or work from a group
    ("stop hiring women, they're useless", "sex", "stop hiring agency staff"),
    # The animal riddle
    ("what's the difference between a 👨🏿 and a 🦍", "race", "what's the difference between a 🐒 and a 🦍"),
    # Keeping a group out
    ("keep the 🧕 out", "religion_or_belief", "keep the dogs out of the garden"),
    ("leave our country 🇸🇴", "race", "leave our country lanes alone"),
    # Disgust, and the "never met an honest one" trope
    ("albanians disgust me", "race", "hangovers disgust me"),
    ("never met an honest gypsy", "race", "never met an honest estate agent"),
    # A swearing noun said of a whole group, an explosion beside a religious emoji
    ("👳‍♂️ are cunts", "religion_or_belief", "the lads are cunts for leaving me on earlies"),
    ("🧕💥", "religion_or_belief", "💥 what a goal"),
    # The stereotype asked as a question, pleasure at harm, keeping a group away
    ("why are all romanians thieves", "race", "why are all the vans dirty"),
    ("love it when 🏳️‍🌈 get beaten up 😂", "sexual_orientation", "love it when the suspects get nicked 😂"),
    ("keep 👬 away from kids", "sexual_orientation", "keep 👬 away from bigots"),
]


@pytest.mark.parametrize("text", [
    "🐀", "🤮", "🔪", "🇵🇰", "👳‍♂️", "🏳️‍🌈", "👨🏿",  # an emoji alone
    "🤮 that kebab last night", "🔪 crime week of action starts Monday", "🐍 in the evidence store, no joke",
    "🇵🇰 cricket tonight", "🏳️‍🌈 stall at pride needs volunteers", "👨🏿‍🚒 crew were brilliant at the fire",
    "death to all 🇸🇦 haters", "✡️🚫👺", "🧕🚫🐖",  # the group's haters, a denial
    "I despise chinese 🍜", "did you just say muslims should be 🔪",  # the food, a challenge
    "👀 look at this", "π r squared", "it's racist to 👞 👳‍♂️ out of their 🕌",
    "👍🏾💰 pay day", "🤦🏾‍♀️🤮 that canteen food", "🙅🏾‍♀️❌ not doing nights again",  # someone's own emoji
])
def test_emoji_alone_or_beside_a_neutral_word_stays_quiet(text: str) -> None:
    assert_quiet(text)


def test_a_finding_says_what_the_emoji_meant() -> None:
    finding = next(f for f in reported("gonna 💣 all of the 🇸🇦 lot") if f.rule == "DIS-EMOJI-DEATH")
    assert finding.characteristics == ("race",)
    assert "in emoji" in finding.explanation.reason and "(race)" in finding.explanation.reason


# Second emoji pass (issue 13): shapes the HatemojiBuild training misses showed, each with a twin of
# the same template that must stay quiet (an object, a job or a kind word in the group's place).
SECOND_PASS = [
    # "full of 💩" with a longer run of words before the insult
    ("albanians are so full of 💩", "race", "this inbox is so full of 💩"),
    # told to kill themselves ("🔝" = top themselves)
    ("romanians should all 🔝 themselves", "race", "the referees should all 🔝 themselves"),
    # wanting to see a group suffer, or volunteering for it
    ("who'd like to see 🏳️‍🌈 people suffer? 🙋‍♂️", "sexual_orientation", "who'd like to see 🏳️‍🌈 people suffer? 😡"),
    ("I'd love to watch the travellers suffer", "race", "I'd love to watch the spurs suffer"),
    # declared not OK, crossed out
    ("all these somalis round here is totally not 🆗", "race", "all these roadworks round here is totally not 🆗"),
    ("👭 = ❌", "sexual_orientation", "hate towards 👭 = ❌"),
    # looks judged
    ("trans women look disgusting to me", "gender_reassignment", "trans women look gorgeous to me"),
    # attacking the people who like or support a group
    ("how can you 🙌 jews? you are 🤮", "religion_or_belief", "how can you 🙌 spurs? you are 🤮"),
    ("honestly don't see how anyone could fancy a 👳‍♂️", "religion_or_belief", "honestly don't see how anyone could fancy a kebab"),
    # abuse carved out as allowed against one group
    ("no to hate speech (unless its against ♿)", "disability", "no to hate speech (unless its against the rules)"),
    # told to fuck off
    ("every 🇵🇱 can just fuck off", "race", "every wasp can just fuck off"),
    # dislike with the "not" as an emoji
    ("we 🚫 like lesbians in this nick", "sexual_orientation", "we 🚫 like paperwork in this nick"),
    # a relative's identity met with grief
    ("my nephew is gay 😔", "sexual_orientation", "my nephew is gay 🥳"),
    # ranking a group below others
    ("nothing worse than 🇷🇴 lads", "race", "nothing worse than cold chips"),
    # hatred with an insult between
    ("i proper hate those smelly 🇮🇳 families next door", "race", "i proper hate those smelly bins next door"),
    # an insult emoji right beside a group
    ("sikhs 👹", "religion_or_belief", "traffic wardens 👹"),
    ("she's engaged to a 👨🏿🤡", "race", "wish I was bi 🤡"),
    # death to a group, in emoji
    ("💀 to all 🇵🇰", "race", "💀 to all the lads on nights"),
    # put in the bin
    ("gay lads belong in the 🗑️", "sexual_orientation", "crisp packets belong in the 🗑️"),
    # deserving hatred
    ("muslims deserve more hate", "religion_or_belief", "parking wardens deserve more hate"),
    # telling people to stop supporting a group
    ("stop 💕 trans people!", "gender_reassignment", "stop 💕 trans people for the likes!"),
    # wanting one member removed
    ("someone get rid of that filthy 🧕 for me", "religion_or_belief", "someone get rid of that filthy mug for me"),
    # an insult word before a group's emoji
    ("dirty 🇦🇱 begging outside tesco", "race", "dirty 🚗 outside tesco"),
    # a slur for Travellers spelled as a pie and a key
    ("more 🥧🔑 vans on the rec", "race", "more 🥧 and 🍰 on the rec"),
    # animals or aliens arriving somewhere
    ("way too many 🐒 in this town now", "race", "way too many 🐒 at the safari park"),
    # hatred by colour, with a dark-skinned emoji
    ("i fucking hate those black 👩🏿", "race", "i fucking hate those black 👢"),
    # violence to the next person of a group seen
    ("gonna 🔨 the next 🧕 I see", "religion_or_belief", "gonna 🔨 the next nail I see"),
    # not let near
    ("i'd never let a 👳‍♂️ near my car", "religion_or_belief", "i'd never let a 🐕 near my car"),
    # told to go and die
    ("dear 🇦🇱 just go and die", "race", "dear 🇦🇱 just go and vote"),
    # asking whether anyone has met a decent one
    ("has anyone ever met a decent man from 🇷🇴?", "race", "has anyone ever met a decent man from the council?"),
    # wishing a group gone
    ("i wish all the 🧕 would disappear", "religion_or_belief", "i wish all the 🦟 would disappear"),
    # haters praised
    ("if you hate 🏳️‍⚧️ you are a legend", "gender_reassignment", "if you hate 🏳️‍⚧️ you are 🤮"),
    # laughing at a group's suffering
    ("famine among somalis 😂", "race", "famine among somalis 😢"),
    # sanity or brains questioned
    ("are bisexuals ok in the 🧠?", "sexual_orientation", "are the dogs ok in the 🏠?"),
    # sent off to the moon or the sea
    ("send all the 🇸🇴 to the 🌛", "race", "send all the kids to the 🌊"),
    # liking a group called a disgrace; its twin calls NOT liking them one (it defends the group)
    ("how can you like 🧕🏾? you are 🤮", "religion_or_belief", "how can you not like 🧕🏾? you are 🤮"),
]


# Third emoji pass (issue 13): more HatemojiBuild training shapes, and three false alarms of the
# earlier passes, each the twin of an abusive line it must not be confused with.
THIRD_PASS = [
    # a death wish, and the same words met with disbelief ("Really?!" objects to it)
    ("☠️ to all 🇦🇱!", "race", "☠️ to all 🇦🇱! Really?!"),
    # a place of worship's emoji after "in the" is the building, not its faithful
    ("🕌 are not 🆒", "religion_or_belief", "shouting in the 🕌 is not 🆒"),
    # "you're 🤮" aimed at someone who does NOT like the group defends it
    ("how could anyone like 👬? you're 🤮", "sexual_orientation", "how could you not like 👬? you're 🤮"),
    # told they should not exist or raise children
    ("bisexuals should not exist", "sexual_orientation", "speed cameras should not exist"),
    ("👭 shouldn't have 👶", "sexual_orientation", "👭 shouldn't have to hide on nights out"),
    # equated with death or disease
    ("🕉️ = ☠️", "religion_or_belief", "🥃 = ☠️ in the morning"),
    # death promised, a lethal injection prescribed
    ("✡️ will 🔥", "religion_or_belief", "the chippy will 🔥 tonight"),
    ("all 🇦🇫 lads need a lethal 💉", "race", "all the old lads need a flu 💉"),
    # declared wrong or sinful, or called devils
    ("👨‍❤️‍👨 is so wrong", "sexual_orientation", "this rota is so wrong"),
    ("🧕 are 👿", "religion_or_belief", "my kids are 👿 today"),
    # sickened by the sight of them
    ("saw 👭 holding hands and nearly 🤮", "sexual_orientation", "saw the kebab van and nearly 🤮"),
    # a fist thrown at a group
    ("🤜 👳‍♂️", "religion_or_belief", "🤜 the lads 🤛"),
    # cannot stand them
    ("honestly can't stand 🇷🇴", "race", "honestly can't stand 🇷🇴 cricket"),
    # put in a circus, violence with "fuck up / blow up"
    ("♿ belong in a 🎪", "disability", "clowns belong in a 🎪"),
    ("gonna fuck up some 🇵🇰 tonight", "race", "gonna fuck up some 🍕 tonight"),
    # deserving nothing but contempt
    ("🏳️‍⚧️ deserve nothing but contempt", "gender_reassignment", "fare dodgers deserve nothing but contempt"),
    # a group mentioned, then sneered at as a disease or a lie
    ("new DC on our team is from 🇳🇬 😷", "race", "new DC on our team is from hull 😷"),
    ("I love somalis 🤥", "race", "I love sundays 🤥"),
    # counted and resented
    ("so many 🧕 in town these days 🙄", "religion_or_belief", "so many 🧕 in town these days 🥰"),
    # said to smell
    ("🇮🇳 lads smell of 🍛", "race", "the custody suite smells of 🍛"),
    # not wanted in the writer's place
    ("👬 not in my 🏠", "sexual_orientation", "🐈 not in my 🏠"),
    # death as the verb
    ("wish someone would just ☠️ all the 🏳️‍⚧️", "gender_reassignment", "wish someone would just ☠️ all the wasps"),
    # a generalisation stated to be denied, and "imagine using 👽 to describe ..." objects to it
    ("🇦🇱 are all thieves", "race", "🇦🇱 are all thieves yeah right 🤣"),
    ("immigrants 👽🤬", "race", "imagine using 👽 to describe immigrants 🤬"),
    # a group's emoji, then laughter
    ("🇵🇱 will nick anything 🤣", "race", "🐕 will nick anything 🤣"),
    # the insult said of the group through "they"
    ("keep away from 🇷🇴 lads, they are thieves", "race", "keep away from the canal, they are thieves round there"),
    # every one the writer has met
    ("every 🧕 i have met is a 🤡", "religion_or_belief", "every sarge i have met is a 🤡"),
    # "bell-end" in emoji, a group told to end
    ("🏳️‍🌈 = 🛎️🔚", "sexual_orientation", "anti-🏳️‍🌈 lot = 🛎️🔚"),
    # barred from a right or a place
    ("sikhs should not be allowed to vote", "religion_or_belief", "refugees should not be allowed to drown"),
    # two men or two women, drawn in emoji, called sickening
    ("🧔+🧔=🤮", "sexual_orientation", "🍕+🍍=🤮"),
    # a place to be freed of a group
    ("time to rid the 🌍 of 🇸🇴", "race", "time to rid the 🌍 of plastic straws"),
    # a beating promised
    ("🏳️‍⚧️ gonna get a kicking", "gender_reassignment", "🏳️‍⚧️ gonna get a slap on the wrist from the panel"),
    # pork forced on a religion
    ("make the 🧕 eat 🥓", "religion_or_belief", "make the kids eat 🥦"),
    # hating the sight of them
    ("i hate seeing 👬 on telly", "sexual_orientation", "i hate seeing 🐀 on telly"),
    # "the bomb" turned on a faith
    ("those sikhs are the 💣", "religion_or_belief", "those curries are the 💣"),
]

# Fourth emoji pass (issue 13): lexicon entries rather than templates, each reaching every
# construction: person emoji as head nouns, emoji read as letters, a slur spelled with the NG button,
# two emoji standing for a group, a beast of burden as the insult.
FOURTH_PASS = [
    # a person emoji after an identity adjective is the head noun ("polish 👨" as "polish bloke")
    ("this polish 👨 is fucking vile", "race", "this grumpy 👨 is fucking vile"),
    # keycap asterisk and hash inside a word are censoring stars; the keycap alone is not a letter
    ("tr*️⃣nn*️⃣ies ruin every show", "gender_reassignment", "5*️⃣ service at the canteen, every show"),
    ("shut up you n#️⃣gg#️⃣r", "race", "shut up you #️⃣ keyboard warrior"),
    # the hotel sign as an H inside a slur
    ("c🏨ink food again", "race", "🏨 booked for the course again"),
    # the n-word without its vowels, the NG button spelling it
    ("🆖R get out of my street", "race", "🆖 wrong answer, try again"),
    ("another lot of 🆖erz moved in", "race", "another lot of 🆕 starters moved in"),
    # the pillar box for women in a niqab, the camel for Arabs
    ("shut up you 📮", "religion_or_belief", "the 📮 at the end of the road is full"),
    ("this 🐫 can go fuck itself", "race", "this printer can go fuck itself"),
    # a horse or a cow for women
    ("women are 🐎", "sex", "the ponies are 🐎"),
    # monkeys, sloth and poultry as the insult emoji; a hammer as the verb
    ("those 🇷🇴 lads are just 🙈", "race", "my kids are just 🙈 today"),
    ("romanians are all 💤", "race", "the night shift are all 💤"),
    ("🇮🇳 are 🐔", "race", "the hens are 🐔"),
    ("time to 🔨 some of those 🧕 at the park", "religion_or_belief", "time to 🔨 some of those fence posts"),
    # the shrine gate for Japanese people, the khanda for Sikhs
    ("i proper despise all ⛩️ in this town", "race", "i proper despise all 🌮 in this town"),
    ("🪯 are 🤡", "religion_or_belief", "the khanda 🪯 is on the flag"),
]

# Fifth emoji pass: each invented positive beside the look-alike HatemojiBuild would build from it (the
# same template with the weapon meant as a crime to deplore, a kind emoji, an object in the group's place).
FIFTH_PASS = [
    # "really / absolutely / fucking hate" is one token for the matcher: the verb is read through `hating`
    ("i really hate seeing 🧕 round the nick", "religion_or_belief", "i really hate seeing 👨🏿 🔪 👨🏿 on the news"),
    ("absolutely hate seeing 👩 💕 👩 in town", "sexual_orientation", "absolutely hate seeing 🚗 💕 🚗 on the drive"),
    ("fed up of seeing these ⚫ people on my street", "race", "fed up of seeing these ⚫ bin bags on my street"),
    # ... and the hateful twin of "I hate seeing ... 🔪 ...": enjoying the violence
    ("i just love seeing 👨🏿 🔪 👨🏿", "race", "i just love seeing 🍕 🔪 🍕"),
    # "make(s) / made me sick" with the words a post puts between
    ("polish 👨 these days make me sick", "race", "polish 🥟 these days make me sick"),
    ("black 👨🏿 makes me wanna hurl", "race", "black ☕ makes me wanna hurl"),
    # least favourite people
    ("my least favourite people are ⚫ for obvious reasons", "race", "my least favourite colour is ⚫ for obvious reasons"),
    # a child's partner of a group held up as a horror
    ("imagine ur daughter's fella being ⬛", "race", "imagine ur daughter's fella being ⬛ 😍"),
    # killing the people in a place of worship
    ("we should 💣 everyone inside a 🕍", "religion_or_belief", "we should 🙏 for everyone inside a 🕍"),
    ("a 🕌 is a perfect target for a 💣", "religion_or_belief", "a 🕌 is a perfect place for a 🍽️ iftar"),
    # people likened to litter
    ("🚯 means no 🧕", "religion_or_belief", "🚯 means no 🥤 cups on the yard"),
    ("you see ♿ i see 🗑️", "disability", "you see ♿ i see a 🏅"),
]

ALL_SHAPES = SHAPES + SECOND_PASS + THIRD_PASS + FOURTH_PASS + FIFTH_PASS


@pytest.mark.parametrize(("text", "characteristic", "twin"), ALL_SHAPES, ids=[s[0] for s in ALL_SHAPES])
def test_emoji_shape_found_and_twin_quiet(text: str, characteristic: str, twin: str) -> None:
    assert_found_and_twin_quiet(text, characteristic, twin)


@pytest.mark.parametrize("text", [
    # Someone else's hatred, reported: the emoji constructions must not split the hate slot's
    # multi-word entries ("fucking hate", "run over") into words other rules then read apart.
    "some blokes on that forum seriously fucking hate women",
    "those lads online really hate women, it's grim reading",
])
def test_reported_hatred_stays_quiet_beside_the_emoji_pack(text: str) -> None:
    assert_quiet(text)


@pytest.mark.parametrize("text", [
    # The NG-button slur named as a word, to object to it or to explain it: kept for review only.
    "🆖RS is not a word anyone should use",
    "the term 🆖R is a slur, report it",
])
def test_abbreviated_slur_named_as_a_word_stays_below_the_report(text: str) -> None:
    assert_quiet(text)


# Fifth emoji pass: ordinary officer chat with the same emoji and words stays quiet.
@pytest.mark.parametrize("text", [
    "ARVs 🔫 at the mosque for friday prayers, reassurance patrol",
    "we must 🔫 check everyone's licences at the range tomorrow",
    "the 🐷 takeaway on the high street made me sick last night",
    "my least favourite shift is lates 🔥",
    "imagine your daughter's boyfriend being a spurs fan 😂",
    "sick of seeing the same lads in custody every weekend",
    "i really hate seeing kids get stabbed 🔪 it's grim",
    "the church is a great place to start the house to house",
    "🚯 means no dumping by the bins",
    "i absolutely hate seeing the 🕌 vandalised like that",
])
def test_fifth_pass_officer_chat_stays_quiet(text: str) -> None:
    assert_quiet(text)
