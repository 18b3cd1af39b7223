"""Issue 13 precision pass: constructions that were weak evidence on their own go to review, not away.

Chosen from the per-rule table of scripts/dev_hate_rules.py on the training splits. Each pair is a
positive that must still be shown (medium or above) and a look-alike that is now below medium; a
demoted hit must still be there at low for an investigator who asks for the review tier.
Every line is invented in the shapes the table pointed at (no dev-set text).
CONTENT WARNING: the positive cases are invented abusive chat lines; they are test data only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from discriminatory_detector import reported as shown
from discriminatory_detector import scan

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Confidence, Message, MessageKind
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns

# (positive still shown, look-alike now below medium, the rule it was shown by, still there at low?)
# A demoted rule keeps the hit for review; a stricter one no longer matches the look-alike at all.
# fmt: off
PAIRS = [
    # DIS-PHRASE-THREAT aimed at women (options.review = ["sex"]): someone else's violence, reported,
    # goes to review; the writer's own threat or call is kept by the woman-specific rules.
    ("I want to kill every woman on this relief",
     "the cult leader ordered his followers to kill the women in the compound", "DIS-PHRASE-THREAT", True),
    ("rape all women, they're asking for it",
     "the gang went on to rape some women in the next village, the book says nothing of it after",
     "DIS-PHRASE-THREAT", True),
    # DIS-PHRASE-GENERALISE / -DEHUMANISE: "those particular ..." picks some people out, not the group
    ("albanians are all liars, every one of them",
     "those particular albanians are all liars, the two from the car wash", "DIS-PHRASE-GENERALISE", False),
    ("albanians are animals",
     "that particular albanians are animals line from the defence was ruled out", "DIS-PHRASE-DEHUMANISE", False),
    # DIS-PHRASE-WITHDRAW: immigration status, not who people are (as -GOBACK and -THREAT)
    ("stop housing refugees in hotels, they're all scroungers",
     "stop funding illegal immigrants and sort the border out", "DIS-PHRASE-WITHDRAW", True),
    # DIS-PHRASE-SEXUAL-VIOLENCE: "the" names no woman
    ("grab her tits when she walks past lol",
     "grab the breasts and thighs out of the freezer for the bbq", "DIS-PHRASE-SEXUAL-VIOLENCE", False),
]
# fmt: on


@pytest.mark.parametrize(("positive", "look_alike", "rule", "kept"), PAIRS, ids=[p[1][:30] for p in PAIRS])
def test_the_positive_is_shown_and_the_look_alike_is_not(positive: str, look_alike: str, rule: str,
                                                         kept: bool) -> None:
    assert shown(positive), positive
    assert not shown(look_alike), [(f.rule, f.confidence, f.explanation.reason) for f in shown(look_alike)]
    assert any(f.rule == rule for f in scan(look_alike)) is kept


def test_a_threat_read_about_women_is_kept_for_review_with_its_reason() -> None:
    (finding,) = [f for f in scan("the cult leader ordered his followers to kill the women in the compound")
                  if f.rule == "DIS-PHRASE-THREAT"]
    assert finding.confidence is Confidence.LOW
    assert "kept for review" in finding.explanation.reason
    assert finding.characteristics == ("sex",)


def test_a_threat_against_another_group_is_not_demoted() -> None:
    (finding,) = [f for f in scan("the lads should go out and kill the muslims") if f.rule == "DIS-PHRASE-THREAT"]
    assert finding.confidence.rank >= Confidence.MEDIUM.rank
    assert "kept for review" not in finding.explanation.reason


RULES = load_patterns([default_patterns_dir() / "discriminatory"], include_default=False).rules_for("discriminatory")


def _with_review(value: object) -> list[Rule]:
    return [replace(r, options={**r.options, "review": value}) if r.id == "DIS-PHRASE-HATE" else r for r in RULES]


@pytest.mark.parametrize("value", ["yes", ["sex", "colour"], [], 1])
def test_a_bad_review_option_fails_at_configure_with_the_rule_named(value: object) -> None:
    with pytest.raises(PatternError, match=r"DIS-PHRASE-HATE.*options\.review"):
        DiscriminatoryDetector().configure(_with_review(value))


def test_review_true_sends_every_hit_of_the_rule_to_low() -> None:
    detector = DiscriminatoryDetector()
    detector.configure(_with_review(True))
    message = Message(0, 1, 1, datetime(2024, 3, 14, 22, 0), "h", "Kit Arden", "I fucking hate muslims", MessageKind.TEXT)
    (finding,) = [f for f in detector.detect(message, Window()) if f.rule == "DIS-PHRASE-HATE"]
    assert finding.confidence is Confidence.LOW
