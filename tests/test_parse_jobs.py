"""`parse --jobs N` writes exactly the bytes of one process, in file order, and says the same on stderr."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from export_shapes import RENDERERS

from whatsapp_audit.cli.app import main
from whatsapp_audit.native import PURE_VARIABLE, available
from whatsapp_audit.report import message_parts

SMALL_PARTS = 2_000  # bytes of chat text a part: a few dozen messages, so an export of ~60 KB has dozens of parts


def _chat(shape: str) -> bytes:
    """About 600 invented messages in one header shape: multi-line texts, system events, media,
    a line in another export's style inside a message, a header with an impossible date and a line
    of bytes that are not UTF-8 (both well past the first part)."""
    render = RENDERERS[shape][0]
    foreign = "[12/01/2023, 08:00:00] Pasted: from an iPhone" if not shape.startswith("I") else "12/01/2023, 08:00 - Pasted: from a phone"
    start = datetime(2023, 1, 11, 7, 5, 9)
    lines: list[bytes] = []
    for n in range(600):
        header = render(start + timedelta(minutes=7 * n, seconds=n % 60))
        if n % 97 == 5:
            lines.append(f"{header}Sgt Okafor added PC Lund".encode())
            continue
        name = ("PC Lund", "Sgt Okafor", "~\u202fDee", "\u202a+44\u00a07700\u00a0900123\u202c")[n % 4]
        if n % 41 == 3:
            body = f"IMG-20230111-WA{n:04d}.jpg (file attached)\ncordon tape at the rear"
        elif n % 29 == 7:
            body = f"handover note {n}\nsecond line with \u00e9 and \U0001f693\n{foreign}"
        else:
            body = f"message {n} about the \"late\" turn \u2014 back at 0700 \t tab"
        lines.append(f"{header}{name}: {body}".encode())
        if n == 333:
            lines.append(f"{render(datetime(2023, 2, 28, 9, 15)).replace('28', '31', 1)}Ana: 31 February".encode())
        if n == 401:
            lines.append(b"a continuation line with broken bytes \xff\xfe here")
    return b"\n".join(lines) + b"\n"


def _parse(capsys, path, *options: str) -> tuple[int, bytes, str]:
    code = main(["parse", str(path), *options])
    captured = capsys.readouterr()
    return code, captured.out.encode("utf-8"), captured.err


@pytest.mark.parametrize("shape", ["A1", "A3", "I9", "I13", "L2"])
def test_jobs_output_and_coverage_equal_one_process(shape, capsys, monkeypatch, write_export):
    path = write_export(_chat(shape))
    monkeypatch.setattr(message_parts, "PART_BYTES", SMALL_PARTS)
    code1, out1, err1 = _parse(capsys, path, "--jobs", "1", "--date-order", RENDERERS[shape][1])
    code2, out2, err2 = _parse(capsys, path, "--jobs", "2", "--date-order", RENDERERS[shape][1])
    code3, out3, err3 = _parse(capsys, path, "--jobs", "3", "--date-order", RENDERERS[shape][1])
    assert code1 == code2 == code3 == 0
    assert out2 == out1 and out3 == out1
    assert err2 == err1 and err3 == err1
    records = [json.loads(line) for line in out1.splitlines()]
    assert len(records) == 600 and [r["line"] for r in records] == sorted(r["line"] for r in records)
    assert "every line accounted for" in err1 and "1 unparsed" in err1
    assert "held bytes that are not valid text" in err1 and "like headers in another format" in err1


def test_the_export_really_is_shared_out(write_export, monkeypatch):
    from whatsapp_audit.ingest.export import open_export

    monkeypatch.setattr(message_parts, "PART_BYTES", SMALL_PARTS)
    with open_export(write_export(_chat("A1"))) as export:
        parts = message_parts.plan(export, 2)
    assert len(parts) > 20  # every other one to the helper: the test above compares a real split


@pytest.mark.skipif(not available(), reason="the C accelerator is not built")
def test_pure_python_helpers_write_the_same_bytes(capsys, monkeypatch, write_export):
    path = write_export(_chat("I9"))
    monkeypatch.setattr(message_parts, "PART_BYTES", SMALL_PARTS)
    _, native_out, native_err = _parse(capsys, path, "--jobs", "1")
    monkeypatch.setenv(PURE_VARIABLE, "1")  # the helpers are started after this: they inherit it
    _, pure_out, pure_err = _parse(capsys, path, "--jobs", "2")
    assert pure_out == native_out and pure_err == native_err


def test_json_and_csv_ignore_jobs(capsys, monkeypatch, write_export):
    path = write_export(_chat("A1"))
    monkeypatch.setattr(message_parts, "PART_BYTES", SMALL_PARTS)
    for fmt in ("json", "csv"):
        assert _parse(capsys, path, "--format", fmt, "--jobs", "2")[1] == _parse(capsys, path, "--format", fmt)[1]


def test_a_zip_export_is_shared_out_alike(capsys, monkeypatch, write_export, tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("WhatsApp Chat with Lates.txt", _chat("I13"))
        archive.writestr("IMG-20230111-WA0003.jpg", b"\xff\xd8\xff\xe0 not really a photo")
    path = write_export(buffer.getvalue(), "export.zip")
    monkeypatch.setattr(message_parts, "PART_BYTES", SMALL_PARTS)
    one, many = _parse(capsys, path, "--jobs", "1"), _parse(capsys, path, "--jobs", "2")
    assert one == many and one[0] == 0 and one[1].count(b"\n") == 600


def test_a_helper_stops_on_an_export_that_changed_after_the_survey(write_export):
    from whatsapp_audit.errors import InputError
    from whatsapp_audit.ingest.export import open_export
    from whatsapp_audit.ingest.source import open_source
    from whatsapp_audit.ingest.vocabulary import load_vocabulary

    path = write_export(_chat("A1"))
    with open_export(path) as surveyed:
        path.write_bytes(_chat("A1").replace(b"message 8 ", b"message 9 "))  # same size, other bytes
        vocabulary = load_vocabulary()
        message_parts._OPENED[str(path)] = (open_source(path, (vocabulary.chat_names, vocabulary.chat_prefixes)), vocabulary)
        info = surveyed.source
        with pytest.raises(InputError, match="changed while it was being read"):
            message_parts._export(str(path), surveyed.encoding, surveyed.survey, info.sha256, info.chat_sha256)
    assert str(path) not in message_parts._OPENED


def test_one_process_unless_asked(capsys, monkeypatch, tmp_path):
    """Without --jobs, parse starts no helper process however large the export: on two cores a second
    process measured no faster and held 2.5 times the memory (docs/parse-output.md)."""
    started: list[int] = []
    real_helpers = message_parts.helpers

    def counting(count, export):
        started.append(count)
        return real_helpers(count, export)

    monkeypatch.setattr("whatsapp_audit.cli.commands.parse.helpers", counting)
    path = tmp_path / "chat.txt"
    path.write_bytes(_chat("A1") * 200)  # about 12 MB: over the 4 MB a core that --jobs 0 shares
    assert _parse(capsys, path)[0] == 0
    assert _parse(capsys, path, "--jobs", "2")[0] == 0
    assert started == [0, 1]
