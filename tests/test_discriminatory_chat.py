"""A realistic group chat, end to end: parsed export -> engine with every detector -> findings.

What a new user sees: every kind of abuse found and explained, the traps and banter left alone,
and the findings in the same stream as the other detectors' (category `discriminatory_language`).
CONTENT WARNING: the chat below is invented and contains abusive lines written for this test.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from whatsapp_audit import parse
from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.registry import DETECTORS
from whatsapp_audit.model import Category, Confidence, Finding
from whatsapp_audit.rules.loader import load_patterns

ENTRY = "whatsapp_audit.detect.discriminatory:DiscriminatoryDetector"

CHAT = """\
02/03/2024, 21:58 - Sgt Ria Vale created group "C Relief Nights"
02/03/2024, 22:01 - Tom Ashby: Evening all, briefing in 10
02/03/2024, 22:05 - Dan Pryce: anyone fancy a fag before we go out
02/03/2024, 22:30 - Dan Pryce: job on the estate, the usual pikeys nicking lead again
02/03/2024, 22:45 - Dan Pryce: shut up you p4ki
02/03/2024, 22:45 - Mo Qadir: mate not having that word in here, seriously
02/03/2024, 23:10 - Lee Stott: new PCSO on A relief is a bloke in a dress lol
02/03/2024, 23:40 - Lee Stott: 🏳️‍🌈🤮
03/03/2024, 01:02 - Dan Pryce: driver was a proper f a g g o t, kept crying
03/03/2024, 01:30 - Mo Qadir: IP says the suspect called her a n*gger twice, can we crime it as racially aggravated?
03/03/2024, 02:10 - Lee Stott: immigrants are all just vermin tbh
03/03/2024, 03:00 - Sgt Ria Vale: Scunthorpe lot want the file for the Penistone job
03/03/2024, 03:05 - Tom Ashby: Dick Van Dyke is on telly if anyone is back at the nick
03/03/2024, 04:40 - Dan Pryce: Jess only got promoted because she's a woman
03/03/2024, 05:55 - Sgt Ria Vale: Good shift all, get home safe
"""


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    path: Path = tmp_path_factory.mktemp("chat") / "WhatsApp Chat with C Relief Nights.txt"
    path.write_text(CHAT, encoding="utf-8")
    entries = DETECTORS if ENTRY in DETECTORS else (*DETECTORS, ENTRY)
    engine = Engine.build(load_patterns().rules, entries)
    return [f for f in engine.run(parse(path).messages) if f.category is Category.DISCRIMINATORY_LANGUAGE]


def test_every_kind_of_abuse_in_the_chat_is_found(findings: list[Finding]) -> None:
    assert [(f.line, f.rule) for f in findings] == [
        (4, "DIS-RACE-PIKEY"),
        (5, "DIS-RACE-PAKI"),
        (7, "DIS-PHRASE-TRANSPHOBIA"),
        (8, "DIS-EMOJI-DISGUST"),
        (9, "DIS-SO-FAGGOT"),
        (10, "DIS-RACE-NWORD"),
        (11, "DIS-PHRASE-DEHUMANISE"),
        (14, "DIS-PHRASE-MISOGYNY"),
    ]


def test_each_hit_is_explained_and_tiered(findings: list[Finding]) -> None:
    by_rule = {f.rule: f for f in findings}
    assert by_rule["DIS-RACE-PAKI"].confidence is Confidence.HIGH  # a sure slur, aimed at someone
    assert by_rule["DIS-RACE-NWORD"].confidence is Confidence.LOW  # reported by the officer taking the crime
    assert dict(by_rule["DIS-RACE-NWORD"].explanation.details)["label"] == "quoted/reported"
    assert dict(by_rule["DIS-SO-FAGGOT"].explanation.details)["transformations"] == "spacing"
    for finding in findings:
        assert finding.explanation.reason and "\n" not in finding.explanation.reason
        assert dict(finding.explanation.details)["characteristic"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    from whatsapp_audit.cli.app import main

    main([*args, "--no-progress"])
    return capsys.readouterr().out


def test_every_report_names_the_protected_characteristic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "exhibit" / "WhatsApp Chat with C Relief Nights.txt"
    path.parent.mkdir()
    path.write_text(CHAT, encoding="utf-8")
    report = json.loads(_run(capsys, "scan", str(path), "--format", "json"))
    by_line = {f["line"]: f for f in report["findings"] if f["category"] == "discriminatory_language"}
    assert by_line[5]["characteristic"] == ["race"]  # "shut up you p4ki"
    assert by_line[7]["characteristic"] == ["gender_reassignment"]  # "a bloke in a dress"
    assert by_line[14]["characteristic"] == ["sex"]  # "only got promoted because she's a woman"
    assert all(f["characteristic"] == [] for f in report["findings"] if f["category"] != "discriminatory_language")
    rows = list(csv.DictReader(io.StringIO(_run(capsys, "scan", str(path), "--format", "csv").lstrip("\ufeff"))))
    assert {r["characteristic"] for r in rows if r["line"] == "5"} == {"race"}
    sarif = json.loads(_run(capsys, "scan", str(path), "--format", "sarif"))
    assert any(r["properties"]["characteristic"] == ["race"] for r in sarif["runs"][0]["results"])
    assert "concerns: race (protected characteristic)" in _run(capsys, "scan", str(path), "--format", "text")
    assert "<dt>Characteristic</dt><dd>gender reassignment</dd>" in _run(capsys, "scan", str(path), "--format", "html")
    assert "Protected characteristic: sex" in _run(capsys, "check", str(path))
