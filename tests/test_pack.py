"""The evidence pack (`scan --out DIR`) as an investigator uses it: complete, reproducible, safe."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

FROZEN = "2024-06-01T09:00:00Z"
NAMES = ["SHA256SUMS", "audit.log.jsonl", "findings.csv", "findings.json", "manifest.json", "report.html", "search-strategy.md"]
CHAT = """\
02/05/2024, 22:00 - Jo Fenn: Evening all
02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE, secret word pelican
02/05/2024, 22:06 - Jo Fenn: Op BLACKWATER briefing moved, ring 07911 234567
"""


@pytest.fixture()
def export(write_export) -> Path:
    return write_export(CHAT, "chat.txt")


def pack(capsys, export: Path, folder: Path, *extra: str) -> tuple[int, str]:
    code = main(["scan", str(export), "--out", str(folder), "--no-progress", "--case-ref", "CASE-42/2024",
                 "--exhibit-ref", "JF/1", "--examiner", "DC Ash", *extra])
    return code, capsys.readouterr().err


def test_pack_has_every_file_and_sha256sums_checks_with_coreutils(export: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "case" / "pack"
    code, err = pack(capsys, export, folder)
    assert code == 1 and "evidence pack written" in err
    assert sorted(p.name for p in folder.iterdir()) == NAMES
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lines] == sorted(set(NAMES) - {"SHA256SUMS"})
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, check=True)


def test_manifest_records_tool_patterns_command_input_case_and_counts(export: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pack"
    pack(capsys, export, folder, "--min-confidence", "medium")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "COMPLETE"
    assert manifest["tool"]["name"] == "whatsapp-audit" and len(manifest["tool"]["package_sha256"]) == 64
    assert all(len(f["sha256"]) == 64 for f in manifest["patterns"]["files"]) and len(manifest["patterns"]["set_sha256"]) == 64
    assert manifest["command"]["argv"][:3] == ["whatsapp-audit", "scan", str(export)]
    assert manifest["command"]["options"]["min_confidence"] == {"value": "medium", "source": "commandline", "flag": "--min-confidence"}
    assert manifest["command"]["options"]["fail_on"]["source"] == "default"
    assert manifest["input"]["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert manifest["case"] == {"case_ref": "CASE-42/2024", "exhibit_ref": "JF/1", "examiner": "DC Ash", "purpose": ""}
    assert manifest["counts"]["findings"] >= 2 and manifest["coverage"]["accounted"] is True
    assert any("minute" in note for note in manifest["limitations"])
    outputs = {o["name"]: o["sha256"] for o in manifest["outputs"]}
    assert set(outputs) == {"findings.json", "report.html", "findings.csv", "search-strategy.md"}
    assert (folder / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    strategy = (folder / "search-strategy.md").read_text(encoding="utf-8")
    assert "Minimum confidence reported: medium" in strategy and "`OPS-VRM`" in strategy and "CASE-42/2024" in strategy


def test_zip_members_and_their_hashes_are_in_the_manifest(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pack"
    code, _ = pack(capsys, Path("examples/ios-night-turn-with-media.zip"), folder)
    assert code == 1
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    media = {m["name"]: m["sha256"] for m in manifest["input"]["media"]}
    assert set(media) == {"00000014-PHOTO-2024-05-02-01-12-40.jpg", "00000015-PHOTO-2024-05-02-05-45-00.jpg"}
    assert all(len(digest) == 64 for digest in media.values()) and manifest["input"]["chat_member"] == "_chat.txt"


def test_log_and_manifest_hold_no_message_text_or_names(export: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pack"
    pack(capsys, export, folder)
    for name in ("audit.log.jsonl", "manifest.json", "SHA256SUMS", "search-strategy.md"):
        text = (folder / name).read_text(encoding="utf-8")
        for secret in ("pelican", "AB12 CDE", "07911", "Kay Lund", "Jo Fenn", "Evening all"):
            assert secret not in text, (name, secret)
    events = [json.loads(line)["event"] for line in (folder / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert events[0] == "started" and events[-1] == "finished" and "parsed" in events and events.count("wrote") == 4


def test_same_input_and_frozen_time_give_identical_packs(export: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pack"
    pack(capsys, export, folder, "--generated-at", FROZEN)
    first = {name: (folder / name).read_bytes() for name in NAMES}
    folder.rename(tmp_path / "first")
    pack(capsys, export, folder, "--generated-at", FROZEN)
    # The processing log keeps true times (so SHA256SUMS, which hashes it, differs too); all else is the same
    same = [name for name in NAMES if name not in ("audit.log.jsonl", "SHA256SUMS")]
    assert {name: (folder / name).read_bytes() for name in same} == {name: first[name] for name in same}
    event_times = re.compile(rb'"time": ?"[^"]+"')
    assert event_times.sub(b"", (folder / "audit.log.jsonl").read_bytes()) == event_times.sub(b"", first["audit.log.jsonl"])
    folder.rename(tmp_path / "second")
    pack(capsys, export, folder)  # real clock: only run times (and the run id made from them) differ
    stamp = re.compile(rb'"(?:time|started_at|finished_at|generated_at|id)": "[^"]+"|Generated</dt><dd>[^<]+')
    for name in ("findings.json", "findings.csv", "search-strategy.md", "report.html"):
        assert stamp.sub(b"", (folder / name).read_bytes()) == stamp.sub(b"", first[name]), name


def test_refuses_the_exhibit_folder_and_a_non_empty_folder_without_force(export: Path, tmp_path: Path, capsys) -> None:
    code, err = pack(capsys, export, export.parent / "pack")
    assert code == 2 and "refusing to write" in err and sorted(p.name for p in export.parent.iterdir()) == ["chat.txt"]
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    code, err = pack(capsys, export, folder)
    assert code == 2 and "not empty" in err and sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    (folder / "notes.txt").unlink()
    assert pack(capsys, export, folder)[0] == 1
    first = (folder / "findings.json").read_bytes()
    code, err = pack(capsys, export, folder)
    assert code == 2 and (folder / "findings.json").read_bytes() == first
    code, _ = pack(capsys, export, folder, "--force")
    assert code == 1 and sorted(p.name for p in folder.iterdir()) == NAMES
    log = (folder / "audit.log.jsonl").read_text(encoding="utf-8")
    events = [json.loads(line) for line in log.splitlines()]
    assert any(e["event"] == "replaced" for e in events) and "--force" in log


def test_an_interrupted_run_leaves_an_incomplete_manifest(export: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    module = importlib.import_module("whatsapp_audit.cli.commands.scan")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "run_case", interrupted)
    folder = tmp_path / "pack"
    code, err = pack(capsys, export, folder)
    assert code == 130 and "interrupted" in err
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "INCOMPLETE" and manifest["outputs"] == []
    assert main(["verify", str(folder)]) == 4
    assert "status is INCOMPLETE" in capsys.readouterr().out


def test_the_log_is_written_as_the_run_goes_with_true_times(tmp_path: Path, capsys, monkeypatch) -> None:
    """Each export is logged when it is done, at that time, even with a frozen report time: the log of a
    run that dies half-way still says which exhibits were read, and when."""
    import whatsapp_audit.case as case_module

    (tmp_path / "exhibits").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "exhibits" / name).write_text(CHAT, encoding="utf-8")
    folder = tmp_path / "pack"
    seen: list[list[str]] = []
    scan_one = case_module.run_task

    def run_task(engine, task, options):  # type: ignore[no-untyped-def]
        log = (folder / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()
        seen.append([json.loads(line)["event"] for line in log])
        return scan_one(engine, task, options)

    monkeypatch.setattr(case_module, "run_task", run_task)
    before = datetime.now(UTC)
    code = main(["scan", str(tmp_path / "exhibits"), "--out", str(folder), "--no-progress", "--jobs", "1",
                 "--generated-at", FROZEN])
    after = datetime.now(UTC)
    assert code == 1
    # when the second export is about to be scanned, the first is already in the file
    assert seen[0] == ["started", "patterns_loaded"]
    assert seen[1] == ["started", "patterns_loaded", "input_hashed", "media_listed", "parsed", "detected"]
    log = [json.loads(line) for line in (folder / "audit.log.jsonl").read_text(encoding="utf-8").splitlines()]
    times = [datetime.fromisoformat(entry["time"].replace("Z", "+00:00")) for entry in log]
    assert times == sorted(times) and before - timedelta(seconds=1) <= times[0] and times[-1] <= after
    assert not any(entry["time"].startswith("2024-06-01T09:00") for entry in log)  # not the frozen report time
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["started_at"] == FROZEN  # the report time stays frozen
