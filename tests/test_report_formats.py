"""Every report format of `scan`, as a user gets it: snapshots, several outputs in one run, determinism.

Snapshots live in tests/snapshots/; after an intended change run
`WA_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_report_formats.py` and review the diff.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
from pathlib import Path

import pytest

import whatsapp_audit
from whatsapp_audit.cli.app import main
from whatsapp_audit.report.render import FORMATS, render

SNAPSHOTS = Path(__file__).parent / "snapshots"
FROZEN = "2024-06-01T09:00:00Z"
SCAN_MODULE = importlib.import_module("whatsapp_audit.scan")  # the package re-exports the function as `scan`

# Invented group: operational data, a scene photo, a discriminatory slur and two false-positive traps.
CHAT = """\
02/05/2024, 22:00 - Jo Fenn: Evening all, parade at 2200
02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE by the Co-op, driver's mob is 07911 234567
02/05/2024, 22:06 - Jo Fenn: thanks
03/05/2024, 01:10 - Kay Lund: Sudden death on Wren Close, scene guard till CID arrive
03/05/2024, 01:11 - Kay Lund: IMG-20240503-WA0004.jpg (file attached)
body in the hallway
03/05/2024, 01:12 - Jo Fenn: Kay not on here please
03/05/2024, 02:30 - Ned Rowe: stop being a spaz and bring the kit bag
03/05/2024, 02:31 - Jo Fenn: Scunthorpe away on Saturday?
"""


@pytest.fixture()
def export(write_export) -> Path:
    return write_export(CHAT, "WhatsApp Chat with Night Shift.txt")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("WA_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8", newline="")
        if not os.environ.get("WA_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {name} was missing and has been written; check it and re-run")
    assert text == path.read_bytes().decode("utf-8"), f"{name} changed; if intended, regenerate with WA_UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_matches_its_snapshot(fmt: str, export: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative export path: the same report bytes on every machine
    target = Path("out") / f"report.{fmt}"
    target.parent.mkdir()
    code, _, _ = run(capsys, "scan", "exhibit/" + export.name, "--format", fmt, "--output", str(target),
                     "--generated-at", FROZEN)
    assert code == 1
    check_snapshot(f"report.{fmt}", target.read_bytes().decode("utf-8-sig" if fmt == "csv" else "utf-8"))


def test_text_report_has_findings_in_report_order_with_context_and_summaries(export: Path, capsys) -> None:
    code, out, _ = run(capsys, "scan", str(export), "--color", "never")
    assert code == 1
    headings = re.findall(r"^#\d+ (\S+)", out, flags=re.M)
    assert headings == ["OPS-VRM", "OPS-PHONE", "IMG-BODY", "DIS-DIS-SPASTIC"]
    block = out.split("#3 IMG-BODY")[1].split("#4")[0]
    assert "Sudden death on Wren Close" in block and "Kay not on here please" in block  # context both sides
    # An Android export has no seconds, so none are shown
    assert "> 01:11 Kay Lund: IMG-20240503-WA0004.jpg" in block and "guidance:" in block and "why:" in block
    assert "01:11:00" not in out and "2024-05-03 01:11  line 5" in block
    for heading in ("Findings by category", "Findings by rule", "Participants", "Timeline (findings per day)"):
        assert heading in out
    assert re.search(r"2024-05-03 .*│\s+2 │ █+", out) and re.search(r"2024-05-02 .*│\s+2 │ █+", out)
    assert "Scunthorpe" not in out.split("Findings by category")[0].split("reason:")[-1]


def test_context_option_changes_how_many_neighbours_are_shown(export: Path, capsys) -> None:
    _, none, _ = run(capsys, "scan", str(export), "--context", "0")
    _, more, _ = run(capsys, "scan", str(export), "--context", "4")
    assert "Evening all" not in none and "Evening all" in more.split("#2")[0]


def test_json_report_keeps_every_v1_field_and_adds_context(export: Path, capsys) -> None:
    _, out, _ = run(capsys, "scan", str(export), "--format", "json")
    report = json.loads(out)
    for key in ("schema_version", "generated_at", "tool", "patterns", "source", "coverage", "limitations", "summary", "findings"):
        assert key in report
    assert report["schema_version"] == "1"
    assert report["options"] == {"context": 5, "min_confidence": "low", "model": False}
    assert [p["name"] for p in report["participants"]][:2] == ["Kay Lund", "Ned Rowe"]
    assert report["timeline"] == [
        {"date": "2024-05-02", "findings": 2, "by_category": {"operational_data": 2, "crime_scene_image": 0, "discriminatory_language": 0}},
        {"date": "2024-05-03", "findings": 2, "by_category": {"operational_data": 0, "crime_scene_image": 1, "discriminatory_language": 1}},
    ]
    plate = report["findings"][0]
    assert plate["message_text"].startswith("Stop check on AB12 CDE")
    assert plate["message_text"][plate["start"]:plate["end"]] == "AB12 CDE"
    assert [m["line"] for m in plate["context_before"]] == [1] and [m["line"] for m in plate["context_after"]][:2] == [3, 4]
    assert plate["why"] and plate["guidance"] and plate["context_after"][0]["author"] == "Jo Fenn"


def test_jsonl_lines_are_the_json_findings(export: Path, capsys) -> None:
    _, whole, _ = run(capsys, "scan", str(export), "--format", "json")
    _, lines, _ = run(capsys, "scan", str(export), "--format", "jsonl")
    assert [json.loads(line) for line in lines.splitlines()] == json.loads(whole)["findings"]


def test_sarif_is_minimal_valid_2_1_0(export: Path, capsys) -> None:
    _, out, _ = run(capsys, "scan", str(export), "--format", "sarif")
    log = json.loads(out)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rules == sorted(rules) and "OPS-VRM" in rules
    levels = {r["ruleId"]: r["level"] for r in run_["results"]}
    assert levels == {"OPS-VRM": "warning", "OPS-PHONE": "warning", "IMG-BODY": "error", "DIS-DIS-SPASTIC": levels["DIS-DIS-SPASTIC"]}
    assert levels["DIS-DIS-SPASTIC"] in ("error", "warning", "note")
    body = run_["results"][2]["locations"][0]["physicalLocation"]
    assert body["region"] == {"startLine": 5, "endLine": 6} and body["artifactLocation"]["uri"] == export.as_uri()
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run_["results"])
    assert run_["artifacts"][0]["hashes"]["sha-256"] == whatsapp_audit.scan(export).source.sha256


def test_csv_has_one_row_per_finding_and_a_bom_for_excel(export: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "f.csv"
    run(capsys, "scan", str(export), "--format", "csv", "-o", str(target))
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["rule"] for r in rows] == ["OPS-VRM", "OPS-PHONE", "IMG-BODY", "DIS-DIS-SPASTIC"]
    assert rows[2]["context_before"].endswith("Sudden death on Wren Close, scene guard till CID arrive")


def test_several_outputs_in_one_run(export: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = run(capsys, "scan", str(export), "--report", "json", "--report", f"html:{out_dir / 'r.html'}",
                         "--report", f"csv:{out_dir / 'r.csv'}", "--report", f"sarif:{out_dir / 'r.sarif'}")
    assert code == 1 and json.loads(out)["summary"]["findings"] == 4 and "4 findings" in err and "(s)" not in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["r.csv", "r.html", "r.sarif"]
    code, _, err = run(capsys, "scan", str(export), "--report", "json", "--report", "csv")
    assert code == 2 and "only one report can go to stdout" in err
    code, _, err = run(capsys, "scan", str(export), "--report", f"html:{export.parent / 'r.html'}")
    assert code == 2 and "refusing to write" in err and sorted(p.name for p in export.parent.iterdir()) == [export.name]
    code, _, err = run(capsys, "scan", str(export), "--report", "pdf:x.pdf")
    assert code == 2 and "format must be one of" in err


def test_every_format_is_identical_between_runs_apart_from_timing(export: Path, capsys) -> None:
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    for fmt in FORMATS:
        _, first, _ = run(capsys, "scan", str(export), "--format", fmt)
        _, second, _ = run(capsys, "scan", str(export), "--format", fmt)
        assert stamp.sub("T", first) == stamp.sub("T", second), fmt


def test_colour_follows_the_color_option_and_no_color(export: Path, capsys, monkeypatch) -> None:
    _, always, _ = run(capsys, "scan", str(export), "--color", "always")
    _, never, _ = run(capsys, "scan", str(export), "--color", "never")
    assert "\x1b[" in always and "\x1b[" not in never
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, auto, _ = run(capsys, "scan", str(export))
    assert "\x1b[" not in auto


def test_progress_is_reported_by_callback_and_never_printed_off_a_terminal(export: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(SCAN_MODULE, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    whatsapp_audit.scan(export, progress=lambda messages, line: seen.append((messages, line)))
    assert seen[:2] == [(2, 2), (4, 4)] and seen[-1] == (8, 9)
    _, _, err = run(capsys, "scan", str(export), "--format", "json")
    assert "scanning" not in err and "\r" not in err


def test_render_never_rescans(export: Path, monkeypatch) -> None:
    result = whatsapp_audit.scan(export)
    monkeypatch.setattr(SCAN_MODULE.Engine, "build", lambda *a, **k: pytest.fail("detection re-run"))
    for fmt in FORMATS:
        render(fmt, result, io.StringIO())


def test_min_confidence_leaves_out_weaker_findings(export: Path, capsys) -> None:
    every = whatsapp_audit.scan(export)
    strong = whatsapp_audit.scan(export, min_confidence="high")
    assert {f.finding.confidence.value for f in strong.findings} == {"high"}
    assert strong.counts.findings == len(strong.findings) < every.counts.findings or every.counts.findings == strong.counts.findings


def test_context_is_complete_when_findings_are_far_apart(tmp_path: Path) -> None:
    filler = [f"02/05/2024, 10:{n:02d} - Jo Fenn: filler {n}" for n in range(40)]
    lines = ["02/05/2024, 09:59 - Kay Lund: plate AB12 CDE", *filler, "02/05/2024, 11:00 - Kay Lund: plate CD15 XYZ",
             "02/05/2024, 11:01 - Jo Fenn: last"]
    chat = tmp_path / "far.txt"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = whatsapp_audit.scan(chat, context=3)
    first, second = result.findings
    assert [m.text for m in first.before] == [] and [m.text for m in first.after] == ["filler 0", "filler 1", "filler 2"]
    assert [m.text for m in second.before] == ["filler 37", "filler 38", "filler 39"]
    assert [m.text for m in second.after] == ["last"]


def test_no_progress_bar_in_a_log_even_with_color_always(export: Path, capsys) -> None:
    main(["scan", str(export), "--color", "always", "--format", "json"])
    err = capsys.readouterr().err
    assert "scanning" not in err and "\x1b[?25l" not in err


def test_html_is_one_offline_file_with_a_csp_that_forbids_remote_loads(export: Path, capsys) -> None:
    _, page, _ = run(capsys, "scan", str(export), "--format", "html")
    assert "http" not in page.replace('http-equiv="Content-Security-Policy"', "")  # no URL of any kind
    assert not re.search(r"\ssrc\s*=", page) and "@import" not in page and "url(" not in page
    links = re.findall(r"\shref\s*=\s*\"([^\"]*)\"", page)
    assert links and all(link.startswith("#") for link in links)  # only links within the page (filters, findings)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp and "default-src 'none'" in csp.group(1) and "'unsafe-inline'" not in csp.group(1)
    assert page.count("<style>") == 1 and page.count("<script>") == 1
    for label in ("Category", "Rule", "Participant", "From", "To", "Participants", "Timeline", "Severity", "Confidence", "Text"):
        assert label in page
    assert page.count('<article class="finding') == 4 and page.count('<li class="flagged">') == 4
