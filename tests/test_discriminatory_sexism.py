"""Sexism without slurs (issue 13): generalisations about women, violence wished on a woman, 'female
nature', women kept out of work or rights, the 'like I like my women' joke. Each shape is found at
medium or above with characteristic "sex" and a plain reason; its trap, the same words in ordinary
police talk, stays quiet.

Every line is invented for this test in the shapes of the EDOS training posts, never copied from
them. CONTENT WARNING: abusive lines below are written to be detected.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from discriminatory_detector import reported

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.detect.discriminatory.phrases import starts_clause
from whatsapp_audit.errors import PatternError
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns

SHAPES = [
    # Generalisations: women as a group pinned with a trait
    ("tbh females are naturally hypergamous, every last one", "DIS-PHRASE-SEXIST-GENERALISE"),
    ("all women are just gold diggers with a gym membership", "DIS-PHRASE-SEXIST-GENERALISE"),
    ("birds are basically children, can't make a decision", "DIS-PHRASE-SEXIST-GENERALISE"),
    ("modern women are so materialistic it's unreal", "DIS-PHRASE-SEXIST-GENERALISE"),
    ("women have no business on a firearms team", "DIS-PHRASE-SEXIST-GENERALISE"),
    # Violence threatened or wished on a woman
    ("if she mouths off again I'd happily slap her", "DIS-PHRASE-VIOLENCE-WOMAN"),
    ("honestly hope someone kills her", "DIS-PHRASE-VIOLENCE-WOMAN"),
    ("she should be strung up, her and her mates", "DIS-PHRASE-VIOLENCE-WOMAN"),
    ("hope she gets raped on the way home", "DIS-PHRASE-VIOLENCE-WOMAN"),
    ("it should be legal to beat your wife", "DIS-PHRASE-VIOLENCE-WOMAN"),
    ("Drown her. Problem solved", "DIS-PHRASE-VIOLENCE-WOMAN-IMPERATIVE"),
    ("she won't shut up lol. punch her in the mouth", "DIS-PHRASE-VIOLENCE-WOMAN-IMPERATIVE"),
    # 'Female nature', 'typical woman'
    ("crying to get out of it, that's just female nature", "DIS-PHRASE-SEXIST-NATURE"),
    ("typical woman logic, reverse parked across two bays", "DIS-PHRASE-SEXIST-NATURE"),
    # Women kept out of work, rights or public life
    ("rule one in business, never promote women", "DIS-PHRASE-SEXIST-EXCLUSION"),
    ("women shouldn't be allowed to drive the area car", "DIS-PHRASE-SEXIST-EXCLUSION"),
    ("women should be seen and not heard in briefings", "DIS-PHRASE-SEXIST-EXCLUSION"),
    ("repeal the 19th and the country sorts itself out", "DIS-PHRASE-SEXIST-EXCLUSION"),
    # Jokes and slurs
    ("I like my tea like I like my women, weak and milky", "DIS-PHRASE-SEXIST-JOKE"),
    ("the bitchy lot in the control room again", "DIS-SEX-BITCH"),
    ("his missus is a two-faced lying manipulative cunt, she took the lot", "DIS-PHRASE-CUNT-WOMAN"),
]

TRAPS = [
    # Neutral talk about women, and talk about sexism itself
    "the women on B relief are all keen on the new rota",
    "two girls are missing from the care home, last seen 2100",
    "not all women are gold diggers, you just date badly",
    "some guys treat women as objects and it shows",
    "the wives are coming to the Christmas do this year",
    "the women have no changing room at the new nick, can estates sort it",
    "women's football on the big screen in the canteen tonight",
    "my wife said the female nature reserve walk was lovely",
    # Violence words in ordinary police work, and reported threats
    "I'll hit her up tomorrow about the rota",
    "went round to hang her washing out for her, she's 94",
    "she should be locked up, prolific shoplifter",
    "he threatened to kill her, DV marker on the address",
    "no woman deserves to be beaten, whatever she said",
    "she gets cramps when she is on her period, rang in sick",
    "IP says he tried to strangle her in the kitchen",
    "just shoot her a text to confirm the statement",
    # Work and rights in neutral or supportive wording
    "we need to hire more women into firearms",
    "women should be able to walk home safely at night",
    "no women's toilet on the second floor, use the first",
    "typical Monday, two RTCs before ten",
    "I like my coffee like I like my shifts, short",
]


@pytest.mark.parametrize(("text", "rule"), SHAPES, ids=[rule for _, rule in SHAPES])
def test_each_sexist_shape_is_found_with_characteristic_sex_and_a_reason(text: str, rule: str) -> None:
    found = [f for f in reported(text) if f.rule == rule]
    assert found, [(f.rule, f.confidence.value) for f in reported(text)]
    assert found[0].characteristics == ("sex",)
    assert "(sex)" in found[0].explanation.reason


@pytest.mark.parametrize("text", TRAPS)
def test_ordinary_talk_about_women_and_police_work_stays_quiet(text: str) -> None:
    assert reported(text) == []


@pytest.mark.parametrize(("text", "at", "expected"), [
    ("hang her", 0, True),
    ("lol. hang her", 5, True),
    ("first line\nhang her", 11, True),
    ("went to hang her coat", 8, False),
    ("well, hang her", 6, False),
])
def test_an_imperative_is_read_only_where_a_clause_starts(text: str, at: int, expected: bool) -> None:
    assert starts_clause(text, at) is expected


def test_a_narrower_construction_yields_to_a_general_one_on_the_same_words() -> None:
    found = reported("women are animals, the lot of them")
    assert [f.rule for f in found] == ["DIS-PHRASE-DEHUMANISE"]
    assert found[0].characteristics == ("sex",)


@pytest.mark.parametrize(("options", "problem"), [
    ({"yields_to": ["DIS-PHRASE-NO-SUCH-RULE"]}, "yields_to names no phrase rule: DIS-PHRASE-NO-SUCH-RULE"),
    ({"at_clause_start": "yes"}, "at_clause_start must be true or false"),
])
def test_bad_sexism_options_fail_at_configure_with_the_rule_named(options: dict[str, object], problem: str) -> None:
    rules = load_patterns([default_patterns_dir() / "discriminatory"], include_default=False).rules_for("discriminatory")
    rules = [replace(r, options={**r.options, **options}) if r.id == "DIS-PHRASE-SEXIST-GENERALISE" else r
             for r in rules]
    with pytest.raises(PatternError) as error:
        DiscriminatoryDetector().configure(rules)
    assert error.value.rule == "DIS-PHRASE-SEXIST-GENERALISE"
    assert problem in str(error.value)
