"""`whatsapp-audit merge` on invented exports of one group from several phones."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main
from whatsapp_audit.merge import merge_exports
from whatsapp_audit.merge.model import Gaps
from whatsapp_audit.report.merge_report import explanations, merge_dict

LRM = "\u200e"

# Kit's iPhone: made the group, saw everything, exported first.
KIT_IOS = f"""\
[10/06/2024, 14:00:01] Late turn: {LRM}You created group “Late turn”
[10/06/2024, 14:00:02] Late turn: {LRM}You added Lou Marsh
[10/06/2024, 14:05:10] Kit Arden: First shift of the new rota starts Monday
[10/06/2024, 14:06:22] Lou Marsh: Who is on the custody desk this week?
[10/06/2024, 14:07:00] Kit Arden: Not sure yet, I will check the board
[10/06/2024, 15:30:45] Late turn: {LRM}You added Jonas Weber
[10/06/2024, 15:31:10] Jonas Weber: Hallo, thanks for adding me to the group
[10/06/2024, 15:40:00] Lou Marsh: Welcome Jonas, kettle is in the back office
[10/06/2024, 16:02:33] Jonas Weber: The new sergeant is useless at handovers, honestly
[10/06/2024, 16:03:05] Kit Arden: Careful what you put on here mate
[10/06/2024, 16:10:00] Lou Marsh: Briefing moved to 1700 in room 2
[10/06/2024, 16:11:40] Jonas Weber: Got it, see you at the briefing
[13/06/2024, 09:00:00] Kit Arden: Rota for next week is on the board now
"""

# Jonas's Android phone in German: joined at 15:30, deleted his own message for everyone and one
# "for me", and saw Lou's later edit.
JONAS_ANDROID_DE = """\
10.06.24, 15:30 - Kit Arden hat dich hinzugefügt.
10.06.24, 15:31 - Jonas Weber: Hallo, thanks for adding me to the group
10.06.24, 15:40 - Lou Marsh: Welcome Jonas, kettle is in the back office
10.06.24, 16:02 - Jonas Weber: Du hast diese Nachricht gelöscht.
10.06.24, 16:03 - Kit Arden: Careful what you put on here mate
10.06.24, 16:10 - Lou Marsh: Briefing moved to 1700 in room 3 <Diese Nachricht wurde bearbeitet.>
13.06.24, 09:00 - Kit Arden: Rota for next week is on the board now
"""

# Lou's Android phone, set an hour ahead, with Kit saved under another name.
LOU_ANDROID_AHEAD = """\
10/06/2024, 15:05 - Sgt K Arden: First shift of the new rota starts Monday
10/06/2024, 15:06 - Lou Marsh: Who is on the custody desk this week?
10/06/2024, 15:07 - Sgt K Arden: Not sure yet, I will check the board
10/06/2024, 16:31 - Jonas Weber: Hallo, thanks for adding me to the group
10/06/2024, 16:40 - Lou Marsh: Welcome Jonas, kettle is in the back office
10/06/2024, 17:02 - Jonas Weber: The new sergeant is useless at handovers, honestly
10/06/2024, 17:03 - Sgt K Arden: Careful what you put on here mate
10/06/2024, 17:10 - Lou Marsh: Briefing moved to 1700 in room 3 <This message was edited>
10/06/2024, 17:11 - Jonas Weber: Got it, see you at the briefing
13/06/2024, 10:00 - Sgt K Arden: Rota for next week is on the board now
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def phones(tmp_path: Path) -> list[Path]:
    exhibits = tmp_path / "exhibits"
    return [_write(exhibits / "kit", "_chat.txt", KIT_IOS),
            _write(exhibits / "jonas", "WhatsApp Chat mit Late turn.txt", JONAS_ANDROID_DE),
            _write(exhibits / "lou", "WhatsApp Chat with Late turn.txt", LOU_ANDROID_AHEAD)]


def _ids(result, texts):
    return tuple(m.id for m in result.messages if any(m.text.startswith(t) for t in texts))


def test_the_example_ios_android_pair_lists_exactly_the_deleted_messages():
    result = merge_exports(["examples/van-3-ios-priya.txt", "examples/van-3-android-dan.txt"])
    ios, android = result.gaps
    assert [result.messages[i].text for i in android.within] == [
        "Sarge says that prisoner is a proper animal, should have tasered him", "Dan that's not ok, not on here"]
    assert android.before_first == android.after_last == ()
    assert [result.messages[i].text[:30] for i in android.placeholders] == ["Stopped a Corsa on Mill Lane, "]
    assert ios.within == ios.before_first == ios.placeholders == ()
    assert [result.messages[i].author for i in ios.after_last] == ["Mo Reid", "Dan Cole"]
    assert [result.messages[i].text for i in ios.differs] == ["Back at the nick at 0100, brew anyone?"]
    sam = next(a for a in result.authors if a.name == "Sam Kerr")
    assert sam.names == ((0, "Sam Kerr"), (1, "+44 7700 900461"))
    # The Android export's dates (3/2/24 ...) could be either order: the reading that aligns was kept.
    assert result.exports[1].survey.date_order == "mdy" and result.exports[1].date_order_note
    assert sum(1 for m in result.messages if m.sources == (0, 1)) == 14


def test_three_phones_three_formats_languages_and_clocks(phones):
    result = merge_exports(phones)
    kit, jonas, lou = result.gaps
    assert result.exports[2].clock_offset_minutes == -60
    assert result.exports[1].joined_at is not None and result.exports[0].created_group
    assert jonas.before_first == _ids(result, ["First shift", "Who is on", "Not sure yet"])
    assert "joined the group at 2024-06-10 15:30" in explanations(result.exports[1], jonas)["before_first"]
    assert jonas.within == _ids(result, ["Got it, see you"])
    assert jonas.placeholders == _ids(result, ["The new sergeant is useless"])
    assert kit.differs == jonas.differs == lou.differs == _ids(result, ["Briefing moved"])
    assert kit.within == kit.before_first == kit.after_last == kit.placeholders == ()
    assert lou.within == lou.after_last == ()
    arden = next(a for a in result.authors if a.name == "Kit Arden")
    assert arden.names == ((0, "Kit Arden"), (1, "Kit Arden"), (2, "Sgt K Arden"))
    rota = next(m for m in result.messages if m.text.startswith("Rota"))
    assert rota.sources == (0, 1, 2) and rota.timestamp.isoformat() == "2024-06-13T09:00:00"


def test_json_names_every_export_with_its_hash_and_period(phones, tmp_path, capsys):
    out = tmp_path / "report" / "merge.json"
    out.parent.mkdir()
    code = main(["merge", *map(str, phones), "--format", "json", "--output", str(out)])
    err = capsys.readouterr().err
    assert code == 0 and "missing from an export within the period it covers" in err
    report = json.loads(out.read_text(encoding="utf-8"))
    first = report["exports"][0]
    assert {"path", "sha256", "format", "first_message", "last_message"} <= set(first)
    assert first["first_message"] == "2024-06-10T14:00:01" and first["last_message"] == "2024-06-13T09:00:00"
    assert report["exports"][1]["format"]["shape"] == "android" and len(first["sha256"]) == 64
    message = next(m for m in report["messages"] if m["text"].startswith("Got it"))
    assert message["sources"] == [0, 2] and message["author"] == "Jonas Weber"
    assert message["id"] in report["exports"][1]["lacks"]["within_period"]
    assert [c["line"] for c in message["copies"]] == [12, 9]
    again = tmp_path / "report" / "again.json"
    assert main(["merge", *map(str, phones), "--format", "json", "--output", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_text_and_html_show_what_each_export_lacks_safely(phones, tmp_path, capsys):
    hostile = _write(tmp_path / "exhibits" / "x", "chat.txt", KIT_IOS.replace(
        "First shift of the new rota", "<script>alert(1)</script> First shift\u202e of the new rota"))
    assert main(["merge", str(hostile), str(phones[1])]) == 0
    text = capsys.readouterr().out
    assert "missing before its first message: 3" in text and "⟨U+202E⟩" in text
    out = tmp_path / "merge.html"
    assert main(["merge", str(hostile), str(phones[1]), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page and "Content-Security-Policy" in page
    assert page.count('class="mark absent">missing<') == 4


def test_refusals_are_one_line_errors(phones, tmp_path, capsys):
    code = main(["merge", str(phones[0]), str(phones[1]), "-o", str(phones[1].parent / "merge.txt")])
    err = capsys.readouterr().err
    assert code == 2 and "refusing to write inside the folder" in err and len(err.splitlines()) == 1
    assert main(["merge", str(phones[0])]) == 2
    assert "at least two exports" in capsys.readouterr().err
    assert main(["merge", str(phones[0]), str(phones[0])]) == 2
    assert "the same file as export 0" in capsys.readouterr().err
    assert main(["merge", str(phones[0]), str(tmp_path / "nope.txt")]) == 3
    assert main(["merge", str(phones[0]), str(phones[1]), "--date-order", "7:dmy"]) == 2


def test_exports_of_different_chats_are_flagged(phones, tmp_path):
    other = _write(tmp_path / "exhibits" / "other", "chat.txt",
                   "14/03/2024, 09:00 - Ana Pike: Completely different group here today\n"
                   "15/03/2024, 09:00 - Bo Reed: Nothing in common with the other one at all\n")
    result = merge_exports([phones[0], other])
    assert sum("shares no message with the other exports" in w for w in result.warnings) == 2


def test_explanations_name_the_export_cap():
    result = merge_exports(["examples/van-3-ios-priya.txt", "examples/van-3-android-dan.txt"])
    capped = replace(result.exports[1], near_cap=True, joined_at=None)
    note = explanations(capped, Gaps(1, (3,), (), (), (), ()))
    assert "export cap" in note["before_first"]
    assert merge_dict(result)["summary"]["messages"] == len(result.messages)


def test_a_number_that_only_says_ok_is_still_matched_to_its_name(tmp_path):
    ios = _write(tmp_path / "a", "_chat.txt",
                 "[10/06/2024, 14:05:10] Kit Arden: First shift of the new rota starts Monday\n"
                 "[10/06/2024, 14:06:00] Ray Tull: ok\n"
                 "[10/06/2024, 14:20:30] Kit Arden: Who has the van keys tonight then\n"
                 "[10/06/2024, 14:21:02] Ray Tull: me\n"
                 "[13/06/2024, 09:00:00] Ray Tull: on way\n")
    android = _write(tmp_path / "b", "chat.txt",
                     "10/06/2024, 14:05 - Kit Arden: First shift of the new rota starts Monday\n"
                     "10/06/2024, 14:06 - +44 7700 900777: ok\n"
                     "10/06/2024, 14:20 - Kit Arden: Who has the van keys tonight then\n"
                     "10/06/2024, 14:21 - +44 7700 900777: me\n"
                     "13/06/2024, 09:00 - +44 7700 900777: on way\n")
    result = merge_exports([ios, android])
    assert [a.names for a in result.authors if a.name == "Ray Tull"] == [((0, "Ray Tull"), (1, "+44 7700 900777"))]
    assert all(m.sources == (0, 1) for m in result.messages)
