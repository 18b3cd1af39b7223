"""Allowlists as an investigator uses them: known values set aside after detection, each counted
against its entry in the report, the search strategy and the manifest (with the file's hash), and
never a mark in the exhibit."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from whatsapp_audit.cli.app import main

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
CHAT = """\
03/06/2024, 18:00 - Rob Ellery: Appeal line is 0800 555 0199, pass it on
03/06/2024, 18:01 - Priya Lanham: Stopped km19tov by the retail park
03/06/2024, 18:02 - Priya Lanham: Her mob is 07911 234567
03/06/2024, 18:03 - Rob Ellery: Training plate YR70 BDX again in the yard
"""
ALLOWLIST = """\
[[allow]]
value = "08005550199"
rule = "OPS-PHONE"
reason = "The force's public appeal line"
added_by = "DS Okafor"
added = 2024-05-01

[[allow]]
value = "KM19 TOV"
rule = "OPS-EMAIL"
reason = "Only for e-mail findings: must not touch the plate"

[[allow]]
value = "yr70bdx"
reason = "Training plate used in exercises"

[[allow]]
value = "SW1A 1AA"
reason = "Station postcode (nothing to set aside in this chat)"
"""


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def case(tmp_path: Path) -> dict[str, Path]:
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    (exhibit / "chat.txt").write_text(CHAT, encoding="utf-8")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "allow.toml").write_text(ALLOWLIST, encoding="utf-8")
    return {"chat": exhibit / "chat.txt", "allow": papers / "allow.toml", "papers": papers}


def test_values_are_set_aside_counted_per_entry_and_hashed(case, capsys) -> None:
    code, out, _ = run("scan", str(case["chat"]), "--format", "json", "--no-progress", capsys=capsys)
    full = json.loads(out)
    assert sorted(f["matched"] for f in full["findings"]) == ["07911 234567", "0800 555 0199", "YR70 BDX", "km19tov"]

    pack = case["papers"] / "pack"
    code, _, err = run("scan", str(case["chat"]), "--allowlist", str(case["allow"]), "--out", str(pack),
                       "--no-progress", capsys=capsys)
    assert code == 1
    assert f"allowlist {case['allow']}: 2 findings set aside by 4 entries (2 matched nothing)" in err
    report = json.loads((pack / "findings.json").read_text(encoding="utf-8"))
    assert sorted(f["matched"] for f in report["findings"]) == ["07911 234567", "km19tov"]
    assert report["summary"]["findings"] == 2 and report["allowlist"]["suppressed"] == 2
    [allowlist] = report["allowlist"]["files"]
    assert [e["suppressed"] for e in allowlist["entries"]] == [1, 0, 1, 0]
    ids = {f["matched"]: f["id"] for f in full["findings"]}
    assert allowlist["entries"][0]["ids"] == [ids["0800 555 0199"]]
    assert allowlist["entries"][0]["added"] == "2024-05-01" and allowlist["entries"][0]["added_by"] == "DS Okafor"

    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["allowlist"]["files"][0]["sha256"] == hashlib.sha256(case["allow"].read_bytes()).hexdigest()
    strategy = (pack / "search-strategy.md").read_text(encoding="utf-8")
    assert "| `08005550199` | OPS-PHONE | The force's public appeal line | DS Okafor | 1 |" in strategy
    assert "| `yr70bdx` | any | Training plate used in exercises |  | 1 |" in strategy
    assert "- Findings set aside in all: 2" in strategy
    log = [json.loads(line) for line in (pack / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["suppressed"] for e in log if e["event"] == "allowlist_applied"] == [[1, 0, 1, 0]]
    assert sorted(p.name for p in case["chat"].parent.iterdir()) == ["chat.txt"]  # no marker, no file beside it
    assert run("verify", str(pack), capsys=capsys)[0] == 0

    parsed = tomllib.loads(ALLOWLIST)
    schema = json.loads((SCHEMAS / "allowlist.schema.json").read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(json.loads(json.dumps(parsed, default=str)))) == []


def test_check_sets_aside_the_same_values(case, capsys) -> None:
    _, out, _ = run("check", str(case["chat"]), "--allowlist", str(case["allow"]), "--no-progress",
                    "--color", "never", "--min-confidence", "low", capsys=capsys)
    text = " ".join(out.split())
    assert text.count("This could be seen as") == 2  # the plate km19tov and the mobile, nothing else
    assert "vehicle registration mark (km19tov)" in text and "(YR70 BDX)" not in text
    assert "2 findings set aside by 4 entries" in text


@pytest.mark.parametrize(("entry", "message"), [
    ('[[allow]]\nvalue = "1"\n', "allow[0]: reason is required"),
    ('[[allow]]\nvalue = "--"\nreason = "x"\n', "allow[0]: value must be text with at least one letter or digit"),
    ('[[allow]]\nvalue = "AB12CDE"\nrlue = "OPS-VRM"\nreason = "typo"\n', "allow[0]: unknown key 'rlue'"),
    ('[[allow]]\nvalue = "AB12CDE"\nrule = "OPS-NOPE"\nreason = "x"\n', "allow[0]: rule OPS-NOPE matches no rule loaded"),
    ('[[allow]]\nvalue = "AB12CDE"\nrule = "OPS-VRN"\nreason = "x"\n', "rule OPS-VRN matches no rule loaded (did you mean OPS-VRM?)"),
    ('value = "AB12CDE"\n', "unknown key 'value'"),
    ("[[allow]\n", "not valid TOML"),
])
def test_a_wrong_allowlist_is_one_line_and_exit_2_before_scanning(case, capsys, entry: str, message: str) -> None:
    case["allow"].write_text(entry, encoding="utf-8")
    code, out, err = run("scan", str(case["chat"]), "--allowlist", str(case["allow"]), "--out",
                         str(case["papers"] / "pack"), capsys=capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert not (case["papers"] / "pack").exists()  # refused before anything was written
