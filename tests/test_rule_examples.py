"""Every example in every pattern pack runs as a test (`[rule.examples]` match / no_match).

Picks up rules of any registered detector automatically; rules whose detector is not registered
yet are reported as skipped, so a pack can land before its detector.
"""

from __future__ import annotations

from functools import cache

import pytest

from whatsapp_audit.detect.base import Detector
from whatsapp_audit.detect.nlp import load_nlp
from whatsapp_audit.detect.registry import create_detectors
from whatsapp_audit.rules.examples import ExampleCase, build_example, example_cases
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.rules.optional import choose_model

PATTERNS = choose_model(load_patterns(), True)  # an optional model (off by default) is tested too
CASES = example_cases(PATTERNS.rules)


@cache
def configured() -> dict[str, Detector]:
    detectors = {detector.name: detector for detector in create_detectors()}
    if any(detector.needs_tokens for detector in detectors.values()):
        load_nlp()
    for name, detector in detectors.items():
        detector.configure(PATTERNS.rules_for(name))
    return detectors


def test_every_rule_has_examples() -> None:
    assert CASES, "no rule examples found"
    assert all(rule.examples_match for rule in PATTERNS.rules)


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_rule_example(case: ExampleCase) -> None:
    detector = configured().get(case.rule.detector)
    if detector is None:
        pytest.skip(f"no detector named {case.rule.detector} is registered")
    message, window = build_example(case.example)
    fired = [finding.rule for finding in detector.detect(message, window)]
    if case.expect:
        assert case.rule.id in fired, f"{case.rule.id} should match example #{case.position}"
    else:
        assert case.rule.id not in fired, f"{case.rule.id} should not match example #{case.position}"
