"""Every `[rule.examples]` entry of the discriminatory packs runs against the detector.

The project-wide example test skips detectors that are not registered yet; this one configures
the discriminatory detector directly, so the packs are checked whatever the registry holds.
"""

from __future__ import annotations

from functools import cache

import pytest

from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.examples import ExampleCase, build_example, example_cases
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.rules.optional import choose_model

# choose_model(..., True): the optional model (off by default) is tested on its examples too.
RULES = choose_model(load_patterns([default_patterns_dir() / "discriminatory"], include_default=False),
                     True).rules_for("discriminatory")
CASES = example_cases(RULES)


@cache
def detector() -> DiscriminatoryDetector:
    found = DiscriminatoryDetector()
    found.configure(RULES)
    return found


def test_every_characteristic_has_rules() -> None:
    named = {c for rule in RULES for c in rule.options.get("characteristic", ())}
    assert {"age", "disability", "gender_reassignment", "pregnancy_maternity", "race",
            "religion_or_belief", "sex", "sexual_orientation"} <= named


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_discriminatory_example(case: ExampleCase) -> None:
    message, window = build_example(case.example)
    fired = [finding.rule for finding in detector().detect(message, window)]
    if case.expect:
        assert case.rule.id in fired, f"{case.rule.id} should match example #{case.position}"
    else:
        assert case.rule.id not in fired, f"{case.rule.id} should not match example #{case.position}"
