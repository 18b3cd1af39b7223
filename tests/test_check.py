"""`whatsapp-audit check`: an officer's private, plain-words answer that writes nothing and never says delete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

CHAT = """\
02/05/2024, 22:00 - Jo Fenn: Evening all
02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE, his mob is 07911 234567
02/05/2024, 22:06 - +44 7700 900123: who's on the van?
02/05/2024, 22:07 - Ned Rowe: stop being a spaz and bring the kit bag
02/05/2024, 22:08 - Jo Fenn: Scunthorpe away on Saturday?
"""
BENIGN = "02/05/2024, 22:00 - Jo Fenn: Evening all\n02/05/2024, 22:01 - Kay Lund: brew?\n"


@pytest.fixture()
def export(write_export) -> Path:
    return write_export(CHAT, "chat.txt")


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def everything(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns) for p in root.rglob("*"))


def test_check_explains_in_plain_words_and_ends_with_next_steps(export: Path, capsys) -> None:
    code, printed, _ = check(capsys, str(export))
    out = " ".join(printed.split())  # the terminal wraps long lines
    assert code == 0  # findings are not an error for an officer checking their own group
    assert "2 messages could be a problem" in out and "(s)" not in out
    assert "This could be seen as sharing police information outside police systems: vehicle registration mark" in out
    assert "This could be seen as discriminatory language about a protected characteristic" in out
    assert "Why it matters:" in out and "Which guidance it touches:" in out
    steps = out.split("What to do next")[1]
    assert "Kay Lund, 02 May 2024 22:05 (line 2)" in out
    for who in ("supervisor", "Professional Standards", "data protection officer"):
        assert who in steps
    assert out.endswith("If you save or copy this output, treat it as sensitive, like the chat itself.")
    assert "(Scunthorpe)" not in out


def test_check_never_advises_deleting_anything(export: Path, tmp_path: Path, capsys) -> None:
    _, with_findings, _ = check(capsys, str(export))
    benign = tmp_path / "benign.txt"
    benign.write_text(BENIGN, encoding="utf-8")
    code, clean, _ = check(capsys, str(benign))
    assert code == 0 and "Nothing in this chat matched" in clean
    for out in (with_findings, clean):
        own_words = "\n".join(line for line in out.splitlines() if not line.startswith("    "))  # not chat lines
        assert not any(word in own_words.lower() for word in ("delete", "remove the", "erase", "wipe", "leave the group"))


def test_check_masks_phone_numbers_in_names_and_messages(export: Path, capsys) -> None:
    out = " ".join(check(capsys, str(export), "--min-confidence", "low", "--context", "2")[1].split())
    assert "07911 234567" not in out and "••••••••567" in out
    assert "7700 900123" not in out and "•••••••••123" in out
    assert "AB12 CDE" in out  # only phone numbers are hidden


def test_check_writes_nothing_anywhere(export: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = everything(tmp_path)
    check(capsys, str(export))
    assert everything(tmp_path) == before
    assert "--output" not in " ".join(os.listdir(work))
    code, _, err = check(capsys, str(export), "--output", "x.txt")
    assert code == 2 and "No such option" in err


def test_check_shows_medium_confidence_and_above_by_default(export: Path, capsys) -> None:
    default = " ".join(check(capsys, str(export))[1].split())
    everything_ = " ".join(check(capsys, str(export), "--min-confidence", "low")[1].split())
    assert "medium confidence or above" in default and "low confidence or above" in everything_
    assert everything_.count("This could be seen") >= default.count("This could be seen")


def test_check_errors_are_one_line_with_the_input_exit_code(tmp_path: Path, capsys) -> None:
    code, _, err = check(capsys, str(tmp_path / "missing.txt"))
    assert code == 3 and err.startswith("whatsapp-audit: error:") and len(err.splitlines()) == 1
