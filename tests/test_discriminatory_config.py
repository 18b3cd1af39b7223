"""Pattern-file mistakes fail at configure time with the rule named; rule-level tuning works.

A force edits these TOML files by hand, so every mistake must stop the scan with the file, line and
rule, never silently change what is found.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from whatsapp_audit.detect.base import Rule, Window
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Message, MessageKind
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns

RULES = load_patterns([default_patterns_dir() / "discriminatory"], include_default=False).rules_for("discriminatory")


def msg(text: str) -> Message:
    return Message(index=0, line=1, end_line=1, timestamp=datetime(2024, 3, 14, 9, 0), header="",
                   author="PC Example", text=text, kind=MessageKind.TEXT)


def score_of(rules: list[Rule], text: str) -> tuple[float, tuple[str, ...]]:
    found = DiscriminatoryDetector()
    found.configure(rules)
    (finding,) = found.detect(msg(text), Window())
    return finding.score, finding.explanation.context_words


def _rule(**options: object) -> Rule:
    base = next(r for r in RULES if r.id == "DIS-RACE-PAKI")
    return replace(base, options={**base.options, **options})


@pytest.mark.parametrize(("options", "problem"), [
    ({"canonical": "muslims"}, "identity word"),
    ({"abusive_rate": 5}, "abusive_rate"),
    ({"characteristic": ["colour"]}, "characteristic"),
    ({"match_mode": "substring"}, "substring"),
    ({"exceptions": ["no star here"]}, "exception"),
    ({"attribution": ""}, "attribution"),
])
def test_bad_lexicon_entries_fail_at_configure_with_the_rule_named(options: dict[str, object], problem: str) -> None:
    vocabulary_carrier = next(r for r in RULES if r.id == "DIS-INSULT-GAY")  # carries the identity lexicon
    with pytest.raises(PatternError) as error:
        DiscriminatoryDetector().configure([vocabulary_carrier, _rule(**options)])
    assert error.value.rule == "DIS-RACE-PAKI"
    assert problem in str(error.value)


@pytest.mark.parametrize(("pattern", "problem"), [
    ([{"SLOT": "nationality"}], "unknown SLOT"),
    ([{"LOWER": {"IN": ["are", "is"]}, "OP": "?"}, {"IS_PUNCT": True}], "required token"),
])
def test_bad_phrase_patterns_fail_at_configure(pattern: list[dict[str, object]], problem: str) -> None:
    base = next(r for r in RULES if r.id == "DIS-PHRASE-GOBACK")
    with pytest.raises(PatternError, match=problem) as error:
        DiscriminatoryDetector().configure([replace(base, match={"token_patterns": [pattern]})])
    assert error.value.rule == "DIS-PHRASE-GOBACK"


def test_an_invalid_token_pattern_in_a_forces_pack_fails_at_configure() -> None:
    base = next(r for r in RULES if r.id == "DIS-PHRASE-GOBACK")
    options = {k: v for k, v in base.options.items() if k != "yields_to"}  # configured alone: no rule to yield to
    bad = replace(base, bundled=False, options=options,
                  match={"token_patterns": [[{"LOWER": "go"}, {"LOWER": {"FOO": ["back"]}}]]})
    with pytest.raises(PatternError, match="invalid token pattern") as error:
        DiscriminatoryDetector().configure([bad])
    assert error.value.rule == "DIS-PHRASE-GOBACK"


def test_the_bundled_token_patterns_are_valid() -> None:
    """A scan with the bundled packs alone compiles them only when a message first needs tokens,
    so they are checked here instead."""
    detector = DiscriminatoryDetector()
    detector.configure(load_patterns().rules_for("discriminatory"))
    detector._phrases.validate(bundled_too=True)
    assert detector._phrases._matchers


def test_a_rules_own_context_words_raise_or_lower_its_score() -> None:
    text = "the pakis from the shop"
    plain, _ = score_of(list(RULES), text)
    tuned = [replace(r, context={"boost": [{"word": "shop", "weight": 0.2}]}) if r.id == "DIS-RACE-PAKI" else r
             for r in RULES]
    lowered = [replace(r, context={"reduce": ["shop"]}) if r.id == "DIS-RACE-PAKI" else r for r in RULES]
    boosted, words = score_of(tuned, text)
    assert boosted == pytest.approx(plain + 0.2) and "shop" in words
    reduced, words = score_of(lowered, text)
    assert reduced == pytest.approx(plain - 0.3) and "shop" in words


def test_an_allowlisted_name_may_not_hide_a_term() -> None:
    carrier = next(r for r in RULES if "vocabulary" in r.options)
    vocabulary = {**carrier.options["vocabulary"], "allow": {"places": ["Paki"]}}
    changed = replace(carrier, options={**carrier.options, "vocabulary": vocabulary})
    paki = next(r for r in RULES if r.id == "DIS-RACE-PAKI")
    with pytest.raises(PatternError, match="allowlisted"):
        DiscriminatoryDetector().configure([changed, paki])


def test_a_rule_of_unknown_shape_is_rejected() -> None:
    odd = replace(_rule(), options={}, match={})
    with pytest.raises(PatternError, match="canonical"):
        DiscriminatoryDetector().configure([odd])
