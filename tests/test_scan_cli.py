"""`whatsapp-audit scan`, `rules` and `patterns validate` as a user runs them; `scan()` as a library."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_shapes import RENDERERS

import whatsapp_audit
from whatsapp_audit.cli.app import cli, main
from whatsapp_audit.report.json_report import report_dict

ANDROID = """\
14/03/2024, 09:00 - Dave Harlow: Morning all, briefing at 0700 tomorrow
14/03/2024, 09:01 - Priya Lanham: Stop check on AB12 CDE outside the Co-op
14/03/2024, 09:02 - Dave Harlow: Victim's mob is 07911 234567, ring her after 10
14/03/2024, 09:03 - Dave Harlow: M25 rammed again, 3-1 last night [bold]not markup[/bold]
14/03/2024, 09:05 - Priya Lanham: Crime ref 4521/14Mar
warrant address is SW1A 1AA
"""

IOS = """\
[14/03/2024, 09:00:00] Dave Harlow: Morning all, briefing at 0700 tomorrow
[14/03/2024, 09:01:00] Priya Lanham: Stop check on AB12 CDE outside the Co-op
[14/03/2024, 09:02:00] Dave Harlow: Victim's mob is 07911 234567, ring her after 10
"""

BENIGN = """\
14/03/2024, 09:00 - Dave Harlow: Morning all, briefing at 0700 tomorrow
14/03/2024, 09:01 - Priya Lanham: Who's on the van? M25 was rammed again
14/03/2024, 09:02 - Dave Harlow: Lost 3-1, the ref was shocking
"""

FORCE_PACK = """\
[defaults]
category = "operational_data"
detector = "operational"
guidance = "Force radio policy."

[[rule]]
id = "FRC-CALLSIGN"
title = "Force call sign"
severity = "high"
confidence = "high"
why = "Call signs identify a unit on duty."
[rule.match]
regex = ['\\bKILO\\d{2}\\b']
[rule.examples]
match = ["KILO12 to attend"]
no_match = ["kilo of flour"]
"""


def invoke(*args: str):
    """Run the CLI like the console script does (errors become one line and an exit code)."""
    runner = CliRunner()
    return runner.invoke(cli, list(args), standalone_mode=False, catch_exceptions=True)


def exit_code(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def evidence(write_export) -> Path:
    return write_export(ANDROID, "WhatsApp Chat with Team.txt")


def test_json_report_shape(evidence: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = exit_code("scan", str(evidence), "--format", "json", capsys=capsys)
    report = json.loads(out)
    assert code == 1
    assert report["schema_version"] == "1"
    assert report["tool"]["name"] == "whatsapp-audit"
    assert all(len(f["sha256"]) == 64 for f in report["patterns"]["files"])
    assert any(f["path"] == "operational/vehicles.toml" for f in report["patterns"]["files"])
    assert report["source"]["sha256"] and report["source"]["size"] == evidence.stat().st_size
    assert report["coverage"]["accounted"] is True
    rules = [f["rule"] for f in report["findings"]]
    assert rules == ["OPS-VRM", "OPS-PHONE", "OPS-CRIME-REF", "OPS-POSTCODE"]
    lines = [f["line"] for f in report["findings"]]
    assert lines == sorted(lines) and lines[-1] == 5  # the first line of a two-line message
    plate = report["findings"][0]
    assert plate["author"] == "Priya Lanham" and plate["timestamp"] == "2024-03-14T09:01:00"
    assert plate["category"] == "operational_data" and plate["severity"] == "medium"
    assert plate["matched"] == "AB12 CDE" and (plate["start"], plate["end"]) == (14, 22)
    assert set(plate["explanation"]) >= {"reason", "pattern", "validator", "context_words", "adjustments"}
    assert report["summary"]["by_category"]["operational_data"] == 4
    assert report["summary"]["by_rule"]["OPS-VRM"] == 1


def test_report_is_identical_between_runs_apart_from_generated_at(evidence: Path, capsys) -> None:
    _, first, _ = exit_code("scan", str(evidence), "--format", "json", capsys=capsys)
    _, second, _ = exit_code("scan", str(evidence), "--format", "json", capsys=capsys)
    one, two = json.loads(first), json.loads(second)
    one.pop("generated_at"), two.pop("generated_at")
    assert one == two


def test_fingerprints_survive_a_re_export_with_shifted_lines(tmp_path: Path) -> None:
    first = tmp_path / "a" / "chat.txt"
    second = tmp_path / "b" / "chat.txt"
    first.parent.mkdir(), second.parent.mkdir()
    first.write_text(ANDROID, encoding="utf-8")
    earlier = "13/03/2024, 22:00 - Dave Harlow: night all\n13/03/2024, 22:01 - Priya Lanham: night\nsleep well\n"
    second.write_text(earlier + ANDROID, encoding="utf-8")
    a, b = whatsapp_audit.scan(first), whatsapp_audit.scan(second)
    assert [f.id for f in a.findings] == [f.id for f in b.findings]
    assert [f.finding.line + 3 for f in a.findings] == [f.finding.line for f in b.findings]
    assert len({f.id for f in a.findings}) == len(a.findings)


def test_ios_export_and_zip_export_give_the_same_findings(tmp_path: Path) -> None:
    ios = tmp_path / "ios" / "_chat.txt"
    ios.parent.mkdir()
    ios.write_text(IOS, encoding="utf-8")
    archive = tmp_path / "zip" / "WhatsApp Chat - Team.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("_chat.txt", IOS)
    from_txt, from_zip = whatsapp_audit.scan(ios), whatsapp_audit.scan(archive)
    assert [f.finding.rule for f in from_txt.findings] == ["OPS-VRM", "OPS-PHONE"]
    assert [f.id for f in from_txt.findings] == [f.id for f in from_zip.findings]
    assert from_zip.source.container == "zip"


def test_exit_codes_follow_fail_on(evidence: Path, tmp_path: Path, capsys) -> None:
    assert exit_code("scan", str(evidence), capsys=capsys)[0] == 1
    assert exit_code("scan", str(evidence), "--fail-on", "never", capsys=capsys)[0] == 0
    assert exit_code("scan", str(evidence), "--fail-on", "high", capsys=capsys)[0] == 0  # all medium
    benign = tmp_path / "benign.txt"
    benign.write_text(BENIGN, encoding="utf-8")
    code, out, _ = exit_code("scan", str(benign), capsys=capsys)
    assert code == 0 and "0 findings in 3 messages" in out


def test_text_listing_shows_chat_text_literally(evidence: Path, capsys) -> None:
    rich_markup = evidence.with_name("markup.txt")
    rich_markup.write_text("14/03/2024, 09:00 - [red]Boss[/red]: ring 07911 234567\n", encoding="utf-8")
    code, out, _ = exit_code("scan", str(rich_markup), capsys=capsys)
    assert code == 1 and "[red]Boss[/red]" in out and "OPS-PHONE" in out


def test_output_inside_the_exhibit_folder_is_refused(evidence: Path, capsys) -> None:
    code, _, err = exit_code("scan", str(evidence), "--output", str(evidence.parent / "report.json"), capsys=capsys)
    assert code == 2 and "refusing to write" in err
    assert sorted(p.name for p in evidence.parent.iterdir()) == [evidence.name]


def test_output_elsewhere_is_written(evidence: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out" / "findings.json"
    target.parent.mkdir()
    code, _, _ = exit_code("scan", str(evidence), "--format", "json", "-o", str(target), capsys=capsys)
    assert code == 1 and json.loads(target.read_text(encoding="utf-8"))["summary"]["findings"] == 4


def test_missing_export_is_an_input_error(tmp_path: Path, capsys) -> None:
    code, _, err = exit_code("scan", str(tmp_path / "nope.txt"), capsys=capsys)
    assert code == 3 and err.startswith("whatsapp-audit: error:")


def test_force_pack_adds_rules_and_is_recorded(evidence: Path, tmp_path: Path, capsys) -> None:
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "radio.toml").write_text(FORCE_PACK, encoding="utf-8")
    chat = evidence.with_name("radio.txt")
    chat.write_text("14/03/2024, 09:00 - Dave Harlow: KILO12 to attend\n", encoding="utf-8")
    code, out, _ = exit_code("scan", str(chat), "--format", "json", "--patterns", str(pack), capsys=capsys)
    report = json.loads(out)
    assert code == 1 and [f["rule"] for f in report["findings"]] == ["FRC-CALLSIGN"]
    assert any(f["origin"] == str(pack) and f["rules"] == ["FRC-CALLSIGN"] for f in report["patterns"]["files"])


def test_invalid_force_pack_exits_2_naming_file_and_line(evidence: Path, tmp_path: Path, capsys) -> None:
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "radio.toml").write_text(FORCE_PACK.replace('severity = "high"', 'severity = "huge"'), encoding="utf-8")
    code, _, err = exit_code("scan", str(evidence), "--patterns", str(pack), capsys=capsys)
    assert code == 2 and "radio.toml:9: rule FRC-CALLSIGN:" in err


def test_rules_lists_and_explains(capsys) -> None:
    code, out, _ = exit_code("rules", capsys=capsys)
    assert code == 0 and "OPS-VRM" in out and "OPS-PNC" in out
    code, out, _ = exit_code("rules", "OPS-PNC", capsys=capsys)
    words = " ".join(out.split())  # the terminal may wrap long lines
    assert code == 0 and "Why it matters" in words and "16/412387P" in words and "Code of Ethics" in words
    code, out, _ = exit_code("rules", "--format", "json", "--category", "operational_data", capsys=capsys)
    assert {r["category"] for r in json.loads(out)} == {"operational_data"}
    code, _, err = exit_code("rules", "OPS-NOPE", capsys=capsys)
    assert code == 2 and "no rule with id" in err
    code, _, err = exit_code("rules", "ops-vrn", capsys=capsys)
    assert code == 2 and "no rule with id 'ops-vrn'; did you mean OPS-VRM" in err


def test_rules_piped_to_another_program_gives_every_rule_whole(capsys) -> None:
    """`rules | grep`: one tab-separated line per rule, the id and title never cut short."""
    _, listed, _ = exit_code("rules", "--format", "json", capsys=capsys)
    code, out, _ = exit_code("rules", capsys=capsys)  # captured: not a terminal
    assert code == 0
    expected = ["\t".join((r["id"], r["category"], r["severity"], r["confidence"], r["title"])) for r in json.loads(listed)]
    assert out.splitlines() == expected and len(expected) > 50
    assert "…" not in out


def test_patterns_validate(tmp_path: Path, capsys) -> None:
    code, out, _ = exit_code("patterns", "validate", capsys=capsys)
    assert code == 0 and re.search(r"^[\d,]+ rules in [\d,]+ files; [\d,]+ examples pass$", out, re.M)
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "radio.toml").write_text(FORCE_PACK.replace('no_match = ["kilo of flour"]', 'no_match = ["KILO99 spare"]'),
                                     encoding="utf-8")
    code, _, err = exit_code("patterns", "validate", str(pack), capsys=capsys)
    assert code == 2 and "rule FRC-CALLSIGN: examples.no_match #1 fired" in err
    (pack / "radio.toml").write_text(FORCE_PACK.replace('detector = "operational"', 'detector = "radio"'), encoding="utf-8")
    code, _, err = exit_code("patterns", "validate", str(pack), capsys=capsys)
    assert code == 0 and "no detector named radio" in err


def test_patterns_validate_lists_every_problem_not_only_the_first(tmp_path: Path, capsys) -> None:
    """A force editing its pack fixes everything in one pass: each bad file, rule and example is named."""
    pack = tmp_path / "force"
    pack.mkdir()
    (pack / "a-broken.toml").write_text("[[rule]\nid = 1\n", encoding="utf-8")
    rules = FORCE_PACK.replace('no_match = ["kilo of flour"]', 'no_match = ["KILO99 spare"]') + """
[[rule]]
id = "FRC-BADREGEX"
title = "Bad regex"
severity = "high"
confidence = "high"
why = "x"
[rule.match]
regex = ['(unclosed']

[[rule]]
id = "OPS-VRM"
title = "A second plate rule"
severity = "high"
confidence = "high"
why = "x"
[rule.match]
regex = ['\\bPLATE\\b']
[rule.examples]
match = ["PLATE here"]
"""
    (pack / "b-radio.toml").write_text(rules, encoding="utf-8")
    code, out, err = exit_code("patterns", "validate", str(pack), capsys=capsys)
    assert code == 2
    assert "a-broken.toml:1: invalid TOML" in err
    assert "b-radio.toml" in err and "rule FRC-BADREGEX:" in err
    assert "rule OPS-VRM: duplicate rule id, already defined in" in err
    assert "rule FRC-CALLSIGN: examples.no_match #1 fired" in err
    assert "3 invalid files or rules and 1 failed example (listed above)" in err  # TOML, regex, duplicate
    assert re.search(r"^bad \S+b-radio\.toml  2 rules ", out, re.M) and re.search(r"^ok  bundled:", out, re.M)


def test_library_scan_matches_the_cli(evidence: Path) -> None:
    result = whatsapp_audit.scan(evidence)
    assert [f.finding.rule for f in result.findings] == ["OPS-VRM", "OPS-PHONE", "OPS-CRIME-REF", "OPS-POSTCODE"]
    assert result.counts.findings == 4 and result.counts.messages == 5


def test_click_runner_help() -> None:
    result = invoke("scan", "--help")
    assert "--fail-on" in result.output and "--patterns" in result.output


def test_library_report_equals_the_cli_json(evidence: Path, capsys) -> None:
    _, out, _ = exit_code("scan", str(evidence), "--format", "json", capsys=capsys)
    printed = json.loads(out)
    library = report_dict(whatsapp_audit.scan(evidence))
    printed.pop("generated_at"), library.pop("generated_at")
    assert json.loads(json.dumps(library)) == printed


SHAPED_BODIES = [
    ("Dave Harlow", "Morning all, parade at 0700, van 3 crewed"),
    ("Priya Lanham", "Stop check on AB12 CDE outside the Co-op"),
    ("Dave Harlow", "Victim's mob is 07911 234567\nwarrant address SW1A 1AA"),
    ("Priya Lanham", "Lost 3-1 again, the ref was shocking"),
]


@pytest.mark.parametrize("shape", sorted(RENDERERS))
def test_every_export_shape_gives_the_same_findings(shape: str, tmp_path: Path) -> None:
    render, order, _ = RENDERERS[shape]
    when = datetime(2024, 3, 14, 9, 0)
    lines = [render(when + timedelta(minutes=n)) + f"{author}: {body}" for n, (author, body) in enumerate(SHAPED_BODIES)]
    chat = tmp_path / "chat.txt"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = whatsapp_audit.scan(chat, date_order=order)
    assert [(f.finding.rule, f.finding.line, f.author) for f in result.findings] == [
        ("OPS-VRM", 2, "Priya Lanham"), ("OPS-PHONE", 3, "Dave Harlow"), ("OPS-POSTCODE", 3, "Dave Harlow"),
    ]
