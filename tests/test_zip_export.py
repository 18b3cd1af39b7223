"""Zip exports: the chat is found and read in place, media members are listed and hashed, unsafe
members are reported and never followed, and nothing is extracted."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile

from whatsapp_audit import open_export, parse

CHAT = "[14/03/2022, 18:05:09] Ana Pike: look\n\u200e[14/03/2022, 18:05:10] Ana Pike: \u200e<attached: 00000001-PHOTO-2022-03-14-18-05-10.jpg>\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def make_zip(path, extra=None):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", CHAT)
        archive.writestr("00000001-PHOTO-2022-03-14-18-05-10.jpg", JPEG)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def test_zip_chat_is_parsed_and_media_hashed(write_export):
    path = make_zip(write_export(b"", "WhatsApp Chat - Night Turn.zip"))
    before = sorted(os.listdir(path.parent))
    chat = parse(path)
    assert chat.source.container == "zip" and chat.source.chat_member == "_chat.txt"
    assert chat.source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert chat.source.chat_sha256 == hashlib.sha256(CHAT.encode()).hexdigest()
    assert [m.kind.value for m in chat.messages] == ["text", "media"]
    [member] = chat.media
    assert (member.name, member.size, member.sha256) == ("00000001-PHOTO-2022-03-14-18-05-10.jpg", len(JPEG), hashlib.sha256(JPEG).hexdigest())
    assert sorted(os.listdir(path.parent)) == before  # nothing extracted beside the exhibit


def test_media_is_read_in_place_by_base_name_and_bounded(write_export):
    path = make_zip(write_export(b"", "export.zip"))
    with open_export(path) as export:
        assert export.read_media("00000001-PHOTO-2022-03-14-18-05-10.jpg", 4) == JPEG[:4]
        assert export.read_media("some/folder/00000001-PHOTO-2022-03-14-18-05-10.jpg", 100) == JPEG
        assert export.read_media("missing.jpg", 10) is None


def test_unsafe_members_are_reported_not_followed(write_export):
    path = write_export(b"", "export.zip")
    make_zip(path, {"../../etc/evil.jpg": JPEG, "/abs/evil.jpg": JPEG})
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("link.jpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    chat = parse(path)
    notes = {m.name: m.note for m in chat.media}
    assert "climbs out" in notes["../../etc/evil.jpg"]
    assert "absolute" in notes["/abs/evil.jpg"]
    assert "symbolic link" in notes["link.jpg"]
    assert all(m.sha256 is None for m in chat.media if m.note)
    assert any("not read" in note for note in chat.warnings)
    with open_export(path) as export:
        assert export.read_media("link.jpg", 100) is None


def test_nested_zip_is_listed_not_opened(write_export):
    path = make_zip(write_export(b"", "export.zip"), {"inner.zip": b"PK\x05\x06" + b"\x00" * 18})
    chat = parse(path)
    assert "inner.zip" in [m.name for m in chat.media]
    assert chat.source.chat_member == "_chat.txt"


def test_android_zip_named_chat_is_found_among_other_texts(write_export):
    path = write_export(b"", "export.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("WhatsApp Chat with Night Turn.txt", "14/03/2022, 18:05 - Ana Pike: hi\n")
        archive.writestr("notes.txt", "not the chat")
    assert parse(path).source.chat_member == "WhatsApp Chat with Night Turn.txt"
