"""The bundled discriminatory detector on one invented message, shared by its test files."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.discriminatory.detector import DiscriminatoryDetector
from whatsapp_audit.model import Confidence, Finding, Message, MessageKind
from whatsapp_audit.resources import default_patterns_dir
from whatsapp_audit.rules.loader import load_patterns


@cache
def detector() -> DiscriminatoryDetector:
    """Built once per test run: only the bundled discriminatory pack."""
    found = DiscriminatoryDetector()
    found.configure(load_patterns([default_patterns_dir() / "discriminatory"],
                                  include_default=False).rules_for("discriminatory"))
    return found


def scan(text: str) -> list[Finding]:
    """Every finding on `text` sent as one message, at every confidence."""
    message = Message(0, 1, 1, datetime(2024, 3, 14, 22, 0), "h", "Kit Arden", text, MessageKind.TEXT)
    return list(detector().detect(message, Window()))


def reported(text: str) -> list[Finding]:
    """Findings a user sees by default (`check` shows medium and above)."""
    return [f for f in scan(text) if f.confidence.rank >= Confidence.MEDIUM.rank]


def assert_found_and_twin_quiet(text: str, characteristic: str, twin: str) -> None:
    """`text` is reported, with `characteristic` and a reason, and its look-alike `twin` (the same shape
    without the protected group) is not: the check every shape table of the detector's tests makes."""
    found = reported(text)
    assert found, f"missed: {text!r}"
    assert any(characteristic in f.characteristics for f in found), [(f.rule, f.characteristics) for f in found]
    assert all(f.explanation.reason for f in found)
    assert reported(twin) == [], f"false alarm on the twin {twin!r}: {[f.rule for f in reported(twin)]}"


def assert_quiet(text: str) -> None:
    """Nothing on `text` reaches the report (`check`'s medium and above); the failure names the rules."""
    found = reported(text)
    assert found == [], [(f.rule, f.matched) for f in found]


def assert_kept_for_review(text: str, rule: str) -> None:
    """`rule` keeps `text` as a lead (low: in the JSON, not in `check`) and nothing reports it."""
    assert_quiet(text)
    assert any(f.rule == rule for f in scan(text)), f"{rule} dropped {text!r} instead of keeping it for review"
