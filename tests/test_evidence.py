"""The exhibit is read-only: every command leaves its bytes, its time stamps and its folder as
they were, and nothing quotes message text in errors."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main

EXAMPLE = "examples/android-b-relief.txt"


def _snapshot(path):
    folder = path.parent
    return (
        path.read_bytes(),
        os.stat(path).st_mtime_ns,
        sorted((entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(folder)),
    )


@pytest.fixture
def exhibits(tmp_path):
    folder = tmp_path / "exhibit"
    folder.mkdir()
    text = folder / "chat.txt"
    shutil.copyfile(EXAMPLE, text)
    archive = folder / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("_chat.txt", Path(EXAMPLE).read_text(encoding="utf-8"))
        zipped.writestr("IMG-20240114-WA0007.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32)
    return [text, archive]


@pytest.mark.parametrize("args", [
    ["parse"], ["parse", "--format", "csv"], ["inspect"], ["inspect", "--format", "json"],
    ["scan"], ["scan", "--format", "json"], ["scan", "--jobs", "2", "--format", "sarif"], ["check"],
])
def test_every_command_leaves_the_exhibit_untouched(capsys, exhibits, args):
    for path in exhibits:
        before = _snapshot(path)
        code = main([args[0], str(path), *args[1:]])
        capsys.readouterr()
        assert code in (0, 1)
        assert _snapshot(path) == before


def test_scan_output_beside_the_exhibit_is_refused_before_reading(capsys, exhibits):
    path = exhibits[0]
    before = _snapshot(path)
    code = main(["scan", str(path), "--format", "json", "--output", str(path.parent / "findings.json")])
    err = capsys.readouterr().err
    assert code == 2 and "refusing to write" in err
    assert _snapshot(path) == before


def test_errors_do_not_quote_chat_text(capsys, tmp_path):
    folder = tmp_path / "exhibit"
    folder.mkdir()
    path = folder / "chat.txt"
    path.write_text("Officer's private note: SECRET-NAME-12345\nno headers here\n", encoding="utf-8")
    for command in ("parse", "inspect", "scan"):
        assert main([command, str(path)]) == 3
        captured = capsys.readouterr()
        assert "SECRET-NAME-12345" not in captured.err + captured.out


def test_an_evidence_pack_leaves_the_exhibit_untouched(capsys, exhibits, tmp_path):
    for number, path in enumerate(exhibits):
        before = _snapshot(path)
        pack = tmp_path / f"pack{number}"
        code = main(["scan", str(path), "--out", str(pack), "--exhibit-ref", "TEST/1", "--no-progress"])
        assert code in (0, 1) and (pack / "SHA256SUMS").is_file()
        assert main(["verify", str(pack)]) == 0
        capsys.readouterr()
        assert _snapshot(path) == before


def test_a_pack_inside_the_exhibit_folder_is_refused(capsys, exhibits):
    path = exhibits[0]
    before = _snapshot(path)
    code = main(["scan", str(path), "--out", str(path.parent / "pack")])
    assert code == 2 and "refusing to write" in capsys.readouterr().err
    assert _snapshot(path) == before
