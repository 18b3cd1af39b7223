"""Bad input gets one line naming the file and the problem, and exit 3 (2 for usage); never a traceback."""

from __future__ import annotations

import zipfile

import pytest

from whatsapp_audit import parse
from whatsapp_audit.cli.app import main
from whatsapp_audit.errors import InputError

CHAT = "14/03/2022, 18:05 - Ana Pike: hello\n"


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err


def assert_one_line_error(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("whatsapp-audit: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("command", ["parse", "inspect"])
def test_missing_file(capsys, tmp_path, command):
    code, err = run(capsys, command, str(tmp_path / "nope.txt"))
    assert code == 3
    assert_one_line_error(err, "nope.txt", "no such file")


def test_folder(capsys, tmp_path):
    code, err = run(capsys, "parse", str(tmp_path))
    assert code == 3
    assert_one_line_error(err, "is a folder")


def test_empty_file(capsys, write_export):
    code, err = run(capsys, "parse", str(write_export(b"")))
    assert code == 3
    assert_one_line_error(err, "is empty")


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, b"just some notes\nno chat here\n", b"%PDF-1.7\n%\xe2\xe3"])
def test_not_a_chat(capsys, write_export, content):
    code, err = run(capsys, "parse", str(write_export(content, "notes.txt")))
    assert code == 3
    assert_one_line_error(err, "no WhatsApp message headers found")


def test_unreadable_file(capsys, write_export, monkeypatch):
    # Permission bits do not stop root (CI runs as root), so the refusal is simulated at open().
    import builtins

    path = write_export(CHAT)
    real_open = builtins.open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    code, err = run(capsys, "parse", str(path))
    assert code == 3
    assert_one_line_error(err, "cannot be read")


def test_bad_zip(capsys, write_export):
    code, err = run(capsys, "parse", str(write_export(b"PK\x03\x04 truncated zip", "export.zip")))
    assert code == 3
    assert_one_line_error(err, "not a readable zip")


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_without_chat(capsys, write_export):
    path = _zip(write_export(b"", "export.zip"), {"IMG-0001.jpg": b"\xff\xd8\xff"})
    code, err = run(capsys, "parse", str(path))
    assert code == 3
    assert_one_line_error(err, "no chat text")


def test_zip_with_several_unnamed_texts(capsys, write_export):
    path = _zip(write_export(b"", "export.zip"), {"a.txt": CHAT, "b.txt": CHAT})
    code, err = run(capsys, "parse", str(path))
    assert code == 3
    assert_one_line_error(err, "cannot tell which is the chat")


def test_zip_bomb_chat_is_refused(write_export):
    path = write_export(b"", "export.zip")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", CHAT + "a" * (30 << 20))
    with pytest.raises(InputError, match="zip bomb"):
        parse(path)


def test_unknown_date_order_is_a_usage_error(capsys, write_export):
    code, _ = run(capsys, "parse", str(write_export(CHAT)), "--date-order", "dym")
    assert code == 2


def test_errors_never_quote_message_text(capsys, write_export):
    secret = "SECRET-WORDS-FROM-THE-CHAT"
    code, err = run(capsys, "parse", str(write_export(f"{secret}\nnot a chat\n")))
    assert code == 3 and secret not in err


def test_a_line_too_long_to_be_chat_is_refused_with_its_number(capsys, write_export, monkeypatch):
    from whatsapp_audit.ingest import lines

    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(lines, "CHUNK_SIZE", 256)
    path = write_export(CHAT + "x" * 5000)
    code, err = run(capsys, "parse", str(path))
    assert code == 3
    assert_one_line_error(err, "line 2 is longer than")
