"""Hostile chat text stays inert in every output: rich markup, ANSI escapes, bidi overrides, HTML, CSV formulas.

Each payload sits in a message that also triggers a finding, in the author's name, and in the
neighbouring messages, so it reaches every place a report prints chat text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from whatsapp_audit.cli.app import main
from whatsapp_audit.report.safe import csv_cell, csv_text, html_text, mask_phone_numbers, visible

MARKUP = "[bold red]FAKE[/bold red] [link=file:///etc/passwd]x[/link] :police_car:"
ANSI = "\x1b[2J\x1b[31mCLEARED\x1b]8;;file:///x\x07"
BIDI = "abc\u202edcba\u202c \u2066iso\u2069 zero\u200bwidth"
HTML = "<script>alert(1)</script><img src=https://evil.example/x.png onerror=alert(2)>\"'&"
FORMULA = "=HYPERLINK(\"https://evil.example\",\"click\")"
AUTHOR = "@SUM(1+1)*cmd|' /C calc'!A0 [red]Boss[/red]"

CHAT = f"""\
02/05/2024, 22:00 - Jo Fenn: {HTML}
02/05/2024, 22:01 - {AUTHOR}: ring 07911 234567 {MARKUP}
02/05/2024, 22:02 - Jo Fenn: {ANSI}
02/05/2024, 22:03 - Jo Fenn: {FORMULA} AB12 CDE
02/05/2024, 22:04 - Kay Lund: {BIDI} SW1A 1AA
+tab\tbreak
"""


@pytest.fixture()
def export(write_export) -> Path:
    return write_export(CHAT, "hostile.txt")


def output(capsys, export: Path, fmt: str, *extra: str) -> str:
    main(["scan", str(export), "--format", fmt, "--no-progress", "--fail-on", "never", *extra])
    return capsys.readouterr().out


def test_safe_helpers() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-2") == "'-2" and csv_cell("plain") == "plain"
    assert csv_text("\u202e=x") == "⟨U+202E⟩=x" and csv_text("=x\u202e") == "'=x⟨U+202E⟩"
    assert visible("a\x1b[31m") == "a⟨U+001B⟩[31m" and visible("line\nnext\ttab") == "line\nnext\ttab"
    assert html_text("<b a=\"1\">") == "&lt;b a=&quot;1&quot;&gt;"
    assert mask_phone_numbers("ring 07911 234567 or +44 7911 234567") == "ring ••••••••567 or •••••••••567"
    assert mask_phone_numbers("AB12 CDE 24/123456F IMG-20240114-WA0007.jpg") == "AB12 CDE 24/123456F IMG-20240114-WA0007.jpg"


@pytest.mark.parametrize("color", ["never", "always"])
def test_terminal_report_prints_hostile_text_literally(export: Path, capsys, color: str) -> None:
    out = output(capsys, export, "text", "--color", color, "--context", "5")
    out = re.sub(r"(\x1b\[[0-9;]*m)+", "", out) if color == "always" else out  # rich's own styling
    out = " ".join(out.split())  # the terminal wraps long lines
    assert "[bold red]FAKE[/bold red]" in out and ":police_car:" in out and "🚓" not in out
    assert "[red]Boss[/red]" in out
    assert "⟨U+001B⟩[2J" in out and "\x1b[2J" not in out and "\x1b]8" not in out
    assert "⟨U+202E⟩" in out and "\u202e" not in out and "\u2066" not in out and "\u200b" not in out
    assert "<script>alert(1)</script>" in out  # plain text in a terminal, not interpreted


def test_check_prints_hostile_text_literally(export: Path, capsys) -> None:
    main(["check", str(export), "--no-progress", "--color", "always", "--min-confidence", "low", "--context", "5"])
    out = capsys.readouterr().out
    assert "[red]Boss[/red]" in out and "\x1b[2J" not in out and "\u202e" not in out and "⟨U+202E⟩" in out


def test_html_escapes_every_piece_of_chat_text(export: Path, capsys) -> None:
    page = output(capsys, export, "html")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "onerror=alert(2)&gt;" in page
    assert page.count("<script>") == 1  # only the report's own script
    assert not re.search(r"<[a-z]+[^>]*\s(?:src|action|formaction|poster)\s*=", page, flags=re.I)
    assert all(link.startswith("#") for link in re.findall(r"\shref=\"([^\"]*)\"", page, flags=re.I))
    assert "[red]Boss[/red]" in page and "@SUM(1+1)*cmd|&#39; /C calc&#39;!A0" in page
    assert "\u202e" not in page and "⟨U+202E⟩" in page and "\x1b" not in page
    assert 'data-author="@SUM(1+1)*cmd|&#39; /C calc&#39;!A0 [red]Boss[/red]"' in page
    # the author's name in a summary link is percent-encoded inside the fragment: it cannot leave it
    assert "#author=%40SUM%281%2B1%29%2Acmd%7C%27%20%2FC%20calc%27%21A0%20%5Bred%5DBoss%5B%2Fred%5D" in page


def test_csv_cells_cannot_run_formulas(export: Path, capsys) -> None:
    rows = list(csv.reader(io.StringIO(output(capsys, export, "csv"))))
    header, body = rows[0], rows[1:]
    risky = [cell for row in body for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == []
    author = header.index("author")
    assert any(row[author] == "'" + AUTHOR for row in body)
    text = header.index("message_text")
    assert any(row[text].startswith("'=HYPERLINK") for row in body)
    assert all("\u202e" not in cell and "\x1b" not in cell for row in body for cell in row)


def test_json_keeps_the_verbatim_text_safely_encoded(export: Path, capsys) -> None:
    report = json.loads(output(capsys, export, "json"))
    texts = [f["message_text"] for f in report["findings"]]
    assert any(BIDI in t for t in texts) and any(FORMULA in t for t in texts)  # evidence stays verbatim
    for fmt in ("jsonl", "sarif"):
        for line in output(capsys, export, fmt).splitlines():
            assert "\x1b" not in line and "\u202e" not in line  # escaped as \\u001b / \\u202e by JSON


def test_no_output_is_broken_by_markup_in_author_names(export: Path, capsys) -> None:
    for fmt in ("text", "json", "jsonl", "csv", "html", "sarif"):
        assert output(capsys, export, fmt)
