"""A search narrowed to the allegation: only the rules and the messages asked for, findings identical
to a full search's within the bounds, context left intact, and the extent recorded in every output."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from whatsapp_audit.cli.app import main
from whatsapp_audit.fingerprint import comparable_text, portable_fingerprint
from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Message, MessageKind, Severity
from whatsapp_audit.scan import scan
from whatsapp_audit.scope import SearchScope, author_matches

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

NBSP, LRE, PDF = "\u00a0", "\u202a", "\u202c"
CHAT = f"""\
10/04/2024, 22:00 - Priya Lanham: Anyone near the retail park? Stopped KM19 TOV there
10/04/2024, 22:01 - ~{NBSP}Ana Duarte: Victim's mob is 07911 234567, ring her after ten
10/04/2024, 22:02 - {LRE}+44{NBSP}7911{NBSP}555000{PDF}: Those immigrants are vermin, the lot of them
11/04/2024, 07:30 - Priya Lanham: Morning. Crime ref 4521/11Apr for the van job
12/04/2024, 09:15 - ~{NBSP}Ana Duarte: Plate was YR70 BDX on the second car
"""


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def exhibit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exhibit") / "chat.txt"
    path.write_text(CHAT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def full(exhibit: Path) -> dict[str, Any]:
    code = main(["scan", str(exhibit), "--format", "json", "--no-progress", "--output", str(exhibit.parent.parent / "full.json")])
    assert code == 1
    return json.loads((exhibit.parent.parent / "full.json").read_text(encoding="utf-8"))


def narrowed(exhibit: Path, capsys: pytest.CaptureFixture[str], *options: str) -> dict[str, Any]:
    code, out, err = run("scan", str(exhibit), "--format", "json", "--no-progress", *options, capsys=capsys)
    assert code in (0, 1), err
    return json.loads(out)


def rules(report: dict[str, Any]) -> list[str]:
    return [f["rule"] for f in report["findings"]]


def unnumbered(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings without `number`, their place in their own report (a narrowed report has fewer)."""
    return [{k: v for k, v in f.items() if k != "number"} for f in findings]


def test_the_full_chat_has_findings_of_every_person_and_two_categories(full) -> None:
    assert {f["author_display"] for f in full["findings"]} == {"Priya Lanham", "Ana Duarte", "+44 7911 555000"}
    assert {f["category"] for f in full["findings"]} == {"operational_data", "discriminatory_language"}
    assert full["search"]["narrowed"] is False and full["search"]["rules_not_searched"] == []


def test_rules_narrow_the_findings_kept_not_what_a_rule_finds(exhibit, full, capsys) -> None:
    plates = narrowed(exhibit, capsys, "--rule", "ops-vrm*")
    assert rules(plates) == ["OPS-VRM", "OPS-VRM"]
    assert unnumbered(plates["findings"]) == unnumbered([f for f in full["findings"] if f["rule"] == "OPS-VRM"])  # same score, id, context
    assert plates["search"]["rules"] == ["ops-vrm*"] and "OPS-PHONE" in plates["search"]["rules_not_searched"]
    assert all(r.startswith("OPS-VRM") for r in plates["search"]["rules_searched"])
    assert plates["summary"]["messages_examined"] == full["summary"]["messages_examined"]
    words = narrowed(exhibit, capsys, "--category", "discriminatory_language")
    assert {f["category"] for f in words["findings"]} == {"discriminatory_language"}
    both = narrowed(exhibit, capsys, "--category", "operational_data", "--rule", "OPS-PHONE", "--rule", "OPS-CRIME-*")
    assert sorted(rules(both)) == ["OPS-CRIME-REF", "OPS-PHONE"]


def test_people_and_dates_narrow_the_messages_examined_and_keep_the_context(exhibit, full, capsys) -> None:
    ana = narrowed(exhibit, capsys, "--participant", "ana duarte")
    assert {f["author_display"] for f in ana["findings"]} == {"Ana Duarte"}
    assert unnumbered(ana["findings"]) == unnumbered([f for f in full["findings"] if f["author_display"] == "Ana Duarte"])
    phone = next(f for f in ana["findings"] if f["rule"] == "OPS-PHONE")
    assert [m["author_display"] for m in phone["context_before"]] == ["Priya Lanham"]  # outside, still context
    assert ana["summary"]["messages_examined"] == 2 and ana["search"]["messages_not_examined"] == 3
    assert ana["search"]["participants_matched"] == [{"participant": "ana duarte", "source": 0,
                                                      "authors": [f"~{NBSP}Ana Duarte"]}]
    number = narrowed(exhibit, capsys, "--participant", "07911 555000")  # the number as typed, not as exported
    assert {f["author_display"] for f in number["findings"]} == {"+44 7911 555000"}
    day = narrowed(exhibit, capsys, "--since", "2024-04-11", "--until", "2024-04-11")
    assert rules(day) == ["OPS-CRIME-REF"] and day["summary"]["messages_examined"] == 1
    evening = narrowed(exhibit, capsys, "--until", "2024-04-10T22:01")
    assert {f["line"] for f in evening["findings"]} == {1, 2}  # the whole minute given is included


def test_the_extent_is_stated_in_the_strategy_manifest_log_and_terminal(exhibit, capsys, tmp_path) -> None:
    pack = tmp_path / "pack"
    code, _, _ = run("scan", str(exhibit), "--out", str(pack), "--no-progress", "--rule", "OPS-*",
                     "--participant", "Priya Lanham", "--participant", "Bob Nobody", "--since", "2024-04-10", capsys=capsys)
    assert code == 1
    strategy = (pack / "search-strategy.md").read_text(encoding="utf-8")
    extent = strategy.split("## Extent of the search")[1].split("\n## ")[0]
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    searched = manifest["search"]["rules_searched"]
    assert len(searched) > 20 and all(rule.startswith("OPS-") for rule in searched)
    assert f"Rules searched for: {len(searched)} of" in extent and "(`--rule OPS-*`)" in extent
    assert "`DIS-PHRASE-DEHUMANISE`" in extent.split("Not searched for")[1]
    assert "`Priya Lanham` matched 1 author" in extent and "`Bob Nobody` matched 0 authors" in extent
    assert "- Period: from 2024-04-10, inclusive" in extent and "- Not examined: 3 messages" in extent
    assert "| `DIS-PHRASE-DEHUMANISE` |" in strategy and "no: outside the narrowed search |" in strategy
    assert "--participant 'Bob Nobody' names no author of this export" in strategy
    assert manifest["search"]["participants"] == ["Priya Lanham", "Bob Nobody"]
    assert manifest["search"]["messages_not_examined"] == 3 and "participants_matched" not in manifest["search"]
    log = [json.loads(line) for line in (pack / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    [event] = [entry for entry in log if entry["event"] == "search_narrowed"]
    assert (event["participants"], event["rules_searched"], event["messages_not_examined"]) == (2, len(searched), 3)
    _, text, _ = run("scan", str(exhibit), "--no-progress", "--participant", "Priya Lanham", "--color", "never",
                     capsys=capsys)
    text = " ".join(text.split())
    assert "search narrowed to messages by participant 'Priya Lanham' (matched 1 author)" in text
    assert "3 messages outside the search were read and kept as context, not examined" in text


@pytest.mark.parametrize(("options", "message"), [
    (("--rule", "OPS-VRN"), "--rule OPS-VRN: matches no rule loaded; did you mean OPS-VRM?"),
    (("--category", "crime_scene_image", "--rule", "OPS-*"), "select no rule: nothing would be searched"),
    (("--since", "10/04/2024"), "--since 10/04/2024: not a date or time"),
    (("--since", "2024-04-12", "--until", "2024-04-11"), "--since 2024-04-12 is after --until 2024-04-11"),
    (("--until", "2024-04-11T10:00+01:00"), "without a time zone"),
])
def test_a_search_for_nothing_is_refused_before_reading(exhibit, capsys, options, message) -> None:
    code, out, err = run("scan", str(exhibit), *options, capsys=capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_check_takes_the_same_narrowing(exhibit, capsys) -> None:
    _, out, _ = run("check", str(exhibit), "--no-progress", "--color", "never", "--participant", "Priya Lanham",
                    "--category", "operational_data", capsys=capsys)
    text = " ".join(out.split())
    assert "Note: Search narrowed to category operational_data" in text
    assert "Ana Duarte, 12 Apr" not in text and "Priya Lanham, 10 Apr 2024 22:00" in text


def test_a_narrowed_search_is_the_same_in_parts_as_in_one_process(tmp_path, monkeypatch) -> None:
    from generate import generate

    from whatsapp_audit import parallel

    path = tmp_path / "exhibit" / "chat.txt"
    path.parent.mkdir()
    path.write_text(generate(3_000, "android", seed=5), encoding="utf-8", newline="")
    monkeypatch.setattr(parallel, "MARGIN_BYTES", 4096)
    first = scan(path, jobs=1)
    author = max(first.stats.authors, key=lambda name: first.stats.authors[name])
    days = sorted({item.timestamp.date() for item in first.findings})
    search = SearchScope(categories=("operational_data",), participants=(author,), since=days[len(days) // 3].isoformat())
    one, two = scan(path, jobs=1, search=search), scan(path, jobs=2, search=search)
    assert 0 < len(one.findings) < len(first.findings)
    assert [(i.id, i.finding, i.before, i.after) for i in two.findings] == [(i.id, i.finding, i.before, i.after)
                                                                          for i in one.findings]
    assert two.counts == one.counts and 0 < one.counts.examined < first.counts.examined


def test_participants_match_by_display_name_and_number() -> None:
    assert author_matches("Ana Duarte", f"~{NBSP}Ana Duarte") and author_matches("ANA duarte", "~\u202fAna Duarte")
    assert author_matches("+447911555000", f"{LRE}+44{NBSP}7911{NBSP}555000{PDF}")
    assert not author_matches("Ana", "Ana Duarte") and not author_matches("07911 555001", "+44 7911 555000")


def _message(text: str, author: str, when: datetime, edited: bool = False) -> Message:
    return Message(0, 1, 1, when, "", author, text, MessageKind.EDITED if edited else MessageKind.TEXT, edited=edited)


def test_the_portable_id_ignores_what_platforms_write_differently() -> None:
    finding = Finding("OPS-VRM", Category.OPERATIONAL_DATA, Severity.MEDIUM, Confidence.HIGH, 1.0, 0, 1, 9, 17,
                      "KM19 TOV", "KM19TOV", Explanation("plate"))
    ios = _message("@\u2068Sam Okoro\u2069 plate KM19 TOV \u200e<This message was edited>", "~\u202fAna Duarte",
                   datetime(2024, 4, 10, 22, 0, 41), edited=True)
    android = _message("@447911234567 plate KM19 TOV <This message was edited>", f"~{NBSP}Ana Duarte",
                       datetime(2024, 4, 10, 22, 0), edited=True)
    assert comparable_text(ios) == comparable_text(android) == "@ plate km19 tov"
    assert portable_fingerprint(finding, ios) == portable_fingerprint(finding, android)
    later = _message(android.text, android.author or "", datetime(2024, 4, 10, 22, 1), edited=True)
    other = _message(android.text, "Priya Lanham", android.timestamp, edited=True)
    assert len({portable_fingerprint(finding, m) for m in (android, later, other)}) == 3
    assert portable_fingerprint(finding, android, 1) != portable_fingerprint(finding, android, 0)
