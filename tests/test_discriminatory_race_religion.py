"""Race and religion abuse without a common slur (issue 13, HateXplain training shapes): a faith used
as the adjective of an insult, antisemitic conspiracy tropes and Holocaust denial, calls to ban or
wipe out a religion, and slurs the lexicon lacked. Each abusive line is found with its characteristic;
its look-alike (news, history, a quote being reported, counter-speech, football) stays quiet.

Every line is an invented message between officers, never copied from the dev set.
CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

import pytest
from discriminatory_detector import assert_found_and_twin_quiet, reported

# (abusive line, characteristic it concerns, its look-alike that must stay quiet)
SHAPES = [
    # a faith word as the adjective of an insult
    ("more moslem shite on the news tonight", "religion_or_belief", "more muslim officers on the news tonight"),
    ("bunch of jew pigs running that shop", "religion_or_belief", "bunch of pigs running loose on the A38"),
    ("they're all muslim pedos round there", "religion_or_belief", "the muslim chaplain's dogs are in the back of the car"),
    # antisemitic conspiracy
    ("the jews control the media mate, always have", "race", "the jews in the nativity play were brilliant"),
    ("it's all owned by the jews anyway", "religion_or_belief", "it's all owned by the council anyway"),
    ("jew world order, wake up", "race", "world order of events for the briefing please"),
    ("jewish agenda again on the telly", "religion_or_belief", "jewish new year, the rabbi says the hall is booked"),
    # Holocaust denial
    ("the holocaust was a hoax, read up", "religion_or_belief", "the speaker at the holocaust memorial day was brilliant"),
    ("holohoax nonsense they teach kids", "religion_or_belief", "school trip to the holocaust centre on Friday"),
    # a country free of Jews
    ("we want a country free of jews", "race", "we want a custody suite free of clutter"),
    # banning or wiping out a faith, a faith called a disease
    ("ban islam, simple", "religion_or_belief", "ban fireworks, simple"),
    ("islam must be wiped off the map", "religion_or_belief", "islam and judaism on the RE syllabus"),
    ("islam is a cancer on this country", "religion_or_belief", "islam is a big part of life on the estate, worth knowing for the beat"),
    ("deport the muslims, all of them", "religion_or_belief", "deport the suspect, immigration are on it"),
    # slurs the lexicon lacked
    ("another zhid on the panel", "religion_or_belief", "another kid on the panel"),
    ("muscum everywhere in that town", "religion_or_belief", "museum everywhere in that town"),
    ("shut up you goat humper", "religion_or_belief", "the goat humped the fence at the petting farm"),
    # the othering spelling before invasion or rape; "ghetto" before an animal word
    ("the moslem invasion has started round here", "religion_or_belief", "the spanish invasion of the beach at magaluf lol"),
    ("ghetto monkeys hanging round the chippy again", "race", "ghetto blaster from the eighties in the property store"),
    ("the blax on that estate are all the same", "race", "the blacks and whites are the away kit this season"),
]


@pytest.mark.parametrize(("text", "characteristic", "twin"), SHAPES, ids=[s[0] for s in SHAPES])
def test_race_religion_shape_found_and_look_alike_quiet(text: str, characteristic: str, twin: str) -> None:
    assert_found_and_twin_quiet(text, characteristic, twin)


@pytest.mark.parametrize("text", [
    # quoting or reporting someone else's words
    "he said the jews control the media, disgusting, I've reported it",
    "IP says the male shouted islam is a cancer at her, crime it as a hate crime",
    # counter-speech
    "saying islam is a cancer is exactly the sort of thing that gets you sacked, not having it",
    "the holocaust was a hoax line he posted is antisemitic, complaint going in",
    # history lesson
    "the nazis spread the myth of a jew world order, that's the history module for the new intake",
    "Holocaust denial module: deniers claim the holocaust was a hoax, here's how to respond",
    # news about a named state's government
    "israel's government controls the checkpoints on the west bank, says the report",
    # football and other homonyms
    "spurs fans singing at the lane again, bring earplugs",
    "is islam a cult? no, and the diversity trainer explained why",
    "warsaw ghetto uprising talk at the museum, history society",
])
def test_reported_countered_or_neutral_race_religion_talk_stays_quiet(text: str) -> None:
    assert reported(text) == [], [(f.rule, f.matched, f.confidence) for f in reported(text)]
