"""Many exports in one run: a seized-phones folder (Android, iOS, a zip, a broken file, a photo) gives one
case report that names every exhibit and its hash, reports the broken one and scans the rest."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import IOS_EXTRA
from test_schemas import problems

from whatsapp_audit.cli.app import main

FROZEN = "2024-06-01T09:00:00Z"
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def scan_json(capsys: pytest.CaptureFixture[str], out_dir: Path, name: str, *args: str) -> tuple[int, dict, str, Path]:
    target = out_dir / name
    code, _, err = run(capsys, "scan", *args, "--format", "json", "--output", str(target), "--generated-at", FROZEN)
    return code, json.loads(target.read_text(encoding="utf-8")), err, target


def test_a_folder_of_exports_gives_one_case_report_naming_every_exhibit(case_folder: Path, out_dir: Path, capsys) -> None:
    code, report, err, _ = scan_json(capsys, out_dir, "case.json", str(case_folder))
    assert code == 1  # findings; the broken export does not turn the run into an input error
    sources = report["sources"]
    assert [s["path"].split("exhibits/")[1] for s in sources] == [
        "phone-a/WhatsApp Chat with B Relief.txt", "phone-a/broken.txt", "phone-b/groups/extra.txt",
        "phone-b/groups/response-team.txt", "phone-b/night-turn.zip",
    ]
    assert [s["status"] for s in sources] == ["scanned", "failed", "scanned", "scanned", "scanned"]
    for source in sources:  # every exhibit hashed, the broken one too
        assert source["sha256"] == hashlib.sha256(Path(source["path"]).read_bytes()).hexdigest()
    broken = sources[1]
    assert broken["error"].startswith(str(case_folder / "phone-a" / "broken.txt") + ": ") and broken["coverage"] is None
    assert sources[4]["container"] == "zip" and sources[4]["chat_member"] == "_chat.txt"
    assert report["skipped"] == [{"path": str(case_folder / "phone-b" / "IMG-20240604-WA0001.jpg"),
                                  "reason": "not a .txt or .zip export"}]
    assert report["source"] is None and report["coverage"] is None  # several exports: see `sources`
    # every finding and participant row says which exhibit it comes from; the counts add up
    findings = report["findings"]
    assert {f["source"] for f in findings} == {0, 2, 3, 4}
    assert [f["source"] for f in findings] == sorted(f["source"] for f in findings)
    for index in (0, 2, 3, 4):
        assert sources[index]["summary"]["findings"] == sum(1 for f in findings if f["source"] == index)
    assert report["summary"]["findings"] == len(findings)
    assert report["summary"]["messages"] == sum(s["summary"]["messages"] for s in sources if s["summary"])
    assert {p["source"] for p in report["participants"]} == {0, 2, 3, 4}
    assert any(f["source"] == 2 and f["matched"] == "CD15 XYZ" for f in findings)
    assert all(m["source"] == 4 for m in report["media"]) and report["media"]
    assert any(note.startswith(f"{case_folder / 'phone-a' / 'broken.txt'}: not scanned: ") for note in report["limitations"])
    # the broken export is named on stderr, one line, and the run says the others were scanned
    assert f"whatsapp-audit: error: {case_folder / 'phone-a' / 'broken.txt'}: " in err
    assert "1 of 5 exports could not be read (named above); the other 4 were scanned" in err
    assert "Traceback" not in err
    assert problems("scan-report", report) == []  # the documented schema holds for a case report too


def test_each_exhibit_gets_the_findings_a_run_on_it_alone_gives(case_folder: Path, out_dir: Path, capsys) -> None:
    """One engine scans the exports one after another: nothing of one export leaks into the next."""
    _, case, _, _ = scan_json(capsys, out_dir, "case.json", str(case_folder), "--jobs", "1")
    for index, source in enumerate(case["sources"]):
        if source["status"] != "scanned":
            continue
        _, alone, _, _ = scan_json(capsys, out_dir, f"alone-{index}.json", source["path"])
        assert alone["sources"][0] | {"index": index} == source
        # `number` is the place in its own report: in the case it counts the exhibits before this one
        mine = [{k: v for k, v in f.items() if k not in ("source", "number")} for f in case["findings"] if f["source"] == index]
        assert mine == [{k: v for k, v in f.items() if k not in ("source", "number")} for f in alone["findings"]]
        assert alone["source"] == {k: v for k, v in source.items()
                                   if k not in ("index", "status", "error", "coverage", "limitations", "summary")}


def test_the_case_report_is_the_same_bytes_whatever_the_jobs(case_folder: Path, out_dir: Path, capsys) -> None:
    """Two workers finish exports in another order than one does (largest first); the bytes do not change."""
    formats = ("json", "html", "csv", "sarif", "text", "jsonl")
    for jobs in ("1", "2"):
        reports = [arg for fmt in formats for arg in ("--report", f"{fmt}:{out_dir / f'case-{jobs}.{fmt}'}")]
        code, _, _ = run(capsys, "scan", str(case_folder), *reports, "--generated-at", FROZEN, "--jobs", jobs)
        assert code == 1
    for fmt in formats:
        assert (out_dir / f"case-1.{fmt}").read_bytes() == (out_dir / f"case-2.{fmt}").read_bytes(), fmt


def _kept(before: object, now: object, where: str = "") -> list[str]:
    """Where `now` lost or changed something `before` had (fields added since are fine)."""
    if isinstance(before, dict) and isinstance(now, dict):
        return [problem for key, value in before.items()
                for problem in (_kept(value, now[key], f"{where}/{key}") if key in now else [f"{where}/{key}: gone"])]
    if isinstance(before, list) and isinstance(now, list) and len(before) == len(now):
        return [problem for i, (b, n) in enumerate(zip(before, now, strict=True)) for problem in _kept(b, n, f"{where}/{i}")]
    return [] if before == now else [f"{where}: {before!r} became {now!r}"]


def test_a_one_export_report_is_the_earlier_report_plus_additive_fields(write_export, tmp_path: Path, capsys,
                                                                           monkeypatch) -> None:
    """Consumers of the one-export report keep working: everything the report held before `sources`
    existed (tests/snapshots/report.before-sources.json) is still there, unchanged."""
    chat = (Path(__file__).parent / "test_report_formats.py").read_text(encoding="utf-8").split('CHAT = """\\\n')[1]
    write_export(chat.split('"""')[0], "WhatsApp Chat with Night Shift.txt")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    code, now, _, _ = scan_json(capsys, Path("out"), "r.json", "exhibit/WhatsApp Chat with Night Shift.txt")
    assert code == 1
    before = json.loads((Path(__file__).parent / "snapshots" / "report.before-sources.json").read_text(encoding="utf-8"))
    now["generated_at"] = before["generated_at"]
    assert _kept(before, now) == []
    assert [s["index"] for s in now["sources"]] == [0] and now["skipped"] == []
    assert all(item["source"] == 0 for key in ("findings", "participants", "media", "regex_timeouts") for item in now[key])


def test_exit_3_only_when_no_export_could_be_read(tmp_path: Path, out_dir: Path, capsys) -> None:
    folder = tmp_path / "exhibits"
    folder.mkdir()
    (folder / "a.txt").write_text("", encoding="utf-8")
    (folder / "b.zip").write_bytes(b"PK\x03\x04 truncated")
    code, out, err = run(capsys, "scan", str(folder))
    assert code == 3 and out == ""
    assert err.splitlines() == [
        f"whatsapp-audit: error: {folder / 'a.txt'}: is empty",
        f"whatsapp-audit: error: {folder / 'b.zip'}: is not a readable zip file (BadZipFile)",
        "whatsapp-audit: error: none of the 2 exports could be read",
    ]
    # one of the two readable: the summary line reads as English ("the other was scanned")
    (folder / "c.txt").write_text("14/01/2024, 09:41 - Cal Moss: Kit check Monday\n", encoding="utf-8")
    code, _, err = run(capsys, "scan", str(folder / "a.txt"), str(folder / "c.txt"))
    assert code == 0
    assert "1 of 2 exports could not be read (named above); the other was scanned\n" in err
    (folder / "c.txt").unlink()
    # one export given: the one line it always was
    code, _, err = run(capsys, "scan", str(folder / "a.txt"))
    assert code == 3 and err == f"whatsapp-audit: error: {folder / 'a.txt'}: is empty\n"
    # a folder with no export at all
    (folder / "a.txt").unlink()
    (folder / "b.zip").unlink()
    (folder / "notes.docx").write_bytes(b"x")
    code, _, err = run(capsys, "scan", str(folder))
    assert code == 3 and err == (f"whatsapp-audit: error: {folder}: no .txt or .zip export found "
                                 "(1 other file found, none an export)\n")


def test_no_output_is_written_inside_a_folder_of_exhibits(case_folder: Path, tmp_path: Path, capsys) -> None:
    before = sorted(p.relative_to(case_folder) for p in case_folder.rglob("*"))
    for args in (["--out", str(case_folder / "pack")], ["--report", f"html:{case_folder / 'report.html'}"],
                 ["--format", "csv", "-o", str(case_folder / "phone-a" / "f.csv")]):
        code, _, err = run(capsys, "scan", str(case_folder), *args)
        assert code == 2 and "refusing to write inside the folder" in err
    assert sorted(p.relative_to(case_folder) for p in case_folder.rglob("*")) == before


def test_the_text_report_groups_findings_by_exhibit(case_folder: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # long temporary paths: no wrapping
    code, out, _ = run(capsys, "scan", str(case_folder), "--color", "never")
    assert code == 1
    assert out.startswith("Case          5 exports: 4 scanned, 1 NOT SCANNED")
    assert "  NOT SCANNED " in out and "IMG-20240604-WA0001.jpg: not a .txt or .zip export" in out
    headings = [line for line in out.splitlines() if line.startswith("Exhibit ") and "phone-" in line]
    assert [h.split()[1] for h in headings][:5] == ["1", "2", "3", "4", "5"]  # the list of exhibits
    assert "Findings by exhibit" in out


def test_csv_and_sarif_name_the_exhibit_of_each_finding(case_folder: Path, out_dir: Path, capsys) -> None:
    import csv
    import io

    csv_path, sarif_path = out_dir / "f.csv", out_dir / "f.sarif"
    code, _, _ = run(capsys, "scan", str(case_folder), "--report", f"csv:{csv_path}", "--report", f"sarif:{sarif_path}")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert {Path(r["export"]).name for r in rows} == {"WhatsApp Chat with B Relief.txt", "extra.txt",
                                                      "response-team.txt", "night-turn.zip"}
    assert all(r["export_sha256"] == hashlib.sha256(Path(r["export"]).read_bytes()).hexdigest() for r in rows)
    assert {r["chat_member"] for r in rows if r["export"].endswith(".zip")} == {"_chat.txt"}
    run_ = json.loads(sarif_path.read_text(encoding="utf-8"))["runs"][0]
    artifacts = run_["artifacts"]
    assert len(artifacts) == 6  # five exhibits, and the chat inside the zip nested in it
    zip_at = next(i for i, a in enumerate(artifacts) if a["location"]["uri"].endswith("night-turn.zip"))
    assert artifacts[zip_at + 1] == {"location": {"uri": "/_chat.txt"}, "parentIndex": zip_at,
                                     "hashes": {"sha-256": artifacts[zip_at]["properties"]["chat_sha256"]}}
    used = {r["locations"][0]["physicalLocation"]["artifactLocation"]["index"] for r in run_["results"]}
    assert zip_at + 1 in used and zip_at not in used  # zip findings point at the chat text inside it
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "error" and "broken.txt" in notes[0]["message"]["text"]


def test_the_evidence_pack_hashes_every_exhibit_and_verify_takes_several(case_folder: Path, tmp_path: Path, capsys) -> None:
    pack = tmp_path / "pack"
    code, _, err = run(capsys, "scan", str(case_folder), "--out", str(pack), "--generated-at", FROZEN)
    assert code == 1 and "evidence pack written" in err
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"] is None and len(manifest["inputs"]) == 5
    assert problems("evidence-manifest", manifest) == []
    for item in manifest["inputs"]:
        assert item["sha256"] == hashlib.sha256(Path(item["path"]).read_bytes()).hexdigest()
    assert [m["name"] for m in manifest["inputs"][4]["media"]]  # the zip's members are listed with it
    assert manifest["skipped"][0]["reason"] == "not a .txt or .zip export"
    strategy = (pack / "search-strategy.md").read_text(encoding="utf-8")
    assert strategy.count("### Exhibit ") == 5 and "NOT SCANNED" in strategy
    log = [json.loads(line) for line in (pack / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["source"] for e in log if e["event"] == "input_hashed") == [0, 2, 3, 4]  # as each was done
    assert [e["source"] for e in log if e["event"] == "input_failed"] == [1]
    code = main(["verify", str(pack), "--export", str(case_folder / "phone-a"),
                 "--export", str(case_folder / "phone-b" / "night-turn.zip")])
    out = capsys.readouterr().out
    assert code == 0 and "export night-turn.zip (exhibit " in out and "export broken.txt" in out
    stranger = tmp_path / "elsewhere" / "chat.txt"
    stranger.parent.mkdir()
    stranger.write_text(IOS_EXTRA.replace("CD15", "CD16"), encoding="utf-8")
    code = main(["verify", str(pack), "--export", str(stranger)])
    out = capsys.readouterr().out
    assert code == 4 and "matches none of the 5 exhibits recorded in manifest.json" in out


def test_check_takes_several_chats_and_names_the_one_it_cannot_read(case_folder: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    code, out, err = run(capsys, "check", str(case_folder), "--color", "never")
    assert code == 0
    assert out.startswith("Checking 5 chats")
    assert " 2. " in out and "broken.txt could not be read: " in out
    assert "of chat 3)" in out  # a finding of the extra iOS chat says which chat it is in
    assert "broken.txt" in err and "1 of 5 exports could not be read" in err


def test_a_bug_in_one_export_loses_only_that_export(case_folder: Path, out_dir: Path, capsys, monkeypatch) -> None:
    """An unexpected error while scanning one export (a bug) is that export's failure, one line, no
    traceback and no message text; the other exports are still in the report."""
    import whatsapp_audit.case as case_module

    real = case_module.scan_export

    def buggy(path: str, *args: object, **kwargs: object) -> object:
        if path.endswith("extra.txt"):
            raise KeyError("a message text that must not be printed")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_module, "scan_export", buggy)
    monkeypatch.delenv("WA_AUDIT_DEBUG", raising=False)
    code, report, err, _ = scan_json(capsys, out_dir, "bug.json", str(case_folder), "--jobs", "1")
    assert code == 1
    failed = [s for s in report["sources"] if s["status"] == "failed"]
    assert [Path(s["path"]).name for s in failed] == ["broken.txt", "extra.txt"]
    assert failed[1]["error"].endswith("extra.txt: internal error while scanning (KeyError); "
                                       "set WA_AUDIT_DEBUG=1 to see the traceback")
    assert "must not be printed" not in err and "Traceback" not in err
    assert len([s for s in report["sources"] if s["status"] == "scanned"]) == 3


def test_one_batch_builds_its_detectors_once_for_every_export(case_folder: Path, out_dir: Path, capsys,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Start-up is paid once per run, not per exhibit: the patterns are compiled once and reused."""
    from whatsapp_audit.detect.engine import Engine

    built: list[int] = []
    original = Engine.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Engine], *args: object, **kwargs: object) -> Engine:
        built.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Engine, "build", classmethod(counting))
    code, report, _, _ = scan_json(capsys, out_dir, "once.json", str(case_folder), "--jobs", "1")
    assert code == 1 and [s["status"] for s in report["sources"]].count("scanned") == 4
    assert len(built) == 1
