"""The imagery detector holds its accuracy floors on the labelled invented conversations.

Floors (stated here and in the report): recall >= 0.9 on photos beside scene, body or injury talk,
and a false-positive rate <= 0.1 on ordinary photos beside scene-like words. Today: recall 0.94
(15 of 16; the miss is in the hold-out file) and 0 false positives in 28 ordinary photos.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "accuracy_imagery.py"


def test_accuracy_script_meets_the_floors() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--min-recall", "0.9", "--max-false-positive-rate", "0.1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "recall" in run.stdout and "false positives" in run.stdout


def test_accuracy_script_fails_when_a_floor_is_missed(tmp_path: Path) -> None:
    labels = tmp_path / "labels.toml"
    chat = (ROOT / "tests" / "labelled" / "imagery_android_benign.txt").read_text(encoding="utf-8")
    (tmp_path / "benign.txt").write_text(chat, encoding="utf-8")
    # Pretend the gym photo on line 2 were a scene photo: the detector (rightly) misses it.
    labels.write_text('[[chat]]\nfile = "benign.txt"\nflagged = [2]\n'
                      "not_flagged = [3, 6, 8, 11, 14, 16, 18, 19, 23]\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(SCRIPT), "--labels", str(labels), "--min-recall", "0.9"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 1 and "missed" in run.stdout
