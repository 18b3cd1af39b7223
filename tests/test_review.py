"""Review files as an investigator uses them: verdicts shown in every report, carried over to a
re-export and to the same chat exported on the other platform, hidden on request and counted,
turned into precision figures, and two reviewers' files merged with their disagreements listed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from whatsapp_audit.cli.app import main

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
LRM, NNBSP, NBSP, FSI, PDI = "\u200e", "\u202f", "\u00a0", "\u2068", "\u2069"

# One invented group, as an Android phone exports it (minutes only) ...
ANDROID_LINES = [
    "02/05/2024, 07:58 - Rob Ellery: Morning, who has the car keys",
    "02/05/2024, 08:02 - Priya Lanham: Stop check on KM19 TOV outside the bakery",
    f"02/05/2024, 08:03 - ~{NBSP}Sam Okoro: his mob was 07911 234567 if you need it",
    "02/05/2024, 08:04 - Rob Ellery: Cheers, our appeal line is 0800 555 0199",
    "02/05/2024, 08:10 - Priya Lanham: Custody ref is 12/3456/24 for the handover",
]
# ... and as an iPhone in the same group exports it: seconds, brackets, the mention as a name.
IOS_LINES = [
    "[02/05/2024, 07:58:12] Rob Ellery: Morning, who has the car keys",
    "[02/05/2024, 08:02:40] Priya Lanham: Stop check on KM19 TOV outside the bakery",
    f"[02/05/2024, 08:03:05] ~{NNBSP}Sam Okoro: his mob was 07911 234567 if you need it",
    "[02/05/2024, 08:04:59] Rob Ellery: Cheers, our appeal line is 0800 555 0199",
    "[02/05/2024, 08:10:30] Priya Lanham: Custody ref is 12/3456/24 for the handover",
]
EARLIER = [  # what a later export of the Android phone also holds, above the first export's lines
    "01/05/2024, 21:00 - Rob Ellery: Quiet night, nothing to report",
    "01/05/2024, 21:05 - Priya Lanham: Same here, see you tomorrow",
]


def run(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(export: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = run("scan", str(export), "--format", "json", "--no-progress", *extra, capsys=capsys)
    assert code in (0, 1), err
    return json.loads(out)


def validate(schema: str, instance: Any) -> list[str]:
    document = json.loads((SCHEMAS / f"{schema}.schema.json").read_text(encoding="utf-8"))
    return [error.message for error in Draft202012Validator(document).iter_errors(instance)]


@pytest.fixture
def exhibits(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "exhibits"
    folder.mkdir()
    paths = {"android": folder / "android.txt", "ios": folder / "ios.txt", "later": folder / "android-later.txt"}
    paths["android"].write_text("\n".join(ANDROID_LINES) + "\n", encoding="utf-8")
    paths["ios"].write_text("\n".join(IOS_LINES) + "\n", encoding="utf-8")
    paths["later"].write_text("\n".join(EARLIER + ANDROID_LINES) + "\n", encoding="utf-8")
    return paths


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    return folder


def by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {finding["rule"]: finding for finding in report["findings"]}


def write_review(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"reviews": entries}), encoding="utf-8")
    return path


def verdicts_of(report: dict[str, Any]) -> dict[str, str | None]:
    return {f["rule"]: (f["review"] or {}).get("verdict") for f in report["findings"]}


def test_a_verdict_carries_over_to_a_re_export_and_to_the_other_platform(exhibits, work, capsys) -> None:
    first = scan_json(exhibits["android"], capsys)
    found = by_rule(first)
    assert {"OPS-VRM", "OPS-PHONE", "OPS-CUSTODY-REF"} <= set(found)
    phones = [f for f in first["findings"] if f["rule"] == "OPS-PHONE"]
    assert len(phones) == 2  # the mobile number and the appeal line
    review = write_review(work / "review.json", [
        {"id": found["OPS-VRM"]["id"], "portable_id": found["OPS-VRM"]["portable_id"], "verdict": "confirmed",
         "note": "plate of a live job", "reviewer": "DC Ash", "at": "2024-06-01T09:00:00Z"},
        {"id": phones[0]["id"], "portable_id": phones[0]["portable_id"], "verdict": "confirmed", "note": "witness"},
        {"id": phones[1]["id"], "portable_id": phones[1]["portable_id"], "verdict": "not_a_concern",
         "note": "force appeal line"},
    ])
    expected = {"OPS-VRM": "confirmed", "OPS-CUSTODY-REF": None}

    same = scan_json(exhibits["android"], capsys, "--review", str(review))
    later = scan_json(exhibits["later"], capsys, "--review", str(review))
    ios = scan_json(exhibits["ios"], capsys, "--review", str(review))
    for report in (same, later, ios):
        assert {k: v for k, v in verdicts_of(report).items() if k in expected} == expected
        assert [(f["review"] or {}).get("verdict") for f in report["findings"] if f["rule"] == "OPS-PHONE"] == [
            "confirmed", "not_a_concern"]
        assert report["review"]["by_verdict"] == {"confirmed": 2, "not_a_concern": 1, "unsure": 0}
        assert report["review"]["unmatched_entries"] == 0
    # More lines above: the same ids; the other platform: other ids, found by portable id.
    assert [f["id"] for f in later["findings"]] == [f["id"] for f in first["findings"]]
    assert [f["line"] for f in later["findings"]] == [f["line"] + 2 for f in first["findings"]]
    assert not {f["id"] for f in ios["findings"]} & {f["id"] for f in first["findings"]}
    assert [f["portable_id"] for f in ios["findings"]] == [f["portable_id"] for f in first["findings"]]
    assert {f["review"]["matched_by"] for f in ios["findings"] if f["review"]} == {"portable_id"}
    assert ios["review"]["matched_by_portable_id"] == 3 and same["review"]["matched_by_portable_id"] == 0
    assert by_rule(ios)["OPS-VRM"]["review"]["note"] == "plate of a live job"
    assert validate("scan-report", ios) == []


def test_verdicts_and_notes_reach_every_format_and_hidden_ones_are_counted(exhibits, work, capsys) -> None:
    first = by_rule(scan_json(exhibits["android"], capsys))
    review = write_review(work / "review.json", [
        {"id": first["OPS-VRM"]["id"], "verdict": "confirmed", "note": "=HYPERLINK(\"x\") [red]plate[/red]",
         "reviewer": "DC Ash", "at": "2024-06-01T09:00:00Z"},
        {"id": first["OPS-CUSTODY-REF"]["id"], "verdict": "not_a_concern", "note": "training scenario"},
    ])
    code, text, _ = run("scan", str(exhibits["android"]), "--review", str(review), "--no-progress", "--color", "never",
                        capsys=capsys)
    text = " ".join(text.split())  # the terminal wraps long lines
    assert code == 1
    assert "review: confirmed (DC Ash, 2024-06-01T09:00:00Z): =HYPERLINK(\"x\") [red]plate[/red]" in text
    assert "review: not a concern: training scenario" in text
    assert "2 of 4 findings have a verdict (confirmed 1, not a concern 1, unsure 0)" in text

    _, checked, _ = run("check", str(exhibits["android"]), "--review", str(review), "--no-progress",
                        "--color", "never", "--min-confidence", "low", capsys=capsys)
    assert "Review: confirmed (DC Ash" in " ".join(checked.split())

    _, out, _ = run("scan", str(exhibits["android"]), "--review", str(review), "--format", "csv", capsys=capsys)
    rows = {row["rule"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["OPS-VRM"]["verdict"] == "confirmed" and rows["OPS-VRM"]["reviewer"] == "DC Ash"
    assert rows["OPS-VRM"]["review_note"].startswith("'=HYPERLINK")  # a reviewer's note is no formula either
    assert rows["OPS-PHONE"]["verdict"] == ""

    _, out, _ = run("scan", str(exhibits["android"]), "--review", str(review), "--format", "sarif", capsys=capsys)
    results = {r["ruleId"]: r for r in json.loads(out)["runs"][0]["results"]}
    assert results["OPS-CUSTODY-REF"]["suppressions"][0]["status"] == "accepted"
    assert "suppressions" not in results["OPS-VRM"]
    assert results["OPS-VRM"]["properties"]["review"]["verdict"] == "confirmed"

    pack = work / "pack"
    code, _, err = run("scan", str(exhibits["android"]), "--review", str(review), "--hide-reviewed", "not_a_concern",
                       "--out", str(pack), "--no-progress", capsys=capsys)
    assert code == 1 and "left out of the reports: 1 finding marked not a concern" in err
    report = json.loads((pack / "findings.json").read_text(encoding="utf-8"))
    assert "OPS-CUSTODY-REF" not in by_rule(report) and report["summary"]["findings"] == 3
    assert report["review"]["hidden"] == {"not_a_concern": 1} and report["review"]["hide"] == ["not_a_concern"]
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["review"]["sha256"] == report["review"]["sha256"] and len(manifest["review"]["sha256"]) == 64
    strategy = (pack / "search-strategy.md").read_text(encoding="utf-8")
    assert "## Review" in strategy and "(`--hide-reviewed`): 1 finding marked not a concern" in strategy
    assert sorted(p.name for p in exhibits["android"].parent.iterdir()) == ["android-later.txt", "android.txt", "ios.txt"]


@pytest.mark.parametrize(("content", "message"), [
    ("not json", "not valid JSON"),
    ('{"findings": []}', 'expected {"reviews": [...]}'),
    ('{"reviews": [{"id": "abc", "verdict": "confirmed"}]}', "reviews[0]: id must be a finding id"),
    ('{"reviews": [{"id": "' + "a" * 32 + '", "verdict": "maybe"}]}', "reviews[0]: verdict 'maybe' must be one of"),
    ('{"reviews": [{"id": "' + "a" * 32 + '", "verdict": "unsure", "at": "yesterday"}]}', "is not an ISO 8601 time"),
    ('{"reviews": [{"id": "' + "a" * 32 + '", "verdict": "unsure"}, {"id": "' + "a" * 32 + '", "verdict": "confirmed"}]}',
     "reviews[1]: id " + "a" * 32 + " already has a verdict in reviews[0]"),
])
def test_a_broken_review_file_is_one_line_and_exit_2(exhibits, work, capsys, content: str, message: str) -> None:
    path = work / "review.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run("scan", str(exhibits["android"]), "--review", str(path), capsys=capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_hide_reviewed_needs_a_review_file(exhibits, capsys) -> None:
    code, _, err = run("scan", str(exhibits["android"]), "--hide-reviewed", "not_a_concern", capsys=capsys)
    assert code == 2 and "--hide-reviewed needs --review FILE" in err


def test_review_stats_gives_precision_per_rule_and_category(exhibits, work, capsys) -> None:
    report = scan_json(exhibits["android"], capsys)
    report_path = work / "findings.json"
    report_path.write_text(json.dumps(report), encoding="utf-8")
    found = report["findings"]
    verdicts = ["confirmed", "confirmed", "not_a_concern"]  # the fourth finding is not reviewed yet
    review = write_review(work / "review.json", [{"id": f["id"], "verdict": v} for f, v in zip(found[:3], verdicts, strict=True)])
    code, out, _ = run("review", "stats", str(review), "--report", str(report_path), "--format", "json", capsys=capsys)
    stats = json.loads(out)
    assert code == 0 and validate("review-stats", stats) == []
    total = stats["total"]
    assert (total["confirmed"], total["not_a_concern"], total["unsure"], total["unreviewed"]) == (2, 1, 0, 1)
    assert total["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert 0 < total["precision_low"] < 2 / 3 < total["precision_high"] < 1
    assert stats["by_category"]["operational_data"]["confirmed"] == 2
    rules = [f["rule"] for f in found]
    assert stats["by_rule"][rules[0]]["confirmed"] >= 1 and stats["unattributed"] == 0
    # Without the report, the verdicts cannot be put against rules: they are counted as unknown.
    _, out, _ = run("review", "stats", str(review), "--format", "json", capsys=capsys)
    assert json.loads(out)["unattributed"] == 3 and json.loads(out)["total"]["unreviewed"] is None
    _, text, _ = run("review", "stats", str(review), "--report", str(report_path), capsys=capsys)
    assert "precision = confirmed / (confirmed + not a concern)" in " ".join(text.split())


def test_review_merge_keeps_agreement_and_lists_disagreement(work, capsys) -> None:
    ids = [f"{n:032x}" for n in range(1, 4)]
    ash = write_review(work / "ash.json", [
        {"id": ids[0], "verdict": "confirmed", "reviewer": "DC Ash", "note": "live job"},
        {"id": ids[1], "verdict": "not_a_concern", "reviewer": "DC Ash", "at": "2024-06-01T09:00:00Z"},
    ])
    birch = write_review(work / "birch.json", [
        {"id": ids[1], "verdict": "not_a_concern", "reviewer": "PS Birch", "at": "2024-06-02T10:00:00Z"},
        {"id": ids[0], "verdict": "not_a_concern", "reviewer": "PS Birch", "note": "public info"},
        {"id": ids[2], "verdict": "unsure", "reviewer": "PS Birch", "custom": 7},
    ])
    merged_path = work / "merged.json"
    code, _, err = run("review", "merge", str(ash), str(birch), "-o", str(merged_path), capsys=capsys)
    assert code == 1
    assert "reviewers disagree on 1 finding" in err and ids[0] in err and "PS Birch: not a concern (public info)" in err
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    assert validate("review-file", merged) == []
    entries = {entry["id"]: entry for entry in merged["reviews"]}
    assert [entry["id"] for entry in merged["reviews"]] == ids
    assert entries[ids[0]]["verdict"] == "unsure" and "reviewers disagree" in entries[ids[0]]["note"]
    assert [d["verdict"] for d in entries[ids[0]]["disagreement"]] == ["confirmed", "not_a_concern"]
    assert entries[ids[1]]["verdict"] == "not_a_concern" and entries[ids[1]]["reviewer"] == "DC Ash, PS Birch"
    assert entries[ids[1]]["at"] == "2024-06-02T10:00:00Z" and entries[ids[2]]["custom"] == 7
    # The merged file is a review file again: scan reads it, stats counts it.
    code, out, _ = run("review", "stats", str(merged_path), "--format", "json", capsys=capsys)
    assert code == 0 and json.loads(out)["total"]["unsure"] == 2
    code, _, _ = run("review", "merge", str(ash), str(ash.with_name("ash.json")), capsys=capsys)
    assert code == 0
