"""The imagery detector holds its accuracy floors on the labelled invented conversations.

Floors: recall >= 0.9 on photos beside scene, body or injury talk, and a false-positive rate <= 0.1
on ordinary photos beside scene-like words; every photo the detector judges is labelled one way or
the other. `imagery_ios_holdout.txt` was written after tuning: its one miss is expected. The shared
dev set's figures (real public text) come from `scripts/accuracy.py`, outside CI.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from whatsapp_audit import parse
from whatsapp_audit.detect.base import Window
from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.rules.loader import load_patterns

LABELLED = Path(__file__).resolve().parent / "labelled"


def judge(path: Path, detector: ImageryDetector) -> tuple[set[int], set[int]]:
    """Lines the detector reports, and every line it judged, in one invented chat."""
    messages = parse(path).messages
    k = detector.context_size
    reported: set[int] = set()
    judged: set[int] = set()
    for i, message in enumerate(messages):
        if detector.judged_attachment(message) is not None:
            judged.add(message.line)
        window = Window(before=tuple(messages[max(0, i - k):i]), after=tuple(messages[i + 1:i + 1 + k]))
        reported.update(f.line for f in detector.detect(message, window))
    return reported, judged


@pytest.fixture(scope="module")
def outcome() -> dict[str, list[str]]:
    detector = ImageryDetector()
    detector.configure(load_patterns().rules_for("imagery"))
    labels = tomllib.loads((LABELLED / "imagery_labels.toml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {"hit": [], "missed": [], "false": [], "quiet": [], "unlabelled": []}
    for chat in labels["chat"]:
        reported, judged = judge(LABELLED / chat["file"], detector)
        positive, negative = set(chat["flagged"]), set(chat["not_flagged"])
        for line in sorted(judged | positive | negative):
            where = f"{chat['file']}:{line}"
            if line in positive:
                out["hit" if line in reported else "missed"].append(where)
            elif line in negative:
                out["false" if line in reported else "quiet"].append(where)
            else:
                out["unlabelled"].append(where)
    return out


def test_recall_on_scene_photos_is_at_least_0_9(outcome: dict[str, list[str]]) -> None:
    recall = len(outcome["hit"]) / (len(outcome["hit"]) + len(outcome["missed"]))
    assert len(outcome["hit"]) >= 30 and recall >= 0.9, outcome["missed"]


def test_at_most_one_ordinary_photo_in_ten_is_flagged(outcome: dict[str, list[str]]) -> None:
    rate = len(outcome["false"]) / (len(outcome["false"]) + len(outcome["quiet"]))
    assert len(outcome["quiet"]) >= 40 and rate <= 0.1, outcome["false"]


def test_every_judged_photo_is_labelled(outcome: dict[str, list[str]]) -> None:
    assert outcome["unlabelled"] == []
