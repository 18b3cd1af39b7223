"""`whatsapp-audit redact` as a disclosure officer uses it, on invented exports."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from whatsapp_audit import parse
from whatsapp_audit.cli.app import main

LRM, PDF, LRE_LTR = "\u200e", "\u202c", "\u202a"
NBSP, NNBSP, FSI, PDI = "\u00a0", "\u202f", "\u2068", "\u2069"
NUMBER_AUTHOR = f"{LRE_LTR}+44{NBSP}7911{NBSP}234567{PDF}"  # how iOS writes an unsaved number

ANDROID = """\
14/03/2024, 08:58 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
14/03/2024, 08:59 - Sgt Rhian Blake added Tom Okafor, Jess Lund and Wyn Price
14/03/2024, 09:00 - Tom Okafor: Morning all, Jess you on the van?
14/03/2024, 09:01 - Jess Lund: Yes. Stop check on KX21 RVT outside the Co-op, driver Gary Pyke, 41, of 9 Mill Road
14/03/2024, 09:02 - Tom Okafor: Victim's mob is 07911 555123, ring her after 10
14/03/2024, 09:03 - Sgt Rhian Blake: Crime ref 13/45678/24 for the burglary.
Warrant address is SW1A 1AA, Rhian
14/03/2024, 09:04 - Wyn Price: IMG-20240314-WA0003.jpg (file attached)
14/03/2024, 09:05 - Jess Lund: This message was deleted
14/03/2024, 09:06 - Tom Okafor: Pyke again? cheers Wyn
14/03/2024, 09:07 - Wyn Price left
"""

IOS = (
    "\ufeff[14/03/2024, 21:58:12] Nights: \u200eMessages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them.\r\n"
    "[14/03/2024, 21:58:13] Nights: \u200eTom Okafor added Kit Arden\r\n"
    f"[14/03/2024, 22:04:51] Tom Okafor: @{FSI}Kit Arden{PDI} you on tonight? plate is AB12 CDE\r\n"
    f"[14/03/2024, 22:05:30] {NUMBER_AUTHOR}: yes, call me on 07911 234567 or email kit.a@example.org\r\n"
    f"[14/03/2024, 22:06:02] ~{NNBSP}Michelle: new to the group, hi all\r\n"
    f"\u200e[14/03/2024, 22:06:40] Tom Okafor: \u200e<attached: 00000012-PHOTO-2024-03-14-22-06-40.jpg>\r\n"
    "[14/03/2024, 22:07:00] Kit Arden: \u200eTom Okafor.vcf \u200edocument omitted\r\n"
    "[14/03/2024, 22:08:00] Tom Okafor: Michelle, Kit: briefing at 7\r\n"
    "[14/03/2024, 22:09:00] Kit Arden: @447911234567 ring 01632 960 001 first\r\n"
)


def _export(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _redact(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["redact", *args])
    return code, capsys.readouterr().err


@pytest.fixture
def case(tmp_path: Path) -> dict[str, Path]:
    for folder in ("exhibit", "disclosure", "case"):
        (tmp_path / folder).mkdir()
    return {"exhibit": tmp_path / "exhibit", "out": tmp_path / "disclosure", "case": tmp_path / "case"}


def _texts(path: Path) -> list[tuple[str | None, str]]:
    return [(m.author, m.text) for m in parse(path).messages]


def test_android_copy_parses_alike_and_hides_people_and_values(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    copy = case["out"] / "chat.txt"
    code, err = _redact(capsys, str(exhibit), "--output", str(copy))
    assert code == 0, err
    original, redacted = parse(exhibit), parse(copy)
    assert len(redacted.messages) == len(original.messages)
    assert [(m.line, m.end_line, m.kind) for m in redacted.messages] == [(m.line, m.end_line, m.kind) for m in original.messages]
    text = copy.read_text(encoding="utf-8")
    for secret in ("Rhian", "Blake", "Okafor", "Jess", "Lund", "Wyn", "Price", "Gary", "Pyke", "KX21", "07911", "555123",
                   "234567", "SW1A", "Mill Road", "45678"):
        assert secret not in text, secret
    authors = [m.author for m in redacted.messages if m.author]
    assert authors == ["Participant B", "Participant C", "Participant B", "Participant A", "Participant D",
                       "Participant C", "Participant B"]
    assert "14/03/2024, 08:59 - Participant A added Participant B, Participant C and Participant D\n" in text
    assert "driver Person 1, 41, of [ADDRESS]" in text and "[VRM]" in text and "[PHONE]" in text
    assert "Crime ref [REF] for the burglary.\nWarrant address is [POSTCODE], Participant A\n" in text
    assert "Person 1 again? cheers Participant D" in text
    # Lines where nothing was replaced keep their bytes.
    assert text.splitlines()[0] == ANDROID.splitlines()[0]
    assert "IMG-20240314-WA0003.jpg (file attached)" in text
    assert "redacted copy written" in err and "same lines, messages and kinds" in err


def test_the_log_says_what_was_replaced_and_never_the_values(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    copy, sealed = case["out"] / "chat.txt", case["case"] / "sealed.json"
    code, _ = _redact(capsys, str(exhibit), "-o", str(copy), "--sealed", str(sealed))
    assert code == 0
    log_text = (case["out"] / "chat.txt.redaction-log.json").read_text(encoding="utf-8")
    log = json.loads(log_text)
    for secret in ("Okafor", "KX21", "07911", "Pyke", "SW1A"):
        assert secret not in log_text
    assert log["source"]["sha256"] == parse(exhibit).source.sha256
    assert log["check"]["residual"] == {"values": {}, "value_lines": [], "names": 0, "name_lines": []}
    assert log["counts"]["VRM"] == 1 and log["counts"]["person"] >= 2
    plate = next(r for r in log["replacements"] if r["type"] == "VRM")
    assert plate == {"line": 4, "column": 51, "where": "text", "type": "VRM", "replacement": "[VRM]", "rule": "OPS-VRM"}
    assert ANDROID.splitlines()[3][50:58] == "KX21 RVT"
    authors = [r for r in log["replacements"] if r["where"] == "author"]
    assert len(authors) == 7 and all(r["column"] == 21 for r in authors)
    originals = json.loads(sealed.read_text(encoding="utf-8"))
    assert [e["original"] for e in originals["entries"] if e["type"] == "VRM"] == ["KX21 RVT"]
    assert len(originals["entries"]) == len(log["replacements"])
    if os.name == "posix":
        assert stat.S_IMODE(sealed.stat().st_mode) == 0o600


def test_ios_marks_line_ends_and_bom_survive(capsys, case):
    exhibit = _export(case["exhibit"], "_chat.txt", IOS)
    copy = case["out"] / "chat.txt"
    code, err = _redact(capsys, str(exhibit), "-o", str(copy))
    assert code == 0, err
    data = copy.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == IOS.count("\r\n")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == IOS.lstrip("\ufeff").splitlines()[0]  # untouched line, same bytes
    for secret in ("Okafor", "Kit", "Arden", "Michelle", "7911", "AB12", "kit.a@"):
        assert secret not in text, secret
    lines = text.split("\r\n")
    assert lines[1] == "[14/03/2024, 21:58:13] Nights: \u200eParticipant A added Participant B"
    assert lines[2] == f"[14/03/2024, 22:04:51] Participant A: @{FSI}Participant B{PDI} you on tonight? plate is [VRM]"
    # The unsaved number keeps its bidi wrapping around the pseudonym; "~ " stays in front of a non-contact.
    # A participant's own number in the text is their pseudonym too.
    assert lines[3] == f"[14/03/2024, 22:05:30] {LRE_LTR}Participant C{PDF}: yes, call me on Participant C or email [EMAIL]"
    assert lines[4] == f"[14/03/2024, 22:06:02] ~{NNBSP}Participant D: new to the group, hi all"
    assert lines[5] == "\u200e[14/03/2024, 22:06:40] Participant A: \u200e<attached: 00000012-PHOTO-2024-03-14-22-06-40.jpg>"
    assert lines[6] == "[14/03/2024, 22:07:00] Participant B: \u200eParticipant A.vcf \u200edocument omitted"
    assert lines[7] == "[14/03/2024, 22:08:00] Participant A: Participant D, Participant B: briefing at 7"
    # A mention by number, and a number in Ofcom's drama range: masked anyway in a disclosure copy.
    assert lines[8] == "[14/03/2024, 22:09:00] Participant B: @Participant C ring [PHONE] first"
    original, redacted = parse(exhibit), parse(copy)
    assert [m.kind for m in redacted.messages] == [m.kind for m in original.messages]


def test_keep_leaves_the_subject_officer_by_display_form_or_number(capsys, case):
    exhibit = _export(case["exhibit"], "_chat.txt", IOS)
    copy = case["out"] / "chat.txt"
    code, err = _redact(capsys, str(exhibit), "-o", str(copy), "--keep", "+447911234567", "--keep", "Michelle")
    assert code == 0, err
    text = copy.read_text(encoding="utf-8-sig")
    assert f"] {NUMBER_AUTHOR}: yes, call me on" in text  # the kept number, as written
    assert f"] ~{NNBSP}Michelle: new to the group" in text
    assert "Tom Okafor: Michelle, Participant B: briefing" not in text
    assert "Participant A: Michelle, Participant B: briefing at 7" in text
    code, err = _redact(capsys, str(exhibit), "-o", str(copy), "--keep", "Nobody Here")
    assert code == 0 and "--keep 'Nobody Here' matches nobody in this export" in err


def test_one_key_gives_one_pseudonym_per_name_across_exports(capsys, case):
    android = _export(case["exhibit"], "chat.txt", ANDROID)
    ios = _export(case["exhibit"], "_chat.txt", IOS)
    key = case["case"] / "key.json"
    assert _redact(capsys, str(android), "-o", str(case["out"] / "a.txt"), "--key", str(key))[0] == 0
    first = key.read_bytes()
    if os.name == "posix":
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _redact(capsys, str(ios), "-o", str(case["out"] / "b.txt"), "--key", str(key))[0] == 0
    entries = {e["names"][0]: e["pseudonym"] for e in json.loads(key.read_text(encoding="utf-8"))["entries"]}
    tom = entries["Tom Okafor"]
    assert dict(_texts(case["out"] / "a.txt")).get(tom) is not None
    assert [a for a, _ in _texts(case["out"] / "b.txt")].count(tom) == 3
    assert entries["Kit Arden"] not in {v for k, v in entries.items() if k != "Kit Arden"}
    # The iOS number and Michelle were new: the key grew, and the first export's copy is unchanged on a rerun.
    assert len(entries) == 8 and key.read_bytes() != first
    before = (case["out"] / "a.txt").read_bytes()
    assert _redact(capsys, str(android), "-o", str(case["out"] / "a.txt"), "--key", str(key))[0] == 0
    assert (case["out"] / "a.txt").read_bytes() == before


def test_same_input_same_bytes(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    outputs = []
    for name in ("one", "two"):
        folder = case["out"] / name
        folder.mkdir()
        assert _redact(capsys, str(exhibit), "-o", str(folder / "chat.txt"))[0] == 0
        log = json.loads((folder / "chat.txt.redaction-log.json").read_text(encoding="utf-8"))
        log["output"]["path"] = ""
        outputs.append(((folder / "chat.txt").read_bytes(), log))
    assert outputs[0] == outputs[1]


def test_zip_copy_leaves_media_out_unless_asked_and_renames_files(capsys, case):
    archive = case["exhibit"] / "WhatsApp Chat - Nights.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("_chat.txt", IOS.replace("\u200eTom Okafor.vcf \u200edocument omitted",
                                                 "\u200e<attached: 00000013-Tom Okafor.vcf>"))
        zipped.writestr("00000012-PHOTO-2024-03-14-22-06-40.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 16)
        zipped.writestr("00000013-Tom Okafor.vcf", "BEGIN:VCARD\nFN:Tom Okafor\nEND:VCARD\n")
    before = archive.read_bytes()
    copy = case["out"] / "nights.zip"
    code, err = _redact(capsys, str(archive), "-o", str(copy))
    assert code == 0 and "2 media files of the zip were left out" in err
    with zipfile.ZipFile(copy) as zipped:
        assert zipped.namelist() == ["_chat.txt"]
        assert "<attached: 00000013-Participant A.vcf>" in zipped.read("_chat.txt").decode("utf-8-sig")
    code, err = _redact(capsys, str(archive), "-o", str(copy), "--include-media")
    assert code == 0 and "NOT redacted" in err
    with zipfile.ZipFile(copy) as zipped:
        assert zipped.namelist() == ["_chat.txt", "00000012-PHOTO-2024-03-14-22-06-40.jpg", "00000013-Participant A.vcf"]
    assert archive.read_bytes() == before
    assert len(parse(copy).messages) == len(parse(archive).messages)


def test_utf16_and_undecodable_bytes_keep_their_encoding(capsys, case):
    wide = _export(case["exhibit"], "wide.txt", ("\ufeff" + ANDROID).encode("utf-16-le"))
    copy = case["out"] / "wide.txt"
    assert _redact(capsys, str(wide), "-o", str(copy))[0] == 0
    assert copy.read_bytes().startswith(b"\xff\xfe")
    assert "Participant B: Morning all" in copy.read_bytes().decode("utf-16")
    broken = ANDROID.encode("utf-8").replace(b"Tap to learn", b"Tap \xff to learn").replace(b"Morning", b"Morn\xffing")
    bad = _export(case["exhibit"], "bad.txt", broken)
    copy = case["out"] / "bad.txt"
    assert _redact(capsys, str(bad), "-o", str(copy))[0] == 0
    assert len(parse(copy).messages) == len(parse(bad).messages)
    data = copy.read_bytes()
    assert b"Tap \xff to learn" in data  # nothing replaced on that line: its bytes, bad one included
    assert "Participant B: Morn\ufffding all".encode() in data  # a rewritten line shows U+FFFD, as parse does


@pytest.mark.parametrize("flag", ["--output", "--log", "--key", "--sealed"])
def test_nothing_is_written_beside_the_exhibit(capsys, case, flag):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    listing = sorted(os.listdir(case["exhibit"]))
    args = [str(exhibit), "-o", str(case["out"] / "chat.txt"), flag, str(case["exhibit"] / "x.json")]
    if flag == "--output":
        args = [str(exhibit), "-o", str(case["exhibit"] / "copy.txt")]
    code, err = _redact(capsys, *args)
    assert code == 2 and "refusing to write inside the folder of the export" in err and len(err.splitlines()) == 1
    assert sorted(os.listdir(case["exhibit"])) == listing


def test_the_key_never_sits_beside_the_disclosed_copy(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    code, err = _redact(capsys, str(exhibit), "-o", str(case["out"] / "chat.txt"), "--key", str(case["out"] / "key.json"))
    assert code == 2 and "must not be in the folder of the redacted copy" in err
    assert not (case["out"] / "chat.txt").exists()


def test_bad_key_and_missing_folder_are_one_line_errors(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    key = case["case"] / "key.json"
    key.write_text('{"schema": "something else"}', encoding="utf-8")
    code, err = _redact(capsys, str(exhibit), "-o", str(case["out"] / "chat.txt"), "--key", str(key))
    assert code == 2 and "not a case key" in err and len(err.splitlines()) == 1
    code, err = _redact(capsys, str(exhibit), "-o", str(case["out"] / "nowhere" / "chat.txt"))
    assert code == 2 and "does not exist" in err
    code, err = _redact(capsys, str(case["exhibit"] / "missing.txt"), "-o", str(case["out"] / "chat.txt"))
    assert code == 3 and "no such file" in err


def test_loose_pieces_are_redacted_like_the_copy_and_spans_follow():
    from datetime import datetime

    from whatsapp_audit.redact import load_key
    from whatsapp_audit.redact.loose import LooseRedactor

    when = datetime(2024, 3, 14, 9, 2)
    text = "Victim's mob is 07911 555123, ring her Jess. Gary Pyke, 41, of 9 Mill Road"
    loose = LooseRedactor.build(["Tom Okafor", "Jess Lund"], [(text, when)], load_key(None), keep=["Tom Okafor"])
    done = loose.text(text, when)
    assert done.text == "Victim's mob is [PHONE], ring her Participant A. Person 1, 41, of [ADDRESS]"
    start, end = text.index("07911"), text.index(", ring")
    assert done.text[done.position(start):done.position(end, end=True)] == "[PHONE]"
    assert done.text[done.position(text.index("Gary")):done.position(text.index(", 41"), end=True)] == "Person 1"
    assert done.position(len(text), end=True) == len(done.text)
    assert loose.name("Jess Lund") == "Participant A" and loose.name("Tom Okafor") == "Tom Okafor"
    assert loose.path("exhibits/WhatsApp Chat with Jess Lund.txt") == "exhibits/WhatsApp Chat with Participant A.txt"


def test_a_marker_is_no_context_word_when_the_copy_is_checked(capsys, case):
    # "[VRM]" is itself a plate context word: beside it, a handle that looks like an old plate must
    # not be reported as a value the copy still holds.
    exhibit = _export(case["exhibit"], "chat.txt", "14/03/2024, 09:00 - Tom Okafor: @KL19ABC @RTW4821 see you both there\n"
                                                   "14/03/2024, 09:01 - Jess Lund: ok\n")
    code, err = _redact(capsys, str(exhibit), "-o", str(case["out"] / "chat.txt"))
    assert code == 0 and "still holds" not in err
    assert "Participant A: @[VRM] @RTW4821 see you both there" in (case["out"] / "chat.txt").read_text(encoding="utf-8")


SECRETS = ("Rhian", "Blake", "Okafor", "Jess", "Lund", "Wyn", "Price", "Gary", "Pyke", "KX21", "555123", "SW1A",
           "Mill Road", "45678")


def test_scan_redact_masks_every_report_as_the_copy_is_masked(capsys, case):
    exhibit = _export(case["exhibit"], "WhatsApp Chat with Jess Lund.txt", ANDROID)
    key = case["case"] / "key.json"
    copy = case["out"] / "copy.txt"
    assert _redact(capsys, str(exhibit), "-o", str(copy), "--key", str(key))[0] == 0
    reports = {fmt: case["out"] / f"report.{fmt}" for fmt in ("json", "jsonl", "csv", "html", "sarif", "text")}
    args = ["scan", str(exhibit), "--redact", "--key", str(key), "--no-progress"]
    for fmt, path in reports.items():
        args += ["--report", f"{fmt}:{path}"]
    assert main(args) == 1
    capsys.readouterr()
    for fmt, path in reports.items():
        text = path.read_text(encoding="utf-8-sig")
        assert not [s for s in SECRETS if s in text], fmt
    report = json.loads(reports["json"].read_text(encoding="utf-8"))
    assert report["redaction"]["key"] == str(key) and "redacted for disclosure" in report["limitations"][0]
    assert report["sources"][0]["path"].endswith("WhatsApp Chat with Participant C.txt")
    copy_lines = copy.read_text(encoding="utf-8").split("\n")
    for finding in report["findings"]:
        # The same masking as the copy: the flagged message reads as the copy's line, and its span moved with it.
        assert copy_lines[finding["line"] - 1].endswith(finding["message_text"].split("\n")[0])
        if finding["start"] is not None:
            assert finding["message_text"][finding["start"]:finding["end"]] == finding["matched"]
    plate = next(f for f in report["findings"] if f["rule"] == "OPS-VRM")
    assert plate["matched"] == plate["normalised"] == "[VRM]" and plate["author"] == "Participant C"


def test_scan_redact_refusals(capsys, case):
    exhibit = _export(case["exhibit"], "chat.txt", ANDROID)
    assert main(["scan", str(exhibit), "--redact", "--out", str(case["out"] / "pack")]) == 2
    assert "--redact cannot make an evidence pack" in capsys.readouterr().err
    assert main(["scan", str(exhibit), "--key", str(case["case"] / "k.json")]) == 2
    assert "--key and --keep go with --redact" in capsys.readouterr().err
    assert main(["scan", str(exhibit), "--redact", "--key", str(case["out"] / "k.json"),
                 "--report", f"json:{case['out'] / 'r.json'}"]) == 2
    assert "must not be in the folder of a redacted report" in capsys.readouterr().err
    assert not (case["out"] / "r.json").exists()


def test_a_person_with_the_place_they_live_loses_both():
    from whatsapp_audit.model import Category, Confidence, Explanation, Finding, Severity
    from whatsapp_audit.redact.policy import load_policy
    from whatsapp_audit.redact.spans import apply, finding_replacements

    text = "Pryce, 47, of Hollybank View, Morpeth, admitted the offence"
    finding = Finding("OPS-PERSON-PLACE", Category.OPERATIONAL_DATA, Severity.HIGH, Confidence.MEDIUM, 0.6, 0, 1,
                      0, text.index(", admitted"), text[:text.index(", admitted")], "Pryce", Explanation("x"))
    found = finding_replacements([finding], text, load_policy(), {"pryce": "Person 1"})
    assert apply(text, found) == "Person 1, 47, of [ADDRESS], admitted the offence"
