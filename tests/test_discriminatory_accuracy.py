"""The accuracy script runs on the labelled set and meets the bar that makes the tool trustworthy.

Bar (issue 4): at most 0.5 % of ordinary messages flagged at high confidence. Recall floors
(stated here, reported by the script): 90 % of labelled abuse found at any tier, 80 % at medium or
above, and every protected characteristic in the set found at least 75 % of the time; on the
held-out lines (written after tuning) 85 % at any tier.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def accuracy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("accuracy_discriminatory", ROOT / "scripts" / "accuracy_discriminatory.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(accuracy: ModuleType) -> list:
    return accuracy.run(accuracy.read_rows(accuracy.DEFAULT_LABELLED))


def test_labelled_set_has_at_least_as_many_traps_and_ordinary_lines_as_abuse(results: list) -> None:
    labels = [r.row.label for r in results]
    assert labels.count("trap") + labels.count("ordinary") >= labels.count("abuse") >= 100


def test_high_confidence_flags_at_most_half_a_percent_of_ordinary_messages(accuracy: ModuleType, results: list) -> None:
    assert accuracy.tier_metrics(results, 3)["ordinary_flagged"] <= 0.005


def test_recall_floors(accuracy: ModuleType, results: list) -> None:
    assert accuracy.tier_metrics(results, 1)["recall"] >= 0.90
    assert accuracy.tier_metrics(results, 2)["recall"] >= 0.80
    for name, (rows, recall, _) in accuracy.characteristic_metrics(results, 1).items():
        assert rows and recall >= 0.75, name


def test_held_out_lines_meet_the_same_bar(accuracy: ModuleType) -> None:
    held_out = accuracy.run(accuracy.read_rows(ROOT / "tests" / "labelled" / "discriminatory_holdout.tsv"))
    assert accuracy.tier_metrics(held_out, 3)["ordinary_flagged"] <= 0.005
    assert accuracy.tier_metrics(held_out, 1)["recall"] >= 0.85


def test_report_prints_every_tier_and_characteristic(accuracy: ModuleType, results: list) -> None:
    text = accuracy.report(results)
    for word in ("low", "medium", "high", "race", "sexual_orientation", "ordinary", "P@1%"):
        assert word in text
