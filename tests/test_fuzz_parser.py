"""Fuzzing the parser: no input may crash it, hang it or lose a line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whatsapp_audit import parse
from whatsapp_audit.errors import InputError

HEADERS = ["14/03/2022, 18:05 - ", "[14/03/2022, 18:05:09] ", "3/14/23, 6:05\u202fPM - ", "14.03.22, 18:05 - "]
HOSTILE = st.lists(
    st.one_of(
        st.characters(),
        st.sampled_from(["\u0301", "\u202e", "\u200e", "\x1b[31m", "[bold]", "\r", "\t", "\x00", "\ufeff", "=cmd|", "<script>"]),
    ),
    max_size=30,
).map("".join)
SUPPRESS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def _file(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "fuzz" / "chat.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def _expected_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


@settings(max_examples=150, deadline=None, suppress_health_check=SUPPRESS)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_or_lose_lines(tmp_path, data):
    try:
        chat = parse(_file(tmp_path, data))
    except InputError:
        return
    assert chat.stats.accounted
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in data:
        assert chat.stats.total_lines == _expected_lines(data.removeprefix(b"\xef\xbb\xbf"))


@settings(max_examples=150, deadline=None, suppress_health_check=SUPPRESS)
@given(
    header=st.sampled_from(HEADERS),
    bodies=st.lists(st.tuples(HOSTILE, st.lists(HOSTILE, max_size=3)), min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r\r\n"]),
)
def test_valid_headers_with_hostile_bodies_keep_every_line(tmp_path, header, bodies, newline):
    lines = []
    for first, more in bodies:
        lines.append(f"{header}Ana Pike: {first}")
        lines.extend(more)
    text = newline.join(lines) + newline
    chat = parse(_file(tmp_path, text.encode("utf-8", errors="surrogatepass")))
    assert chat.stats.accounted
    # Line count as an editor would count it: LF ends a line, CRs before it belong to the ending.
    assert chat.stats.total_lines == text.count("\n")
    assert len(chat.messages) >= 1 and chat.messages[0].line == 1


def test_crash_text_of_combining_marks(tmp_path):
    crash = "Z" + "\u0301\u0336\u0337" * 20_000
    chat = parse(_file(tmp_path, f"14/03/2022, 18:05 - Ana Pike: {crash}\n14/03/2022, 18:06 - Bo Reed: ok\n".encode()))
    assert chat.messages[0].text == crash and chat.messages[1].line == 2
