"""Hostile input against careless patterns: a catastrophic regex in a force's own pack must cost one
skipped rule on one message, recorded for the report, never a hung or crashed scan."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from whatsapp_audit.detect.engine import Engine
from whatsapp_audit.detect.imagery.detector import ImageryDetector
from whatsapp_audit.detect.text.guard import RegexTimeout
from whatsapp_audit.errors import PatternError
from whatsapp_audit.model import Attachment, MediaType, Message, MessageKind
from whatsapp_audit.rules.loader import load_patterns
from whatsapp_audit.scan import scan

T0 = datetime(2024, 3, 14, 9, 0)
HOSTILE = "a" * 5000 + "b"  # `(a+)+$` backtracks exponentially on this


def msg(index: int, text: str, attachments: tuple[Attachment, ...] = ()) -> Message:
    kind = MessageKind.MEDIA if attachments else MessageKind.TEXT
    return Message(index=index, line=index + 1, end_line=index + 1, timestamp=T0 + timedelta(minutes=index),
                   header="", author="Kit Arden", text=text, kind=kind, attachments=attachments)


def force_pack(tmp_path: Path, body: str) -> Path:
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "force.toml").write_text(
        '[defaults]\ncategory = "operational_data"\ndetector = "operational"\nguidance = "Force policy."\n\n'
        + body, encoding="utf-8")
    return pack


CATASTROPHIC = '''[[rule]]
id = "FORCE-RUN"
title = "A force pattern written carelessly"
severity = "low"
confidence = "high"
why = "Invented for the test."
[rule.match]
regex = ['(a+)+$']
[rule.examples]
match = ["aaa"]
'''


def test_catastrophic_match_regex_skips_only_that_rule_on_that_message(tmp_path: Path) -> None:
    rules = load_patterns([force_pack(tmp_path, CATASTROPHIC)]).rules
    engine = Engine.build(rules)
    messages = [msg(0, "aaa"), msg(1, HOSTILE), msg(2, "Stopped AB12 CDE on the high street")]
    found = {(f.line, f.rule) for f in engine.run(messages)}
    assert (1, "FORCE-RUN") in found  # the rule still works where it can
    assert (3, "OPS-VRM") in found  # and the scan carries on after the hostile message
    assert not any(line == 2 and rule == "FORCE-RUN" for line, rule in found)
    assert engine.timeouts == (RegexTimeout(2, "FORCE-RUN", "match.regex #1 or allow"),)


def test_catastrophic_prefilter_is_time_limited_too(tmp_path: Path) -> None:
    body = (CATASTROPHIC.replace("regex = ['(a+)+$']", "regex = ['a+b']").replace('match = ["aaa"]', 'match = ["aab"]')
            + '[rule.options]\nprefilter = "(a|a)+$"\n')
    engine = Engine.build(load_patterns([force_pack(tmp_path, body)]).rules)
    assert list(engine.run([msg(0, "a" * 40 + "!")])) == []
    assert engine.timeouts == (RegexTimeout(1, "FORCE-RUN", "options.prefilter"),)


def test_no_timeouts_on_ordinary_chat() -> None:
    engine = Engine.build(load_patterns().rules)
    list(engine.run([msg(0, "Parade at 0700 tomorrow"), msg(1, "Stopped AB12 CDE on the high street")]))
    assert engine.timeouts == ()


def test_scan_of_an_export_with_a_hostile_message_finishes_and_keeps_other_findings(tmp_path: Path) -> None:
    export = tmp_path / "chat.txt"
    export.write_text(
        "14/03/2024, 09:00 - Kit Arden: Morning all\n"
        f"14/03/2024, 09:01 - Kit Arden: {HOSTILE}\n"
        "14/03/2024, 09:02 - Lou Marsh: Stopped AB12 CDE on the high street\n", encoding="utf-8")
    result = scan(export, patterns_dirs=[force_pack(tmp_path, CATASTROPHIC)])
    assert "OPS-VRM" in {item.finding.rule for item in result.findings}


def test_imagery_media_name_regex_timeout_is_recorded_and_the_photo_still_judged() -> None:
    rules = [r for r in load_patterns().rules if r.detector == "imagery"]
    slow = []
    for rule in rules:
        media = rule.options.get("media")
        if media is not None:
            # as a force's own pack would (bundled patterns run without a time limit)
            rule = replace(rule, options={**rule.options, "media": {**media, "screenshot_names": ["(a|a)+$"]}},
                           bundled=False)
        slow.append(rule)
    detector = ImageryDetector()
    detector.configure(slow)
    photo = Attachment("a" * 30 + "!.jpg", MediaType.IMAGE, False)
    assert detector.judged_attachment(msg(4, "", (photo,))) == photo
    assert [(t.line, t.pattern) for t in detector.timeouts] == [(5, "options.media.screenshot_names")]


def test_spacy_regex_in_token_patterns_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "force"
    pack.mkdir()
    base = next(r for r in load_patterns().rules if r.id == "DIS-PHRASE-DEHUMANISE")
    rule = replace(base, id="FORCE-PHRASE", match={"token_patterns": [[{"SLOT": "identity"},
                                                                      {"LOWER": {"REGEX": "^(a+)+$"}}]]})
    engine_rules = [*(r for r in load_patterns().rules if r.detector == "discriminatory"), rule]
    with pytest.raises(PatternError, match="REGEX cannot be time-limited"):
        Engine.build(engine_rules)


def test_a_long_run_of_capitals_costs_no_bundled_rule_and_no_time_out() -> None:
    # OPS-PERSON-DETAILS's prefilter once had two adjacent unbounded repeats: quadratic on this text
    # (about ten seconds). Bundled patterns run without a time limit, so they must be linear.
    engine = Engine.build(load_patterns().rules)
    hostile = msg(6, "1 " + "A" * 40_000 + " Stopped AB12 CDE on the high street")
    found = list(engine.run([hostile, msg(7, "Stopped AB12 CDE on the high street")]))
    assert [(f.line, f.rule) for f in found] == [(7, "OPS-VRM"), (8, "OPS-VRM")]
    assert engine.timeouts == ()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_timeout_reaches_the_report_limitations_and_json(tmp_path: Path, jobs: int) -> None:
    import json

    from whatsapp_audit.report.json_report import report_dict

    folder = tmp_path / "exhibit"
    folder.mkdir()
    chat = folder / "chat.txt"
    chat.write_text(f"14/03/2024, 09:00 - Kit Arden: aaa\n14/03/2024, 09:01 - Kit Arden: {HOSTILE}\n", encoding="utf-8")
    result = scan(chat, patterns_dirs=[force_pack(tmp_path, CATASTROPHIC)], jobs=jobs)
    assert result.timeouts == (RegexTimeout(2, "FORCE-RUN", "match.regex #1 or allow"),)
    assert any("rule FORCE-RUN was not applied to the message on line 2" in note for note in result.limitations)
    report = json.loads(json.dumps(report_dict(result)))
    assert report["regex_timeouts"] == [{"line": 2, "rule": "FORCE-RUN", "pattern": "match.regex #1 or allow", "source": 0}]
