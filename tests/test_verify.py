"""`whatsapp-audit verify DIR`: a good pack passes; any change, loss or addition fails with exit 4."""

from __future__ import annotations

from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main


@pytest.fixture()
def made(tmp_path: Path, capsys) -> tuple[Path, Path]:
    folder = tmp_path / "exhibit"
    folder.mkdir()
    export = folder / "chat.txt"
    export.write_text("02/05/2024, 22:05 - Kay Lund: Stop check on AB12 CDE\n", encoding="utf-8")
    pack = tmp_path / "pack"
    assert main(["scan", str(export), "--out", str(pack), "--no-progress"]) == 1
    capsys.readouterr()
    return export, pack


def verify(capsys, *args: str) -> tuple[int, str]:
    code = main(["verify", *args])
    return code, capsys.readouterr().out


def test_an_untouched_pack_verifies(made, capsys) -> None:
    export, pack = made
    code, out = verify(capsys, str(pack))
    assert code == 0 and out.startswith("OK: 6 hashes match")
    code, out = verify(capsys, str(pack), "--export", str(export))
    assert code == 0 and "export chat.txt" in out


def test_a_changed_file_fails_naming_it(made, capsys) -> None:
    _, pack = made
    report = pack / "findings.csv"
    report.write_bytes(report.read_bytes().replace(b"AB12 CDE", b"AB12 CDF"))
    code, out = verify(capsys, str(pack))
    assert code == 4 and out.splitlines() == [
        "FAILED: findings.csv: SHA-256 does not match SHA256SUMS (the file was changed)",
    ]


def test_missing_and_extra_files_fail_one_line_each(made, capsys) -> None:
    _, pack = made
    (pack / "report.html").unlink()
    (pack / "notes.txt").write_text("added later", encoding="utf-8")
    code, out = verify(capsys, str(pack))
    assert code == 4
    assert "FAILED: report.html: missing" in out and "FAILED: notes.txt: extra file, not listed in SHA256SUMS" in out
    assert len(out.splitlines()) == 2


def test_a_rewritten_sha256sums_is_caught_by_the_manifest(made, capsys) -> None:
    from whatsapp_audit.report.verify import file_sha256

    _, pack = made
    (pack / "findings.json").write_text("{}", encoding="utf-8")
    sums = pack / "SHA256SUMS"
    lines = [f"{file_sha256(pack / line.split('  ')[1])}  {line.split('  ')[1]}" for line in sums.read_text().splitlines()]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = verify(capsys, str(pack))
    assert code == 4 and "findings.json: SHA-256 does not match manifest.json" in out


def test_a_different_export_and_a_folder_without_sums_fail(made, tmp_path: Path, capsys) -> None:
    export, pack = made
    other = tmp_path / "other.txt"
    other.write_text(export.read_text(encoding="utf-8") + "more\n", encoding="utf-8")
    code, out = verify(capsys, str(pack), "--export", str(other))
    assert code == 4 and "does not match the input recorded in manifest.json" in out
    (pack / "SHA256SUMS").unlink()
    code, out = verify(capsys, str(pack))
    assert code == 4 and "SHA256SUMS: missing" in out
