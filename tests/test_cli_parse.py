"""`parse` and `inspect` as a user runs them: output formats, the coverage line, evidence untouched."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from whatsapp_audit.cli.app import main

CHAT = (
    "Exported from a phone\n"
    "14/03/2022, 18:05 - Ana Pike created group \"Lates\"\n"
    "14/03/2022, 18:06 - Ana Pike: =HYPERLINK(\"http://example.invalid\")\n"
    "second line\n"
    "15/03/2022, 09:10 - Bo Reed: IMG-20220315-WA0001.jpg (file attached)\n"
    "15/03/2022, 09:11 - Bo Reed: [bold]not markup[/bold]\n"
)


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_jsonl_is_one_object_per_message_in_file_order(capsys, write_export):
    code, out, err = run(capsys, "parse", write_export(CHAT))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in records] == [2, 3, 5, 6]
    first, second, media, _ = records
    assert first == {**first, "author": None, "kind": "system", "timestamp": "2022-03-14T18:05:00", "attachment": None}
    assert second["end_line"] == 4 and second["text"] == '=HYPERLINK("http://example.invalid")\nsecond line'
    assert media["attachment"] == "IMG-20220315-WA0001.jpg" and media["kind"] == "media" and media["media_type"] == "image"
    assert "6 lines = 4 in 3 messages + 1 in 1 system events + 1 unparsed (every line accounted for)" in err


def test_parse_json_document_carries_source_and_coverage(capsys, write_export):
    code, out, _ = run(capsys, "parse", write_export(CHAT), "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["schema"] == "whatsapp-audit/messages/1"
    assert len(document["source"]["sha256"]) == 64 and document["source"]["format"]["date_order"] == "dmy"
    assert document["coverage"]["accounted"] and document["coverage"]["unparsed"] == [
        {"first_line": 1, "last_line": 1, "reason": "before the first message header"}
    ]
    assert len(document["messages"]) == 4


def test_parse_csv_guards_formulas(capsys, write_export, out_dir):
    target = out_dir / "messages.csv"
    code, _, _ = run(capsys, "parse", write_export(CHAT), "--format", "csv", "--output", target)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[1]["text"].startswith("'=HYPERLINK")
    assert rows[0]["author"] == ""


def test_output_beside_the_exhibit_is_refused(capsys, write_export):
    path = write_export(CHAT)
    code, _, err = run(capsys, "parse", path, "--output", path.parent / "messages.jsonl")
    assert code == 2 and "refusing to write inside the folder of the export" in err
    assert sorted(os.listdir(path.parent)) == ["chat.txt"]


def test_inspect_reports_format_participants_and_limitations(capsys, write_export):
    code, out, _ = run(capsys, "inspect", write_export(CHAT))
    assert code == 0
    assert "Android" in out and "the first number is above 12" in out
    assert "Bo Reed" in out and "Ana Pike" in out
    assert "[bold]not markup[/bold]" not in out  # message text is not shown by inspect
    assert "timestamps are to the minute only" in out
    assert "1 line could not be read as a message (line 1)" in out


def test_inspect_json(capsys, write_export):
    _, out, _ = run(capsys, "inspect", write_export(CHAT), "--format", "json")
    record = json.loads(out)
    assert record["participants"] == [
        {"name": "Bo Reed", "messages": 2, "display_name": "Bo Reed", "shown_as": "name"},
        {"name": "Ana Pike", "messages": 1, "display_name": "Ana Pike", "shown_as": "name"},
    ]
    assert record["date_range"] == {"first": "2022-03-14T18:05:00", "last": "2022-03-15T09:11:00"}


def test_hostile_names_stay_inert_in_the_terminal(capsys, write_export):
    chat = "14/03/2022, 18:05 - [red]Boss[/red]\u202eevil\x1b[31m: hi\n"
    code, out, _ = run(capsys, "inspect", write_export(chat))
    assert code == 0
    assert "[red]Boss[/red]" in out and "\x1b[31m" not in out and "\u202e" not in out
    assert "⟨U+202E⟩" in out


@pytest.mark.parametrize("command", [["parse"], ["parse", "--format", "json"], ["inspect"], ["inspect", "--format", "json"]])
def test_the_exhibit_is_never_changed(capsys, write_export, command):
    path = write_export(CHAT)
    before = (path.read_bytes(), os.stat(path).st_mtime_ns, sorted(os.listdir(path.parent)))
    assert main([command[0], str(path), *command[1:]]) == 0
    capsys.readouterr()
    assert (path.read_bytes(), os.stat(path).st_mtime_ns, sorted(os.listdir(path.parent))) == before


def test_module_entry_point_and_deterministic_output(write_export):
    path = write_export(CHAT)
    runs = [
        subprocess.run([sys.executable, "-m", "whatsapp_audit", "parse", str(path)], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and runs[0].count("\n") == 4
